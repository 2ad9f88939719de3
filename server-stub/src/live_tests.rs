//! Narrowed live refreshes lose no frame: a differential property test through the router.
//!
//! A case is a random sequence of social friends and party changes (user and server routes,
//! by id and by name), presence changes and clock advances, run in-process against one world
//! in which every player follows both live topics. A change re-renders only the subscribers
//! its [`live_reach`](crate::social::views::live_reach) names; after each step, once the
//! publisher is done, every subscriber must hold exactly the frame a fresh render of its key
//! gives (what rendering every subscriber after every change would have pushed).
//!
//! Bounded for CI: 32 cases of up to 40 steps. Run longer with
//! `PROPTEST_CASES=2000 cargo test -p social-stub live_tests`. (It lives at the crate root: it
//! drives the whole application, which only the root layer may use.)

use crate::social::{FRIENDS, PARTY};
use crate::world::{Topic, World};
use crate::{Stub, StubConfig, app};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tower::ServiceExt;
use uuid::Uuid;

const PLAYERS: usize = 4;
const SERVER: &str = "live-server";

fn id(n: usize) -> Uuid {
    Uuid::from_u128(0x5ca1_ab1e_0000_4000_8000_0000_0000_0000 + n as u128)
}

fn name(n: usize) -> String {
    format!("player{n}")
}

fn token(n: usize) -> String {
    format!("live-token-{n}")
}

/// One change: `who` acts on `other` with the `action`-th route of its kind.
#[derive(Debug, Clone)]
enum Step {
    /// Social friends: request (by id, by name), accept, decline, cancel (server routes),
    /// remove, favorite, hide, block, unblock; befriend (a request and its acceptance).
    Friends {
        who: usize,
        other: usize,
        action: u8,
    },
    /// Party: create, leave, disband, invite (by id, by name), accept and decline `other`'s
    /// invite, ready, lobby selection, selectors; server create and invite; join `other`'s
    /// party (its invite and the acceptance).
    Party {
        who: usize,
        other: usize,
        action: u8,
    },
    /// Presence through the control plane.
    Presence { who: usize, online: bool },
    /// The world's clock (up to 8 days: requests and invites expire).
    Advance { seconds: u32 },
}

fn step() -> impl Strategy<Value = Step> {
    let who = 0..PLAYERS;
    prop_oneof![
        5 => (who.clone(), who.clone(), 0u8..11).prop_map(|(who, other, action)| Step::Friends { who, other, action }),
        5 => (who.clone(), who.clone(), 0u8..13).prop_map(|(who, other, action)| Step::Party { who, other, action }),
        1 => (who, any::<bool>()).prop_map(|(who, online)| Step::Presence { who, online }),
        1 => prop_oneof![Just(60u32), Just(700_000)].prop_map(|seconds| Step::Advance { seconds }),
    ]
}

