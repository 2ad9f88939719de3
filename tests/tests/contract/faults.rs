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
        target_user_id: Some(target.user.id),
        user_tag: Some(tag.to_owned()),
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

// ---------------------------------------------------------------------------------------
// 429 storms

#[tokio::test]
async fn a_429_storm_shorter_than_the_budget_recovers_on_friends_and_contacts() {
    let env = Faulty::new(RetryPolicy::default().with_max_attempts(5)).await;
    let me = env.roblox("me").await;
    let star = env.roblox("star").await;
    let flood = roblox_error(9, FLOOD);
    env.arm(json!([
        storm("get_user_followers_count", 3, 429, flood.clone(), 2),
        storm("follow_user", 3, 429, flood.clone(), 2),
        storm(
            "set_user_tag",
            2,
            429,
            json!({"code": 9, "message": FLOOD}),
            1
        ),
    ]))
    .await;

    // A GET.
    let count = settle(
        env.friends(&me)
            .get_user_followers_count()
            .target_user_id(star.user.id),
    )
    .await
    .expect("recovers");
    assert_eq!(count.count, Some(0));
    assert_eq!(
        env.statuses("get_user_followers_count").await,
        [429, 429, 429, 200],
        "a storm of 3 then one success: exactly 4 requests"
    );

    // A POST with a cookie and CSRF: the storm comes before the token is learnt, then the
    // CSRF 403 hands it out and the resend succeeds. The follow is applied once.
    let followed = settle(
        env.friends(&me)
            .follow_user()
            .target_user_id(star.user.id)
            .body(CaptchaTokenRequest::default()),
    )
    .await
    .expect("recovers");
    assert_eq!(followed.success, Some(true));
    assert_eq!(
        env.statuses("follow_user").await,
        [429, 429, 429, 403, 200],
        "429s retried, the CSRF 403 resent once, no further request"
    );
    let count = settle(
        env.friends(&me)
            .get_user_followers_count()
            .target_user_id(star.user.id),
    )
    .await
    .expect("count");
    assert_eq!(count.count, Some(1), "the follow was applied once");

    // Contacts, with the flat error shape.
    let contacts = env.contacts(&me);
    settle(contacts.set_user_tag().body(tag(&star, "Shiny")))
        .await
        .expect("recovers");
    assert_eq!(env.statuses("set_user_tag").await, [429, 429, 403, 200]);
    let tags = settle(contacts.get_user_tags().body(GetUserTagsRequest {
        target_user_ids: vec![star.user.id],
    }))
    .await
    .expect("tags");
    assert_eq!(tags.len(), 1, "{tags:?}");
    assert_eq!(tags[0].target_user_tag.as_deref(), Some("Shiny"));

    assert_eq!(
        env.clock.sleeps(),
        [
            [Duration::from_secs(2); 6].as_slice(),
            &[Duration::from_secs(1); 2]
        ]
        .concat(),
        "every wait is the Retry-After the storm sent"
    );
    assert!(env.armed().is_empty(), "every storm is used up");
}

