//! [`Control`], the typed client of the control plane, for tests and tools (works against
//! any running stub).

use crate::roblox::seed::{RobloxBulk, RobloxBulkResult};
use crate::roblox::state::CreatedUser;
use crate::social::seed::{SocialBulk, SocialBulkResult};
use crate::world::{FaultRule, LoggedRequest};
use serde_json::{Value, json};
use std::time::Duration;

/// Typed client of the control plane.
#[derive(Debug, Clone)]
pub struct Control {
    base: String,
    http: reqwest::Client,
    /// The stub's `--control-token`, sent as `Authorization: Bearer`.
    token: Option<String>,
}

/// A control-plane call that failed.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// The stub could not be reached.
    #[error("control plane unreachable: {0}")]
    Transport(#[from] reqwest::Error),
    /// The stub refused the call.
    #[error("control plane answered {status}: {body}")]
    Refused {
        /// Status.
        status: u16,
        /// Body.
        body: String,
    },
}

/// A world, from the control plane's point of view.
#[derive(Debug, Clone)]
pub struct WorldHandle {
    control: Control,
    /// Its id.
    pub id: String,
}

impl Control {
    /// A client for the stub at `base` (`http://127.0.0.1:<port>`).
    pub fn new(base: impl Into<String>) -> Self {
        Self {
            base: base.into().trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
            token: None,
        }
    }

    /// Sends the stub's control token (`--control-token`) with every call.
    pub fn with_token(mut self, token: Option<String>) -> Self {
        self.token = token;
        self
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<T, ControlError> {
        let mut request = self
            .http
            .request(method, format!("{}/__stub{path}", self.base));
        if let Some(body) = body {
            request = request.json(&body);
        }
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await?;
        let status = response.status();
        if !status.is_success() {
            return Err(ControlError::Refused {
                status: status.as_u16(),
                body: response.text().await.unwrap_or_default(),
            });
        }
        let text = response.text().await?;
        let text = if text.is_empty() { "null" } else { &text };
        serde_json::from_str(text).map_err(|e| ControlError::Refused {
            status: status.as_u16(),
            body: e.to_string(),
        })
    }

    /// Creates an isolated world.
    pub async fn create_world(&self) -> Result<WorldHandle, ControlError> {
        let created: Value = self
            .call(reqwest::Method::POST, "/worlds", Some(json!({})))
            .await?;
        let id = created["id"].as_str().unwrap_or_default().to_owned();
        Ok(WorldHandle {
            control: self.clone(),
            id,
        })
    }

    /// The default world.
    pub fn default_world(&self) -> WorldHandle {
        self.world(crate::world::DEFAULT_WORLD)
    }

    /// A world that exists already, by id.
    pub fn world(&self, id: &str) -> WorldHandle {
        WorldHandle {
            control: self.clone(),
            id: id.to_owned(),
        }
    }
}

impl WorldHandle {
    fn path(&self, rest: &str) -> String {
        format!("/worlds/{}{rest}", self.id)
    }

    /// The base URL of one service in this world (`friends`, `contacts`, `roster`,
    /// `social-friends`, `party`).
    pub fn service_url(&self, spec_name: &str) -> String {
        let prefix = crate::spec::SERVICES
            .iter()
            .find(|s| s.spec_name == spec_name)
            .map_or("", |s| s.prefix);
        if self.id == crate::world::DEFAULT_WORLD {
            format!("{}{prefix}", self.control.base)
        } else {
            format!("{}/w/{}{prefix}", self.control.base, self.id)
        }
    }

    /// Creates a Roblox user (Friends/Contacts) with a cookie and a bearer session.
    pub async fn create_roblox_user(&self, name: &str) -> Result<CreatedUser, ControlError> {
        self.create_roblox_user_with(json!({"name": name})).await
    }

    /// Creates a Roblox user from a full spec (see the table in this module's docs).
    pub async fn create_roblox_user_with(&self, spec: Value) -> Result<CreatedUser, ControlError> {
        self.control
            .call(
                reqwest::Method::POST,
                &self.path("/roblox/users"),
                Some(spec),
            )
            .await
    }

    /// Sets a user's presence, e.g. `json!({"presence": "InGame", "placeId": 1})`.
    pub async fn set_presence(&self, user: i64, presence: Value) -> Result<(), ControlError> {
        self.control
            .call(
                reqwest::Method::PUT,
                &self.path(&format!("/roblox/users/{user}/presence")),
                Some(presence),
            )
            .await
    }

    /// Makes two users friends (optionally trusted).
    pub async fn befriend(&self, a: i64, b: i64, trusted: bool) -> Result<(), ControlError> {
        let body = json!({"a": a, "b": b, "trusted": trusted});
        self.control
            .call(
                reqwest::Method::POST,
                &self.path("/roblox/friendships"),
                Some(body),
            )
            .await
    }

