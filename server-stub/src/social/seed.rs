//! Bulk seeding of the social world: `POST /__stub/worlds/{w}/social/bulk` with
//! `{"players", "friendsOf"?: {"id", "count"}}` answers `201 {"players": [{"id", "name",
//! "token"}, …], "friendships"}`.
//!
//! Creates `players` players (fresh ids and tokens, named `bulk-<id>`); `friendsOf` befriends
//! the existing player `id` with the first `count` of them (accepted now, default visibility,
//! no note). The player's friend limit (`--social-friend-limit` or a
//! `social:friends.limit.<n>` node) must leave room for them: `409` otherwise. Every check
//! comes first, so a refused call changes nothing: `400 INVALID_INPUT`, `404 UNKNOWN_PLAYER`,
//! `409 FRIEND_LIMIT_REACHED`.

use super::state::{CreatedPlayer, NewPlayer, SocialState};
use crate::http::control::{Body, ControlWorld};
use crate::shared::Hub;
use crate::world::Refusal;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most players one social bulk call creates (all of them are in the answer).
pub const MAX_PLAYERS: u64 = 100_000;

/// Body of `POST /__stub/worlds/{w}/social/bulk`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SocialBulk {
    /// How many players to create.
    pub players: u64,
    /// Befriend the existing player `id` with the first `count` new players.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friends_of: Option<Hub<Uuid>>,
}

/// Answer of `POST /__stub/worlds/{w}/social/bulk`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SocialBulkResult {
    /// The new players, with their tokens.
    pub players: Vec<CreatedPlayer>,
    /// Friendships made.
    pub friendships: u64,
}

fn invalid(message: impl Into<String>) -> Refusal {
    Refusal::invalid("INVALID_INPUT", message)
}

pub(crate) async fn social_bulk(
    ControlWorld(world): ControlWorld,
    Body(spec): Body<SocialBulk>,
) -> Response {
    let now = world.now();
    let default_limit = world.config.social_friend_limit;
    let result = seed_social(&mut world.social_mut(), &spec, default_limit, now);
    match result {
        Ok(done) => (StatusCode::CREATED, Json(done)).into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

/// Seeds social players and one player's friendships (see the module docs); all or nothing.
fn seed_social(
    state: &mut SocialState,
    spec: &SocialBulk,
    default_limit: usize,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<SocialBulkResult, Refusal> {
    if spec.players > MAX_PLAYERS {
        return Err(invalid(format!("at most {MAX_PLAYERS} players per call")));
    }
    if let Some(hub) = spec.friends_of {
        if state.player(hub.id).is_none() {
            return Err(Refusal::not_found(
                "UNKNOWN_PLAYER",
                format!("friendsOf: no player {}", hub.id),
            ));
        }
        if hub.count > spec.players {
            return Err(invalid(format!(
                "friendsOf: count {} is more than the {} new players",
                hub.count, spec.players
            )));
        }
        let limit = state.friend_limit_of(hub.id, default_limit);
        let wanted = state.friend_count(hub.id) as u64 + hub.count;
        if wanted > limit as u64 || (hub.count > 0 && default_limit == 0) {
            return Err(Refusal::conflict(
                "FRIEND_LIMIT_REACHED",
                format!(
                    "friendsOf: {} would have {wanted} friends, over the limit of {limit} (grant social:friends.limit.<n>)",
                    hub.id
                ),
            ));
        }
    }
    let mut players = Vec::with_capacity(spec.players as usize);
    while (players.len() as u64) < spec.players {
        let id = Uuid::new_v4();
        let new = NewPlayer {
            id: Some(id),
            name: Some(format!("bulk-{}", id.simple())),
            ..NewPlayer::default()
        };
        // A fresh uuid (and the name made from it) is free; on the impossible clash, retry.
        if let Ok(created) = state.create_player(new, now) {
            players.push(created);
        }
    }
    let mut friendships = 0;
    if let Some(hub) = spec.friends_of {
        for friend in players.iter().take(hub.count as usize) {
            state.befriend((hub.id, friend.id), None, now, now);
            friendships += 1;
        }
    }
    Ok(SocialBulkResult {
        players,
        friendships,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RunningStub;
    use crate::control::ControlError;
    use crate::roblox::seed::RobloxBulk;
    use serde_json::json;

    #[tokio::test]
    async fn social_bulk_through_the_control_plane() {
        let stub = RunningStub::start().await.expect("stub");
        let world = stub.control().create_world().await.expect("world");
        let hub = world
            .create_player(json!({"name": "hub"}))
            .await
            .expect("hub");
        let spec = SocialBulk {
            players: 300,
            friends_of: Some(Hub {
                id: hub.id,
                count: 250,
            }),
        };
        let done = world.bulk_social(&spec).await.expect("seeded");
        assert_eq!((done.players.len(), done.friendships), (300, 250));
        let friends: serde_json::Value = reqwest::Client::new()
            .get(format!(
                "{}/v1/social/friends",
                world.service_url("social-friends")
            ))
            .bearer_auth(&hub.token)
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        assert_eq!(friends["counts"]["total"], 250, "{}", friends["counts"]);
        // One more would pass the default limit of 250: refused, nothing created.
        let over = SocialBulk {
            players: 1,
            friends_of: Some(Hub {
                id: hub.id,
                count: 1,
            }),
        };
        let refused = world.bulk_social(&over).await.expect_err("over the limit");
        assert!(
            matches!(refused, ControlError::Refused { status: 409, .. }),
            "{refused}"
        );
        let roblox = world
            .bulk_roblox(&RobloxBulk {
                users: 1_001,
                followers_of: Some(Hub {
                    id: 1,
                    count: 1_000,
                }),
                ..RobloxBulk::default()
            })
            .await
            .expect("roblox seeded");
        assert_eq!(roblox.follows, 1_000);
        let count: serde_json::Value = reqwest::Client::new()
            .get(format!(
                "{}/v1/users/1/followers/count",
                world.service_url("friends")
            ))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        assert_eq!(count["count"], 1_000, "{count}");
        let bad = world
            .bulk_social(&SocialBulk {
                players: MAX_PLAYERS + 1,
                friends_of: None,
            })
            .await
            .expect_err("too many");
        assert!(
            matches!(bad, ControlError::Refused { status: 400, .. }),
            "{bad}"
        );
        stub.stop().await;
    }
}
