//! Contract tests: the social friends service (`openapi/social-friends.yaml`) through the SDK
//! against the stub, user routes and server routes, every operation but the live stream.

use chrono::Duration as Span;
use contract_tests::actors::SECRET;
use contract_tests::assert::expect_error;
use contract_tests::env::Env;
use serde_json::{Value, json};
use social_sdk::social_friends::{Client, types};
use social_sdk::{Auth, Error};
use social_stub::social::CreatedPlayer;
use std::time::Duration;

const SERVER: &str = "srv-1";
const MISSING_READ: &str = "Missing permission social:friends.read.";
const MISSING_WRITE: &str = "Missing permission social:friends.write.";
const MISSING_EDIT: &str = "Missing permission social:friends.edit.";
const PLAYER_NOT_FOUND: &str = "Player not found.";
const REQUEST_NOT_FOUND: &str = "Friend request not found.";
const FRIEND_NOT_FOUND: &str = "Friend not found.";
const EXPIRED: &str = "The friend request has expired.";
const LIMIT: &str = "The friend limit has been reached.";
const BLOCKED: &str = "A block exists between you and this player.";
const TARGET_REQUIRED: &str = "actorId and targetId or targetName are required.";
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

#[tokio::test]
async fn profile_settings_default_and_partial_patch() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let a = env.client(&alice);
    let settings = a.get_profile_settings().await.expect("settings");
    assert_eq!(settings.allow_friend_requests, Some(true));
    let privacy = |s: &types::ProfileSettings| {
        s.privacy
            .as_ref()
            .and_then(|p| p.server_list_visibility.clone())
    };
    assert_eq!(
        privacy(&settings),
        Some(types::KnownServerListVisibility::Public.into())
    );

    let off = a
        .update_profile_settings()
        .body(types::ProfileSettingsPatch {
            allow_friend_requests: Some(false),
            privacy: None,
        })
        .await
        .expect("patched");
    assert_eq!(off.allow_friend_requests, Some(false));
    assert_eq!(privacy(&off), privacy(&settings), "privacy kept");
    let friends_only = a
        .update_profile_settings()
        .body(types::ProfileSettingsPatch {
            allow_friend_requests: None,
            privacy: Some(types::ProfilePrivacyPatch {
                server_list_visibility: Some(types::KnownServerListVisibility::Friends),
            }),
        })
        .await
        .expect("patched");
    assert_eq!(friends_only.allow_friend_requests, Some(false), "kept");
    assert_eq!(
        privacy(&friends_only),
        Some(types::KnownServerListVisibility::Friends.into())
    );
    assert_eq!(
        a.get_profile_settings().await.expect("read back"),
        friends_only
    );

    // Requests to alice are now refused; the server route says the same.
    let bob = env.player("bob").await;
    let message = "This player does not accept friend requests.";
    expect_error(
        send(&env.client(&bob), &alice).await,
        403,
        "FRIEND_REQUESTS_DISABLED",
        message,
    );
    expect_error(
        env.server()
            .server_send_friend_request()
            .body(server_send_body(&bob, &alice))
            .await,
        403,
        "FRIEND_REQUESTS_DISABLED",
        message,
    );

    let unauthorized = "Missing or invalid bearer token.";
    let anonymous = env.config.social_friends(Auth::none());
    expect_error(
        anonymous.get_profile_settings().await,
        401,
        "UNAUTHORIZED",
        unauthorized,
    );
    expect_error(
        env.config
            .social_friends(Auth::bearer("stub-player-forged"))
            .update_profile_settings()
            .body(types::ProfileSettingsPatch::default())
            .await,
        401,
        "UNAUTHORIZED",
        unauthorized,
    );
    let (status, body) = env
        .raw(
            reqwest::Method::PATCH,
            "/v1/profile/settings",
            Some(&alice.token),
            Some(r#"{"privacy":{"serverListVisibility":"EVERYONE"}}"#),
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );
}

