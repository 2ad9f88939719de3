//! Bulk seeding of the Roblox world: benchmark-size worlds (100,000 users, a million
//! friendships or followers) in one control-plane call instead of one call per user or link.
//!
//! `POST /__stub/worlds/{w}/roblox/bulk` with `{"users", "firstId"?, "friendsPerUser"?,
//! "friendsOf"?: {"id", "count"}, "followersOf"?: {"id", "count"}}` answers `201 {"firstId",
//! "lastId", "users", "friendships", "follows"}`.
//!
//! Creates `users` users with the consecutive ids `firstId…` (default: the lowest id from
//! which that many ids are free), named `bulk<id>`, each with a cookie and a bearer session
//! like `POST …/roblox/users` (only the state dump shows them). `friendsPerUser` (even, below
//! `users`) links them in a ring: the i-th new user befriends the next `friendsPerUser / 2`
//! new users (wrapping), so each has exactly `friendsPerUser` friends and the call makes
//! `users × friendsPerUser / 2` friendships. `friendsOf` befriends user `id` (an existing or a
//! new user) with the first `count` new users other than itself; `followersOf` makes the
//! first `count` new users other than `id` follow `id`, in id order (the oldest follower has
//! the lowest id). Like `POST …/friendships`, seeding ignores the friend limit.
//!
//! Every check comes first, so a refused call changes nothing: `400 INVALID_INPUT` (a count
//! over the caps below, an odd or too large `friendsPerUser`, a `count` larger than the users
//! there are to link), `404` (unknown world, or the `id` of `friendsOf`/`followersOf` is no
//! user), `409` (an id of the range is taken).

use super::state::{NewUser, RobloxState};
use crate::http::control::{Body, ControlWorld};
use crate::shared::Hub;
use crate::world::Refusal;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// Most users one Roblox bulk call creates.
pub const MAX_USERS: u64 = 2_000_000;
/// Largest `friendsPerUser`.
pub const MAX_FRIENDS_PER_USER: u64 = 1_000;

/// Body of `POST /__stub/worlds/{w}/roblox/bulk`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RobloxBulk {
    /// How many users to create.
    pub users: u64,
    /// Id of the first (default: the lowest id from which `users` ids are free).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_id: Option<i64>,
    /// Ring of friendships among the new users: each gets this many friends (even).
    #[serde(default)]
    pub friends_per_user: u64,
    /// Befriend `id` with the first `count` new users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub friends_of: Option<Hub<i64>>,
    /// The first `count` new users follow `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers_of: Option<Hub<i64>>,
}

/// Answer of `POST /__stub/worlds/{w}/roblox/bulk`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RobloxBulkResult {
    /// First new id (`lastId` < `firstId` when no user was created).
    pub first_id: i64,
    /// Last new id.
    pub last_id: i64,
    /// Users created.
    pub users: u64,
    /// Friendships made (ring and `friendsOf`; a pair made twice counts twice).
    pub friendships: u64,
    /// Follows made.
    pub follows: u64,
}

fn invalid(message: impl Into<String>) -> Refusal {
    Refusal::invalid("INVALID_INPUT", message)
}