    /// Makes `follower` follow `followee`.
    pub async fn follow(&self, follower: i64, followee: i64) -> Result<(), ControlError> {
        let body = json!({"follower": follower, "followee": followee});
        self.control
            .call(
                reqwest::Method::POST,
                &self.path("/roblox/follows"),
                Some(body),
            )
            .await
    }

    /// `sender` sends `recipient` a friend request from inside a game: with its
    /// `originSourceType` name and the universe it was sent in (`POST …/roblox/friend-requests`).
    pub async fn send_friend_request_in_game(
        &self,
        sender: i64,
        recipient: i64,
        origin: &str,
        universe: Option<i64>,
    ) -> Result<(), ControlError> {
        let body = json!({
            "senderId": sender,
            "recipientId": recipient,
            "originSourceType": origin,
            "sourceUniverseId": universe,
        });
        self.control
            .call(
                reqwest::Method::POST,
                &self.path("/roblox/friend-requests"),
                Some(body),
            )
            .await
    }

    /// `blocker` blocks `blocked`.
    pub async fn block(&self, blocker: i64, blocked: i64) -> Result<(), ControlError> {
        let body = json!({"blocker": blocker, "blocked": blocked});
        self.control
            .call(
                reqwest::Method::POST,
                &self.path("/roblox/blocks"),
                Some(body),
            )
            .await
    }

    /// The CSRF token a session (cookie or token) would be handed now.
    pub async fn csrf_token(&self, session: &str) -> Result<String, ControlError> {
        let path = format!(
            "{}?session={}",
            self.path("/roblox/csrf"),
            urlencode(session)
        );
        let answer: Value = self.control.call(reqwest::Method::GET, &path, None).await?;
        Ok(answer["token"].as_str().unwrap_or_default().to_owned())
    }

    /// Creates a social/party player, e.g. `json!({"name": "Alex"})` (see
    /// `social::control` for every field).
    pub async fn create_player(
        &self,
        spec: Value,
    ) -> Result<crate::social::state::CreatedPlayer, ControlError> {
        self.control
            .call(
                reqwest::Method::POST,
                &self.path("/social/players"),
                Some(spec),
            )
            .await
    }

    /// Sets a player's presence state (`ONLINE`, `OFFLINE`, `AWAY`, `BUSY`).
    pub async fn set_player_presence(
        &self,
        player: uuid::Uuid,
        state: &str,
    ) -> Result<(), ControlError> {
        let path = self.path(&format!("/social/players/{player}/presence"));
        self.control
            .call(reqwest::Method::PUT, &path, Some(json!({"state": state})))
            .await
    }

