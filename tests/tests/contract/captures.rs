//! The capture contract: for every real Friends v1 response captured from
//! friends.roblox.com (`sdk/tests/fixtures/roblox/`, provenance in its README), a world is put
//! into the captured situation, the stub is called the way the capturing client called the
//! real service, and the answer must have the capture's shape: the same keys at every level,
//! the same JSON kinds, the same timestamp and cursor formats ([`contract_tests::shape`]).
//!
//! A capture is either compared here or listed in [`NOT_COMPARED`] with its reason; a test
//! fails when a fixture is neither, so a new capture cannot be skipped silently.

use contract_tests::prelude::*;
use contract_tests::shape::{Exception, assert_same_shape};
use serde_json::{Value, json};
use social_stub::roblox::CreatedUser;
use std::path::PathBuf;
use std::time::Duration;

/// Captures this suite does not compare, and why.
const NOT_COMPARED: &[(&str, &str)] = &[(
    "error_403_token_validation_failed_flat_shape.json",
    "not a Friends v1 answer: a 403 of an unrelated Roblox POST (README, source B). The SDK \
     decodes the flat shape (sdk/tests/fixtures.rs); the stub's CSRF 403 uses the \
     `{\"errors\": […]}` shape every Friends v1 error capture in public clients shows",
)];

/// Every capture compared below, by file name.
const COMPARED: &[&str] = &[
    "friends_v1_metadata.json",
    "friends_v1_my_friends_count.json",
    "friends_v1_my_friends_requests.json",
    "friends_v1_post_empty_object_unfriend.json",
    "friends_v1_user_following-exists.json",
    "friends_v1_user_friend-requests_count.json",
    "friends_v1_users_id_followers.json",
    "friends_v1_users_id_friends.json",
    "friends_v1_users_id_friends_find.json",
    "friends_v1_users_id_friends_inactive.json",
    "friends_v1_users_id_friends_search.json",
    "friends_v1_users_id_friends_statuses.json",
    "friends_v1_users_id_request-friendship.json",
    "TRANSCRIBED_friends_v1_users_id_friends_unauthenticated_blank_names.json",
];

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sdk/tests/fixtures/roblox")
}

