//! Live WebSocket endpoints: `GET /v1/social/friends/live` and `GET /v1/social/party/live`.
//!
//! - Auth by `Authorization: Bearer <player token>` or `Sec-WebSocket-Protocol:
//!   uebliche-bearer.<unpadded base64url token>` (echoed back); bad or missing → `401` before
//!   the upgrade; friends live also needs `social:friends.read` (`403`).
//! - First frame: the full snapshot. Afterwards a frame only when the snapshot changed, pushed
//!   by the mutation itself ([`World::refresh_live`](crate::world::World::refresh_live) runs at
//!   the end of every social/party mutation and control-plane change), never by polling.
//! - Each connection holds a `watch` receiver: only the newest snapshot is kept, so a slow
//!   reader gets the latest state when it catches up and nothing queues up. Changes that land
//!   while a frame is being written are coalesced into the next frame.
//! - `interval` (seconds, clamped to 1–60, default 30) is the keep-alive ping period; a client
//!   that answers nothing for two intervals (plus 5 s) is dropped.
//! - Fault rules (by `operationId`): `status` answers instead of upgrading, `delayMs` delays
//!   every frame, `reset` drops the socket right after the first frame.

use crate::config::StubConfig;
use crate::http::{Operation, StubError};
use crate::social::SocialState;
use crate::world::LiveKind;
use crate::{Stub, http};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::{DateTime, Utc};
use social_sdk::{party, social_friends};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use uuid::Uuid;

/// The subprotocol prefix that carries a token.
pub const SUBPROTOCOL_PREFIX: &str = "uebliche-bearer.";

/// The snapshot a live subscriber of `kind` sees, as the JSON text of one frame.
pub(crate) fn frame(
    state: &SocialState,
    config: &StubConfig,
    kind: LiveKind,
    player: Uuid,
    now: DateTime<Utc>,
) -> Arc<str> {
    let text = match kind {
        LiveKind::Friends => {
            let rules = crate::social::friends::Rules::at(config, now);
            let overview = crate::social::friends::overview(state, &rules, player, player).ok();
            let frame = social_friends::types::FriendsLiveFrame {
                type_: Some(
                    social_friends::types::KnownFriendsLiveFrameType::FriendsSnapshot.into(),
                ),
                friends: overview
                    .as_ref()
                    .map(|o| o.friends.clone())
                    .unwrap_or_default(),
                counts: overview.as_ref().and_then(|o| o.counts.clone()),
                requests: Some(overview.and_then(|o| o.requests).unwrap_or_default()),
            };
            serde_json::to_value(&frame).and_then(|mut value| {
                crate::validate::complete_component(
                    "social-friends",
                    "FriendsLiveFrame",
                    &mut value,
                );
                serde_json::to_string(&value)
            })
        }
        LiveKind::Party => {
            // The same shape as `GET /v1/social/party`, nulls and empty lists included.
            let overview: party::types::PartyOverview = state.party_overview(player, now);
            serde_json::to_value(&overview).and_then(|mut value| {
                crate::validate::complete_response("party", "get_party", &mut value);
                serde_json::to_string(&value)
            })
        }
    };
    Arc::from(text.unwrap_or_else(|_| "{}".to_owned()))
}

/// The token of a request: the bearer header, else the `uebliche-bearer.` subprotocol (and
/// the exact protocol string to echo).
fn token_of(headers: &axum::http::HeaderMap) -> (Option<String>, Option<String>) {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned());
    if bearer.is_some() {
        return (bearer, None);
    }
    let offered = headers
        .get_all("sec-websocket-protocol")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find(|p| p.starts_with(SUBPROTOCOL_PREFIX));
    let Some(protocol) = offered else {
        return (None, None);
    };
    let encoded = protocol[SUBPROTOCOL_PREFIX.len()..].trim_end_matches('=');
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok());
    (token, Some(protocol.to_owned()))
}

