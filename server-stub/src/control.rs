//! The control plane under `/__stub/`, and [`Control`], its typed client.
//!
//! | method and path | body | answer |
//! |---|---|---|
//! | `GET /__stub/worlds` | | `["default", …]` |
//! | `POST /__stub/worlds` | `{"id"?}` | `201 {"id", "prefix"}` |
//! | `DELETE /__stub/worlds/{w}` | | `204` (the default world is reset) |
//! | `POST /__stub/worlds/{w}/roblox/users` | `{"id"?, "name"?, "displayName"?, "description"?, "isBanned"?, "isDeleted"?, "hasVerifiedBadge"?}` | `201 {"user", "cookie", "token"}` |
//! | `PUT /__stub/worlds/{w}/roblox/users/{id}/presence` | `{"presence", "placeId"?, "rootPlaceId"?, "universeId"?, "gameInstanceId"?, "lastLocation"?, "lastOnline"?}` | `204` |
//! | `POST /__stub/worlds/{w}/roblox/friendships` | `{"a", "b", "trusted"?}` | `204` |
//! | `POST /__stub/worlds/{w}/roblox/follows` | `{"follower", "followee"}` | `204` |
//! | `POST /__stub/worlds/{w}/roblox/blocks` | `{"blocker", "blocked"}` | `204` |
//! | `GET /__stub/worlds/{w}/roblox/csrf?session=…` | | `{"token"}` (the token a session would be handed now) |
//! | `POST /__stub/worlds/{w}/clock/advance` | `{"seconds"}` | `{"now"}` |
//! | `POST /__stub/worlds/{w}/faults` | `[FaultRule, …]` | `204` |
//! | `DELETE /__stub/worlds/{w}/faults` | | `204` |
//! | `GET /__stub/worlds/{w}/requests` | | `[LoggedRequest, …]` |
//! | `GET /__stub/worlds/{w}/state` | | the whole world as JSON |
//! | `POST /__stub/worlds/{w}/roblox/bulk`, `…/social/bulk` | see [`bulk`] | `201` (benchmark-size worlds in one call) |
//!
//! Errors are `{"error": "…", "message": "…"}` with 400 (bad body), 404 (unknown world or
//! user) or 409 (exists already).

use crate::Stub;
use crate::roblox::{CreatedUser, NewUser, Presence};
use crate::world::{FaultRule, LoggedRequest, World};
use axum::extract::{Extension, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

pub(crate) fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"error": code, "message": message.into()})),
    )
        .into_response()
}

#[allow(clippy::result_large_err)] // a handler's early answer is naturally a Response
pub(crate) fn world(stub: &Stub, id: &str) -> Result<Arc<World>, Response> {
    stub.worlds.get(id).ok_or_else(|| {
        error(
            StatusCode::NOT_FOUND,
            "UNKNOWN_WORLD",
            format!("no world {id:?}"),
        )
    })
}

/// A JSON body, with malformed input answered in the control plane's error shape.
pub(crate) struct Body<T>(pub(crate) T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(error(
                StatusCode::BAD_REQUEST,
                "INVALID_INPUT",
                rejection.body_text(),
            )),
        }
    }
}

pub(crate) type Shared = Extension<Arc<Stub>>;

#[path = "bulk.rs"]
pub mod bulk;

/// The control plane's routes.
pub fn router() -> Router {
    Router::new()
        .route("/worlds", get(list_worlds).post(create_world))
        .route("/worlds/{world}", axum::routing::delete(delete_world))
        .route("/worlds/{world}/roblox/users", post(create_user))
        .route(
            "/worlds/{world}/roblox/users/{id}/presence",
            put(set_presence),
        )
        .route("/worlds/{world}/roblox/friendships", post(add_friendship))
        .route("/worlds/{world}/roblox/follows", post(add_follow))
        .route("/worlds/{world}/roblox/blocks", post(add_block))
        .route("/worlds/{world}/roblox/csrf", get(csrf))
        .route("/worlds/{world}/clock/advance", post(advance))
        .route(
            "/worlds/{world}/faults",
            post(add_faults).delete(clear_faults),
        )
        .route("/worlds/{world}/requests", get(requests))
        .route("/worlds/{world}/state", get(state))
        .nest("/worlds/{world}/social", crate::social::control::router())
        .nest("/worlds/{world}/roster", crate::roster::control::router())
        .merge(bulk::router())
        .fallback(|| async {
            error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "no such control-plane route",
            )
        })
        .layer(axum::middleware::from_fn(refresh_live_after))
}

/// After a successful control-plane change of a world (presence, clock, players, …), push
/// the live snapshots it changed.
async fn refresh_live_after(
    Extension(stub): Shared,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mutating = request.method() != axum::http::Method::GET;
    let world = request.uri().path().split('/').nth(2).map(str::to_owned);
    let response = next.run(request).await;
    if mutating
        && response.status().is_success()
        && let Some(world) = world.and_then(|id| stub.worlds.get(&id))
    {
        world.refresh_live();
    }
    response
}

