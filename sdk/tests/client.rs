//! The SDK's own behaviour against `wiremock` servers: auth headers, CSRF, retries and
//! backoff, error shapes, page streams, secrets kept out of `Debug` (tracing: `tracing.rs`).
//!
//! Waiting is checked, never done: the config's clock is a [`FakeClock`] that records each
//! requested delay and returns at once.

use futures::{StreamExt, TryStreamExt};
use serde_json::json;
use social_sdk::{Auth, Config, Error, FakeClock, RetryPolicy, Service};
use std::time::Duration;
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn config(server: &MockServer, clock: &FakeClock, retry: RetryPolicy) -> Config {
    let mut builder = Config::builder()
        .clock(clock.clone())
        .retry(retry)
        .timeout(Duration::from_secs(5));
    for service in Service::ALL {
        builder = builder.base_url(service, server.uri());
    }
    builder.build().expect("config builds")
}

fn captcha() -> social_sdk::friends::types::CaptchaTokenRequest {
    Default::default()
}

/// Every GET gets `first` `n` times, then `then`.
async fn answer_n_times_then(
    server: &MockServer,
    n: u64,
    first: ResponseTemplate,
    then: ResponseTemplate,
) {
    Mock::given(method("GET"))
        .respond_with(first)
        .up_to_n_times(n)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .respond_with(then)
        .with_priority(2)
        .mount(server)
        .await;
}

fn roblox_error(code: i64, message: &str) -> serde_json::Value {
    json!({"errors": [{"code": code, "message": message}]})
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("recording is on")
}

fn header_of(request: &Request, name: &str) -> Option<String> {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

// ---------------------------------------------------------------------------------------
// Auth and headers

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

// ---------------------------------------------------------------------------------------
// CSRF

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

// ---------------------------------------------------------------------------------------
// Retries

#[tokio::test]
async fn a_429_storm_with_retry_after_then_success() {
    let server = MockServer::start().await;
    let first = ResponseTemplate::new(429)
        .insert_header("retry-after", "2")
        .set_body_json(roblox_error(9, "The flood limit has been exceeded."));
    answer_n_times_then(
        &server,
        3,
        first,
        ResponseTemplate::new(200).set_body_json(json!({"count": 5})),
    )
    .await;
    let clock = FakeClock::new();
    let client =
        config(&server, &clock, RetryPolicy::default().with_max_attempts(5)).friends(Auth::none());

    let count = client
        .get_user_followers_count()
        .target_user_id(1)
        .await
        .expect("succeeds in the end");
    assert_eq!(count.count, Some(5));
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_secs(2); 3],
        "Retry-After honoured"
    );
    assert_eq!(requests(&server).await.len(), 4);
}

#[tokio::test]
async fn backoff_gives_up_with_the_last_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_json(roblox_error(1, "Followers are disabled at this time.")),
        )
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let policy = RetryPolicy::default()
        .with_max_attempts(4)
        .with_initial_delay(Duration::from_secs(1));
    let client = config(&server, &clock, policy.clone()).friends(Auth::none());

    let error = client
        .get_user_friends_count()
        .user_id(1)
        .await
        .expect_err("always 503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        error.message(),
        Some("Followers are disabled at this time.")
    );
    assert!(error.is_retryable());
    assert_eq!(requests(&server).await.len(), 4);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 3);
    for (i, slept) in sleeps.iter().enumerate() {
        assert!(
            *slept <= policy.ceiling(i as u32 + 1),
            "full jitter stays under the ceiling"
        );
    }
}

