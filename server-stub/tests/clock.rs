//! A world survives any clock request and any TTL setting: a property test through the
//! router.
//!
//! A case is a stub whose TTLs (CSRF, QR sessions, social friend requests, party invites,
//! roster applications) are drawn from extreme values, and a sequence of clock advances (0 to
//! `u64::MAX` seconds) each followed by the requests that compute a time from the clock: a
//! Friends v1 CSRF handout, a social friend request (its expiry), a party invite (its
//! expiry), the lists that compare against those expiries, and the inactive-friends cut-off.
//! No answer may be a 5xx; an advance is either applied (`{"now"}`, never past
//! 9999-12-31T23:59:59Z) or refused with `400 CLOCK_OUT_OF_RANGE` and the clock unchanged.
//! Before the fix, an advance of ~8.2e12 s answered an empty reply and every later request to
//! the world panicked.
//!
//! Bounded for CI: 24 cases. Run longer with `PROPTEST_CASES=500 cargo test -p social-stub
//! --test clock`.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use social_stub::world::MAX_ADVANCE_SECONDS;
use social_stub::{Stub, StubConfig, app};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

const LATEST: &str = "9999-12-31T23:59:59";

async fn call(
    app: &Router,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, Value) {
    let mut builder = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let request = match body {
        Some(body) => builder
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => builder.body(Body::empty()),
    }
    .expect("request");
    let response = tokio::time::timeout(Duration::from_secs(5), app.clone().oneshot(request))
        .await
        .expect("answered within 5 s")
        .expect("infallible");
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn extreme() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(1),
        Just(MAX_ADVANCE_SECONDS),
        Just(MAX_ADVANCE_SECONDS + 1),
        Just(8_200_000_000_000),
        Just(i64::MAX as u64),
        Just(u64::MAX),
        any::<u64>(),
    ]
}

const P0: &str = "c1c1c1c1-0000-4000-8000-000000000000";
const P1: &str = "c1c1c1c1-0000-4000-8000-000000000001";

/// One request: method, path, headers, JSON body.
type Call<'a> = (Method, &'a str, &'a [(&'a str, &'a str)], Option<Value>);

/// Every request of one round that computes a time from the clock; none may be a 5xx.
async fn round(app: &Router, cookie: &str) -> Result<(), TestCaseError> {
    let roblox = [("cookie", cookie)];
    let p0 = [("authorization", "Bearer clock-token-0")];
    let p1 = [("authorization", "Bearer clock-token-1")];
    let calls: Vec<Call<'_>> = vec![
        (
            Method::POST,
            "/friends/v1/users/2/request-friendship",
            &roblox,
            Some(json!({})),
        ),
        (
            Method::GET,
            "/friends/v1/users/1/friends/inactive",
            &roblox,
            None,
        ),
        (
            Method::GET,
            "/friends/v1/my/friends/requests?limit=10",
            &roblox,
            None,
        ),
        (
            Method::POST,
            "/social/v1/social/friends/requests",
            &p0,
            Some(json!({"targetId": P1})),
        ),
        (Method::GET, "/social/v1/social/friends/requests", &p1, None),
        (
            Method::POST,
            "/party/v1/social/party/invites",
            &p0,
            Some(json!({"targetId": P1})),
        ),
        (Method::GET, "/party/v1/social/party", &p1, None),
        (Method::GET, "/__stub/worlds/default/state", &[], None),
    ];
    for (method, path, headers, body) in calls {
        let (status, answer) = call(app, method.clone(), path, headers, body).await;
        prop_assert!(status < 500, "{} {}: {} {}", method, path, status, answer);
    }
    Ok(())
}