#[tokio::test]
async fn a_429_storm_shorter_than_the_budget_recovers_on_social_party_and_roster() {
    let env = Faulty::new(RetryPolicy::default().with_max_attempts(4)).await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let ann = env.roster_user("ann").await;
    let cy = env.roster_user("cy").await;
    let limited = social_error("RATE_LIMITED", "Too many requests.");
    env.arm(json!([
        storm("get_social_friends", 3, 429, limited.clone(), 0),
        storm("server_send_friend_request", 3, 429, limited.clone(), 0),
        storm("get_party", 2, 429, limited.clone(), 0),
        storm("invite_to_party", 3, 429, limited.clone(), 0),
        storm("server_party_overview", 1, 429, limited.clone(), 0),
        storm(
            "list_roster_blocked",
            3,
            429,
            roster_error(429, "too many requests"),
            0
        ),
        storm(
            "block_roster_user_via_post",
            3,
            429,
            roster_error(429, "too many requests"),
            0
        ),
    ]))
    .await;

    settle(env.social(&alice).get_social_friends())
        .await
        .expect("user route GET recovers");
    let sent = settle(env.social_server().server_send_friend_request().body(
        ServerSendFriendRequestBody {
            actor_id: alice.id,
            target_id: Some(bob.id),
            target_name: None,
            note: None,
        },
    ))
    .await
    .expect("server route POST recovers");
    assert!(sent.id.is_some(), "{sent:?}");
    assert_eq!(env.incoming(&bob).await, 1, "the request was created once");

    let overview = settle(env.party(&alice).get_party())
        .await
        .expect("party GET recovers");
    assert!(overview.party.is_none());
    settle(env.party(&alice).invite_to_party().body(InviteBody {
        target_id: Some(bob.id),
        target_name: None,
    }))
    .await
    .expect("party POST recovers");
    let bobs = settle(
        env.party_server()
            .server_party_overview()
            .body(ServerActorBody { actor_id: bob.id }),
    )
    .await
    .expect("server route recovers");
    assert_eq!(bobs.invites.len(), 1, "invited once: {bobs:?}");

    let roster = env.roster(&ann);
    settle(roster.block_roster_user_via_post().user_id(cy.user.id))
        .await
        .expect("roster POST recovers");
    let blocked = settle(roster.list_roster_blocked())
        .await
        .expect("roster GET recovers");
    assert_eq!(blocked, [cy.user.id]);

    for (operation, storm) in [
        ("get_social_friends", 3),
        ("server_send_friend_request", 3),
        ("get_party", 2),
        ("invite_to_party", 3),
        ("server_party_overview", 1),
        ("list_roster_blocked", 3),
        ("block_roster_user_via_post", 3),
    ] {
        let statuses = env.statuses(operation).await;
        assert_eq!(
            statuses.len(),
            storm + 1,
            "{operation}: the storm, then one success: {statuses:?}"
        );
        assert!(
            statuses[..storm].iter().all(|s| *s == 429),
            "{operation}: {statuses:?}"
        );
        assert!(
            (200..300).contains(&statuses[storm]),
            "{operation}: {statuses:?}"
        );
    }
    assert_eq!(
        env.clock.sleeps(),
        [Duration::ZERO; 18],
        "Retry-After: 0 honoured"
    );
}

#[tokio::test]
async fn a_429_storm_longer_than_the_budget_returns_the_typed_error() {
    // Out of attempts: three tries, then the service's own error with its code.
    let env = Faulty::new(RetryPolicy::default().with_max_attempts(3)).await;
    let me = env.roblox("me").await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let ann = env.roster_user("ann").await;
    let limited = social_error("RATE_LIMITED", "Too many requests.");
    env.arm(json!([
        storm("get_user_friends_count", 10, 429, roblox_error(9, FLOOD), 1),
        storm("send_social_friend_request", 10, 429, limited.clone(), 1),
        storm("create_party", 10, 429, limited.clone(), 1),
        storm(
            "get_roster_user_by_id",
            10,
            429,
            roster_error(429, "slow down"),
            1
        ),
    ]))
    .await;

    let error = settle(
        env.friends(&me)
            .get_user_friends_count()
            .user_id(me.user.id),
    )
    .await
    .expect_err("storm outlasts the attempts");
    assert_status_code(&error, 429, 9);
    assert_eq!(error.message(), Some(FLOOD));
    assert_eq!(
        error.service_error().and_then(|e| e.retry_after),
        Some(Duration::from_secs(1))
    );
    assert!(error.is_retryable());

    let error = settle(
        env.social(&alice)
            .send_social_friend_request()
            .body(ask(&bob)),
    )
    .await
    .expect_err("storm");
    assert_status_code(&error, 429, "RATE_LIMITED");
    assert_eq!(env.incoming(&bob).await, 0, "nothing was applied");

    let error = settle(env.party(&alice).create_party())
        .await
        .expect_err("storm");
    assert_status_code(&error, 429, "RATE_LIMITED");
    assert!(
        settle(env.party(&alice).get_party())
            .await
            .expect("overview")
            .party
            .is_none()
    );

    let error = settle(
        env.roster(&ann)
            .get_roster_user_by_id()
            .user_id(ann.user.id),
    )
    .await
    .expect_err("storm");
    assert_status_code(&error, 429, 429);
    assert_eq!(error.message(), Some("slow down"));

    for operation in [
        "get_user_friends_count",
        "send_social_friend_request",
        "create_party",
        "get_roster_user_by_id",
    ] {
        assert_eq!(
            env.statuses(operation).await,
            [429; 3],
            "{operation}: exactly max_attempts requests"
        );
    }
    assert!(
        env.armed().iter().all(|r| r.count == 7),
        "each storm has 7 answers left: {:?}",
        env.armed()
    );

    // Out of time: the budget (5 s) ends the retries before the attempts (10) do. Tries
    // start at 0 s, 2 s and 4 s; a fourth would start after 6 s.
    let env = Faulty::new(
        RetryPolicy::default()
            .with_max_attempts(10)
            .with_budget(Duration::from_secs(5)),
    )
    .await;
    let me = env.roblox("me").await;
    env.arm(json!([storm(
        "get_user_friends_count",
        10,
        429,
        roblox_error(9, FLOOD),
        2
    )]))
    .await;
    let error = settle(
        env.friends(&me)
            .get_user_friends_count()
            .user_id(me.user.id),
    )
    .await
    .expect_err("storm outlasts the budget");
    assert_status_code(&error, 429, 9);
    assert_eq!(env.statuses("get_user_friends_count").await, [429; 3]);
    assert_eq!(env.clock.sleeps(), [Duration::from_secs(2); 2]);
}

