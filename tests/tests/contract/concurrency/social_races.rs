//! Social friends races: answers to one request, crossed and duplicate requests, the friend
//! limit under a crowd, and a block racing an accept.

use super::*;

pub(super) fn send_body(target: Uuid) -> SendFriendRequestBody {
    SendFriendRequestBody {
        target_id: Some(target),
        target_name: None,
        note: None,
    }
}

pub(super) fn server_target(actor: Uuid, target: Uuid) -> ServerTargetBody {
    ServerTargetBody {
        actor_id: actor,
        target_id: Some(target),
        target_name: None,
    }
}

pub(super) async fn send(env: &Env, from: &CreatedPlayer, to: &CreatedPlayer) -> String {
    env.social(from)
        .send_social_friend_request()
        .body(send_body(to.id))
        .await
        .expect("request sent")
        .id
        .expect("request id")
}

pub(super) fn send_task(client: social_friends::Client, to: Uuid) -> BoxFuture<'static, Answer> {
    async move {
        answer!(
            client
                .send_social_friend_request()
                .body(send_body(to))
                .await,
        )
    }
    .boxed()
}

pub(super) fn accept_task(
    client: social_friends::Client,
    id: String,
) -> BoxFuture<'static, Answer> {
    async move { answer!(client.accept_social_friend_request().id(id).await) }.boxed()
}

/// The request status of a successful send or accept answer.
pub(super) fn request_status(answer: &Answer) -> Option<KnownFriendRequestStatus> {
    let entry: FriendRequestEntry =
        serde_json::from_value(answer.as_ref().ok()?.clone()).expect("a request entry");
    match entry.status? {
        FriendRequestStatus::KnownFriendRequestStatus(status) => Some(status),
        FriendRequestStatus::Unknown(_) => None,
    }
}

/// What the API shows of some players: friends and pending requests (id, sender, recipient).
#[derive(Debug, Default)]
pub(super) struct SocialView {
    pub(super) friends: BTreeMap<Uuid, BTreeSet<Uuid>>,
    pub(super) requests: BTreeSet<(String, Uuid, Uuid)>,
}

impl SocialView {
    pub(super) fn friends_of(&self, player: &CreatedPlayer) -> &BTreeSet<Uuid> {
        &self.friends[&player.id]
    }

    pub(super) fn are_friends(&self, a: &CreatedPlayer, b: &CreatedPlayer) -> bool {
        self.friends_of(a).contains(&b.id)
    }

    /// Pending requests between two players, either way.
    pub(super) fn requests_between(
        &self,
        a: &CreatedPlayer,
        b: &CreatedPlayer,
    ) -> Vec<&(String, Uuid, Uuid)> {
        self.requests
            .iter()
            .filter(|(_, s, r)| (*s == a.id && *r == b.id) || (*s == b.id && *r == a.id))
            .collect()
    }
}

