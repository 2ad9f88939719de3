//! The rules and views driven directly: directed cases here, and (in `properties`) random
//! operation sequences that must keep the invariants.

use super::rules::*;
use super::views::*;
use crate::social::state::{Block, NewPlayer, SocialState};
use chrono::{DateTime, Duration, Utc};
use social_sdk::party::types;
use uuid::Uuid;

mod properties;

const PLAYERS: usize = 5;

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

struct World {
    state: SocialState,
    players: Vec<Uuid>,
    rules: Rules,
}

impl World {
    fn new(players: usize, max_size: usize) -> Self {
        let now = start();
        let mut state = SocialState::default();
        let players = (0..players)
            .map(|i| {
                let spec = NewPlayer {
                    name: Some(format!("p{i}")),
                    ..NewPlayer::default()
                };
                state.create_player(spec, now).map(|c| c.id)
            })
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_default();
        Self {
            state,
            players,
            rules: Rules {
                now,
                max_size,
                invite_ttl: Duration::seconds(60),
            },
        }
    }

    fn p(&self, i: usize) -> Uuid {
        self.players[i % self.players.len()]
    }

    fn invite(&mut self, from: usize, to: usize) -> Outcome<types::PartyInvite> {
        let (a, b) = (self.p(from), self.p(to));
        invite(&mut self.state, a, Some(b), None, &self.rules)
    }

    fn accept(&mut self, who: usize, party: Uuid) -> Outcome<types::PartyOverview> {
        let p = self.p(who);
        accept(&mut self.state, p, party, &self.rules)
    }

    fn party(&self, who: usize) -> Option<types::Party> {
        self.state.party_overview(self.p(who), self.rules.now).party
    }

    fn select(&mut self, who: usize, round_based: bool) -> Outcome<types::PartyOverview> {
        let p = self.p(who);
        let body = types::LobbySelectionBody {
            target_kind: "minigame".parse().expect("a non-blank kind"),
            target_id: "ffa-ragemode-round".parse().expect("a non-blank id"),
            display_name: None,
            server_address: None,
            minigame: Some(types::MinigameInfo {
                mode: Some("ffa".into()),
                variant: None,
                round_based: Some(round_based),
            }),
            profile_requirement: None,
        };
        set_selection(&mut self.state, p, body, &self.rules)
    }

    fn ready(&mut self, who: usize, ready: bool, prepared: bool) -> Outcome<types::PartyOverview> {
        let p = self.p(who);
        let body = types::SetReadyBody {
            ready,
            profile_prepared: Some(prepared),
            profile_id: None,
            temporary_profile: None,
            requirement_hash: None,
        };
        set_ready(&mut self.state, p, body, &self.rules)
    }

    /// A party of `size` led by player 0, players 1.. joined in order.
    fn party_of_size(&mut self, size: usize) -> Uuid {
        let mut id = None;
        for i in 1..size {
            let invite = self.invite(0, i).expect("invite");
            id = invite.party_id;
            self.accept(i, invite.party_id.expect("party id"))
                .expect("accept");
        }
        id.expect("a party")
    }
}

fn revision(party: &types::Party) -> i64 {
    party.lobby.as_ref().and_then(|l| l.revision).unwrap_or(-1)
}

#[test]
fn invite_creates_the_party_and_accept_joins_it() {
    let mut w = World::new(3, 8);
    let invite = w.invite(0, 1).expect("invite");
    let party = w.party(0).expect("inviting created a party");
    assert_eq!(invite.party_id, party.id);
    assert_eq!(party.leader_id, Some(w.p(0)));
    assert_eq!(revision(&party), 0);
    assert_eq!(w.state.party_overview(w.p(1), w.rules.now).invites.len(), 1);
    let joined = w.accept(1, party.id.expect("id")).expect("accept");
    let joined = joined.party.expect("in the party");
    assert_eq!(joined.members.len(), 2);
    assert_eq!(revision(&joined), 1);
    assert!(
        w.state
            .party_overview(w.p(1), w.rules.now)
            .invites
            .is_empty()
    );
    assert_eq!(w.state.party_of(w.p(1)), party.id);
}