// ---------------------------------------------------------------------------------------
// 503

#[tokio::test]
async fn a_503_is_retried_for_idempotent_methods_and_never_resent_for_posts_or_patches() {
    let env = Faulty::new(RetryPolicy::default()).await;
    let me = env.roblox("me").await;
    let you = env.roblox("you").await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let ann = env.roster_user("ann").await;
    let cy = env.roster_user("cy").await;
    let unavailable = social_error("UNAVAILABLE", "Try again later.");
    let roster_down = roster_error(503, "unavailable");
    env.arm(json!([
        down(
            "get_user_friends_count",
            2,
            roblox_error(0, "Service unavailable")
        ),
        down("get_roster_user_by_id", 2, roster_down.clone()),
        down("block_roster_user", 1, roster_down.clone()),
        down("list_blocks", 1, unavailable.clone()),
        down(
            "request_friendship",
            1,
            roblox_error(0, "Service unavailable")
        ),
        down("send_social_friend_request", 1, unavailable.clone()),
        down("update_profile_settings", 1, unavailable.clone()),
        down("server_create_party", 1, unavailable.clone()),
        down("block_roster_user_via_post", 1, roster_down.clone()),
    ]))
    .await;

    // Idempotent methods: GET (Roblox, roster, social) and PUT (roster) go again.
    settle(
        env.friends(&me)
            .get_user_friends_count()
            .user_id(me.user.id),
    )
    .await
    .expect("GET retried");
    settle(env.roster(&ann).get_roster_user_by_id().user_id(cy.user.id))
        .await
        .expect("roster GET retried");
    settle(env.roster(&ann).block_roster_user().user_id(cy.user.id))
        .await
        .expect("PUT retried");
    settle(env.social(&alice).list_blocks())
        .await
        .expect("GET retried");
    assert_eq!(
        env.statuses("get_user_friends_count").await,
        [503, 503, 200]
    );
    assert_eq!(env.statuses("get_roster_user_by_id").await, [503, 503, 200]);
    assert_eq!(env.statuses("block_roster_user").await, [503, 200]);
    assert_eq!(env.statuses("list_blocks").await, [503, 200]);
    assert_eq!(env.clock.sleeps().len(), 6, "one backoff per retry");

    // POST and PATCH: the service may have acted, so the 503 is returned, sent once.
    let error = settle(
        env.friends(&me)
            .request_friendship()
            .target_user_id(you.user.id)
            .body(FriendshipRequest::default()),
    )
    .await
    .expect_err("503");
    assert_status_code(&error, 503, 0);
    assert!(error.is_retryable(), "the caller may retry: {error:?}");
    let error = settle(
        env.social(&alice)
            .send_social_friend_request()
            .body(ask(&bob)),
    )
    .await
    .expect_err("503");
    assert_status_code(&error, 503, "UNAVAILABLE");
    let error = settle(
        env.social(&alice)
            .update_profile_settings()
            .body(ProfileSettingsPatch {
                allow_friend_requests: Some(false),
                privacy: None,
            }),
    )
    .await
    .expect_err("503");
    assert_status_code(&error, 503, "UNAVAILABLE");
    let error = settle(
        env.party_server()
            .server_create_party()
            .body(ServerActorBody { actor_id: alice.id }),
    )
    .await
    .expect_err("503");
    assert_status_code(&error, 503, "UNAVAILABLE");
    let error = settle(
        env.roster(&ann)
            .block_roster_user_via_post()
            .user_id(cy.user.id),
    )
    .await
    .expect_err("503");
    assert_status_code(&error, 503, 503);
    for operation in [
        "request_friendship",
        "send_social_friend_request",
        "update_profile_settings",
        "server_create_party",
        "block_roster_user_via_post",
    ] {
        assert_eq!(
            env.statuses(operation).await,
            [503],
            "{operation}: not sent twice"
        );
    }
    assert_eq!(env.clock.sleeps().len(), 6, "no backoff for a POST's 503");

    // Nothing was applied by the refused calls; sending again applies each exactly once.
    assert_eq!(env.incoming(&bob).await, 0);
    settle(
        env.social(&alice)
            .send_social_friend_request()
            .body(ask(&bob)),
    )
    .await
    .expect("sent by the caller again");
    assert_eq!(env.incoming(&bob).await, 1);
    let settings = settle(env.social(&alice).get_profile_settings())
        .await
        .expect("settings");
    assert_ne!(
        settings.allow_friend_requests,
        Some(false),
        "the PATCH did not apply"
    );
    assert!(
        settle(env.party(&alice).get_party())
            .await
            .expect("overview")
            .party
            .is_none(),
        "no party was created"
    );
    settle(
        env.friends(&me)
            .request_friendship()
            .target_user_id(you.user.id)
            .body(FriendshipRequest::default()),
    )
    .await
    .expect("sent by the caller again");
    let pending = settle(env.friends(&you).get_pending_friend_requests_count())
        .await
        .expect("count");
    assert_eq!(pending.count, Some(1), "one friend request, not two");
}