#[tokio::test]
async fn request_accept_favourite_hide_remove() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let carol = env.player("carol").await;
    let (a, b, c) = (env.client(&alice), env.client(&bob), env.client(&carol));

    let empty = friends_of(&a).await;
    assert!(empty.friends.is_empty());
    assert_eq!(empty.counts, counts(0, 0, 0, 250));
    assert_eq!(empty.self_.as_ref().and_then(|s| s.id), Some(alice.id));

    let sent = a
        .send_social_friend_request()
        .body(types::SendFriendRequestBody {
            target_id: Some(bob.id),
            target_name: None,
            note: Some("gg".into()),
        })
        .await
        .expect("request sent");
    let id = sent.id.clone().expect("id");
    assert!(is_object_id(&id), "{id}");
    assert_eq!(sent.sender_id, Some(alice.id));
    assert_eq!(sent.recipient_id, Some(bob.id));
    assert_eq!(
        direction(&sent),
        Some(types::KnownFriendRequestDirection::Outgoing)
    );
    assert_eq!(
        status(&sent),
        Some(types::KnownFriendRequestStatus::Pending)
    );
    assert_eq!(sent.note.as_deref(), Some("gg"));
    let created = sent.created_at.expect("createdAt");
    assert_eq!(sent.expires_at, Some(created + Span::days(7)));
    assert_eq!(sent.player.as_ref().and_then(|p| p.id), Some(bob.id));
    assert_eq!(
        sent.player.as_ref().and_then(|p| p.name.as_deref()),
        Some("bob")
    );

    let incoming = b
        .list_social_friend_requests()
        .await
        .expect("bob's requests");
    assert!(incoming.outgoing.is_empty());
    assert_eq!(incoming.incoming.len(), 1);
    let seen = &incoming.incoming[0];
    assert_eq!(seen.id.as_deref(), Some(id.as_str()));
    assert_eq!(
        direction(seen),
        Some(types::KnownFriendRequestDirection::Incoming)
    );
    assert_eq!(seen.player.as_ref().and_then(|p| p.id), Some(alice.id));
    let outgoing = a
        .list_social_friend_requests()
        .await
        .expect("alice's requests");
    assert_eq!(outgoing.outgoing.len(), 1);
    assert!(outgoing.incoming.is_empty());

    let accepted = b
        .accept_social_friend_request()
        .id(id.as_str())
        .await
        .expect("accepted");
    assert_eq!(
        status(&accepted),
        Some(types::KnownFriendRequestStatus::Accepted)
    );
    assert_eq!(accepted.id.as_deref(), Some(id.as_str()));
    assert!(
        a.list_social_friend_requests()
            .await
            .expect("list")
            .outgoing
            .is_empty()
    );
    assert!(
        b.list_social_friend_requests()
            .await
            .expect("list")
            .incoming
            .is_empty()
    );
    for (client, other) in [(&a, &bob), (&b, &alice)] {
        let snapshot = friends_of(client).await;
        assert_eq!(
            names(&snapshot.friends),
            vec![other.name.as_str()],
            "links are symmetric"
        );
        assert_eq!(snapshot.counts, counts(1, 0, 0, 250));
        let entry = &snapshot.friends[0];
        assert_eq!(entry.favorite, Some(false));
        assert_eq!(
            entry.visibility,
            visibility(types::KnownFriendVisibility::Default)
        );
        assert_eq!(entry.note.as_deref(), Some("gg"));
        assert_eq!(entry.created_at, Some(created));
        assert!(entry.accepted_at.is_some());
    }

    // Favourite: only alice's side changes.
    let favourite = a
        .update_social_friend()
        .friend_id(bob.id)
        .body(types::UpdateFriendBody {
            favorite: Some(true),
            visibility: None,
        })
        .await
        .expect("favourite");
    assert_eq!(favourite.favorite, Some(true));
    assert_eq!(favourite.friend_id, Some(bob.id));
    assert_eq!(friends_of(&a).await.counts, counts(1, 1, 0, 250));
    let bobs = friends_of(&b).await;
    assert_eq!(bobs.friends[0].favorite, Some(false));
    assert_eq!(bobs.counts, counts(1, 0, 0, 250));

    // Hide: carol (a stranger) and bob no longer see bob in alice's list; alice does.
    let hidden = a
        .update_social_friend()
        .friend_id(bob.id)
        .body(types::UpdateFriendBody {
            favorite: None,
            visibility: visibility(types::KnownFriendVisibility::Hidden),
        })
        .await
        .expect("hidden");
    assert_eq!(hidden.favorite, Some(true), "favourite kept");
    assert_eq!(
        hidden.visibility,
        visibility(types::KnownFriendVisibility::Hidden)
    );
    for viewer in [&c, &b] {
        let view = viewer
            .get_social_user_friends()
            .id(alice.id)
            .await
            .expect("alice's list");
        assert!(view.friends.is_empty(), "{view:?}");
        assert_eq!(view.counts, counts(0, 0, 0, 250));
    }
    let own = a.get_social_user_friends().id(alice.id).await.expect("own");
    assert_eq!(names(&own.friends), vec!["bob"]);

    // Remove: both sides go.
    a.remove_social_friend()
        .friend_id(bob.id)
        .await
        .expect("removed");
    assert!(friends_of(&a).await.friends.is_empty());
    assert!(friends_of(&b).await.friends.is_empty());
    expect_error(
        a.remove_social_friend().friend_id(bob.id).await,
        404,
        "NOT_FOUND",
        FRIEND_NOT_FOUND,
    );
    expect_error(
        a.update_social_friend()
            .friend_id(bob.id)
            .body(types::UpdateFriendBody::default())
            .await,
        404,
        "NOT_FOUND",
        FRIEND_NOT_FOUND,
    );
}

#[tokio::test]
async fn send_request_errors() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let carol = env.player("carol").await;
    let a = env.client(&alice);

    expect_error(
        send(&a, &alice).await,
        400,
        "CANNOT_TARGET_SELF",
        "You cannot send a friend request to yourself.",
    );
    expect_error(
        send_by_name(&a, "ALICE").await,
        400,
        "CANNOT_TARGET_SELF",
        "You cannot send a friend request to yourself.",
    );
    expect_error(
        a.send_social_friend_request()
            .body(types::SendFriendRequestBody::default())
            .await,
        400,
        "INVALID_INPUT",
        "targetId or targetName is required.",
    );
    expect_error(send(&a, &ghost()).await, 404, "NOT_FOUND", PLAYER_NOT_FOUND);
    expect_error(
        send_by_name(&a, "nobody").await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );

    send(&a, &bob).await.expect("sent");
    expect_error(
        send(&a, &bob).await,
        409,
        "REQUEST_ALREADY_PENDING",
        "A friend request to this player is already pending.",
    );
    env.befriend(&alice, &carol).await;
    expect_error(
        send(&a, &carol).await,
        409,
        "ALREADY_FRIENDS",
        "You are already friends with this player.",
    );
    expect_error(
        send(&env.client(&carol), &alice).await,
        409,
        "ALREADY_FRIENDS",
        "You are already friends with this player.",
    );

    // A block in either direction.
    let dave = env.player("dave").await;
    env.client(&dave)
        .block_player()
        .body(types::BlockBody {
            target_id: alice.id,
            reason: None,
        })
        .await
        .expect("blocked");
    expect_error(send(&a, &dave).await, 403, "BLOCKED", BLOCKED);
    expect_error(
        send(&env.client(&dave), &alice).await,
        403,
        "BLOCKED",
        BLOCKED,
    );

    // Raw input the document rejects, and credentials checked before anything else.
    let (status, body) = env
        .raw(
            reqwest::Method::POST,
            "/v1/social/friends/requests",
            Some(&alice.token),
            Some("{not json"),
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );
    let (status, body) = env
        .raw(
            reqwest::Method::POST,
            "/v1/social/friends/requests",
            Some(&alice.token),
            Some(r#"{"targetId":"not-a-uuid"}"#),
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );
    let (status, body) = env
        .raw(
            reqwest::Method::POST,
            "/v1/social/friends/requests",
            None,
            Some("{not json"),
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (401, &json!("UNAUTHORIZED")),
        "{body}"
    );
}

