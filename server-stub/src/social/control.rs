//! Control-plane routes of the social world, under `/__stub/worlds/{world}/social`:
//!
//! | method and path | body | answer |
//! |---|---|---|
//! | `POST …/social/players` | `{"id"?, "name"?, "permissions"?: {node: bool}, "presence"?, "allowFriendRequests"?, "flameStreak"?}` | `201 {"id", "name", "token"}` |
//! | `PUT …/social/players/{id}/presence` | `{"state": "ONLINE"\|"OFFLINE"\|"AWAY"\|"BUSY"}` | `204` |
//! | `PUT …/social/players/{id}/permissions` | `{node: true\|false\|null}` (null removes) | `204` |
//! | `POST …/social/servers` | `{"id"}`: registers an `X-Server-Id` | `204` |

use crate::control::{Body, Shared, done, error, world};
use crate::social::NewPlayer;
use axum::extract::{Extension, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use serde::Deserialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The routes.
pub fn router() -> Router {
    Router::new()
        .route("/players", post(create_player))
        .route("/players/{id}/presence", put(set_presence))
        .route("/players/{id}/permissions", put(set_permissions))
        .route("/servers", post(register_server))
}

async fn create_player(
    Extension(stub): Shared,
    Path(id): Path<String>,
    Body(spec): Body<NewPlayer>,
) -> Response {
    let world = match world(&stub, &id) {
        Ok(w) => w,
        Err(e) => return e,
    };
    let now = world.now();
    let created = world.social().create_player(spec, now);
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
    Extension(stub): Shared,
    Path((id, player)): Path<(String, Uuid)>,
    Body(presence): Body<Presence>,
) -> Response {
    match world(&stub, &id) {
        Ok(world) => {
            let now = world.now();
            let result = world.social().set_presence(player, &presence.state, now);
            done(result)
        }
        Err(e) => e,
    }
}

async fn set_permissions(
    Extension(stub): Shared,
    Path((id, player)): Path<(String, Uuid)>,
    Body(nodes): Body<BTreeMap<String, Option<bool>>>,
) -> Response {
    match world(&stub, &id) {
        Ok(world) => {
            let result = world.social().set_permissions(player, nodes);
            done(result)
        }
        Err(e) => e,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Server {
    id: String,
}

async fn register_server(
    Extension(stub): Shared,
    Path(id): Path<String>,
    Body(server): Body<Server>,
) -> Response {
    match world(&stub, &id) {
        Ok(world) => {
            let result = world.social().register_server(&server.id);
            done(result)
        }
        Err(e) => e,
    }
}
