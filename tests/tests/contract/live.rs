//! Live snapshot streams: the stub's push and the SDK's self-healing stream.

use contract_tests::env::{Env, sdk_config};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use social_sdk::live::{FriendsChange, PartyChange, diff_friends, diff_party};
use social_sdk::social_friends::types::SendFriendRequestBody;
use social_sdk::{Auth, Config, LiveError, LiveEvent, LiveOptions};
use social_stub::control::WorldHandle;
use social_stub::world::FaultRule;
use social_stub::{RunningStub, StubConfig};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// The harness's [`Env`], the SDK with its default retry policy (the live streams' reconnects
/// are what is under test).
struct Live {
    env: Env,
}

impl std::ops::Deref for Live {
    type Target = Env;

    fn deref(&self) -> &Env {
        &self.env
    }
}

impl Live {
    async fn new() -> Self {
        let mut env = Env::new().await;
        env.config = config_for(&env.world);
        Self { env }
    }

    /// An online player: its id and token.
    async fn player(&self, name: &str) -> (uuid::Uuid, String) {
        let p = self
            .world
            .create_player(json!({"name": name, "presence": "ONLINE"}))
            .await
            .expect("player");
        (p.id, p.token)
    }
}

/// The SDK pointed at `world`, with the default retry policy.
fn config_for(world: &WorldHandle) -> Config {
    sdk_config(world).build().expect("config")
}

fn fast() -> LiveOptions {
    LiveOptions::default()
        .with_interval(1)
        .with_backoff(Duration::from_millis(10), Duration::from_millis(50))
}

/// The next snapshot, skipping reconnect notices; panics after 10 s (a hang is a failure).
async fn next_snapshot<T: std::fmt::Debug>(stream: &mut social_sdk::LiveStream<T>) -> T {
    loop {
        let item = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .expect("a frame within 10 s");
        match item.expect("the stream goes on").expect("no live error") {
            LiveEvent::Snapshot(snapshot) => return snapshot,
            LiveEvent::Reconnecting { .. } => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

async fn request(config: &Config, token: &str, target: uuid::Uuid) {
    let body = SendFriendRequestBody {
        target_id: Some(target),
        ..Default::default()
    };
    config
        .social_friends(Auth::bearer(token))
        .send_social_friend_request()
        .body(body)
        .await
        .expect("request sent");
}

#[tokio::test]
async fn a_mutation_pushes_a_frame_and_the_diff_names_it() {
    let live = Live::new().await;
    let (alice, alice_token) = live.player("alice").await;
    let (bob, bob_token) = live.player("bob").await;
    let mut stream = live
        .config
        .social_friends(Auth::bearer(&alice_token))
        .live(fast());
    let first = next_snapshot(&mut stream).await;
    assert!(first.friends.is_empty());

    request(&live.config, &bob_token, alice).await;
    let second = next_snapshot(&mut stream).await;
    let changes = diff_friends(&first, &second);
    assert!(
        matches!(changes.as_slice(), [FriendsChange::RequestReceived { from: Some(from), .. }] if *from == bob),
        "{changes:?}"
    );

    // Accepting makes bob a friend; his going offline is pushed by the control plane.
    let id = second
        .requests
        .as_ref()
        .and_then(|r| r.incoming.first())
        .and_then(|r| r.id.clone())
        .expect("request id");
    live.config
        .social_friends(Auth::bearer(&alice_token))
        .accept_social_friend_request()
        .id(id)
        .await
        .expect("accept");
    let third = next_snapshot(&mut stream).await;
    assert!(diff_friends(&second, &third).contains(&FriendsChange::FriendAdded(bob)));
    live.world
        .set_player_presence(bob, "OFFLINE")
        .await
        .expect("presence");
    let fourth = next_snapshot(&mut stream).await;
    assert_eq!(
        diff_friends(&third, &fourth),
        vec![FriendsChange::WentOffline(bob)]
    );
}

/// A raw WebSocket client, to see exactly what the server sends.
async fn raw_connect(
    world: &WorldHandle,
    path: &str,
    token: &str,
    subprotocol: bool,
) -> (
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    tokio_tungstenite::tungstenite::handshake::client::Response,
) {
    use base64::Engine;
    let base = world.service_url(if path.contains("party") {
        "party"
    } else {
        "social-friends"
    });
    let url = format!("{}{path}", base.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().expect("request");
    if subprotocol {
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token);
        request.headers_mut().insert(
            "sec-websocket-protocol",
            format!("uebliche-bearer.{encoded}")
                .parse()
                .expect("header"),
        );
    } else {
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("header"),
        );
    }
    tokio_tungstenite::connect_async(request)
        .await
        .expect("upgrade")
}

async fn next_text(
    socket: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s")
            .expect("open")
            .expect("no error");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).expect("json frame"),
            Message::Ping(payload) => socket.send(Message::Pong(payload)).await.expect("pong"),
            _ => {}
        }
    }
}