#[test]
fn a_world_survives_any_clock_request_and_any_ttl() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(24);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        prop::collection::vec(extreme(), 5),
        prop::collection::vec(extreme(), 1..8),
        any::<i64>(),
    );
    runner
        .run(&strategy, |(ttls, advances, inactive_days)| {
            let stub = Stub::new(StubConfig {
                csrf_ttl_secs: ttls[0],
                qr_ttl_secs: ttls[1],
                social_request_ttl_secs: ttls[2],
                party_invite_ttl_secs: ttls[3],
                roster_application_ttl_secs: ttls[4],
                inactive_days,
                ..StubConfig::default()
            });
            let app = app(Arc::clone(&stub));
            runtime.block_on(async {
                let control = "/__stub/worlds/default";
                let (_, user) = call(
                    &app,
                    Method::POST,
                    &format!("{control}/roblox/users"),
                    &[],
                    Some(json!({"id": 1})),
                )
                .await;
                call(
                    &app,
                    Method::POST,
                    &format!("{control}/roblox/users"),
                    &[],
                    Some(json!({"id": 2})),
                )
                .await;
                let cookie = format!(
                    ".ROBLOSECURITY={}",
                    user["cookie"].as_str().unwrap_or_default()
                );
                for (n, id) in [P0, P1].iter().enumerate() {
                    let player = json!({"id": id, "name": format!("clock-{n}"), "token": format!("clock-token-{n}")});
                    call(
                        &app,
                        Method::POST,
                        &format!("{control}/social/players"),
                        &[],
                        Some(player),
                    )
                    .await;
                }
                round(&app, &cookie).await?;
                for seconds in advances {
                    let (_, before) =
                        call(&app, Method::GET, &format!("{control}/state"), &[], None).await;
                    let path = format!("{control}/clock/advance");
                    let (status, answer) = call(
                        &app,
                        Method::POST,
                        &path,
                        &[],
                        Some(json!({"seconds": seconds})),
                    )
                    .await;
                    match status {
                        200 => {
                            prop_assert!(seconds <= MAX_ADVANCE_SECONDS, "{} s applied", seconds);
                            let now = answer["now"].as_str().unwrap_or_default();
                            prop_assert!(now.len() >= 20 && now[..19] <= *LATEST, "now {}", now);
                        }
                        400 => {
                            prop_assert_eq!(&answer["error"], "CLOCK_OUT_OF_RANGE", "{}", answer);
                            let (_, after) =
                                call(&app, Method::GET, &format!("{control}/state"), &[], None)
                                    .await;
                            // Unchanged, up to the real time that passed in between.
                            let (b, a) = (
                                before["now"].as_str().unwrap_or_default(),
                                after["now"].as_str().unwrap_or_default(),
                            );
                            prop_assert_eq!(
                                &b[..15],
                                &a[..15],
                                "the clock moved on a refused advance"
                            );
                        }
                        other => prop_assert!(false, "advance {}: {} {}", seconds, other, answer),
                    }
                    round(&app, &cookie).await?;
                }
                Ok(())
            })
        })
        .expect("no clock request or TTL breaks a world");
}

#[tokio::test]
async fn the_reported_advance_is_refused_with_the_documented_error() {
    let stub = Stub::new(StubConfig::default());
    let app = app(Arc::clone(&stub));
    let path = "/__stub/worlds/default/clock/advance";
    let (status, answer) = call(
        &app,
        Method::POST,
        path,
        &[],
        Some(json!({"seconds": 8_200_000_000_000u64})),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"], "CLOCK_OUT_OF_RANGE");
    assert!(
        answer["message"]
            .as_str()
            .unwrap_or_default()
            .contains("3155760000"),
        "{answer}"
    );
    // The world still answers, and an advance to its last second still works step by step.
    let (status, _) = call(&app, Method::GET, "/__stub/worlds/default/state", &[], None).await;
    assert_eq!(status, 200);
    // Up to the last second the clock can show: the largest steps first, then smaller ones.
    let mut step = MAX_ADVANCE_SECONDS;
    while step > 0 {
        let body = Some(json!({"seconds": step}));
        let (status, answer) = call(&app, Method::POST, path, &[], body).await;
        match status {
            200 => continue,
            400 => assert_eq!(answer["error"], "CLOCK_OUT_OF_RANGE"),
            other => panic!("advance {step}: {other} {answer}"),
        }
        step /= 10;
    }
    let (_, state) = call(&app, Method::GET, "/__stub/worlds/default/state", &[], None).await;
    let now = state["now"].as_str().unwrap_or_default();
    assert!(now.starts_with("9999-12-31T23:59:5"), "{now}");
    let player = json!({"id": P0, "name": "clock-0", "token": "t0"});
    call(
        &app,
        Method::POST,
        "/__stub/worlds/default/social/players",
        &[],
        Some(player),
    )
    .await;
    call(
        &app,
        Method::POST,
        "/__stub/worlds/default/social/players",
        &[],
        Some(json!({"id": P1})),
    )
    .await;
    let (status, request) = call(
        &app,
        Method::POST,
        "/social/v1/social/friends/requests",
        &[("authorization", "Bearer t0")],
        Some(json!({"targetId": P1})),
    )
    .await;
    assert_eq!(status, 201, "{request}");
    assert!(
        request["expiresAt"]
            .as_str()
            .unwrap_or_default()
            .starts_with("9999-12-31T23:59:59"),
        "{request}"
    );
}
