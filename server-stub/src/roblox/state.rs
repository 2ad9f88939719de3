//! The Roblox world behind Friends v1 and Contacts v1 (they share users and sessions):
//! users, sessions and CSRF tokens, friendships, requests, follows, presence, QR sessions,
//! tags. One [`RobloxState`] per world, always used under the world's lock.

use crate::config::StubConfig;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A user's presence, as the control plane sets it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Presence {
    /// `Offline`, `Online`, `InGame`, `InStudio` (or `Invisible`).
    #[serde(default = "offline")]
    pub presence: String,
    /// Place id while in game.
    #[serde(default)]
    pub place_id: Option<i64>,
    /// Root place id while in game.
    #[serde(default)]
    pub root_place_id: Option<i64>,
    /// Universe id while in game.
    #[serde(default)]
    pub universe_id: Option<i64>,
    /// Game instance while in game.
    #[serde(default)]
    pub game_instance_id: Option<String>,
    /// Free-text location.
    #[serde(default)]
    pub last_location: Option<String>,
    /// When last online (defaults to the world time at which presence was set).
    #[serde(default)]
    pub last_online: Option<DateTime<Utc>>,
}

fn offline() -> String {
    "Offline".into()
}

impl Presence {
    /// `presenceType` code: 0 Offline, 1 Online, 2 InGame, 3 InStudio, 4 Invisible.
    pub fn code(&self) -> i32 {
        match self.presence.as_str() {
            "Online" => 1,
            "InGame" => 2,
            "InStudio" => 3,
            "Invisible" => 4,
            _ => 0,
        }
    }

    /// Whether the user counts as online.
    pub fn is_online(&self) -> bool {
        matches!(self.code(), 1..=3)
    }
}

/// A Roblox user.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// User id.
    pub id: i64,
    /// Unique user name.
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Profile description.
    pub description: String,
    /// Sign-up time.
    pub created: DateTime<Utc>,
    /// Banned users cannot act (403 code 2).
    pub is_banned: bool,
    /// Deleted users show as such in lists.
    pub is_deleted: bool,
    /// Verified badge.
    pub has_verified_badge: bool,
    /// Presence.
    pub presence: Presence,
}

/// A pending friend request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PendingRequest {
    /// Ordering key (world-wide sequence).
    pub seq: i64,
    /// Sender.
    pub sender: i64,
    /// Recipient.
    pub recipient: i64,
    /// When sent.
    pub sent_at: DateTime<Utc>,
    /// `originSourceType` as sent.
    pub origin: String,
    /// The universe a request sent from inside a game was sent in (`None` from the web).
    pub source_universe_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CsrfToken {
    token: String,
    issued: DateTime<Utc>,
}

const TWO_USERS: &str = "two different existing users are needed";

/// Why a control-plane call on the state (presence, seeding friendships, follows, blocks)
/// changed nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupError {
    /// No user has this id.
    UnknownUser(i64),
    /// Anything else wrong with the input (e.g. a user befriending themselves).
    Invalid(String),
}

impl std::fmt::Display for SetupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownUser(id) => write!(f, "no user {id}"),
            Self::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for SetupError {}

/// Friends v1 + Contacts v1 state of one world.
#[derive(Debug, Serialize)]
pub struct RobloxState {
    pub(crate) next_user_id: i64,
    pub(crate) seq: i64,
    pub(crate) users: BTreeMap<i64, User>,
    /// Session key (cookie value or bearer token) → user id.
    pub(crate) sessions: HashMap<String, i64>,
    /// Session key (or "anonymous") → CSRF token.
    pub(crate) csrf: HashMap<String, CsrfToken>,
    /// Symmetric: user → (friend → since).
    pub(crate) friends: BTreeMap<i64, BTreeMap<i64, DateTime<Utc>>>,
    /// Normalised `(min, max)` pairs of trusted friends.
    pub(crate) trusted: BTreeSet<(i64, i64)>,
    /// `(sender, recipient)` → request.
    #[serde(serialize_with = "crate::shared::serialize_entries")]
    pub(crate) requests: HashMap<(i64, i64), PendingRequest>,
    /// recipient → seq → sender (incoming requests in order).
    pub(crate) incoming: HashMap<i64, BTreeMap<i64, i64>>,
    /// user → seq of the newest request they had when they last listed their requests.
    pub(crate) requests_seen: HashMap<i64, i64>,
    /// followee → seq → follower.
    pub(crate) followers: HashMap<i64, BTreeMap<i64, i64>>,
    /// follower → seq → followee.
    pub(crate) followings: HashMap<i64, BTreeMap<i64, i64>>,
    /// `(follower, followee)` → seq.
    #[serde(serialize_with = "crate::shared::serialize_entries")]
    pub(crate) follows: HashMap<(i64, i64), i64>,
    /// `(blocker, blocked)`.
    pub(crate) blocks: BTreeSet<(i64, i64)>,
    /// user → QR session expiry.
    pub(crate) qr_sessions: HashMap<i64, DateTime<Utc>>,
    /// `(tagger, target)` → tag.
    #[serde(serialize_with = "crate::shared::serialize_entries")]
    pub(crate) tags: BTreeMap<(i64, i64), String>,
    /// user → (world minute, requests in it), for the flood limit.
    #[serde(skip)]
    pub(crate) flood: HashMap<(i64, &'static str), (i64, u32)>,
}

impl RobloxState {
    /// An empty world.
    pub fn new(_config: &StubConfig) -> Self {
        Self {
            next_user_id: 1,
            seq: 0,
            users: BTreeMap::new(),
            sessions: HashMap::new(),
            csrf: HashMap::new(),
            friends: BTreeMap::new(),
            trusted: BTreeSet::new(),
            requests: HashMap::new(),
            incoming: HashMap::new(),
            requests_seen: HashMap::new(),
            followers: HashMap::new(),
            followings: HashMap::new(),
            follows: HashMap::new(),
            blocks: BTreeSet::new(),
            qr_sessions: HashMap::new(),
            tags: BTreeMap::new(),
            flood: HashMap::new(),
        }
    }

