//! The answer cache is invisible: a differential property test through the whole router.
//!
//! A case is a random sequence of mutations (Friends v1, social friends, party), clock
//! advances and reads, run in-process against one world with its answer cache on. After every
//! read, the same read runs again with the cache off, on the same state: the two answers must
//! be byte-identical (status and body). A read the document calls pure (no `x-side-effects`)
//! must leave the world's state (the whole dump) as the two runs found it, so skipping one
//! loses nothing; and a read it does not call pure is never served from the cache.
//!
//! Bounded for CI: 48 cases of up to 40 steps by default. Run longer with
//! `PROPTEST_CASES=2000 cargo test -p social-stub --test answer_cache`.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use social_stub::{Stub, StubConfig, app};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

const ROBLOX_USERS: [i64; 3] = [101, 102, 103];
const PLAYERS: [&str; 3] = [
    "5ca1ab1e-0000-4000-8000-000000000001",
    "5ca1ab1e-0000-4000-8000-000000000002",
    "5ca1ab1e-0000-4000-8000-000000000003",
];
const SERVER: &str = "cache-server";
const SECRET: &str = "stub-server-secret";

#[derive(Debug, Clone)]
enum Step {
    /// Friends v1 as `from` on `to`: 0 request, 1 accept, 2 decline, 3 unfriend, 4 follow,
    /// 5 unfollow.
    Roblox { from: usize, to: usize, action: u8 },
    /// Social as `from` on `to`: 0 send a request, 1 accept (server route), 2 block,
    /// 3 unblock, 4 remove the friend, 5 turn friend requests off/on.
    Social { from: usize, to: usize, action: u8 },
    /// Party as `from`: 0 create, 1 leave, 2 invite `to`.
    Party { from: usize, to: usize, action: u8 },
    /// Moves the world's clock (up to 8 days: requests and invites expire).
    Advance { seconds: u32 },
    /// One of [`reads`], by index.
    Read(usize),
    /// The last read again (after whatever came in between).
    Again,
}

/// Roblox sessions and social tokens of the seeded world.
struct Seeded {
    cookies: Vec<String>,
}

fn token(player: usize) -> String {
    format!("cache-token-{player}")
}

async fn call(app: &Router, request: Request<Body>) -> (u16, Option<String>, Vec<u8>) {
    let response = tokio::time::timeout(Duration::from_secs(5), app.clone().oneshot(request))
        .await
        .expect("answered within 5 s")
        .expect("infallible");
    let status = response.status().as_u16();
    let csrf = response
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .expect("body");
    (status, csrf, body.to_vec())
}

fn request(
    method: Method,
    path: &str,
    headers: &[(&str, String)],
    body: Option<Value>,
) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, value);
    }
    match body {
        Some(body) => builder
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => builder.body(Body::empty()),
    }
    .expect("request")
}

async fn control(app: &Router, path: &str, body: Value) -> Value {
    let request = request(
        Method::POST,
        &format!("/__stub/worlds/default/{path}"),
        &[],
        Some(body),
    );
    let (status, _, body) = call(app, request).await;
    assert!(status < 300, "control {path}: {status}");
    serde_json::from_slice(&body).unwrap_or(Value::Null)
}

async fn seed(app: &Router) -> Seeded {
    let mut cookies = Vec::new();
    for id in ROBLOX_USERS {
        let user = control(
            app,
            "roblox/users",
            json!({"id": id, "name": format!("user{id}")}),
        )
        .await;
        cookies.push(user["cookie"].as_str().expect("cookie").to_owned());
    }
    control(app, "roblox/friendships", json!({"a": 101, "b": 103})).await;
    // A request 101 has not seen yet: listing it moves 101's "new requests" mark.
    let seeded = Seeded {
        cookies: cookies.clone(),
    };
    roblox(
        app,
        &seeded,
        1,
        "/friends/v1/users/101/request-friendship".into(),
    )
    .await;
    for (n, id) in PLAYERS.iter().enumerate() {
        control(
            app,
            "social/players",
            json!({"id": id, "name": format!("player{n}"), "token": token(n)}),
        )
        .await;
    }
    control(app, "social/servers", json!({"id": SERVER})).await;
    Seeded { cookies }
}

