//! Party races: accepts at capacity, the leader leaving while others act, live subscribers
//! joining mid-storm, disbanding racing leaves and accepts, one player accepting several
//! invites.

use super::*;

pub(super) fn invite_body(target: Uuid) -> InviteBody {
    InviteBody {
        target_id: Some(target),
        target_name: None,
    }
}

pub(super) async fn invite(env: &Env, from: &CreatedPlayer, to: &CreatedPlayer) -> Uuid {
    env.party(from)
        .invite_to_party()
        .body(invite_body(to.id))
        .await
        .expect("invite sent")
        .party_id
        .expect("partyId")
}

/// A party led by `players[0]` with the others joined in order; its id.
pub(super) async fn party_of(env: &Env, players: &[&CreatedPlayer]) -> Uuid {
    let id = env
        .party(players[0])
        .create_party()
        .await
        .expect("party created")
        .party
        .and_then(|p| p.id)
        .expect("party id");
    for member in &players[1..] {
        invite(env, players[0], member).await;
        env.party(member)
            .accept_party_invite()
            .inviting_party_id(id)
            .await
            .expect("joined");
    }
    id
}

pub(super) fn accept_invite_task(client: party::Client, party: Uuid) -> BoxFuture<'static, Answer> {
    async move { answer!(client.accept_party_invite().inviting_party_id(party).await) }.boxed()
}

pub(super) fn leave_task(client: party::Client) -> BoxFuture<'static, Answer> {
    async move { answer!(client.leave_party().await) }.boxed()
}

pub(super) fn selection() -> LobbySelectionBody {
    LobbySelectionBody {
        target_kind: "minigame".parse().expect("a non-blank kind"),
        target_id: "ffa".parse().expect("a non-blank id"),
        display_name: None,
        server_address: None,
        minigame: None,
        profile_requirement: None,
    }
}

/// Every player's party snapshot, each checked on its own (member ids unique and within
/// `maxSize`, the caller among them, exactly one leader who is `leaderId`, selectors are
/// members and include the leader, no invite to the party one is in, invites unique) and
/// against each other (everyone in one party sees the same members).
pub(super) async fn party_view(
    env: &Env,
    round: usize,
    players: &[&CreatedPlayer],
) -> BTreeMap<Uuid, PartyOverview> {
    let mut views = BTreeMap::new();
    let mut parties: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
    for player in players {
        let overview = env.party(player).get_party().await.expect("party snapshot");
        let invited: Vec<Uuid> = overview
            .invites
            .iter()
            .map(|i| i.party_id.expect("partyId"))
            .collect();
        assert_unique(round, &format!("{}'s invites", player.name), &invited);
        if let Some(party) = &overview.party {
            let id = party.id.expect("party id");
            let members: Vec<Uuid> = party
                .members
                .iter()
                .map(|m| m.id.expect("member id"))
                .collect();
            assert_unique(round, "members", &members);
            assert!(members.contains(&player.id), "round {round}: {party:?}");
            let max = party.max_size.expect("maxSize") as usize;
            assert!(members.len() <= max, "round {round}: overfull {party:?}");
            let leaders: Vec<Uuid> = party
                .members
                .iter()
                .filter(|m| m.role == Some(KnownPartyRole::Leader.into()))
                .filter_map(|m| m.id)
                .collect();
            assert_eq!(
                leaders,
                party.leader_id.into_iter().collect::<Vec<_>>(),
                "round {round}: one leader, the one leaderId names: {party:?}"
            );
            let lobby = party.lobby.as_ref().expect("lobby");
            assert_unique(round, "selectorIds", &lobby.selector_ids);
            assert!(
                lobby.selector_ids.iter().all(|s| members.contains(s))
                    && party
                        .leader_id
                        .is_some_and(|l| lobby.selector_ids.contains(&l)),
                "round {round}: selectors are members and include the leader: {party:?}"
            );
            assert!(
                !invited.contains(&id),
                "round {round}: {} is invited to the party they are in",
                player.name
            );
            if let Some(seen) = parties.insert(id, members.clone()) {
                assert_eq!(seen, members, "round {round}: members disagree on {id}");
            }
        }
        views.insert(player.id, overview);
    }
    views
}

pub(super) fn party_id_of(
    views: &BTreeMap<Uuid, PartyOverview>,
    player: &CreatedPlayer,
) -> Option<Uuid> {
    views[&player.id].party.as_ref().and_then(|p| p.id)
}