    /// The state as JSON (sessions and CSRF tokens included: this is a test double).
    pub fn dump(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    pub(crate) fn next_seq(&mut self) -> i64 {
        self.seq += 1;
        self.seq
    }

    /// Creates a user with a cookie session and a bearer session.
    pub fn create_user(
        &mut self,
        spec: NewUser,
        now: DateTime<Utc>,
    ) -> Result<CreatedUser, String> {
        let id = match spec.id {
            Some(id) if id <= 0 => return Err("user ids are positive".into()),
            Some(id) if self.users.contains_key(&id) => {
                return Err(format!("user {id} exists already"));
            }
            Some(id) => id,
            None => {
                while self.users.contains_key(&self.next_user_id) {
                    self.next_user_id += 1;
                }
                self.next_user_id
            }
        };
        let name = spec.name.unwrap_or_else(|| format!("user{id}"));
        let user = User {
            id,
            display_name: spec.display_name.unwrap_or_else(|| name.clone()),
            name,
            description: spec.description.unwrap_or_default(),
            created: now,
            is_banned: spec.is_banned,
            is_deleted: spec.is_deleted,
            has_verified_badge: spec.has_verified_badge,
            presence: Presence {
                last_online: Some(now),
                ..Presence::default()
            },
        };
        let cookie = format!(
            "_|WARNING:-DO-NOT-SHARE-THIS.--stub-cookie-{}",
            uuid::Uuid::new_v4().simple()
        );
        let token = format!("stub-bearer-{}", uuid::Uuid::new_v4().simple());
        self.sessions.insert(cookie.clone(), id);
        self.sessions.insert(token.clone(), id);
        self.users.insert(id, user.clone());
        Ok(CreatedUser {
            user,
            cookie,
            token,
        })
    }

    /// A user by id.
    pub fn user(&self, id: i64) -> Option<&User> {
        self.users.get(&id)
    }

    /// Sets a user's presence.
    pub fn set_presence(
        &mut self,
        id: i64,
        mut presence: Presence,
        now: DateTime<Utc>,
    ) -> Result<(), SetupError> {
        let user = self.users.get_mut(&id).ok_or(SetupError::UnknownUser(id))?;
        if presence.last_online.is_none() {
            presence.last_online = Some(now);
        }
        user.presence = presence;
        Ok(())
    }

    /// [`SetupError::UnknownUser`] for the first of `ids` that is no user.
    fn existing(&self, ids: &[i64]) -> Result<(), SetupError> {
        match ids.iter().find(|id| !self.users.contains_key(id)) {
            Some(id) => Err(SetupError::UnknownUser(*id)),
            None => Ok(()),
        }
    }

    /// Makes two users friends directly (seeding).
    pub fn seed_friendship(
        &mut self,
        a: i64,
        b: i64,
        trusted: bool,
        now: DateTime<Utc>,
    ) -> Result<(), SetupError> {
        if a == b {
            return Err(SetupError::Invalid(TWO_USERS.into()));
        }
        self.existing(&[a, b])?;
        self.link(a, b, now);
        if trusted {
            self.trusted.insert((a.min(b), a.max(b)));
        }
        Ok(())
    }

    /// Makes `follower` follow `followee` (seeding).
    pub fn seed_follow(&mut self, follower: i64, followee: i64) -> Result<(), SetupError> {
        if follower == followee {
            return Err(SetupError::Invalid(TWO_USERS.into()));
        }
        self.existing(&[follower, followee])?;
        self.follow(follower, followee);
        Ok(())
    }

    /// `blocker` blocks `blocked`.
    pub fn block(&mut self, blocker: i64, blocked: i64) -> Result<(), SetupError> {
        self.existing(&[blocker, blocked])?;
        self.blocks.insert((blocker, blocked));
        Ok(())
    }

    pub(crate) fn blocked_either_way(&self, a: i64, b: i64) -> bool {
        self.blocks.contains(&(a, b)) || self.blocks.contains(&(b, a))
    }

    pub(crate) fn link(&mut self, a: i64, b: i64, now: DateTime<Utc>) {
        self.friends.entry(a).or_default().insert(b, now);
        self.friends.entry(b).or_default().insert(a, now);
        self.drop_request(a, b);
        self.drop_request(b, a);
    }

    pub(crate) fn unlink(&mut self, a: i64, b: i64) {
        if let Some(f) = self.friends.get_mut(&a) {
            f.remove(&b);
        }
        if let Some(f) = self.friends.get_mut(&b) {
            f.remove(&a);
        }
        self.trusted.remove(&(a.min(b), a.max(b)));
    }

    pub(crate) fn are_friends(&self, a: i64, b: i64) -> bool {
        self.friends.get(&a).is_some_and(|f| f.contains_key(&b))
    }

    pub(crate) fn friend_count(&self, id: i64) -> usize {
        self.friends.get(&id).map_or(0, BTreeMap::len)
    }

    pub(crate) fn friend_ids(&self, id: i64) -> Vec<i64> {
        self.friends
            .get(&id)
            .map(|f| f.keys().copied().collect())
            .unwrap_or_default()
    }

    pub(crate) fn drop_request(&mut self, sender: i64, recipient: i64) -> Option<PendingRequest> {
        let request = self.requests.remove(&(sender, recipient))?;
        if let Some(incoming) = self.incoming.get_mut(&recipient) {
            incoming.remove(&request.seq);
        }
        Some(request)
    }

    pub(crate) fn follow(&mut self, follower: i64, followee: i64) {
        if self.follows.contains_key(&(follower, followee)) {
            return;
        }
        let seq = self.next_seq();
        self.follows.insert((follower, followee), seq);
        self.followers
            .entry(followee)
            .or_default()
            .insert(seq, follower);
        self.followings
            .entry(follower)
            .or_default()
            .insert(seq, followee);
    }

    pub(crate) fn unfollow(&mut self, follower: i64, followee: i64) {
        if let Some(seq) = self.follows.remove(&(follower, followee)) {
            if let Some(f) = self.followers.get_mut(&followee) {
                f.remove(&seq);
            }
            if let Some(f) = self.followings.get_mut(&follower) {
                f.remove(&seq);
            }
        }
    }

    /// The user a session key (`.ROBLOSECURITY` cookie or bearer token) belongs to.
    pub(crate) fn session_user(&self, key: &str) -> Option<i64> {
        self.sessions.get(key).copied()
    }

    /// The current CSRF token of a session, rotated when older than the TTL.
    pub(crate) fn csrf_token(
        &mut self,
        session: &str,
        now: DateTime<Utc>,
        ttl: std::time::Duration,
    ) -> String {
        let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
        let fresh = |now| CsrfToken {
            token: uuid::Uuid::new_v4().simple().to_string()[..12].to_owned(),
            issued: now,
        };
        let entry = self
            .csrf
            .entry(session.to_owned())
            .or_insert_with(|| fresh(now));
        if crate::dates::later(entry.issued, ttl) <= now {
            *entry = fresh(now);
        }
        entry.token.clone()
    }

    /// The CSRF token a session would be handed now (for the control plane and tests).
    pub fn current_csrf(
        &mut self,
        session: &str,
        now: DateTime<Utc>,
        ttl: std::time::Duration,
    ) -> String {
        self.csrf_token(session, now, ttl)
    }
}

/// A user to create through the control plane.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUser {
    /// Id (default: the next free one).
    #[serde(default)]
    pub id: Option<i64>,
    /// User name (default `user<id>`).
    #[serde(default)]
    pub name: Option<String>,
    /// Display name (default: the name).
    #[serde(default)]
    pub display_name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Banned.
    #[serde(default)]
    pub is_banned: bool,
    /// Deleted.
    #[serde(default)]
    pub is_deleted: bool,
    /// Verified badge.
    #[serde(default)]
    pub has_verified_badge: bool,
}

/// A created user and its credentials.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedUser {
    /// The user.
    pub user: User,
    /// `.ROBLOSECURITY` cookie value.
    pub cookie: String,
    /// Bearer token.
    pub token: String,
}
