//! Random operation sequences over the party rules (proptest): a refused call changes
//! nothing, every invariant of parties, memberships and invites holds after every step, and
//! lobby revisions never go down.

use super::*;
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone)]
enum Op {
    Create(usize),
    Invite(usize, usize),
    InviteByName(usize, usize),
    Accept(usize, usize),
    Decline(usize, usize),
    Leave(usize),
    Disband(usize),
    Select(usize, bool),
    Selectors(usize, u8),
    Ready(usize, bool, bool),
    Block(usize, usize),
    Unblock(usize, usize),
    Advance(u16),
}

fn op() -> impl Strategy<Value = Op> {
    let p = || 0..PLAYERS;
    prop_oneof![
        1 => p().prop_map(Op::Create),
        4 => (p(), p()).prop_map(|(a, b)| Op::Invite(a, b)),
        1 => (p(), p()).prop_map(|(a, b)| Op::InviteByName(a, b)),
        5 => (p(), 0..4usize).prop_map(|(a, i)| Op::Accept(a, i)),
        1 => (p(), 0..4usize).prop_map(|(a, i)| Op::Decline(a, i)),
        2 => p().prop_map(Op::Leave),
        1 => p().prop_map(Op::Disband),
        2 => (p(), any::<bool>()).prop_map(|(a, r)| Op::Select(a, r)),
        2 => (p(), any::<u8>()).prop_map(|(a, m)| Op::Selectors(a, m)),
        4 => (p(), any::<bool>(), any::<bool>()).prop_map(|(a, r, q)| Op::Ready(a, r, q)),
        1 => (p(), p()).prop_map(|(a, b)| Op::Block(a, b)),
        1 => (p(), p()).prop_map(|(a, b)| Op::Unblock(a, b)),
        1 => (0..90u16).prop_map(Op::Advance),
    ]
}

/// The `i`-th invite addressed to `player` (expired ones included), or an unknown party.
fn nth_invite(w: &World, player: Uuid, i: usize) -> Uuid {
    let keys: Vec<Uuid> = w
        .state
        .party
        .invites
        .get(&player)
        .map(|by_party| by_party.keys().copied().collect())
        .unwrap_or_default();
    keys.get(i).copied().unwrap_or_else(Uuid::new_v4)
}

fn apply(w: &mut World, op: &Op) -> Result<(), PartyError> {
    let rules = w.rules;
    let p = |i: usize| w.players[i % w.players.len()];
    match *op {
        Op::Create(a) => create(&mut w.state, p(a), &rules).map(drop),
        Op::Invite(a, b) => invite(&mut w.state, p(a), Some(p(b)), None, &rules).map(drop),
        Op::InviteByName(a, b) => {
            let name = format!("P{}", b % PLAYERS);
            invite(&mut w.state, p(a), None, Some(&name), &rules).map(drop)
        }
        Op::Accept(a, i) => {
            let party = nth_invite(w, p(a), i);
            accept(&mut w.state, p(a), party, &rules).map(drop)
        }
        Op::Decline(a, i) => {
            let party = nth_invite(w, p(a), i);
            decline(&mut w.state, p(a), party, &rules)
        }
        Op::Leave(a) => leave(&mut w.state, p(a), &rules).map(drop),
        Op::Disband(a) => disband(&mut w.state, p(a)),
        Op::Select(a, round_based) => w.select(a, round_based).map(drop),
        Op::Selectors(a, mask) => {
            let ids: Vec<Uuid> = (0..PLAYERS)
                .filter(|i| mask & (1 << i) != 0)
                .map(p)
                .collect();
            set_selectors(&mut w.state, p(a), &ids, &rules).map(drop)
        }
        Op::Ready(a, ready, prepared) => w.ready(a, ready, prepared).map(drop),
        Op::Block(a, b) => {
            let block = Block {
                reason: None,
                created_at: rules.now,
                updated_at: rules.now,
            };
            w.state.blocks.insert((p(a), p(b)), block);
            Ok(())
        }
        Op::Unblock(a, b) => {
            w.state.blocks.remove(&(p(a), p(b)));
            Ok(())
        }
        Op::Advance(secs) => {
            w.rules.now += Duration::seconds(i64::from(secs));
            Ok(())
        }
    }
}