#[tokio::test]
async fn a_retry_after_beyond_the_budget_ends_the_retries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "120"))
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let client = config(&server, &clock, RetryPolicy::default()).friends(Auth::none());
    let error = client
        .get_user_friends_count()
        .user_id(1)
        .await
        .expect_err("429");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(
        error.service_error().and_then(|e| e.retry_after),
        Some(Duration::from_secs(120))
    );
    assert!(clock.sleeps().is_empty());
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn retries_can_be_switched_off() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let client = config(&server, &clock, RetryPolicy::disabled()).friends(Auth::none());
    client
        .get_user_friends_count()
        .user_id(1)
        .await
        .expect_err("503");
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn a_post_is_not_retried_after_a_read_timeout_or_a_503_but_is_after_a_429() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/users/1/follow"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/users/2/follow"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/users/3/follow"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/users/3/follow"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"success": true, "isCaptchaRequired": false})),
        )
        .with_priority(2)
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let config = Config::builder()
        .base_url(Service::Friends, server.uri())
        .clock(clock.clone())
        .timeout(Duration::from_millis(300))
        .build()
        .expect("config");
    let client = config.friends(Auth::roblox_cookie("c"));

    let error = client
        .follow_user()
        .target_user_id(1)
        .body(captcha())
        .await
        .expect_err("times out");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    let error = client
        .follow_user()
        .target_user_id(2)
        .body(captcha())
        .await
        .expect_err("503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    let ok = client
        .follow_user()
        .target_user_id(3)
        .body(captcha())
        .await
        .expect("429 then 200");
    assert_eq!(ok.success, Some(true));

    let paths: Vec<String> = requests(&server)
        .await
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "/v1/users/1/follow",
            "/v1/users/2/follow",
            "/v1/users/3/follow",
            "/v1/users/3/follow"
        ]
    );
}