// ---------------------------------------------------------------------------------------
// Slow answers

#[tokio::test]
async fn a_slow_answer_past_the_timeout_is_a_typed_timeout_and_one_within_it_succeeds() {
    let env = Faulty::with_timeout(RetryPolicy::default(), Duration::from_millis(800)).await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let ann = env.roster_user("ann").await;
    env.arm(json!([
        slow("get_party", 1, 50),
        slow("list_roster_blocked", 1, 50),
        slow("get_social_friends", 1, 5000),
        slow("send_social_friend_request", 2, 5000),
        slow("create_party", 2, 5000),
    ]))
    .await;
    let no_retries = env.config_with(RetryPolicy::disabled());
    let (party, roster, social) = (env.party(&alice), env.roster(&ann), env.social(&alice));
    let party_once = no_retries.party(Auth::bearer(alice.token.as_str()));
    let (overview, blocked, friends, sent, created) = tokio::join!(
        settle(party.get_party()),
        settle(roster.list_roster_blocked()),
        settle(social.get_social_friends()),
        settle(social.send_social_friend_request().body(ask(&bob))),
        settle(party_once.create_party()),
    );
    overview.expect("50 ms is within the timeout");
    blocked.expect("50 ms is within the timeout");
    friends.expect("the GET timed out once and was sent again");
    for error in [
        sent.expect_err("the POST times out"),
        created.expect_err("times out"),
    ] {
        assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
        assert!(error.is_retryable(), "{error:?}");
        assert_eq!(error.status(), None);
    }
    let left: Vec<(String, u32)> = env
        .armed()
        .into_iter()
        .map(|r| (r.operation, r.count))
        .collect();
    assert_eq!(
        left,
        [
            ("send_social_friend_request".to_owned(), 1),
            ("create_party".to_owned(), 1)
        ],
        "the GET's slow answer was used up by one attempt; each POST reached the stub once"
    );
    assert_eq!(env.clock.sleeps().len(), 1, "only the GET backed off");
}

// ---------------------------------------------------------------------------------------
// Connection reset in the middle of a body

