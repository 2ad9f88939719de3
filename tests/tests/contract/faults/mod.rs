//! The SDK under the stub's fault rules (`POST /__stub/worlds/{w}/faults`), across the five
//! services: 429 storms shorter and longer than the retry budget, 503s, slow answers, a
//! connection reset in the middle of a body, faults in the middle of a page walk, and live
//! streams whose socket drops or whose reconnect is refused.
//!
//! What is asserted is the SDK's documented retry policy (`RetryPolicy`, `transport.rs`):
//! `429` is retried for every method (the service did not act), `503` and transport failures
//! (a reset mid-body included) only for idempotent methods, and a `POST`/`PATCH` that may have
//! reached the service is never sent twice. How many requests reached the stub comes from its
//! request log (`GET /__stub/worlds/{w}/requests`) or from the rules still armed; what was
//! applied comes from the services' own answers. Retries wait on a [`FakeClock`] that records
//! the delays and returns at once; only the timeout test waits for real (its 0.8 s timeout,
//! twice for the GET it retries).

use contract_tests::assert::{FLOOD, roblox_error};
use contract_tests::env::{Env, sdk_config};
use futures::StreamExt;
use serde_json::{Value, json};
use social_sdk::contacts::types::{GetUserTagsRequest, SetUserTagRequest};
use social_sdk::friends::types::{CaptchaTokenRequest, FriendshipRequest};
use social_sdk::party::types::{InviteBody, ServerActorBody};
use social_sdk::social_friends::types::{
    ProfileSettingsPatch, SendFriendRequestBody, ServerSendFriendRequestBody,
};
use social_sdk::{
    Auth, Config, Error, FakeClock, LiveError, LiveEvent, LiveOptions, LiveStream, RetryPolicy,
};
use social_stub::control::WorldHandle;
use social_stub::roblox::CreatedUser;
use social_stub::roster::{CreatedRosterApp, CreatedRosterUser};
use social_stub::social::CreatedPlayer;
use social_stub::world::FaultRule;
use std::future::{Future, IntoFuture};
use std::time::Duration;

mod live;
mod page_walks;
mod retries;
mod storms;

const SERVER: &str = "srv-1";

/// The harness's [`Env`] with a registered game server and a roster app, and the SDK
/// configured for all five services of that world with a retry policy and a [`FakeClock`].
struct Faulty {
    env: Env,
    clock: FakeClock,
    timeout: Duration,
    app: CreatedRosterApp,
}

impl std::ops::Deref for Faulty {
    type Target = Env;

    fn deref(&self) -> &Env {
        &self.env
    }
}

impl Faulty {
    async fn new(retry: RetryPolicy) -> Self {
        Self::with_timeout(retry, Duration::from_secs(5)).await
    }

    async fn with_timeout(retry: RetryPolicy, timeout: Duration) -> Self {
        let mut env = Env::new().await;
        env.world.register_server(SERVER).await.expect("server");
        let app = env.world.create_roster_app().await.expect("roster app");
        let clock = FakeClock::new();
        env.config = config_for(&env.world, &clock, retry, timeout);
        Self {
            env,
            clock,
            timeout,
            app,
        }
    }

    /// The same world with another retry policy (same clock and timeout).
    fn config_with(&self, retry: RetryPolicy) -> Config {
        config_for(&self.world, &self.clock, retry, self.timeout)
    }

    /// Arms fault rules, given as the control plane's JSON.
    async fn arm(&self, rules: Value) {
        let rules: Vec<FaultRule> = serde_json::from_value(rules).expect("fault rules");
        self.world.add_faults(&rules).await.expect("faults armed");
    }

    /// The rules still armed (read in-process: the control plane only adds and clears).
    fn armed(&self) -> Vec<FaultRule> {
        self.in_process().faults()
    }

    async fn roblox(&self, name: &str) -> CreatedUser {
        self.world.create_roblox_user(name).await.expect("user")
    }

