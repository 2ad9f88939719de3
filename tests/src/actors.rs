//! Seeded actors of the five services and SDK clients acting as them: Roblox users (Friends,
//! Contacts), players and game servers (social friends, party), roster apps and their users.

use crate::env::Env;
use serde_json::{Value, json};
use social_sdk::{Auth, contacts, friends, party, roster, social_friends};
use social_stub::roblox::CreatedUser;
use social_stub::roster::{CreatedRosterApp, CreatedRosterUser};
use social_stub::social::CreatedPlayer;

/// The stub's default server secret (`StubConfig::server_secret`).
pub const SECRET: &str = "stub-server-secret";

/// A user id no world ever hands out.
pub const NO_SUCH_USER: i64 = 987_654_321;

/// The ids of a list of Friends users.
pub fn ids<'a>(users: impl IntoIterator<Item = &'a CreatedUser>) -> Vec<i64> {
    users.into_iter().map(|u| u.user.id).collect()
}

/// Roblox users (Friends v1, Contacts v1).
impl Env {
    /// A Roblox user.
    pub async fn user(&self, name: &str) -> CreatedUser {
        self.world
            .create_roblox_user(name)
            .await
            .expect("user created")
    }

    /// A Roblox user from a control-plane spec.
    pub async fn user_with(&self, spec: Value) -> CreatedUser {
        self.world
            .create_roblox_user_with(spec)
            .await
            .expect("user created")
    }

    /// `count` users named `{prefix}{i:02}`.
    pub async fn users(&self, prefix: &str, count: usize) -> Vec<CreatedUser> {
        let mut users = Vec::with_capacity(count);
        for i in 0..count {
            users.push(self.user(&format!("{prefix}{i:02}")).await);
        }
        users
    }

    /// `a` and `b` are friends (seeded, no request).
    pub async fn befriend(&self, a: &CreatedUser, b: &CreatedUser) {
        self.world
            .befriend(a.user.id, b.user.id, false)
            .await
            .expect("befriend");
    }

    /// `follower` follows `followee` (seeded).
    pub async fn follow(&self, follower: &CreatedUser, followee: &CreatedUser) {
        self.world
            .follow(follower.user.id, followee.user.id)
            .await
            .expect("follow");
    }

    /// The CSRF token the stub would hand this user's cookie session now.
    pub async fn csrf(&self, user: &CreatedUser) -> String {
        self.world
            .csrf_token(&user.cookie)
            .await
            .expect("csrf token")
    }

    /// A Friends client with the user's `.ROBLOSECURITY` cookie.
    pub fn friends(&self, user: &CreatedUser) -> friends::Client {
        self.config
            .friends(Auth::roblox_cookie(user.cookie.as_str()))
    }

    /// A Friends client with the user's bearer session.
    pub fn friends_bearer(&self, user: &CreatedUser) -> friends::Client {
        self.config.friends(Auth::bearer(user.token.as_str()))
    }

    /// A Friends client without credentials.
    pub fn anonymous_friends(&self) -> friends::Client {
        self.config.friends(Auth::none())
    }

    /// A Contacts client with the user's `.ROBLOSECURITY` cookie.
    pub fn contacts(&self, user: &CreatedUser) -> contacts::Client {
        self.config
            .contacts(Auth::roblox_cookie(user.cookie.as_str()))
    }

    /// A Contacts client with the user's bearer session.
    pub fn contacts_bearer(&self, user: &CreatedUser) -> contacts::Client {
        self.config.contacts(Auth::bearer(user.token.as_str()))
    }

    /// A Contacts client without credentials.
    pub fn anonymous_contacts(&self) -> contacts::Client {
        self.config.contacts(Auth::none())
    }
}

/// Players and game servers (social friends, party).
impl Env {
    /// A player named `name`.
    pub async fn player(&self, name: &str) -> CreatedPlayer {
        self.player_with(json!({ "name": name })).await
    }

    /// A player from a control-plane spec.
    pub async fn player_with(&self, spec: Value) -> CreatedPlayer {
        self.world
            .create_player(spec)
            .await
            .expect("player created")
    }

    /// One player per name, in order.
    pub async fn players(&self, names: &[&str]) -> Vec<CreatedPlayer> {
        let mut players = Vec::with_capacity(names.len());
        for name in names {
            players.push(self.player(name).await);
        }
        players
    }

    /// A social friends client with the player's bearer token.
    pub fn social(&self, player: &CreatedPlayer) -> social_friends::Client {
        self.config
            .social_friends(Auth::bearer(player.token.as_str()))
    }

    /// A social friends client for the server routes, as game server `server` (registered or
    /// not: see [`Env::register_server`]).
    pub fn social_server(&self, server: &str) -> social_friends::Client {
        self.config.social_friends(Auth::server(SECRET, server))
    }

    /// A party client with the player's bearer token.
    pub fn party(&self, player: &CreatedPlayer) -> party::Client {
        self.config.party(Auth::bearer(player.token.as_str()))
    }

    /// A party client for the server routes, as game server `server`.
    pub fn party_server(&self, server: &str) -> party::Client {
        self.config.party(Auth::server(SECRET, server))
    }
}

/// Roster apps and their users.
impl Env {
    /// A new roster app in this world.
    pub async fn roster_app(&self) -> CreatedRosterApp {
        self.world.create_roster_app().await.expect("roster app")
    }

    /// A roster user of `app` from a control-plane spec.
    pub async fn roster_user_with(&self, app: &CreatedRosterApp, spec: Value) -> CreatedRosterUser {
        self.world
            .create_roster_user(&app.app_id, spec)
            .await
            .expect("roster user created")
    }

    /// A roster client of `app` with the user's access token.
    pub fn roster(&self, app: &CreatedRosterApp, user: &CreatedRosterUser) -> roster::Client {
        self.config
            .roster(Auth::roster(app.app_id.as_str(), user.token.as_str()))
    }
}