/// Reads every player's friends and requests through the API and checks what one player's
/// view must agree with: counts equal list lengths, no duplicates, links symmetric, each
/// request seen by both ends, no request between friends, at most one per pair.
pub(super) async fn social_view(env: &Env, round: usize, players: &[&CreatedPlayer]) -> SocialView {
    let mut view = SocialView::default();
    let mut seen: BTreeMap<(String, Uuid, Uuid), usize> = BTreeMap::new();
    for player in players {
        let client = env.social(player);
        let snapshot = client.get_social_friends().await.expect("friends snapshot");
        let ids: Vec<Uuid> = snapshot
            .friends
            .iter()
            .map(|f| f.friend_id.expect("friendId"))
            .collect();
        assert_unique(round, &format!("{}'s friends", player.name), &ids);
        let counts = snapshot.counts.expect("counts");
        assert_eq!(
            counts.total,
            Some(ids.len() as i32),
            "round {round}: {}'s counts.total vs the list",
            player.name
        );
        assert!(
            counts.total <= counts.max,
            "round {round}: {} is over the limit: {counts:?}",
            player.name
        );
        assert!(
            !ids.contains(&player.id),
            "round {round}: a self-friendship"
        );
        view.friends.insert(player.id, ids.into_iter().collect());

        let requests = client
            .list_social_friend_requests()
            .await
            .expect("requests");
        let mut request_ids = Vec::new();
        for (entry, incoming) in requests
            .incoming
            .iter()
            .map(|e| (e, true))
            .chain(requests.outgoing.iter().map(|e| (e, false)))
        {
            let id = entry.id.clone().expect("request id");
            let (sender, recipient) = (
                entry.sender_id.expect("senderId"),
                entry.recipient_id.expect("recipientId"),
            );
            let me = if incoming { recipient } else { sender };
            assert_eq!(
                me, player.id,
                "round {round}: {}'s list holds someone else's request {entry:?}",
                player.name
            );
            request_ids.push(id.clone());
            *seen.entry((id, sender, recipient)).or_default() += 1;
        }
        assert_unique(round, &format!("{}'s requests", player.name), &request_ids);
    }
    let known: BTreeSet<Uuid> = players.iter().map(|p| p.id).collect();
    for (owner, friends) in &view.friends {
        for friend in friends.iter().filter(|f| known.contains(f)) {
            assert!(
                view.friends[friend].contains(owner),
                "round {round}: {owner} lists {friend} as a friend, not the other way round"
            );
        }
    }
    for ((id, sender, recipient), times) in seen {
        if known.contains(&sender) && known.contains(&recipient) {
            assert_eq!(
                times, 2,
                "round {round}: request {id} is listed by one end only"
            );
            assert!(
                !view.friends[&sender].contains(&recipient),
                "round {round}: request {id} is pending between friends"
            );
        }
        view.requests.insert((id, sender, recipient));
    }
    let mut pairs = BTreeSet::new();
    for (id, sender, recipient) in &view.requests {
        let pair = ((*sender).min(*recipient), (*sender).max(*recipient));
        assert!(
            pairs.insert(pair),
            "round {round}: more than one pending request between {pair:?} ({id})"
        );
    }
    view
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn social_answers_to_one_request_have_one_winner() {
    let env = Env::new().await;
    for round in 0..ROUNDS {
        let players = env.players(round, &["a", "b"]).await;
        let (a, b) = (&players[0], &players[1]);
        let id = send(&env, a, b).await;
        let names = [
            "accept",
            "accept (server route)",
            "second accept",
            "decline",
            "cancel",
        ];
        let (ca, cb, server) = (env.social(a), env.social(b), env.social_server());
        let (id2, id3, id4) = (id.clone(), id.clone(), id.clone());
        let (a_id, b_id) = (a.id, b.id);
        let answers = race(vec![
            accept_task(cb.clone(), id.clone()),
            async move {
                answer!(
                    server
                        .server_accept_friend_request()
                        .body(server_target(b_id, a_id))
                        .await,
                )
            }
            .boxed(),
            accept_task(env.social(b), id2),
            async move { answer!(cb.decline_social_friend_request().id(id3).await) }.boxed(),
            async move { answer!(ca.cancel_social_friend_request().id(id4).await) }.boxed(),
        ])
        .await;
        let got = verdicts(&answers);
        assert_eq!(
            sorted(got.clone()),
            ["404 NOT_FOUND"; 4]
                .into_iter()
                .chain(["ok"])
                .map(String::from)
                .collect::<Vec<_>>(),
            "round {round}: exactly one answer wins, the others find the request gone: {names:?} → {got:?}"
        );
        let won = got.iter().position(|v| v == "ok").expect("a winner");
        let (winner, accepted) = (names[won], names[won].contains("accept"));
        if winner == "accept" || winner == "second accept" {
            assert_eq!(
                request_status(&answers[won]),
                Some(KnownFriendRequestStatus::Accepted),
                "round {round}: the user route answers the accepted entry"
            );
        }

        let view = social_view(&env, round, &[a, b]).await;
        assert_eq!(
            view.are_friends(a, b),
            accepted,
            "round {round}: {winner} won, so friends = {accepted}"
        );
        assert!(
            view.requests_between(a, b).is_empty(),
            "round {round}: the request is gone whoever won"
        );
        env.check_dump(round).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn social_crossed_and_duplicate_requests_make_one_friendship_or_one_request() {
    let env = Env::new().await;
    for round in 0..ROUNDS {
        let players = env.players(round, &["a", "b", "c", "d"]).await;
        let (a, b, c, d) = (&players[0], &players[1], &players[2], &players[3]);
        let answers = race(vec![
            // a and b ask each other at the same time.
            send_task(env.social(a), b.id),
            send_task(env.social(b), a.id),
            // c asks d twice at the same time, through two routes.
            send_task(env.social(c), d.id),
            {
                let server = env.social_server();
                let (c_id, d_id) = (c.id, d.id);
                async move {
                    answer!(
                        server
                            .server_send_friend_request()
                            .body(ServerSendFriendRequestBody {
                                actor_id: c_id,
                                target_id: Some(d_id),
                                target_name: None,
                                note: None,
                            })
                            .await,
                    )
                }
                .boxed()
            },
        ])
        .await;
        let got = verdicts(&answers);
        assert_eq!(&got[..2], ["ok", "ok"], "round {round}: crossed requests");
        let statuses = [request_status(&answers[0]), request_status(&answers[1])];
        assert!(
            // A pending entry carries no status (the seed's request entry has none).
            statuses.contains(&None)
                && statuses.contains(&Some(KnownFriendRequestStatus::Accepted)),
            "round {round}: one request is sent, the other accepts it: {statuses:?}"
        );
        assert_eq!(
            sorted(got[2..].to_vec()),
            ["409 REQUEST_ALREADY_PENDING", "ok"],
            "round {round}: a duplicate request is refused"
        );

        let view = social_view(&env, round, &[a, b, c, d]).await;
        assert!(view.are_friends(a, b), "round {round}: a and b are friends");
        assert_eq!(view.friends_of(a).len(), 1, "round {round}: once");
        assert!(view.requests_between(a, b).is_empty(), "round {round}");
        assert!(!view.are_friends(c, d), "round {round}");
        assert_eq!(
            view.requests_between(c, d).len(),
            1,
            "round {round}: exactly one request from c to d"
        );
        env.check_dump(round).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn social_friend_limit_holds_when_many_race_to_one_player() {
    const LIMIT: usize = 3;
    let env = Env::with(StubConfig {
        social_friend_limit: LIMIT,
        ..StubConfig::default()
    })
    .await;
    for round in 0..ROUNDS {
        let players = env
            .players(round, &["t", "h", "p0", "p1", "p2", "p3", "p4", "p5"])
            .await;
        let (t, h, ps) = (&players[0], &players[1], &players[2..]);
        // t has one friend; two places are left.
        let first = send(&env, h, t).await;
        env.social(t)
            .accept_social_friend_request()
            .id(first)
            .await
            .expect("accepted");
        // p0..p2 asked t; t asked p3..p5.
        let mut ids = Vec::new();
        for p in &ps[..3] {
            ids.push(send(&env, p, t).await);
        }
        for p in &ps[3..] {
            send(&env, t, p).await;
        }
        // t accepts the three, the other three accept t's by asking back.
        let mut tasks: Vec<_> = ids
            .iter()
            .map(|id| accept_task(env.social(t), id.clone()))
            .collect();
        tasks.extend(ps[3..].iter().map(|p| send_task(env.social(p), t.id)));
        let answers = race(tasks).await;
        let got = verdicts(&answers);
        let mut expected = vec!["ok".to_owned(); LIMIT - 1];
        expected.extend(vec!["409 FRIEND_LIMIT_REACHED".to_owned(); 6 - (LIMIT - 1)]);
        assert_eq!(
            sorted(got.clone()),
            sorted(expected),
            "round {round}: only the free places are taken: {got:?}"
        );

        let all: Vec<&CreatedPlayer> = players.iter().collect();
        let view = social_view(&env, round, &all).await;
        assert_eq!(view.friends_of(t).len(), LIMIT, "round {round}: t is full");
        for (i, p) in ps.iter().enumerate() {
            let won = got[i] == "ok";
            assert_eq!(view.are_friends(t, p), won, "round {round}: {}", p.name);
            // A refused accept changes nothing: the request stays pending.
            assert_eq!(
                view.requests_between(t, p).len(),
                usize::from(!won),
                "round {round}: {}'s request",
                p.name
            );
        }
        env.check_dump(round).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn social_block_racing_accept_leaves_a_block_and_nothing_else() {
    let env = Env::new().await;
    for round in 0..ROUNDS {
        let players = env.players(round, &["a", "b"]).await;
        let (a, b) = (&players[0], &players[1]);
        let id = send(&env, a, b).await;
        let blocker = env.social(a);
        let b_id = b.id;
        let answers = race(vec![
            async move {
                answer!(
                    blocker
                        .block_player()
                        .body(BlockBody {
                            target_id: b_id,
                            reason: None,
                        })
                        .await,
                )
            }
            .boxed(),
            accept_task(env.social(b), id.clone()),
            send_task(env.social(b), a.id),
            send_task(env.social(a), b.id),
        ])
        .await;
        let [block, accept, back, again] = &answers[..] else {
            unreachable!()
        };
        assert_one_of(round, "block", block, &["ok"]);
        assert_one_of(round, "accept", accept, &["ok", "404 NOT_FOUND"]);
        // Asking back accepts a's request, unless the accept or the block came first.
        assert_one_of(
            round,
            "asking back",
            back,
            &["ok", "409 ALREADY_FRIENDS", "403 BLOCKED"],
        );
        if back.is_ok() {
            assert_eq!(
                request_status(back),
                Some(KnownFriendRequestStatus::Accepted),
                "round {round}: asking back accepts, it never opens a second request"
            );
        }
        assert_one_of(
            round,
            "asking again",
            again,
            &[
                "409 REQUEST_ALREADY_PENDING",
                "409 ALREADY_FRIENDS",
                "403 BLOCKED",
            ],
        );
        assert!(
            !(accept.is_ok() && back.is_ok()),
            "round {round}: one request made two friendships: {:?}",
            verdicts(&answers)
        );

        let view = social_view(&env, round, &[a, b]).await;
        assert!(!view.are_friends(a, b), "round {round}: the block unlinks");
        assert!(view.requests_between(a, b).is_empty(), "round {round}");
        let blocks = env.social(a).list_blocks().await.expect("blocks");
        let blocked: Vec<Uuid> = blocks
            .blocks
            .iter()
            .filter_map(|b| b.blocked_user_id)
            .collect();
        assert_eq!(blocked, [b.id], "round {round}: one block");
        env.check_dump(round).await;
    }
}
