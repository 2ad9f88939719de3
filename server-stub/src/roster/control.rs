//! Control-plane routes of the roster world, under `/__stub/worlds/{world}/roster`:
//!
//! | method and path | body | answer |
//! |---|---|---|
//! | `POST …/roster/apps` | `{"appId"?}` (or no body) | `201 {"appId", "adminToken"}` |
//! | `POST …/roster/apps/{app}/admin-tokens` | | `201 {"token"}`: another admin token |
//! | `POST …/roster/apps/{app}/users` | `{"id"?, "username"?, "nickname"?, "mobile"?, "avatar"?, "description"?, "publicInfo"?, "authMode"?, "authQuestion"?, "authAnswer"?}` | `201 {"user", "token"}` |
//! | `PUT`/`PATCH …/roster/apps/{app}/users/{id}` | the same fields but `id` (absent: unchanged, `null`: cleared) | `200` the user |
//! | `POST …/roster/apps/{app}/users/{id}/tokens` | | `201 {"token"}`: another token of the user |
//! | `POST …/roster/apps/{app}/friendships` | `{"a", "b"}` | `204` |
//! | `POST …/roster/apps/{app}/blocks` | `{"blocker", "blocked"}` | `204` (ends a friendship, as `block` does) |
//!
//! Fields are camelCase; the API's snake_case names (`public_info`, `auth_mode`,
//! `auth_question`, `auth_answer`, `nick_name`) are accepted too. `authMode` is 0 (default)
//! to 3; usernames (default `user<id>`) are unique per app case-insensitively and mobiles
//! exactly (409 otherwise). Unknown app or user: 404 `NOT_FOUND`; a malformed body or value
//! (an unknown field, a non-positive id, `authMode` outside 0–3): 400 `INVALID_INPUT`.

use super::state::{ControlProblem, RosterUserSpec};
use crate::http::control::{Body, ControlWorld, done, error};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

/// The routes.
pub(crate) fn router() -> Router {
    Router::new()
        .route("/apps", post(create_app))
        .route("/apps/{app}/admin-tokens", post(create_admin_token))
        .route("/apps/{app}/users", post(create_user))
        .route(
            "/apps/{app}/users/{id}",
            put(update_user).patch(update_user),
        )
        .route("/apps/{app}/users/{id}/tokens", post(create_user_token))
        .route("/apps/{app}/friendships", post(add_friendship))
        .route("/apps/{app}/blocks", post(add_block))
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewApp {
    #[serde(default)]
    app_id: Option<String>,
}

async fn create_app(ControlWorld(world): ControlWorld, body: axum::body::Bytes) -> Response {
    let spec: NewApp = if body.iter().all(u8::is_ascii_whitespace) {
        NewApp::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(spec) => spec,
            Err(e) => return error(StatusCode::BAD_REQUEST, "INVALID_INPUT", e.to_string()),
        }
    };
    let created = world.roster().create_app(spec.app_id);
    match created {
        Ok(created) => (StatusCode::CREATED, Json(created)).into_response(),
        Err(problem) => refused(problem, "APP_NOT_CREATED"),
    }
}

async fn create_admin_token(
    ControlWorld(world): ControlWorld,
    Path((_, app)): Path<(String, String)>,
) -> Response {
    let token = world.roster().create_admin_token(&app);
    match token {
        Some(token) => (StatusCode::CREATED, Json(json!({"token": token}))).into_response(),
        None => no_app(&app),
    }
}

async fn create_user(
    ControlWorld(world): ControlWorld,
    Path((_, app)): Path<(String, String)>,
    Body(spec): Body<RosterUserSpec>,
) -> Response {
    let created = world.roster().create_user(&app, spec);
    match created {
        Ok(created) => (StatusCode::CREATED, Json(created)).into_response(),
        Err(problem) => refused(problem, "USER_NOT_CREATED"),
    }
}

async fn update_user(
    ControlWorld(world): ControlWorld,
    Path((_, app, user)): Path<(String, String, i64)>,
    Body(spec): Body<RosterUserSpec>,
) -> Response {
    let updated = world.roster().update_user(&app, user, spec);
    match updated {
        Ok(user) => Json(user).into_response(),
        Err(problem) => refused(problem, "USER_NOT_UPDATED"),
    }
}

fn no_app(app: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        format!("no app {app:?}"),
    )
}

/// 404 `NOT_FOUND`, 400 `INVALID_INPUT`, or 409 with `conflict` as the error name.
fn refused(problem: ControlProblem, conflict: &str) -> Response {
    match problem {
        ControlProblem::NotFound(m) => error(StatusCode::NOT_FOUND, "NOT_FOUND", m),
        ControlProblem::Invalid(m) => error(StatusCode::BAD_REQUEST, "INVALID_INPUT", m),
        ControlProblem::Conflict(m) => error(StatusCode::CONFLICT, conflict, m),
    }
}

async fn create_user_token(
    ControlWorld(world): ControlWorld,
    Path((_, app, user)): Path<(String, String, i64)>,
) -> Response {
    let token = world.roster().create_user_token(&app, user);
    match token {
        Ok(token) => (StatusCode::CREATED, Json(json!({"token": token}))).into_response(),
        Err(message) => error(StatusCode::NOT_FOUND, "NOT_FOUND", message),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Friendship {
    a: i64,
    b: i64,
}

async fn add_friendship(
    ControlWorld(world): ControlWorld,
    Path((_, app)): Path<(String, String)>,
    Body(f): Body<Friendship>,
) -> Response {
    let now = world.now();
    let mut state = world.roster();
    match state.app_mut(&app) {
        Some(app) => done(app.seed_friendship(f.a, f.b, now)),
        None => no_app(&app),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Block {
    blocker: i64,
    blocked: i64,
}

async fn add_block(
    ControlWorld(world): ControlWorld,
    Path((_, app)): Path<(String, String)>,
    Body(b): Body<Block>,
) -> Response {
    let mut state = world.roster();
    match state.app_mut(&app) {
        Some(app) => done(app.seed_block(b.blocker, b.blocked)),
        None => no_app(&app),
    }
}