#[test]
fn input_and_existence_errors() {
    let mut w = World::new(3, 8);
    let (a, b) = (w.p(0), w.p(1));
    let rules = w.rules;
    let s = &mut w.state;
    assert_eq!(
        invite(s, a, None, Some("  "), &rules),
        Err(PartyError::InvalidInput(None))
    );
    assert_eq!(
        invite(s, a, Some(a), None, &rules),
        Err(PartyError::CannotTargetSelf)
    );
    assert_eq!(
        invite(s, a, None, Some("P0"), &rules),
        Err(PartyError::CannotTargetSelf)
    );
    assert_eq!(
        invite(s, a, Some(Uuid::new_v4()), None, &rules),
        Err(PartyError::PlayerNotFound)
    );
    assert_eq!(
        invite(s, Uuid::new_v4(), Some(b), None, &rules),
        Err(PartyError::PlayerNotFound)
    );
    assert!(
        invite(s, a, None, Some("P1"), &rules).is_ok(),
        "names are case-insensitive"
    );
    assert_eq!(leave(s, b, &rules), Err(PartyError::NotInParty));
    assert_eq!(disband(s, b), Err(PartyError::NotInParty));
    assert_eq!(
        accept(s, b, Uuid::new_v4(), &rules),
        Err(PartyError::InviteNotFound)
    );
    assert_eq!(
        decline(s, w.players[2], Uuid::new_v4(), &rules),
        Err(PartyError::InviteNotFound)
    );
}

#[test]
fn blocks_refuse_invites_and_hide_pending_ones() {
    let mut w = World::new(3, 8);
    let (a, b) = (w.p(0), w.p(1));
    let invite = w.invite(0, 1).expect("invite");
    let now = w.rules.now;
    w.state.blocks.insert(
        (b, a),
        Block {
            reason: None,
            created_at: now,
            updated_at: now,
        },
    );
    assert_eq!(w.invite(0, 1), Err(PartyError::Blocked));
    assert!(w.state.party_overview(b, now).invites.is_empty());
    assert_eq!(
        w.accept(1, invite.party_id.expect("id")),
        Err(PartyError::InviteNotFound)
    );
}

#[test]
fn reinviting_replaces_the_invite_and_expiry_answers_410() {
    let mut w = World::new(2, 8);
    let first = w.invite(0, 1).expect("invite");
    w.rules.now += Duration::seconds(30);
    let second = w.invite(0, 1).expect("re-invite");
    assert_eq!(first.party_id, second.party_id);
    assert!(second.expires_at > first.expires_at);
    let pending = w.state.party_overview(w.p(1), w.rules.now).invites;
    assert_eq!(pending.len(), 1, "one invite per (party, invitee)");
    w.rules.now += Duration::seconds(60);
    assert!(
        w.state
            .party_overview(w.p(1), w.rules.now)
            .invites
            .is_empty()
    );
    let party = second.party_id.expect("id");
    assert_eq!(w.accept(1, party), Err(PartyError::InviteExpired));
    let (b, rules) = (w.p(1), w.rules);
    assert_eq!(
        decline(&mut w.state, b, party, &rules),
        Err(PartyError::InviteExpired)
    );
}

#[test]
fn full_parties_refuse_invites_and_accepts() {
    let mut w = World::new(4, 2);
    let invite2 = w.invite(0, 2).expect("invites do not reserve a slot");
    let party = w.party_of_size(2);
    assert_eq!(w.invite(0, 3), Err(PartyError::PartyFull));
    assert_eq!(w.invite(1, 0), Err(PartyError::AlreadyInParty));
    assert_eq!(
        w.accept(2, invite2.party_id.expect("id")),
        Err(PartyError::PartyFull)
    );
    assert_eq!(w.state.party_of(w.p(2)), None);
    assert_eq!(w.party(0).map(|p| p.members.len()), Some(2));
    assert_eq!(w.party(0).and_then(|p| p.id), Some(party));
}

#[test]
fn accepting_leaves_the_other_party_with_a_hand_over() {
    let mut w = World::new(4, 8);
    let first = w.party_of_size(2); // 0 leads, 1 member
    let other = w.invite(2, 0).expect("invite from another party");
    let other_id = other.party_id.expect("id");
    let joined = w.accept(0, other_id).expect("accept").party.expect("party");
    assert_eq!(joined.id, Some(other_id));
    let old = w.party(1).expect("the old party lives on");
    assert_eq!(old.id, Some(first));
    assert_eq!(old.leader_id, Some(w.p(1)), "leadership passed on");
    assert_eq!(
        old.lobby.as_ref().map(|l| l.selector_ids.clone()),
        Some(vec![w.p(1)])
    );
    // The last member leaving removes the party and its invites.
    w.invite(1, 3).expect("invite");
    let (b, rules) = (w.p(1), w.rules);
    leave(&mut w.state, b, &rules).expect("leave");
    assert!(!w.state.party.parties.contains_key(&first));
    assert!(
        w.state
            .party_overview(w.p(3), w.rules.now)
            .invites
            .is_empty()
    );
}

