//! The SDK against answers only a hand-made server produces: a raw `tokio` TCP server on
//! loopback writes exactly the bytes each test scripts (JSON cut short under a correct
//! status, a `Content-Length` longer than the body, a connection closed before any answer,
//! chunked encoding cut mid-chunk, a body that stalls, a huge body, valid JSON of the wrong
//! shape) and a raw WebSocket peer (frames that do not decode, a frame cut in half, close
//! codes). Every case ends in the documented [`Error`] variant (decode errors keep the raw
//! bytes) within a hang detector, and nothing panics.
//!
//! Retry policy under test (see `RetryPolicy`): a transport failure of a `GET` (including a
//! body cut short or stalled past the timeout) is sent again; a `POST` that may have reached
//! the service is not; a complete answer that does not decode is never sent again. Retries
//! wait on a [`FakeClock`] that returns at once.

use futures::{SinkExt, StreamExt};
use social_sdk::live::LiveOptions;
use social_sdk::social_friends::types::SendFriendRequestBody;
use social_sdk::{Auth, Config, Error, FakeClock, LiveError, LiveEvent, RetryPolicy, Service};
use std::future::{Future, IntoFuture};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::protocol::frame::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

const COUNT_PATH: &str = "/v1/users/1/friends/count";
const REQUESTS_PATH: &str = "/v1/social/friends/requests";

/// What the server does with one connection once it has read the request.
enum Reply {
    /// Writes these bytes, then closes the connection.
    Close(Vec<u8>),
    /// Writes these bytes, then keeps the connection open and silent.
    Stall(Vec<u8>),
    /// Answers the WebSocket upgrade with `101` and plays the script on the socket.
    WebSocket(Vec<Frame>),
}

/// One step of a WebSocket script.
enum Frame {
    Send(Message),
    /// Raw bytes on the TCP stream (a frame cut in half), then the connection is dropped.
    RawThenDrop(Vec<u8>),
}

type Script = dyn Fn(usize, &str) -> Reply + Send + Sync;

/// A loopback HTTP/1.1 server that answers connection `n` (request line `line`) with
/// `script(n, line)` and records every request line.
struct RawServer {
    url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl RawServer {
    async fn start(script: impl Fn(usize, &str) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let seen: Arc<Mutex<Vec<String>>> = Arc::default();
        let script: Arc<Script> = Arc::new(script);
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (log, script) = (Arc::clone(&log), Arc::clone(&script));
                tokio::spawn(async move {
                    let Some(line) = read_request(&mut socket).await else {
                        return;
                    };
                    let n = {
                        let mut log = log.lock().expect("lock");
                        log.push(line.clone());
                        log.len() - 1
                    };
                    play(socket, script(n, &line)).await;
                });
            }
        });
        Self { url, seen }
    }

    /// How many requests reached the server for `path`.
    fn hits(&self, path: &str) -> usize {
        self.seen
            .lock()
            .expect("lock")
            .iter()
            .filter(|line| line.split(' ').nth(1).is_some_and(|p| p.starts_with(path)))
            .count()
    }
}

/// Reads one request (head and `Content-Length` body); returns its request line.
async fn read_request(socket: &mut TcpStream) -> Option<String> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let length = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    head.lines().next().map(str::to_owned)
}

async fn play(mut socket: TcpStream, reply: Reply) {
    match reply {
        Reply::Close(bytes) => {
            let _ = socket.write_all(&bytes).await;
            let _ = socket.shutdown().await;
        }
        Reply::Stall(bytes) => {
            let _ = socket.write_all(&bytes).await;
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
        Reply::WebSocket(script) => {
            // Nobody checks Sec-WebSocket-Accept on this path: progenitor only wants the 101.
            let head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
                        Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
            if socket.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let mut ws = WebSocketStream::from_raw_socket(socket, Role::Server, None).await;
            for frame in script {
                match frame {
                    Frame::Send(message) => {
                        if ws.send(message).await.is_err() {
                            return;
                        }
                    }
                    Frame::RawThenDrop(bytes) => {
                        let _ = ws.flush().await;
                        let _ = ws.get_mut().write_all(&bytes).await;
                        return;
                    }
                }
            }
            // Keep the socket open (answering nothing) until the client goes away.
            while let Some(Ok(_)) = ws.next().await {}
        }
    }
}

/// A complete answer: status line, JSON content type, the right `Content-Length`, and
/// `Connection: close` so no connection is reused behind the test's back.
fn answer(status: &str, body: &[u8]) -> Vec<u8> {
    let mut bytes = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn config(server: &RawServer, clock: &FakeClock, retry: RetryPolicy, timeout: Duration) -> Config {
    let mut builder = Config::builder()
        .clock(clock.clone())
        .retry(retry)
        .timeout(timeout);
    for service in Service::ALL {
        builder = builder.base_url(service, server.url.clone());
    }
    builder.build().expect("config builds")
}

fn three_attempts() -> RetryPolicy {
    RetryPolicy::default().with_max_attempts(3)
}

/// Awaits a call with a hang detector.
async fn settle<T>(call: impl IntoFuture<Output = Result<T, Error>>) -> Result<T, Error> {
    within(call.into_future()).await
}

async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(10), future)
        .await
        .expect("no hang: settled within 10 s")
}