#[tokio::test]
async fn a_reset_mid_body_is_a_transport_error_for_posts_and_retried_for_gets() {
    let env = Faulty::new(RetryPolicy::default()).await;
    let me = env.roblox("me").await;
    let you = env.roblox("you").await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let ann = env.roster_user("ann").await;
    let reset = |operation: &str| json!({"operation": operation, "reset": true});
    env.arm(json!([
        reset("get_user_followers_count"),
        reset("get_roster_user_by_id"),
        reset("get_party"),
        reset("follow_user"),
        reset("set_user_tag"),
        reset("send_social_friend_request"),
        reset("create_party"),
        reset("block_roster_user_via_post"),
    ]))
    .await;

    // GETs: the cut body is read inside the retry loop and the request sent again.
    let count = settle(
        env.friends(&me)
            .get_user_followers_count()
            .target_user_id(you.user.id),
    )
    .await
    .expect("retried past the reset");
    assert_eq!(count.count, Some(0));
    settle(
        env.roster(&ann)
            .get_roster_user_by_id()
            .user_id(ann.user.id),
    )
    .await
    .expect("retried past the reset");
    settle(env.party(&alice).get_party())
        .await
        .expect("retried past the reset");
    for operation in [
        "get_user_followers_count",
        "get_roster_user_by_id",
        "get_party",
    ] {
        assert_eq!(
            env.statuses(operation).await.len(),
            2,
            "{operation}: sent twice"
        );
    }
    assert_eq!(env.clock.sleeps().len(), 3);

    // POSTs: a transport error, sent once, nothing applied (the rule answered instead of the
    // service).
    let error = settle(
        env.friends(&me)
            .follow_user()
            .target_user_id(you.user.id)
            .body(CaptchaTokenRequest::default()),
    )
    .await
    .expect_err("reset");
    assert_transport(&error);
    let error = settle(env.contacts(&me).set_user_tag().body(tag(&you, "cut")))
        .await
        .expect_err("reset");
    assert_transport(&error);
    let error = settle(
        env.social(&alice)
            .send_social_friend_request()
            .body(ask(&bob)),
    )
    .await
    .expect_err("reset");
    assert_transport(&error);
    let error = settle(env.party(&alice).create_party())
        .await
        .expect_err("reset");
    assert_transport(&error);
    let error = settle(
        env.roster(&ann)
            .block_roster_user_via_post()
            .user_id(ann.user.id + 1),
    )
    .await
    .expect_err("reset");
    assert_transport(&error);
    for operation in [
        "follow_user",
        "set_user_tag",
        "send_social_friend_request",
        "create_party",
        "block_roster_user_via_post",
    ] {
        assert_eq!(
            env.statuses(operation).await.len(),
            1,
            "{operation}: not sent twice"
        );
    }
    assert_eq!(env.clock.sleeps().len(), 3, "no backoff for a POST");
    assert_eq!(env.incoming(&bob).await, 0);
    let followers = settle(
        env.friends(&me)
            .get_user_followers_count()
            .target_user_id(you.user.id),
    )
    .await
    .expect("count");
    assert_eq!(followers.count, Some(0), "the follow was not applied");

    // With retries off, a GET's reset is reported as the same transport error.
    env.arm(json!([reset("get_party")])).await;
    let error = settle(
        env.config_with(RetryPolicy::disabled())
            .party(Auth::bearer(alice.token.as_str()))
            .get_party(),
    )
    .await
    .expect_err("reset, no retries");
    assert_transport(&error);
}

// ---------------------------------------------------------------------------------------
// Page walks

/// `star` with `n` followers, oldest first.
async fn followed(env: &Faulty, n: usize) -> (CreatedUser, Vec<i64>) {
    let star = env.roblox("star").await;
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let fan = env.roblox(&format!("fan{i:02}")).await;
        env.world
            .follow(fan.user.id, star.user.id)
            .await
            .expect("follow");
        ids.push(fan.user.id);
    }
    (star, ids)
}

