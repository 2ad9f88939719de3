//! Concurrency (issue 8): many clients racing the same mutations keep every invariant.
//!
//! Each test boots one stub on a multi-threaded runtime (so handlers really run in parallel)
//! and repeats its race for [`ROUNDS`] rounds, each with fresh players. A race spawns one task
//! per request and releases them all through one `Barrier`. After every round the invariants
//! are checked twice: through the API (counts equal list lengths, no duplicate ids, links
//! symmetric, no request both pending and accepted) and on the world's state dump
//! (`GET /__stub/worlds/{w}/state`, every service at once). The expected final state of each
//! round is derived from the answers the clients got, so a mutation a client saw succeed and
//! the state then lost fails the round.

use chrono::{DateTime, Utc};
use contract_tests::env::Env as Harness;
use futures::future::{BoxFuture, FutureExt, join_all};
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use social_sdk::party::types::{
    InviteBody, KnownPartyRole, LobbySelectionBody, PartyOverview, SetReadyBody,
};
use social_sdk::roster::types::{RosterApplicationRequest, RosterDeclineRequest};
use social_sdk::social_friends::types::{
    BlockBody, FriendRequestEntry, FriendRequestStatus, KnownFriendRequestStatus,
    SendFriendRequestBody, ServerSendFriendRequestBody, ServerTargetBody,
};
use social_sdk::{Auth, Error, LiveEvent, LiveOptions, friends, party, roster, social_friends};
use social_stub::StubConfig;
use social_stub::roblox::CreatedUser;
use social_stub::roster::{CreatedRosterApp, CreatedRosterUser};
use social_stub::social::CreatedPlayer;
use social_stub::world::FaultRule;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Barrier;
use uuid::Uuid;

/// Rounds per race: enough to hit different interleavings, few enough for 2 CI cores.
const ROUNDS: usize = 20;
/// A race or a live frame taking longer than this is a hang (a deadlock), not slowness.
const HANG: Duration = Duration::from_secs(30);
/// How long a live stream may take to show a state the API already shows (a hang detector:
/// a push is immediate, a lost one never comes).
const LIVE_CATCH_UP: Duration = Duration::from_secs(10);
const SERVER: &str = "srv-race";

// ---- racing -------------------------------------------------------------------------------

/// What a racing request answered: its decoded body as JSON, or the SDK's error.
type Answer = Result<Value, Error>;

/// Turns an SDK answer into an [`Answer`] (a macro: the tests crate does not depend on
/// serde to name `Serialize`).
macro_rules! answer {
    ($result:expr $(,)?) => {
        $result.map(|value| serde_json::to_value(value).expect("an answer serialises"))
    };
}

/// Runs every task on the runtime's workers, all released at once by one barrier; the
/// answers come back in task order. A race that does not finish within [`HANG`] fails.
async fn race<T: Send + 'static>(tasks: Vec<BoxFuture<'static, T>>) -> Vec<T> {
    let barrier = Arc::new(Barrier::new(tasks.len()));
    let handles = tasks.into_iter().map(|task| {
        let barrier = barrier.clone();
        tokio::spawn(async move {
            barrier.wait().await;
            task.await
        })
    });
    tokio::time::timeout(HANG, join_all(handles))
        .await
        .expect("the race finished (a hang here is a deadlock in the stub)")
        .into_iter()
        .map(|joined| joined.expect("a racing task panicked"))
        .collect()
}

/// `ok`, or `<status> <code>` (`404 NOT_FOUND`, roster `200 10007`, Friends `400 10`).
fn verdict(answer: &Answer) -> String {
    match answer {
        Ok(_) => "ok".into(),
        Err(error) => format!(
            "{} {}",
            error.status().map_or(0, |s| s.as_u16()),
            error.code().map_or_else(|| "?".into(), ToString::to_string)
        ),
    }
}

fn verdicts(answers: &[Answer]) -> Vec<String> {
    answers.iter().map(verdict).collect()
}

/// The verdicts, sorted (for comparing outcomes whose order depends on the interleaving).
fn sorted(mut verdicts: Vec<String>) -> Vec<String> {
    verdicts.sort();
    verdicts
}

#[track_caller]
fn assert_one_of(round: usize, what: &str, answer: &Answer, allowed: &[&str]) {
    let got = verdict(answer);
    assert!(
        allowed.contains(&got.as_str()),
        "round {round}: {what} answered {got} ({answer:?}); allowed: {allowed:?}"
    );
}

#[track_caller]
fn assert_unique<T: Ord + std::fmt::Debug + Clone>(round: usize, what: &str, items: &[T]) {
    let set: BTreeSet<T> = items.iter().cloned().collect();
    assert_eq!(
        set.len(),
        items.len(),
        "round {round}: duplicate ids in {what}: {items:?}"
    );
}

// ---- the environment ------------------------------------------------------------------------

/// The harness's `Env` (one stub on the multi-threaded runtime, one world, the SDK
/// pointed at every service of it) with game server `srv-race` registered.
struct Env {
    env: Harness,
    /// The social friend limit the stub runs with.
    social_limit: usize,
}

