//! Contract tests: the roster service through the SDK against the stub. Every operation
//! (both methods of the dual-method endpoints), every business code the stub produces, each
//! `auth_mode`, expiry by the world's clock, blocks while an application is pending, an admin
//! token acting as a user, and keyset paging with a growing `version`.

use contract_tests::actors::NO_SUCH_USER;
use contract_tests::env::Env;
use futures::TryStreamExt;
use serde_json::{Value, json};
use social_sdk::roster::types::{
    RosterApplication, RosterApplicationRequest, RosterDeclineRequest, RosterExtUpdateRequest,
    RosterFriendDetailsRequest, RosterUserInfo,
};
use social_sdk::{Auth, Error, roster};
use social_stub::roster::{CreatedRosterApp, CreatedRosterUser};
use std::future::IntoFuture;
use std::time::Duration;

/// Business codes (`info.x-business-codes` of `openapi/roster.yaml`).
const USER_NOT_FOUND: i64 = 10000;
const BAD_PARAMETER: i64 = 10002;
const MISSING_TOKEN: i64 = 10003;
const NOT_A_FRIEND: i64 = 10004;
const ALREADY_FRIENDS: i64 = 10005;
const BLOCKED: i64 = 10006;
const NO_APPLICATION: i64 = 10007;
const INVALID_TOKEN: i64 = 10008;
const NO_PERMISSION: i64 = 10010;
const REJECTS_ALL: i64 = 10012;
const UNKNOWN_APP: i64 = 40000;

const SEVEN_DAYS: u64 = 7 * 24 * 60 * 60;

/// The harness's [`Env`] with one roster app in its world, and the roster scenarios' own
/// steps.
struct Im {
    env: Env,
    app: CreatedRosterApp,
}

impl std::ops::Deref for Im {
    type Target = Env;

    fn deref(&self) -> &Env {
        &self.env
    }
}

impl Im {
    async fn new() -> Self {
        let env = Env::new().await;
        let app = env.world.create_roster_app().await.expect("app");
        Self { env, app }
    }

    /// A user who accepts anyone (`auth_mode` 0).
    async fn user(&self, name: &str) -> CreatedRosterUser {
        self.user_with(json!({"username": name})).await
    }

    async fn user_with(&self, spec: Value) -> CreatedRosterUser {
        self.roster_user_with(&self.app, spec).await
    }

    async fn befriend(&self, a: &CreatedRosterUser, b: &CreatedRosterUser) {
        self.world
            .roster_befriend(&self.app.app_id, a.user.id, b.user.id)
            .await
            .expect("befriend");
    }

    fn client(&self, user: &CreatedRosterUser) -> roster::Client {
        self.roster(&self.app, user)
    }

    fn admin(&self) -> roster::Client {
        self.config.roster(Auth::roster(
            self.app.app_id.as_str(),
            self.app.admin_token.as_str(),
        ))
    }

    fn admin_as(&self, user: &CreatedRosterUser) -> roster::Client {
        self.config.roster(
            Auth::roster(self.app.app_id.as_str(), self.app.admin_token.as_str())
                .acting_as_user(user.user.id),
        )
    }

    async fn advance(&self, seconds: u64) {
        self.env.advance(Duration::from_secs(seconds)).await;
    }

    /// A raw request to the roster service of this world (for what the SDK never sends).
    fn raw(&self, method: reqwest::Method, path_and_query: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url("roster", path_and_query))
    }
}

/// Asserts a business error: HTTP 200 and the code.
#[track_caller]
fn expect_code<T: std::fmt::Debug>(result: Result<T, Error>, code: i64) -> Error {
    let error = match result {
        Ok(value) => panic!("expected business code {code}, got Ok({value:?})"),
        Err(error) => error,
    };
    assert_eq!(
        error.status().map(|s| s.as_u16()),
        Some(200),
        "roster errors are HTTP 200: {error:?}"
    );
    assert!(
        error.code().is_some_and(|c| *c == code),
        "expected code {code}: {error:?}"
    );
    assert!(
        error.message().is_some_and(|m| !m.is_empty()),
        "a business error says why: {error:?}"
    );
    error
}

async fn apply(client: &roster::Client, to: &CreatedRosterUser) -> Result<bool, Error> {
    let to = to.user.id;
    client
        .apply_roster_friend()
        .body_map(|b| b.user_id(to))
        .await
}

async fn apply_with(
    client: &roster::Client,
    to: &CreatedRosterUser,
    reason: Option<&str>,
    alias: Option<&str>,
    answer: Option<&str>,
) -> Result<bool, Error> {
    let to = to.user.id;
    let (reason, alias, answer) = (
        reason.map(str::to_owned),
        alias.map(str::to_owned),
        answer.map(str::to_owned),
    );
    client
        .apply_roster_friend()
        .body_map(|b| {
            b.user_id(to)
                .reason(reason)
                .alias(alias)
                .auth_answer(answer)
        })
        .await
}

async fn friend_ids(client: &roster::Client) -> Vec<i64> {
    client
        .list_roster_friend_ids()
        .stream()
        .try_collect()
        .await
        .expect("friend ids")
}

async fn applications(client: &roster::Client) -> Vec<RosterApplication> {
    client
        .list_roster_applications()
        .stream()
        .try_collect()
        .await
        .expect("applications")
}

async fn lookup(client: &roster::Client, id: i64) -> RosterUserInfo {
    client
        .get_roster_user_by_id()
        .user_id(id)
        .await
        .expect("lookup")
}

async fn relation(client: &roster::Client, id: i64) -> i32 {
    lookup(client, id).await.relation.expect("relation")
}

fn decline_body(from: i64, reason: Option<&str>) -> RosterDeclineRequest {
    RosterDeclineRequest {
        reason: reason.map(str::to_owned),
        user_id: from,
    }
}