pub(super) fn members_of(
    views: &BTreeMap<Uuid, PartyOverview>,
    player: &CreatedPlayer,
) -> Vec<Uuid> {
    views[&player.id]
        .party
        .as_ref()
        .map(|p| p.members.iter().filter_map(|m| m.id).collect())
        .unwrap_or_default()
}

pub(super) fn invited_to(
    views: &BTreeMap<Uuid, PartyOverview>,
    player: &CreatedPlayer,
) -> Vec<Uuid> {
    views[&player.id]
        .invites
        .iter()
        .filter_map(|i| i.party_id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn party_accepts_at_capacity_never_overfill_and_refused_keep_their_invite() {
    const MAX: usize = 4;
    let env = Env::with(StubConfig {
        party_max_size: MAX,
        ..StubConfig::default()
    })
    .await;
    for round in 0..ROUNDS {
        let players = env
            .players(round, &["lead", "m", "i0", "i1", "i2", "i3", "i4", "i5"])
            .await;
        let (lead, m, invitees) = (&players[0], &players[1], &players[2..]);
        let party = party_of(&env, &[lead, m]).await;
        for invitee in invitees {
            invite(&env, lead, invitee).await;
        }
        let answers = race(
            invitees
                .iter()
                .map(|i| accept_invite_task(env.party(i), party))
                .collect(),
        )
        .await;
        let got = verdicts(&answers);
        let mut expected = vec!["ok".to_owned(); MAX - 2];
        expected.extend(vec![
            "409 PARTY_FULL".to_owned();
            invitees.len() - (MAX - 2)
        ]);
        assert_eq!(
            sorted(got.clone()),
            sorted(expected),
            "round {round}: only the free places are taken"
        );

        let all: Vec<&CreatedPlayer> = players.iter().collect();
        let views = party_view(&env, round, &all).await;
        assert_eq!(members_of(&views, lead).len(), MAX, "round {round}: full");
        for (invitee, verdict) in invitees.iter().zip(&got) {
            let joined = verdict == "ok";
            assert_eq!(
                party_id_of(&views, invitee),
                joined.then_some(party),
                "round {round}: {} {verdict}",
                invitee.name
            );
            assert_eq!(
                invited_to(&views, invitee),
                if joined { vec![] } else { vec![party] },
                "round {round}: a refused accept keeps the invite"
            );
        }
        env.check_dump(round).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn party_leader_leaving_while_others_act_hands_over_once() {
    let env = Env::new().await;
    for round in 0..ROUNDS {
        let players = env
            .players(round, &["lead", "m1", "m2", "m3", "i1", "i2", "x"])
            .await;
        let [lead, m1, m2, m3, i1, i2, x] = &players[..] else {
            unreachable!()
        };
        let party = party_of(&env, &[lead, m1, m2, m3]).await;
        invite(&env, lead, i1).await;
        invite(&env, m1, i2).await;
        env.party(lead)
            .set_party_lobby_selection()
            .body(selection())
            .await
            .expect("selection");
        // m2 follows its party live: the last frame must show the final state.
        let mut live = env.party(m2).live(LiveOptions::default());
        let first = next_frame(&mut live).await;
        assert_eq!(first.party.as_ref().and_then(|p| p.id), Some(party));

        let (m3c, m2c, x_id) = (env.party(m3), env.party(m2), x.id);
        let answers = race(vec![
            leave_task(env.party(lead)),
            leave_task(env.party(m1)),
            accept_invite_task(env.party(i1), party),
            accept_invite_task(env.party(i2), party),
            async move { answer!(m3c.invite_to_party().body(invite_body(x_id)).await) }.boxed(),
            async move {
                answer!(
                    m2c.set_party_ready()
                        .body(SetReadyBody {
                            ready: true,
                            profile_prepared: Some(true),
                            profile_id: None,
                            temporary_profile: None,
                            requirement_hash: None,
                        })
                        .await,
                )
            }
            .boxed(),
        ])
        .await;
        assert_eq!(
            verdicts(&answers),
            ["ok"; 6],
            "round {round}: every call succeeds (invites belong to the party, not the inviter)"
        );

        let all: Vec<&CreatedPlayer> = players.iter().collect();
        let views = party_view(&env, round, &all).await;
        assert_eq!(party_id_of(&views, lead), None, "round {round}");
        assert_eq!(party_id_of(&views, m1), None, "round {round}");
        let members: BTreeSet<Uuid> = members_of(&views, m2).into_iter().collect();
        assert_eq!(
            members,
            BTreeSet::from([m2.id, m3.id, i1.id, i2.id]),
            "round {round}: nobody lost, nobody left behind"
        );
        let final_party = views[&m2.id].party.as_ref().expect("a party");
        assert_eq!(final_party.id, Some(party), "round {round}: the same party");
        assert_eq!(
            final_party.leader_id,
            Some(m2.id),
            "round {round}: the longest-standing member who stayed leads"
        );
        assert_eq!(
            invited_to(&views, x),
            [party],
            "round {round}: x is invited"
        );

        // Nothing lost on the live stream either: it ends on the state the API shows.
        catch_up(round, &mut live, first, &views[&m2.id]).await;
        env.check_dump(round).await;
    }
}

/// Reads a live stream whose newest frame so far is `latest` until it shows `wanted` (the
/// state the API shows once every racing call answered). Pushes are immediate, so
/// [`LIVE_CATCH_UP`] only detects a push that never comes.
pub(super) async fn catch_up(
    round: usize,
    live: &mut social_sdk::LiveStream<PartyOverview>,
    mut latest: PartyOverview,
    wanted: &PartyOverview,
) -> PartyOverview {
    let reached = tokio::time::timeout(LIVE_CATCH_UP, async {
        while latest != *wanted {
            latest = next_frame(live).await;
        }
    })
    .await;
    assert!(
        reached.is_ok(),
        "round {round}: the live stream is stuck on {latest:?}, the API shows {wanted:?}"
    );
    latest
}

/// The next live snapshot (reconnect notices skipped).
pub(super) async fn next_frame(live: &mut social_sdk::LiveStream<PartyOverview>) -> PartyOverview {
    loop {
        let event = tokio::time::timeout(HANG, live.next())
            .await
            .expect("a live frame (a hang here is a lost push)")
            .expect("the stream goes on")
            .expect("no live error");
        if let LiveEvent::Snapshot(snapshot) = event {
            return snapshot;
        }
    }
}

/// What a task of a mixed race gives back.
pub(super) enum Raced {
    /// A mutation's answer.
    Done(Answer),
    /// A live stream that got its first frame.
    Live(
        Uuid,
        Box<PartyOverview>,
        social_sdk::LiveStream<PartyOverview>,
    ),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn party_live_subscribers_joining_mid_storm_end_on_the_final_state() {
    let env = Env::new().await;
    for round in 0..ROUNDS {
        let players = env
            .players(round, &["lead", "p1", "p2", "p3", "p4", "p5", "p6"])
            .await;
        let (lead, others) = (&players[0], &players[1..]);
        let party = party_of(&env, &[lead]).await;
        // Each player opens its live stream while the leader invites it: a subscriber must
        // not miss a change that lands while it subscribes. The stub holds the invites back
        // 0-5 ms (fault rules), so they land across the subscriptions' handshakes.
        let spread: Vec<FaultRule> = (0..others.len() as u64)
            .map(|ms| FaultRule {
                service: Some("party".into()),
                operation: "invite_to_party".into(),
                count: 1,
                status: None,
                body: None,
                retry_after: None,
                delay_ms: Some(ms),
                reset: false,
            })
            .collect();
        env.world.add_faults(&spread).await.expect("delays armed");
        let mut tasks = Vec::new();
        for player in others {
            let (client, id) = (env.party(player), player.id);
            tasks.push(
                async move {
                    let mut live = client.live(LiveOptions::default());
                    let first = next_frame(&mut live).await;
                    Raced::Live(id, Box::new(first), live)
                }
                .boxed(),
            );
            let inviter = env.party(lead);
            tasks.push(
                async move {
                    Raced::Done(answer!(
                        inviter.invite_to_party().body(invite_body(id)).await
                    ))
                }
                .boxed(),
            );
        }
        let raced = race(tasks).await;
        let mut streams = Vec::new();
        for outcome in raced {
            match outcome {
                Raced::Done(answer) => assert_one_of(round, "invite", &answer, &["ok"]),
                Raced::Live(id, first, live) => streams.push((id, *first, live)),
            }
        }
        // Only reads until every stream is checked: any later mutation would refresh every
        // subscriber and hide a push lost while subscribing.
        let all: Vec<&CreatedPlayer> = players.iter().collect();
        let views = party_view(&env, round, &all).await;
        let mut caught_up = Vec::new();
        for (id, latest, mut live) in streams {
            let latest = catch_up(round, &mut live, latest, &views[&id]).await;
            caught_up.push((id, latest, live));
        }
        // Then half of them accept at once; every stream follows.
        let answers = race(
            others[..3]
                .iter()
                .map(|p| accept_invite_task(env.party(p), party))
                .collect(),
        )
        .await;
        assert_eq!(verdicts(&answers), ["ok"; 3], "round {round}: accepts");
        let views = party_view(&env, round, &all).await;
        for (id, latest, mut live) in caught_up {
            catch_up(round, &mut live, latest, &views[&id]).await;
        }
        env.check_dump(round).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn party_disband_racing_leaves_and_accepts_leaves_nobody_behind() {
    let env = Env::new().await;
    for round in 0..ROUNDS {
        let players = env.players(round, &["lead", "m1", "m2", "i1", "i2"]).await;
        let [lead, m1, m2, i1, i2] = &players[..] else {
            unreachable!()
        };
        let party = party_of(&env, &[lead, m1, m2]).await;
        invite(&env, lead, i1).await;
        invite(&env, m2, i2).await;
        let disbander = env.party(lead);
        let answers = race(vec![
            async move { answer!(disbander.disband_party().await) }.boxed(),
            leave_task(env.party(m1)),
            leave_task(env.party(m2)),
            accept_invite_task(env.party(i1), party),
            accept_invite_task(env.party(i2), party),
        ])
        .await;
        assert_one_of(round, "disband", &answers[0], &["ok"]);
        for (i, who) in ["m1 leaves", "m2 leaves"].iter().enumerate() {
            assert_one_of(round, who, &answers[1 + i], &["ok", "404 NOT_IN_PARTY"]);
        }
        for (i, who) in ["i1 accepts", "i2 accepts"].iter().enumerate() {
            // After the disband the invite is gone with its party.
            assert_one_of(round, who, &answers[3 + i], &["ok", "404 NOT_FOUND"]);
        }

        let all: Vec<&CreatedPlayer> = players.iter().collect();
        let views = party_view(&env, round, &all).await;
        for player in &all {
            assert_eq!(
                party_id_of(&views, player),
                None,
                "round {round}: {} is still in a party",
                player.name
            );
            assert!(
                invited_to(&views, player).is_empty(),
                "round {round}: an invite outlived its party"
            );
        }
        let dump = env.dump().await;
        assert!(
            dump["social"]["party"]["parties"]
                .get(party.to_string())
                .is_none(),
            "round {round}: the party is gone"
        );
        env.check_dump(round).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn party_player_accepting_several_invites_ends_in_exactly_one_party() {
    let env = Env::new().await;
    for round in 0..ROUNDS {
        let players = env.players(round, &["a", "b", "c", "p", "q"]).await;
        let [a, b, c, p, q] = &players[..] else {
            unreachable!()
        };
        // p leads a party with q; a, b and c each invite p, and a invites q too.
        let own = party_of(&env, &[p, q]).await;
        let mut parties = Vec::new();
        for leader in [a, b, c] {
            parties.push(invite(&env, leader, p).await);
        }
        invite(&env, a, q).await;
        let mut tasks: Vec<_> = parties
            .iter()
            .map(|party| accept_invite_task(env.party(p), *party))
            .collect();
        tasks.push(accept_invite_task(env.party(q), parties[0]));
        let answers = race(tasks).await;
        assert_eq!(
            verdicts(&answers),
            ["ok"; 4],
            "round {round}: accepting leaves the party one is in"
        );

        let all: Vec<&CreatedPlayer> = players.iter().collect();
        let views = party_view(&env, round, &all).await;
        let joined = party_id_of(&views, p).expect("p is in a party");
        assert!(parties.contains(&joined), "round {round}: {joined}");
        for (leader, party) in [a, b, c].into_iter().zip(&parties) {
            let mut expected = vec![leader.id];
            if *party == parties[0] {
                expected.push(q.id);
            }
            if *party == joined {
                expected.push(p.id);
            }
            let members: BTreeSet<Uuid> = members_of(&views, leader).into_iter().collect();
            assert_eq!(
                members,
                expected.into_iter().collect(),
                "round {round}: {}'s party",
                leader.name
            );
        }
        assert!(invited_to(&views, p).is_empty(), "round {round}: all used");
        let dump = env.dump().await;
        assert!(
            dump["social"]["party"]["parties"]
                .get(own.to_string())
                .is_none(),
            "round {round}: p's old party emptied and went away"
        );
        env.check_dump(round).await;
    }
}
