//! The roster's answers, built from the state: a user as a viewer sees them, an application
//! as its invitee lists it, and the bodies of the HTTP 200 envelope every answer is (the
//! `roster` docs give the shape). Pure: `api.rs` puts them on the wire.

use super::state::codes::SUCCESS;
use super::state::{App, Application, Business, RosterUser};
use serde::Serialize;
use serde_json::{Value, json};
use social_sdk::roster::types;

/// A success: `data`, and on the paged lists the next `cursor` and the caller's `version`.
pub(super) struct Success {
    pub(super) data: Value,
    pub(super) cursor: Option<String>,
    pub(super) version: Option<i64>,
}

impl Success {
    pub(super) fn data(data: impl Serialize) -> Self {
        Self {
            data: serde_json::to_value(data).unwrap_or(Value::Null),
            cursor: None,
            version: None,
        }
    }
}

/// What an operation comes to.
pub(super) type Outcome = Result<Success, Business>;

/// Operations whose `data` the document does not mark nullable: an error leaves it out.
const DATA_NOT_NULLABLE: [&str; 4] = [
    "apply_roster_friends_batch",
    "get_roster_user_by_id",
    "get_roster_user_by_mobile",
    "get_roster_user_by_name",
];

/// The envelope `operation` answers `outcome` with.
pub(super) fn envelope(operation: &str, outcome: Outcome) -> Value {
    match outcome {
        Ok(success) => {
            let mut body = json!({"code": SUCCESS, "data": success.data, "message": null});
            if let Some(cursor) = success.cursor {
                body["cursor"] = json!(cursor);
            }
            if let Some(version) = success.version {
                body["version"] = json!(version);
            }
            body
        }
        Err(error) => {
            let mut body = json!({"code": error.code, "message": error.message});
            if !DATA_NOT_NULLABLE.contains(&operation) {
                body["data"] = Value::Null;
            }
            body
        }
    }
}

/// A user as `viewer` sees them (friend fields from the viewer's side).
pub(super) fn user_info(
    app: &App,
    viewer: Option<i64>,
    user: &RosterUser,
) -> types::RosterUserInfo {
    let side = viewer.and_then(|v| app.side(v, user.id));
    types::RosterUserInfo {
        alias: side.and_then(|s| s.alias.clone()),
        auth_mode: Some(user.auth_mode),
        auth_question: user.auth_question.clone(),
        avatar: user.avatar.clone(),
        description: user.description.clone(),
        ext: side.and_then(|s| s.ext.clone()),
        mute_notification: Some(side.is_some_and(|s| s.mute_notification)),
        nick_name: user.nickname.clone(),
        public_info: user.public_info.clone(),
        relation: Some(app.relation(viewer, user.id)),
        user_id: Some(user.id),
        username: Some(user.username.clone()),
    }
}

/// A received application as `apply/list` lists it.
pub(super) fn application(application: &Application) -> types::RosterApplication {
    types::RosterApplication {
        expired_time: Some(application.expired_time),
        reason: application.reason.clone(),
        status: Some(application.status),
        user_id: Some(application.from),
    }
}
