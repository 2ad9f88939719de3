//! Live operations: the WebSocket upgrade and the loop that writes a subscriber's frames.
//!
//! The service decides who may subscribe to what (its live trait method answers a
//! [`LiveFeed`] or its own error); this module does the rest, for every live operation alike:
//! - order of the answers before an upgrade: the service's own refusals first (auth `401`,
//!   permission `403`, bad parameters `400`: a handshake is judged on its credentials whether
//!   or not it could upgrade), then fault rules, then the handshake itself: a request that is
//!   not a WebSocket handshake (no `Connection: upgrade`/`Upgrade: websocket`, no
//!   `Sec-WebSocket-Key`, a version other than 13) gets the service's [`LiveFeed::refusal`]
//!   (`426` in the service's error shape) with `Upgrade: websocket` and
//!   `Sec-WebSocket-Version: 13`, never axum's plain-text rejection;
//! - fault rules (by `operationId`): `status` answers instead of upgrading, `delayMs` delays
//!   every frame, `reset` drops the socket right after the first frame;
//! - first frame: the full snapshot; afterwards a frame only when the snapshot changed,
//!   pushed by the world's live hub after the change that made it ([`World::publish`]),
//!   never by polling. Each connection holds a `watch` receiver: only the newest frame is
//!   kept, so a slow reader gets the latest state when it catches up and nothing queues up;
//! - `interval` is the keep-alive ping period; a client that answers nothing for two
//!   intervals (plus 5 s) is closed;
//! - back-pressure: what the stub has queued for a subscriber and not yet written (frames,
//!   pings, the automatic pongs) is bounded by `--live-max-unsent-bytes` (16 MiB: a client
//!   that floods pings and never reads the pongs holds at most that much), and every write
//!   must finish within the liveness bound (two intervals plus 5 s). A subscriber that cannot
//!   keep up is closed once either bound passes; one that catches up in time reads the newest
//!   frame, never a backlog;
//! - every close the stub makes sends a close frame first (the peer may not read it): codes
//!   in [`close`].
//!
//! [`World::publish`]: crate::world::World::publish

use super::extract::HeaderView;
use super::pipeline::fault_status;
use super::{RequestContext, StubError};
use crate::spec::{Invalid, Operation};
use crate::world::{Stub, Topic};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use uuid::Uuid;

/// What a service grants a live subscriber.
#[derive(Debug)]
pub struct LiveFeed {
    /// The snapshot it follows.
    pub topic: &'static Topic,
    /// Whose snapshot (the topic renders one frame per key).
    pub key: Uuid,
    /// Keep-alive ping period.
    pub interval: Duration,
    /// The subprotocol to echo, when the client authenticated through one.
    pub protocol: Option<String>,
    /// The answer when the request is not a WebSocket handshake (the service's documented
    /// `426`); `Upgrade: websocket` and `Sec-WebSocket-Version: 13` are added to it.
    pub refusal: StubError,
}

/// Handles a live operation: the service's `authorize` sees the request and its checked
/// query and header parameters, and grants a [`LiveFeed`] or answers an error.
pub async fn live<F>(op: &'static Operation, request: Request, authorize: F) -> Response
where
    F: FnOnce(&RequestContext, Result<Map<String, Value>, Invalid>) -> Result<LiveFeed, StubError>,
{
    let (mut parts, _body) = request.into_parts();
    let Some(stub) = parts.extensions.get::<Arc<Stub>>().cloned() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "stub state missing").into_response();
    };
    let world = match super::extract::world_of(&stub, &mut parts).await {
        Ok((world, _, _)) => world,
        Err(response) => return response,
    };
    let uri = parts.uri.clone();
    let respond = |response: Response| {
        world.log_request(
            op.spec,
            op.id,
            op.method,
            super::extract::target(&uri),
            response.status().as_u16(),
        );
        response
    };
    let params = crate::spec::query_and_headers(op, parts.uri.query(), &HeaderView(&parts.headers));
    let ctx = RequestContext {
        world: world.clone(),
        stub: stub.clone(),
        headers: parts.headers.clone(),
        method: parts.method.clone(),
        spec: op.spec,
        operation: op.id,
        as_set: Default::default(),
    };
    let feed = match authorize(&ctx, params) {
        Ok(feed) => feed,
        Err(error) => return respond(error.into_response()),
    };
    let fault = world.take_fault(op.spec, op.id);
    let (delay, reset) = match fault {
        Some(fault) => {
            if let Some(response) = fault_status(&fault) {
                return respond(response);
            }
            (fault.delay(), fault.resets())
        }
        None => (None, false),
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        // A live client only sends pongs and a close: a small read buffer (tungstenite's
        // default, 128 KiB, is zero-filled and stays resident per connection) and a 64 KiB
        // cap on what it may send. What waits unsent is bounded too (tungstenite's default is
        // unbounded: pongs to a ping flood the client never reads would pile up); it must
        // exceed the write buffer tungstenite fills before it writes (128 KiB).
        Ok(upgrade) => upgrade
            .read_buffer_size(4 * 1024)
            .max_message_size(64 * 1024)
            .max_frame_size(64 * 1024)
            .max_write_buffer_size(stub.config.live_max_unsent_bytes.max(256 * 1024)),
        Err(_) => {
            let refusal = feed
                .refusal
                .with_header("upgrade", "websocket")
                .with_header("sec-websocket-version", "13");
            return respond(refusal.into_response());
        }
    };
    let upgrade = match feed.protocol {
        Some(protocol) => upgrade.protocols([protocol]),
        None => upgrade,
    };
    let rx = world.subscribe(feed.topic, feed.key);
    let closing = stub.shutting_down();
    let interval = feed.interval;
    let response =
        upgrade.on_upgrade(move |socket| serve(socket, rx, closing, interval, delay, reset));
    respond(response)
}

