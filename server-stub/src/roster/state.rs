//! The IM app world behind the roster API (`openapi/roster.yaml`): apps, their users and
//! tokens, friendships, applications, the blacklist. One [`RosterState`] per world, always
//! used under the world's lock, so every operation (a batch apply included) is atomic.
//! `service.rs` maps the generated `RosterApi` onto it; `control.rs` is its control plane.
//!
//! # Decisions beyond BEHAVIOR.md
//!
//! - **Envelope.** Every answer, success or not, is HTTP 200 with `{code, data, message}`:
//!   success is `{"code":200,"data":…,"message":null}` (plus `cursor`/`version` on the two
//!   paged lists); a business error is `{"code":N,"data":null,"message":"<documented
//!   message>[: detail]"}`. On the four operations whose `data` the document does not mark
//!   nullable (`apply/batch`, `id`, `name`, `mobile`) an error leaves `data` out instead of
//!   sending `null`. Input the document rejects (malformed JSON, a wrong type, a missing
//!   required parameter, a malformed `user_id`/`group_id` header, a non-JSON content type, a
//!   body over 64 KiB) is code 10002, as are `limit` outside 1–100, more than 100 ids or
//!   items, and a forged or stale cursor.
//! - **Order of checks.** `app_id` (missing or unknown: 40000), then `access-token`
//!   (missing or empty: 10003; unknown, or another app's: 10008), then the `user_id` /
//!   `group_id` headers (malformed: 10002; a user token naming another user, or sending
//!   `group_id`: 10010; an admin token naming a user the app does not have: 10000), then the
//!   input (10002), then the rules of the operation. Invalid input is answered after the
//!   auth checks, like every other business error.
//! - **Tokens.** A user token acts as its user; it may send header `user_id` only naming
//!   itself. An admin token acts as the user named by header `user_id` on every operation,
//!   also where the document does not declare that header (`accept`, `block`, `delete`, `id`,
//!   `may_message`, `unblock`, whose query `user_id` is the target); `group_id` is accepted
//!   with an admin token and has no further effect (the roster has no groups). An admin
//!   token without `user_id` may look users up (`id`, `name`, `mobile`, `POST /roster/list`:
//!   every `relation` is then 2 and friend fields are absent) and ask `may_message` about any
//!   pair; everything else needs an acting user (10002).
//! - **`may_message`** with a user token answers only about pairs that include the caller
//!   (10010 otherwise); the same user twice is 10002; unknown users are 10000.
//! - **Applications.** One application per (applicant, invitee) pair: applying again while
//!   one is pending, declined or accepted replaces it (new expiry, moves to the top of the
//!   list). Applying to someone whose own pending application to you is still open accepts
//!   theirs (both become friends, their application gets status 1), whatever your
//!   `auth_mode`. Whenever two users become friends, open applications between them get
//!   status 1. `apply/list` lists the caller's received applications newest first, in every
//!   status, until they expire (`expired_time` = sent + `--roster-application-ttl-secs`,
//!   604800); accepted and declined ones therefore stay visible until then. A block does not
//!   remove applications: accepting one while either side blocks the other is 10006 (the
//!   application stays pending); declining it works.
//! - **`auth_mode` 2** needs `auth_answer` in the request (absent: 10002); it matches when
//!   trimmed and lower-cased it equals the user's configured answer likewise normalised. A
//!   batch item has no `auth_answer`, so it always fails on such a target.
//!   `apply` answers `data: true` whether it made friends or left an application pending.
//! - **Aliases.** The `alias` of `apply`/`apply/batch` becomes the applicant's alias for the
//!   invitee once they are friends. `ext` sets the caller's side only: absent fields stay,
//!   an empty string clears `alias` or `ext`. Friend fields disappear with the friendship;
//!   `mute_notification` is false where there is none.
//! - **Relations** (seen from the caller): 3 if the caller blocks the other, else 0 if
//!   friends, else 1 if the other side ended the friendship (by `delete` or by blocking the
//!   caller) and it was not renewed, else 2. Looking yourself up answers relation 2. A block
//!   by the other side alone is not revealed (2, or 1 if it ended a friendship).
//! - **Lookups.** `name` matches usernames case-insensitively (usernames are unique per app
//!   that way); `mobile` matches exactly; empty strings are 10002. `POST /roster/list` keeps
//!   the order given, drops duplicates and unknown ids.
//! - **Self-targeting** (`apply`, `accept`, `decline`, `delete`, `block`, `unblock`, `ext`)
//!   is 10002; an unknown target is 10000; `delete`/`ext` of a non-friend is 10004; blocking
//!   someone blocked and unblocking someone not blocked succeed.
//! - **`version`** is per user and comes from a per-app sequence: it grows whenever the
//!   user's friends, their side of a friendship, their blacklist or the applications they
//!   sent or received change. It starts at 0.
//! - **Paging.** `GET /roster/list` pages friend ids in ascending id order, `apply/list` by
//!   sending order, newest first; both are keyset-based (`crate::cursor`), so a walk never
//!   repeats or skips an item that stayed in the list throughout. `limit` defaults to 50.

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

