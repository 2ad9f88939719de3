//! The Roblox world's control-plane routes, under `/__stub/worlds/{w}/roblox`: users,
//! presence, friendships, follows, friend requests (as a game sends them), blocks, the CSRF
//! token a session would be handed, and
//! bulk seeding (`seed`). Errors: `404 UNKNOWN_USER` (a user id that is no user), `400
//! INVALID_INPUT` (a bad body, a user befriending or following themselves), `409` (a taken id).

use super::rules::{self, Requested};
use super::state::{NewUser, Presence, SetupError};
use crate::http::control::{Body, ControlWorld, error};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

/// The routes, relative to `/__stub/worlds/{w}/roblox`.
pub(crate) fn router() -> Router {
    Router::new()
        .route("/users", post(create_user))
        .route("/users/{id}/presence", put(set_presence))
        .route("/friendships", post(add_friendship))
        .route("/follows", post(add_follow))
        .route("/friend-requests", post(add_friend_request))
        .route("/blocks", post(add_block))
        .route("/csrf", get(csrf))
        .route("/bulk", post(super::seed::roblox_bulk))
}

/// `204`, or the refusal: `404 UNKNOWN_USER` for a user that does not exist, `400
/// INVALID_INPUT` otherwise.
fn done(result: Result<(), SetupError>) -> Response {
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(refusal @ SetupError::UnknownUser(_)) => {
            error(StatusCode::NOT_FOUND, "UNKNOWN_USER", refusal.to_string())
        }
        Err(SetupError::Invalid(message)) => {
            error(StatusCode::BAD_REQUEST, "INVALID_INPUT", message)
        }
    }
}

async fn create_user(ControlWorld(world): ControlWorld, Body(spec): Body<NewUser>) -> Response {
    let now = world.now();
    match world.roblox().create_user(spec, now) {
        Ok(created) => (StatusCode::CREATED, Json(created)).into_response(),
        Err(message) => error(StatusCode::CONFLICT, "USER_NOT_CREATED", message),
    }
}