fn capture(name: &str) -> Value {
    let path = fixtures_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

async fn get(env: &Env, path: &str, user: Option<&CreatedUser>) -> Value {
    env.raw_get_json("friends", path, user).await
}

async fn post(env: &Env, path: &str, user: &CreatedUser, body: Value) -> Value {
    let csrf = env.csrf(user).await;
    let response = env
        .raw_post("friends", path, Some(user), Some(&csrf), body)
        .await;
    let status = response.status();
    let body: Value = response.json().await.expect("a JSON answer");
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

fn same(name: &str, actual: &Value) {
    assert_same_shape(name, &capture(name), actual, &[]);
}

#[test]
fn every_capture_is_compared_or_excused() {
    let mut files: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    files.sort();
    for file in &files {
        let compared = COMPARED.contains(&file.as_str());
        let excused = NOT_COMPARED.iter().any(|(f, _)| f == file);
        assert!(
            compared ^ excused,
            "{file}: compare it in captures.rs or list it in NOT_COMPARED with a reason"
        );
    }
    assert_eq!(files.len(), COMPARED.len() + NOT_COMPARED.len());
}

/// A signed-in user with three friends, the first of them online.
async fn user_with_friends(env: &Env) -> (CreatedUser, Vec<CreatedUser>) {
    let me = env.user("me").await;
    let friends = env.users("friend", 3).await;
    for friend in &friends {
        env.befriend(&me, friend).await;
    }
    env.world
        .set_presence(friends[0].user.id, json!({"presence": "Online"}))
        .await
        .expect("presence");
    (me, friends)
}

#[tokio::test]
async fn reads_have_the_captured_shapes() {
    let env = Env::new().await;
    let (me, friends) = user_with_friends(&env).await;
    let id = me.user.id;

    same(
        "friends_v1_metadata.json",
        &get(&env, "/v1/metadata", None).await,
    );
    same(
        "friends_v1_my_friends_count.json",
        &get(&env, "/v1/my/friends/count", Some(&me)).await,
    );
    same(
        "friends_v1_user_friend-requests_count.json",
        &get(&env, "/v1/user/friend-requests/count", Some(&me)).await,
    );
    same(
        "friends_v1_users_id_friends.json",
        &get(&env, &format!("/v1/users/{id}/friends"), Some(&me)).await,
    );
    same(
        "TRANSCRIBED_friends_v1_users_id_friends_unauthenticated_blank_names.json",
        &get(&env, &format!("/v1/users/{id}/friends"), None).await,
    );
    // A first page with a next one, as captured.
    same(
        "friends_v1_users_id_friends_find.json",
        &get(
            &env,
            &format!("/v1/users/{id}/friends/find?limit=2"),
            Some(&me),
        )
        .await,
    );
    // The only page, as captured (`NextCursor: null`).
    same(
        "friends_v1_users_id_friends_search.json",
        &get(
            &env,
            &format!("/v1/users/{id}/friends/search?query=friend"),
            Some(&me),
        )
        .await,
    );
    let other = friends[1].user.id;
    same(
        "friends_v1_users_id_friends_statuses.json",
        &get(
            &env,
            &format!("/v1/users/{id}/friends/statuses?userIds={other}"),
            Some(&me),
        )
        .await,
    );
    same(
        "friends_v1_user_following-exists.json",
        &post(
            &env,
            "/v1/user/following-exists",
            &me,
            json!({"targetUserIds": [other]}),
        )
        .await,
    );
}

#[tokio::test]
async fn inactive_friends_have_the_captured_shape() {
    let env = Env::new().await;
    let (me, _) = user_with_friends(&env).await;
    env.advance(Duration::from_secs(31 * 86_400)).await;
    let path = format!("/v1/users/{}/friends/inactive", me.user.id);
    same(
        "friends_v1_users_id_friends_inactive.json",
        &get(&env, &path, Some(&me)).await,
    );
}

#[tokio::test]
async fn followers_have_the_captured_shape() {
    let env = Env::new().await;
    let star = env.user("star").await;
    // One more than a page, so the first page has a next cursor, as captured.
    for fan in env.users("fan", 11).await {
        env.follow(&fan, &star).await;
    }
    let path = format!("/v1/users/{}/followers", star.user.id);
    same(
        "friends_v1_users_id_followers.json",
        &get(&env, &path, None).await,
    );
}

#[tokio::test]
async fn friend_requests_have_the_captured_shape() {
    let env = Env::new().await;
    let me = env.user("me").await;
    // Eleven requests sent from inside a game (a page of ten and a next cursor), as captured.
    for sender in env.users("sender", 11).await {
        env.world
            .send_friend_request_in_game(sender.user.id, me.user.id, "InGame", Some(2549415383))
            .await
            .expect("in-game request");
    }
    same(
        "friends_v1_my_friends_requests.json",
        &get(&env, "/v1/my/friends/requests?limit=10", Some(&me)).await,
    );
}

#[tokio::test]
async fn writes_have_the_captured_shapes() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let [a, b, c, d]: [CreatedUser; 4] = env.users("other", 4).await.try_into().expect("four");
    let path = |what: &str, who: &CreatedUser| format!("/v1/users/{}/{what}", who.user.id);

    same(
        "friends_v1_users_id_request-friendship.json",
        &post(&env, &path("request-friendship", &a), &me, json!({})).await,
    );
    env.befriend(&me, &b).await;
    let empty = "friends_v1_post_empty_object_unfriend.json";
    same(
        empty,
        &post(&env, &path("unfriend", &b), &me, json!({})).await,
    );
    // The README lists the same `{}` for accept and decline.
    for sender in [&c, &d] {
        post(&env, &path("request-friendship", &me), sender, json!({})).await;
    }
    same(
        empty,
        &post(&env, &path("accept-friend-request", &c), &me, json!({})).await,
    );
    same(
        empty,
        &post(&env, &path("decline-friend-request", &d), &me, json!({})).await,
    );
    // And for decline-all, where RoZod's newer schema documents `{"backgrounded": bool}`:
    // the stub writes that, the one listed difference.
    let all = post(&env, "/v1/user/friend-requests/decline-all", &me, json!({})).await;
    assert_same_shape(
        empty,
        &capture(empty),
        &all,
        &[Exception {
            path: "$",
            reason: "decline-all answers {\"backgrounded\": bool} in RoZod's newer schema; \
                     OpenBlox lists the unfriend body for it again",
        }],
    );
}