#[tokio::test]
async fn nothing_changed_means_no_frame_and_both_auth_methods_work() {
    let live = Live::new().await;
    let (alice, alice_token) = live.player("alice").await;
    let (_, bob_token) = live.player("bob").await;
    let (carol, carol_token) = live.player("carol").await;
    let (mut socket, response) = raw_connect(
        &live.world,
        "/v1/social/friends/live?interval=1",
        &alice_token,
        true,
    )
    .await;
    let echoed = response
        .headers()
        .get("sec-websocket-protocol")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        echoed.starts_with("uebliche-bearer."),
        "the subprotocol is echoed: {echoed:?}"
    );
    let first = next_text(&mut socket).await;
    assert_eq!(first["type"], "friends_snapshot");
    assert_eq!(
        first["friends"],
        json!([]),
        "the full shape, empty lists included: {first}"
    );
    assert_eq!(first["requests"], json!({"incoming": [], "outgoing": []}));

    // Unrelated to alice: bob asks carol. Then something that concerns her: carol asks alice.
    request(&live.config, &bob_token, carol).await;
    request(&live.config, &carol_token, alice).await;
    let second = next_text(&mut socket).await;
    assert_eq!(
        second["requests"]["incoming"].as_array().map(Vec::len),
        Some(1),
        "the next frame is the relevant one: {second}"
    );

    let (mut header_socket, _) =
        raw_connect(&live.world, "/v1/social/friends/live", &alice_token, false).await;
    assert_eq!(
        next_text(&mut header_socket).await,
        second,
        "header auth sees the same snapshot"
    );
}

#[tokio::test]
async fn bad_credentials_are_refused_before_the_upgrade_and_not_retried() {
    let live = Live::new().await;
    let response = reqwest::Client::new()
        .get(format!(
            "{}/v1/social/friends/live",
            live.world.service_url("social-friends")
        ))
        .header("authorization", "Bearer nope")
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 401);

    let mut stream = live
        .config
        .social_friends(Auth::bearer("nope"))
        .live(fast());
    let item = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("answer");
    assert!(
        matches!(item, Some(Err(LiveError::Refused(ref e))) if e.status().map(|s| s.as_u16()) == Some(401)),
        "{item:?}"
    );
    assert!(stream.next().await.is_none(), "a refusal ends the stream");
    let attempts = live
        .world
        .requests()
        .await
        .expect("log")
        .iter()
        .filter(|r| r.operation == "social_friends_live")
        .count();
    assert_eq!(attempts, 2, "one raw attempt, one SDK attempt, no retries");
}

#[tokio::test]
async fn the_stream_resumes_after_the_stub_drops_the_socket() {
    let live = Live::new().await;
    let (alice, alice_token) = live.player("alice").await;
    let (_, bob_token) = live.player("bob").await;
    let rule: FaultRule =
        serde_json::from_value(json!({"operation": "social_friends_live", "reset": true}))
            .expect("rule");
    live.world.add_faults(&[rule]).await.expect("fault");
    let mut stream = live
        .config
        .social_friends(Auth::bearer(&alice_token))
        .live(fast());
    let first = next_snapshot(&mut stream).await;
    // The socket is dropped after this first frame; the SDK says so and reconnects.
    let notice = tokio::time::timeout(Duration::from_secs(10), stream.next())
        .await
        .expect("notice");
    assert!(
        matches!(notice, Some(Ok(LiveEvent::Reconnecting { .. }))),
        "{notice:?}"
    );
    request(&live.config, &bob_token, alice).await;
    let latest = next_snapshot(&mut stream).await;
    assert_ne!(
        latest, first,
        "the resumed stream carries the latest snapshot"
    );
    assert_eq!(latest.requests.as_ref().map(|r| r.incoming.len()), Some(1));
}