/// The reads: `(document, operation, path, as whom)`; `None` is anonymous, `Some(n)` the
/// Roblox user n, `Some(10 + n)` the player n.
fn reads() -> Vec<(&'static str, &'static str, String, Option<usize>)> {
    let mut reads = Vec::new();
    for (n, id) in ROBLOX_USERS.iter().enumerate() {
        reads.push((
            "friends",
            "get_user_friends",
            format!("/friends/v1/users/{id}/friends"),
            None,
        ));
        reads.push((
            "friends",
            "get_user_friends",
            format!("/friends/v1/users/{id}/friends"),
            Some(n),
        ));
        reads.push((
            "friends",
            "get_user_followers",
            format!("/friends/v1/users/{id}/followers?limit=10"),
            None,
        ));
        reads.push((
            "friends",
            "get_user_friends_count",
            format!("/friends/v1/users/{id}/friends/count"),
            None,
        ));
        reads.push((
            "friends",
            "get_my_friend_requests",
            "/friends/v1/my/friends/requests?limit=100".into(),
            Some(n),
        ));
        reads.push((
            "friends",
            "get_new_friend_requests_count",
            "/friends/v1/my/new-friend-requests/count".into(),
            Some(n),
        ));
        reads.push((
            "friends",
            "get_pending_friend_requests_count",
            "/friends/v1/user/friend-requests/count".into(),
            Some(n),
        ));
        reads.push((
            "friends",
            "get_user_friend_statuses",
            format!("/friends/v1/users/{id}/friends/statuses?userIds=101&userIds=102&userIds=103"),
            Some(n),
        ));
    }
    for (n, id) in PLAYERS.iter().enumerate() {
        reads.push((
            "social-friends",
            "get_social_friends",
            "/social/v1/social/friends".into(),
            Some(10 + n),
        ));
        reads.push((
            "social-friends",
            "list_social_friend_requests",
            "/social/v1/social/friends/requests".into(),
            Some(10 + n),
        ));
        reads.push((
            "social-friends",
            "list_blocks",
            "/social/v1/social/friends/blocks".into(),
            Some(10 + n),
        ));
        reads.push((
            "social-friends",
            "get_social_user_friends",
            format!("/social/v1/users/{id}/friends"),
            Some(10 + n),
        ));
        reads.push((
            "social-friends",
            "get_profile_settings",
            "/social/v1/profile/settings".into(),
            Some(10 + n),
        ));
        reads.push((
            "party",
            "get_party",
            "/party/v1/social/party".into(),
            Some(10 + n),
        ));
    }
    reads
}

fn credentials(seeded: &Seeded, who: Option<usize>) -> Vec<(&'static str, String)> {
    match who {
        None => Vec::new(),
        Some(n) if n >= 10 => vec![("authorization", format!("Bearer {}", token(n - 10)))],
        Some(n) => vec![("cookie", format!(".ROBLOSECURITY={}", seeded.cookies[n]))],
    }
}

/// A Roblox mutation, resent once with the CSRF token the first answer hands out.
async fn roblox(app: &Router, seeded: &Seeded, from: usize, path: String) {
    let mut headers = credentials(seeded, Some(from));
    let (status, csrf, _) =
        call(app, request(Method::POST, &path, &headers, Some(json!({})))).await;
    if let (403, Some(token)) = (status, csrf) {
        headers.push(("x-csrf-token", token));
        call(app, request(Method::POST, &path, &headers, Some(json!({})))).await;
    }
}

async fn run_step(app: &Router, seeded: &Seeded, step: &Step) {
    match *step {
        Step::Roblox { from, to, action } => {
            let target = ROBLOX_USERS[to];
            let what = [
                "request-friendship",
                "accept-friend-request",
                "decline-friend-request",
                "unfriend",
                "follow",
                "unfollow",
            ][usize::from(action) % 6];
            roblox(
                app,
                seeded,
                from,
                format!("/friends/v1/users/{target}/{what}"),
            )
            .await;
        }
        Step::Social { from, to, action } => {
            let me = credentials(seeded, Some(10 + from));
            let target = PLAYERS[to];
            let (method, path, body, headers) = match action % 6 {
                0 => (
                    Method::POST,
                    "/social/v1/social/friends/requests".to_owned(),
                    Some(json!({"targetId": target})),
                    me,
                ),
                1 => (
                    Method::POST,
                    "/social/v1/social/friends/server/requests/accept".to_owned(),
                    Some(json!({"actorId": PLAYERS[from], "targetId": target})),
                    vec![
                        ("authorization", format!("Bearer {SECRET}")),
                        ("x-server-id", SERVER.to_owned()),
                    ],
                ),
                2 => (
                    Method::POST,
                    "/social/v1/social/friends/blocks".to_owned(),
                    Some(json!({"targetId": target})),
                    me,
                ),
                3 => (
                    Method::DELETE,
                    format!("/social/v1/social/friends/blocks/{target}"),
                    None,
                    me,
                ),
                4 => (
                    Method::DELETE,
                    format!("/social/v1/social/friends/{target}"),
                    None,
                    me,
                ),
                _ => (
                    Method::PATCH,
                    "/social/v1/profile/settings".to_owned(),
                    Some(json!({"allowFriendRequests": to != from})),
                    me,
                ),
            };
            call(app, request(method, &path, &headers, body)).await;
        }
        Step::Party { from, to, action } => {
            let me = credentials(seeded, Some(10 + from));
            let (path, body) = match action % 3 {
                0 => ("/party/v1/social/party", None),
                1 => ("/party/v1/social/party/leave", None),
                _ => (
                    "/party/v1/social/party/invites",
                    Some(json!({"targetId": PLAYERS[to]})),
                ),
            };
            call(app, request(Method::POST, path, &me, body)).await;
        }
        Step::Advance { seconds } => {
            control(app, "clock/advance", json!({"seconds": seconds})).await;
        }
        Step::Read(_) | Step::Again => unreachable!("reads are checked by the caller"),
    }
}

