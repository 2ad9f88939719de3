//! What social friends answer, built from the state: player summaries, friend, request and
//! block entries, counts, and the read operations (snapshot, overview, request and block
//! lists, profile settings), which check the read permission first.

use super::rules::{FriendsError, Outcome, READ, Rules, existing, require};
use super::state::{FriendRequest, Link};
use crate::social::state::{Block, Player, SocialState};
use crate::social::views::wire_time;
use chrono::{DateTime, Utc};
use social_sdk::social_friends::types;
use std::collections::HashSet;
use uuid::Uuid;

impl SocialState {
    /// Adds the players whose friends frames show `player` (its name, presence or party) or
    /// a relation with it: its friends and the other players of its pending requests (links
    /// are kept on both sides, so `player`'s own links name every friend).
    pub(crate) fn friends_related(&self, player: Uuid, out: &mut HashSet<Uuid>) {
        out.extend(
            self.friends
                .links
                .get(&player)
                .into_iter()
                .flat_map(|l| l.keys()),
        );
        for request in self.friends.requests.values() {
            if request.sender == player {
                out.insert(request.recipient);
            } else if request.recipient == player {
                out.insert(request.sender);
            }
        }
    }

    pub(super) fn summary(&self, id: Uuid) -> types::PlayerSummary {
        let player = self.player(id);
        types::PlayerSummary {
            id: Some(id),
            name: player.map(|p| p.name.clone()),
            online: Some(player.is_some_and(Player::online)),
            status: player.map(status),
            party_id: self.party_of(id),
        }
    }

    pub(super) fn friend_entry(&self, friend: Uuid, link: &Link) -> types::FriendEntry {
        let player = self.player(friend);
        types::FriendEntry {
            friend_id: Some(friend),
            favorite: Some(link.favorite),
            visibility: Some(link.visibility.into()),
            note: link.note.clone(),
            created_at: Some(wire_time(link.created_at)),
            accepted_at: Some(wire_time(link.accepted_at)),
            updated_at: Some(wire_time(link.updated_at)),
            online: Some(player.is_some_and(Player::online)),
            party_id: self.party_of(friend),
            name: player.map(|p| p.name.clone()),
            status: player.map(status),
            player: Some(self.summary(friend)),
            last_seen_at: player.and_then(|p| p.last_seen_at).map(wire_time),
            flame_streak: player.and_then(|p| p.flame_streak),
        }
    }

    pub(super) fn request_entry(
        &self,
        request: &FriendRequest,
        viewer: Uuid,
        state: types::KnownFriendRequestStatus,
    ) -> types::FriendRequestEntry {
        let (direction, other) = if request.recipient == viewer {
            (types::KnownFriendRequestDirection::Incoming, request.sender)
        } else {
            (
                types::KnownFriendRequestDirection::Outgoing,
                request.recipient,
            )
        };
        types::FriendRequestEntry {
            id: Some(request.id.clone()),
            sender_id: Some(request.sender),
            recipient_id: Some(request.recipient),
            direction: Some(direction.into()),
            note: request.note.clone(),
            created_at: Some(wire_time(request.created_at)),
            expires_at: Some(wire_time(request.expires_at)),
            player: Some(self.summary(other)),
            // The seed's request entry has no `status`: a pending request (every list entry, a
            // created request) is written without one; only an answer that settled a request
            // (accepted instead, accepted, declined) says how.
            status: (state != types::KnownFriendRequestStatus::Pending).then(|| state.into()),
        }
    }

    /// `owner`'s friend entries as `viewer` sees them, in list order.
    pub(super) fn visible_friends(&self, owner: Uuid, viewer: Uuid) -> Vec<types::FriendEntry> {
        let viewer_is_friend = self.are_friends(owner, viewer);
        let mut entries: Vec<(String, Uuid, types::FriendEntry)> = self
            .friends
            .links
            .get(&owner)
            .into_iter()
            .flatten()
            .filter(|(_, link)| {
                viewer == owner
                    || match link.visibility {
                        types::KnownFriendVisibility::Default => true,
                        types::KnownFriendVisibility::Limited => viewer_is_friend,
                        types::KnownFriendVisibility::Hidden => false,
                    }
            })
            .map(|(friend, link)| {
                let name = self
                    .player(*friend)
                    .map(|p| p.name.to_lowercase())
                    .unwrap_or_default();
                let mut entry = self.friend_entry(*friend, link);
                if viewer != owner && viewer != *friend {
                    // The request's note was written for its two players only.
                    entry.note = None;
                }
                (name, *friend, entry)
            })
            .collect();
        entries.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        entries.into_iter().map(|(_, _, entry)| entry).collect()
    }

