//! The data of the roster world (`openapi/roster.yaml`): apps, their users and tokens,
//! friendships, applications, the blacklist, the business codes and the plain lookups over
//! them. One [`RosterState`] per world, always used under the world's lock, so every
//! operation (a batch apply included) is atomic. What changes it lives in `rules.rs`.

use crate::config::StubConfig;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Business codes of the roster API (`info.x-business-codes` of `openapi/roster.yaml`).
pub mod codes {
    /// Success.
    pub const SUCCESS: i32 = 200;
    /// User does not exist.
    pub const USER_NOT_FOUND: i32 = 10000;
    /// Bad parameter (also a wrong `auth_answer`, applying to yourself).
    pub const BAD_PARAMETER: i32 = 10002;
    /// Missing access-token.
    pub const MISSING_TOKEN: i32 = 10003;
    /// Not a friend.
    pub const NOT_A_FRIEND: i32 = 10004;
    /// Already a friend.
    pub const ALREADY_FRIENDS: i32 = 10005;
    /// In blacklist (either direction).
    pub const BLOCKED: i32 = 10006;
    /// Application missing or expired.
    pub const NO_APPLICATION: i32 = 10007;
    /// Invalid token.
    pub const INVALID_TOKEN: i32 = 10008;
    /// No permission.
    pub const NO_PERMISSION: i32 = 10010;
    /// Target rejects all applications.
    pub const REJECTS_ALL: i32 = 10012;
    /// Unknown app_id.
    pub const UNKNOWN_APP: i32 = 40000;

    /// The document's message for a code.
    pub fn message(code: i32) -> &'static str {
        match code {
            USER_NOT_FOUND => "user does not exist",
            BAD_PARAMETER => "bad parameter",
            MISSING_TOKEN => "missing access-token",
            NOT_A_FRIEND => "not a friend",
            ALREADY_FRIENDS => "already a friend",
            BLOCKED => "in blacklist",
            NO_APPLICATION => "application missing or expired",
            INVALID_TOKEN => "invalid token",
            NO_PERMISSION => "no permission",
            REJECTS_ALL => "target rejects all applications",
            UNKNOWN_APP => "unknown app_id",
            _ => "error",
        }
    }
}

use codes::*;

/// A business error: answered as HTTP 200 `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Business {
    /// The business code.
    pub code: i32,
    /// The document's message for it, with what went wrong.
    pub message: String,
}

impl Business {
    /// `code` with the document's message and a detail.
    pub fn new(code: i32, detail: impl AsRef<str>) -> Self {
        let detail = detail.as_ref();
        let base = codes::message(code);
        Self {
            code,
            message: if detail.is_empty() {
                base.to_owned()
            } else {
                format!("{base}: {detail}")
            },
        }
    }
}

pub(super) fn fail<T>(code: i32, detail: impl AsRef<str>) -> Result<T, Business> {
    Err(Business::new(code, detail))
}

/// A user of an app.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RosterUser {
    /// User id (unique in its app).
    pub id: i64,
    /// Username (unique in its app, case-insensitively).
    pub username: String,
    /// Nickname (`nick_name`).
    pub nickname: Option<String>,
    /// Mobile number (unique in its app).
    pub mobile: Option<String>,
    /// Avatar URL.
    pub avatar: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Public information, visible to everyone.
    pub public_info: Option<String>,
    /// 0 anyone may add; 1 consent needed; 2 answer the question; 3 reject all.
    pub auth_mode: i32,
    /// Verification question (`auth_mode` 2).
    pub auth_question: Option<String>,
    /// Expected answer (`auth_mode` 2); never sent by the API.
    pub auth_answer: Option<String>,
}

/// One side of a friendship: what the owner set about the friend.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FriendSide {
    /// Since when (world time).
    pub since: DateTime<Utc>,
    /// Alias the owner gave the friend.
    pub alias: Option<String>,
    /// Extension information.
    pub ext: Option<String>,
    /// Whether the owner muted the friend's notifications.
    pub mute_notification: bool,
}

/// A friend application.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// Sending order in the app (the paging key).
    pub seq: i64,
    /// Applicant.
    pub from: i64,
    /// Invitee.
    pub to: i64,
    /// The applicant's reason.
    pub reason: Option<String>,
    /// The alias the applicant gives the invitee once friends.
    pub alias: Option<String>,
    /// 0 pending, 1 accepted, 2 declined.
    pub status: i32,
    /// Expiry, in ms since the Unix epoch.
    pub expired_time: i64,
    /// The invitee's reason for declining.
    pub decline_reason: Option<String>,
}

/// Who a token belongs to.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TokenOwner {
    /// The app.
    pub app: String,
    /// The user; `None` for an admin token.
    pub user: Option<i64>,
}

