//! Contract tests: the roster service through the SDK against the stub. Every operation
//! (both methods of the dual-method endpoints), every business code the stub produces, each
//! `auth_mode`, expiry by the world's clock, blocks while an application is pending, an admin
//! token acting as a user, and keyset paging with a growing `version`.

use contract_tests::actors::NO_SUCH_USER;
use contract_tests::assert::roster::*;
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

mod access;
mod applications;
mod paging;
mod relationships;
mod robustness;

use self::paging::friend_ids_result;

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
