//! The live feeds of social friends and party: a live request's grant (its token from the
//! bearer header or the `uebliche-bearer.` subprotocol, the keep-alive interval), and the two
//! [`Topic`]s the world's live hub renders, each frame built by `social::views`.

use crate::http::{LiveFeed, RequestContext, StubError};
use crate::social::views::{friends_frame, party_frame};
use crate::spec::Invalid;
use crate::world::{Topic, World};
use axum::http::StatusCode;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// `GET /v1/social/friends/live`: the caller's friends, counts and requests.
pub(crate) static FRIENDS: Topic = Topic {
    name: "social-friends",
    render: render_friends,
};

/// `GET /v1/social/party/live`: the caller's party and pending invites.
pub(crate) static PARTY: Topic = Topic {
    name: "party",
    render: render_party,
};

fn render_friends(world: &World, players: &[Uuid]) -> Vec<Arc<str>> {
    let now = world.now();
    let state = world.social();
    players
        .iter()
        .map(|player| friends_frame(&state, &world.config, *player, now))
        .collect()
}

fn render_party(world: &World, players: &[Uuid]) -> Vec<Arc<str>> {
    let now = world.now();
    let state = world.social();
    players
        .iter()
        .map(|player| party_frame(&state, *player, now))
        .collect()
}

/// The subprotocol prefix that carries a token on the live operations.
const SUBPROTOCOL_PREFIX: &str = "uebliche-bearer.";

/// The token of a live request: the bearer header, else the `uebliche-bearer.` subprotocol
/// (and the exact protocol string to echo).
fn live_token(ctx: &RequestContext) -> (Option<String>, Option<String>) {
    use base64::Engine;
    if let Some(bearer) = ctx.bearer() {
        return (Some(bearer.to_owned()), None);
    }
    let offered = ctx
        .headers
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

/// A live operation's grant: auth by `Authorization: Bearer <player token>` or
/// `Sec-WebSocket-Protocol: uebliche-bearer.<unpadded base64url token>` (echoed back); bad or
/// missing → `401` before the upgrade; `permission`, when given, must be allowed (`403`).
/// `interval` (seconds, clamped to 1–60, default 30) is the keep-alive ping period; one that is
/// not an `int32` (or given twice) is `400 INVALID_INPUT`. A request that passes these but is
/// not a WebSocket handshake gets the grant's `refusal`: `426 UPGRADE_REQUIRED`.
pub(crate) fn live_feed(
    ctx: &RequestContext,
    params: Result<serde_json::Map<String, Value>, Invalid>,
    topic: &'static Topic,
    permission: Option<&str>,
) -> Result<LiveFeed, StubError> {
    let (token, protocol) = live_token(ctx);
    let player = {
        let social = ctx.world.social();
        let player = token.and_then(|t| social.tokens.get(&t).copied());
        if let (Some(p), Some(node)) = (player, permission)
            && !social.player(p).is_some_and(|pl| pl.allows(node))
        {
            return Err(ctx.named_error(StatusCode::FORBIDDEN, "FORBIDDEN"));
        }
        player
    };
    let Some(player) = player else {
        return Err(ctx.named_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED"));
    };
    let seconds = match params {
        Ok(params) => params
            .get("interval")
            .and_then(Value::as_i64)
            .map_or(30, |seconds| seconds.clamp(1, 60) as u64),
        Err(_) => return Err(ctx.named_error(StatusCode::BAD_REQUEST, "INVALID_INPUT")),
    };
    Ok(LiveFeed {
        topic,
        key: player,
        interval: Duration::from_secs(seconds),
        protocol,
        refusal: ctx.named_error(StatusCode::UPGRADE_REQUIRED, "UPGRADE_REQUIRED"),
    })
}