fn ext_body(
    friend: i64,
    alias: Option<&str>,
    ext: Option<&str>,
    mute: Option<bool>,
) -> RosterExtUpdateRequest {
    RosterExtUpdateRequest {
        alias: alias.map(str::to_owned),
        ext: ext.map(str::to_owned),
        mute_notification: mute,
        user_id: friend,
    }
}

fn batch_item(to: i64) -> RosterApplicationRequest {
    RosterApplicationRequest {
        alias: None,
        reason: Some("batch".into()),
        user_id: to,
    }
}

#[tokio::test]
async fn auth_mode_0_makes_friends_at_once_with_the_applicants_alias() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let (a, b) = (im.client(&ann), im.client(&bob));

    assert!(
        apply_with(&a, &bob, Some("hi"), Some("Bobby"), None)
            .await
            .expect("apply")
    );
    assert_eq!(friend_ids(&a).await, [bob.user.id]);
    assert_eq!(
        friend_ids(&b).await,
        [ann.user.id],
        "friendship is symmetric"
    );
    assert!(applications(&b).await.is_empty(), "no application is left");

    let seen_by_ann = lookup(&a, bob.user.id).await;
    assert_eq!(seen_by_ann.relation, Some(0));
    assert_eq!(seen_by_ann.alias.as_deref(), Some("Bobby"));
    assert_eq!(seen_by_ann.username.as_deref(), Some("bob"));
    let seen_by_bob = lookup(&b, ann.user.id).await;
    assert_eq!(seen_by_bob.relation, Some(0));
    assert_eq!(
        seen_by_bob.alias, None,
        "the alias is the applicant's side only"
    );

    expect_code(apply(&a, &bob).await, ALREADY_FRIENDS);
    expect_code(apply(&b, &ann).await, ALREADY_FRIENDS);
}

#[tokio::test]
async fn auth_mode_1_leaves_an_application_that_expires_after_seven_days() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im
        .user_with(json!({"username": "bob", "authMode": 1}))
        .await;
    let (a, b) = (im.client(&ann), im.client(&bob));

    let before = chrono::Utc::now().timestamp_millis();
    assert!(
        apply_with(&a, &bob, Some("we met at the conference"), None, None)
            .await
            .expect("apply")
    );
    let after = chrono::Utc::now().timestamp_millis();
    assert!(friend_ids(&a).await.is_empty(), "not friends yet");
    let listed = applications(&b).await;
    assert_eq!(listed.len(), 1);
    let application = &listed[0];
    assert_eq!(application.user_id, Some(ann.user.id));
    assert_eq!(application.status, Some(0));
    assert_eq!(
        application.reason.as_deref(),
        Some("we met at the conference")
    );
    let expires = application.expired_time.expect("expired_time");
    let ttl_ms = (SEVEN_DAYS * 1000) as i64;
    assert!(
        (before + ttl_ms..=after + ttl_ms).contains(&expires),
        "expired_time {expires} is sent + 7 days in ms"
    );
    assert!(
        applications(&a).await.is_empty(),
        "the list holds applications addressed to the caller"
    );

    im.advance(SEVEN_DAYS - 10).await;
    assert_eq!(
        applications(&b).await.len(),
        1,
        "open until the 7 days pass"
    );
    im.advance(20).await;
    assert!(applications(&b).await.is_empty(), "expired ones drop out");
    expect_code(
        b.accept_roster_application().user_id(ann.user.id).await,
        NO_APPLICATION,
    );
    expect_code(
        b.decline_roster_application()
            .body(decline_body(ann.user.id, None))
            .await,
        NO_APPLICATION,
    );

    // Applying again opens a new application.
    apply(&a, &bob).await.expect("apply again");
    assert_eq!(applications(&b).await.len(), 1);
    assert!(
        b.accept_roster_application_via_post()
            .user_id(ann.user.id)
            .await
            .expect("accept")
    );
    assert_eq!(friend_ids(&b).await, [ann.user.id]);
}

#[tokio::test]
async fn accept_and_decline_change_the_status_and_both_methods_work() {
    let im = Im::new().await;
    let host = im
        .user_with(json!({"username": "host", "authMode": 1}))
        .await;
    let guests = [
        im.user("g1").await,
        im.user("g2").await,
        im.user("g3").await,
        im.user("g4").await,
    ];
    let h = im.client(&host);
    for g in &guests {
        apply_with(&im.client(g), &host, Some("let me in"), Some("Host"), None)
            .await
            .expect("apply");
    }

    assert!(
        h.accept_roster_application()
            .user_id(guests[0].user.id)
            .await
            .expect("accept (PUT)")
    );
    assert!(
        h.accept_roster_application_via_post()
            .user_id(guests[1].user.id)
            .await
            .expect("accept (POST)")
    );
    assert!(
        h.decline_roster_application()
            .body(decline_body(guests[2].user.id, Some("no room")))
            .await
            .expect("decline (PUT)")
    );
    assert!(
        h.decline_roster_application_via_post()
            .body(decline_body(guests[3].user.id, None))
            .await
            .expect("decline (POST)")
    );

    let mut friends = friend_ids(&h).await;
    friends.sort_unstable();
    assert_eq!(friends, [guests[0].user.id, guests[1].user.id]);
    let g0 = im.client(&guests[0]);
    assert_eq!(
        lookup(&g0, host.user.id).await.alias.as_deref(),
        Some("Host"),
        "the alias sent with the application applies once accepted"
    );
    let status_of = |list: &[RosterApplication], id: i64| {
        list.iter()
            .find(|a| a.user_id == Some(id))
            .and_then(|a| a.status)
    };
    let listed = applications(&h).await;
    assert_eq!(
        listed.len(),
        4,
        "answered applications stay until they expire"
    );
    assert_eq!(status_of(&listed, guests[0].user.id), Some(1));
    assert_eq!(status_of(&listed, guests[1].user.id), Some(1));
    assert_eq!(status_of(&listed, guests[2].user.id), Some(2));
    assert_eq!(status_of(&listed, guests[3].user.id), Some(2));

    // Only pending applications can be answered.
    expect_code(
        h.accept_roster_application()
            .user_id(guests[2].user.id)
            .await,
        NO_APPLICATION,
    );
    expect_code(
        h.decline_roster_application()
            .body(decline_body(guests[0].user.id, None))
            .await,
        NO_APPLICATION,
    );
    // Nobody answers an application addressed to someone else.
    let g3 = im.client(&guests[3]);
    expect_code(
        g3.accept_roster_application()
            .user_id(guests[2].user.id)
            .await,
        NO_APPLICATION,
    );
    expect_code(
        g3.accept_roster_application().user_id(NO_SUCH_USER).await,
        USER_NOT_FOUND,
    );
    expect_code(
        g3.accept_roster_application()
            .user_id(guests[3].user.id)
            .await,
        BAD_PARAMETER,
    );
    expect_code(
        g3.decline_roster_application()
            .body(decline_body(NO_SUCH_USER, None))
            .await,
        USER_NOT_FOUND,
    );
    expect_code(
        g3.decline_roster_application_via_post()
            .body(decline_body(guests[3].user.id, None))
            .await,
        BAD_PARAMETER,
    );

    // A declined applicant may apply again; the new application replaces the old one.
    apply(&im.client(&guests[2]), &host).await.expect("again");
    let listed = applications(&h).await;
    assert_eq!(listed.len(), 4);
    assert_eq!(listed[0].user_id, Some(guests[2].user.id), "newest first");
    assert_eq!(listed[0].status, Some(0));
}