/// Every invariant of the party world; the first broken one, if any.
fn broken_invariant(w: &World) -> Option<String> {
    let parties = &w.state.party.parties;
    for (id, party) in parties {
        if party.id != *id {
            return Some(format!("party {id} is filed under another id"));
        }
        if party.members.is_empty() {
            return Some(format!("party {id} is empty"));
        }
        if party.members.len() > party.max_size {
            return Some(format!("party {id} is over its maxSize"));
        }
        let members: BTreeSet<Uuid> = party.members.iter().map(|m| m.id).collect();
        if members.len() != party.members.len() {
            return Some(format!("party {id} lists a member twice"));
        }
        if !members.contains(&party.leader) {
            return Some(format!("the leader of {id} is not a member"));
        }
        if !party.lobby.selector_ids.contains(&party.leader) {
            return Some(format!("the leader of {id} is not a selector"));
        }
        if let Some(s) = party
            .lobby
            .selector_ids
            .iter()
            .find(|s| !members.contains(s))
        {
            return Some(format!("selector {s} of {id} is not a member"));
        }
        if let Some(r) = party.lobby.ready.keys().find(|r| !members.contains(r)) {
            return Some(format!("ready entry {r} of {id} is not a member"));
        }
        for m in &members {
            if w.state.party_of(*m) != Some(*id) {
                return Some(format!("member {m} of {id} is filed under another party"));
            }
        }
    }
    for (player, party) in &w.state.party.member_of {
        let holds = parties.get(party).is_some_and(|p| p.is_member(*player));
        if !holds {
            return Some(format!("{player} is filed under {party}, which lacks them"));
        }
        let count = parties.values().filter(|p| p.is_member(*player)).count();
        if count != 1 {
            return Some(format!("{player} is in {count} parties"));
        }
    }
    for (invitee, by_party) in &w.state.party.invites {
        for (party, invite) in by_party {
            match parties.get(party) {
                None => return Some(format!("an invite points at removed party {party}")),
                Some(p) if p.is_member(*invitee) => {
                    return Some(format!("{invitee} holds an invite to their own party"));
                }
                Some(_) if invite.invitee != *invitee || invite.party_id != *party => {
                    return Some("an invite is filed under the wrong key".into());
                }
                Some(_) => {}
            }
        }
    }
    for player in &w.players {
        let overview = w.state.party_overview(*player, w.rules.now);
        if overview.party.as_ref().and_then(|p| p.id) != w.state.party_of(*player) {
            return Some(format!("the snapshot of {player} shows another party"));
        }
        if overview
            .invites
            .iter()
            .any(|i| i.expires_at.is_none_or(|e| e <= w.rules.now))
        {
            return Some(format!("the snapshot of {player} lists an expired invite"));
        }
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_sequences_keep_the_invariants(
        max_size in 1..5usize,
        ops in proptest::collection::vec(op(), 1..80),
    ) {
        let mut w = World::new(PLAYERS, max_size);
        for op in &ops {
            let before = serde_json::to_value(&w.state.party).unwrap_or_default();
            let revisions: BTreeMap<Uuid, i64> = w
                .state
                .party
                .parties
                .iter()
                .map(|(id, p)| (*id, p.lobby.revision))
                .collect();
            let result = apply(&mut w, op);
            if let Err(error) = &result {
                let after = serde_json::to_value(&w.state.party).unwrap_or_default();
                prop_assert_eq!(&before, &after, "{:?} refused with {:?} but changed the state", op, error);
            }
            if let Some(broken) = broken_invariant(&w) {
                return Err(TestCaseError::fail(format!("after {op:?} ({result:?}): {broken}")));
            }
            for (id, party) in &w.state.party.parties {
                if let Some(old) = revisions.get(id) {
                    prop_assert!(party.lobby.revision >= *old, "revision of {} went down", id);
                }
            }
        }
    }
}
