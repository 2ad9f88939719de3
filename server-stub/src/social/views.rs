//! The live frames of social friends and party: what a subscriber of each snapshot stream
//! sees, rendered from one consistent view of the social state (the api's live topics hand
//! them to the world's live hub, which decides when to push).

use super::friends::rules::Rules;
use super::friends::views::overview;
use super::state::SocialState;
use crate::config::StubConfig;
use chrono::{DateTime, Timelike, Utc};
use social_sdk::{party, social_friends};
use std::collections::HashSet;
use std::sync::Arc;
use uuid::Uuid;

/// The players whose live subscribers a change made by `actor` (a user route's bearer, a server route's
/// `actorId`) can reach, by the state as it is: taken before and after the change, the two
/// cover every frame it can alter.
///
/// Why this is enough: a frame shows its subscriber's own relations (friends, pending
/// requests, party, invites) and the records (name, presence, party) of the players at
/// the other end of them. A change by `actor` rewrites only relations that have `actor` or
/// its party at one end, and only the records of `actor` and of its party's members (a
/// leave or disband moves their party, a lobby change their view). So the frames it can
/// alter are those of `actor`, of its party's members, and of every player related to one of
/// them, before the change (a relation it ends) or after it (one it starts). The differential
/// test in `live_tests` (the crate root) checks this against rendering every subscriber.
pub(crate) fn live_reach(state: &SocialState, actor: Uuid) -> HashSet<Uuid> {
    let mut reach = HashSet::new();
    let records: Vec<Uuid> = std::iter::once(actor)
        .chain(state.party_members(actor))
        .collect();
    for player in records {
        reach.insert(player);
        state.friends_related(player, &mut reach);
        state.party_related(player, &mut reach);
    }
    reach
}

/// One friends frame, as JSON text.
pub(crate) fn friends_frame(
    state: &SocialState,
    config: &StubConfig,
    player: Uuid,
    now: DateTime<Utc>,
) -> Arc<str> {
    let rules = Rules::at(config, now);
    let overview = overview(state, &rules, player, player).ok();
    let frame = social_friends::types::FriendsLiveFrame {
        type_: Some(social_friends::types::KnownFriendsLiveFrameType::FriendsSnapshot.into()),
        friends: overview
            .as_ref()
            .map(|o| o.friends.clone())
            .unwrap_or_default(),
        // The seed's frame has no `max`: live counts are `total`, `favorites`, `online`.
        counts: overview
            .as_ref()
            .and_then(|o| o.counts.clone())
            .map(|counts| social_friends::types::FriendCounts {
                max: None,
                ..counts
            }),
        requests: Some(overview.and_then(|o| o.requests).unwrap_or_default()),
    };
    frame_text(crate::spec::component_bytes(
        "social-friends",
        "FriendsLiveFrame",
        &frame,
    ))
}

/// One party frame: the same shape as `GET /v1/social/party`, nulls and empty lists
/// included.
pub(crate) fn party_frame(state: &SocialState, player: Uuid, now: DateTime<Utc>) -> Arc<str> {
    let overview: party::types::PartyOverview = state.party_overview(player, now);
    frame_text(crate::spec::response_bytes("party", "get_party", &overview))
}

/// A frame's text (serde_json writes UTF-8); `{}` should it ever fail to serialise.
fn frame_text(bytes: serde_json::Result<Vec<u8>>) -> Arc<str> {
    bytes
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map_or_else(|| Arc::from("{}"), Arc::from)
}

/// A timestamp as social friends and party write it: whole seconds with `Z`
/// (`2026-01-07T12:00:00Z`, as in every example of the seed). The state keeps the world
/// clock's full precision; only what goes on the wire is cut.
pub(crate) fn wire_time(at: DateTime<Utc>) -> DateTime<Utc> {
    // Dropping the nanoseconds is `trunc_subsecs(0)` without its duration arithmetic (a
    // leap second, which the world clock never shows, would become its second's start).
    // (on the naive time: `DateTime::with_nanosecond` goes through a local-time round trip).
    at.naive_utc()
        .with_nanosecond(0)
        .map_or(at, |t| t.and_utc())
}