/// The close codes the stub ends a live connection with (RFC 6455 §7.4.1).
pub mod close {
    /// The stub shuts down.
    pub const GOING_AWAY: u16 = 1001;
    /// The client broke the protocol (an unmasked or malformed frame, a bad opcode).
    pub const PROTOCOL_ERROR: u16 = 1002;
    /// The client fell behind or went silent: a write did not finish within the liveness
    /// bound, more than `--live-max-unsent-bytes` waited unsent, or no answer came for two
    /// intervals plus 5 s.
    pub const POLICY: u16 = 1008;
    /// The client sent a message over 64 KiB.
    pub const TOO_BIG: u16 = 1009;
}

/// How long the stub still tries to deliver its close frame.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Why the stub ends a connection: a close code and its reason.
type Ending = (u16, &'static str);

/// Sends `message` within `bound`, or says why the connection ends.
async fn send_within(
    socket: &mut WebSocket,
    message: Message,
    bound: Duration,
) -> Result<(), Ending> {
    match tokio::time::timeout(bound, socket.send(message)).await {
        Ok(Ok(())) => Ok(()),
        // A full write buffer, or a peer already gone (the close frame is then moot).
        Ok(Err(_)) => Err((close::POLICY, "too much unsent data")),
        Err(_) => Err((
            close::POLICY,
            "a write did not finish within the liveness bound",
        )),
    }
}

/// The close code for a read that failed (tungstenite's capacity errors say "Space limit").
fn read_failure(error: &axum::Error) -> Ending {
    if error.to_string().contains("Space limit exceeded") {
        (close::TOO_BIG, "message too big")
    } else {
        (close::PROTOCOL_ERROR, "protocol error")
    }
}

async fn serve(
    mut socket: WebSocket,
    mut rx: watch::Receiver<Arc<str>>,
    mut closing: watch::Receiver<bool>,
    interval: Duration,
    delay: Option<Duration>,
    reset: bool,
) {
    // The liveness bound: the client must answer, and every write must finish, within it.
    let bound = interval * 2 + Duration::from_secs(5);
    let first = rx.borrow_and_update().clone();
    let sent = send_within(&mut socket, Message::Text(first.as_ref().into()), bound).await;
    if reset && sent.is_ok() {
        return; // dropping the socket without a close frame is the "reset"
    }
    let ending = match sent {
        Ok(()) => follow(&mut socket, &mut rx, &mut closing, interval, bound, delay).await,
        Err(ending) => Some(ending),
    };
    if let Some((code, reason)) = ending {
        let frame = axum::extract::ws::CloseFrame {
            code,
            reason: reason.into(),
        };
        let _ = tokio::time::timeout(CLOSE_GRACE, socket.send(Message::Close(Some(frame)))).await;
    }
}

/// Pushes frames and pings until the connection ends; `None` when the client closed it.
async fn follow(
    socket: &mut WebSocket,
    rx: &mut watch::Receiver<Arc<str>>,
    closing: &mut watch::Receiver<bool>,
    interval: Duration,
    bound: Duration,
    delay: Option<Duration>,
) -> Option<Ending> {
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            _ = closing.changed() => return Some((close::GOING_AWAY, "the stub shuts down")),
            changed = rx.changed() => {
                if changed.is_err() {
                    return Some((close::GOING_AWAY, "the world is gone"));
                }
                if let Some(delay) = delay {
                    tokio::time::sleep(delay).await;
                }
                let frame = rx.borrow_and_update().clone();
                if let Err(ending) = send_within(socket, Message::Text(frame.as_ref().into()), bound).await {
                    return Some(ending);
                }
            }
            _ = ping.tick() => {
                if heard.elapsed() > bound {
                    return Some((close::POLICY, "no answer to pings"));
                }
                if let Err(ending) = send_within(socket, Message::Ping(Vec::new().into()), bound).await {
                    return Some(ending);
                }
            }
            message = socket.recv() => match message {
                None | Some(Ok(Message::Close(_))) => return None,
                Some(Ok(_)) => heard = Instant::now(),
                Some(Err(error)) => return Some(read_failure(&error)),
            },
        }
    }
}
