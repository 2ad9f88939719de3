//! What social friends and party share over HTTP: who a request acts for (a player's bearer
//! token; a game server's secret, registered `X-Server-Id` and `actorId`), the answer to
//! input the document rejects, and ([`live`]) the live feeds. Everything here reads the
//! request context; the state, rules and views below it never do.

pub(crate) mod live;

use super::state::SocialState;
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