/// One app: its users and everything between them.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct App {
    /// The app id (`app_id` header).
    pub id: String,
    pub(super) seq: i64,
    pub(super) users: BTreeMap<i64, RosterUser>,
    /// user → friend → the user's side.
    pub(super) friends: BTreeMap<i64, BTreeMap<i64, FriendSide>>,
    /// blocker → blocked.
    pub(super) blocks: BTreeMap<i64, BTreeSet<i64>>,
    /// user → those whose friendship with the user the user ended (`delete` or `block`).
    pub(super) ended: BTreeMap<i64, BTreeSet<i64>>,
    /// seq → application (one per applicant/invitee pair).
    pub(super) applications: BTreeMap<i64, Application>,
    /// `(from, to)` → seq of their application.
    #[serde(skip)]
    pub(super) pairs: HashMap<(i64, i64), i64>,
    /// invitee → seqs of the applications they received.
    #[serde(skip)]
    pub(super) inbox: HashMap<i64, BTreeSet<i64>>,
    /// user → roster version.
    pub(super) versions: BTreeMap<i64, i64>,
}

/// The caller of one request, once its credentials are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// Whether the token is the app's admin token.
    pub admin: bool,
    /// The user the call acts as (`None`: an admin token without header `user_id`).
    pub acting: Option<i64>,
}

impl Caller {
    /// The acting user, for operations that need one.
    pub fn user(&self) -> Result<i64, Business> {
        self.acting.ok_or_else(|| {
            Business::new(
                BAD_PARAMETER,
                "an admin token must name the acting user in header user_id",
            )
        })
    }
}

/// The credential headers of a request, as sent.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// `app_id`.
    pub app_id: Option<String>,
    /// `access-token`.
    pub token: Option<String>,
    /// `user_id` (header).
    pub user_id: Option<String>,
    /// `group_id` (header).
    pub group_id: Option<String>,
}

/// The roster state of one world.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RosterState {
    pub(super) next_app: u64,
    pub(super) next_user_id: i64,
    pub(super) apps: BTreeMap<String, App>,
    /// Token → owner (tokens included in the dump: this is a test double).
    pub(super) tokens: BTreeMap<String, TokenOwner>,
    #[serde(skip)]
    pub(super) application_ttl_ms: i64,
}

impl RosterState {
    /// An empty world.
    pub fn new(config: &StubConfig) -> Self {
        Self {
            next_app: 1,
            next_user_id: 1,
            apps: BTreeMap::new(),
            tokens: BTreeMap::new(),
            application_ttl_ms: i64::try_from(config.roster_application_ttl_secs)
                .unwrap_or(i64::MAX / 1000)
                .saturating_mul(1000),
        }
    }

    /// The state as JSON.
    pub fn dump(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// How long an application stays open, in ms.
    pub fn application_ttl_ms(&self) -> i64 {
        self.application_ttl_ms
    }

    /// An app by id.
    pub fn app(&self, id: &str) -> Option<&App> {
        self.apps.get(id)
    }

    /// An app by id, to change it.
    pub fn app_mut(&mut self, id: &str) -> Option<&mut App> {
        self.apps.get_mut(id)
    }
}

/// Why a control-plane change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlProblem {
    /// No such app or user (404).
    NotFound(String),
    /// The body does not make sense (400).
    Invalid(String),
    /// Clashes with another user (409).
    Conflict(String),
}

impl App {
    /// A user's roster version.
    pub fn version(&self, user: i64) -> i64 {
        self.versions.get(&user).copied().unwrap_or(0)
    }

    /// A user by id.
    pub fn user(&self, id: i64) -> Option<&RosterUser> {
        self.users.get(&id)
    }

    /// A user that must exist (10000 otherwise).
    pub fn existing(&self, id: i64) -> Result<&RosterUser, Business> {
        self.users
            .get(&id)
            .ok_or_else(|| Business::new(USER_NOT_FOUND, format!("no user {id}")))
    }

    /// A user by username (case-insensitive).
    pub fn by_username(&self, username: &str) -> Option<&RosterUser> {
        let wanted = username.to_lowercase();
        self.users
            .values()
            .find(|u| u.username.to_lowercase() == wanted)
    }

    /// A user by mobile number (exact).
    pub fn by_mobile(&self, mobile: &str) -> Option<&RosterUser> {
        self.users
            .values()
            .find(|u| u.mobile.as_deref() == Some(mobile))
    }

    pub(super) fn check_unique(&self, user: &RosterUser) -> Result<(), String> {
        let name = user.username.to_lowercase();
        for other in self.users.values().filter(|o| o.id != user.id) {
            if other.username.to_lowercase() == name {
                return Err(format!("username {:?} is taken", user.username));
            }
            if user.mobile.is_some() && other.mobile == user.mobile {
                return Err(format!("mobile {:?} is taken", user.mobile));
            }
        }
        Ok(())
    }

