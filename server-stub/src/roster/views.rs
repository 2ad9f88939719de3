//! The roster's answers, built from the state: a user as a viewer sees them, an application
//! as its invitee lists it, and the HTTP 200 envelope of a business error (the `roster` docs
//! give the shape; the generated router writes a success's). Pure: `api.rs` puts them on
//! the wire.

use super::state::{App, Application, Business, RosterUser};
use serde_json::{Value, json};
use social_sdk::roster::types;

/// Operations whose `data` the document does not mark nullable: an error leaves it out.
const DATA_NOT_NULLABLE: [&str; 4] = [
    "apply_roster_friends_batch",
    "get_roster_user_by_id",
    "get_roster_user_by_mobile",
    "get_roster_user_by_name",
];

/// The envelope `operation` answers a business error with (a success's is written by the
/// generated router).
pub(super) fn error_envelope(operation: &str, error: Business) -> Value {
    let mut body = json!({"code": error.code, "message": error.message});
    if !DATA_NOT_NULLABLE.contains(&operation) {
        body["data"] = Value::Null;
    }
    body
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