#[tokio::test]
async fn a_reverse_request_is_accepted_instead() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let first = send(&env.client(&alice), &bob).await.expect("sent");
    // bob turns requests off: his own outgoing answer still goes through.
    let back = send(&env.client(&bob), &alice)
        .await
        .expect("accepted instead");
    assert_eq!(
        status(&back),
        Some(types::KnownFriendRequestStatus::Accepted)
    );
    assert_eq!(back.id, first.id);
    assert_eq!(back.sender_id, Some(alice.id));
    assert_eq!(
        direction(&back),
        Some(types::KnownFriendRequestDirection::Incoming)
    );
    assert_eq!(
        names(&friends_of(&env.client(&alice)).await.friends),
        vec!["bob"]
    );
    let requests = env
        .client(&bob)
        .list_social_friend_requests()
        .await
        .expect("requests");
    assert!(requests.incoming.is_empty() && requests.outgoing.is_empty());

    // The server route does the same.
    let carol = env.player("carol").await;
    send(&env.client(&carol), &alice).await.expect("sent");
    let entry = env
        .server()
        .server_send_friend_request()
        .body(server_send_body(&alice, &carol))
        .await
        .expect("accepted instead");
    assert_eq!(
        status(&entry),
        Some(types::KnownFriendRequestStatus::Accepted)
    );
    assert_eq!(
        names(&friends_of(&env.client(&alice)).await.friends).len(),
        2,
        "alice has bob and carol"
    );
}