#[tokio::test]
async fn a_get_is_retried_after_a_timeout() {
    let server = MockServer::start().await;
    let first = ResponseTemplate::new(200).set_delay(Duration::from_secs(3));
    answer_n_times_then(
        &server,
        1,
        first,
        ResponseTemplate::new(200).set_body_json(json!({"count": 3})),
    )
    .await;
    let clock = FakeClock::new();
    let config = Config::builder()
        .base_url(Service::Friends, server.uri())
        .clock(clock.clone())
        .timeout(Duration::from_millis(300))
        .build()
        .expect("config");
    let count = config
        .friends(Auth::none())
        .get_user_friends_count()
        .user_id(1)
        .await
        .expect("second try");
    assert_eq!(count.count, Some(3));
    assert_eq!(clock.sleeps().len(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_retried_for_any_method_then_reported() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    }; // dropped: nothing listens there now
    let clock = FakeClock::new();
    let config = Config::builder()
        .base_url(Service::Friends, format!("http://127.0.0.1:{port}"))
        .clock(clock.clone())
        .retry(RetryPolicy::default().with_max_attempts(3))
        .build()
        .expect("config");
    let error = config
        .friends(Auth::roblox_cookie("c"))
        .unfriend_user()
        .target_user_id(1)
        .await
        .expect_err("refused");
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(clock.sleeps().len(), 2, "three attempts");
}

// ---------------------------------------------------------------------------------------
// Error shapes

#[tokio::test]
async fn every_error_shape_becomes_a_typed_error_with_the_raw_body() {
    let server = MockServer::start().await;
    let roblox = roblox_error(6, "Invalid parameters.");
    Mock::given(path("/v1/users/1/followers"))
        .respond_with(ResponseTemplate::new(400).set_body_json(roblox.clone()))
        .mount(&server)
        .await;
    Mock::given(path("/v1/my/friends/count"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"code": 0, "message": "Authorization has been denied for this request."}),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/v1/social/friends/requests"))
        .respond_with(ResponseTemplate::new(409).set_body_json(
            json!({"error": "FRIEND_LIMIT_REACHED", "message": "Friend limit reached."}),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/roster/id"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"code": 10000, "data": null, "message": "user does not exist"}),
            ),
        )
        .mount(&server)
        .await;
    Mock::given(path("/v1/users/2/friends/count"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .mount(&server)
        .await;
    Mock::given(path("/v1/users/3/friends/count"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"count":"many"}"#))
        .mount(&server)
        .await;
    Mock::given(path("/v1/users/4/friends/count"))
        .respond_with(ResponseTemplate::new(418).set_body_string("short and stout"))
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let config = config(&server, &clock, RetryPolicy::disabled());
    let friends = config.friends(Auth::roblox_cookie("c"));

    let e = friends
        .get_user_followers()
        .target_user_id(1)
        .await
        .expect_err("400");
    assert_eq!(
        (e.status().map(|s| s.as_u16()), e.message()),
        (Some(400), Some("Invalid parameters."))
    );
    assert!(e.code().is_some_and(|c| *c == 6));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(e.body().expect("body")).expect("json"),
        roblox
    );

    let e = friends.get_my_friends_count().await.expect_err("401");
    assert!(e.code().is_some_and(|c| *c == 0), "flat shape: {e:?}");

    let social = config.social_friends(Auth::bearer("p"));
    let body = social_sdk::social_friends::types::SendFriendRequestBody {
        target_name: Some("Alex".into()),
        ..Default::default()
    };
    let e = social
        .send_social_friend_request()
        .body(body)
        .await
        .expect_err("409");
    assert!(
        e.code().is_some_and(|c| *c == "FRIEND_LIMIT_REACHED"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "send_social_friend_request: HTTP 409 Conflict, code FRIEND_LIMIT_REACHED: Friend limit reached."
    );

    let roster = config.roster(Auth::roster("app", "t"));
    let e = roster
        .get_roster_user_by_id()
        .user_id(9)
        .await
        .expect_err("business error");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(200));
    assert!(e.code().is_some_and(|c| *c == 10000));
    assert_eq!(e.message(), Some("user does not exist"));

    let e = friends
        .get_user_friends_count()
        .user_id(2)
        .await
        .expect_err("502");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(
        e.body().map(|b| b.as_ref()),
        Some(&b"<html>bad gateway</html>"[..])
    );
    assert!(e.is_retryable());

    let e = friends
        .get_user_friends_count()
        .user_id(3)
        .await
        .expect_err("does not decode");
    assert!(
        matches!(&e, Error::Decode { body, .. } if body.as_ref() == br#"{"count":"many"}"#),
        "{e:?}"
    );

    let e = friends
        .get_user_friends_count()
        .user_id(4)
        .await
        .expect_err("418");
    assert!(
        matches!(&e, Error::UnexpectedResponse { status, .. } if status.as_u16() == 418),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_missing_required_parameter_is_an_invalid_request_not_a_panic() {
    let server = MockServer::start().await;
    let clock = FakeClock::new();
    let e = config(&server, &clock, RetryPolicy::disabled())
        .friends(Auth::none())
        .get_user_friends_count()
        .await
        .expect_err("user_id is required");
    assert!(
        matches!(&e, Error::InvalidRequest { message, .. } if message.contains("user_id")),
        "{e:?}"
    );
    assert!(requests(&server).await.is_empty());
}

// ---------------------------------------------------------------------------------------
// Page streams

fn page(ids: &[i64], next: Option<&str>) -> ResponseTemplate {
    let data: Vec<_> = ids
        .iter()
        .map(|id| json!({"id": id, "name": format!("user{id}")}))
        .collect();
    ResponseTemplate::new(200)
        .set_body_json(json!({"previousPageCursor": null, "nextPageCursor": next, "data": data}))
}

async fn mount_followers(server: &MockServer, cursor: Option<&str>, response: ResponseTemplate) {
    let mock = Mock::given(method("GET"))
        .and(path("/v1/users/7/followers"))
        .and(query_param("sortOrder", "Desc"))
        .and(query_param("limit", "25"));
    match cursor {
        Some(c) => {
            mock.and(query_param("cursor", c))
                .respond_with(response)
                .mount(server)
                .await
        }
        None => {
            mock.and(query_param_is_missing("cursor"))
                .respond_with(response)
                .mount(server)
                .await
        }
    }
}

#[tokio::test]
async fn a_three_page_walk_repeats_the_filters_on_every_page() {
    let server = MockServer::start().await;
    mount_followers(&server, None, page(&[1, 2], Some("c1"))).await;
    mount_followers(&server, Some("c1"), page(&[3, 4], Some("c2"))).await;
    mount_followers(&server, Some("c2"), page(&[5], None)).await;
    let clock = FakeClock::new();
    let client = config(&server, &clock, RetryPolicy::disabled()).friends(Auth::none());
    let followers = || {
        client
            .get_user_followers()
            .target_user_id(7)
            .sort_order(social_sdk::friends::types::SortOrder::Desc)
            .limit(25)
    };

    let ids: Vec<i64> = followers()
        .stream()
        .map_ok(|u| u.id.expect("id"))
        .try_collect()
        .await
        .expect("walks");
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    assert_eq!(
        requests(&server).await.len(),
        3,
        "filters matched on all three pages"
    );

    // Backpressure: taking two items fetches one page only.
    server.reset().await;
    mount_followers(&server, None, page(&[1, 2], Some("c1"))).await;
    let first_two: Vec<_> = followers()
        .stream()
        .take(2)
        .try_collect()
        .await
        .expect("first page");
    assert_eq!(first_two.len(), 2);
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn a_repeated_cursor_stops_the_stream_with_an_error() {
    let server = MockServer::start().await;
    mount_followers(&server, None, page(&[1], Some("same"))).await;
    mount_followers(&server, Some("same"), page(&[2], Some("same"))).await;
    let clock = FakeClock::new();
    let client = config(&server, &clock, RetryPolicy::disabled()).friends(Auth::none());
    let results: Vec<_> = client
        .get_user_followers()
        .target_user_id(7)
        .sort_order(social_sdk::friends::types::SortOrder::Desc)
        .limit(25)
        .stream()
        .collect()
        .await;
    assert!(
        matches!(results.last(), Some(Err(Error::CursorLoop { cursor, .. })) if cursor == "same"),
        "{results:?}"
    );
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn pascal_case_and_roster_pages_stream_too() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/users/1/friends/search"))
        .and(query_param("query", "al"))
        .and(query_param_is_missing("cursor"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"PreviousCursor": null, "PageItems": [{"id": 10}], "NextCursor": "n1", "HasMore": null})))
        .mount(&server)
        .await;
    Mock::given(path("/v1/users/1/friends/search"))
        .and(query_param("query", "al"))
        .and(query_param("cursor", "n1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"PreviousCursor": "p", "PageItems": [{"id": 11}], "NextCursor": "", "HasMore": false})))
        .mount(&server)
        .await;
    Mock::given(path("/roster/list"))
        .and(query_param_is_missing("cursor"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 200, "data": [1, 2], "cursor": "r1", "version": 3})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/roster/list"))
        .and(query_param("cursor", "r1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 10008, "data": null, "message": "invalid token"})),
        )
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let config = config(&server, &clock, RetryPolicy::disabled());

    let found: Vec<_> = config
        .friends(Auth::bearer("t"))
        .search_user_friends()
        .user_id(1)
        .query("al")
        .stream()
        .try_collect()
        .await
        .expect("two pages");
    assert_eq!(
        found.iter().map(|f| f.id).collect::<Vec<_>>(),
        [Some(10), Some(11)],
        "an empty cursor ends the walk"
    );

    let walked: Vec<_> = config
        .roster(Auth::roster("a", "t"))
        .list_roster_friend_ids()
        .stream()
        .collect()
        .await;
    assert!(
        matches!(walked[..], [Ok(1), Ok(2), Err(ref e)] if e.code().is_some_and(|c| *c == 10008)),
        "{walked:?}"
    );
}

#[tokio::test]
async fn a_json_body_is_sent_as_the_document_says() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/user/following-exists"))
        .and(body_json(json!({"targetUserIds": [1, 2]})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"followings": [{"userId": 1, "isFollowing": true}]})),
        )
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let client = config(&server, &clock, RetryPolicy::disabled()).friends(Auth::roblox_cookie("c"));
    let body = social_sdk::friends::types::FollowingExistsRequest {
        target_user_ids: vec![1, 2],
    };
    let answer = client.get_following_exists().body(body).await.expect("ok");
    assert_eq!(
        answer.followings.first().and_then(|f| f.is_following),
        Some(true)
    );
}