async fn list_worlds(Extension(stub): Shared) -> Json<Vec<String>> {
    Json(stub.worlds.ids())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewWorld {
    #[serde(default)]
    id: Option<String>,
}

async fn create_world(Extension(stub): Shared, body: axum::body::Bytes) -> Response {
    let spec: NewWorld = if body.iter().all(u8::is_ascii_whitespace) {
        NewWorld::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(spec) => spec,
            Err(e) => return error(StatusCode::BAD_REQUEST, "INVALID_INPUT", e.to_string()),
        }
    };
    match stub.worlds.create(spec.id) {
        Ok(world) => (
            StatusCode::CREATED,
            Json(json!({"id": world.id, "prefix": format!("/w/{}", world.id)})),
        )
            .into_response(),
        Err(message) => error(StatusCode::CONFLICT, "WORLD_NOT_CREATED", message),
    }
}

async fn delete_world(Extension(stub): Shared, Path(id): Path<String>) -> Response {
    if stub.worlds.delete(&id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        error(
            StatusCode::NOT_FOUND,
            "UNKNOWN_WORLD",
            format!("no world {id:?}"),
        )
    }
}

async fn create_user(
    Extension(stub): Shared,
    Path(id): Path<String>,
    Body(spec): Body<NewUser>,
) -> Response {
    let world = match world(&stub, &id) {
        Ok(w) => w,
        Err(e) => return e,
    };
    let now = world.now();
    match world.roblox().create_user(spec, now) {
        Ok(created) => (StatusCode::CREATED, Json(created)).into_response(),
        Err(message) => error(StatusCode::CONFLICT, "USER_NOT_CREATED", message),
    }
}

pub(crate) fn done(result: Result<(), String>) -> Response {
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(message) => error(StatusCode::BAD_REQUEST, "INVALID_INPUT", message),
    }
}

async fn set_presence(
    Extension(stub): Shared,
    Path((id, user)): Path<(String, i64)>,
    Body(presence): Body<Presence>,
) -> Response {
    match world(&stub, &id) {
        Ok(world) => {
            let now = world.now();
            done(world.roblox().set_presence(user, presence, now))
        }
        Err(e) => e,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Friendship {
    a: i64,
    b: i64,
    #[serde(default)]
    trusted: bool,
}

async fn add_friendship(
    Extension(stub): Shared,
    Path(id): Path<String>,
    Body(f): Body<Friendship>,
) -> Response {
    match world(&stub, &id) {
        Ok(world) => {
            let now = world.now();
            done(world.roblox().seed_friendship(f.a, f.b, f.trusted, now))
        }
        Err(e) => e,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Follow {
    follower: i64,
    followee: i64,
}

async fn add_follow(
    Extension(stub): Shared,
    Path(id): Path<String>,
    Body(f): Body<Follow>,
) -> Response {
    match world(&stub, &id) {
        Ok(world) => done(world.roblox().seed_follow(f.follower, f.followee)),
        Err(e) => e,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Block {
    blocker: i64,
    blocked: i64,
}

async fn add_block(
    Extension(stub): Shared,
    Path(id): Path<String>,
    Body(b): Body<Block>,
) -> Response {
    match world(&stub, &id) {
        Ok(world) => done(world.roblox().block(b.blocker, b.blocked)),
        Err(e) => e,
    }
}

#[derive(Debug, Deserialize)]
struct SessionQuery {
    session: String,
}

async fn csrf(
    Extension(stub): Shared,
    Path(id): Path<String>,
    Query(q): Query<SessionQuery>,
) -> Response {
    match world(&stub, &id) {
        Ok(world) => {
            let now = world.now();
            let token = world
                .roblox()
                .current_csrf(&q.session, now, stub.config.csrf_ttl());
            Json(json!({"token": token})).into_response()
        }
        Err(e) => e,
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: u64,
}

async fn advance(
    Extension(stub): Shared,
    Path(id): Path<String>,
    Body(a): Body<Advance>,
) -> Response {
    match world(&stub, &id) {
        Ok(world) => {
            world.advance(Duration::from_secs(a.seconds));
            Json(json!({"now": world.now()})).into_response()
        }
        Err(e) => e,
    }
}

async fn add_faults(
    Extension(stub): Shared,
    Path(id): Path<String>,
    Body(rules): Body<Vec<FaultRule>>,
) -> Response {
    match world(&stub, &id) {
        Ok(world) => {
            world.add_faults(rules);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => e,
    }
}

async fn clear_faults(Extension(stub): Shared, Path(id): Path<String>) -> Response {
    match world(&stub, &id) {
        Ok(world) => {
            world.clear_faults();
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => e,
    }
}

async fn requests(Extension(stub): Shared, Path(id): Path<String>) -> Response {
    match world(&stub, &id) {
        Ok(world) => Json(world.requests()).into_response(),
        Err(e) => e,
    }
}

async fn state(Extension(stub): Shared, Path(id): Path<String>) -> Response {
    match world(&stub, &id) {
        Ok(world) => Json(world.dump()).into_response(),
        Err(e) => e,
    }
}

/// Typed client of the control plane, for tests and tools (works against any running stub).
#[derive(Debug, Clone)]
pub struct Control {
    base: String,
    http: reqwest::Client,
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
        }
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
        WorldHandle {
            control: self.clone(),
            id: crate::world::DEFAULT_WORLD.to_owned(),
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
        let prefix = crate::SERVICES
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
    ) -> Result<crate::social::CreatedPlayer, ControlError> {
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
    pub async fn create_roster_app(&self) -> Result<crate::roster::CreatedRosterApp, ControlError> {
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
    ) -> Result<crate::roster::CreatedRosterUser, ControlError> {
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
    ) -> Result<crate::roster::RosterUser, ControlError> {
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
