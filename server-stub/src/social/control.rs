//! Control-plane routes of the social world, under `/__stub/worlds/{world}/social`:
//!
//! | method and path | body | answer |
//! |---|---|---|
//! | `POST …/social/players` | `{"id"?, "name"?, "permissions"?: {node: bool}, "presence"?, "allowFriendRequests"?, "flameStreak"?}` | `201 {"id", "name", "token"}` |
//! | `PUT …/social/players/{id}/presence` | `{"state": "ONLINE"\|"OFFLINE"\|"AWAY"\|"BUSY"}` | `204` |
//! | `PUT …/social/players/{id}/permissions` | `{node: true\|false\|null}` (null removes) | `204` |
//! | `POST …/social/servers` | `{"id"}`: registers an `X-Server-Id` | `204` |
//!
//! Errors: `400 INVALID_INPUT` (a bad body or server id), `404 UNKNOWN_PLAYER` (presence or
//! permissions of an unknown player), `409 PLAYER_NOT_CREATED`.

use super::state::{NewPlayer, SocialError};
use crate::http::control::{Body, ControlWorld, error};
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

/// `204`, or the refusal: `404 UNKNOWN_PLAYER` for an unknown player, else `400
/// INVALID_INPUT`, with what was wrong in `message`.
fn done(result: Result<(), SocialError>) -> Response {
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(refused @ SocialError::UnknownPlayer(_)) => {
            error(StatusCode::NOT_FOUND, "UNKNOWN_PLAYER", refused.to_string())
        }
        Err(SocialError::Invalid(message)) => {
            error(StatusCode::BAD_REQUEST, "INVALID_INPUT", message)
        }
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

#[cfg(test)]
mod tests {
    use crate::RunningStub;
    use serde_json::{Value, json};
    use uuid::Uuid;

    /// The control-plane docs promise `404` for an unknown player (README.md: "Errors are …
    /// 404 (unknown world or user)").
    #[tokio::test]
    async fn presence_and_permissions_of_an_unknown_player_are_404() {
        let stub = RunningStub::start().await.expect("stub");
        let world = stub.control().create_world().await.expect("world");
        let client = reqwest::Client::new();
        let nobody = Uuid::new_v4();
        for (what, body) in [
            ("presence", json!({"state": "ONLINE"})),
            ("permissions", json!({"social:friends.read": false})),
        ] {
            let response = client
                .put(format!(
                    "{}/__stub/worlds/{}/social/players/{nobody}/{what}",
                    stub.url(),
                    world.id
                ))
                .json(&body)
                .send()
                .await
                .expect("sent");
            let status = response.status().as_u16();
            let answer: Value = response.json().await.expect("json");
            assert_eq!(status, 404, "{what}: {answer}");
            assert_eq!(answer["error"], "UNKNOWN_PLAYER", "{what}: {answer}");
            assert_eq!(
                answer["message"],
                format!("no player {nobody}"),
                "{what}: {answer}"
            );
        }
        // A known player still answers 204, and a bad body 400.
        let player = world
            .create_player(json!({"name": "known"}))
            .await
            .expect("player");
        world
            .set_player_presence(player.id, "AWAY")
            .await
            .expect("204");
        let bad = client
            .put(format!(
                "{}/__stub/worlds/{}/social/players/{}/presence",
                stub.url(),
                world.id,
                player.id
            ))
            .json(&json!({"state": 1}))
            .send()
            .await
            .expect("sent");
        assert_eq!(bad.status().as_u16(), 400);
        stub.stop().await;
    }
}
