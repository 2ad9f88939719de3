//! The control plane under `/__stub/`: the world-level routes (worlds, clock, faults,
//! request log, state dump) and every service's own routes mounted under
//! `/__stub/worlds/{w}/<service>`; [`Control`] is its typed client (`client.rs`).
//!
//! | method and path | body | answer |
//! |---|---|---|
//! | `GET /__stub/worlds` | | `["default", …]` |
//! | `POST /__stub/worlds` | `{"id"?}` | `201 {"id", "prefix"}` |
//! | `DELETE /__stub/worlds/{w}` | | `204` (the default world is reset) |
//! | `POST /__stub/worlds/{w}/roblox/users` | `{"id"?, "name"?, "displayName"?, "description"?, "isBanned"?, "isDeleted"?, "hasVerifiedBadge"?}` | `201 {"user", "cookie", "token"}` |
//! | `PUT /__stub/worlds/{w}/roblox/users/{id}/presence` | `{"presence", "placeId"?, "rootPlaceId"?, "universeId"?, "gameInstanceId"?, "lastLocation"?, "lastOnline"?}` | `204` |
//! | `POST /__stub/worlds/{w}/roblox/friendships` | `{"a", "b", "trusted"?}` | `204` |
//! | `POST /__stub/worlds/{w}/roblox/follows` | `{"follower", "followee"}` | `204` |
//! | `POST /__stub/worlds/{w}/roblox/blocks` | `{"blocker", "blocked"}` | `204` |
//! | `GET /__stub/worlds/{w}/roblox/csrf?session=…` | | `{"token"}` (the token a session would be handed now) |
//! | `POST /__stub/worlds/{w}/clock/advance` | `{"seconds"}` | `{"now"}` (`400 CLOCK_OUT_OF_RANGE` beyond 3,155,760,000 s, 100 years, or past 9999-12-31T23:59:59Z) |
//! | `POST /__stub/worlds/{w}/faults` | `[FaultRule, …]` | `204` |
//! | `DELETE /__stub/worlds/{w}/faults` | | `204` |
//! | `GET /__stub/worlds/{w}/requests` | | `[LoggedRequest, …]` |
//! | `PUT /__stub/worlds/{w}/answer-cache` | `{"enabled"}` | `{"enabled"}` (`409 ANSWER_CACHE_OFF` when the stub has none) |
//! | `GET /__stub/worlds/{w}/state` | | the whole world as JSON |
//! | `POST /__stub/worlds/{w}/roblox/bulk`, `…/social/bulk` | see [`bulk`] | `201` (benchmark-size worlds in one call) |
//!
//! Errors are `{"error": "…", "message": "…"}` with 400 (bad body), 404 (unknown world or
//! user) or 409 (exists already), and axum's own refusals in the same shape (405 with
//! `Allow`, 413 `BODY_TOO_LARGE` past 2 MiB, 415). With `--control-token` set, every request
//! needs `Authorization: Bearer <token>` (401 `UNAUTHORIZED` otherwise).

mod client;

pub use client::{Control, ControlError, WorldHandle};

/// The bulk-seeding vocabulary of the typed client (each service's `seed` module).
pub mod bulk {
    pub use crate::roblox::seed::{MAX_FRIENDS_PER_USER, MAX_USERS, RobloxBulk, RobloxBulkResult};
    pub use crate::shared::Hub;
    pub use crate::social::seed::{MAX_PLAYERS, SocialBulk, SocialBulkResult};
}

