//! Retries and backoff: `Retry-After`, full jitter under the ceiling, the retry budget,
//! which methods are sent again after which failures.

use crate::support::{answer_n_times_then, captcha, config, requests, roblox_error};
use serde_json::json;
use social_sdk::{Auth, Config, Error, FakeClock, RetryPolicy, Service};
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

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
