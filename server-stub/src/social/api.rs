//! What social friends and party share over HTTP: who a request acts for (a player's bearer
//! token; a game server's secret, registered `X-Server-Id` and `actorId`), and the answer to
//! input the document rejects. Everything here reads the request context; the state and
//! rules below it never do.

use super::SocialState;
use crate::http::{RequestContext, StubError};
use crate::spec::Invalid;
use axum::http::StatusCode;
use serde_json::Value;
use uuid::Uuid;

/// The player a user route acts for: the bearer token's, else 401.
pub(crate) fn authenticate_player(
    state: &SocialState,
    ctx: &RequestContext,
) -> Result<Uuid, StubError> {
    ctx.bearer()
        .and_then(|token| state.tokens.get(token).copied())
        .ok_or_else(|| ctx.named_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED"))
}

/// Checks a server route's credentials (secret and registered `X-Server-Id`), else 401.
pub(crate) fn authenticate_server(
    state: &SocialState,
    ctx: &RequestContext,
) -> Result<(), StubError> {
    let secret_ok = ctx.bearer() == Some(ctx.stub.config.server_secret.as_str());
    let server_ok = ctx
        .header("x-server-id")
        .is_some_and(|id| state.servers.contains(id));
    if secret_ok && server_ok {
        Ok(())
    } else {
        Err(ctx.named_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED"))
    }
}

/// The player a server route acts for: credentials checked, then `actorId` must exist
/// (404 `NOT_FOUND`).
pub(crate) fn authenticate_actor(
    state: &SocialState,
    ctx: &RequestContext,
    actor: Uuid,
) -> Result<Uuid, StubError> {
    authenticate_server(state, ctx)?;
    if state.players.contains_key(&actor) {
        Ok(actor)
    } else {
        Err(ctx.named_error(StatusCode::NOT_FOUND, "NOT_FOUND"))
    }
}

/// The answer to input the document rejects: credentials first (401 before anything
/// else), then 400 `INVALID_INPUT` (413/415 map to 400 too: the only client error every
/// operation with input documents), with what was wrong in `message`.
pub(crate) fn invalid_input(
    state: &SocialState,
    ctx: &RequestContext,
    problem: &Invalid,
) -> StubError {
    let auth = if ctx.operation.starts_with("server_") {
        authenticate_server(state, ctx)
    } else {
        authenticate_player(state, ctx).map(drop)
    };
    if let Err(error) = auth {
        return error;
    }
    let mut error = ctx.named_error(StatusCode::BAD_REQUEST, "INVALID_INPUT");
    error.body["message"] = Value::String(problem.to_string());
    error
}

/// The subprotocol prefix that carries a token on the live operations.
pub(crate) const SUBPROTOCOL_PREFIX: &str = "uebliche-bearer.";

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
/// `interval` (seconds, clamped to 1–60, default 30) is the keep-alive ping period; an invalid
/// one is `400` where the document says so, else the default.
pub(crate) fn live_feed(
    ctx: &RequestContext,
    params: Result<serde_json::Map<String, Value>, Invalid>,
    topic: &'static crate::world::Topic,
    permission: Option<&str>,
) -> Result<crate::http::LiveFeed, StubError> {
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
        Err(_) if crate::spec::documents_status(ctx.spec, ctx.operation, 400) => {
            return Err(ctx.named_error(StatusCode::BAD_REQUEST, "INVALID_INPUT"));
        }
        Err(_) => 30,
    };
    Ok(crate::http::LiveFeed {
        topic,
        key: player,
        interval: std::time::Duration::from_secs(seconds),
        protocol,
    })
}
