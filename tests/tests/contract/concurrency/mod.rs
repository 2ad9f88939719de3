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

// After the macros above: macros are in scope textually.
mod dump;
mod party_races;
mod roblox_races;
mod roster_races;
mod social_races;

use self::dump::*;
