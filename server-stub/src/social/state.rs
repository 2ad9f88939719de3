//! The uuid-player world behind social friends and party: players and their tokens,
//! permission nodes, presence, profile settings, blocks and registered game servers are
//! shared here; `friends::state` and `party::state` hold each service's own state. One
//! [`SocialState`] per world, always used under the world's lock, so every mutation is atomic.
//!
//! Auth (BEHAVIOR.md): user routes take `Authorization: Bearer <player token>`; server routes
//! (`server_*` operations) take `Authorization: Bearer <CONNECT_SERVER_SECRET>` and a registered
//! `X-Server-Id`, and act for the body's `actorId`. Missing or invalid → 401 before anything
//! else.

use crate::config::StubConfig;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use uuid::Uuid;

/// A player.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Player {
    /// Player id.
    pub id: Uuid,
    /// Name (unique, case-insensitively).
    pub name: String,
    /// Bearer token.
    pub token: String,
    /// Permission nodes set for the player: `social:friends.read|write|edit` (absent: allowed)
    /// and `social:friends.limit.<n>` (raises the friend limit to `n`).
    pub permissions: BTreeMap<String, bool>,
    /// Presence state (`ONLINE`, `OFFLINE`, `AWAY`, `BUSY`).
    pub presence: String,
    /// When the presence last changed.
    pub presence_since: DateTime<Utc>,
    /// When last seen online.
    pub last_seen_at: Option<DateTime<Utc>>,
    /// `allowFriendRequests` of the profile settings.
    pub allow_friend_requests: bool,
    /// `privacy.serverListVisibility` (`PUBLIC`, `FRIENDS`, `PRIVATE`).
    pub server_list_visibility: String,
    /// Optional flame streak shown on friend entries.
    pub flame_streak: Option<i32>,
}

impl Player {
    /// Whether the player counts as online (any state but `OFFLINE`).
    pub fn online(&self) -> bool {
        self.presence != "OFFLINE"
    }

    /// Whether the permission node allows (a node that is absent allows: real behaviour).
    pub fn allows(&self, node: &str) -> bool {
        self.permissions.get(node).copied().unwrap_or(true)
    }

    /// The friend limit: the largest granted `social:friends.limit.<n>`, else `default`.
    pub fn friend_limit(&self, default: usize) -> usize {
        self.permissions
            .iter()
            .filter(|(_, granted)| **granted)
            .filter_map(|(node, _)| {
                node.strip_prefix("social:friends.limit.")?
                    .parse::<usize>()
                    .ok()
            })
            .max()
            .unwrap_or(default)
    }
}

/// A block.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Block {
    /// Why.
    pub reason: Option<String>,
    /// First blocked.
    pub created_at: DateTime<Utc>,
    /// Last updated.
    pub updated_at: DateTime<Utc>,
}

/// Social friends + party state of one world.
#[derive(Debug, Default, Serialize)]
pub struct SocialState {
    /// Every player.
    pub players: BTreeMap<Uuid, Player>,
    /// Bearer token → player.
    #[serde(skip)]
    pub tokens: HashMap<String, Uuid>,
    /// Lower-case name → player.
    #[serde(skip)]
    pub names: HashMap<String, Uuid>,
    /// Registered `X-Server-Id`s.
    pub servers: BTreeSet<String>,
    /// `(blocker, blocked)` → block.
    #[serde(serialize_with = "crate::shared::serialize_entries")]
    pub blocks: BTreeMap<(Uuid, Uuid), Block>,
    /// Social friends' own state.
    pub friends: super::friends::state::FriendsState,
    /// Parties' own state.
    pub party: super::party::state::PartyState,
}

/// A player to create through the control plane.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPlayer {
    /// Id (default: a fresh uuid).
    #[serde(default)]
    pub id: Option<Uuid>,
    /// Name (default `player-<first 8 hex of the id>`).
    #[serde(default)]
    pub name: Option<String>,
    /// Permission nodes.
    #[serde(default)]
    pub permissions: BTreeMap<String, bool>,
    /// Presence (default `OFFLINE`).
    #[serde(default)]
    pub presence: Option<String>,
    /// `allowFriendRequests` (default true).
    #[serde(default)]
    pub allow_friend_requests: Option<bool>,
    /// Flame streak.
    #[serde(default)]
    pub flame_streak: Option<i32>,
    /// Bearer token (default: a fresh one); lets a test keep a token across stub restarts.
    #[serde(default)]
    pub token: Option<String>,
}

