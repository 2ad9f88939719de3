//! Random operation sequences over the friends rules (proptest): whatever the outcomes, the
//! invariants of the links, requests, counts and visibility hold after every step.

use super::*;
use proptest::prelude::*;

const PLAYERS: usize = 4;

#[derive(Debug, Clone)]
enum Op {
    Send(usize, usize, bool),
    AcceptId(usize, usize),
    DeclineId(usize, usize),
    CancelId(usize, usize),
    AcceptFrom(usize, usize),
    DeclineFrom(usize, usize),
    CancelTo(usize, usize),
    Remove(usize, usize),
    Patch(usize, usize, Option<bool>, u8),
    Block(usize, usize),
    Unblock(usize, usize),
    Report(usize, usize),
    Advance(u32),
    AllowRequests(usize, bool),
    Presence(usize, bool),
}

fn op() -> impl Strategy<Value = Op> {
    let p = || 0..PLAYERS;
    prop_oneof![
        4 => (p(), p(), any::<bool>()).prop_map(|(a, b, n)| Op::Send(a, b, n)),
        2 => (p(), 0..8usize).prop_map(|(a, k)| Op::AcceptId(a, k)),
        1 => (p(), 0..8usize).prop_map(|(a, k)| Op::DeclineId(a, k)),
        1 => (p(), 0..8usize).prop_map(|(a, k)| Op::CancelId(a, k)),
        2 => (p(), p()).prop_map(|(a, b)| Op::AcceptFrom(a, b)),
        1 => (p(), p()).prop_map(|(a, b)| Op::DeclineFrom(a, b)),
        1 => (p(), p()).prop_map(|(a, b)| Op::CancelTo(a, b)),
        1 => (p(), p()).prop_map(|(a, b)| Op::Remove(a, b)),
        2 => (p(), p(), proptest::option::of(any::<bool>()), 0..4u8)
            .prop_map(|(a, b, f, v)| Op::Patch(a, b, f, v)),
        1 => (p(), p()).prop_map(|(a, b)| Op::Block(a, b)),
        1 => (p(), p()).prop_map(|(a, b)| Op::Unblock(a, b)),
        1 => (p(), p()).prop_map(|(a, b)| Op::Report(a, b)),
        1 => (0..100u32).prop_map(Op::Advance),
        1 => (p(), any::<bool>()).prop_map(|(a, on)| Op::AllowRequests(a, on)),
        1 => (p(), any::<bool>()).prop_map(|(a, on)| Op::Presence(a, on)),
    ]
}

fn nth_request(s: &SocialState, k: usize) -> String {
    let ids: Vec<&String> = s.friends.requests.keys().collect();
    if ids.is_empty() {
        "0".repeat(24)
    } else {
        ids[k % ids.len()].clone()
    }
}

fn apply(s: &mut SocialState, r: &mut Rules, p: &[Uuid], op: &Op) {
    let id = |i: usize| Target::Id(p[i]);
    // Outcomes are not asserted here: the invariants below must hold whatever happened.
    let _ = match op {
        Op::Send(a, b, by_name) => {
            let target = if *by_name {
                Target::Name(format!("P{b}"))
            } else {
                id(*b)
            };
            let was_pending_back = s.pending(p[*b], p[*a], r.now).is_some();
            let out = send_request(s, r, p[*a], &target, None);
            if let Ok(entry) = &out {
                let status = name(entry);
                if was_pending_back {
                    assert_eq!(status.as_deref(), Some("ACCEPTED"));
                    assert!(s.are_friends(p[*a], p[*b]));
                } else {
                    assert_eq!(status, None, "pending: no status");
                    assert!(s.pending(p[*a], p[*b], r.now).is_some());
                }
            }
            out.map(drop)
        }
        Op::AcceptId(a, k) => {
            let rid = nth_request(s, *k);
            accept_request(s, r, p[*a], &rid).map(drop)
        }
        Op::DeclineId(a, k) => {
            let rid = nth_request(s, *k);
            decline_request(s, r, p[*a], &rid).map(drop)
        }
        Op::CancelId(a, k) => {
            let rid = nth_request(s, *k);
            cancel_request(s, r, p[*a], &rid)
        }
        Op::AcceptFrom(a, b) => accept_from(s, r, p[*a], &id(*b)),
        Op::DeclineFrom(a, b) => decline_from(s, r, p[*a], &id(*b)),
        Op::CancelTo(a, b) => cancel_to(s, r, p[*a], &id(*b)),
        Op::Remove(a, b) => {
            let out = remove_friend(s, p[*a], &id(*b));
            assert!(!s.are_friends(p[*a], p[*b]));
            out
        }
        Op::Patch(a, b, favorite, v) => {
            let visibility = match v {
                0 => types::KnownFriendVisibility::Default.into(),
                1 => types::KnownFriendVisibility::Limited.into(),
                2 => types::KnownFriendVisibility::Hidden.into(),
                _ => types::FriendVisibility::Unknown(
                    types::FriendVisibilityUnknown::try_from("ODD".to_owned())
                        .expect("unknown value"),
                ),
            };
            let before = s
                .friends
                .links
                .get(&p[*b])
                .and_then(|l| l.get(&p[*a]))
                .cloned();
            let out = update_friend(s, r, p[*a], p[*b], *favorite, Some(&visibility));
            let after = s
                .friends
                .links
                .get(&p[*b])
                .and_then(|l| l.get(&p[*a]))
                .cloned();
            assert_eq!(before, after, "PATCH changes only the caller's side");
            out.map(drop)
        }
        Op::Block(a, b) => {
            let out = block(s, r, p[*a], p[*b], None);
            if out.is_ok() {
                assert!(s.blocks.contains_key(&(p[*a], p[*b])));
            }
            out.map(drop)
        }
        Op::Unblock(a, b) => unblock(s, p[*a], p[*b]),
        Op::Report(a, b) => report(s, r, p[*a], p[*b], None).map(drop),
        Op::Advance(hours) => {
            r.now += Duration::hours(i64::from(*hours));
            Ok(())
        }
        Op::AllowRequests(a, on) => {
            let patch = types::ProfileSettingsPatch {
                allow_friend_requests: Some(*on),
                privacy: None,
            };
            update_profile_settings(s, p[*a], &patch).map(drop)
        }
        Op::Presence(a, on) => {
            let state = if *on { "BUSY" } else { "OFFLINE" };
            s.set_presence(p[*a], state, r.now)
                .map_err(|_| FriendsError::PlayerNotFound)
        }
    };
}