pub(crate) async fn roblox_bulk(
    ControlWorld(world): ControlWorld,
    Body(spec): Body<RobloxBulk>,
) -> Response {
    let now = world.now();
    let result = seed_roblox(&mut world.roblox(), &spec, now);
    match result {
        Ok(done) => (StatusCode::CREATED, Json(done)).into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

/// Seeds Roblox users, friendships and follows (see the module docs); all or nothing.
fn seed_roblox(
    state: &mut RobloxState,
    spec: &RobloxBulk,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<RobloxBulkResult, Refusal> {
    let n = spec.users;
    if n > MAX_USERS {
        return Err(invalid(format!("at most {MAX_USERS} users per call")));
    }
    let m = spec.friends_per_user;
    if m > 0 && (m % 2 == 1 || m >= n || m > MAX_FRIENDS_PER_USER) {
        return Err(invalid(format!(
            "friendsPerUser must be even, below users and at most {MAX_FRIENDS_PER_USER}"
        )));
    }
    // `n` fits an i64 (MAX_USERS).
    let len = n as i64;
    let first = match spec.first_id {
        Some(first) if first <= 0 => return Err(invalid("user ids are positive")),
        Some(first) => {
            if first.checked_add(len).is_none() {
                return Err(invalid("the id range overflows"));
            }
            if let Some(taken) = (first..first + len).find(|id| state.user(*id).is_some()) {
                return Err(Refusal::conflict(
                    "USER_NOT_CREATED",
                    format!("user {taken} exists already"),
                ));
            }
            first
        }
        None => {
            let (mut start, mut id) = (1_i64, 1_i64);
            while id < start + len {
                if state.user(id).is_some() {
                    start = id + 1;
                }
                id += 1;
            }
            start
        }
    };
    let last = first + len - 1;
    let is_new = |id: i64| (first..=last).contains(&id);
    for (field, hub) in [
        ("friendsOf", spec.friends_of),
        ("followersOf", spec.followers_of),
    ] {
        let Some(hub) = hub else { continue };
        if !is_new(hub.id) && state.user(hub.id).is_none() {
            return Err(Refusal::not_found(
                "UNKNOWN_USER",
                format!("{field}: no user {}", hub.id),
            ));
        }
        let others = n - u64::from(is_new(hub.id));
        if hub.count > others {
            return Err(invalid(format!(
                "{field}: count {} is more than the {others} new users to link",
                hub.count
            )));
        }
    }
    for id in first..=last {
        let spec = NewUser {
            id: Some(id),
            name: Some(format!("bulk{id}")),
            ..NewUser::default()
        };
        // Cannot fail: the ids were checked free and are positive.
        let _ = state.create_user(spec, now);
    }
    let mut friendships = 0;
    for i in 0..len {
        for step in 1..=(m / 2) as i64 {
            let other = first + (i + step) % len;
            let _ = state.seed_friendship(first + i, other, false, now);
            friendships += 1;
        }
    }
    let others = |hub: Hub<i64>| {
        (first..=last)
            .filter(move |id| *id != hub.id)
            .take(hub.count as usize)
    };
    if let Some(hub) = spec.friends_of {
        for other in others(hub) {
            let _ = state.seed_friendship(hub.id, other, false, now);
            friendships += 1;
        }
    }
    let mut follows = 0;
    if let Some(hub) = spec.followers_of {
        for other in others(hub) {
            let _ = state.seed_follow(other, hub.id);
            follows += 1;
        }
    }
    Ok(RobloxBulkResult {
        first_id: first,
        last_id: last,
        users: n,
        friendships,
        follows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roblox_ring_hubs_and_refusals() {
        let config = crate::StubConfig::default();
        let mut state = RobloxState::new(&config);
        let now = chrono::Utc::now();
        let spec = RobloxBulk {
            users: 11,
            friends_per_user: 4,
            friends_of: Some(Hub { id: 1, count: 10 }),
            followers_of: Some(Hub { id: 3, count: 5 }),
            ..RobloxBulk::default()
        };
        let done = seed_roblox(&mut state, &spec, now).expect("seeded");
        assert_eq!(
            (done.first_id, done.last_id, done.friendships, done.follows),
            (1, 11, 11 * 2 + 10, 5),
            "{done:?}"
        );
        let dump = state.dump();
        let friends = |id: i64| {
            dump["friends"][id.to_string()]
                .as_object()
                .map_or(0, serde_json::Map::len)
        };
        assert_eq!(friends(1), 10, "the hub knows every other new user");
        assert_eq!(friends(6), 4 + 1, "ring of 4, plus the hub");
        let followers = dump["followers"]["3"].as_object().map(|m| m.len());
        assert_eq!(followers, Some(5), "{}", dump["followers"]);
        // The next call finds the next free range; taken ranges and bad counts change nothing.
        let more = RobloxBulk {
            users: 2,
            ..RobloxBulk::default()
        };
        let next = seed_roblox(&mut state, &more, now).expect("seeded");
        assert_eq!((next.first_id, next.last_id), (12, 13));
        let refused = [
            (
                RobloxBulk {
                    first_id: Some(5),
                    ..more.clone()
                },
                409,
            ),
            (
                RobloxBulk {
                    friends_per_user: 3,
                    users: 10,
                    ..RobloxBulk::default()
                },
                400,
            ),
            (
                RobloxBulk {
                    friends_per_user: 10,
                    users: 10,
                    ..RobloxBulk::default()
                },
                400,
            ),
            (
                RobloxBulk {
                    users: MAX_USERS + 1,
                    ..RobloxBulk::default()
                },
                400,
            ),
            (
                RobloxBulk {
                    followers_of: Some(Hub { id: 999, count: 1 }),
                    ..more.clone()
                },
                404,
            ),
            (
                RobloxBulk {
                    followers_of: Some(Hub { id: 1, count: 3 }),
                    ..more.clone()
                },
                400,
            ),
            (
                RobloxBulk {
                    first_id: Some(i64::MAX),
                    ..more.clone()
                },
                400,
            ),
        ];
        for (spec, status) in refused {
            let error = seed_roblox(&mut state, &spec, now).expect_err("refused");
            let code = match error.kind {
                crate::world::RefusalKind::Invalid => 400,
                crate::world::RefusalKind::NotFound => 404,
                crate::world::RefusalKind::Conflict => 409,
            };
            assert_eq!(code, status, "{spec:?}: {error:?}");
        }
        assert!(state.user(14).is_none(), "a refused call created no user");
    }
}