async fn call(app: &Router, method: Method, path: &str, auth: &str, body: Option<Value>) -> u16 {
    let mut builder = Request::builder().method(method).uri(path);
    if !auth.is_empty() {
        builder = builder.header("authorization", format!("Bearer {auth}"));
    }
    if auth == StubConfig::default().server_secret {
        builder = builder.header("x-server-id", SERVER);
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
    axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .expect("body");
    status
}

async fn run(app: &Router, world: &World, step: &Step) {
    let secret = StubConfig::default().server_secret;
    match *step {
        Step::Friends {
            who,
            other,
            action: 10,
        } => {
            let request = json!({"targetId": id(other)});
            let path = "/social/v1/social/friends/requests";
            call(app, Method::POST, path, &token(who), Some(request)).await;
            let accept = json!({"actorId": id(other), "targetId": id(who)});
            let path = "/social/v1/social/friends/server/requests/accept";
            call(app, Method::POST, path, &secret, Some(accept)).await;
        }
        Step::Party {
            who,
            other,
            action: 12,
        } => {
            let invite = json!({"targetId": id(who)});
            call(
                app,
                Method::POST,
                "/party/v1/social/party/invites",
                &token(other),
                Some(invite),
            )
            .await;
            let inviting = world.social().party_of(id(other)).unwrap_or_else(Uuid::nil);
            let path = format!("/party/v1/social/party/invites/{inviting}/accept");
            call(app, Method::POST, &path, &token(who), None).await;
        }
        Step::Friends { who, other, action } => {
            let me = token(who);
            let target = id(other);
            let server = |path: &str| format!("/social/v1/social/friends/server/{path}");
            let pair = json!({"actorId": id(who), "targetId": target});
            let (method, path, auth, body) = match action {
                0 => (
                    Method::POST,
                    "/social/v1/social/friends/requests".to_owned(),
                    me,
                    Some(json!({"targetId": target})),
                ),
                1 => (
                    Method::POST,
                    "/social/v1/social/friends/requests".to_owned(),
                    me,
                    Some(json!({"targetName": name(other)})),
                ),
                2 => (Method::POST, server("requests/accept"), secret, Some(pair)),
                3 => (Method::POST, server("requests/decline"), secret, Some(pair)),
                4 => (Method::POST, server("requests/cancel"), secret, Some(pair)),
                5 => (
                    Method::DELETE,
                    format!("/social/v1/social/friends/{target}"),
                    me,
                    None,
                ),
                6 => (
                    Method::PATCH,
                    format!("/social/v1/social/friends/{target}"),
                    me,
                    Some(json!({"favorite": who < other})),
                ),
                7 => (
                    Method::PATCH,
                    format!("/social/v1/social/friends/{target}"),
                    me,
                    Some(json!({"visibility": "HIDDEN"})),
                ),
                8 => (
                    Method::POST,
                    "/social/v1/social/friends/blocks".to_owned(),
                    me,
                    Some(json!({"targetId": target})),
                ),
                _ => (
                    Method::DELETE,
                    format!("/social/v1/social/friends/blocks/{target}"),
                    me,
                    None,
                ),
            };
            call(app, method, &path, &auth, body).await;
        }
        Step::Party { who, other, action } => {
            let me = token(who);
            let party = |path: &str| format!("/party/v1/social/party{path}");
            let inviting = world.social().party_of(id(other)).unwrap_or_else(Uuid::nil);
            let (method, path, auth, body) = match action {
                0 => (Method::POST, party(""), me, None),
                1 => (Method::POST, party("/leave"), me, None),
                2 => (Method::DELETE, party(""), me, None),
                3 => (
                    Method::POST,
                    party("/invites"),
                    me,
                    Some(json!({"targetId": id(other)})),
                ),
                4 => (
                    Method::POST,
                    party("/invites"),
                    me,
                    Some(json!({"targetName": name(other)})),
                ),
                5 => (
                    Method::POST,
                    party(&format!("/invites/{inviting}/accept")),
                    me,
                    None,
                ),
                6 => (
                    Method::POST,
                    party(&format!("/invites/{inviting}/decline")),
                    me,
                    None,
                ),
                7 => (
                    Method::PUT,
                    party("/lobby/ready"),
                    me,
                    Some(json!({"ready": other % 2 == 0, "profilePrepared": true})),
                ),
                8 => (
                    Method::PUT,
                    party("/lobby/selection"),
                    me,
                    Some(json!({"targetKind": "minigame", "targetId": format!("game-{other}")})),
                ),
                9 => (
                    Method::PUT,
                    party("/lobby/selectors"),
                    me,
                    Some(json!({"selectorIds": [id(who), id(other)]})),
                ),
                10 => (
                    Method::POST,
                    party("/server"),
                    secret,
                    Some(json!({"actorId": id(who)})),
                ),
                _ => (
                    Method::POST,
                    party("/server/invites"),
                    secret,
                    Some(json!({"actorId": id(who), "targetId": id(other)})),
                ),
            };
            call(app, method, &path, &auth, body).await;
        }
        Step::Presence { who, online } => {
            let state = if online { "ONLINE" } else { "OFFLINE" };
            let path = format!("/__stub/worlds/default/social/players/{}/presence", id(who));
            call(app, Method::PUT, &path, "", Some(json!({"state": state}))).await;
        }
        Step::Advance { seconds } => {
            let path = "/__stub/worlds/default/clock/advance";
            call(
                app,
                Method::POST,
                path,
                "",
                Some(json!({"seconds": seconds})),
            )
            .await;
        }
    }
}

/// Waits until the world's publisher has pushed every change (it runs on the blocking pool).
async fn settled(world: &World) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !world.live_settled() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "publisher idle within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

type Followed = Vec<(&'static Topic, usize, watch::Receiver<Arc<str>>)>;

/// Runs `steps` in a fresh stub where every player follows both topics, and checks after
/// each one that every subscriber holds the frame a fresh render gives.
fn check(runtime: &tokio::runtime::Runtime, steps: &[Step]) -> Result<(), TestCaseError> {
    let stub = Stub::new(StubConfig::default());
    let app = app(Arc::clone(&stub));
    let world = stub.worlds.default_world();
    runtime.block_on(async {
        for n in 0..PLAYERS {
            let player =
                json!({"id": id(n), "name": name(n), "token": token(n), "presence": "ONLINE"});
            let path = "/__stub/worlds/default/social/players";
            let status = call(&app, Method::POST, path, "", Some(player)).await;
            assert!(status < 300, "player {n}: {status}");
        }
        let server = json!({"id": SERVER});
        call(
            &app,
            Method::POST,
            "/__stub/worlds/default/social/servers",
            "",
            Some(server),
        )
        .await;
        settled(&world).await;
        let followed: Followed = (0..PLAYERS)
            .flat_map(|n| [(&FRIENDS, n), (&PARTY, n)])
            .map(|(topic, n)| (topic, n, world.subscribe(topic, id(n))))
            .collect();
        for (k, step) in steps.iter().enumerate() {
            run(&app, &world, step).await;
            settled(&world).await;
            for (topic, n, rx) in &followed {
                let fresh = (topic.render)(&world, &[id(*n)]).pop().expect("a frame");
                let held = rx.borrow().clone();
                prop_assert_eq!(
                    held.as_ref(),
                    fresh.as_ref(),
                    "{} frame of player {} after step {} ({:?})",
                    topic.name,
                    n,
                    k,
                    step
                );
            }
        }
        Ok(())
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn narrowed_refreshes_push_every_changed_frame() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(32);
    let runtime = runtime();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&prop::collection::vec(step(), 1..40), |steps| {
            check(&runtime, &steps)
        })
        .expect("every subscriber holds its fresh frame");
}

/// The reach a random case rarely builds: a change by one player that moves the record of
/// another (a disband ends every member's party), shown to a friend of that member who has
/// no relation with the one who changed it.
#[test]
fn a_disband_reaches_the_friends_of_every_member() {
    let steps = [
        Step::Friends {
            who: 2,
            other: 1,
            action: 10,
        },
        Step::Party {
            who: 0,
            other: 0,
            action: 0,
        },
        Step::Party {
            who: 1,
            other: 0,
            action: 12,
        },
        Step::Party {
            who: 0,
            other: 0,
            action: 2,
        },
    ];
    check(&runtime(), &steps).expect("every subscriber holds its fresh frame");
}