impl std::ops::Deref for Env {
    type Target = Harness;

    fn deref(&self) -> &Harness {
        &self.env
    }
}

impl Env {
    async fn new() -> Self {
        Self::with(StubConfig::default()).await
    }

    async fn with(stub_config: StubConfig) -> Self {
        let social_limit = stub_config.social_friend_limit;
        let env = Harness::with(stub_config).await;
        env.world.register_server(SERVER).await.expect("server");
        Self { env, social_limit }
    }

    async fn player(&self, name: String) -> CreatedPlayer {
        self.world
            .create_player(json!({ "name": name }))
            .await
            .expect("player created")
    }

    async fn players(&self, round: usize, names: &[&str]) -> Vec<CreatedPlayer> {
        let mut players = Vec::with_capacity(names.len());
        for name in names {
            players.push(self.player(format!("r{round}-{name}")).await);
        }
        players
    }

    fn social_server(&self) -> social_friends::Client {
        self.env.social_server(SERVER)
    }

    /// Every world-wide invariant of the state dump, for every service.
    async fn check_dump(&self, round: usize) {
        let dump = self.dump().await;
        let mut broken = social_dump_violations(&dump, self.social_limit);
        broken.extend(party_dump_violations(&dump));
        broken.extend(roster_dump_violations(&dump));
        broken.extend(roblox_dump_violations(&dump));
        assert!(
            broken.is_empty(),
            "round {round}: the state dump breaks invariants:\n{}",
            broken.join("\n")
        );
    }
}

// ---- social friends -------------------------------------------------------------------------

fn send_body(target: Uuid) -> SendFriendRequestBody {
    SendFriendRequestBody {
        target_id: Some(target),
        target_name: None,
        note: None,
    }
}

fn server_target(actor: Uuid, target: Uuid) -> ServerTargetBody {
    ServerTargetBody {
        actor_id: actor,
        target_id: Some(target),
        target_name: None,
    }
}

async fn send(env: &Env, from: &CreatedPlayer, to: &CreatedPlayer) -> String {
    env.social(from)
        .send_social_friend_request()
        .body(send_body(to.id))
        .await
        .expect("request sent")
        .id
        .expect("request id")
}

fn send_task(client: social_friends::Client, to: Uuid) -> BoxFuture<'static, Answer> {
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

fn accept_task(client: social_friends::Client, id: String) -> BoxFuture<'static, Answer> {
    async move { answer!(client.accept_social_friend_request().id(id).await) }.boxed()
}

/// The request status of a successful send or accept answer.
fn request_status(answer: &Answer) -> Option<KnownFriendRequestStatus> {
    let entry: FriendRequestEntry =
        serde_json::from_value(answer.as_ref().ok()?.clone()).expect("a request entry");
    match entry.status? {
        FriendRequestStatus::KnownFriendRequestStatus(status) => Some(status),
        FriendRequestStatus::Unknown(_) => None,
    }
}

/// What the API shows of some players: friends and pending requests (id, sender, recipient).
#[derive(Debug, Default)]
struct SocialView {
    friends: BTreeMap<Uuid, BTreeSet<Uuid>>,
    requests: BTreeSet<(String, Uuid, Uuid)>,
}

impl SocialView {
    fn friends_of(&self, player: &CreatedPlayer) -> &BTreeSet<Uuid> {
        &self.friends[&player.id]
    }

    fn are_friends(&self, a: &CreatedPlayer, b: &CreatedPlayer) -> bool {
        self.friends_of(a).contains(&b.id)
    }

    /// Pending requests between two players, either way.
    fn requests_between(&self, a: &CreatedPlayer, b: &CreatedPlayer) -> Vec<&(String, Uuid, Uuid)> {
        self.requests
            .iter()
            .filter(|(_, s, r)| (*s == a.id && *r == b.id) || (*s == b.id && *r == a.id))
            .collect()
    }
}

/// Reads every player's friends and requests through the API and checks what one player's
/// view must agree with: counts equal list lengths, no duplicates, links symmetric, each
/// request seen by both ends, no request between friends, at most one per pair.
async fn social_view(env: &Env, round: usize, players: &[&CreatedPlayer]) -> SocialView {
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
            statuses.contains(&Some(KnownFriendRequestStatus::Pending))
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

// ---- party -----------------------------------------------------------------------------------

fn invite_body(target: Uuid) -> InviteBody {
    InviteBody {
        target_id: Some(target),
        target_name: None,
    }
}

async fn invite(env: &Env, from: &CreatedPlayer, to: &CreatedPlayer) -> Uuid {
    env.party(from)
        .invite_to_party()
        .body(invite_body(to.id))
        .await
        .expect("invite sent")
        .party_id
        .expect("partyId")
}

/// A party led by `players[0]` with the others joined in order; its id.
async fn party_of(env: &Env, players: &[&CreatedPlayer]) -> Uuid {
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
            .party_id(id)
            .await
            .expect("joined");
    }
    id
}

fn accept_invite_task(client: party::Client, party: Uuid) -> BoxFuture<'static, Answer> {
    async move { answer!(client.accept_party_invite().party_id(party).await) }.boxed()
}