#[tokio::test]
async fn auth_mode_2_needs_the_answer_trimmed_and_case_insensitive() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let quiz = im
        .user_with(json!({
            "username": "quiz",
            "authMode": 2,
            "authQuestion": "Favourite colour?",
            "authAnswer": "Blue"
        }))
        .await;
    let a = im.client(&ann);
    let seen = lookup(&a, quiz.user.id).await;
    assert_eq!(seen.auth_mode, Some(2));
    assert_eq!(seen.auth_question.as_deref(), Some("Favourite colour?"));

    expect_code(
        apply_with(&a, &quiz, None, None, Some("red")).await,
        BAD_PARAMETER,
    );
    expect_code(apply(&a, &quiz).await, BAD_PARAMETER);
    assert!(friend_ids(&a).await.is_empty());
    assert!(applications(&im.client(&quiz)).await.is_empty());
    assert!(
        apply_with(&a, &quiz, None, None, Some("  bLUE "))
            .await
            .expect("right answer")
    );
    assert_eq!(friend_ids(&a).await, [quiz.user.id]);
}

#[tokio::test]
async fn auth_mode_3_rejects_every_application() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let hermit = im
        .user_with(json!({"username": "hermit", "authMode": 3}))
        .await;
    let a = im.client(&ann);
    expect_code(apply(&a, &hermit).await, REJECTS_ALL);
    let result = a
        .apply_roster_friends_batch()
        .body(vec![batch_item(hermit.user.id)])
        .await
        .expect("batch");
    assert_eq!(result.success, Some(vec![]));
    assert_eq!(result.fails.as_ref().map(Vec::len), Some(1));

    // The control plane changes the mode; applications follow the new one.
    im.world
        .update_roster_user(&im.app.app_id, hermit.user.id, json!({"authMode": 0}))
        .await
        .expect("update");
    apply(&a, &hermit).await.expect("now open");
    assert_eq!(friend_ids(&a).await, [hermit.user.id]);
}

#[tokio::test]
async fn apply_refuses_yourself_unknown_users_and_blocks_either_way() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let cy = im.user("cy").await;
    let a = im.client(&ann);

    expect_code(apply(&a, &ann).await, BAD_PARAMETER);
    expect_code(
        a.apply_roster_friend()
            .body_map(|b| b.user_id(NO_SUCH_USER))
            .await,
        USER_NOT_FOUND,
    );
    a.block_roster_user()
        .user_id(bob.user.id)
        .await
        .expect("block");
    expect_code(apply(&a, &bob).await, BLOCKED);
    expect_code(apply(&im.client(&bob), &ann).await, BLOCKED);
    im.client(&cy)
        .block_roster_user_via_post()
        .user_id(ann.user.id)
        .await
        .expect("block");
    expect_code(apply(&a, &cy).await, BLOCKED);
    assert!(friend_ids(&a).await.is_empty());
}

#[tokio::test]
async fn applying_back_accepts_the_open_application() {
    let im = Im::new().await;
    let ann = im
        .user_with(json!({"username": "ann", "authMode": 1}))
        .await;
    let bob = im
        .user_with(json!({"username": "bob", "authMode": 3}))
        .await;
    apply(&im.client(&bob), &ann).await.expect("bob applies");
    // Bob rejects all applications, but he asked first.
    apply(&im.client(&ann), &bob)
        .await
        .expect("ann applies back");
    assert_eq!(friend_ids(&im.client(&ann)).await, [bob.user.id]);
    let listed = applications(&im.client(&ann)).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].status, Some(1), "bob's application is accepted");
}

