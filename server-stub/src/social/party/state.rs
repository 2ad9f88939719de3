//! Parties' own state: parties (members in join order, the lobby), who is in which party, and
//! the invites, with the plain helpers over them that the rules and views share (leaving,
//! removing a party, dropping an invite). No HTTP and no rules.

use crate::social::state::SocialState;
use chrono::{DateTime, Utc};
use serde::Serialize;
use social_sdk::party::types;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// Parties and invites of one world.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyState {
    /// Every party.
    pub(super) parties: BTreeMap<Uuid, Party>,
    /// Player → the party they are in.
    pub(super) member_of: BTreeMap<Uuid, Uuid>,
    /// Invitee → party → the pending (or expired) invite.
    pub(super) invites: BTreeMap<Uuid, BTreeMap<Uuid, Invite>>,
}

/// A party.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    pub(super) id: Uuid,
    pub(super) leader: Uuid,
    /// In join order: longest-standing first.
    pub(super) members: Vec<Member>,
    pub(super) max_size: usize,
    pub(super) created_at: DateTime<Utc>,
    pub(super) lobby: Lobby,
}

/// A member of a party.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub(super) id: Uuid,
    pub(super) joined_at: DateTime<Utc>,
}

/// The shared lobby of a party.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lobby {
    pub(super) selection: Option<types::LobbySelection>,
    /// In member order; always holds the leader.
    pub(super) selector_ids: Vec<Uuid>,
    pub(super) revision: i64,
    /// Member → ready state.
    pub(super) ready: BTreeMap<Uuid, Ready>,
    pub(super) launch_signal: Option<types::LaunchSignal>,
}

/// One member's ready state.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ready {
    pub(super) ready: bool,
    pub(super) profile_prepared: bool,
    pub(super) profile_id: Option<String>,
    pub(super) temporary_profile: bool,
    pub(super) requirement_hash: Option<String>,
    pub(super) updated_at: DateTime<Utc>,
}

/// A party invite.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invite {
    pub(super) party_id: Uuid,
    pub(super) invitee: Uuid,
    pub(super) inviter: Uuid,
    pub(super) created_at: DateTime<Utc>,
    pub(super) expires_at: DateTime<Utc>,
}

impl Invite {
    pub(super) fn expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }
}

impl Party {
    pub(super) fn new(leader: Uuid, max_size: usize, now: DateTime<Utc>) -> Self {
        Self {
            id: Uuid::new_v4(),
            leader,
            members: vec![Member {
                id: leader,
                joined_at: now,
            }],
            max_size: max_size.max(1),
            created_at: now,
            lobby: Lobby {
                selection: None,
                selector_ids: vec![leader],
                revision: 0,
                ready: BTreeMap::new(),
                launch_signal: None,
            },
        }
    }

    pub(super) fn is_member(&self, player: Uuid) -> bool {
        self.members.iter().any(|m| m.id == player)
    }

    pub(super) fn is_full(&self) -> bool {
        self.members.len() >= self.max_size
    }

    /// Keeps `ids` that are members, in member order, with the leader always in.
    pub(super) fn member_ordered(&self, ids: &BTreeSet<Uuid>) -> Vec<Uuid> {
        self.members
            .iter()
            .map(|m| m.id)
            .filter(|id| *id == self.leader || ids.contains(id))
            .collect()
    }

    /// A membership change: revision +1, ready states and launch signal cleared, selectors
    /// kept to members (leader included).
    pub(super) fn membership_changed(&mut self) {
        let selectors: BTreeSet<Uuid> = self.lobby.selector_ids.iter().copied().collect();
        self.lobby.selector_ids = self.member_ordered(&selectors);
        self.lobby.revision += 1;
        self.lobby.ready.clear();
        self.lobby.launch_signal = None;
    }
}

impl SocialState {
    /// The party `player` is in, if any (friend entries carry it as `partyId`).
    pub fn party_of(&self, player: Uuid) -> Option<Uuid> {
        self.party.member_of.get(&player).copied()
    }

    pub(super) fn invite_visible(&self, invite: &Invite) -> bool {
        self.party.parties.contains_key(&invite.party_id)
            && !self.blocked_either_way(invite.inviter, invite.invitee)
    }

    /// `player` leaves their party (if any): hand-over, or removal when they were the last.
    pub(super) fn depart(&mut self, player: Uuid) {
        let Some(party_id) = self.party.member_of.remove(&player) else {
            return;
        };
        let Some(party) = self.party.parties.get_mut(&party_id) else {
            return;
        };
        party.members.retain(|m| m.id != player);
        party.lobby.selector_ids.retain(|id| *id != player);
        match party.members.first() {
            None => self.remove_party(party_id),
            Some(longest) => {
                let longest = longest.id;
                if party.leader == player {
                    party.leader = longest;
                }
                party.membership_changed();
            }
        }
    }

    /// Removes a party, its memberships and its invites.
    pub(super) fn remove_party(&mut self, party_id: Uuid) {
        if let Some(party) = self.party.parties.remove(&party_id) {
            for member in &party.members {
                self.party.member_of.remove(&member.id);
            }
        }
        self.party.invites.retain(|_, by_party| {
            by_party.remove(&party_id);
            !by_party.is_empty()
        });
    }

    pub(super) fn drop_invite(&mut self, player: Uuid, party_id: Uuid) {
        if let Some(by_party) = self.party.invites.get_mut(&player) {
            by_party.remove(&party_id);
            if by_party.is_empty() {
                self.party.invites.remove(&player);
            }
        }
    }
}
