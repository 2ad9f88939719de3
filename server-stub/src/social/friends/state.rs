//! Social friends' own state: both sides of every friend link, pending (and expired) requests
//! and reports, with the plain helpers over them that the rules and views share. No HTTP and
//! no rules: the functions here take plain values and never refuse.

use crate::social::state::SocialState;
use chrono::{DateTime, Utc};
use serde::Serialize;
use social_sdk::social_friends::types;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Friend links, requests and reports of one world.
#[derive(Debug, Default, Serialize)]
pub struct FriendsState {
    /// Owner → friend → the owner's side of the link. Always symmetric.
    pub links: BTreeMap<Uuid, BTreeMap<Uuid, Link>>,
    /// Request id → request. Only pending requests are kept (expired ones too, until the
    /// pair's next change), so their ids can answer `410`.
    pub requests: BTreeMap<String, FriendRequest>,
    /// Every report, oldest first.
    pub reports: Vec<Report>,
    /// Counter behind the object ids.
    next_id: u64,
}

/// One side of a friend link.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// Owner-set favourite flag.
    pub favorite: bool,
    /// Owner-set visibility.
    pub visibility: types::KnownFriendVisibility,
    /// The accepted request's note.
    pub note: Option<String>,
    /// When the request was sent.
    pub created_at: DateTime<Utc>,
    /// When it was accepted.
    pub accepted_at: DateTime<Utc>,
    /// Last change of this side.
    pub updated_at: DateTime<Utc>,
}

/// A pending friend request.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FriendRequest {
    /// 24-hex object id.
    pub id: String,
    /// Who sent it.
    pub sender: Uuid,
    /// Who it is addressed to.
    pub recipient: Uuid,
    /// Optional note.
    pub note: Option<String>,
    /// Sent at.
    pub created_at: DateTime<Utc>,
    /// `created_at` + the request TTL.
    pub expires_at: DateTime<Utc>,
}

impl FriendRequest {
    pub(super) fn expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }

    pub(super) fn between(&self, a: Uuid, b: Uuid) -> bool {
        (self.sender == a && self.recipient == b) || (self.sender == b && self.recipient == a)
    }
}

/// A moderation report.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// 24-hex object id.
    pub id: String,
    /// Who reported.
    pub reporter: Uuid,
    /// Who was reported.
    pub target_id: Uuid,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl SocialState {
    pub(super) fn next_object_id(&mut self, now: DateTime<Utc>) -> String {
        self.friends.next_id += 1;
        let seconds = u32::try_from(now.timestamp().max(0)).unwrap_or(u32::MAX);
        format!("{seconds:08x}{:016x}", self.friends.next_id)
    }

    /// Whether `a` and `b` are friends.
    pub fn are_friends(&self, a: Uuid, b: Uuid) -> bool {
        self.friends
            .links
            .get(&a)
            .is_some_and(|links| links.contains_key(&b))
    }

    /// How many friends `player` has.
    pub fn friend_count(&self, player: Uuid) -> usize {
        self.friends.links.get(&player).map_or(0, BTreeMap::len)
    }

    /// `player`'s friend limit.
    pub fn friend_limit_of(&self, player: Uuid, default: usize) -> usize {
        self.player(player)
            .map_or(default, |p| p.friend_limit(default))
    }

    /// The pending, unexpired request from `sender` to `recipient`, if any.
    pub(super) fn pending(
        &self,
        sender: Uuid,
        recipient: Uuid,
        now: DateTime<Utc>,
    ) -> Option<&FriendRequest> {
        self.friends
            .requests
            .values()
            .find(|r| r.sender == sender && r.recipient == recipient && !r.expired(now))
    }

    pub(super) fn drop_requests_between(&mut self, a: Uuid, b: Uuid) {
        self.friends.requests.retain(|_, r| !r.between(a, b));
    }

    pub(super) fn unlink(&mut self, a: Uuid, b: Uuid) -> bool {
        let mut removed = false;
        for (x, y) in [(a, b), (b, a)] {
            if let Some(links) = self.friends.links.get_mut(&x) {
                removed |= links.remove(&y).is_some();
                if links.is_empty() {
                    self.friends.links.remove(&x);
                }
            }
        }
        removed
    }

    pub(super) fn link_now(&mut self, request: &FriendRequest, now: DateTime<Utc>) {
        self.befriend(
            (request.sender, request.recipient),
            request.note.clone(),
            request.created_at,
            now,
        );
        self.drop_requests_between(request.sender, request.recipient);
    }

    /// Links two players both ways (default visibility, not favourites): a request sent at
    /// `requested` with `note`, accepted at `now`. Requests between them are left alone.
    pub(crate) fn befriend(
        &mut self,
        (a, b): (Uuid, Uuid),
        note: Option<String>,
        requested: DateTime<Utc>,
        now: DateTime<Utc>,
    ) {
        for (owner, friend) in [(a, b), (b, a)] {
            self.friends.links.entry(owner).or_default().insert(
                friend,
                Link {
                    favorite: false,
                    visibility: types::KnownFriendVisibility::Default,
                    note: note.clone(),
                    created_at: requested,
                    accepted_at: now,
                    updated_at: now,
                },
            );
        }
    }
}
