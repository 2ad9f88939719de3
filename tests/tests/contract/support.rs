//! What every contract test shares: a stub booted in-process, a fresh world per test, SDK
//! clients for that world's users, raw HTTP for what the SDK deliberately never sends, and
//! assertions on the SDK's `Error`.

use serde_json::{Value, json};
use social_sdk::{Auth, Config, Error, RetryPolicy, Service, contacts, friends};
use social_stub::control::WorldHandle;
use social_stub::roblox::CreatedUser;
use social_stub::world::FaultRule;
use social_stub::{RunningStub, StubConfig};

/// Documented messages (the `x-error-codes` of `openapi/friends.yaml` and `contacts.yaml`).
pub(crate) const UNAUTHORIZED: &str = "Authorization has been denied for this request.";
pub(crate) const INVALID_TARGET: &str = "The target user is invalid or does not exist.";
pub(crate) const INVALID_PARAMETERS: &str = "Invalid parameters.";
pub(crate) const TOKEN_FAILED: &str = "Token Validation Failed";
pub(crate) const FLOOD: &str = "The flood limit has been exceeded.";

/// A user id no world ever hands out.
pub(crate) const NO_SUCH_USER: i64 = 987_654_321;

/// One stub, one world of its own, and the SDK configured for it (retries off).
pub(crate) struct Env {
    /// Kept so the server lives as long as the test.
    _stub: RunningStub,
    pub(crate) world: WorldHandle,
    pub(crate) config: Config,
    pub(crate) http: reqwest::Client,
}

impl Env {
    pub(crate) async fn new() -> Self {
        Self::with(StubConfig::default()).await
    }

    pub(crate) async fn with(config: StubConfig) -> Self {
        Self::with_retry(config, RetryPolicy::disabled()).await
    }

    pub(crate) async fn with_retry(config: StubConfig, retry: RetryPolicy) -> Self {
        let stub = RunningStub::start_with(config).await.expect("stub starts");
        let world = stub.control().create_world().await.expect("world");
        let config = Config::builder()
            .base_url(Service::Friends, world.service_url("friends"))
            .base_url(Service::Contacts, world.service_url("contacts"))
            .retry(retry)
            .build()
            .expect("config");
        Self {
            _stub: stub,
            world,
            config,
            http: reqwest::Client::new(),
        }
    }

    pub(crate) async fn user(&self, name: &str) -> CreatedUser {
        self.world
            .create_roblox_user(name)
            .await
            .expect("user created")
    }

    pub(crate) async fn user_with(&self, spec: Value) -> CreatedUser {
        self.world
            .create_roblox_user_with(spec)
            .await
            .expect("user created")
    }

    /// `count` users named `{prefix}{i:02}`.
    pub(crate) async fn users(&self, prefix: &str, count: usize) -> Vec<CreatedUser> {
        let mut users = Vec::with_capacity(count);
        for i in 0..count {
            users.push(self.user(&format!("{prefix}{i:02}")).await);
        }
        users
    }

    pub(crate) async fn befriend(&self, a: &CreatedUser, b: &CreatedUser) {
        self.world
            .befriend(a.user.id, b.user.id, false)
            .await
            .expect("befriend");
    }

    pub(crate) async fn follow(&self, follower: &CreatedUser, followee: &CreatedUser) {
        self.world
            .follow(follower.user.id, followee.user.id)
            .await
            .expect("follow");
    }

    pub(crate) async fn fault(&self, rule: FaultRule) {
        self.world.add_faults(&[rule]).await.expect("fault added");
    }

    /// A Friends client with the user's `.ROBLOSECURITY` cookie.
    pub(crate) fn friends(&self, user: &CreatedUser) -> friends::Client {
        self.config
            .friends(Auth::roblox_cookie(user.cookie.as_str()))
    }

    /// A Friends client with the user's bearer session.
    pub(crate) fn friends_bearer(&self, user: &CreatedUser) -> friends::Client {
        self.config.friends(Auth::bearer(user.token.as_str()))
    }

    /// A Friends client without credentials.
    pub(crate) fn anonymous_friends(&self) -> friends::Client {
        self.config.friends(Auth::none())
    }

    pub(crate) fn contacts(&self, user: &CreatedUser) -> contacts::Client {
        self.config
            .contacts(Auth::roblox_cookie(user.cookie.as_str()))
    }

    pub(crate) fn contacts_bearer(&self, user: &CreatedUser) -> contacts::Client {
        self.config.contacts(Auth::bearer(user.token.as_str()))
    }