#[tokio::test]
async fn batch_apply_reports_each_item_and_takes_at_most_100() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let open = im.user("open").await;
    let consent = im
        .user_with(json!({"username": "consent", "authMode": 1}))
        .await;
    let quiz = im
        .user_with(json!({"username": "quiz", "authMode": 2, "authAnswer": ""}))
        .await;
    let hermit = im
        .user_with(json!({"username": "hermit", "authMode": 3}))
        .await;
    let a = im.client(&ann);

    let ids = [
        open.user.id,
        consent.user.id,
        quiz.user.id,
        hermit.user.id,
        NO_SUCH_USER,
        ann.user.id,
        open.user.id,
    ];
    let result = a
        .apply_roster_friends_batch()
        .body(ids.iter().map(|id| batch_item(*id)).collect::<Vec<_>>())
        .await
        .expect("batch");
    assert_eq!(result.success, Some(vec![open.user.id, consent.user.id]));
    let fails = result.fails.expect("fails");
    let failed: Vec<i64> = fails.iter().filter_map(|f| f.user_id).collect();
    assert_eq!(
        failed,
        [
            quiz.user.id,
            hermit.user.id,
            NO_SUCH_USER,
            ann.user.id,
            open.user.id
        ]
    );
    assert!(
        fails
            .iter()
            .all(|f| f.reason.as_deref().is_some_and(|r| !r.is_empty())),
        "every failure says why: {fails:?}"
    );
    assert!(
        fails[4]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("already a friend")),
        "{fails:?}"
    );
    assert_eq!(friend_ids(&a).await, [open.user.id]);
    let pending = applications(&im.client(&consent)).await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].reason.as_deref(), Some("batch"));

    let empty = a
        .apply_roster_friends_batch()
        .body(Vec::<RosterApplicationRequest>::new())
        .await
        .expect("empty batch");
    assert_eq!(empty.success, Some(vec![]));
    let too_many: Vec<_> = (0..101).map(|i| batch_item(10_000 + i)).collect();
    expect_code(
        a.apply_roster_friends_batch().body(too_many).await,
        BAD_PARAMETER,
    );
}

#[tokio::test]
async fn block_ends_the_friendship_and_fills_the_blacklist() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let cy = im.user("cy").await;
    im.befriend(&ann, &bob).await;
    im.befriend(&ann, &cy).await;
    let (a, b) = (im.client(&ann), im.client(&bob));
    assert!(
        a.roster_may_message()
            .user_id(ann.user.id)
            .roster_id(bob.user.id)
            .await
            .expect("may")
    );

    assert!(
        a.block_roster_user()
            .user_id(bob.user.id)
            .await
            .expect("block")
    );
    assert!(
        a.block_roster_user_via_post()
            .user_id(cy.user.id)
            .await
            .expect("block (POST)")
    );
    assert!(
        a.block_roster_user()
            .user_id(cy.user.id)
            .await
            .expect("again"),
        "blocking someone blocked succeeds"
    );
    assert!(friend_ids(&a).await.is_empty());
    assert!(friend_ids(&b).await.is_empty(), "both sides");
    assert_eq!(
        a.list_roster_blocked().await.expect("blacklist"),
        [bob.user.id, cy.user.id]
    );
    assert!(b.list_roster_blocked().await.expect("blacklist").is_empty());
    assert_eq!(relation(&a, bob.user.id).await, 3, "you blocked them");
    assert_eq!(
        relation(&b, ann.user.id).await,
        1,
        "they ended the friendship"
    );
    assert!(
        !a.roster_may_message()
            .user_id(ann.user.id)
            .roster_id(bob.user.id)
            .await
            .expect("may")
    );
    assert!(
        !b.roster_may_message()
            .user_id(bob.user.id)
            .roster_id(ann.user.id)
            .await
            .expect("may")
    );

    assert!(
        a.unblock_roster_user()
            .user_id(bob.user.id)
            .await
            .expect("unblock")
    );
    assert!(
        a.unblock_roster_user_via_post()
            .user_id(cy.user.id)
            .await
            .expect("unblock (POST)")
    );
    assert!(
        a.unblock_roster_user()
            .user_id(cy.user.id)
            .await
            .expect("again"),
        "unblocking someone not blocked succeeds"
    );
    assert!(a.list_roster_blocked().await.expect("blacklist").is_empty());
    assert!(
        friend_ids(&a).await.is_empty(),
        "unblock does not restore the friendship"
    );
    assert_eq!(relation(&a, bob.user.id).await, 2);

    for (result, code) in [
        (
            a.block_roster_user().user_id(ann.user.id).await,
            BAD_PARAMETER,
        ),
        (
            a.block_roster_user().user_id(NO_SUCH_USER).await,
            USER_NOT_FOUND,
        ),
        (
            a.unblock_roster_user().user_id(ann.user.id).await,
            BAD_PARAMETER,
        ),
        (
            a.unblock_roster_user_via_post().user_id(NO_SUCH_USER).await,
            USER_NOT_FOUND,
        ),
    ] {
        expect_code(result, code);
    }
}

#[tokio::test]
async fn a_block_while_an_application_is_pending_holds_the_accept() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im
        .user_with(json!({"username": "bob", "authMode": 1}))
        .await;
    let cy = im.user("cy").await;
    let (a, b) = (im.client(&ann), im.client(&bob));
    apply(&a, &bob).await.expect("apply");
    apply(&im.client(&cy), &bob).await.expect("apply");

    b.block_roster_user()
        .user_id(ann.user.id)
        .await
        .expect("block");
    expect_code(
        b.accept_roster_application().user_id(ann.user.id).await,
        BLOCKED,
    );
    assert_eq!(
        applications(&b)
            .await
            .iter()
            .find(|x| x.user_id == Some(ann.user.id))
            .and_then(|x| x.status),
        Some(0),
        "still pending"
    );
    b.unblock_roster_user()
        .user_id(ann.user.id)
        .await
        .expect("unblock");
    // The applicant blocking the invitee holds it too.
    a.block_roster_user()
        .user_id(bob.user.id)
        .await
        .expect("block");
    expect_code(
        b.accept_roster_application_via_post()
            .user_id(ann.user.id)
            .await,
        BLOCKED,
    );
    a.unblock_roster_user()
        .user_id(bob.user.id)
        .await
        .expect("unblock");
    b.accept_roster_application()
        .user_id(ann.user.id)
        .await
        .expect("accept");
    assert_eq!(friend_ids(&a).await, [bob.user.id]);

    // Declining works whatever the blocks.
    b.block_roster_user()
        .user_id(cy.user.id)
        .await
        .expect("block");
    b.decline_roster_application()
        .body(decline_body(cy.user.id, Some("blocked")))
        .await
        .expect("decline");
}

