//! Auth and headers: credentials go where each operation needs them, secrets stay out of
//! `Debug`.

use crate::support::{config, header_of, requests};
use serde_json::json;
use social_sdk::{Auth, FakeClock, RetryPolicy};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn credentials_go_where_each_operation_needs_them_and_api_version_never_goes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 1})))
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let config = config(&server, &clock, RetryPolicy::disabled());

    config
        .friends(Auth::roblox_cookie("cookie-1"))
        .get_my_friends_count()
        .await
        .expect("ok");
    config
        .friends(Auth::bearer("token-2"))
        .get_my_friends_count()
        .await
        .expect("ok");
    // The Roblox session is a domain cookie: public operations carry it too.
    config
        .friends(Auth::roblox_cookie("cookie-3"))
        .get_user_friends_count()
        .user_id(1)
        .await
        .expect("ok");

    let seen = requests(&server).await;
    assert_eq!(
        header_of(&seen[0], "cookie").as_deref(),
        Some(".ROBLOSECURITY=cookie-1")
    );
    assert_eq!(
        header_of(&seen[1], "authorization").as_deref(),
        Some("Bearer token-2")
    );
    assert_eq!(
        header_of(&seen[2], "cookie").as_deref(),
        Some(".ROBLOSECURITY=cookie-3")
    );
    assert!(
        seen.iter().all(|r| header_of(r, "api-version").is_none()),
        "api-version is stripped"
    );
    assert!(
        seen.iter()
            .all(|r| header_of(r, "user-agent").is_some_and(|ua| ua.starts_with("social-sdk/")))
    );
}

#[tokio::test]
async fn social_user_and_server_routes_and_roster_admin_headers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/social/party/server/overview"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"party": null, "invites": []})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/social/party"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"party": null, "invites": []})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/roster/blocked_list"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 200, "data": [4, 5], "message": null})),
        )
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let config = config(&server, &clock, RetryPolicy::disabled());

    let party = config.party(Auth::bearer("player-token").with_server("server-secret", "lobby-1"));
    party.get_party().await.expect("user route");
    let actor = uuid::Uuid::new_v4();
    party
        .server_party_overview()
        .body(social_sdk::party::types::ServerActorBody { actor_id: actor })
        .await
        .expect("server route");
    let roster = config.roster(Auth::roster("app-9", "admin-token").acting_as_user(77));
    let blocked = roster.list_roster_blocked().await.expect("roster data");
    assert_eq!(blocked, vec![4, 5], "a roster call returns `data` directly");

    let seen = requests(&server).await;
    assert_eq!(
        header_of(&seen[0], "authorization").as_deref(),
        Some("Bearer player-token")
    );
    assert_eq!(header_of(&seen[0], "x-server-id"), None);
    assert_eq!(
        header_of(&seen[1], "authorization").as_deref(),
        Some("Bearer server-secret")
    );
    assert_eq!(
        header_of(&seen[1], "x-server-id").as_deref(),
        Some("lobby-1")
    );
    assert_eq!(
        header_of(&seen[2], "access-token").as_deref(),
        Some("admin-token")
    );
    assert_eq!(header_of(&seen[2], "app_id").as_deref(), Some("app-9"));
    assert_eq!(header_of(&seen[2], "user_id").as_deref(), Some("77"));
}

#[tokio::test]
async fn secrets_never_appear_in_debug_output() {
    let server = MockServer::start().await;
    let clock = FakeClock::new();
    let config = config(&server, &clock, RetryPolicy::default());
    let auth = Auth::roster("app", "roster-secret-1")
        .with_server("server-secret-2", "srv")
        .with_bearer("bearer-secret-3")
        .with_roblox_cookie("cookie-secret-4");
    let shown = format!(
        "{:?} {:?} {:?} {:#?} {:?}",
        config.friends(auth.clone()),
        config.roster(auth.clone()),
        config.party(auth.clone()),
        config.context(auth.clone()),
        auth
    );
    for secret in [
        "roster-secret-1",
        "server-secret-2",
        "bearer-secret-3",
        "cookie-secret-4",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked");
    }
}