/// Handles a live endpoint.
pub async fn upgrade(op: &'static Operation, request: Request) -> Response {
    let (mut parts, _body) = request.into_parts();
    let Some(stub) = parts.extensions.get::<Arc<Stub>>().cloned() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "stub state missing").into_response();
    };
    let world = match http::world_of(&stub, &mut parts).await {
        Ok((world, _, _)) => world,
        Err(response) => return response,
    };
    let kind = if op.id == "party_live" {
        LiveKind::Party
    } else {
        LiveKind::Friends
    };
    let answer = |status: StatusCode, name: &str| {
        StubError::named(op.spec, op.id, status, name).into_response()
    };
    let (method, uri) = (parts.method.clone(), parts.uri.clone());
    let (token, protocol) = token_of(&parts.headers);
    let player = {
        let social = world.social();
        let player = token.and_then(|t| social.tokens.get(&t).copied());
        match player {
            None => None,
            Some(p)
                if kind == LiveKind::Friends
                    && !social
                        .player(p)
                        .is_some_and(|pl| pl.allows("social:friends.read")) =>
            {
                let response = answer(StatusCode::FORBIDDEN, "FORBIDDEN");
                drop(social);
                world.log_request(op.spec, op.id, &method, &uri, response.status());
                return response;
            }
            Some(p) => Some(p),
        }
    };
    let respond = |response: Response| {
        world.log_request(op.spec, op.id, &method, &uri, response.status());
        response
    };
    let Some(player) = player else {
        return respond(answer(StatusCode::UNAUTHORIZED, "UNAUTHORIZED"));
    };
    // The document's own checks (an integer; a scalar given twice is invalid); a valid value
    // is clamped to 1–60. Invalid: 400 where the document says so, else the default.
    let interval = match crate::validate::query_and_headers(op, &parts.uri, &parts.headers) {
        Ok(params) => params
            .get("interval")
            .and_then(serde_json::Value::as_i64)
            .map_or(30, |seconds| seconds.clamp(1, 60) as u64),
        Err(_) if crate::validate::documents_status(op.spec, op.id, 400) => {
            return respond(answer(StatusCode::BAD_REQUEST, "INVALID_INPUT"));
        }
        Err(_) => 30,
    };
    let fault = world.take_fault(op.spec, op.id);
    let (delay, reset) = match fault {
        Some(fault) => {
            let (delay, reset) = (fault.delay(), fault.resets());
            if let Some(response) = fault.status_response() {
                return respond(response);
            }
            (delay, reset)
        }
        None => (None, false),
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &()).await {
        // A live client only sends pongs and a close: a small read buffer (tungstenite's
        // default, 128 KiB, is zero-filled and stays resident per connection) and a 64 KiB
        // cap on what it may send.
        Ok(upgrade) => upgrade
            .read_buffer_size(4 * 1024)
            .max_message_size(64 * 1024)
            .max_frame_size(64 * 1024),
        Err(rejection) => return respond(rejection.into_response()),
    };
    let upgrade = match protocol {
        Some(protocol) => upgrade.protocols([protocol]),
        None => upgrade,
    };
    let rx = world.subscribe(kind, player);
    let closing = stub.shutting_down();
    let response = upgrade.on_upgrade(move |socket| {
        serve(
            socket,
            rx,
            closing,
            Duration::from_secs(interval),
            delay,
            reset,
        )
    });
    respond(response)
}

async fn serve(
    mut socket: WebSocket,
    mut rx: watch::Receiver<Arc<str>>,
    mut closing: watch::Receiver<bool>,
    interval: Duration,
    delay: Option<Duration>,
    reset: bool,
) {
    let first = rx.borrow_and_update().clone();
    if socket
        .send(Message::Text(first.as_ref().into()))
        .await
        .is_err()
        || reset
    {
        return; // dropping the socket without a close frame is the "reset"
    }
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            _ = closing.changed() => break,
            changed = rx.changed() => {
                if changed.is_err() {
                    break;
                }
                if let Some(delay) = delay {
                    tokio::time::sleep(delay).await;
                }
                let frame = rx.borrow_and_update().clone();
                if socket.send(Message::Text(frame.as_ref().into())).await.is_err() {
                    break;
                }
            }
            _ = ping.tick() => {
                if heard.elapsed() > interval * 2 + Duration::from_secs(5) {
                    break; // the client vanished
                }
                if socket.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
            }
            message = socket.recv() => match message {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                Some(Ok(_)) => heard = Instant::now(),
            },
        }
    }
}