    pub(crate) fn anonymous_contacts(&self) -> contacts::Client {
        self.config.contacts(Auth::none())
    }

    /// Absolute URL of a path of one service in this world (raw HTTP).
    pub(crate) fn url(&self, service: &str, path: &str) -> String {
        format!("{}{path}", self.world.service_url(service))
    }

    /// The CSRF token the stub would hand this user's cookie session now.
    pub(crate) async fn csrf(&self, user: &CreatedUser) -> String {
        self.world
            .csrf_token(&user.cookie)
            .await
            .expect("csrf token")
    }

    /// A raw `POST` with the user's cookie and (optionally) a CSRF token.
    pub(crate) async fn raw_post(
        &self,
        service: &str,
        path: &str,
        user: Option<&CreatedUser>,
        csrf: Option<&str>,
        body: Value,
    ) -> reqwest::Response {
        let mut request = self.http.post(self.url(service, path)).json(&body);
        if let Some(user) = user {
            request = request.header("cookie", format!(".ROBLOSECURITY={}", user.cookie));
        }
        if let Some(token) = csrf {
            request = request.header("x-csrf-token", token);
        }
        request.send().await.expect("raw POST sent")
    }

    /// A raw `GET` with the user's cookie, if any.
    pub(crate) async fn raw_get(
        &self,
        service: &str,
        path_and_query: &str,
        user: Option<&CreatedUser>,
    ) -> reqwest::Response {
        let mut request = self.http.get(self.url(service, path_and_query));
        if let Some(user) = user {
            request = request.header("cookie", format!(".ROBLOSECURITY={}", user.cookie));
        }
        request.send().await.expect("raw GET sent")
    }

    /// The statuses the stub answered for one operation, oldest first.
    pub(crate) async fn statuses(&self, operation: &str) -> Vec<u16> {
        self.logged(operation)
            .await
            .into_iter()
            .map(|r| r.status)
            .collect()
    }

    /// The logged requests of one operation, oldest first.
    pub(crate) async fn logged(&self, operation: &str) -> Vec<social_stub::world::LoggedRequest> {
        self.world
            .requests()
            .await
            .expect("request log")
            .into_iter()
            .filter(|r| r.operation == operation)
            .collect()
    }
}

/// A fault rule answering `status` with `body` the next `count` calls of `operation`.
pub(crate) fn fault(
    operation: &str,
    status: u16,
    body: Value,
    retry_after: Option<u64>,
) -> FaultRule {
    FaultRule {
        service: None,
        operation: operation.to_owned(),
        count: 1,
        status: Some(status),
        body: Some(body),
        retry_after,
        delay_ms: None,
        reset: false,
    }
}

/// The Roblox error envelope.
pub(crate) fn roblox_error(code: i64, message: &str) -> Value {
    json!({"errors": [{"code": code, "message": message}]})
}

/// Asserts a documented service error: status, Roblox code and message.
#[track_caller]
pub(crate) fn expect_error<T: std::fmt::Debug, C: std::fmt::Debug>(
    result: Result<T, Error>,
    status: u16,
    code: C,
    message: &str,
) -> Error
where
    social_sdk::ErrorCode: PartialEq<C>,
{
    let error = match result {
        Ok(value) => panic!("expected HTTP {status} code {code:?}, got Ok({value:?})"),
        Err(error) => error,
    };
    assert_eq!(
        error.status().map(|s| s.as_u16()),
        Some(status),
        "status of {error:?}"
    );
    assert!(
        error.code().is_some_and(|c| *c == code),
        "expected code {code:?}: {error:?}"
    );
    assert_eq!(error.message(), Some(message), "message of {error:?}");
    error
}

/// Reads a raw error response: status, first code and message, and the `x-csrf-token` header.
pub(crate) async fn raw_error(response: reqwest::Response) -> (u16, i64, String, Option<String>) {
    let status = response.status().as_u16();
    let csrf = response
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = response.json().await.expect("JSON error body");
    let code = body
        .pointer("/errors/0/code")
        .and_then(Value::as_i64)
        .unwrap_or_else(|| panic!("no errors[0].code in {body}"));
    let message = body
        .pointer("/errors/0/message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    (status, code, message, csrf)
}

/// The ids of a list of Friends users.
pub(crate) fn ids<'a>(users: impl IntoIterator<Item = &'a CreatedUser>) -> Vec<i64> {
    users.into_iter().map(|u| u.user.id).collect()
}