#[tokio::test]
async fn delete_removes_both_sides_and_only_friends() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let cy = im.user("cy").await;
    im.befriend(&ann, &bob).await;
    im.befriend(&ann, &cy).await;
    let (a, b) = (im.client(&ann), im.client(&bob));

    assert!(
        a.delete_roster_friend()
            .user_id(bob.user.id)
            .await
            .expect("delete")
    );
    assert_eq!(friend_ids(&a).await, [cy.user.id]);
    assert!(friend_ids(&b).await.is_empty());
    assert_eq!(
        relation(&b, ann.user.id).await,
        1,
        "the other side deleted you"
    );
    assert_eq!(
        relation(&a, bob.user.id).await,
        2,
        "a stranger to the deleter"
    );
    expect_code(
        a.delete_roster_friend().user_id(bob.user.id).await,
        NOT_A_FRIEND,
    );
    expect_code(
        b.delete_roster_friend_via_post().user_id(ann.user.id).await,
        NOT_A_FRIEND,
    );
    assert!(
        im.client(&cy)
            .delete_roster_friend_via_post()
            .user_id(ann.user.id)
            .await
            .expect("delete (POST)")
    );
    assert!(friend_ids(&a).await.is_empty());
    expect_code(
        a.delete_roster_friend().user_id(ann.user.id).await,
        BAD_PARAMETER,
    );
    expect_code(
        a.delete_roster_friend().user_id(NO_SUCH_USER).await,
        USER_NOT_FOUND,
    );

    // Becoming friends again clears "deleted".
    apply(&b, &ann).await.expect("apply");
    assert_eq!(relation(&b, ann.user.id).await, 0);
}

#[tokio::test]
async fn ext_sets_the_callers_side_of_a_friendship_only() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let cy = im.user("cy").await;
    im.befriend(&ann, &bob).await;
    let (a, b) = (im.client(&ann), im.client(&bob));

    assert!(
        a.update_roster_friend_ext()
            .body(ext_body(
                bob.user.id,
                Some("B"),
                Some("{\"k\":1}"),
                Some(true)
            ))
            .await
            .expect("ext (PUT)")
    );
    let seen = lookup(&a, bob.user.id).await;
    assert_eq!(seen.alias.as_deref(), Some("B"));
    assert_eq!(seen.ext.as_deref(), Some("{\"k\":1}"));
    assert_eq!(seen.mute_notification, Some(true));
    let other_side = lookup(&b, ann.user.id).await;
    assert_eq!((other_side.alias, other_side.ext), (None, None));
    assert_eq!(other_side.mute_notification, Some(false));

    // Absent fields stay; an empty string clears.
    assert!(
        a.update_roster_friend_ext_via_post()
            .body(ext_body(bob.user.id, Some(""), None, None))
            .await
            .expect("ext (POST)")
    );
    let seen = lookup(&a, bob.user.id).await;
    assert_eq!(seen.alias, None);
    assert_eq!(seen.ext.as_deref(), Some("{\"k\":1}"));
    assert_eq!(seen.mute_notification, Some(true));

    expect_code(
        a.update_roster_friend_ext()
            .body(ext_body(cy.user.id, Some("C"), None, None))
            .await,
        NOT_A_FRIEND,
    );
    expect_code(
        a.update_roster_friend_ext_via_post()
            .body(ext_body(NO_SUCH_USER, None, None, None))
            .await,
        USER_NOT_FOUND,
    );
    expect_code(
        a.update_roster_friend_ext()
            .body(ext_body(ann.user.id, None, None, None))
            .await,
        BAD_PARAMETER,
    );

    // The friend fields go with the friendship.
    a.delete_roster_friend()
        .user_id(bob.user.id)
        .await
        .expect("delete");
    im.befriend(&ann, &bob).await;
    let seen = lookup(&a, bob.user.id).await;
    assert_eq!((seen.alias, seen.ext), (None, None));
}

#[tokio::test]
async fn lookups_by_id_name_and_mobile_show_the_profile_and_the_relation() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im
        .user_with(json!({
            "username": "Bob",
            "nickname": "Bobby",
            "mobile": "+15550100",
            "avatar": "https://example.test/bob.png",
            "description": "likes boats",
            "publicInfo": "hello world",
            "authMode": 1,
            "authAnswer": "secret"
        }))
        .await;
    let a = im.client(&ann);

    let by_id = lookup(&a, bob.user.id).await;
    assert_eq!(by_id.user_id, Some(bob.user.id));
    assert_eq!(by_id.username.as_deref(), Some("Bob"));
    assert_eq!(by_id.nick_name.as_deref(), Some("Bobby"));
    assert_eq!(
        by_id.avatar.as_deref(),
        Some("https://example.test/bob.png")
    );
    assert_eq!(by_id.description.as_deref(), Some("likes boats"));
    assert_eq!(by_id.public_info.as_deref(), Some("hello world"));
    assert_eq!(by_id.auth_mode, Some(1));
    assert_eq!(by_id.relation, Some(2), "a stranger");

    let by_name = a
        .get_roster_user_by_name()
        .username("bOB")
        .await
        .expect("by name");
    assert_eq!(by_name, by_id, "usernames match case-insensitively");
    let by_mobile = a
        .get_roster_user_by_mobile()
        .mobile("+15550100")
        .await
        .expect("by mobile");
    assert_eq!(by_mobile, by_id);

    expect_code(
        a.get_roster_user_by_id().user_id(NO_SUCH_USER).await,
        USER_NOT_FOUND,
    );
    expect_code(
        a.get_roster_user_by_name().username("nobody").await,
        USER_NOT_FOUND,
    );
    expect_code(
        a.get_roster_user_by_mobile().mobile("+10000000").await,
        USER_NOT_FOUND,
    );
    expect_code(
        a.get_roster_user_by_name().username("").await,
        BAD_PARAMETER,
    );
    expect_code(
        a.get_roster_user_by_mobile().mobile(" ").await,
        BAD_PARAMETER,
    );

    // Profile changes through the control plane show at once; null clears.
    im.world
        .update_roster_user(
            &im.app.app_id,
            bob.user.id,
            json!({"nickname": null, "mobile": "+15550199"}),
        )
        .await
        .expect("update");
    let changed = a
        .get_roster_user_by_mobile()
        .mobile("+15550199")
        .await
        .expect("new mobile");
    assert_eq!(changed.nick_name, None);
    expect_code(
        a.get_roster_user_by_mobile().mobile("+15550100").await,
        USER_NOT_FOUND,
    );
}

