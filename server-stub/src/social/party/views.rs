//! What parties answer, built from the state: the party and invite views (members' and
//! inviters' presence from the shared players), a player's overview and the server lookup.

use super::rules::{Outcome, Rules};
use super::state::{Invite, Party};
use crate::social::state::SocialState;
use crate::social::views::wire_time;
use chrono::{DateTime, Utc};
use social_sdk::party::types;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use uuid::Uuid;

impl SocialState {
    /// The members of `player`'s party (none when it is in none).
    pub(crate) fn party_members(&self, player: Uuid) -> impl Iterator<Item = Uuid> + '_ {
        self.party_of(player)
            .and_then(|id| self.party.parties.get(&id))
            .into_iter()
            .flat_map(|party| party.members.iter().map(|m| m.id))
    }

    /// Adds the players whose party frames show `player` or a relation with it: the members
    /// and invitees of its party, the invitees of invites it sent (an invite shows its
    /// inviter) and the inviters of invites it holds.
    pub(crate) fn party_related(&self, player: Uuid, out: &mut HashSet<Uuid>) {
        out.extend(self.party_members(player));
        let party = self.party_of(player);
        for (invitee, by_party) in &self.party.invites {
            for invite in by_party.values() {
                if invite.inviter == player || Some(invite.party_id) == party {
                    out.insert(*invitee);
                }
                if *invitee == player {
                    out.insert(invite.inviter);
                }
            }
        }
    }

    /// `player`'s snapshot: their party and their pending, unexpired invites (what
    /// `GET /v1/social/party` answers and every live frame carries).
    pub fn party_overview(&self, player: Uuid, now: DateTime<Utc>) -> types::PartyOverview {
        let party = self
            .party_of(player)
            .and_then(|id| self.party.parties.get(&id))
            .map(|p| self.party_view(p));
        let mut invites: Vec<&Invite> = self
            .party
            .invites
            .get(&player)
            .into_iter()
            .flat_map(BTreeMap::values)
            .filter(|i| !i.expired(now) && self.invite_visible(i))
            .collect();
        invites.sort_by_key(|i| (i.created_at, i.party_id));
        types::PartyOverview {
            party,
            invites: invites.into_iter().map(|i| self.invite_view(i)).collect(),
        }
    }

    pub(super) fn presence_of(
        &self,
        id: Uuid,
    ) -> (Option<String>, Option<bool>, Option<types::PresenceStatus>) {
        match self.player(id) {
            Some(p) => (
                Some(p.name.clone()),
                Some(p.online()),
                Some(types::PresenceStatus {
                    state: Some(presence_state(&p.presence)),
                    timestamp: Some(wire_time(p.presence_since)),
                }),
            ),
            None => (None, None, None),
        }
    }

    pub(super) fn party_view(&self, party: &Party) -> types::Party {
        let members = party
            .members
            .iter()
            .map(|m| {
                let (name, online, status) = self.presence_of(m.id);
                let role = if m.id == party.leader {
                    types::KnownPartyRole::Leader
                } else {
                    types::KnownPartyRole::Member
                };
                types::PartyMember {
                    id: Some(m.id),
                    joined_at: Some(wire_time(m.joined_at)),
                    name,
                    online,
                    role: Some(role.into()),
                    status,
                }
            })
            .collect();
        let ready = party
            .members
            .iter()
            .filter_map(|m| party.lobby.ready.get(&m.id).map(|r| (m.id, r)))
            .map(|(id, r)| types::ReadyState {
                player_id: Some(id),
                ready: Some(r.ready),
                profile_prepared: Some(r.profile_prepared),
                profile_id: r.profile_id.clone(),
                temporary_profile: Some(r.temporary_profile),
                requirement_hash: r.requirement_hash.clone(),
                updated_at: Some(wire_time(r.updated_at)),
            })
            .collect();
        types::Party {
            id: Some(party.id),
            leader_id: Some(party.leader),
            members,
            max_size: Some(i32::try_from(party.max_size).unwrap_or(i32::MAX)),
            created_at: Some(wire_time(party.created_at)),
            lobby: Some(types::PartyLobby {
                selection: party.lobby.selection.clone(),
                selector_ids: party.lobby.selector_ids.clone(),
                revision: Some(party.lobby.revision),
                ready,
                launch_signal: party.lobby.launch_signal.clone().map(|mut signal| {
                    signal.issued_at = signal.issued_at.map(wire_time);
                    signal
                }),
            }),
        }
    }

    pub(super) fn invite_view(&self, invite: &Invite) -> types::PartyInvite {
        let (name, online, status) = self.presence_of(invite.inviter);
        types::PartyInvite {
            party_id: Some(invite.party_id),
            inviter_id: Some(invite.inviter),
            inviter: Some(types::PlayerSummary {
                id: Some(invite.inviter),
                name,
                online,
                status,
                party_id: self.party_of(invite.inviter),
            }),
            created_at: Some(wire_time(invite.created_at)),
            expires_at: Some(wire_time(invite.expires_at)),
        }
    }
}

/// A presence string as the document's `PresenceState` (unknown values kept as given).
fn presence_state(state: &str) -> types::PresenceState {
    match state.parse::<types::KnownPresenceState>() {
        Ok(known) => known.into(),
        Err(_) => types::PresenceStateUnknown::try_from(state.to_owned())
            .map(Into::into)
            .unwrap_or_else(|_| types::KnownPresenceState::Offline.into()),
    }
}

// ---------------------------------------------------------------------------------------
// The service layer: one function per operation, shared by user and server routes.
// ---------------------------------------------------------------------------------------

/// `GET /v1/social/party` and `POST …/server/overview`.
pub fn overview(state: &SocialState, actor: Uuid, rules: &Rules) -> Outcome<types::PartyOverview> {
    state.require_player(actor)?;
    Ok(state.party_overview(actor, rules.now))
}

/// `POST /v1/social/party/server/lookup`: memberships of the given players (unknown ids and
/// players in no party left out, duplicates collapsed) and each party involved, once.
pub fn lookup(state: &SocialState, player_ids: &[Uuid]) -> types::PartyLookupResponse {
    let mut seen = BTreeSet::new();
    let mut parties_seen = BTreeSet::new();
    let mut answer = types::PartyLookupResponse::default();
    for id in player_ids {
        if !seen.insert(*id) {
            continue;
        }
        let Some(party) = state
            .party_of(*id)
            .and_then(|p| state.party.parties.get(&p))
        else {
            continue;
        };
        answer.memberships.push(types::PartyMembership {
            player_id: Some(*id),
            party_id: Some(party.id),
            leader: Some(party.leader == *id),
        });
        if parties_seen.insert(party.id) {
            answer.parties.push(state.party_view(party));
        }
    }
    answer
}
