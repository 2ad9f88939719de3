//! The Roblox world's control-plane routes, under `/__stub/worlds/{w}/roblox`: users,
//! presence, friendships, follows, blocks, the CSRF token a session would be handed, and
//! bulk seeding (`seed`).

use super::{NewUser, Presence};
use crate::http::control::{Body, ControlWorld, done, error};
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
        .route("/blocks", post(add_block))
        .route("/csrf", get(csrf))
        .route("/bulk", post(super::seed::roblox_bulk))
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