#[tokio::test]
async fn friend_details_keep_the_order_and_leave_out_unknown_ids() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let cy = im.user("cy").await;
    im.befriend(&ann, &bob).await;
    let a = im.client(&ann);
    a.update_roster_friend_ext()
        .body(ext_body(bob.user.id, Some("B"), None, None))
        .await
        .expect("ext");
    a.block_roster_user()
        .user_id(cy.user.id)
        .await
        .expect("block");

    let details = a
        .list_roster_friend_details()
        .body(RosterFriendDetailsRequest {
            list: vec![cy.user.id, NO_SUCH_USER, bob.user.id, cy.user.id],
        })
        .await
        .expect("details");
    let ids: Vec<Option<i64>> = details.iter().map(|u| u.user_id).collect();
    assert_eq!(ids, [Some(cy.user.id), Some(bob.user.id)]);
    assert_eq!(details[0].relation, Some(3));
    assert_eq!(details[1].relation, Some(0));
    assert_eq!(details[1].alias.as_deref(), Some("B"));

    let empty = a
        .list_roster_friend_details()
        .body(RosterFriendDetailsRequest { list: vec![] })
        .await
        .expect("no ids");
    assert!(empty.is_empty());
    expect_code(
        a.list_roster_friend_details()
            .body(RosterFriendDetailsRequest {
                list: (1..=101).collect(),
            })
            .await,
        BAD_PARAMETER,
    );
}

#[tokio::test]
async fn may_message_needs_a_friendship_and_no_block() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let cy = im.user("cy").await;
    im.befriend(&ann, &bob).await;
    let a = im.client(&ann);
    let may = |user: i64, roster: i64| a.roster_may_message().user_id(user).roster_id(roster);

    assert!(may(ann.user.id, bob.user.id).await.expect("friends"));
    assert!(
        may(bob.user.id, ann.user.id)
            .await
            .expect("either way round")
    );
    assert!(!may(ann.user.id, cy.user.id).await.expect("strangers"));
    expect_code(may(bob.user.id, cy.user.id).await, NO_PERMISSION);
    expect_code(may(ann.user.id, NO_SUCH_USER).await, USER_NOT_FOUND);
    expect_code(may(ann.user.id, ann.user.id).await, BAD_PARAMETER);

    // An admin token may ask about any pair.
    let admin = im.admin();
    assert!(
        admin
            .roster_may_message()
            .user_id(bob.user.id)
            .roster_id(ann.user.id)
            .await
            .expect("admin")
    );
    assert!(
        !admin
            .roster_may_message()
            .user_id(bob.user.id)
            .roster_id(cy.user.id)
            .await
            .expect("admin")
    );
}

#[tokio::test]
async fn an_admin_token_acts_as_the_user_it_names() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im
        .user_with(json!({"username": "bob", "authMode": 1}))
        .await;
    let as_ann = im.admin_as(&ann);
    let as_bob = im.admin_as(&bob);

    apply(&as_ann, &bob).await.expect("apply as ann");
    let listed = applications(&as_bob).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].user_id, Some(ann.user.id));
    as_bob
        .accept_roster_application()
        .user_id(ann.user.id)
        .await
        .expect("accept as bob");
    assert_eq!(friend_ids(&im.client(&ann)).await, [bob.user.id]);
    assert_eq!(relation(&as_bob, ann.user.id).await, 0);

    // `group_id` is accepted with an admin token.
    let in_group = im.config.roster(
        Auth::roster(im.app.app_id.as_str(), im.app.admin_token.as_str())
            .acting_as_user(ann.user.id)
            .in_group(77),
    );
    assert_eq!(friend_ids(&in_group).await, [bob.user.id]);

    // Without an acting user an admin looks users up as nobody…
    let admin = im.admin();
    assert_eq!(relation(&admin, bob.user.id).await, 2);
    // …but cannot act as one.
    expect_code(apply(&admin, &bob).await, BAD_PARAMETER);
    expect_code(admin.list_roster_friend_ids().await, BAD_PARAMETER);
    // Acting as a user the app does not have.
    let ghost = im.config.roster(
        Auth::roster(im.app.app_id.as_str(), im.app.admin_token.as_str())
            .acting_as_user(NO_SUCH_USER),
    );
    expect_code(ghost.list_roster_blocked().await, USER_NOT_FOUND);
    // Another admin token of the app works the same.
    let second = im
        .world
        .create_roster_admin_token(&im.app.app_id)
        .await
        .expect("admin token");
    let second = im
        .config
        .roster(Auth::roster(im.app.app_id.as_str(), second.as_str()).acting_as_user(bob.user.id));
    assert_eq!(friend_ids(&second).await, [ann.user.id]);
}