#[tokio::test]
async fn a_page_walk_recovers_from_faults_between_pages_without_losing_or_repeating_items() {
    let env = Faulty::new(RetryPolicy::default().with_max_attempts(5)).await;
    let (star, fans) = followed(&env, 25).await;
    let client = env.friends(&star);
    let mut walk = client
        .get_user_followers()
        .target_user_id(star.user.id)
        .sort_order(social_sdk::friends::types::SortOrder::Asc)
        .limit(10)
        .stream();
    let mut seen = Vec::new();
    let mut take = async |n: usize, seen: &mut Vec<i64>| {
        for _ in 0..n {
            let item = within(walk.next())
                .await
                .expect("an item")
                .expect("no error");
            seen.push(item.id.expect("id"));
        }
    };
    take(10, &mut seen).await;
    // Page 2: two 503s. Page 3: a reset mid-body, then a 429.
    env.arm(json!([storm(
        "get_user_followers",
        2,
        503,
        roblox_error(1, "Followers are disabled at this time."),
        0
    )]))
    .await;
    take(10, &mut seen).await;
    env.arm(json!([
        {"operation": "get_user_followers", "reset": true},
        storm("get_user_followers", 1, 429, roblox_error(9, FLOOD), 0),
    ]))
    .await;
    take(5, &mut seen).await;
    assert!(
        within(walk.next()).await.is_none(),
        "the walk ends after 25"
    );
    assert_eq!(seen, fans, "every follower once, in order");

    let pages: Vec<(String, u16)> = env
        .logged("get_user_followers")
        .await
        .into_iter()
        .map(|r| (r.uri, r.status))
        .collect();
    let statuses: Vec<u16> = pages.iter().map(|p| p.1).collect();
    assert_eq!(statuses, [200, 503, 503, 200, 200, 429, 200], "{pages:?}");
    assert!(
        pages[1..4].iter().all(|p| p.0 == pages[1].0)
            && pages[4..].iter().all(|p| p.0 == pages[4].0),
        "each retry asks for the same page (same cursor): {pages:?}"
    );
    assert_ne!(pages[1].0, pages[4].0);

    // A roster walk with a reset on its second page.
    let ann = env.roster_user("ann").await;
    let mut friends = Vec::new();
    for i in 0..5 {
        let friend = env.roster_user(&format!("f{i}")).await;
        env.world
            .roster_befriend(&env.app.app_id, ann.user.id, friend.user.id)
            .await
            .expect("befriend");
        friends.push(friend.user.id);
    }
    let roster = env.roster(&ann);
    let mut walk = roster.list_roster_friend_ids().limit(2).stream();
    let first = within(walk.next()).await.expect("item").expect("ok");
    let second = within(walk.next()).await.expect("item").expect("ok");
    env.arm(json!([{"operation": "list_roster_friend_ids", "reset": true}]))
        .await;
    let mut ids = vec![first, second];
    while let Some(item) = within(walk.next()).await {
        ids.push(item.expect("recovered"));
    }
    ids.sort_unstable();
    friends.sort_unstable();
    assert_eq!(ids, friends, "every friend once");
    assert_eq!(env.statuses("list_roster_friend_ids").await.len(), 4);
}

#[tokio::test]
async fn without_retries_a_page_walk_stops_at_the_fault_and_a_new_walk_loses_nothing() {
    let env = Faulty::new(RetryPolicy::disabled()).await;
    let (star, fans) = followed(&env, 25).await;
    let client = env.friends(&star);
    let walk = || {
        client
            .get_user_followers()
            .target_user_id(star.user.id)
            .sort_order(social_sdk::friends::types::SortOrder::Asc)
            .limit(10)
            .stream()
    };
    let mut stream = walk();
    let mut before = Vec::new();
    for _ in 0..10 {
        let item = within(stream.next()).await.expect("item").expect("ok");
        before.push(item.id.expect("id"));
    }
    env.arm(json!([storm(
        "get_user_followers",
        1,
        503,
        roblox_error(1, "Followers are disabled at this time."),
        0
    )]))
    .await;
    let error = within(stream.next())
        .await
        .expect("an item")
        .expect_err("the fault is the next item");
    assert_status_code(&error, 503, 1);
    assert!(error.is_retryable());
    assert!(
        within(stream.next()).await.is_none(),
        "the walk ends at its error"
    );
    assert_eq!(
        env.statuses("get_user_followers").await,
        [200, 503],
        "no page is requested after the error"
    );

    // Walking again from the start delivers the same first page, then the rest.
    let again: Vec<i64> = within(walk().map(|r| r.expect("ok").id.expect("id")).collect()).await;
    assert_eq!(&again[..10], before.as_slice(), "the same first page");
    assert_eq!(again, fans, "nothing lost, nothing repeated");
}

// ---------------------------------------------------------------------------------------
// Live streams

fn fast() -> LiveOptions {
    LiveOptions::default()
        .with_interval(1)
        .with_backoff(Duration::from_millis(10), Duration::from_millis(50))
}

async fn next_event<T: std::fmt::Debug>(stream: &mut LiveStream<T>) -> LiveEvent<T> {
    within(stream.next())
        .await
        .expect("the stream goes on")
        .expect("no live error")
}