fn leave_task(client: party::Client) -> BoxFuture<'static, Answer> {
    async move { answer!(client.leave_party().await) }.boxed()
}

fn selection() -> LobbySelectionBody {
    LobbySelectionBody {
        target_kind: "minigame".into(),
        target_id: "ffa".into(),
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
async fn party_view(
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

fn party_id_of(views: &BTreeMap<Uuid, PartyOverview>, player: &CreatedPlayer) -> Option<Uuid> {
    views[&player.id].party.as_ref().and_then(|p| p.id)
}

fn members_of(views: &BTreeMap<Uuid, PartyOverview>, player: &CreatedPlayer) -> Vec<Uuid> {
    views[&player.id]
        .party
        .as_ref()
        .map(|p| p.members.iter().filter_map(|m| m.id).collect())
        .unwrap_or_default()
}

fn invited_to(views: &BTreeMap<Uuid, PartyOverview>, player: &CreatedPlayer) -> Vec<Uuid> {
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
async fn catch_up(
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
async fn next_frame(live: &mut social_sdk::LiveStream<PartyOverview>) -> PartyOverview {
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
enum Raced {
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

// ---- roster ----------------------------------------------------------------------------------

/// Roster codes (`info.x-business-codes` of `openapi/roster.yaml`) as verdicts.
const NO_APPLICATION: &str = "200 10007";

struct Im<'a> {
    env: &'a Env,
    app: CreatedRosterApp,
}

impl Im<'_> {
    /// A user whose consent is needed (`auth_mode` 1).
    async fn user(&self, name: String) -> CreatedRosterUser {
        self.env
            .world
            .create_roster_user(&self.app.app_id, json!({"username": name, "authMode": 1}))
            .await
            .expect("roster user")
    }

    fn client(&self, user: &CreatedRosterUser) -> roster::Client {
        self.env
            .config
            .roster(Auth::roster(self.app.app_id.as_str(), user.token.as_str()))
    }
}

fn batch_task(client: roster::Client, to: Vec<i64>) -> BoxFuture<'static, Answer> {
    let items = to
        .into_iter()
        .map(|user_id| RosterApplicationRequest {
            alias: None,
            reason: Some("race".into()),
            user_id,
        })
        .collect::<Vec<_>>();
    async move { answer!(client.apply_roster_friends_batch().body(items).await) }.boxed()
}

fn roster_apply_task(client: roster::Client, to: i64) -> BoxFuture<'static, Answer> {
    async move {
        answer!(
            client
                .apply_roster_friend()
                .body_map(|b| b.user_id(to))
                .await,
        )
    }
    .boxed()
}

fn roster_accept_task(client: roster::Client, from: i64) -> BoxFuture<'static, Answer> {
    async move { answer!(client.accept_roster_application().user_id(from).await) }.boxed()
}

/// What the roster API shows: friend ids and received applications (applicant → status).
#[derive(Debug, Default)]
struct RosterView {
    friends: BTreeMap<i64, BTreeSet<i64>>,
    received: BTreeMap<i64, BTreeMap<i64, i32>>,
}

impl RosterView {
    fn are_friends(&self, a: &CreatedRosterUser, b: &CreatedRosterUser) -> bool {
        self.friends[&a.user.id].contains(&b.user.id)
    }

    /// The status of the application `from` sent `to`, if any.
    fn application(&self, from: &CreatedRosterUser, to: &CreatedRosterUser) -> Option<i32> {
        self.received[&to.user.id].get(&from.user.id).copied()
    }
}

/// Friend ids and received applications of each user through the API: no duplicates,
/// friendships symmetric, no pending application between friends.
async fn roster_view(im: &Im<'_>, round: usize, users: &[&CreatedRosterUser]) -> RosterView {
    let mut view = RosterView::default();
    for user in users {
        let client = im.client(user);
        let ids: Vec<i64> = client
            .list_roster_friend_ids()
            .stream()
            .try_collect()
            .await
            .expect("friend ids");
        assert_unique(round, &format!("{}'s friends", user.user.username), &ids);
        let applications: Vec<_> = client
            .list_roster_applications()
            .stream()
            .try_collect()
            .await
            .expect("applications");
        let applicants: Vec<i64> = applications
            .iter()
            .map(|a| a.user_id.expect("user_id"))
            .collect();
        assert_unique(round, "applications (one per pair)", &applicants);
        view.friends.insert(user.user.id, ids.into_iter().collect());
        view.received.insert(
            user.user.id,
            applications
                .iter()
                .map(|a| (a.user_id.expect("user_id"), a.status.expect("status")))
                .collect(),
        );
    }
    for (user, friends) in &view.friends {
        for friend in friends {
            if let Some(theirs) = view.friends.get(friend) {
                assert!(
                    theirs.contains(user),
                    "round {round}: {user} lists {friend}, not the other way round"
                );
            }
        }
        for (from, status) in &view.received[user] {
            assert!(
                !(*status == 0 && friends.contains(from)),
                "round {round}: a pending application between friends {from} → {user}"
            );
        }
    }
    view
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn roster_batch_apply_racing_applies_and_answers_stays_consistent() {
    let env = Env::new().await;
    let im = Im {
        app: env.world.create_roster_app().await.expect("app"),
        env: &env,
    };
    for round in 0..ROUNDS {
        let mut users = Vec::new();
        for name in ["a", "b", "c", "d", "e", "f", "g", "h"] {
            users.push(im.user(format!("r{round}{name}")).await);
        }
        let [a, b, c, d, e, f, g, h] = &users[..] else {
            unreachable!()
        };
        let id = |u: &CreatedRosterUser| u.user.id;
        // g applied to h before the race; h accepts it twice at once.
        roster_apply_task(im.client(g), id(h))
            .await
            .expect("g applies to h");
        let (dc, fc) = (im.client(d), im.client(f));
        let (a_id, a_id2) = (id(a), id(a));
        let answers = race(vec![
            batch_task(im.client(a), vec![id(b), id(c), id(d), id(e), id(f)]),
            roster_apply_task(im.client(b), id(a)),
            roster_accept_task(im.client(c), id(a)),
            async move {
                answer!(
                    dc.decline_roster_application()
                        .body(RosterDeclineRequest {
                            reason: None,
                            user_id: a_id,
                        })
                        .await,
                )
            }
            .boxed(),
            batch_task(im.client(e), vec![id(a)]),
            async move { answer!(fc.block_roster_user().user_id(a_id2).await) }.boxed(),
            roster_accept_task(im.client(h), id(g)),
            roster_accept_task(im.client(h), id(g)),
        ])
        .await;
        let got = verdicts(&answers);
        assert_eq!(got[0], "ok", "round {round}: a's batch");
        let batch = answers[0].as_ref().expect("batch");
        let succeeded: BTreeSet<i64> = batch["success"]
            .as_array()
            .expect("success")
            .iter()
            .filter_map(Value::as_i64)
            .collect();
        let failed: Vec<i64> = batch["fails"]
            .as_array()
            .expect("fails")
            .iter()
            .filter_map(|f| f["user_id"].as_i64())
            .collect();
        for u in [b, c, d, e] {
            assert!(
                succeeded.contains(&id(u)),
                "round {round}: applying to {} can only succeed: {batch}",
                u.user.username
            );
        }
        // f's block may come first (10006 in `fails`) or after.
        assert_eq!(
            succeeded.len() + failed.len(),
            5,
            "round {round}: every item answered once: {batch}"
        );
        assert!(
            failed.iter().all(|u| *u == id(f)),
            "round {round}: only f can fail: {batch}"
        );
        assert_eq!(got[1], "ok", "round {round}: b applies back");
        assert_one_of(round, "c accepts", &answers[2], &["ok", NO_APPLICATION]);
        assert_one_of(round, "d declines", &answers[3], &["ok", NO_APPLICATION]);
        assert_eq!(got[4], "ok", "round {round}: e's batch");
        let e_batch = answers[4].as_ref().expect("batch");
        assert_eq!(
            e_batch["success"],
            json!([id(a)]),
            "round {round}: {e_batch}"
        );
        assert_eq!(got[5], "ok", "round {round}: f blocks a");
        assert_eq!(
            sorted(got[6..].to_vec()),
            [NO_APPLICATION, "ok"],
            "round {round}: two accepts of one application make one friendship"
        );

        let all: Vec<&CreatedRosterUser> = users.iter().collect();
        let view = roster_view(&im, round, &all).await;
        assert!(
            view.are_friends(a, b),
            "round {round}: a and b applied both ways"
        );
        assert!(
            view.are_friends(a, e),
            "round {round}: a and e applied both ways"
        );
        assert_eq!(
            view.are_friends(a, c),
            got[2] == "ok",
            "round {round}: c's accept"
        );
        assert!(
            !view.are_friends(a, d) && !view.are_friends(a, f),
            "round {round}"
        );
        assert!(view.are_friends(g, h), "round {round}: g and h");
        assert_eq!(
            view.application(a, d),
            Some(if got[3] == "ok" { 2 } else { 0 }),
            "round {round}: d's decline is recorded, or the application waits"
        );
        assert_eq!(
            view.application(a, c),
            Some(if got[2] == "ok" { 1 } else { 0 }),
            "round {round}: c's application"
        );
        assert_eq!(
            view.friends[&id(a)].len(),
            2 + usize::from(got[2] == "ok"),
            "round {round}: a's friends: {:?}",
            view.friends[&id(a)]
        );
        env.check_dump(round).await;
    }
}

// ---- Roblox Friends v1 -----------------------------------------------------------------------

/// A Roblox user and an SDK client with their cookie (which keeps its CSRF token).
struct Rob {
    user: CreatedUser,
    client: friends::Client,
}

impl Rob {
    fn id(&self) -> i64 {
        self.user.user.id
    }
}

async fn rob(env: &Env, name: String) -> Rob {
    let user = env
        .world
        .create_roblox_user(&name)
        .await
        .expect("roblox user");
    let client = env
        .config
        .friends(Auth::roblox_cookie(user.cookie.as_str()));
    Rob { user, client }
}

fn rob_task(
    client: &friends::Client,
    call: impl FnOnce(friends::Client) -> BoxFuture<'static, Answer>,
) -> BoxFuture<'static, Answer> {
    call(client.clone())
}

/// Friends, pending requests and follows of each user through the API: counts equal list
/// lengths, no duplicates, friendships symmetric, follows seen from both ends, no request
/// between friends.
#[derive(Debug, Default)]
struct RobloxView {
    friends: BTreeMap<i64, BTreeSet<i64>>,
    /// recipient → senders.
    requests: BTreeMap<i64, BTreeSet<i64>>,
    followers: BTreeMap<i64, BTreeSet<i64>>,
    followings: BTreeMap<i64, BTreeSet<i64>>,
}

async fn roblox_view(round: usize, users: &[&Rob]) -> RobloxView {
    let mut view = RobloxView::default();
    for rob in users {
        let (c, id) = (&rob.client, rob.id());
        let friends: Vec<i64> = c
            .get_user_friends()
            .user_id(id)
            .await
            .expect("friends")
            .data
            .iter()
            .map(|u| u.id.expect("id"))
            .collect();
        assert_unique(round, "friends", &friends);
        let count = c.get_my_friends_count().await.expect("count").count;
        assert_eq!(
            count,
            Some(friends.len() as i32),
            "round {round}: friends count"
        );
        let counted = c
            .get_user_friends_count()
            .user_id(id)
            .await
            .expect("count")
            .count;
        assert_eq!(counted, count, "round {round}: both friend counts agree");

        let senders: Vec<i64> = c
            .get_my_friend_requests()
            .limit(100u32)
            .stream()
            .map_ok(|r| r.id.expect("id"))
            .try_collect()
            .await
            .expect("requests");
        assert_unique(round, "requests", &senders);
        let pending = c
            .get_pending_friend_requests_count()
            .await
            .expect("pending")
            .count;
        assert_eq!(
            pending,
            Some(senders.len() as i32),
            "round {round}: pending count"
        );

        let followers: Vec<i64> = c
            .get_user_followers()
            .target_user_id(id)
            .limit(100)
            .stream()
            .map_ok(|u| u.id.expect("id"))
            .try_collect()
            .await
            .expect("followers");
        assert_unique(round, "followers", &followers);
        let count = c
            .get_user_followers_count()
            .target_user_id(id)
            .await
            .expect("count")
            .count;
        assert_eq!(
            count,
            Some(followers.len() as i32),
            "round {round}: followers count"
        );
        let followings: Vec<i64> = c
            .get_user_followings()
            .target_user_id(id)
            .limit(100)
            .stream()
            .map_ok(|u| u.id.expect("id"))
            .try_collect()
            .await
            .expect("followings");
        assert_unique(round, "followings", &followings);
        let count = c
            .get_user_followings_count()
            .target_user_id(id)
            .await
            .expect("count")
            .count;
        assert_eq!(
            count,
            Some(followings.len() as i32),
            "round {round}: followings count"
        );

        view.friends.insert(id, friends.into_iter().collect());
        view.requests.insert(id, senders.into_iter().collect());
        view.followers.insert(id, followers.into_iter().collect());
        view.followings.insert(id, followings.into_iter().collect());
    }
    for (user, friends) in &view.friends {
        for friend in friends {
            if let Some(theirs) = view.friends.get(friend) {
                assert!(
                    theirs.contains(user),
                    "round {round}: {user} ↔ {friend} asymmetric"
                );
            }
            assert!(
                !view.requests[user].contains(friend),
                "round {round}: a request between friends {friend} → {user}"
            );
        }
        for follower in &view.followers[user] {
            if let Some(theirs) = view.followings.get(follower) {
                assert!(
                    theirs.contains(user),
                    "round {round}: {follower} follows {user} on one side only"
                );
            }
        }
    }
    view
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn roblox_request_races_keep_friendships_symmetric() {
    let env = Env::new().await;
    for round in 0..ROUNDS {
        let mut users = Vec::new();
        for name in ["a", "b", "c", "d", "e", "f"] {
            users.push(rob(&env, format!("r{round}{name}")).await);
        }
        let [a, b, c, d, e, f] = &users[..] else {
            unreachable!()
        };
        // c asked d; e and f are friends.
        c.client
            .request_friendship()
            .target_user_id(d.id())
            .await
            .expect("c asks d");
        env.world
            .befriend(e.id(), f.id(), false)
            .await
            .expect("befriend");
        let (ids, cid) = ([a.id(), b.id(), e.id(), f.id()], c.id());
        let answers = race(vec![
            // a and b ask each other at once.
            rob_task(&a.client, move |c| {
                async move { answer!(c.request_friendship().target_user_id(ids[1]).await) }.boxed()
            }),
            rob_task(&b.client, move |c| {
                async move { answer!(c.request_friendship().target_user_id(ids[0]).await) }.boxed()
            }),
            // d accepts and declines c's request at once.
            rob_task(&d.client, move |c| {
                async move { answer!(c.accept_friend_request().requester_user_id(cid).await) }
                    .boxed()
            }),
            rob_task(&d.client, move |c| {
                async move { answer!(c.decline_friend_request().requester_user_id(cid).await) }
                    .boxed()
            }),
            // e and f unfriend each other while e asks f.
            rob_task(&e.client, move |c| {
                async move { answer!(c.unfriend_user().target_user_id(ids[3]).await) }.boxed()
            }),
            rob_task(&f.client, move |c| {
                async move { answer!(c.unfriend_user().target_user_id(ids[2]).await) }.boxed()
            }),
            rob_task(&e.client, move |c| {
                async move { answer!(c.request_friendship().target_user_id(ids[3]).await) }.boxed()
            }),
        ])
        .await;
        let got = verdicts(&answers);
        assert_eq!(&got[..2], ["ok", "ok"], "round {round}: crossed requests");
        assert_eq!(
            sorted(got[2..4].to_vec()),
            ["400 10", "ok"],
            "round {round}: accept vs decline, one wins"
        );
        assert_eq!(
            &got[4..6],
            ["ok", "ok"],
            "round {round}: unfriend is idempotent"
        );
        // Already friends (code 5) before the unfriends, a new request after.
        assert_one_of(round, "e asks f", &answers[6], &["ok", "400 5"]);

        let all: Vec<&Rob> = users.iter().collect();
        let view = roblox_view(round, &all).await;
        assert_eq!(
            view.friends[&a.id()],
            BTreeSet::from([b.id()]),
            "round {round}"
        );
        assert!(view.requests[&a.id()].is_empty() && view.requests[&b.id()].is_empty());
        let accepted = got[2] == "ok";
        assert_eq!(
            view.friends[&c.id()].contains(&d.id()),
            accepted,
            "round {round}: the accept won = friends"
        );
        assert!(
            view.requests[&d.id()].is_empty(),
            "round {round}: request answered"
        );
        assert!(
            view.friends[&e.id()].is_empty(),
            "round {round}: unfriended"
        );
        assert_eq!(
            view.requests[&f.id()].contains(&e.id()),
            got[6] == "ok",
            "round {round}: e's request after the unfriend is kept"
        );
        env.check_dump(round).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn roblox_follow_storms_keep_counts_equal_to_lists() {
    const FANS: usize = 8;
    let env = Env::new().await;
    for round in 0..ROUNDS / 2 {
        let star = rob(&env, format!("r{round}star")).await;
        let mut fans = Vec::new();
        for i in 0..FANS {
            fans.push(rob(&env, format!("r{round}fan{i}")).await);
        }
        // The first half already follows the star.
        for fan in &fans[..FANS / 2] {
            env.world.follow(fan.id(), star.id()).await.expect("follow");
        }
        let star_id = star.id();
        let mut tasks = Vec::new();
        for (i, fan) in fans.iter().enumerate() {
            // Everyone follows twice; the first half also unfollows.
            for _ in 0..2 {
                tasks.push(rob_task(&fan.client, move |c| {
                    async move { answer!(c.follow_user().target_user_id(star_id).await) }.boxed()
                }));
            }
            if i < FANS / 2 {
                tasks.push(rob_task(&fan.client, move |c| {
                    async move { answer!(c.unfollow_user().target_user_id(star_id).await) }.boxed()
                }));
            }
            // The star follows every fan back.
            let fan_id = fan.id();
            tasks.push(rob_task(&star.client, move |c| {
                async move { answer!(c.follow_user().target_user_id(fan_id).await) }.boxed()
            }));
        }
        let answers = race(tasks).await;
        let got = verdicts(&answers);
        assert!(
            got.iter().all(|v| v == "ok"),
            "round {round}: follow and unfollow always succeed: {got:?}"
        );

        let mut all: Vec<&Rob> = fans.iter().collect();
        all.push(&star);
        let view = roblox_view(round, &all).await;
        let followers = &view.followers[&star.id()];
        for fan in &fans[FANS / 2..] {
            assert!(
                followers.contains(&fan.id()),
                "round {round}: a follow was lost"
            );
        }
        assert_eq!(
            view.followings[&star.id()],
            fans.iter().map(Rob::id).collect::<BTreeSet<_>>(),
            "round {round}: the star follows every fan"
        );
        // Whatever won each follow/unfollow race, following-exists agrees with the lists.
        let exists = star
            .client
            .get_following_exists()
            .body(social_sdk::friends::types::FollowingExistsRequest {
                target_user_ids: fans.iter().map(Rob::id).collect(),
            })
            .await
            .expect("following exists");
        for entry in exists.followings {
            let fan = entry.user_id.expect("userId");
            assert_eq!(
                entry.is_followed,
                Some(followers.contains(&fan)),
                "round {round}: following-exists vs the followers list of {fan}"
            );
            assert_eq!(entry.is_following, Some(true), "round {round}");
        }
        env.check_dump(round).await;
    }
}

// ---- state-dump invariants ------------------------------------------------------------------

fn time(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("a timestamp: {value}"))
}

fn object(value: &Value) -> &serde_json::Map<String, Value> {
    static EMPTY: std::sync::OnceLock<serde_json::Map<String, Value>> = std::sync::OnceLock::new();
    value
        .as_object()
        .unwrap_or_else(|| EMPTY.get_or_init(serde_json::Map::new))
}

fn array(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

fn id_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Social friends: links symmetric and never to oneself, within the limit; no request
/// between friends or across a block; at most one live request per pair; ids match keys.
fn social_dump_violations(dump: &Value, limit: usize) -> Vec<String> {
    let mut broken = Vec::new();
    let now = time(&dump["now"]);
    let social = &dump["social"];
    let links = object(&social["friends"]["links"]);
    let linked = |a: &str, b: &str| links.get(a).is_some_and(|l| l.get(b).is_some());
    for (owner, friends) in links {
        let friends = object(friends);
        if friends.len() > limit {
            broken.push(format!("social: {owner} has {} friends", friends.len()));
        }
        for friend in friends.keys() {
            if friend == owner {
                broken.push(format!("social: {owner} is their own friend"));
            }
            if !linked(friend, owner) {
                broken.push(format!("social: link {owner} → {friend} is one-sided"));
            }
        }
    }
    let blocks: Vec<(String, String)> = array(&social["blocks"])
        .iter()
        .map(|entry| (id_string(&entry[0][0]), id_string(&entry[0][1])))
        .collect();
    for (blocker, blocked) in &blocks {
        if linked(blocker, blocked) {
            broken.push(format!("social: {blocker} blocks their friend {blocked}"));
        }
    }
    let mut live_pairs = BTreeSet::new();
    for (id, request) in object(&social["friends"]["requests"]) {
        let (sender, recipient) = (
            id_string(&request["sender"]),
            id_string(&request["recipient"]),
        );
        if request["id"].as_str() != Some(id) {
            broken.push(format!("social: request {id} is stored under another id"));
        }
        if linked(&sender, &recipient) {
            broken.push(format!("social: request {id} is pending between friends"));
        }
        if blocks
            .iter()
            .any(|(x, y)| (*x == sender && *y == recipient) || (*x == recipient && *y == sender))
        {
            broken.push(format!("social: request {id} crosses a block"));
        }
        if time(&request["expiresAt"]) > now {
            let pair = (sender.clone().min(recipient.clone()), sender.max(recipient));
            if !live_pairs.insert(pair.clone()) {
                broken.push(format!("social: two live requests between {pair:?}"));
            }
        }
    }
    broken
}

/// Party: each member in exactly the party `memberOf` names, within `maxSize`, the leader a
/// member and a selector, selectors and ready states of members only, invites only to
/// parties that exist and that the invitee is not in.
fn party_dump_violations(dump: &Value) -> Vec<String> {
    let mut broken = Vec::new();
    let party = &dump["social"]["party"];
    let parties = object(&party["parties"]);
    let member_of = object(&party["memberOf"]);
    let mut members_seen = BTreeMap::new();
    for (id, p) in parties {
        let members: Vec<String> = array(&p["members"])
            .iter()
            .map(|m| id_string(&m["id"]))
            .collect();
        let set: BTreeSet<&String> = members.iter().collect();
        if set.len() != members.len() {
            broken.push(format!("party {id}: duplicate members {members:?}"));
        }
        if members.is_empty() {
            broken.push(format!("party {id}: no members"));
        }
        if p["maxSize"]
            .as_u64()
            .is_none_or(|max| members.len() as u64 > max)
        {
            broken.push(format!(
                "party {id}: {} members over maxSize",
                members.len()
            ));
        }
        let leader = id_string(&p["leader"]);
        if !set.contains(&leader) {
            broken.push(format!("party {id}: the leader {leader} is no member"));
        }
        let selectors: Vec<String> = array(&p["lobby"]["selectorIds"])
            .iter()
            .map(id_string)
            .collect();
        if !selectors.contains(&leader) || selectors.iter().any(|s| !set.contains(s)) {
            broken.push(format!(
                "party {id}: selectors {selectors:?} vs members {members:?}"
            ));
        }
        if object(&p["lobby"]["ready"])
            .keys()
            .any(|r| !set.contains(r))
        {
            broken.push(format!("party {id}: a ready state of a non-member"));
        }
        for member in &members {
            if member_of.get(member).map(id_string).as_deref() != Some(id.as_str()) {
                broken.push(format!("party {id}: member {member} is not memberOf it"));
            }
            if let Some(other) = members_seen.insert(member.clone(), id.clone()) {
                broken.push(format!("party: {member} is in {other} and {id}"));
            }
        }
    }
    for (player, party_id) in member_of {
        if !members_seen.contains_key(player) {
            broken.push(format!(
                "party: {player} is memberOf {party_id}, which does not list them"
            ));
        }
    }
    for (invitee, by_party) in object(&party["invites"]) {
        for (party_id, invite) in object(by_party) {
            if !parties.contains_key(party_id) {
                broken.push(format!(
                    "party: an invite of {invitee} outlived party {party_id}"
                ));
            }
            if members_seen.get(invitee) == Some(party_id) {
                broken.push(format!("party: {invitee} is invited to their own party"));
            }
            if id_string(&invite["invitee"]) != *invitee
                || id_string(&invite["partyId"]) != *party_id
            {
                broken.push(format!(
                    "party: invite stored under the wrong keys: {invite}"
                ));
            }
        }
    }
    broken
}

/// Roster, per app: friendships symmetric and between existing users other than oneself,
/// never across a block; one application per pair; no pending application between friends.
fn roster_dump_violations(dump: &Value) -> Vec<String> {
    let mut broken = Vec::new();
    let now_ms = time(&dump["now"]).timestamp_millis();
    for (app_id, app) in object(&dump["roster"]["apps"]) {
        let friends = object(&app["friends"]);
        let users = object(&app["users"]);
        let linked = |a: &str, b: &str| friends.get(a).is_some_and(|f| f.get(b).is_some());
        for (user, theirs) in friends {
            for friend in object(theirs).keys() {
                if friend == user || !users.contains_key(friend) {
                    broken.push(format!("roster {app_id}: odd friend {user} → {friend}"));
                }
                if !linked(friend, user) {
                    broken.push(format!("roster {app_id}: {user} → {friend} is one-sided"));
                }
            }
        }
        for (blocker, blocked) in object(&app["blocks"]) {
            for blocked in array(blocked).iter().map(id_string) {
                if linked(blocker, &blocked) {
                    broken.push(format!(
                        "roster {app_id}: {blocker} blocks friend {blocked}"
                    ));
                }
            }
        }
        let mut pairs = BTreeSet::new();
        for (seq, application) in object(&app["applications"]) {
            let (from, to) = (
                id_string(&application["from"]),
                id_string(&application["to"]),
            );
            if !pairs.insert((from.clone(), to.clone())) {
                broken.push(format!("roster {app_id}: two applications {from} → {to}"));
            }
            let pending = application["status"] == 0
                && application["expiredTime"]
                    .as_i64()
                    .is_some_and(|t| t > now_ms);
            if pending && linked(&from, &to) {
                broken.push(format!(
                    "roster {app_id}: application {seq} pending between friends"
                ));
            }
            if !matches!(application["status"].as_i64(), Some(0..=2)) {
                broken.push(format!("roster {app_id}: application {seq} status"));
            }
        }
    }
    broken
}

/// Friends v1: friendships symmetric, no request between friends, requests and the
/// incoming index agree, every follow in both the followers and followings index and
/// nothing else there.
fn roblox_dump_violations(dump: &Value) -> Vec<String> {
    let mut broken = Vec::new();
    let roblox = &dump["roblox"];
    let friends = object(&roblox["friends"]);
    let linked = |a: &str, b: &str| friends.get(a).is_some_and(|f| f.get(b).is_some());
    for (user, theirs) in friends {
        for friend in object(theirs).keys() {
            if friend == user || !linked(friend, user) {
                broken.push(format!("roblox: friendship {user} → {friend}"));
            }
        }
    }
    let incoming = object(&roblox["incoming"]);
    let requests = array(&roblox["requests"]);
    for entry in requests {
        let (sender, recipient) = (id_string(&entry[0][0]), id_string(&entry[0][1]));
        let request = &entry[1];
        if id_string(&request["sender"]) != sender || id_string(&request["recipient"]) != recipient
        {
            broken.push(format!(
                "roblox: request stored under the wrong key: {entry}"
            ));
        }
        if linked(&sender, &recipient) {
            broken.push(format!(
                "roblox: request {sender} → {recipient} between friends"
            ));
        }
        let indexed = incoming
            .get(&recipient)
            .and_then(|by_seq| by_seq.get(id_string(&request["seq"])))
            .map(id_string);
        if indexed.as_deref() != Some(sender.as_str()) {
            broken.push(format!(
                "roblox: request {sender} → {recipient} not in incoming"
            ));
        }
    }
    let indexed: usize = incoming.values().map(|m| object(m).len()).sum();
    if indexed != requests.len() {
        broken.push(format!(
            "roblox: {indexed} incoming entries for {} requests",
            requests.len()
        ));
    }
    let follows = array(&roblox["follows"]);
    let (followers, followings) = (object(&roblox["followers"]), object(&roblox["followings"]));
    for entry in follows {
        let (follower, followee, seq) = (
            id_string(&entry[0][0]),
            id_string(&entry[0][1]),
            id_string(&entry[1]),
        );
        let by = |index: &serde_json::Map<String, Value>, key: &str| {
            index.get(key).and_then(|m| m.get(&seq)).map(id_string)
        };
        if by(followers, &followee).as_deref() != Some(follower.as_str())
            || by(followings, &follower).as_deref() != Some(followee.as_str())
        {
            broken.push(format!(
                "roblox: follow {follower} → {followee} half-indexed"
            ));
        }
    }
    for (name, index) in [("followers", followers), ("followings", followings)] {
        let total: usize = index.values().map(|m| object(m).len()).sum();
        if total != follows.len() {
            broken.push(format!(
                "roblox: {total} {name} entries for {} follows",
                follows.len()
            ));
        }
    }
    broken
}