/// Why a change of the shared players or servers was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocialError {
    /// No player has this id.
    UnknownPlayer(Uuid),
    /// The input does not fit (what was wrong).
    Invalid(String),
}

impl fmt::Display for SocialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownPlayer(id) => write!(f, "no player {id}"),
            Self::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for SocialError {}

/// A created player and its token.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedPlayer {
    /// Id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Bearer token.
    pub token: String,
}

impl SocialState {
    /// An empty world.
    pub fn new(_config: &StubConfig) -> Self {
        Self::default()
    }

    /// The state as JSON (tokens included: this is a test double).
    pub fn dump(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Creates a player.
    pub fn create_player(
        &mut self,
        spec: NewPlayer,
        now: DateTime<Utc>,
    ) -> Result<CreatedPlayer, String> {
        let id = spec.id.unwrap_or_else(Uuid::new_v4);
        if self.players.contains_key(&id) {
            return Err(format!("player {id} exists already"));
        }
        let name = spec
            .name
            .unwrap_or_else(|| format!("player-{}", &id.simple().to_string()[..8]));
        if name.trim().is_empty() || name.len() > 64 {
            return Err("a player name is 1-64 characters".into());
        }
        if self.names.contains_key(&name.to_lowercase()) {
            return Err(format!("a player is named {name:?} already"));
        }
        let presence = spec.presence.unwrap_or_else(|| "OFFLINE".into());
        let token = spec
            .token
            .unwrap_or_else(|| format!("stub-player-{}", Uuid::new_v4().simple()));
        if self.tokens.contains_key(&token) {
            return Err("that token belongs to another player".into());
        }
        let player = Player {
            id,
            name: name.clone(),
            token: token.clone(),
            permissions: spec.permissions,
            last_seen_at: (presence != "OFFLINE").then_some(now),
            presence,
            presence_since: now,
            allow_friend_requests: spec.allow_friend_requests.unwrap_or(true),
            server_list_visibility: "PUBLIC".into(),
            flame_streak: spec.flame_streak,
        };
        self.tokens.insert(token.clone(), id);
        self.names.insert(name.to_lowercase(), id);
        self.players.insert(id, player);
        Ok(CreatedPlayer { id, name, token })
    }

    /// Sets a player's presence.
    pub fn set_presence(
        &mut self,
        id: Uuid,
        state: &str,
        now: DateTime<Utc>,
    ) -> Result<(), SocialError> {
        let player = self
            .players
            .get_mut(&id)
            .ok_or(SocialError::UnknownPlayer(id))?;
        if player.online() {
            player.last_seen_at = Some(now);
        }
        player.presence = state.to_owned();
        player.presence_since = now;
        if player.online() {
            player.last_seen_at = Some(now);
        }
        Ok(())
    }

    /// Sets (`Some`) or removes (`None`) permission nodes.
    pub fn set_permissions(
        &mut self,
        id: Uuid,
        nodes: BTreeMap<String, Option<bool>>,
    ) -> Result<(), SocialError> {
        let player = self
            .players
            .get_mut(&id)
            .ok_or(SocialError::UnknownPlayer(id))?;
        for (node, value) in nodes {
            match value {
                Some(v) => player.permissions.insert(node, v),
                None => player.permissions.remove(&node),
            };
        }
        Ok(())
    }

    /// Registers a game server id for the server routes.
    pub fn register_server(&mut self, id: &str) -> Result<(), SocialError> {
        if id.is_empty() || id.len() > 128 {
            return Err(SocialError::Invalid(
                "a server id is 1-128 characters".into(),
            ));
        }
        self.servers.insert(id.to_owned());
        Ok(())
    }

    /// A player by id.
    pub fn player(&self, id: Uuid) -> Option<&Player> {
        self.players.get(&id)
    }

    /// Whether either blocks the other.
    pub fn blocked_either_way(&self, a: Uuid, b: Uuid) -> bool {
        self.blocks.contains_key(&(a, b)) || self.blocks.contains_key(&(b, a))
    }
}