    /// Whether `a` and `b` are friends.
    pub fn are_friends(&self, a: i64, b: i64) -> bool {
        self.friends.get(&a).is_some_and(|f| f.contains_key(&b))
    }

    /// Whether `blocker` blocks `blocked`.
    pub fn blocks(&self, blocker: i64, blocked: i64) -> bool {
        self.blocks
            .get(&blocker)
            .is_some_and(|b| b.contains(&blocked))
    }

    pub(super) fn blocked_either_way(&self, a: i64, b: i64) -> bool {
        self.blocks(a, b) || self.blocks(b, a)
    }

    /// `viewer`'s side of the friendship with `friend`.
    pub fn side(&self, viewer: i64, friend: i64) -> Option<&FriendSide> {
        self.friends.get(&viewer)?.get(&friend)
    }

    /// `relation` of `target` seen from `viewer`: 0 friend, 1 the other side ended the
    /// friendship, 2 stranger, 3 the viewer blocks the target.
    pub fn relation(&self, viewer: Option<i64>, target: i64) -> i32 {
        let Some(viewer) = viewer else { return 2 };
        if self.blocks(viewer, target) {
            3
        } else if self.are_friends(viewer, target) {
            0
        } else if self.ended.get(&target).is_some_and(|e| e.contains(&viewer)) {
            1
        } else {
            2
        }
    }

    /// Whether `user` may message `roster`: friends, and neither blocks the other.
    pub fn may_message(&self, user: i64, roster: i64) -> bool {
        self.are_friends(user, roster) && !self.blocked_either_way(user, roster)
    }

    /// `user`'s friends and their sides, in id order.
    pub fn friends_of(&self, user: i64) -> Option<&BTreeMap<i64, FriendSide>> {
        self.friends.get(&user)
    }

    /// Ids `user` blocks, in id order.
    pub fn blocked_by(&self, user: i64) -> Vec<i64> {
        self.blocks
            .get(&user)
            .map(|b| b.iter().copied().collect())
            .unwrap_or_default()
    }

    /// Seqs of the applications `user` received, oldest first.
    pub fn inbox(&self, user: i64) -> Option<&BTreeSet<i64>> {
        self.inbox.get(&user)
    }

    /// An application by seq.
    pub fn application(&self, seq: i64) -> Option<&Application> {
        self.applications.get(&seq)
    }

    /// The application `from` sent `to`, if it is pending and unexpired.
    pub(super) fn open_application(&self, from: i64, to: i64, now_ms: i64) -> Option<i64> {
        let seq = *self.pairs.get(&(from, to))?;
        let application = self.applications.get(&seq)?;
        (application.status == 0 && application.expired_time > now_ms).then_some(seq)
    }
}

/// Reads a field that may be absent (`None`), `null` (`Some(None)`) or a value.
fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A user to create or change through the control plane. On a change, absent fields stay
/// and `null` clears.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RosterUserSpec {
    /// Id (default: the next free one); cannot change.
    #[serde(default)]
    pub id: Option<i64>,
    /// Username (default `user<id>`), unique in the app case-insensitively.
    #[serde(default, deserialize_with = "nullable")]
    pub username: Option<Option<String>>,
    /// Nickname.
    #[serde(default, deserialize_with = "nullable", alias = "nick_name")]
    pub nickname: Option<Option<String>>,
    /// Mobile number, unique in the app.
    #[serde(default, deserialize_with = "nullable")]
    pub mobile: Option<Option<String>>,
    /// Avatar.
    #[serde(default, deserialize_with = "nullable")]
    pub avatar: Option<Option<String>>,
    /// Description.
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    /// Public information.
    #[serde(default, deserialize_with = "nullable", alias = "public_info")]
    pub public_info: Option<Option<String>>,
    /// 0–3 (default 0).
    #[serde(default, alias = "auth_mode")]
    pub auth_mode: Option<i32>,
    /// Verification question.
    #[serde(default, deserialize_with = "nullable", alias = "auth_question")]
    pub auth_question: Option<Option<String>>,
    /// Expected answer.
    #[serde(default, deserialize_with = "nullable", alias = "auth_answer")]
    pub auth_answer: Option<Option<String>>,
}

/// A created app.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CreatedRosterApp {
    /// The app id (`app_id` header).
    pub app_id: String,
    /// Its admin token.
    pub admin_token: String,
}

/// A created user and its token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CreatedRosterUser {
    /// The user.
    pub user: RosterUser,
    /// Its `access-token`.
    pub token: String,
}