#[tokio::test]
async fn accept_decline_cancel_by_id() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let eve = env.player("eve").await;
    let (a, b, e) = (env.client(&alice), env.client(&bob), env.client(&eve));

    let invalid = "Invalid request id.";
    for bad in ["xyz", "0123456789abcdef0123456", "0123456789abcdef0123456g"] {
        expect_error(
            b.accept_social_friend_request().id(bad).await,
            400,
            "INVALID_INPUT",
            invalid,
        );
        expect_error(
            b.decline_social_friend_request().id(bad).await,
            400,
            "INVALID_INPUT",
            invalid,
        );
        expect_error(
            b.cancel_social_friend_request().id(bad).await,
            400,
            "INVALID_INPUT",
            invalid,
        );
    }
    let unknown = "0123456789abcdef01234567";
    expect_error(
        b.accept_social_friend_request().id(unknown).await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );

    let id = send(&a, &bob).await.expect("sent").id.expect("id");
    // A stranger cannot see it; the sender can neither accept nor decline it.
    expect_error(
        e.accept_social_friend_request().id(id.as_str()).await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    expect_error(
        e.decline_social_friend_request().id(id.as_str()).await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    expect_error(
        e.cancel_social_friend_request().id(id.as_str()).await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    expect_error(
        a.accept_social_friend_request().id(id.as_str()).await,
        403,
        "FORBIDDEN",
        "Only the recipient can accept this request.",
    );
    expect_error(
        a.decline_social_friend_request().id(id.as_str()).await,
        403,
        "FORBIDDEN",
        "Only the recipient can decline this request.",
    );

    // Ids are case-insensitive hex.
    let declined = b
        .decline_social_friend_request()
        .id(id.to_uppercase())
        .await
        .expect("declined");
    assert_eq!(
        status(&declined),
        Some(types::KnownFriendRequestStatus::Declined)
    );
    assert_eq!(
        direction(&declined),
        Some(types::KnownFriendRequestDirection::Incoming)
    );
    expect_error(
        b.accept_social_friend_request().id(id.as_str()).await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    assert!(friends_of(&b).await.friends.is_empty());

    // The sender cancels; the recipient may remove one too.
    let id = send(&a, &bob).await.expect("sent again").id.expect("id");
    a.cancel_social_friend_request()
        .id(id.as_str())
        .await
        .expect("cancelled");
    assert!(
        b.list_social_friend_requests()
            .await
            .expect("list")
            .incoming
            .is_empty()
    );
    expect_error(
        a.cancel_social_friend_request().id(id.as_str()).await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    let id = send(&a, &bob).await.expect("sent again").id.expect("id");
    b.cancel_social_friend_request()
        .id(id.as_str())
        .await
        .expect("removed by the recipient");
    assert!(
        a.list_social_friend_requests()
            .await
            .expect("list")
            .outgoing
            .is_empty()
    );
}

#[tokio::test]
async fn expired_requests_leave_the_lists_and_answer_410() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let (a, b) = (env.client(&alice), env.client(&bob));
    let id = send(&a, &bob).await.expect("sent").id.expect("id");

    env.world
        .advance_clock(SEVEN_DAYS - Duration::from_secs(60))
        .await
        .expect("clock");
    assert_eq!(
        b.list_social_friend_requests()
            .await
            .expect("list")
            .incoming
            .len(),
        1,
        "still pending a minute before expiry"
    );
    env.world
        .advance_clock(Duration::from_secs(61))
        .await
        .expect("clock");
    let requests = b.list_social_friend_requests().await.expect("list");
    assert!(requests.incoming.is_empty() && requests.outgoing.is_empty());
    assert!(
        a.list_social_friend_requests()
            .await
            .expect("list")
            .outgoing
            .is_empty()
    );
    let overview = env
        .server()
        .server_friends_overview()
        .body(types::ServerActorBody { actor_id: bob.id })
        .await
        .expect("overview");
    assert!(overview.incoming.is_empty());

    expect_error(
        b.accept_social_friend_request().id(id.as_str()).await,
        410,
        "REQUEST_EXPIRED",
        EXPIRED,
    );
    expect_error(
        b.decline_social_friend_request().id(id.as_str()).await,
        410,
        "REQUEST_EXPIRED",
        EXPIRED,
    );
    expect_error(
        a.cancel_social_friend_request().id(id.as_str()).await,
        410,
        "REQUEST_EXPIRED",
        EXPIRED,
    );
    let server = env.server();
    expect_error(
        server
            .server_accept_friend_request()
            .body(target(&bob, &alice))
            .await,
        410,
        "REQUEST_EXPIRED",
        EXPIRED,
    );
    expect_error(
        server
            .server_decline_friend_request()
            .body(target(&bob, &alice))
            .await,
        410,
        "REQUEST_EXPIRED",
        EXPIRED,
    );
    expect_error(
        server
            .server_cancel_friend_request()
            .body(target(&alice, &bob))
            .await,
        410,
        "REQUEST_EXPIRED",
        EXPIRED,
    );

    // An expired request is no duplicate: a new one can be sent and accepted.
    let fresh = send(&a, &bob).await.expect("sent anew");
    assert_ne!(fresh.id.as_deref(), Some(id.as_str()));
    b.accept_social_friend_request()
        .id(fresh.id.expect("id"))
        .await
        .expect("accepted");
    assert_eq!(names(&friends_of(&a).await.friends), vec!["bob"]);
}

#[tokio::test]
async fn blocks_while_requests_pend() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let carol = env.player("carol").await;
    let (a, b) = (env.client(&alice), env.client(&bob));
    env.befriend(&alice, &carol).await;
    send(&a, &bob).await.expect("alice → bob");

    let entry = b
        .block_player()
        .body(types::BlockBody {
            target_id: alice.id,
            reason: Some("spam".into()),
        })
        .await
        .expect("blocked");
    assert_eq!(entry.blocked_user_id, Some(alice.id));
    assert_eq!(entry.reason.as_deref(), Some("spam"));
    let created = entry.created_at.expect("createdAt");
    assert_eq!(entry.updated_at, Some(created));
    for client in [&a, &b] {
        let requests = client.list_social_friend_requests().await.expect("list");
        assert!(requests.incoming.is_empty() && requests.outgoing.is_empty());
    }
    expect_error(send(&a, &bob).await, 403, "BLOCKED", BLOCKED);
    expect_error(send(&b, &alice).await, 403, "BLOCKED", BLOCKED);
    expect_error(
        env.server()
            .server_send_friend_request()
            .body(server_send_body(&alice, &bob))
            .await,
        403,
        "BLOCKED",
        BLOCKED,
    );

    // Blocking again updates the entry; blocking a friend ends the friendship.
    env.world
        .advance_clock(Duration::from_secs(60))
        .await
        .expect("clock");
    let again = b
        .block_player()
        .body(types::BlockBody {
            target_id: alice.id,
            reason: Some("still spam".into()),
        })
        .await
        .expect("re-blocked");
    assert_eq!(again.created_at, Some(created));
    assert!(again.updated_at > Some(created));
    assert_eq!(again.reason.as_deref(), Some("still spam"));
    a.block_player()
        .body(types::BlockBody {
            target_id: carol.id,
            reason: None,
        })
        .await
        .expect("alice blocks carol");
    assert!(friends_of(&a).await.friends.is_empty());
    assert!(friends_of(&env.client(&carol)).await.friends.is_empty());

    let listed = b.list_blocks().await.expect("blocks");
    assert_eq!(listed.blocks, vec![again.clone()]);
    let alices = a.list_blocks().await.expect("blocks");
    assert_eq!(alices.blocks.len(), 1);
    assert_eq!(alices.blocks[0].blocked_user_id, Some(carol.id));
    assert_eq!(alices.blocks[0].reason, None);

    expect_error(
        b.block_player()
            .body(types::BlockBody {
                target_id: bob.id,
                reason: None,
            })
            .await,
        400,
        "CANNOT_TARGET_SELF",
        "You cannot block yourself.",
    );
    expect_error(
        b.block_player()
            .body(types::BlockBody {
                target_id: ghost().id,
                reason: None,
            })
            .await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );

    // Unblock: the friendship removed by the block stays removed.
    a.unblock_player()
        .target_id(carol.id)
        .await
        .expect("unblocked");
    assert!(friends_of(&a).await.friends.is_empty());
    assert!(a.list_blocks().await.expect("blocks").blocks.is_empty());
    expect_error(
        a.unblock_player().target_id(carol.id).await,
        404,
        "NOT_FOUND",
        "Block not found.",
    );
    let (status, body) = env
        .raw(
            reqwest::Method::DELETE,
            "/v1/social/friends/blocks/not-a-uuid",
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );
    // bob's block of alice still stands.
    expect_error(send(&a, &bob).await, 403, "BLOCKED", BLOCKED);
}

#[tokio::test]
async fn reports() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let a = env.client(&alice);
    let report = a
        .report_player()
        .body(types::ReportBody {
            target_id: bob.id,
            reason: Some("griefing".into()),
        })
        .await
        .expect("reported");
    assert!(report.id.as_deref().is_some_and(is_object_id), "{report:?}");
    assert_eq!(report.target_id, Some(bob.id));
    assert_eq!(report.reason.as_deref(), Some("griefing"));
    assert!(report.created_at.is_some());
    let second = a
        .report_player()
        .body(types::ReportBody {
            target_id: bob.id,
            reason: None,
        })
        .await
        .expect("reported again");
    assert_ne!(second.id, report.id);
    assert_eq!(second.reason, None);

    expect_error(
        a.report_player()
            .body(types::ReportBody {
                target_id: alice.id,
                reason: None,
            })
            .await,
        400,
        "CANNOT_TARGET_SELF",
        "You cannot report yourself.",
    );
    expect_error(
        a.report_player()
            .body(types::ReportBody {
                target_id: ghost().id,
                reason: None,
            })
            .await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );
    let (status, body) = env
        .raw(
            reqwest::Method::POST,
            "/v1/social/friends/reports",
            Some(&alice.token),
            Some(r#"{"reason":"no target"}"#),
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );
}

#[tokio::test]
async fn denied_permissions_answer_403_on_user_and_server_routes() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let carol = env.player("carol").await;
    env.befriend(&alice, &carol).await;
    let pending = send(&env.client(&bob), &alice).await.expect("bob → alice");
    let pending = pending.id.expect("id");
    let (a, server) = (env.client(&alice), env.server());

    env.deny(&alice, "social:friends.read").await;
    expect_error(a.get_social_friends().await, 403, "FORBIDDEN", MISSING_READ);
    expect_error(
        a.list_social_friend_requests().await,
        403,
        "FORBIDDEN",
        MISSING_READ,
    );
    expect_error(a.list_blocks().await, 403, "FORBIDDEN", MISSING_READ);
    expect_error(
        a.get_social_user_friends().id(carol.id).await,
        403,
        "FORBIDDEN",
        MISSING_READ,
    );
    expect_error(
        server
            .server_friends_overview()
            .body(types::ServerActorBody { actor_id: alice.id })
            .await,
        403,
        "FORBIDDEN",
        MISSING_READ,
    );

    env.deny(&alice, "social:friends.write").await;
    expect_error(send(&a, &bob).await, 403, "FORBIDDEN", MISSING_WRITE);
    expect_error(
        server
            .server_send_friend_request()
            .body(server_send_body(&alice, &bob))
            .await,
        403,
        "FORBIDDEN",
        MISSING_WRITE,
    );
    expect_error(
        a.report_player()
            .body(types::ReportBody {
                target_id: bob.id,
                reason: None,
            })
            .await,
        403,
        "FORBIDDEN",
        MISSING_WRITE,
    );

    env.deny(&alice, "social:friends.edit").await;
    expect_error(
        a.accept_social_friend_request().id(pending.as_str()).await,
        403,
        "FORBIDDEN",
        MISSING_EDIT,
    );
    expect_error(
        a.decline_social_friend_request().id(pending.as_str()).await,
        403,
        "FORBIDDEN",
        MISSING_EDIT,
    );
    expect_error(
        a.cancel_social_friend_request().id(pending.as_str()).await,
        403,
        "FORBIDDEN",
        MISSING_EDIT,
    );
    expect_error(
        a.update_social_friend()
            .friend_id(carol.id)
            .body(types::UpdateFriendBody {
                favorite: Some(true),
                visibility: None,
            })
            .await,
        403,
        "FORBIDDEN",
        MISSING_EDIT,
    );
    expect_error(
        a.remove_social_friend().friend_id(carol.id).await,
        403,
        "FORBIDDEN",
        MISSING_EDIT,
    );
    expect_error(
        a.block_player()
            .body(types::BlockBody {
                target_id: bob.id,
                reason: None,
            })
            .await,
        403,
        "FORBIDDEN",
        MISSING_EDIT,
    );
    expect_error(
        a.unblock_player().target_id(bob.id).await,
        403,
        "FORBIDDEN",
        MISSING_EDIT,
    );
    for result in [
        server
            .server_accept_friend_request()
            .body(target(&alice, &bob))
            .await,
        server
            .server_decline_friend_request()
            .body(target(&alice, &bob))
            .await,
        server
            .server_cancel_friend_request()
            .body(target(&alice, &bob))
            .await,
        server
            .server_remove_friend()
            .body(target(&alice, &carol))
            .await,
    ] {
        expect_error(result, 403, "FORBIDDEN", MISSING_EDIT);
    }
    // Nothing changed; profile settings need no node.
    a.get_profile_settings()
        .await
        .expect("settings need no node");
    let carols = friends_of(&env.client(&carol)).await;
    assert_eq!(names(&carols.friends), vec!["alice"]);
    assert_eq!(
        env.client(&bob)
            .list_social_friend_requests()
            .await
            .expect("list")
            .outgoing
            .len(),
        1
    );

    // An explicitly granted node allows like an absent one.
    env.world
        .set_permissions(
            alice.id,
            &[
                ("social:friends.read", Some(true)),
                ("social:friends.edit", None),
            ],
        )
        .await
        .expect("permissions");
    assert_eq!(names(&friends_of(&a).await.friends), vec!["carol"]);
    a.accept_social_friend_request()
        .id(pending.as_str())
        .await
        .expect("accepted");
}

#[tokio::test]
async fn the_friend_limit_comes_from_a_permission_node() {
    let env = Social::new().await;
    let limited = env
        .player_with(json!({"name": "limited", "permissions": {"social:friends.limit.1": true}}))
        .await;
    let bob = env.player("bob").await;
    let carol = env.player("carol").await;
    let dave = env.player("dave").await;
    let l = env.client(&limited);
    assert_eq!(friends_of(&l).await.counts, counts(0, 0, 0, 1));
    env.befriend(&limited, &bob).await;
    assert_eq!(friends_of(&l).await.counts, counts(1, 0, 0, 1));
    assert_eq!(
        friends_of(&env.client(&bob)).await.counts,
        counts(1, 0, 0, 250)
    );

    // Sending (the sender's limit) and accepting (either side's limit).
    expect_error(send(&l, &carol).await, 409, "FRIEND_LIMIT_REACHED", LIMIT);
    expect_error(
        env.server()
            .server_send_friend_request()
            .body(server_send_body(&limited, &carol))
            .await,
        409,
        "FRIEND_LIMIT_REACHED",
        LIMIT,
    );
    let id = send(&env.client(&carol), &limited)
        .await
        .expect("carol may ask")
        .id
        .expect("id");
    expect_error(
        l.accept_social_friend_request().id(id.as_str()).await,
        409,
        "FRIEND_LIMIT_REACHED",
        LIMIT,
    );
    expect_error(
        env.server()
            .server_accept_friend_request()
            .body(target(&limited, &carol))
            .await,
        409,
        "FRIEND_LIMIT_REACHED",
        LIMIT,
    );
    // The reverse-request path checks both players too.
    expect_error(send(&l, &carol).await, 409, "FRIEND_LIMIT_REACHED", LIMIT);

    // A higher node raises it (the largest granted node wins).
    env.world
        .set_permissions(
            limited.id,
            &[
                ("social:friends.limit.3", Some(true)),
                ("social:friends.limit.2", Some(true)),
            ],
        )
        .await
        .expect("permissions");
    l.accept_social_friend_request()
        .id(id.as_str())
        .await
        .expect("accepted now");
    env.befriend(&dave, &limited).await;
    assert_eq!(friends_of(&l).await.counts, counts(3, 0, 0, 3));
}

#[tokio::test]
async fn target_name_is_a_case_insensitive_fallback() {
    let env = Social::new().await;
    let alice = env.player("Alice").await;
    let bob = env.player("Bob").await;
    let carol = env.player("Carol").await;
    let a = env.client(&alice);
    let sent = send_by_name(&a, "bOB").await.expect("sent by name");
    assert_eq!(sent.recipient_id, Some(bob.id));
    // targetId wins over targetName.
    let both = a
        .send_social_friend_request()
        .body(types::SendFriendRequestBody {
            target_id: Some(carol.id),
            target_name: Some("Bob".into()),
            note: None,
        })
        .await
        .expect("sent by id");
    assert_eq!(both.recipient_id, Some(carol.id));

    let server = env.server();
    server
        .server_accept_friend_request()
        .body(target_named(&bob, "alice"))
        .await
        .expect("bob accepts by name");
    server
        .server_decline_friend_request()
        .body(target_named(&carol, "ALICE"))
        .await
        .expect("carol declines by name");
    server
        .server_send_friend_request()
        .body(types::ServerSendFriendRequestBody {
            actor_id: alice.id,
            target_id: None,
            target_name: Some("carol".into()),
            note: Some("again".into()),
        })
        .await
        .expect("sent by name");
    server
        .server_cancel_friend_request()
        .body(target_named(&alice, "Carol"))
        .await
        .expect("cancelled by name");
    assert_eq!(names(&friends_of(&a).await.friends), vec!["Bob"]);
    server
        .server_remove_friend()
        .body(target_named(&alice, "BOB"))
        .await
        .expect("removed by name");
    assert!(friends_of(&a).await.friends.is_empty());
    assert!(
        a.list_social_friend_requests()
            .await
            .expect("list")
            .outgoing
            .is_empty()
    );
    expect_error(
        server
            .server_remove_friend()
            .body(target_named(&alice, "nobody"))
            .await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );
}

#[tokio::test]
async fn hidden_and_limited_entries_as_seen_by_a_friend_and_a_stranger() {
    let env = Social::new().await;
    let owner = env.player("owner").await;
    let limited = env.player("limited").await;
    let hidden = env.player("hidden").await;
    let shown = env.player("shown").await;
    let stranger = env.player("stranger").await;
    for friend in [&limited, &hidden, &shown] {
        env.befriend(&owner, friend).await;
    }
    let o = env.client(&owner);
    for (friend, known) in [
        (&limited, types::KnownFriendVisibility::Limited),
        (&hidden, types::KnownFriendVisibility::Hidden),
    ] {
        o.update_social_friend()
            .friend_id(friend.id)
            .body(types::UpdateFriendBody {
                favorite: Some(true),
                visibility: visibility(known),
            })
            .await
            .expect("patched");
    }
    send(&o, &stranger).await.expect("a pending request");

    let view = |viewer: &CreatedPlayer| {
        let client = env.client(viewer);
        let id = owner.id;
        async move {
            client
                .get_social_user_friends()
                .id(id)
                .await
                .expect("owner's friends")
        }
    };
    let by_friend = view(&shown).await;
    assert_eq!(names(&by_friend.friends), vec!["limited", "shown"]);
    assert_eq!(by_friend.counts, counts(2, 1, 0, 250));
    assert!(by_friend.incoming.is_empty() && by_friend.outgoing.is_empty());
    assert_eq!(
        by_friend.requests,
        Some(types::FriendRequestsResponse::default())
    );
    assert_eq!(by_friend.self_.as_ref().and_then(|s| s.id), Some(owner.id));

    let by_stranger = view(&stranger).await;
    assert_eq!(names(&by_stranger.friends), vec!["shown"]);
    assert_eq!(by_stranger.counts, counts(1, 0, 0, 250));
    assert!(by_stranger.outgoing.is_empty() && by_stranger.incoming.is_empty());

    let by_owner = view(&owner).await;
    assert_eq!(
        names(&by_owner.friends),
        vec!["hidden", "limited", "shown"],
        "the owner sees everything, by name"
    );
    assert_eq!(by_owner.counts, counts(3, 2, 0, 250));
    assert_eq!(by_owner.outgoing.len(), 1);
    assert_eq!(
        by_owner.requests.as_ref().map(|r| r.outgoing.clone()),
        Some(by_owner.outgoing.clone())
    );
    // The friends' own lists are untouched by the owner's settings.
    let hiddens = friends_of(&env.client(&hidden)).await;
    assert_eq!(
        hiddens.friends[0].visibility,
        visibility(types::KnownFriendVisibility::Default)
    );

    // An unknown visibility is stored as DEFAULT.
    let odd = o
        .update_social_friend()
        .friend_id(hidden.id)
        .body(types::UpdateFriendBody {
            favorite: None,
            visibility: Some(types::FriendVisibility::Unknown(
                types::FriendVisibilityUnknown::try_from("SECRET".to_owned())
                    .expect("an unknown value"),
            )),
        })
        .await
        .expect("patched");
    assert_eq!(
        odd.visibility,
        visibility(types::KnownFriendVisibility::Default)
    );
    assert_eq!(
        names(&view(&stranger).await.friends),
        vec!["hidden", "shown"]
    );

    expect_error(
        o.get_social_user_friends().id(ghost().id).await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );
    let (status, body) = env
        .raw(
            reqwest::Method::GET,
            "/v1/users/not-a-uuid/friends",
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );
    let (status, body) = env
        .raw(
            reqwest::Method::PATCH,
            &format!("/v1/social/friends/{}", hidden.id),
            Some(&owner.token),
            Some(r#"{"favorite":"yes"}"#),
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );
}

#[tokio::test]
async fn entries_carry_presence_name_and_flame_streak() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env
        .player_with(json!({"name": "bob", "presence": "ONLINE", "flameStreak": 12}))
        .await;
    let carol = env.player("carol").await;
    env.befriend(&alice, &bob).await;
    env.befriend(&alice, &carol).await;
    let a = env.client(&alice);

    let snapshot = friends_of(&a).await;
    assert_eq!(snapshot.counts, counts(2, 0, 1, 250));
    let entry = &snapshot.friends[0];
    assert_eq!(entry.friend_id, Some(bob.id));
    assert_eq!(entry.name.as_deref(), Some("bob"));
    assert_eq!(entry.online, Some(true));
    assert_eq!(entry.flame_streak, Some(12));
    assert_eq!(entry.party_id, None);
    let state = entry.status.as_ref().and_then(|s| s.state.clone());
    assert_eq!(state, Some(types::KnownPresenceState::Online.into()));
    assert!(entry.status.as_ref().and_then(|s| s.timestamp).is_some());
    assert!(entry.last_seen_at.is_some());
    let summary = entry.player.as_ref().expect("player summary");
    assert_eq!(summary.id, Some(bob.id));
    assert_eq!(summary.name.as_deref(), Some("bob"));
    assert_eq!(summary.online, Some(true));
    let other = &snapshot.friends[1];
    assert_eq!(other.friend_id, Some(carol.id));
    assert_eq!(other.online, Some(false));
    assert_eq!(other.flame_streak, None, "present only when set");
    assert_eq!(other.last_seen_at, None, "never seen online");
    assert_eq!(
        snapshot.self_.as_ref().and_then(|s| s.name.as_deref()),
        Some("alice")
    );

    env.world
        .set_player_presence(bob.id, "OFFLINE")
        .await
        .expect("presence");
    env.world
        .set_player_presence(carol.id, "AWAY")
        .await
        .expect("presence");
    let snapshot = friends_of(&a).await;
    assert_eq!(snapshot.counts, counts(2, 0, 1, 250));
    assert_eq!(snapshot.friends[0].online, Some(false));
    assert!(snapshot.friends[0].last_seen_at.is_some(), "last seen kept");
    assert_eq!(
        snapshot.friends[1]
            .status
            .as_ref()
            .and_then(|s| s.state.clone()),
        Some(types::KnownPresenceState::Away.into())
    );
    // Request entries carry the other player's summary too.
    let dave = env.player("dave").await;
    let entry = send(&env.client(&dave), &bob).await.expect("sent");
    assert_eq!(
        entry.player.as_ref().and_then(|p| p.name.as_deref()),
        Some("bob")
    );
}

#[tokio::test]
async fn server_routes_share_the_rules_of_the_user_routes() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let carol = env.player("carol").await;
    let server = env.server();

    let overview = server
        .server_friends_overview()
        .body(types::ServerActorBody { actor_id: alice.id })
        .await
        .expect("overview");
    assert!(overview.friends.is_empty());
    assert_eq!(overview.counts, counts(0, 0, 0, 250));
    assert_eq!(overview.self_.as_ref().and_then(|s| s.id), Some(alice.id));

    let sent = server
        .server_send_friend_request()
        .body(types::ServerSendFriendRequestBody {
            actor_id: alice.id,
            target_id: Some(bob.id),
            target_name: None,
            note: Some("from the lobby".into()),
        })
        .await
        .expect("sent");
    assert_eq!(
        status(&sent),
        Some(types::KnownFriendRequestStatus::Pending)
    );
    assert_eq!(
        direction(&sent),
        Some(types::KnownFriendRequestDirection::Outgoing)
    );
    assert_eq!(sent.sender_id, Some(alice.id));
    assert!(sent.id.as_deref().is_some_and(is_object_id));
    let bobs = server
        .server_friends_overview()
        .body(types::ServerActorBody { actor_id: bob.id })
        .await
        .expect("overview");
    assert_eq!(bobs.incoming.len(), 1);
    assert_eq!(
        bobs.requests.as_ref().map(|r| r.incoming.clone()),
        Some(bobs.incoming.clone())
    );
    // The same duplicate rule as the user route.
    expect_error(
        send(&env.client(&alice), &bob).await,
        409,
        "REQUEST_ALREADY_PENDING",
        "A friend request to this player is already pending.",
    );

    // Accept is the recipient's: acting for the sender finds nothing to accept.
    expect_error(
        server
            .server_accept_friend_request()
            .body(target(&alice, &bob))
            .await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    server
        .server_accept_friend_request()
        .body(target(&bob, &alice))
        .await
        .expect("accepted");
    let overview = server
        .server_friends_overview()
        .body(types::ServerActorBody { actor_id: alice.id })
        .await
        .expect("overview");
    assert_eq!(names(&overview.friends), vec!["bob"]);
    assert_eq!(overview.counts, counts(1, 0, 0, 250));
    assert!(overview.outgoing.is_empty());
    expect_error(
        server
            .server_send_friend_request()
            .body(server_send_body(&bob, &alice))
            .await,
        409,
        "ALREADY_FRIENDS",
        "You are already friends with this player.",
    );
    expect_error(
        server
            .server_send_friend_request()
            .body(server_send_body(&bob, &bob))
            .await,
        400,
        "CANNOT_TARGET_SELF",
        "You cannot send a friend request to yourself.",
    );

    server
        .server_remove_friend()
        .body(target(&bob, &alice))
        .await
        .expect("removed");
    assert!(friends_of(&env.client(&alice)).await.friends.is_empty());
    expect_error(
        server
            .server_remove_friend()
            .body(target(&bob, &alice))
            .await,
        404,
        "NOT_FOUND",
        FRIEND_NOT_FOUND,
    );

    // Decline and cancel.
    send(&env.client(&carol), &alice)
        .await
        .expect("carol → alice");
    server
        .server_decline_friend_request()
        .body(target(&alice, &carol))
        .await
        .expect("declined");
    expect_error(
        server
            .server_decline_friend_request()
            .body(target(&alice, &carol))
            .await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    send(&env.client(&carol), &alice)
        .await
        .expect("carol → alice again");
    server
        .server_cancel_friend_request()
        .body(target(&carol, &alice))
        .await
        .expect("cancelled");
    expect_error(
        server
            .server_cancel_friend_request()
            .body(target(&carol, &alice))
            .await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    assert!(
        env.client(&alice)
            .list_social_friend_requests()
            .await
            .expect("list")
            .incoming
            .is_empty()
    );

    // Unknown actor or target, missing target.
    let unknown_actor = types::ServerTargetBody {
        actor_id: ghost().id,
        target_id: Some(alice.id),
        target_name: None,
    };
    expect_error(
        server
            .server_accept_friend_request()
            .body(unknown_actor)
            .await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );
    expect_error(
        server
            .server_friends_overview()
            .body(types::ServerActorBody {
                actor_id: ghost().id,
            })
            .await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );
    let to_nobody = types::ServerTargetBody {
        actor_id: alice.id,
        target_id: Some(ghost().id),
        target_name: None,
    };
    expect_error(
        server.server_cancel_friend_request().body(to_nobody).await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );
    for result in [
        server
            .server_decline_friend_request()
            .body(target_named(&alice, "  "))
            .await,
        server
            .server_remove_friend()
            .body(types::ServerTargetBody {
                actor_id: alice.id,
                target_id: None,
                target_name: None,
            })
            .await,
    ] {
        expect_error(result, 400, "INVALID_INPUT", TARGET_REQUIRED);
    }
    expect_error(
        server
            .server_send_friend_request()
            .body(types::ServerSendFriendRequestBody {
                actor_id: alice.id,
                target_id: None,
                target_name: None,
                note: None,
            })
            .await,
        400,
        "INVALID_INPUT",
        TARGET_REQUIRED,
    );
}

#[tokio::test]
async fn server_routes_need_the_secret_and_a_registered_server() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let message = "Missing or invalid server credentials.";
    let body = types::ServerActorBody { actor_id: alice.id };
    for auth in [
        Auth::server("wrong-secret", SERVER),
        Auth::server(SECRET, "unregistered"),
        Auth::bearer(alice.token.as_str()),
        Auth::none(),
    ] {
        let client = env.config.social_friends(auth);
        expect_error(
            client.server_friends_overview().body(body.clone()).await,
            401,
            "UNAUTHORIZED",
            message,
        );
        expect_error(
            client
                .server_remove_friend()
                .body(types::ServerTargetBody {
                    actor_id: ghost().id,
                    target_id: None,
                    target_name: None,
                })
                .await,
            401,
            "UNAUTHORIZED",
            message,
        );
    }
    // Credentials come before the body: a malformed body without them is still 401.
    let response = env
        .http
        .post(env.url("/v1/social/friends/server/requests"))
        .header("content-type", "application/json")
        .body("{broken")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 401);
    // With them, it is 400.
    let response = env
        .http
        .post(env.url("/v1/social/friends/server/requests"))
        .bearer_auth(SECRET)
        .header("x-server-id", SERVER)
        .header("content-type", "application/json")
        .body("{broken")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "INVALID_INPUT");
}

