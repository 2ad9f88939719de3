//! Contract tests: the social friends service (`openapi/social-friends.yaml`) through the SDK
//! against the stub, user routes and server routes, every operation but the live stream.

use chrono::Duration as Span;
use contract_tests::actors::SECRET;
use contract_tests::assert::expect_error;
use contract_tests::assert::social_friends::*;
use contract_tests::env::Env;
use serde_json::{Value, json};
use social_sdk::social_friends::{Client, types};
use social_sdk::{Auth, Error};
use social_stub::social::CreatedPlayer;
use std::time::Duration;

mod by_id;
mod moderation;
mod requests;
mod schema_rules;
mod server_routes;
mod views;

const SERVER: &str = "srv-1";
const SEVEN_DAYS: Duration = Duration::from_secs(7 * 24 * 3600);

/// The harness's [`Env`] with game server `srv-1` registered, and the social friends
/// scenarios' own steps.
struct Social {
    env: Env,
}

impl std::ops::Deref for Social {
    type Target = Env;

    fn deref(&self) -> &Env {
        &self.env
    }
}

impl Social {
    async fn new() -> Self {
        let env = Env::new().await;
        env.register_server(SERVER).await;
        Self { env }
    }

    fn client(&self, player: &CreatedPlayer) -> Client {
        self.social(player)
    }

    fn server(&self) -> Client {
        self.social_server(SERVER)
    }

    async fn deny(&self, player: &CreatedPlayer, node: &str) {
        self.world
            .set_permissions(player.id, &[(node, Some(false))])
            .await
            .expect("permission set");
    }

    /// `a` asks, `b` accepts: friends.
    async fn befriend(&self, a: &CreatedPlayer, b: &CreatedPlayer) {
        let sent = send(&self.client(a), b).await.expect("request sent");
        self.client(b)
            .accept_social_friend_request()
            .id(sent.id.expect("request id"))
            .await
            .expect("request accepted");
    }

    fn url(&self, path: &str) -> String {
        self.env.url("social-friends", path)
    }

    /// A raw request (for what the SDK never sends), with a bearer token if given.
    async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        let response = request.send().await.expect("raw request sent");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

async fn send(client: &Client, target: &CreatedPlayer) -> Result<types::FriendRequestEntry, Error> {
    client
        .send_social_friend_request()
        .body(types::SendFriendRequestBody {
            target_id: Some(target.id),
            target_name: None,
            note: None,
        })
        .await
}

async fn send_by_name(client: &Client, name: &str) -> Result<types::FriendRequestEntry, Error> {
    client
        .send_social_friend_request()
        .body(types::SendFriendRequestBody {
            target_id: None,
            target_name: Some(name.to_owned()),
            note: None,
        })
        .await
}

fn target(actor: &CreatedPlayer, other: &CreatedPlayer) -> types::ServerTargetBody {
    types::ServerTargetBody {
        actor_id: actor.id,
        target_id: Some(other.id),
        target_name: None,
    }
}

fn target_named(actor: &CreatedPlayer, name: &str) -> types::ServerTargetBody {
    types::ServerTargetBody {
        actor_id: actor.id,
        target_id: None,
        target_name: Some(name.to_owned()),
    }
}

fn server_send_body(
    actor: &CreatedPlayer,
    other: &CreatedPlayer,
) -> types::ServerSendFriendRequestBody {
    types::ServerSendFriendRequestBody {
        actor_id: actor.id,
        target_id: Some(other.id),
        target_name: None,
        note: None,
    }
}

async fn friends_of(client: &Client) -> types::FriendsSnapshot {
    client.get_social_friends().await.expect("friends snapshot")
}

/// The friends' names, in list order (names are unique; the tests crate does not name the
/// uuid type).
fn names(entries: &[types::FriendEntry]) -> Vec<&str> {
    entries.iter().filter_map(|e| e.name.as_deref()).collect()
}

/// A player no world knows (its id names nobody).
fn ghost() -> CreatedPlayer {
    serde_json::from_value(json!({
        "id": "00000000-0000-4000-8000-00000000dead",
        "name": "ghost",
        "token": "stub-player-ghost",
    }))
    .expect("a ghost player")
}

fn counts(total: i32, favorites: i32, online: i32, max: i32) -> Option<types::FriendCounts> {
    Some(types::FriendCounts {
        total: Some(total),
        favorites: Some(favorites),
        online: Some(online),
        max: Some(max),
    })
}

fn status(entry: &types::FriendRequestEntry) -> Option<types::KnownFriendRequestStatus> {
    match entry.status.as_ref()? {
        types::FriendRequestStatus::KnownFriendRequestStatus(known) => Some(*known),
        types::FriendRequestStatus::Unknown(_) => None,
    }
}

fn direction(entry: &types::FriendRequestEntry) -> Option<types::KnownFriendRequestDirection> {
    match entry.direction.as_ref()? {
        types::FriendRequestDirection::KnownFriendRequestDirection(known) => Some(*known),
        types::FriendRequestDirection::Unknown(_) => None,
    }
}

fn visibility(known: types::KnownFriendVisibility) -> Option<types::FriendVisibility> {
    Some(known.into())
}

fn is_object_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())
}
