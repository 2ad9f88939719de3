//! Connections that never finish a request, and more connections than the stub takes. Each
//! failed before the fix (`axum::serve`: no header-read timer, no cap, no idle timeout): a
//! half-sent request and an idle keep-alive connection stayed open for good, and 2,000
//! slowloris connections held their memory until they went.

use super::rss_kib;
use contract_tests::env::Env;
use social_stub::StubConfig;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn addr(env: &Env) -> SocketAddr {
    env.stub()
        .url()
        .trim_start_matches("http://")
        .parse()
        .expect("socket address")
}

fn limits(header_read_timeout_ms: u64, max_connections: usize) -> StubConfig {
    StubConfig {
        header_read_timeout_ms,
        max_connections,
        ..StubConfig::default()
    }
}

/// Reads until the server closes the connection (within `within`); what it sent, or `None`
/// if it stayed open.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> Option<Vec<u8>> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(seen),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => return None,
        }
    }
}

/// A fresh client's request, answered within 5 s.
async fn fresh_client_is_served(env: &Env) -> Duration {
    let started = Instant::now();
    let answer = tokio::time::timeout(
        Duration::from_secs(5),
        reqwest::Client::new()
            .get(format!("{}/healthz", env.stub().url()))
            .send(),
    )
    .await;
    assert!(
        matches!(answer, Ok(Ok(ref r)) if r.status() == 200),
        "a fresh client is answered: {answer:?}"
    );
    started.elapsed()
}

#[tokio::test]
async fn a_half_sent_request_is_closed_after_the_header_read_timeout() {
    let env = Env::with(limits(500, 4096)).await;
    let mut stream = TcpStream::connect(addr(&env)).await.expect("connect");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: stub\r\n")
        .await
        .expect("write");
    assert!(
        until_closed(&mut stream, Duration::from_secs(5))
            .await
            .is_some(),
        "a request whose headers never end is still open after 5 s (timeout 500 ms)"
    );
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_timeout() {
    let env = Env::with(limits(500, 4096)).await;
    let mut stream = TcpStream::connect(addr(&env)).await.expect("connect");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: stub\r\n\r\n")
        .await
        .expect("write");
    let seen = until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("closed within 5 s of the answer (timeout 500 ms)");
    assert!(
        String::from_utf8_lossy(&seen).starts_with("HTTP/1.1 200"),
        "answered first: {}",
        String::from_utf8_lossy(&seen)
    );
}

/// 2,000 slowloris connections (headers begun, never finished): the stub stays reachable
/// while they are open, holds a bounded amount of memory for them, and closes every one
/// after the header-read timeout.
#[tokio::test]
async fn slowloris_connections_cost_little_and_are_closed() {
    const COUNT: usize = 2_000;
    let env = Env::with(limits(1_500, 4096)).await;
    let addr = addr(&env);
    let before = rss_kib();
    let mut streams = Vec::with_capacity(COUNT);
    for _ in 0..COUNT {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: stub\r\nX-Slow: ")
            .await
            .expect("write");
        streams.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let grown = rss_kib()
        .zip(before)
        .map(|(after, before)| after.saturating_sub(before));
    let latency = fresh_client_is_served(&env).await;
    eprintln!("{COUNT} slowloris connections: +{grown:?} KiB; a fresh request took {latency:?}");
    if let Some(grown) = grown {
        // Client and server sides of every connection, in this one process.
        assert!(
            grown < 64 * 1024,
            "{COUNT} half-sent requests grew the process by {grown} KiB"
        );
    }
    let deadline = Duration::from_secs(8);
    let mut open = 0;
    for stream in &mut streams {
        if until_closed(stream, deadline).await.is_none() {
            open += 1;
        }
    }
    assert_eq!(
        open, 0,
        "connections still open after the header-read timeout"
    );
}

/// More silent connections than the cap: each new one takes the slot of the one idle
/// longest, so the stub holds at most the cap, and a fresh client still gets in.
#[tokio::test]
async fn past_the_cap_the_connection_idle_longest_gives_way() {
    let env = Env::with(limits(60_000, 50)).await;
    let addr = addr(&env);
    let mut streams = Vec::new();
    for _ in 0..200 {
        streams.push(TcpStream::connect(addr).await.expect("connect"));
    }
    fresh_client_is_served(&env).await;
    let mut closed = 0;
    for stream in &mut streams {
        if until_closed(stream, Duration::from_millis(50))
            .await
            .is_some()
        {
            closed += 1;
        }
    }
    assert!(
        closed >= 150,
        "only {closed} of 200 silent connections were closed (cap 50)"
    );
}

/// When every slot has a request in progress (bodies announced, never sent), a new
/// connection is refused at once with the fixed `503 TOO_MANY_CONNECTIONS`.
#[tokio::test]
async fn a_full_cap_of_requests_in_progress_refuses_with_503() {
    let env = Env::with(limits(60_000, 4)).await;
    let addr = addr(&env);
    let world = &env.world.id;
    let mut busy = Vec::new();
    for _ in 0..4 {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        let head = format!(
            "POST /__stub/worlds/{world}/faults HTTP/1.1\r\nHost: stub\r\n\
             Content-Type: application/json\r\nContent-Length: 100\r\n\r\n["
        );
        stream.write_all(head.as_bytes()).await.expect("write");
        busy.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = TcpStream::connect(addr).await.expect("connect");
    let seen = until_closed(&mut extra, Duration::from_secs(5))
        .await
        .expect("refused and closed at once");
    let text = String::from_utf8_lossy(&seen);
    assert!(
        text.starts_with("HTTP/1.1 503") && text.contains("TOO_MANY_CONNECTIONS"),
        "{text}"
    );
    drop(busy);
}

/// A body announced and trickled (here: one byte of 100): the request is answered
/// `408 REQUEST_TIMEOUT` after the request timeout and its slot is free again. Before the fix it
/// held its connection (and, with the cap, its slot) for good.
#[tokio::test]
async fn a_slow_body_is_cut_with_408() {
    let env = Env::with(StubConfig {
        request_timeout_ms: 500,
        ..limits(60_000, 4096)
    })
    .await;
    let mut stream = TcpStream::connect(addr(&env)).await.expect("connect");
    let head = format!(
        "POST /__stub/worlds/{}/faults HTTP/1.1\r\nHost: stub\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n[",
        env.world.id
    );
    stream.write_all(head.as_bytes()).await.expect("write");
    let seen = until_closed(&mut stream, Duration::from_secs(5))
        .await
        .expect("answered and closed within 5 s (timeout 500 ms)");
    let text = String::from_utf8_lossy(&seen);
    assert!(
        text.starts_with("HTTP/1.1 408") && text.contains("REQUEST_TIMEOUT"),
        "{text}"
    );
}