#[tokio::test]
async fn tokens_and_app_ids_are_checked_first() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let other_app = im.world.create_roster_app().await.expect("app");
    let stranger = im
        .world
        .create_roster_user(&other_app.app_id, json!({"username": "ann"}))
        .await
        .expect("same username, other app");
    let app = im.app.app_id.as_str();
    let with = |auth: Auth| im.config.roster(auth);

    expect_code(
        friend_ids_result(&with(Auth::roster(app, ""))).await,
        MISSING_TOKEN,
    );
    expect_code(friend_ids_result(&with(Auth::none())).await, UNKNOWN_APP);
    expect_code(
        friend_ids_result(&with(Auth::roster(app, "not-a-token"))).await,
        INVALID_TOKEN,
    );
    expect_code(
        friend_ids_result(&with(Auth::roster("no-such-app", ann.token.as_str()))).await,
        UNKNOWN_APP,
    );
    expect_code(
        friend_ids_result(&with(Auth::roster(app, stranger.token.as_str()))).await,
        INVALID_TOKEN,
    );
    // A user token may not act as someone else, nor in a group.
    let a = im.client(&ann);
    expect_code(
        a.list_roster_friend_ids().user_id(bob.user.id).await,
        NO_PERMISSION,
    );
    assert!(
        a.list_roster_friend_ids()
            .user_id(ann.user.id)
            .await
            .expect("naming yourself is fine")
            .is_empty()
    );
    expect_code(a.list_roster_blocked().group_id(5).await, NO_PERMISSION);
    expect_code(
        with(Auth::roster(app, ann.token.as_str()).acting_as_user(bob.user.id))
            .block_roster_user()
            .user_id(bob.user.id)
            .await,
        NO_PERMISSION,
    );
    // A second token of a user acts as that user.
    let second = im
        .world
        .create_roster_token(app, ann.user.id)
        .await
        .expect("token");
    apply(&with(Auth::roster(app, second.as_str())), &bob)
        .await
        .expect("second token");
    assert_eq!(friend_ids(&a).await, [bob.user.id]);
}

/// The caller's roster version now, asserting it grew past `last`.
async fn grown(client: &roster::Client, last: i64, what: &str) -> i64 {
    let now = client
        .list_roster_friend_ids()
        .send()
        .await
        .expect("page")
        .into_inner()
        .version
        .expect("version");
    assert!(now > last, "{what} grows the version ({last} → {now})");
    now
}

async fn friend_ids_result(client: &roster::Client) -> Result<Vec<i64>, Error> {
    client.list_roster_friend_ids().await
}

#[tokio::test]
async fn friend_ids_page_by_cursor_and_the_version_grows() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let mut others = Vec::new();
    for i in 0..25 {
        others.push(im.user(&format!("f{i:02}")).await);
    }
    let a = im.client(&ann);
    let first_version = a
        .list_roster_friend_ids()
        .send()
        .await
        .expect("empty list")
        .into_inner()
        .version
        .expect("version");
    let batch = a
        .apply_roster_friends_batch()
        .body(
            others
                .iter()
                .map(|o| batch_item(o.user.id))
                .collect::<Vec<_>>(),
        )
        .await
        .expect("batch");
    assert_eq!(batch.success.map(|s| s.len()), Some(25));

    let mut expected: Vec<i64> = others.iter().map(|o| o.user.id).collect();
    expected.sort_unstable();
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    let mut versions = Vec::new();
    let mut pages = 0;
    loop {
        let mut request = a.list_roster_friend_ids().limit(10);
        if let Some(c) = &cursor {
            request = request.cursor(c.as_str());
        }
        let page = request.send().await.expect("page").into_inner();
        assert_eq!(page.code, Some(200));
        pages += 1;
        walked.extend(page.data.unwrap_or_default());
        versions.push(page.version.expect("version"));
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(walked, expected, "every friend once, in id order");
    assert!(
        versions[0] > first_version,
        "the version grew with the friendships"
    );
    assert!(
        versions.iter().all(|v| *v == versions[0]),
        "unchanged during the walk"
    );
    assert_eq!(
        friend_ids(&a).await,
        expected,
        "the SDK stream walks the same pages"
    );

    // Every roster change grows the version, whoever makes it.
    let mut last = versions[0];
    a.update_roster_friend_ext()
        .body(ext_body(expected[0], Some("x"), None, None))
        .await
        .expect("ext");
    last = grown(&a, last, "ext").await;
    a.delete_roster_friend()
        .user_id(expected[1])
        .await
        .expect("delete");
    last = grown(&a, last, "delete").await;
    a.block_roster_user()
        .user_id(expected[2])
        .await
        .expect("block");
    last = grown(&a, last, "block").await;
    a.unblock_roster_user()
        .user_id(expected[2])
        .await
        .expect("unblock");
    last = grown(&a, last, "unblock").await;
    im.client(&others[3])
        .delete_roster_friend()
        .user_id(ann.user.id)
        .await
        .expect("deleted by the other side");
    grown(&a, last, "a delete by the other side").await;

    // A walk in progress survives friends removed meanwhile.
    let first = a
        .list_roster_friend_ids()
        .limit(5)
        .send()
        .await
        .expect("page")
        .into_inner();
    let next = first.cursor.expect("more pages");
    let removed = first.data.as_ref().expect("ids")[0];
    a.delete_roster_friend()
        .user_id(removed)
        .await
        .expect("delete");
    let second = a
        .list_roster_friend_ids()
        .limit(5)
        .cursor(next.as_str())
        .send()
        .await
        .expect("page")
        .into_inner();
    let last_seen = *first.data.as_ref().expect("ids").last().expect("id");
    assert!(
        second.data.expect("ids").iter().all(|id| *id > last_seen),
        "the next page continues after the last id seen"
    );
}

#[tokio::test]
async fn paging_refuses_bad_limits_and_cursors_that_are_not_the_lists() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    for i in 0..3 {
        let f = im.user(&format!("f{i}")).await;
        im.befriend(&ann, &f).await;
        im.befriend(&bob, &f).await;
    }
    let (a, b) = (im.client(&ann), im.client(&bob));
    for limit in [0, -1, 101] {
        expect_code(a.list_roster_friend_ids().limit(limit).await, BAD_PARAMETER);
        expect_code(
            a.list_roster_applications().limit(limit).await,
            BAD_PARAMETER,
        );
    }
    assert_eq!(
        a.list_roster_friend_ids()
            .limit(100)
            .await
            .expect("100")
            .len(),
        3
    );
    let bobs_cursor = b
        .list_roster_friend_ids()
        .limit(1)
        .send()
        .await
        .expect("page")
        .into_inner()
        .cursor
        .expect("cursor");
    for cursor in [bobs_cursor.as_str(), "forged", "eyJ9.AAAA"] {
        expect_code(
            a.list_roster_friend_ids().cursor(cursor).await,
            BAD_PARAMETER,
        );
        expect_code(
            a.list_roster_applications().cursor(cursor).await,
            BAD_PARAMETER,
        );
    }
    assert_eq!(
        b.list_roster_friend_ids()
            .limit(1)
            .cursor(bobs_cursor.as_str())
            .await
            .expect("its own list")
            .len(),
        1
    );
}