    pub(super) fn requests_of(
        &self,
        viewer: Uuid,
        now: DateTime<Utc>,
    ) -> types::FriendRequestsResponse {
        let mut pending: Vec<&FriendRequest> = self
            .friends
            .requests
            .values()
            .filter(|r| !r.expired(now) && (r.sender == viewer || r.recipient == viewer))
            .collect();
        pending.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let entry = |r: &&FriendRequest| {
            self.request_entry(r, viewer, types::KnownFriendRequestStatus::Pending)
        };
        types::FriendRequestsResponse {
            incoming: pending
                .iter()
                .filter(|r| r.recipient == viewer)
                .map(entry)
                .collect(),
            outgoing: pending
                .iter()
                .filter(|r| r.sender == viewer)
                .map(entry)
                .collect(),
        }
    }

    pub(super) fn counts(
        &self,
        owner: Uuid,
        shown: &[types::FriendEntry],
        rules: &Rules,
    ) -> types::FriendCounts {
        let count = |n: usize| Some(i32::try_from(n).unwrap_or(i32::MAX));
        types::FriendCounts {
            total: count(shown.len()),
            favorites: count(shown.iter().filter(|e| e.favorite == Some(true)).count()),
            online: count(shown.iter().filter(|e| e.online == Some(true)).count()),
            max: count(self.friend_limit_of(owner, rules.default_limit)),
        }
    }
}

/// `GET /v1/social/friends`: the actor's friends, counts and own summary.
pub fn snapshot(
    state: &SocialState,
    rules: &Rules,
    actor: Uuid,
) -> Outcome<types::FriendsSnapshot> {
    require(state, actor, READ)?;
    let friends = state.visible_friends(actor, actor);
    Ok(types::FriendsSnapshot {
        counts: Some(state.counts(actor, &friends, rules)),
        friends,
        // `self` is `null` in every snapshot and overview of the seed.
        self_: None,
    })
}

/// The overview of `owner` as `viewer` sees it (server overview: both are the actor).
pub fn overview(
    state: &SocialState,
    rules: &Rules,
    viewer: Uuid,
    owner: Uuid,
) -> Outcome<types::FriendsOverview> {
    require(state, viewer, READ)?;
    existing(state, owner)?;
    let friends = state.visible_friends(owner, viewer);
    let requests = if viewer == owner {
        state.requests_of(owner, rules.now)
    } else {
        types::FriendRequestsResponse::default()
    };
    Ok(types::FriendsOverview {
        counts: Some(state.counts(owner, &friends, rules)),
        friends,
        // `self` is `null` in every snapshot and overview of the seed.
        self_: None,
        incoming: requests.incoming.clone(),
        outgoing: requests.outgoing.clone(),
        requests: Some(requests),
    })
}

/// `GET /v1/social/friends/requests`.
pub fn list_requests(
    state: &SocialState,
    rules: &Rules,
    actor: Uuid,
) -> Outcome<types::FriendRequestsResponse> {
    require(state, actor, READ)?;
    Ok(state.requests_of(actor, rules.now))
}

pub(super) fn block_entry(blocked: Uuid, block: &Block) -> types::BlockEntry {
    types::BlockEntry {
        blocked_user_id: Some(blocked),
        reason: block.reason.clone(),
        created_at: Some(wire_time(block.created_at)),
        updated_at: Some(wire_time(block.updated_at)),
    }
}

/// The players `actor` blocks.
pub fn list_blocks(state: &SocialState, actor: Uuid) -> Outcome<types::BlockList> {
    require(state, actor, READ)?;
    let mut blocks: Vec<(&Uuid, &Block)> = state
        .blocks
        .iter()
        .filter(|((blocker, _), _)| *blocker == actor)
        .map(|((_, blocked), block)| (blocked, block))
        .collect();
    blocks.sort_by(|a, b| (a.1.created_at, a.0).cmp(&(b.1.created_at, b.0)));
    Ok(types::BlockList {
        blocks: blocks
            .into_iter()
            .map(|(blocked, block)| block_entry(*blocked, block))
            .collect(),
    })
}

/// The actor's profile settings.
pub fn profile_settings(state: &SocialState, actor: Uuid) -> Outcome<types::ProfileSettings> {
    let player = state.player(actor).ok_or(FriendsError::PlayerNotFound)?;
    let visibility = &player.server_list_visibility;
    let server_list_visibility = match visibility.parse::<types::KnownServerListVisibility>() {
        Ok(known) => known.into(),
        Err(_) => types::ServerListVisibilityUnknown::try_from(visibility.clone())
            .map_or(types::KnownServerListVisibility::Public.into(), Into::into),
    };
    Ok(types::ProfileSettings {
        allow_friend_requests: Some(player.allow_friend_requests),
        privacy: Some(types::ProfilePrivacy {
            server_list_visibility: Some(server_list_visibility),
        }),
    })
}

fn status(player: &Player) -> types::PresenceStatus {
    let state = match player.presence.parse::<types::KnownPresenceState>() {
        Ok(known) => known.into(),
        Err(_) => types::PresenceStateUnknown::try_from(player.presence.clone())
            .map_or(types::KnownPresenceState::Offline.into(), Into::into),
    };
    types::PresenceStatus {
        state: Some(state),
        timestamp: Some(wire_time(player.presence_since)),
    }
}