use crate::http::control::{Body, ControlWorld, Shared, error, json_errors, require_token};
use crate::world::FaultRule;
use axum::extract::{Extension, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

/// The control plane's routes.
pub fn router() -> Router {
    Router::new()
        .route("/worlds", get(list_worlds).post(create_world))
        .route("/worlds/{world}", axum::routing::delete(delete_world))
        .route("/worlds/{world}/clock/advance", post(advance))
        .route(
            "/worlds/{world}/faults",
            post(add_faults).delete(clear_faults),
        )
        .route("/worlds/{world}/requests", get(requests))
        .route(
            "/worlds/{world}/answer-cache",
            axum::routing::put(answer_cache),
        )
        .route("/worlds/{world}/state", get(state))
        .nest("/worlds/{world}/roblox", crate::roblox::control::router())
        .nest("/worlds/{world}/social", crate::social::control::router())
        .nest("/worlds/{world}/roster", crate::roster::control::router())
        .fallback(|| async {
            error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "no such control-plane route",
            )
        })
        .layer(axum::middleware::from_fn(publish_after))
        .layer(axum::middleware::map_response(json_errors))
        .layer(axum::middleware::from_fn(require_token))
}

/// After a control-plane call on a world (presence, clock, players, …), the world's live
/// hub pushes whatever the call changed.
async fn publish_after(
    Extension(stub): Shared,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let world = request.uri().path().split('/').nth(2).map(str::to_owned);
    let response = next.run(request).await;
    if let Some(world) = world.and_then(|id| stub.worlds.get(&id)) {
        world.publish();
    }
    response
}

async fn list_worlds(Extension(stub): Shared) -> Json<Vec<String>> {
    Json(stub.worlds.ids())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewWorld {
    #[serde(default)]
    id: Option<String>,
}

async fn create_world(Extension(stub): Shared, body: axum::body::Bytes) -> Response {
    let spec: NewWorld = if body.iter().all(u8::is_ascii_whitespace) {
        NewWorld::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(spec) => spec,
            Err(e) => return error(StatusCode::BAD_REQUEST, "INVALID_INPUT", e.to_string()),
        }
    };
    match stub.worlds.create(spec.id) {
        Ok(world) => (
            StatusCode::CREATED,
            Json(json!({"id": world.id, "prefix": format!("/w/{}", world.id)})),
        )
            .into_response(),
        Err(message) => error(StatusCode::CONFLICT, "WORLD_NOT_CREATED", message),
    }
}

async fn delete_world(Extension(stub): Shared, Path(id): Path<String>) -> Response {
    if stub.worlds.delete(&id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        error(
            StatusCode::NOT_FOUND,
            "UNKNOWN_WORLD",
            format!("no world {id:?}"),
        )
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: u64,
}

async fn advance(ControlWorld(world): ControlWorld, Body(a): Body<Advance>) -> Response {
    match world.advance(Duration::from_secs(a.seconds)) {
        Ok(now) => Json(json!({"now": now})).into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

async fn add_faults(
    ControlWorld(world): ControlWorld,
    Body(rules): Body<Vec<FaultRule>>,
) -> Response {
    world.add_faults(rules);
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(ControlWorld(world): ControlWorld) -> Response {
    world.clear_faults();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerCache {
    enabled: bool,
}

/// Turns the world's answer cache on or off (on is refused when `--answer-cache-max-age-ms`
/// is 0). Answers `{"enabled"}`: what is in effect now.
async fn answer_cache(
    ControlWorld(world): ControlWorld,
    Body(setting): Body<AnswerCache>,
) -> Response {
    world.set_answer_cache(setting.enabled);
    let enabled = world.answer_cache_enabled();
    if setting.enabled && !enabled {
        return error(
            StatusCode::CONFLICT,
            "ANSWER_CACHE_OFF",
            "the stub runs with --answer-cache-max-age-ms 0: there is no cache to turn on",
        );
    }
    Json(json!({"enabled": enabled})).into_response()
}

async fn requests(ControlWorld(world): ControlWorld) -> Response {
    Json(world.requests()).into_response()
}

/// The whole world, written on the blocking pool straight to bytes (a big world takes a
/// while), sent as it is.
async fn state(ControlWorld(world): ControlWorld) -> Response {
    let Ok(bytes) = tokio::task::spawn_blocking(move || world.dump_bytes()).await else {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "the dump failed",
        );
    };
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response()
}