#[tokio::test]
async fn applications_page_newest_first_with_a_version() {
    let im = Im::new().await;
    let star = im
        .user_with(json!({"username": "star", "authMode": 1}))
        .await;
    let mut fans = Vec::new();
    for i in 0..12 {
        let fan = im.user(&format!("fan{i:02}")).await;
        let reason = format!("fan {i}");
        apply_with(&im.client(&fan), &star, Some(reason.as_str()), None, None)
            .await
            .expect("apply");
        fans.push(fan);
    }
    let s = im.client(&star);
    let newest_first: Vec<i64> = fans.iter().rev().map(|f| f.user.id).collect();
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    let mut version = None;
    loop {
        let mut request = s.list_roster_applications().limit(5);
        if let Some(c) = &cursor {
            request = request.cursor(c.as_str());
        }
        let page = request.send().await.expect("page").into_inner();
        walked.extend(
            page.data
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| a.user_id),
        );
        version = page.version.or(version);
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(walked, newest_first);
    let before = version.expect("version");
    s.decline_roster_application()
        .body(decline_body(fans[0].user.id, None))
        .await
        .expect("decline");
    let after = s
        .list_roster_applications()
        .send()
        .await
        .expect("page")
        .into_inner()
        .version
        .expect("version");
    assert!(after > before, "answering an application grows the version");
    let streamed: Vec<i64> = s
        .list_roster_applications()
        .limit(5)
        .stream()
        .map_ok(|a| a.user_id.unwrap_or_default())
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(streamed, newest_first);
}

#[tokio::test]
async fn racing_accepts_make_one_friendship() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im
        .user_with(json!({"username": "bob", "authMode": 1}))
        .await;
    apply(&im.client(&ann), &bob).await.expect("apply");
    let (b1, b2) = (im.client(&bob), im.admin_as(&bob));
    let (one, two) = tokio::join!(
        b1.accept_roster_application()
            .user_id(ann.user.id)
            .into_future(),
        b2.accept_roster_application_via_post()
            .user_id(ann.user.id)
            .into_future(),
    );
    let outcomes = [one, two];
    assert_eq!(
        outcomes.iter().filter(|r| r.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    let loser = outcomes.into_iter().find(Result::is_err).expect("one lost");
    expect_code(loser, NO_APPLICATION);
    assert_eq!(friend_ids(&im.client(&ann)).await, [bob.user.id]);
    assert_eq!(friend_ids(&im.client(&bob)).await, [ann.user.id]);
}

#[tokio::test]
async fn rejected_input_is_a_200_envelope_with_code_10002() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let app = im.app.app_id.as_str();
    let auth = |r: reqwest::RequestBuilder| {
        r.header("access-token", ann.token.as_str())
            .header("app_id", app)
    };
    let cases = [
        auth(im.raw(reqwest::Method::GET, "/roster/id?user_id=abc")),
        auth(im.raw(reqwest::Method::GET, "/roster/id")),
        auth(im.raw(
            reqwest::Method::GET,
            "/roster/id?user_id=99999999999999999999",
        )),
        auth(im.raw(reqwest::Method::GET, "/roster/list?limit=x")),
        auth(im.raw(reqwest::Method::GET, "/roster/blocked_list")).header("user_id", "abc"),
        auth(im.raw(reqwest::Method::POST, "/roster/apply"))
            .header("content-type", "application/json")
            .body("{not json"),
        auth(im.raw(reqwest::Method::POST, "/roster/apply"))
            .header("content-type", "text/plain")
            .body("{\"user_id\": 1}"),
        auth(im.raw(reqwest::Method::POST, "/roster/apply")).json(&json!({"user_id": "one"})),
        auth(im.raw(reqwest::Method::POST, "/roster/apply")).json(&json!({"reason": "no id"})),
        auth(im.raw(reqwest::Method::POST, "/roster/apply/batch")).json(&json!({"user_id": 1})),
        auth(im.raw(reqwest::Method::PUT, "/roster/ext"))
            .json(&json!({"user_id": 1, "mute_notification": "yes"})),
        auth(im.raw(reqwest::Method::POST, "/roster/list")).json(&json!({"list": [1, "x"]})),
    ];
    for request in cases {
        let built = request.build().expect("request");
        let what = format!("{} {}", built.method(), built.url());
        let response = im.http.execute(built).await.expect("sent");
        assert_eq!(response.status(), 200, "{what}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["code"], BAD_PARAMETER, "{what}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}: {body}"
        );
        let nullable_data = !what.contains("/roster/id") && !what.contains("/apply/batch");
        assert_eq!(body.get("data").is_some(), nullable_data, "{what}: {body}");
    }
    // Credentials are checked before the input.
    let response = im
        .raw(reqwest::Method::GET, "/roster/id?user_id=abc")
        .header("app_id", app)
        .send()
        .await
        .expect("sent");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["code"], MISSING_TOKEN, "{body}");
    // Success carries `message: null`.
    let response = auth(im.raw(reqwest::Method::GET, "/roster/blocked_list"))
        .send()
        .await
        .expect("sent");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body, json!({"code": 200, "data": [], "message": null}));
    // A wrong method is 405 with Allow.
    let response = auth(im.raw(reqwest::Method::PATCH, "/roster/accept?user_id=1"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 405);
    assert!(response.headers().contains_key("allow"));
}