fn step(reads: usize) -> impl Strategy<Value = Step> {
    let who = 0usize..3;
    prop_oneof![
        3 => (who.clone(), who.clone(), 0u8..6).prop_map(|(from, to, action)| Step::Roblox { from, to, action }),
        3 => (who.clone(), who.clone(), 0u8..6).prop_map(|(from, to, action)| Step::Social { from, to, action }),
        2 => (who.clone(), who, 0u8..3).prop_map(|(from, to, action)| Step::Party { from, to, action }),
        1 => prop_oneof![Just(1u32), Just(3_600), Just(700_000)].prop_map(|seconds| Step::Advance { seconds }),
        6 => (0..reads).prop_map(Step::Read),
        6 => Just(Step::Again),
    ]
}

/// The world's state, without its clock reading (which moves with real time).
fn state(stub: &Stub) -> Value {
    let mut dump = stub.worlds.default_world().dump();
    dump.as_object_mut().expect("object").remove("now");
    dump
}

#[test]
fn cached_answers_are_the_answers() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(48);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let reads = reads();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let hits_seen = std::cell::Cell::new(0u64);
    runner
        .run(&prop::collection::vec(step(reads.len()), 1..40), |steps| {
            // An age bound far beyond the case's length: only changes end an answer here.
            let stub = Stub::new(StubConfig {
                answer_cache_max_age_ms: 600_000,
                ..StubConfig::default()
            });
            let app = app(Arc::clone(&stub));
            let world = stub.worlds.default_world();
            runtime.block_on(async {
                let seeded = seed(&app).await;
                let mut last = 0;
                for step in &steps {
                    let n = match *step {
                        Step::Read(n) => n,
                        Step::Again => last,
                        _ => {
                            run_step(&app, &seeded, step).await;
                            continue;
                        }
                    };
                    last = n;
                    let (spec, id, path, who) = &reads[n];
                    let pure = social_stub::spec::operation(spec, id)
                        .expect("a documented read")
                        .raw
                        .get("x-side-effects")
                        .is_none();
                    let headers = credentials(&seeded, *who);
                    let hits = world.answer_cache_hits();
                    let before = state(&stub);
                    let cached = call(&app, request(Method::GET, path, &headers, None)).await;
                    let hit = world.answer_cache_hits() > hits;
                    world.set_answer_cache(false);
                    let fresh = call(&app, request(Method::GET, path, &headers, None)).await;
                    let after = state(&stub);
                    world.set_answer_cache(true);
                    prop_assert_eq!(
                        (cached.0, String::from_utf8_lossy(&cached.2)),
                        (fresh.0, String::from_utf8_lossy(&fresh.2)),
                        "GET {} (cache hit: {})",
                        path,
                        hit
                    );
                    // A read the document calls pure changes nothing, neither run of it, so
                    // serving it from the cache loses nothing.
                    if pure {
                        prop_assert_eq!(before, after, "GET {} ({}) changed the state", path, id);
                    }
                    if hit {
                        hits_seen.set(hits_seen.get() + 1);
                        prop_assert!(
                            pure,
                            "GET {} ({}) has side effects but was served from the cache",
                            path,
                            id
                        );
                    }
                }
                Ok(())
            })
        })
        .expect("the cache is invisible");
    assert!(
        hits_seen.get() > 0,
        "no read was ever served from the cache: the test proves nothing"
    );
}

/// With the flood limit on, every signed-in Friends v1 request counts, reads included: none
/// is served from the cache, and the limit still answers `429` at the right request.
#[test]
fn flood_counted_reads_are_never_cached() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let stub = Stub::new(StubConfig {
            flood_limit_per_minute: 5,
            answer_cache_max_age_ms: 600_000,
            ..StubConfig::default()
        });
        let app = app(Arc::clone(&stub));
        let seeded = seed(&app).await;
        let headers = credentials(&seeded, Some(0));
        let mut statuses = Vec::new();
        for _ in 0..7 {
            let (status, _, _) = call(
                &app,
                request(Method::GET, "/friends/v1/users/101/friends", &headers, None),
            )
            .await;
            statuses.push(status);
        }
        assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429]);
        let world = stub.worlds.default_world();
        assert_eq!(world.answer_cache_hits(), 0);
        // Anonymous reads are not counted, so they are cached.
        for _ in 0..3 {
            call(
                &app,
                request(Method::GET, "/friends/v1/users/101/friends", &[], None),
            )
            .await;
        }
        assert_eq!(world.answer_cache_hits(), 2);
    });
}