async fn set_presence(
    ControlWorld(world): ControlWorld,
    Path((_, user)): Path<(String, i64)>,
    Body(presence): Body<Presence>,
) -> Response {
    let now = world.now();
    done(world.roblox().set_presence(user, presence, now))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Friendship {
    a: i64,
    b: i64,
    #[serde(default)]
    trusted: bool,
}

async fn add_friendship(ControlWorld(world): ControlWorld, Body(f): Body<Friendship>) -> Response {
    let now = world.now();
    done(world.roblox().seed_friendship(f.a, f.b, f.trusted, now))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Follow {
    follower: i64,
    followee: i64,
}

async fn add_follow(ControlWorld(world): ControlWorld, Body(f): Body<Follow>) -> Response {
    done(world.roblox().seed_follow(f.follower, f.followee))
}

/// A friend request as one sent from inside a game arrives: with its origin and the
/// universe it was sent in, which the web API's `request-friendship` cannot say.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FriendRequest {
    sender_id: i64,
    recipient_id: i64,
    #[serde(default)]
    origin_source_type: Option<String>,
    #[serde(default)]
    source_universe_id: Option<i64>,
}

/// `204`, or the refusal: `404 UNKNOWN_USER`, or `400 INVALID_INPUT` with the rule that
/// refused (the same rules `request-friendship` applies) or for an unknown origin name.
async fn add_friend_request(
    ControlWorld(world): ControlWorld,
    Body(r): Body<FriendRequest>,
) -> Response {
    let (now, limit) = (world.now(), world.config.friend_limit);
    let origin = r.origin_source_type.unwrap_or_else(|| "Unknown".into());
    let known = serde_json::from_value::<social_sdk::friends::types::KnownFriendshipOriginSourceType>(
        json!(origin),
    );
    if known.is_err() {
        return done(Err(SetupError::Invalid(format!(
            "{origin:?} is not an originSourceType name"
        ))));
    }
    let mut state = world.roblox();
    for id in [r.sender_id, r.recipient_id] {
        if state.user(id).is_none() {
            return done(Err(SetupError::UnknownUser(id)));
        }
    }
    match rules::request_friendship(&mut state, r.sender_id, r.recipient_id, origin, now, limit) {
        Ok(Requested::Sent) => {
            rules::set_request_universe(
                &mut state,
                r.sender_id,
                r.recipient_id,
                r.source_universe_id,
            );
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(other) => done(Err(SetupError::Invalid(format!(
            "no new request: {other:?}"
        )))),
        Err(refusal) => done(Err(SetupError::Invalid(format!("refused: {refusal:?}")))),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Block {
    blocker: i64,
    blocked: i64,
}

async fn add_block(ControlWorld(world): ControlWorld, Body(b): Body<Block>) -> Response {
    done(world.roblox().block(b.blocker, b.blocked))
}

#[derive(Debug, Deserialize)]
struct SessionQuery {
    session: String,
}

async fn csrf(ControlWorld(world): ControlWorld, Query(q): Query<SessionQuery>) -> Response {
    let now = world.now();
    let token = world
        .roblox()
        .current_csrf(&q.session, now, world.config.csrf_ttl());
    Json(json!({"token": token})).into_response()
}

#[cfg(test)]
mod tests {
    use crate::RunningStub;
    use serde_json::{Value, json};

    /// `(status, body)` of a control-plane call under the default world's roblox routes.
    async fn call(
        stub: &RunningStub,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        let response = reqwest::Client::new()
            .request(
                method,
                format!("{}/__stub/worlds/default/roblox{path}", stub.url()),
            )
            .json(&body)
            .send()
            .await
            .expect("sent");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    #[tokio::test]
    async fn presence_of_an_unknown_user_is_404() {
        let stub = RunningStub::start().await.expect("stub");
        let (status, body) = call(
            &stub,
            reqwest::Method::PUT,
            "/users/987654321/presence",
            json!({"presence": "Online"}),
        )
        .await;
        assert_eq!(
            (status, &body["error"]),
            (404, &json!("UNKNOWN_USER")),
            "{body}"
        );
    }

    #[tokio::test]
    async fn seeding_tells_unknown_users_from_bad_input() {
        use reqwest::Method;
        let stub = RunningStub::start().await.expect("stub");
        for id in [1, 2] {
            let (status, _) = call(&stub, Method::POST, "/users", json!({"id": id})).await;
            assert_eq!(status, 201);
        }
        let cases = [
            (
                "/friendships",
                json!({"a": 1, "b": 99}),
                404,
                "UNKNOWN_USER",
            ),
            (
                "/friendships",
                json!({"a": 99, "b": 1}),
                404,
                "UNKNOWN_USER",
            ),
            (
                "/friendships",
                json!({"a": 1, "b": 1}),
                400,
                "INVALID_INPUT",
            ),
            (
                "/follows",
                json!({"follower": 99, "followee": 1}),
                404,
                "UNKNOWN_USER",
            ),
            (
                "/follows",
                json!({"follower": 2, "followee": 2}),
                400,
                "INVALID_INPUT",
            ),
            (
                "/blocks",
                json!({"blocker": 1, "blocked": 99}),
                404,
                "UNKNOWN_USER",
            ),
            ("/friendships", json!({"a": 1, "b": 2}), 204, ""),
            ("/follows", json!({"follower": 1, "followee": 2}), 204, ""),
            ("/blocks", json!({"blocker": 2, "blocked": 1}), 204, ""),
        ];
        for (path, body, status, code) in cases {
            let (got, answer) = call(&stub, Method::POST, path, body.clone()).await;
            assert_eq!(got, status, "{path} {body}: {answer}");
            if status != 204 {
                assert_eq!(answer["error"], code, "{path} {body}: {answer}");
            }
        }
        let (status, _) = call(
            &stub,
            Method::PUT,
            "/users/1/presence",
            json!({"presence": "Online"}),
        )
        .await;
        assert_eq!(status, 204);
    }
}