    /// Sets permission nodes (`Some`) or removes them (`None`).
    pub async fn set_permissions(
        &self,
        player: uuid::Uuid,
        nodes: &[(&str, Option<bool>)],
    ) -> Result<(), ControlError> {
        let body: serde_json::Map<String, Value> = nodes
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!(v)))
            .collect();
        let path = self.path(&format!("/social/players/{player}/permissions"));
        self.control
            .call(reqwest::Method::PUT, &path, Some(Value::Object(body)))
            .await
    }

    /// Registers a game server id for the social/party server routes (the secret is the
    /// stub's `--server-secret`, `stub-server-secret` by default).
    pub async fn register_server(&self, id: &str) -> Result<(), ControlError> {
        self.control
            .call(
                reqwest::Method::POST,
                &self.path("/social/servers"),
                Some(json!({"id": id})),
            )
            .await
    }

    /// Moves the world's clock forward.
    pub async fn advance_clock(&self, by: Duration) -> Result<(), ControlError> {
        let _: Value = self
            .control
            .call(
                reqwest::Method::POST,
                &self.path("/clock/advance"),
                Some(json!({"seconds": by.as_secs()})),
            )
            .await?;
        Ok(())
    }

    /// Turns the world's answer cache on or off (`PUT …/answer-cache`); answers whether it
    /// is on now.
    pub async fn set_answer_cache(&self, enabled: bool) -> Result<bool, ControlError> {
        let answer: Value = self
            .control
            .call(
                reqwest::Method::PUT,
                &self.path("/answer-cache"),
                Some(json!({"enabled": enabled})),
            )
            .await?;
        Ok(answer["enabled"].as_bool() == Some(true))
    }

    /// Adds fault rules.
    pub async fn add_faults(&self, rules: &[FaultRule]) -> Result<(), ControlError> {
        let body = serde_json::to_value(rules).unwrap_or_default();
        self.control
            .call(reqwest::Method::POST, &self.path("/faults"), Some(body))
            .await
    }

    /// The request log.
    pub async fn requests(&self) -> Result<Vec<LoggedRequest>, ControlError> {
        self.control
            .call(reqwest::Method::GET, &self.path("/requests"), None)
            .await
    }

    /// Deletes this world (`DELETE /__stub/worlds/{w}`; the default world is reset instead).
    pub async fn delete(&self) -> Result<(), ControlError> {
        self.control
            .call(reqwest::Method::DELETE, &self.path(""), None)
            .await
    }

    /// The whole world as JSON.
    pub async fn state(&self) -> Result<Value, ControlError> {
        self.control
            .call(reqwest::Method::GET, &self.path("/state"), None)
            .await
    }

    /// Creates a roster app: its `appId` and `adminToken`.
    pub async fn create_roster_app(
        &self,
    ) -> Result<crate::roster::state::CreatedRosterApp, ControlError> {
        self.control
            .call(
                reqwest::Method::POST,
                &self.path("/roster/apps"),
                Some(json!({})),
            )
            .await
    }

    /// Creates a user of a roster app with a token, e.g. `json!({"username": "ann",
    /// "authMode": 1})` (see `roster::control` for every field).
    pub async fn create_roster_user(
        &self,
        app: &str,
        spec: Value,
    ) -> Result<crate::roster::state::CreatedRosterUser, ControlError> {
        let path = self.path(&format!("/roster/apps/{}/users", urlencode(app)));
        self.control
            .call(reqwest::Method::POST, &path, Some(spec))
            .await
    }

    /// Changes a roster user's profile (absent fields stay, `null` clears).
    pub async fn update_roster_user(
        &self,
        app: &str,
        user: i64,
        spec: Value,
    ) -> Result<crate::roster::state::RosterUser, ControlError> {
        let path = self.path(&format!("/roster/apps/{}/users/{user}", urlencode(app)));
        self.control
            .call(reqwest::Method::PATCH, &path, Some(spec))
            .await
    }

    /// Another `access-token` of a roster user.
    pub async fn create_roster_token(&self, app: &str, user: i64) -> Result<String, ControlError> {
        let path = self.path(&format!(
            "/roster/apps/{}/users/{user}/tokens",
            urlencode(app)
        ));
        let answer: Value = self
            .control
            .call(reqwest::Method::POST, &path, None)
            .await?;
        Ok(answer["token"].as_str().unwrap_or_default().to_owned())
    }

    /// Another admin token of a roster app.
    pub async fn create_roster_admin_token(&self, app: &str) -> Result<String, ControlError> {
        let path = self.path(&format!("/roster/apps/{}/admin-tokens", urlencode(app)));
        let answer: Value = self
            .control
            .call(reqwest::Method::POST, &path, None)
            .await?;
        Ok(answer["token"].as_str().unwrap_or_default().to_owned())
    }

    /// Makes two users of a roster app friends directly.
    pub async fn roster_befriend(&self, app: &str, a: i64, b: i64) -> Result<(), ControlError> {
        let path = self.path(&format!("/roster/apps/{}/friendships", urlencode(app)));
        self.control
            .call(reqwest::Method::POST, &path, Some(json!({"a": a, "b": b})))
            .await
    }

    /// In a roster app, `blocker` blocks `blocked` (ending a friendship, as `block` does).
    pub async fn roster_block(
        &self,
        app: &str,
        blocker: i64,
        blocked: i64,
    ) -> Result<(), ControlError> {
        let path = self.path(&format!("/roster/apps/{}/blocks", urlencode(app)));
        let body = json!({"blocker": blocker, "blocked": blocked});
        self.control
            .call(reqwest::Method::POST, &path, Some(body))
            .await
    }
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

impl WorldHandle {
    /// Seeds Roblox users, a friendship ring, one user's friends and followers in one call
    /// (`POST /__stub/worlds/{w}/roblox/bulk`).
    pub async fn bulk_roblox(&self, spec: &RobloxBulk) -> Result<RobloxBulkResult, ControlError> {
        let body = serde_json::to_value(spec).unwrap_or_default();
        self.control
            .call(
                reqwest::Method::POST,
                &self.path("/roblox/bulk"),
                Some(body),
            )
            .await
    }

    /// Seeds social players and one player's friendships in one call
    /// (`POST /__stub/worlds/{w}/social/bulk`).
    pub async fn bulk_social(&self, spec: &SocialBulk) -> Result<SocialBulkResult, ControlError> {
        let body = serde_json::to_value(spec).unwrap_or_default();
        self.control
            .call(
                reqwest::Method::POST,
                &self.path("/social/bulk"),
                Some(body),
            )
            .await
    }
}