#[tokio::test]
async fn the_stream_resumes_after_a_stub_restart_on_the_same_port() {
    let stub = RunningStub::start().await.expect("stub");
    let addr: std::net::SocketAddr = stub
        .url()
        .trim_start_matches("http://")
        .parse()
        .expect("addr");
    let seed = |world: WorldHandle| async move {
        world
            .create_player(json!({"name": "alice", "token": "alice-token", "id": "00000000-0000-0000-0000-00000000000a"}))
            .await
            .expect("alice")
    };
    seed(stub.control().default_world()).await;
    let config = config_for(&stub.control().default_world());
    let mut stream = config
        .social_friends(Auth::bearer("alice-token"))
        .live(fast());
    let first = next_snapshot(&mut stream).await;
    assert!(first.friends.is_empty());

    stub.stop().await;
    let restarted = RunningStub::start_at(addr, StubConfig::default())
        .await
        .expect("same port again");
    let world = restarted.control().default_world();
    seed(world.clone()).await;
    let bob = world
        .create_player(json!({"name": "bob"}))
        .await
        .expect("bob");
    let alice = uuid::Uuid::from_u128(0xa);
    request(&config, &bob.token, alice).await;
    let after = next_snapshot(&mut stream).await;
    assert_eq!(
        after.requests.as_ref().map(|r| r.incoming.len()),
        Some(1),
        "{after:?}"
    );
}

#[tokio::test]
async fn a_slow_reader_gets_the_latest_snapshot() {
    let live = Live::new().await;
    let (alice, alice_token) = live.player("alice").await;
    let (mut socket, _) = raw_connect(
        &live.world,
        "/v1/social/friends/live?interval=60",
        &alice_token,
        false,
    )
    .await;
    let mut last = next_text(&mut socket).await;
    // Ten players ask alice while nobody reads the socket.
    for i in 0..10 {
        let (_, token) = live.player(&format!("fan{i}")).await;
        request(&live.config, &token, alice).await;
    }
    // Reading catches up to the latest state, and no frame repeats the one before it.
    while last["requests"]["incoming"].as_array().map(Vec::len) != Some(10) {
        let frame = next_text(&mut socket).await;
        assert_ne!(
            frame, last,
            "a frame is pushed only when the snapshot changed"
        );
        last = frame;
    }
}

#[tokio::test]
async fn party_snapshots_follow_invites_and_many_subscribers_are_served() {
    let live = Live::new().await;
    let (_host, host_token) = live.player("host").await;
    let mut streams = Vec::new();
    let mut players = Vec::new();
    for i in 0..50 {
        let (id, token) = live.player(&format!("guest{i}")).await;
        let mut stream = live.config.party(Auth::bearer(&token)).live(fast());
        let first = next_snapshot(&mut stream).await;
        assert!(first.party.is_none());
        streams.push((stream, first));
        players.push(id);
    }
    let party = live.config.party(Auth::bearer(&host_token));
    for id in &players {
        let body = social_sdk::party::types::InviteBody {
            target_id: Some(*id),
            ..Default::default()
        };
        party.invite_to_party().body(body).await.expect("invite");
    }
    for (stream, first) in &mut streams {
        let invited = next_snapshot(stream).await;
        let changes = diff_party(first, &invited);
        assert!(
            matches!(changes.as_slice(), [PartyChange::InviteReceived(Some(_))]),
            "{changes:?}"
        );
    }
    assert!(live.in_process().live_subscribers() >= 50);
}
