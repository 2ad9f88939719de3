//! WebSocket back-pressure and closes: a ping flood that never reads its pongs, a subscriber
//! that stops reading, and protocol errors. Each failed before the fix: the flood grew the
//! server without bound, the silent reader stayed connected forever, and a protocol error
//! dropped the connection without a close frame.

use super::rss_kib;
use contract_tests::env::Env;
use futures::{SinkExt, StreamExt};
use serde_json::json;
use social_stub::StubConfig;
use social_stub::control::bulk::{Hub, SocialBulk};
use social_stub::http::close;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A friends-live subscription of `token` (`interval` seconds), after its first frame.
async fn subscribe(env: &Env, token: &str, interval: u32) -> Socket {
    let base = env.world.service_url("social-friends");
    let url = format!(
        "{}/v1/social/friends/live?interval={interval}",
        base.replacen("http://", "ws://", 1)
    );
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("upgrade");
    let first = tokio::time::timeout(Duration::from_secs(10), socket.next()).await;
    assert!(
        matches!(first, Ok(Some(Ok(Message::Text(_))))),
        "first frame: {first:?}"
    );
    socket
}

async fn player(env: &Env, name: &str) -> (uuid::Uuid, String) {
    let p = env
        .world
        .create_player(json!({"name": name, "presence": "ONLINE"}))
        .await
        .expect("player");
    (p.id, p.token)
}

/// The close frame the server sends next (skipping frames and pings), within 10 s.
async fn close_code(socket: &mut Socket) -> Option<CloseCode> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| f.code),
            Ok(Some(Ok(_))) => continue,
            other => panic!("no close frame: {other:?}"),
        }
    }
    None
}

/// Waits (≤ `within`) until the world has no live subscriber; false if one stays.
async fn all_closed(env: &Env, within: Duration) -> bool {
    let world = env.in_process();
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if world.live_subscribers() == 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// A client that sends 96 MB of pings and never reads a pong. Before the fix every pong
/// waited in the server's unbounded write buffer (the report: 16 MB → 1.9 GB in 15 s); now
/// at most `--live-max-unsent-bytes` (16 MiB) waits, and a fresh client is still answered.
#[tokio::test]
async fn a_ping_flood_that_never_reads_holds_bounded_memory() {
    let env = Env::new().await;
    let (_, token) = player(&env, "flooder").await;
    let mut socket = subscribe(&env, &token, 60).await;
    let before = rss_kib();
    // 125-byte masked pings (the largest control frame), 64 KiB of them per write.
    let mut frame = vec![0x89u8, 0x80 | 125, 1, 2, 3, 4];
    frame.extend((0..125u8).map(|i| i ^ [1, 2, 3, 4][usize::from(i) % 4]));
    let chunk: Vec<u8> = frame
        .iter()
        .copied()
        .cycle()
        .take(frame.len() * 500)
        .collect();
    let tcp = match socket.get_mut() {
        tokio_tungstenite::MaybeTlsStream::Plain(tcp) => tcp,
        _ => unreachable!("loopback is plain TCP"),
    };
    let start = Instant::now();
    let mut sent = 0usize;
    while sent < 96 * 1024 * 1024 && start.elapsed() < Duration::from_secs(30) {
        match tokio::time::timeout(Duration::from_secs(5), tcp.write_all(&chunk)).await {
            Ok(Ok(())) => sent += chunk.len(),
            _ => break, // the server stopped reading or closed: it may
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let grown = rss_kib()
        .zip(before)
        .map(|(after, before)| after.saturating_sub(before));
    let fresh = tokio::time::timeout(
        Duration::from_secs(5),
        env.http.get(format!("{}/healthz", env.stub().url())).send(),
    )
    .await;
    assert!(
        matches!(fresh, Ok(Ok(ref r)) if r.status() == 200),
        "a fresh client is answered during the flood: {fresh:?}"
    );
    if let Some(grown) = grown {
        assert!(
            grown < 48 * 1024,
            "{sent} bytes of pings grew the process by {grown} KiB (bound: 16 MiB unsent + slack)"
        );
    }
}

/// A subscriber (interval 1 s) that stops reading while big frames keep coming: the server's
/// write blocks. Before the fix the liveness check could not run while it was blocked (the
/// report: connected after 150 s with 2.8 MB unsent); now the write gives up after the
/// liveness bound (two intervals plus 5 s = 7 s) and the connection is closed.
#[tokio::test]
async fn a_subscriber_that_stops_reading_is_closed_within_the_liveness_bound() {
    let env = Env::new().await;
    let hub = env
        .world
        .create_player(json!({
            "name": "slow-reader",
            "presence": "ONLINE",
            "permissions": {"social:friends.limit.5000": true},
        }))
        .await
        .expect("player");
    let (hub, token) = (hub.id, hub.token);
    // 2,000 friends: each frame is about 1.2 MB, so a few fill the socket buffers.
    let seeded = env
        .world
        .bulk_social(&SocialBulk {
            players: 2000,
            friends_of: Some(Hub {
                id: hub,
                count: 2000,
            }),
        })
        .await
        .expect("bulk");
    let socket = subscribe(&env, &token, 1).await;
    // Change the snapshot (a friend's presence) until the stub cannot write any more
    // (bounded: 60 changes).
    let friend = seeded.players[0].id;
    let world = env.in_process();
    for k in 0..60 {
        let state = if k % 2 == 0 { "AWAY" } else { "ONLINE" };
        world
            .social_mut()
            .set_presence(friend, state, world.now())
            .expect("presence");
        world.publish();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let started = Instant::now();
    assert!(
        all_closed(&env, Duration::from_secs(20)).await,
        "the non-reading subscriber is still connected {:?} after its frames stopped",
        started.elapsed()
    );
    drop(socket);
}

/// A frame the protocol forbids (an unmasked client frame) and a message over 64 KiB: the
/// stub answers each with a close frame (1002, 1009) before it drops the connection; before
/// the fix it dropped it silently.
#[tokio::test]
async fn protocol_errors_get_a_close_frame_with_their_code() {
    let env = Env::with(StubConfig::default()).await;
    let (_, token) = player(&env, "breaker").await;

    let mut socket = subscribe(&env, &token, 60).await;
    if let tokio_tungstenite::MaybeTlsStream::Plain(tcp) = socket.get_mut() {
        // An unmasked text frame "hi": clients must mask (RFC 6455 §5.1).
        tcp.write_all(&[0x81, 0x02, b'h', b'i'])
            .await
            .expect("write");
    }
    assert_eq!(
        close_code(&mut socket).await,
        Some(CloseCode::from(close::PROTOCOL_ERROR))
    );

    let mut socket = subscribe(&env, &token, 60).await;
    socket
        .send(Message::Text("x".repeat(100 * 1024).into()))
        .await
        .expect("send");
    assert_eq!(
        close_code(&mut socket).await,
        Some(CloseCode::from(close::TOO_BIG))
    );
}
