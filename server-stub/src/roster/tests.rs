//! Unit tests of the roster rules.

use super::state::codes::*;
use super::*;
use crate::config::StubConfig;
use chrono::Utc;

fn world() -> (RosterState, String, Vec<i64>) {
    let mut state = RosterState::new(&StubConfig::default());
    let app = state.create_app(None).expect("app").app_id;
    let ids = (0..4)
        .map(|i| {
            let spec = RosterUserSpec {
                username: Some(Some(format!("u{i}"))),
                auth_mode: Some(i),
                auth_answer: Some(Some(" Blue ".into())),
                ..RosterUserSpec::default()
            };
            state.create_user(&app, spec).expect("user").user.id
        })
        .collect();
    (state, app, ids)
}

#[test]
fn friendships_stay_symmetric_and_versions_grow() {
    let (mut state, app, ids) = world();
    let app = state.apps.get_mut(&app).expect("app");
    let now = Utc::now();
    let before = app.version(ids[1]);
    app.apply(ids[1], ids[0], ApplyArgs::default(), now, 1000)
        .expect("mode 0");
    assert!(app.are_friends(ids[0], ids[1]) && app.are_friends(ids[1], ids[0]));
    assert!(app.version(ids[1]) > before);
    app.block(ids[0], ids[1]).expect("block");
    assert!(!app.are_friends(ids[0], ids[1]) && !app.are_friends(ids[1], ids[0]));
    assert_eq!(app.relation(Some(ids[0]), ids[1]), 3);
    assert_eq!(app.relation(Some(ids[1]), ids[0]), 1);
}

#[test]
fn answers_match_trimmed_and_case_insensitively() {
    let (mut state, app, ids) = world();
    let app = state.apps.get_mut(&app).expect("app");
    let now = Utc::now();
    let with = |answer: &str| ApplyArgs {
        auth_answer: Some(answer.into()),
        ..ApplyArgs::default()
    };
    let wrong = app.apply(ids[0], ids[2], with("red"), now, 1000);
    assert_eq!(wrong.map_err(|e| e.code), Err(BAD_PARAMETER));
    app.apply(ids[0], ids[2], with("  bLUE"), now, 1000)
        .expect("right answer");
    assert!(app.are_friends(ids[0], ids[2]));
    let rejected = app.apply(ids[0], ids[3], ApplyArgs::default(), now, 1000);
    assert_eq!(rejected.map_err(|e| e.code), Err(REJECTS_ALL));
}

#[test]
fn tokens_of_another_app_are_invalid() {
    let (mut state, app, _) = world();
    let other = state.create_app(Some("other".into())).expect("app");
    let credentials = Credentials {
        app_id: Some(app),
        token: Some(other.admin_token),
        ..Credentials::default()
    };
    let error = state
        .authenticate(&credentials)
        .map(|_| ())
        .expect_err("refused");
    assert_eq!(error.code, INVALID_TOKEN);
}
