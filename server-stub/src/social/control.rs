//! Control-plane routes of the social world, under `/__stub/worlds/{world}/social`:
//!
//! | method and path | body | answer |
//! |---|---|---|
//! | `POST …/social/players` | `{"id"?, "name"?, "permissions"?: {node: bool}, "presence"?, "allowFriendRequests"?, "flameStreak"?}` | `201 {"id", "name", "token"}` |
//! | `PUT …/social/players/{id}/presence` | `{"state": "ONLINE"\|"OFFLINE"\|"AWAY"\|"BUSY"}` | `204` |
//! | `PUT …/social/players/{id}/permissions` | `{node: true\|false\|null}` (null removes) | `204` |
//! | `POST …/social/servers` | `{"id"}`: registers an `X-Server-Id` | `204` |

use super::NewPlayer;
use crate::http::control::{Body, ControlWorld, done, error};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The routes.
pub(crate) fn router() -> Router {
    Router::new()
        .route("/players", post(create_player))
        .route("/players/{id}/presence", put(set_presence))
        .route("/players/{id}/permissions", put(set_permissions))
        .route("/servers", post(register_server))
        .route("/bulk", post(super::seed::social_bulk))
}

async fn create_player(ControlWorld(world): ControlWorld, Body(spec): Body<NewPlayer>) -> Response {
    let now = world.now();
    let created = world.social_mut().create_player(spec, now);
    match created {
        Ok(created) => (StatusCode::CREATED, Json(created)).into_response(),
        Err(message) => error(StatusCode::CONFLICT, "PLAYER_NOT_CREATED", message),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Presence {
    state: String,
}

async fn set_presence(
    ControlWorld(world): ControlWorld,
    Path((_, player)): Path<(String, Uuid)>,
    Body(presence): Body<Presence>,
) -> Response {
    let now = world.now();
    let result = world
        .social_mut()
        .set_presence(player, &presence.state, now);
    done(result)
}

async fn set_permissions(
    ControlWorld(world): ControlWorld,
    Path((_, player)): Path<(String, Uuid)>,
    Body(nodes): Body<BTreeMap<String, Option<bool>>>,
) -> Response {
    let result = world.social_mut().set_permissions(player, nodes);
    done(result)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Server {
    id: String,
}

async fn register_server(
    ControlWorld(world): ControlWorld,
    Body(server): Body<Server>,
) -> Response {
    let result = world.social_mut().register_server(&server.id);
    done(result)
}