fn check_invariants(s: &SocialState, r: &Rules, p: &[Uuid]) -> Result<(), TestCaseError> {
    for (owner, links) in &s.friends.links {
        prop_assert!(!links.is_empty(), "no empty link maps");
        for friend in links.keys() {
            prop_assert!(owner != friend, "no self link");
            prop_assert!(s.are_friends(*friend, *owner), "links are symmetric");
            prop_assert!(
                !s.blocked_either_way(*owner, *friend),
                "no link across a block"
            );
        }
    }
    for request in s.friends.requests.values() {
        let (a, b) = (request.sender, request.recipient);
        prop_assert!(a != b, "no request to oneself");
        prop_assert!(!s.are_friends(a, b), "no request between friends");
        prop_assert!(!s.blocked_either_way(a, b), "no request across a block");
        prop_assert!(
            !(s.pending(a, b, r.now).is_some() && s.pending(b, a, r.now).is_some()),
            "never pending both ways"
        );
        let live = s
            .friends
            .requests
            .values()
            .filter(|x| x.sender == a && x.recipient == b && !x.expired(r.now))
            .count();
        prop_assert!(live <= 1, "at most one pending request per direction");
    }
    for &player in p {
        let snap = snapshot(s, r, player).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        let counts = snap.counts.clone().unwrap_or_default();
        let n = |x: usize| Some(i32::try_from(x).unwrap_or(i32::MAX));
        prop_assert_eq!(counts.total, n(snap.friends.len()));
        prop_assert_eq!(counts.total, n(s.friend_count(player)));
        let favorites = s
            .friends
            .links
            .get(&player)
            .into_iter()
            .flatten()
            .filter(|(_, l)| l.favorite)
            .count();
        prop_assert_eq!(counts.favorites, n(favorites));
        let online = snap
            .friends
            .iter()
            .filter(|e| {
                e.friend_id
                    .and_then(|f| s.player(f))
                    .is_some_and(Player::online)
            })
            .count();
        prop_assert_eq!(counts.online, n(online));
        let limit = s.friend_limit_of(player, r.default_limit);
        prop_assert_eq!(counts.max, n(limit));
        prop_assert!(s.friend_count(player) <= limit, "never over the limit");

        let requests =
            list_requests(s, r, player).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        for entry in requests.incoming.iter().chain(&requests.outgoing) {
            prop_assert!(
                entry.expires_at.is_some_and(|t| t > r.now),
                "no expired entry"
            );
        }
        prop_assert!(
            requests
                .incoming
                .iter()
                .all(|e| e.recipient_id == Some(player))
        );
        prop_assert!(
            requests
                .outgoing
                .iter()
                .all(|e| e.sender_id == Some(player))
        );

        for &viewer in p.iter().filter(|v| **v != player) {
            let seen = overview(s, r, viewer, player)
                .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            prop_assert!(seen.incoming.is_empty() && seen.outgoing.is_empty());
            prop_assert_eq!(
                seen.counts.as_ref().and_then(|c| c.total),
                n(seen.friends.len())
            );
            for entry in &seen.friends {
                let visibility = s
                    .friends
                    .links
                    .get(&player)
                    .and_then(|l| entry.friend_id.and_then(|f| l.get(&f)))
                    .map(|l| l.visibility);
                prop_assert!(visibility != Some(types::KnownFriendVisibility::Hidden));
                if visibility == Some(types::KnownFriendVisibility::Limited) {
                    prop_assert!(s.are_friends(player, viewer), "LIMITED only for friends");
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_operations_keep_the_invariants(ops in proptest::collection::vec(op(), 1..60)) {
        let (mut s, p) = world(PLAYERS);
        let mut r = rules(start());
        for op in &ops {
            apply(&mut s, &mut r, &p, op);
            check_invariants(&s, &r, &p)?;
        }
    }
}