fn friend_request() -> SendFriendRequestBody {
    SendFriendRequestBody {
        target_name: Some("Alex".into()),
        ..Default::default()
    }
}

#[track_caller]
fn assert_decode_keeps(error: &Error, status: u16, bytes: &[u8]) {
    match error {
        Error::Decode {
            status: got, body, ..
        } => {
            assert_eq!(got.map(|s| s.as_u16()), Some(status), "{error:?}");
            assert_eq!(body.as_ref(), bytes, "the raw bytes are kept");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
    assert_eq!(error.body().map(|b| b.as_ref()), Some(bytes));
    assert!(!error.is_retryable(), "{error:?}");
}

#[track_caller]
fn assert_transport(error: &Error) {
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(error.is_retryable(), "{error:?}");
    assert_eq!(error.status(), None, "{error:?}");
}

// ---------------------------------------------------------------------------------------
// Bodies that do not decode

#[tokio::test]
async fn truncated_json_under_a_correct_status_is_a_decode_error_with_the_raw_bytes() {
    let cut_count = br#"{"count":4"#;
    let cut_envelope = br#"{"code":200,"data":[1,2"#;
    let cut_error = br#"{"errors":[{"code":6,"mess"#;
    let server = RawServer::start(move |_, line| match line {
        l if l.contains("/roster/") => Reply::Close(answer("200 OK", cut_envelope)),
        l if l.contains("/followers") => Reply::Close(answer("400 Bad Request", cut_error)),
        _ => Reply::Close(answer("200 OK", cut_count)),
    })
    .await;
    let clock = FakeClock::new();
    let config = config(&server, &clock, three_attempts(), Duration::from_secs(5));

    let error = settle(
        config
            .friends(Auth::none())
            .get_user_friends_count()
            .user_id(1),
    )
    .await
    .expect_err("cut JSON");
    assert_decode_keeps(&error, 200, cut_count);
    assert_eq!(
        server.hits(COUNT_PATH),
        1,
        "a complete answer that does not decode is not sent again"
    );

    let error = settle(
        config
            .roster(Auth::roster("app", "token"))
            .list_roster_blocked(),
    )
    .await
    .expect_err("cut envelope");
    assert_decode_keeps(&error, 200, cut_envelope);

    // A documented error status whose body is cut: still the service's error, bytes kept.
    let error = settle(
        config
            .friends(Auth::none())
            .get_user_followers()
            .target_user_id(1),
    )
    .await
    .expect_err("400");
    assert!(matches!(error, Error::Service(_)), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(error.code(), None, "no code can be read from a cut body");
    assert_eq!(error.body().map(|b| b.as_ref()), Some(&cut_error[..]));
    assert_eq!(clock.sleeps().len(), 0);
}

#[tokio::test]
async fn valid_json_of_the_wrong_shape_is_a_decode_error_with_the_raw_bytes() {
    let array = b"[1,2]";
    let page = br#"{"previousPageCursor":null,"nextPageCursor":"c1","data":5}"#;
    let envelope = br#"{"code":200,"data":{"not":"a list"},"message":null}"#;
    let party = br#"{"party":{},"invites":"yes"}"#;
    let server = RawServer::start(move |_, line| {
        let body: &[u8] = match line {
            l if l.contains("/followers") => page,
            l if l.contains("/roster/") => envelope,
            l if l.contains("/social/party") => party,
            l if l.contains(REQUESTS_PATH) => {
                return Reply::Close(answer("409 Conflict", array));
            }
            _ => array,
        };
        Reply::Close(answer("200 OK", body))
    })
    .await;
    let clock = FakeClock::new();
    let config = config(&server, &clock, three_attempts(), Duration::from_secs(5));

    let error = settle(
        config
            .friends(Auth::none())
            .get_user_friends_count()
            .user_id(1),
    )
    .await
    .expect_err("an array is no count");
    assert_decode_keeps(&error, 200, array);

    // A page stream stops at the page that does not decode: the error, then the end.
    let friends = config.friends(Auth::none());
    let mut walk = friends.get_user_followers().target_user_id(7).stream();
    let first = within(walk.next()).await.expect("an item");
    assert_decode_keeps(&first.expect_err("page does not decode"), 200, page);
    assert!(within(walk.next()).await.is_none(), "the walk ends");
    assert_eq!(server.hits("/v1/users/7/followers"), 1);

    let error = settle(
        config
            .roster(Auth::roster("app", "token"))
            .list_roster_blocked(),
    )
    .await
    .expect_err("data is no list");
    assert_decode_keeps(&error, 200, envelope);

    let error = settle(config.party(Auth::bearer("p")).get_party())
        .await
        .expect_err("invites is no list");
    assert_decode_keeps(&error, 200, party);

    // A documented error status with a body of another shape: the service's error, no code.
    let error = settle(
        config
            .social_friends(Auth::bearer("p"))
            .send_social_friend_request()
            .body(friend_request()),
    )
    .await
    .expect_err("409");
    assert!(matches!(error, Error::Service(_)), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(409));
    assert_eq!((error.code(), error.message()), (None, None));
    assert_eq!(error.body().map(|b| b.as_ref()), Some(&array[..]));
    assert_eq!(clock.sleeps().len(), 0, "nothing here is worth a retry");
}

#[tokio::test]
async fn a_huge_uncompressed_body_is_read_whole() {
    const SIZE: usize = 16 << 20;
    let padding = "x".repeat(SIZE);
    let valid = format!(r#"{{"count":7,"padding":"{padding}"}}"#).into_bytes();
    // A wrong optional field is only `None` now; a string where the object goes is an error.
    let invalid = format!(r#""{padding}""#).into_bytes();
    let page = format!("<html>{padding}</html>").into_bytes();
    let (valid_len, invalid_copy, page_len) = (valid.len(), invalid.clone(), page.len());
    let server = RawServer::start(move |_, line| match line {
        l if l.contains("/users/1/") => Reply::Close(answer("200 OK", &valid)),
        l if l.contains("/users/2/") => Reply::Close(answer("200 OK", &invalid)),
        _ => Reply::Close(answer("503 Service Unavailable", &page)),
    })
    .await;
    let clock = FakeClock::new();
    let config = config(
        &server,
        &clock,
        RetryPolicy::disabled(),
        Duration::from_secs(10),
    );
    let friends = config.friends(Auth::none());

    let count = settle(friends.get_user_friends_count().user_id(1))
        .await
        .expect("16 MiB of valid JSON decodes");
    assert_eq!(count.count, Some(7), "read {valid_len} bytes");

    let error = settle(friends.get_user_friends_count().user_id(2))
        .await
        .expect_err("a huge string is no count object");
    assert_decode_keeps(&error, 200, &invalid_copy);

    let error = settle(friends.get_user_friends_count().user_id(3))
        .await
        .expect_err("503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.body().map(|b| b.len()), Some(page_len), "kept whole");
    assert_eq!(error.code(), None);
}

// ---------------------------------------------------------------------------------------
// Connections that fail mid-way

#[tokio::test]
async fn a_content_length_longer_than_the_body_is_a_transport_error_resent_only_for_gets() {
    let short = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"count\":4}".to_vec();
    let server = RawServer::start(move |_, _| Reply::Close(short.clone())).await;
    let clock = FakeClock::new();
    let config = config(&server, &clock, three_attempts(), Duration::from_secs(5));

    let error = settle(
        config
            .friends(Auth::none())
            .get_user_friends_count()
            .user_id(1),
    )
    .await
    .expect_err("body cut short");
    assert_transport(&error);
    assert_eq!(
        server.hits(COUNT_PATH),
        3,
        "a GET whose body was cut short is sent again, up to the attempts"
    );

    let error = settle(
        config
            .social_friends(Auth::bearer("p"))
            .send_social_friend_request()
            .body(friend_request()),
    )
    .await
    .expect_err("body cut short");
    assert_transport(&error);
    assert_eq!(
        server.hits(REQUESTS_PATH),
        1,
        "a POST the service answered is never sent twice"
    );
    assert_eq!(clock.sleeps().len(), 2);
}

#[tokio::test]
async fn a_connection_closed_before_any_answer_is_resent_only_for_gets() {
    let server = RawServer::start(|_, _| Reply::Close(Vec::new())).await;
    let clock = FakeClock::new();
    let config = config(&server, &clock, three_attempts(), Duration::from_secs(5));

    let error = settle(config.party(Auth::bearer("p")).get_party())
        .await
        .expect_err("no answer");
    assert_transport(&error);
    assert_eq!(server.hits("/v1/social/party"), 3);

    let error = settle(
        config
            .social_friends(Auth::bearer("p"))
            .send_social_friend_request()
            .body(friend_request()),
    )
    .await
    .expect_err("no answer");
    assert_transport(&error);
    assert_eq!(
        server.hits(REQUESTS_PATH),
        1,
        "the POST reached the service, which may have acted: not sent twice"
    );
}

#[tokio::test]
async fn chunked_encoding_cut_mid_chunk_is_a_transport_error_and_a_get_recovers() {
    let cut = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n{\"count\":".to_vec();
    let whole = answer("200 OK", br#"{"count":9}"#);
    // GETs: the first answer is cut, the next one whole. POSTs: always cut.
    let server = RawServer::start(move |n, line| {
        if line.starts_with("GET") && n > 0 {
            Reply::Close(whole.clone())
        } else {
            Reply::Close(cut.clone())
        }
    })
    .await;
    let clock = FakeClock::new();
    let config = config(&server, &clock, three_attempts(), Duration::from_secs(5));

    let count = settle(
        config
            .friends(Auth::none())
            .get_user_friends_count()
            .user_id(1),
    )
    .await
    .expect("the GET is sent again and succeeds");
    assert_eq!(count.count, Some(9));
    assert_eq!(server.hits(COUNT_PATH), 2);
    assert_eq!(clock.sleeps().len(), 1);

    let error = settle(
        config
            .social_friends(Auth::bearer("p"))
            .send_social_friend_request()
            .body(friend_request()),
    )
    .await
    .expect_err("cut mid-chunk");
    assert_transport(&error);
    assert_eq!(server.hits(REQUESTS_PATH), 1, "a POST is not sent twice");
}

#[tokio::test]
async fn a_body_that_stalls_past_the_timeout_is_a_timeout_not_a_hang() {
    let stalled =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{\"count\":"
            .to_vec();
    let server = RawServer::start(move |_, _| Reply::Stall(stalled.clone())).await;
    let clock = FakeClock::new();
    let config = config(
        &server,
        &clock,
        RetryPolicy::default().with_max_attempts(2),
        Duration::from_millis(300),
    );

    let error = settle(
        config
            .friends(Auth::none())
            .get_user_friends_count()
            .user_id(1),
    )
    .await
    .expect_err("stalls");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(
        server.hits(COUNT_PATH),
        2,
        "a GET whose body timed out is sent again"
    );

    let error = settle(
        config
            .social_friends(Auth::bearer("p"))
            .send_social_friend_request()
            .body(friend_request()),
    )
    .await
    .expect_err("stalls");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(server.hits(REQUESTS_PATH), 1, "a POST is not sent twice");
}

// ---------------------------------------------------------------------------------------
// Live streams against a hand-made WebSocket peer

fn snapshot(friend: Option<&str>) -> Message {
    let friends = match friend {
        Some(id) => format!(r#"[{{"friendId":"{id}","online":true}}]"#),
        None => "[]".into(),
    };
    Message::text(format!(
        r#"{{"type":"friends_snapshot","friends":{friends}}}"#
    ))
}

fn fast() -> LiveOptions {
    LiveOptions::default().with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

async fn next_live<T>(
    stream: &mut social_sdk::LiveStream<T>,
) -> Option<Result<LiveEvent<T>, LiveError>> {
    within(stream.next()).await
}

#[tokio::test]
async fn a_live_stream_skips_bad_frames_reconnects_after_cuts_and_stops_on_policy_close() {
    const BOB: &str = "00000000-0000-0000-0000-00000000000b";
    let server = RawServer::start(|n, _| match n {
        // Text that is no JSON, JSON of another shape, a snapshot, then half a frame.
        0 => Reply::WebSocket(vec![
            Frame::Send(Message::text("not json")),
            Frame::Send(Message::text(r#"{"friends":5}"#)),
            Frame::Send(Message::Binary(vec![0xff, 0x00].into())),
            Frame::Send(snapshot(None)),
            Frame::RawThenDrop(vec![0x81, 0x7e, 0x01]),
        ]),
        // Not an upgrade at all.
        1 => Reply::Close(answer("200 OK", br#"{"friends":[]}"#)),
        // The same snapshot again (not repeated), a new one, then a policy close.
        _ => Reply::WebSocket(vec![
            Frame::Send(snapshot(None)),
            Frame::Send(snapshot(Some(BOB))),
            Frame::Send(Message::Close(Some(CloseFrame {
                code: CloseCode::Policy,
                reason: "banned".into(),
            }))),
        ]),
    })
    .await;
    let clock = FakeClock::new();
    let config = config(
        &server,
        &clock,
        RetryPolicy::disabled(),
        Duration::from_secs(5),
    );
    let mut stream = config.social_friends(Auth::bearer("p")).live(fast());

    let first = next_live(&mut stream).await;
    assert!(
        matches!(&first, Some(Ok(LiveEvent::Snapshot(s))) if s.friends.is_empty()),
        "frames that do not decode are skipped: {first:?}"
    );
    let cut = next_live(&mut stream).await;
    assert!(
        matches!(cut, Some(Ok(LiveEvent::Reconnecting { attempt: 1, .. }))),
        "half a frame then a dropped connection: {cut:?}"
    );
    let refused = next_live(&mut stream).await;
    assert!(
        matches!(&refused, Some(Ok(LiveEvent::Reconnecting { attempt: 2, reason, .. })) if reason.contains("200")),
        "a 200 instead of the upgrade is retried: {refused:?}"
    );
    let second = next_live(&mut stream).await;
    assert!(
        matches!(&second, Some(Ok(LiveEvent::Snapshot(s))) if s.friends.len() == 1),
        "the repeated snapshot is dropped, the new one delivered: {second:?}"
    );
    let closed = next_live(&mut stream).await;
    assert!(
        matches!(&closed, Some(Err(LiveError::Closed { code: 1008, reason })) if reason == "banned"),
        "{closed:?}"
    );
    assert!(
        next_live(&mut stream).await.is_none(),
        "a policy close ends it"
    );
    assert_eq!(server.hits("/v1/social/friends/live"), 3);
}

#[tokio::test]
async fn a_live_stream_ends_on_an_application_close_code_and_not_on_a_normal_close() {
    let server = RawServer::start(|n, _| {
        let close = |code: u16| {
            Frame::Send(Message::Close(Some(CloseFrame {
                code: CloseCode::from(code),
                reason: "bye".into(),
            })))
        };
        Reply::WebSocket(match n {
            0 => vec![
                Frame::Send(Message::text(r#"{"party":null,"invites":[]}"#)),
                close(1000),
            ],
            _ => vec![close(4001)],
        })
    })
    .await;
    let clock = FakeClock::new();
    let config = config(
        &server,
        &clock,
        RetryPolicy::disabled(),
        Duration::from_secs(5),
    );
    let mut stream = config.party(Auth::bearer("p")).live(fast());
    let items: Vec<_> = within(stream.by_ref().take(3).collect::<Vec<_>>()).await;
    assert!(
        matches!(items.first(), Some(Ok(LiveEvent::Snapshot(_)))),
        "{items:?}"
    );
    assert!(
        matches!(items.get(1), Some(Ok(LiveEvent::Reconnecting { reason, .. })) if reason.contains("1000")),
        "a normal close is a reconnect: {items:?}"
    );
    assert!(
        matches!(
            items.get(2),
            Some(Err(LiveError::Closed { code: 4001, .. }))
        ),
        "an application close code ends the stream: {items:?}"
    );
    assert!(next_live(&mut stream).await.is_none());
}