    /// A player who is online (the harness's players are not).
    async fn player(&self, name: &str) -> CreatedPlayer {
        self.world
            .create_player(json!({"name": name, "presence": "ONLINE"}))
            .await
            .expect("player")
    }

    async fn roster_user(&self, name: &str) -> CreatedRosterUser {
        self.roster_user_with(&self.app, json!({"username": name}))
            .await
    }

    fn social_server(&self) -> social_sdk::social_friends::Client {
        self.env.social_server(SERVER)
    }

    fn party_server(&self) -> social_sdk::party::Client {
        self.env.party_server(SERVER)
    }

    fn roster(&self, user: &CreatedRosterUser) -> social_sdk::roster::Client {
        self.env.roster(&self.app, user)
    }

    /// How many incoming social friend requests `player` has.
    async fn incoming(&self, player: &CreatedPlayer) -> usize {
        self.social(player)
            .list_social_friend_requests()
            .await
            .expect("requests listed")
            .incoming
            .len()
    }
}

fn config_for(
    world: &WorldHandle,
    clock: &FakeClock,
    retry: RetryPolicy,
    timeout: Duration,
) -> Config {
    sdk_config(world)
        .clock(clock.clone())
        .retry(retry)
        .timeout(timeout)
        .build()
        .expect("config")
}

/// The error bodies each service family answers a rate limit with.
fn social_error(code: &str, message: &str) -> Value {
    json!({"error": code, "message": message})
}

fn roster_error(code: i64, message: &str) -> Value {
    json!({"code": code, "data": null, "message": message})
}

/// `count` answers of `status` (with `body` and `Retry-After`) for `operation`.
fn storm(operation: &str, count: u32, status: u16, body: Value, retry_after: u64) -> Value {
    json!({"operation": operation, "count": count, "status": status, "body": body,
           "retryAfter": retry_after})
}

/// `count` answers of `503` with `body` (no `Retry-After`) for `operation`.
fn down(operation: &str, count: u32, body: Value) -> Value {
    json!({"operation": operation, "count": count, "status": 503, "body": body})
}

/// `count` calls of `operation` answered normally, but only after `ms` milliseconds.
fn slow(operation: &str, count: u32, ms: u64) -> Value {
    json!({"operation": operation, "count": count, "delayMs": ms})
}

/// Awaits a call with a hang detector.
async fn settle<T>(call: impl IntoFuture<Output = Result<T, Error>>) -> Result<T, Error> {
    within(call.into_future()).await
}

async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(10), future)
        .await
        .expect("no hang: settled within 10 s")
}

fn ask(target: &CreatedPlayer) -> SendFriendRequestBody {
    SendFriendRequestBody {
        target_id: Some(target.id),
        ..Default::default()
    }
}

fn tag(target: &CreatedUser, tag: &str) -> SetUserTagRequest {
    SetUserTagRequest {
        target_user_id: target.user.id,
        user_tag: tag.to_owned(),
    }
}

/// A transport error raised while reading a body that broke off after the status and the
/// headers arrived (not a refused or unanswered request).
#[track_caller]
fn assert_transport(error: &Error) {
    match error {
        Error::Transport { source, .. } => assert!(
            (source.is_decode() || source.is_body()) && !source.is_request(),
            "the body broke off, after the answer had begun: {source:?}"
        ),
        other => panic!("a body cut short is a transport error: {other:?}"),
    }
    assert_eq!(error.status(), None, "{error:?}");
    assert!(error.is_retryable(), "{error:?}");
}

#[track_caller]
fn assert_status_code<C: std::fmt::Debug>(error: &Error, status: u16, code: C)
where
    social_sdk::ErrorCode: PartialEq<C>,
{
    assert!(matches!(error, Error::Service(_)), "{error:?}");
    assert_eq!(
        error.status().map(|s| s.as_u16()),
        Some(status),
        "{error:?}"
    );
    assert!(
        error.code().is_some_and(|c| *c == code),
        "expected code {code:?}: {error:?}"
    );
}