#[tokio::test]
async fn racing_accepts_make_one_friendship() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let id = send(&env.client(&alice), &bob)
        .await
        .expect("sent")
        .id
        .expect("id");
    let (b1, b2) = (env.client(&bob), env.client(&bob));
    let (first, second) = tokio::join!(
        b1.accept_social_friend_request().id(id.as_str()),
        b2.accept_social_friend_request().id(id.as_str())
    );
    let oks = [&first, &second].iter().filter(|r| r.is_ok()).count();
    assert_eq!(oks, 1, "{first:?} / {second:?}");
    let loser = if first.is_ok() { second } else { first };
    expect_error(loser, 404, "NOT_FOUND", REQUEST_NOT_FOUND);
    assert_eq!(
        friends_of(&env.client(&alice)).await.counts,
        counts(1, 0, 0, 250)
    );

    // Two players asking each other at once end up friends, with nothing pending.
    let carol = env.player("carol").await;
    let dave = env.player("dave").await;
    let (c, d) = (env.client(&carol), env.client(&dave));
    let (x, y) = tokio::join!(send(&c, &dave), send(&d, &carol));
    let statuses = [status(&x.expect("sent")), status(&y.expect("sent"))];
    assert!(statuses.contains(&Some(types::KnownFriendRequestStatus::Pending)));
    assert!(statuses.contains(&Some(types::KnownFriendRequestStatus::Accepted)));
    assert_eq!(names(&friends_of(&c).await.friends), vec!["dave"]);
    let pending = c.list_social_friend_requests().await.expect("list");
    assert!(pending.incoming.is_empty() && pending.outgoing.is_empty());
}