async fn next_snapshot<T: std::fmt::Debug>(stream: &mut LiveStream<T>) -> T {
    match next_event(stream).await {
        LiveEvent::Snapshot(snapshot) => snapshot,
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

#[tokio::test]
async fn a_live_friends_stream_resumes_with_what_changed_while_it_was_down() {
    let env = Faulty::new(RetryPolicy::default()).await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let carol = env.player("carol").await;
    env.arm(json!([
        // The first socket drops after its first frame.
        {"operation": "social_friends_live", "reset": true},
        // The next connect is refused outright (not retried by the transport) …
        {"operation": "social_friends_live", "status": 502,
         "body": {"error": "BAD_GATEWAY", "message": "upstream"}},
        // … and the one after it meets two 503s, which the transport retries.
        {"operation": "social_friends_live", "status": 503, "count": 2, "retryAfter": 0},
    ]))
    .await;
    let mut stream = env.social(&alice).live(fast());
    let first = next_snapshot(&mut stream).await;
    assert!(
        first
            .requests
            .as_ref()
            .is_none_or(|r| r.incoming.is_empty())
    );
    assert!(
        matches!(
            next_event(&mut stream).await,
            LiveEvent::Reconnecting { attempt: 1, .. }
        ),
        "the drop is reported"
    );

    // While the stream is down (and not polled): bob asks alice.
    settle(
        env.social(&bob)
            .send_social_friend_request()
            .body(ask(&alice)),
    )
    .await
    .expect("bob asks");
    let refused = next_event(&mut stream).await;
    assert!(
        matches!(&refused, LiveEvent::Reconnecting { attempt: 2, reason, .. } if reason.contains("502")),
        "a 502 on reconnect is one more attempt: {refused:?}"
    );
    // Still down: carol asks too.
    settle(
        env.social(&carol)
            .send_social_friend_request()
            .body(ask(&alice)),
    )
    .await
    .expect("carol asks");

    let resumed = next_snapshot(&mut stream).await;
    let senders: Vec<_> = resumed
        .requests
        .as_ref()
        .map(|r| r.incoming.iter().filter_map(|e| e.sender_id).collect())
        .unwrap_or_default();
    assert_eq!(
        senders.len(),
        2,
        "the first snapshot after resuming has both changes: {resumed:?}"
    );
    assert!(senders.contains(&bob.id) && senders.contains(&carol.id));
    assert_eq!(
        env.statuses("social_friends_live").await,
        [101, 502, 503, 503, 101]
    );
}

#[tokio::test]
async fn a_live_party_stream_resumes_after_drops_and_a_401_on_reconnect_ends_it() {
    let env = Faulty::new(RetryPolicy::default()).await;
    let host = env.player("host").await;
    let guest = env.player("guest").await;
    env.arm(json!([
        {"operation": "party_live", "reset": true, "count": 2},
        {"operation": "party_live", "status": 401,
         "body": {"error": "UNAUTHORIZED", "message": "Missing or invalid bearer token."}},
    ]))
    .await;
    let mut stream = env.party(&guest).live(fast());
    let first = next_snapshot(&mut stream).await;
    assert!(
        first.party.is_none() && first.invites.is_empty(),
        "{first:?}"
    );
    assert!(matches!(
        next_event(&mut stream).await,
        LiveEvent::Reconnecting { .. }
    ));

    // While it is down, the host creates a party and invites the guest.
    settle(env.party(&host).create_party())
        .await
        .expect("party");
    settle(env.party(&host).invite_to_party().body(InviteBody {
        target_id: Some(guest.id),
        target_name: None,
    }))
    .await
    .expect("invite");
    let resumed = next_snapshot(&mut stream).await;
    assert_eq!(resumed.invites.len(), 1, "the invite is there: {resumed:?}");

    // The second socket drops too; reconnecting meets a 401, which ends the stream.
    assert!(matches!(
        next_event(&mut stream).await,
        LiveEvent::Reconnecting { .. }
    ));
    let refused = within(stream.next()).await;
    match refused {
        Some(Err(LiveError::Refused(error))) => {
            assert_status_code(&error, 401, "UNAUTHORIZED");
            assert_eq!(error.message(), Some("Missing or invalid bearer token."));
        }
        other => panic!("expected the typed refusal, got {other:?}"),
    }
    assert!(
        within(stream.next()).await.is_none(),
        "a refusal ends the stream"
    );
    assert_eq!(env.statuses("party_live").await, [101, 101, 401]);
}
