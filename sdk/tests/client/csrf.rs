//! CSRF: the Roblox token is fetched once, shared by clones, refreshed on rotation, and a
//! 403 that is not a CSRF rejection is never resent.

use crate::support::{captcha, config, header_of, requests, roblox_error};
use serde_json::json;
use social_sdk::{Auth, FakeClock, RetryPolicy};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn csrf_rejection(current: &str) -> ResponseTemplate {
    ResponseTemplate::new(403)
        .insert_header("x-csrf-token", current)
        .set_body_json(roblox_error(0, "Token Validation Failed"))
}

/// A Roblox session whose current CSRF token is `token`: POSTs carrying it succeed, any
/// other POST gets the CSRF 403 that hands it out.
async fn mount_csrf_session(server: &MockServer, token: &str) {
    Mock::given(method("POST"))
        .and(header("x-csrf-token", token))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .respond_with(csrf_rejection(token))
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test]
async fn csrf_token_is_fetched_reused_and_refreshed() {
    let server = MockServer::start().await;
    let clock = FakeClock::new();
    let config = config(&server, &clock, RetryPolicy::disabled());
    let client = config.friends(Auth::roblox_cookie("c"));
    let other_clone = client.clone();

    // Token A is current.
    mount_csrf_session(&server, "A").await;
    client
        .unfollow_user()
        .target_user_id(5)
        .await
        .expect("fetches the token, resends once");
    other_clone
        .unfollow_user()
        .target_user_id(6)
        .await
        .expect("a clone reuses the stored token");

    // The session's token rotates to B.
    server.reset().await;
    mount_csrf_session(&server, "B").await;
    client
        .unfollow_user()
        .target_user_id(7)
        .await
        .expect("refreshes on rotation");
    let after_rotation: Vec<_> = requests(&server)
        .await
        .iter()
        .map(|r| header_of(r, "x-csrf-token"))
        .collect();
    assert_eq!(after_rotation, [Some("A".to_owned()), Some("B".to_owned())]);
    client
        .unfollow_user()
        .target_user_id(8)
        .await
        .expect("uses B from now on");
    assert_eq!(
        requests(&server).await.len(),
        3,
        "no extra round trip once B is known"
    );

    // GETs never carry the token.
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 0})))
        .mount(&server)
        .await;
    client.get_my_friends_count().await.expect("ok");
    let last = requests(&server).await.pop().expect("a request");
    assert_eq!(header_of(&last, "x-csrf-token"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_requests_do_not_stampede_for_the_token() {
    let server = MockServer::start().await;
    mount_csrf_session(&server, "A").await;
    let clock = FakeClock::new();
    let client = config(&server, &clock, RetryPolicy::disabled()).friends(Auth::roblox_cookie("c"));
    let calls = (0..8).map(|i| {
        let client = client.clone();
        tokio::spawn(async move { client.unfollow_user().target_user_id(i).await })
    });
    for call in futures::future::join_all(calls).await {
        call.expect("task").expect("call succeeds");
    }
    let without_token = requests(&server)
        .await
        .iter()
        .filter(|r| header_of(r, "x-csrf-token").is_none())
        .count();
    assert_eq!(
        without_token, 1,
        "one request learns the token, the others wait for it"
    );
    assert_eq!(requests(&server).await.len(), 9);
}

#[tokio::test]
async fn a_permission_403_without_the_header_is_not_resent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(403).set_body_json(roblox_error(
            3,
            "The user is blocked from performing this action.",
        )))
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let client = config(&server, &clock, RetryPolicy::default()).friends(Auth::roblox_cookie("c"));
    let error = client
        .follow_user()
        .target_user_id(2)
        .body(captcha())
        .await
        .expect_err("403");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403));
    assert!(error.code().is_some_and(|c| *c == 3));
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn a_second_csrf_rejection_is_returned_not_looped() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(csrf_rejection("always-new"))
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let client = config(&server, &clock, RetryPolicy::default()).friends(Auth::roblox_cookie("c"));
    let error = client
        .unfriend_user()
        .target_user_id(2)
        .await
        .expect_err("403 twice");
    assert!(error.code().is_some_and(|c| *c == 0), "{error:?}");
    assert_eq!(
        requests(&server).await.len(),
        2,
        "one resend, then the error"
    );
}