#[test]
fn leader_leaving_hands_over_to_the_longest_standing_member() {
    let mut w = World::new(4, 8);
    w.party_of_size(4);
    let (a, rules) = (w.p(0), w.rules);
    leave(&mut w.state, a, &rules).expect("leave");
    let party = w.party(1).expect("party");
    assert_eq!(party.leader_id, Some(w.p(1)));
    assert_eq!(party.members.len(), 3);
    assert_eq!(
        party.members[0].role,
        Some(types::KnownPartyRole::Leader.into())
    );
    assert_eq!(
        disband(&mut w.state, w.players[2]),
        Err(PartyError::NotLeader)
    );
    disband(&mut w.state, w.players[1]).expect("leader disbands");
    assert!(w.state.party.parties.is_empty());
    assert!(w.state.party.member_of.is_empty());
}

#[test]
fn lobby_selection_ready_and_launch() {
    let mut w = World::new(4, 8);
    w.party_of_size(4);
    assert_eq!(w.ready(1, true, true), Err(PartyError::NoSelection));
    assert_eq!(w.ready(1, true, false), Err(PartyError::ProfileNotPrepared));
    assert_eq!(w.select(1, true), Err(PartyError::NotSelector));
    let (a, b, rules) = (w.p(0), w.p(1), w.rules);
    assert_eq!(
        set_selectors(&mut w.state, b, &[b], &rules),
        Err(PartyError::NotLeader)
    );
    assert!(matches!(
        set_selectors(&mut w.state, a, &[Uuid::new_v4()], &rules),
        Err(PartyError::InvalidInput(Some(_)))
    ));
    let selectors = set_selectors(&mut w.state, a, &[b, b], &rules).expect("selectors");
    let lobby = selectors.party.and_then(|p| p.lobby).expect("lobby");
    assert_eq!(
        lobby.selector_ids,
        vec![a, b],
        "leader kept, duplicates collapsed"
    );
    let selected = w.select(1, true).expect("a selector selects");
    let before = selected.party.as_ref().map(revision).unwrap_or_default();
    for i in 0..3 {
        let o = w.ready(i, true, true).expect("ready");
        let lobby = o.party.and_then(|p| p.lobby).expect("lobby");
        assert!(lobby.launch_signal.is_none());
    }
    let o = w.ready(3, true, true).expect("ready");
    let lobby = o.party.and_then(|p| p.lobby).expect("lobby");
    assert_eq!(lobby.revision, Some(before + 4));
    let signal = lobby.launch_signal.expect("everyone ready: launch");
    assert_eq!(signal.revision, lobby.revision);
    // A selection change clears ready states and the signal.
    let o = w.select(0, false).expect("select");
    let lobby = o.party.and_then(|p| p.lobby).expect("lobby");
    assert!(lobby.ready.is_empty() && lobby.launch_signal.is_none());
    for i in 0..4 {
        w.ready(i, true, true).expect("ready");
    }
    let lobby = w.party(0).and_then(|p| p.lobby).expect("lobby");
    assert!(lobby.launch_signal.is_none(), "not round-based: no signal");
}

#[test]
fn lookup_collapses_and_skips() {
    let mut w = World::new(4, 8);
    let party = w.party_of_size(2);
    let ids = [w.p(1), Uuid::new_v4(), w.p(0), w.p(1), w.p(3)];
    let answer = lookup(&w.state, &ids);
    let members: Vec<_> = answer
        .memberships
        .iter()
        .map(|m| (m.player_id, m.leader))
        .collect();
    assert_eq!(
        members,
        vec![(Some(w.p(1)), Some(false)), (Some(w.p(0)), Some(true))]
    );
    assert_eq!(answer.parties.len(), 1);
    assert_eq!(answer.parties[0].id, Some(party));
}