fn fail<T>(code: i32, detail: impl AsRef<str>) -> Result<T, Business> {
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
    seq: i64,
    users: BTreeMap<i64, RosterUser>,
    /// user → friend → the user's side.
    friends: BTreeMap<i64, BTreeMap<i64, FriendSide>>,
    /// blocker → blocked.
    blocks: BTreeMap<i64, BTreeSet<i64>>,
    /// user → those whose friendship with the user the user ended (`delete` or `block`).
    ended: BTreeMap<i64, BTreeSet<i64>>,
    /// seq → application (one per applicant/invitee pair).
    applications: BTreeMap<i64, Application>,
    /// `(from, to)` → seq of their application.
    #[serde(skip)]
    pairs: HashMap<(i64, i64), i64>,
    /// invitee → seqs of the applications they received.
    #[serde(skip)]
    inbox: HashMap<i64, BTreeSet<i64>>,
    /// user → roster version.
    versions: BTreeMap<i64, i64>,
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

/// What `apply` carries besides the invitee.
#[derive(Debug, Clone, Default)]
pub struct ApplyArgs {
    /// Request description.
    pub reason: Option<String>,
    /// The alias the applicant gives the invitee.
    pub alias: Option<String>,
    /// Answer to the invitee's question (`auth_mode` 2).
    pub auth_answer: Option<String>,
}

/// The roster state of one world.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RosterState {
    next_app: u64,
    next_user_id: i64,
    apps: BTreeMap<String, App>,
    /// Token → owner (tokens included in the dump: this is a test double).
    tokens: BTreeMap<String, TokenOwner>,
    #[serde(skip)]
    application_ttl_ms: i64,
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

    fn new_token(&mut self, app: &str, user: Option<i64>) -> String {
        let kind = if user.is_some() { "user" } else { "admin" };
        let token = format!("roster-{kind}-{}", uuid::Uuid::new_v4().simple());
        self.tokens.insert(
            token.clone(),
            TokenOwner {
                app: app.to_owned(),
                user,
            },
        );
        token
    }

    /// Creates an app (a fresh id when none is given) and its admin token.
    pub fn create_app(&mut self, id: Option<String>) -> Result<CreatedRosterApp, ControlProblem> {
        let id = match id {
            Some(id) => id,
            None => loop {
                let candidate = format!("stub-app-{}", self.next_app);
                self.next_app += 1;
                if !self.apps.contains_key(&candidate) {
                    break candidate;
                }
            },
        };
        if id.is_empty()
            || id.len() > 64
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(ControlProblem::Invalid(
                "an app id is 1-64 characters of A-Z, a-z, 0-9, '-' and '_'".into(),
            ));
        }
        if self.apps.contains_key(&id) {
            return Err(ControlProblem::Conflict(format!(
                "app {id:?} exists already"
            )));
        }
        self.apps.insert(
            id.clone(),
            App {
                id: id.clone(),
                ..App::default()
            },
        );
        let admin_token = self.new_token(&id, None);
        Ok(CreatedRosterApp {
            app_id: id,
            admin_token,
        })
    }

    /// Another admin token for an app.
    pub fn create_admin_token(&mut self, app: &str) -> Option<String> {
        self.apps
            .contains_key(app)
            .then(|| self.new_token(app, None))
    }

    /// An app by id.
    pub fn app(&self, id: &str) -> Option<&App> {
        self.apps.get(id)
    }

    /// An app by id, to change it.
    pub fn app_mut(&mut self, id: &str) -> Option<&mut App> {
        self.apps.get_mut(id)
    }

    /// Creates a user of an app with a token.
    pub fn create_user(
        &mut self,
        app: &str,
        spec: RosterUserSpec,
    ) -> Result<CreatedRosterUser, ControlProblem> {
        let next = self.next_user_id;
        let Some(state) = self.apps.get_mut(app) else {
            return Err(ControlProblem::NotFound(format!("no app {app:?}")));
        };
        let id = match spec.id {
            Some(id) if id <= 0 => {
                return Err(ControlProblem::Invalid("user ids are positive".into()));
            }
            Some(id) if state.users.contains_key(&id) => {
                return Err(ControlProblem::Conflict(format!(
                    "user {id} exists already in app {app:?}"
                )));
            }
            Some(id) => id,
            None => {
                let mut id = next;
                while state.users.contains_key(&id) {
                    id += 1;
                }
                id
            }
        };
        let username = match &spec.username {
            Some(Some(name)) => name.clone(),
            Some(None) => return Err(ControlProblem::Invalid("username cannot be null".into())),
            None => format!("user{id}"),
        };
        let mut user = RosterUser {
            id,
            username,
            nickname: None,
            mobile: None,
            avatar: None,
            description: None,
            public_info: None,
            auth_mode: 0,
            auth_question: None,
            auth_answer: None,
        };
        spec.apply_to(&mut user).map_err(ControlProblem::Invalid)?;
        state
            .check_unique(&user)
            .map_err(ControlProblem::Conflict)?;
        state.users.insert(id, user.clone());
        if spec.id.is_none() {
            self.next_user_id = id + 1;
        }
        let token = self.new_token(app, Some(id));
        Ok(CreatedRosterUser { user, token })
    }

    /// Changes a user's profile (absent fields stay, `null` clears).
    pub fn update_user(
        &mut self,
        app: &str,
        id: i64,
        spec: RosterUserSpec,
    ) -> Result<RosterUser, ControlProblem> {
        let state = self
            .apps
            .get_mut(app)
            .ok_or_else(|| ControlProblem::NotFound(format!("no app {app:?}")))?;
        let mut user = state
            .users
            .get(&id)
            .cloned()
            .ok_or_else(|| ControlProblem::NotFound(format!("no user {id} in app {app:?}")))?;
        if spec.id.is_some_and(|new| new != id) {
            return Err(ControlProblem::Invalid("a user's id cannot change".into()));
        }
        match &spec.username {
            Some(Some(name)) => user.username = name.clone(),
            Some(None) => return Err(ControlProblem::Invalid("username cannot be null".into())),
            None => {}
        }
        spec.apply_to(&mut user).map_err(ControlProblem::Invalid)?;
        state
            .check_unique(&user)
            .map_err(ControlProblem::Conflict)?;
        state.users.insert(id, user.clone());
        Ok(user)
    }

    /// Another token for a user.
    pub fn create_user_token(&mut self, app: &str, id: i64) -> Result<String, String> {
        let exists = self
            .apps
            .get(app)
            .ok_or_else(|| format!("no app {app:?}"))?
            .users
            .contains_key(&id);
        if !exists {
            return Err(format!("no user {id} in app {app:?}"));
        }
        Ok(self.new_token(app, Some(id)))
    }

    /// The app a request addresses and who calls it (see the module docs for the order of
    /// the checks).
    pub fn authenticate(
        &mut self,
        credentials: &Credentials,
    ) -> Result<(&mut App, Caller), Business> {
        let app_id = credentials.app_id.as_deref().unwrap_or_default();
        if app_id.is_empty() {
            return fail(UNKNOWN_APP, "header app_id is missing");
        }
        if !self.apps.contains_key(app_id) {
            return fail(UNKNOWN_APP, format!("no app {app_id:?}"));
        }
        let token = credentials.token.as_deref().unwrap_or_default();
        if token.is_empty() {
            return fail(MISSING_TOKEN, "");
        }
        let owner = match self.tokens.get(token) {
            Some(owner) if owner.app == app_id => owner.clone(),
            Some(_) => return fail(INVALID_TOKEN, "the token belongs to another app"),
            None => return fail(INVALID_TOKEN, ""),
        };
        let header_id = |name: &str, value: &Option<String>| -> Result<Option<i64>, Business> {
            match value {
                None => Ok(None),
                Some(raw) => raw.trim().parse::<i64>().map(Some).map_err(|_| {
                    Business::new(
                        BAD_PARAMETER,
                        format!("header {name} is not an int64: {raw:?}"),
                    )
                }),
            }
        };
        let acting_header = header_id("user_id", &credentials.user_id)?;
        let group = header_id("group_id", &credentials.group_id)?;
        let Some(app) = self.apps.get_mut(app_id) else {
            return fail(UNKNOWN_APP, format!("no app {app_id:?}"));
        };
        let caller = match owner.user {
            Some(me) => {
                if group.is_some() {
                    return fail(NO_PERMISSION, "only an admin token may set group_id");
                }
                if acting_header.is_some_and(|id| id != me) {
                    return fail(NO_PERMISSION, "a user token may only act as its own user");
                }
                Caller {
                    admin: false,
                    acting: Some(me),
                }
            }
            None => {
                if let Some(id) = acting_header {
                    app.existing(id)?;
                }
                Caller {
                    admin: true,
                    acting: acting_header,
                }
            }
        };
        Ok((app, caller))
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

fn blank_to_none(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

impl App {
    fn next_seq(&mut self) -> i64 {
        self.seq += 1;
        self.seq
    }

    /// Bumps the roster version of each user.
    fn touch(&mut self, users: &[i64]) {
        let version = self.next_seq();
        for user in users {
            self.versions.insert(*user, version);
        }
    }

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

    fn check_unique(&self, user: &RosterUser) -> Result<(), String> {
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

    fn blocked_either_way(&self, a: i64, b: i64) -> bool {
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
    fn open_application(&self, from: i64, to: i64, now_ms: i64) -> Option<i64> {
        let seq = *self.pairs.get(&(from, to))?;
        let application = self.applications.get(&seq)?;
        (application.status == 0 && application.expired_time > now_ms).then_some(seq)
    }

    fn remove_application(&mut self, from: i64, to: i64) {
        if let Some(seq) = self.pairs.remove(&(from, to)) {
            self.applications.remove(&seq);
            if let Some(inbox) = self.inbox.get_mut(&to) {
                inbox.remove(&seq);
            }
        }
    }

    /// Makes `a` and `b` friends; `alias` is what `a` calls `b`. Open applications between
    /// them are accepted.
    fn link(&mut self, a: i64, b: i64, alias: Option<String>, now: DateTime<Utc>, now_ms: i64) {
        let side = |alias| FriendSide {
            since: now,
            alias,
            ext: None,
            mute_notification: false,
        };
        self.friends
            .entry(a)
            .or_default()
            .insert(b, side(blank_to_none(alias)));
        self.friends.entry(b).or_default().insert(a, side(None));
        for (x, y) in [(a, b), (b, a)] {
            if let Some(e) = self.ended.get_mut(&x) {
                e.remove(&y);
            }
            if let Some(seq) = self.open_application(x, y, now_ms)
                && let Some(application) = self.applications.get_mut(&seq)
            {
                application.status = 1;
            }
        }
        self.touch(&[a, b]);
    }

    /// Ends the friendship of `a` and `b` on both sides (`a` ended it); false if there was
    /// none.
    fn unlink(&mut self, a: i64, b: i64) -> bool {
        let was = self
            .friends
            .get_mut(&a)
            .and_then(|f| f.remove(&b))
            .is_some();
        let other = self
            .friends
            .get_mut(&b)
            .and_then(|f| f.remove(&a))
            .is_some();
        if was || other {
            self.ended.entry(a).or_default().insert(b);
            self.touch(&[a, b]);
        }
        was || other
    }

    /// The checks every operation on another user starts with.
    fn other(&self, me: i64, target: i64, what: &str) -> Result<(), Business> {
        self.existing(target)?;
        if me == target {
            return fail(BAD_PARAMETER, format!("cannot {what} yourself"));
        }
        Ok(())
    }

    /// `me` applies to become friends with `target`.
    pub fn apply(
        &mut self,
        me: i64,
        target: i64,
        args: ApplyArgs,
        now: DateTime<Utc>,
        ttl_ms: i64,
    ) -> Result<(), Business> {
        let now_ms = now.timestamp_millis();
        self.other(me, target, "apply to")?;
        if self.blocked_either_way(me, target) {
            return fail(BLOCKED, "one of you blocks the other");
        }
        if self.are_friends(me, target) {
            return fail(ALREADY_FRIENDS, "");
        }
        if self.open_application(target, me, now_ms).is_some() {
            self.link(me, target, args.alias, now, now_ms);
            return Ok(());
        }
        let invitee = self.existing(target)?.clone();
        match invitee.auth_mode {
            0 => {
                self.link(me, target, args.alias, now, now_ms);
                Ok(())
            }
            1 => {
                self.remove_application(me, target);
                let seq = self.next_seq();
                self.applications.insert(
                    seq,
                    Application {
                        seq,
                        from: me,
                        to: target,
                        reason: args.reason,
                        alias: blank_to_none(args.alias),
                        status: 0,
                        expired_time: now_ms.saturating_add(ttl_ms),
                        decline_reason: None,
                    },
                );
                self.pairs.insert((me, target), seq);
                self.inbox.entry(target).or_default().insert(seq);
                self.touch(&[me, target]);
                Ok(())
            }
            2 => {
                let normalise = |s: &str| s.trim().to_lowercase();
                let Some(answer) = args.auth_answer.as_deref() else {
                    return fail(BAD_PARAMETER, "auth_answer is required by this user");
                };
                let expected = invitee.auth_answer.as_deref().unwrap_or_default();
                if normalise(answer) != normalise(expected) {
                    return fail(BAD_PARAMETER, "wrong auth_answer");
                }
                self.link(me, target, args.alias, now, now_ms);
                Ok(())
            }
            _ => fail(REJECTS_ALL, ""),
        }
    }

    /// `me` accepts the open application `from` sent them.
    pub fn accept(&mut self, me: i64, from: i64, now: DateTime<Utc>) -> Result<(), Business> {
        let now_ms = now.timestamp_millis();
        self.other(me, from, "accept")?;
        let Some(seq) = self.open_application(from, me, now_ms) else {
            return fail(NO_APPLICATION, format!("no open application from {from}"));
        };
        if self.blocked_either_way(me, from) {
            return fail(BLOCKED, "one of you blocks the other");
        }
        let alias = self.applications.get(&seq).and_then(|a| a.alias.clone());
        self.link(from, me, alias, now, now_ms);
        Ok(())
    }

    /// `me` declines the open application `from` sent them.
    pub fn decline(
        &mut self,
        me: i64,
        from: i64,
        reason: Option<String>,
        now_ms: i64,
    ) -> Result<(), Business> {
        self.other(me, from, "decline")?;
        let Some(seq) = self.open_application(from, me, now_ms) else {
            return fail(NO_APPLICATION, format!("no open application from {from}"));
        };
        if let Some(application) = self.applications.get_mut(&seq) {
            application.status = 2;
            application.decline_reason = reason;
        }
        self.touch(&[me, from]);
        Ok(())
    }

    /// `me` ends the friendship with `friend`, on both sides.
    pub fn delete(&mut self, me: i64, friend: i64) -> Result<(), Business> {
        self.other(me, friend, "delete")?;
        if !self.unlink(me, friend) {
            return fail(NOT_A_FRIEND, "");
        }
        Ok(())
    }

    /// `me` blocks `target` (ending a friendship between them).
    pub fn block(&mut self, me: i64, target: i64) -> Result<(), Business> {
        self.other(me, target, "block")?;
        self.unlink(me, target);
        if self.blocks.entry(me).or_default().insert(target) {
            self.touch(&[me]);
        }
        Ok(())
    }

    /// `me` unblocks `target`.
    pub fn unblock(&mut self, me: i64, target: i64) -> Result<(), Business> {
        self.other(me, target, "unblock")?;
        if self.blocks.get_mut(&me).is_some_and(|b| b.remove(&target)) {
            self.touch(&[me]);
        }
        Ok(())
    }

    /// `me` changes their side of the friendship with `friend`.
    pub fn update_ext(
        &mut self,
        me: i64,
        friend: i64,
        alias: Option<String>,
        ext: Option<String>,
        mute_notification: Option<bool>,
    ) -> Result<(), Business> {
        self.other(me, friend, "update the friend data of")?;
        let Some(side) = self.friends.get_mut(&me).and_then(|f| f.get_mut(&friend)) else {
            return fail(NOT_A_FRIEND, "");
        };
        if let Some(alias) = alias {
            side.alias = blank_to_none(Some(alias));
        }
        if let Some(ext) = ext {
            side.ext = blank_to_none(Some(ext));
        }
        if let Some(mute) = mute_notification {
            side.mute_notification = mute;
        }
        self.touch(&[me]);
        Ok(())
    }

    /// Control plane: makes two users friends directly.
    pub fn seed_friendship(&mut self, a: i64, b: i64, now: DateTime<Utc>) -> Result<(), String> {
        if a == b || self.user(a).is_none() || self.user(b).is_none() {
            return Err("two different existing users are needed".into());
        }
        if self.blocked_either_way(a, b) {
            return Err("one of them blocks the other".into());
        }
        if !self.are_friends(a, b) {
            self.link(a, b, None, now, now.timestamp_millis());
        }
        Ok(())
    }

    /// Control plane: `blocker` blocks `blocked` (as `block` does).
    pub fn seed_block(&mut self, blocker: i64, blocked: i64) -> Result<(), String> {
        self.block(blocker, blocked).map_err(|e| e.message)
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

impl RosterUserSpec {
    /// Applies every field but `id` and `username`.
    fn apply_to(&self, user: &mut RosterUser) -> Result<(), String> {
        if let Some(mode) = self.auth_mode {
            if !(0..=3).contains(&mode) {
                return Err("authMode is 0, 1, 2 or 3".into());
            }
            user.auth_mode = mode;
        }
        if matches!(&self.username, Some(Some(name)) if name.trim().is_empty()) {
            return Err("username cannot be empty".into());
        }
        if matches!(&self.mobile, Some(Some(mobile)) if mobile.is_empty()) {
            return Err("mobile cannot be empty (null clears it)".into());
        }
        for (field, value) in [
            (&mut user.nickname, &self.nickname),
            (&mut user.mobile, &self.mobile),
            (&mut user.avatar, &self.avatar),
            (&mut user.description, &self.description),
            (&mut user.public_info, &self.public_info),
            (&mut user.auth_question, &self.auth_question),
            (&mut user.auth_answer, &self.auth_answer),
        ] {
            if let Some(value) = value {
                *field = value.clone();
            }
        }
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn world() -> (RosterState, String, Vec<i64>) {
        let mut state = RosterState::new(&StubConfig::default());
        let app = state.create_app(None).expect("app").app_id;
        let ids = (0..4)
            .map(|i| {
                let spec = RosterUserSpec {
                    username: Some(Some(format!("u{i}"))),
                    auth_mode: Some(i),
                    auth_answer: Some(Some(" Blue ".into())),
                    ..RosterUserSpec::default()
                };
                state.create_user(&app, spec).expect("user").user.id
            })
            .collect();
        (state, app, ids)
    }

    #[test]
    fn friendships_stay_symmetric_and_versions_grow() {
        let (mut state, app, ids) = world();
        let app = state.apps.get_mut(&app).expect("app");
        let now = Utc::now();
        let before = app.version(ids[1]);
        app.apply(ids[1], ids[0], ApplyArgs::default(), now, 1000)
            .expect("mode 0");
        assert!(app.are_friends(ids[0], ids[1]) && app.are_friends(ids[1], ids[0]));
        assert!(app.version(ids[1]) > before);
        app.block(ids[0], ids[1]).expect("block");
        assert!(!app.are_friends(ids[0], ids[1]) && !app.are_friends(ids[1], ids[0]));
        assert_eq!(app.relation(Some(ids[0]), ids[1]), 3);
        assert_eq!(app.relation(Some(ids[1]), ids[0]), 1);
    }

    #[test]
    fn answers_match_trimmed_and_case_insensitively() {
        let (mut state, app, ids) = world();
        let app = state.apps.get_mut(&app).expect("app");
        let now = Utc::now();
        let with = |answer: &str| ApplyArgs {
            auth_answer: Some(answer.into()),
            ..ApplyArgs::default()
        };
        let wrong = app.apply(ids[0], ids[2], with("red"), now, 1000);
        assert_eq!(wrong.map_err(|e| e.code), Err(BAD_PARAMETER));
        app.apply(ids[0], ids[2], with("  bLUE"), now, 1000)
            .expect("right answer");
        assert!(app.are_friends(ids[0], ids[2]));
        let rejected = app.apply(ids[0], ids[3], ApplyArgs::default(), now, 1000);
        assert_eq!(rejected.map_err(|e| e.code), Err(REJECTS_ALL));
    }

    #[test]
    fn tokens_of_another_app_are_invalid() {
        let (mut state, app, _) = world();
        let other = state.create_app(Some("other".into())).expect("app");
        let credentials = Credentials {
            app_id: Some(app),
            token: Some(other.admin_token),
            ..Credentials::default()
        };
        let error = state
            .authenticate(&credentials)
            .map(|_| ())
            .expect_err("refused");
        assert_eq!(error.code, INVALID_TOKEN);
    }
}
