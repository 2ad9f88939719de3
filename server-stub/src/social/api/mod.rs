//! What social friends and party share over HTTP: who a request acts for (a player's bearer
//! token; a game server's secret, registered `X-Server-Id` and `actorId`), the answer to
//! input the document rejects, and ([`live`]) the live feeds. Everything here reads the
//! request context; the state, rules and views below it never do.

pub(crate) mod live;

use super::state::SocialState;
use super::views::live_reach;
use crate::http::{RequestContext, StubError};
use crate::spec::Invalid;
use crate::world::{Reach, Write};
use axum::http::StatusCode;
use serde_json::Value;
use uuid::Uuid;

/// Runs a route's `change` of the state as `actor`, and tells the live hub which subscribers
/// it can have reached: those whose frames can show it ([`live_reach`] before and after the
/// change), not every subscriber of the world.
pub(crate) fn change_as<T>(
    state: &mut Write<'_, SocialState>,
    actor: Uuid,
    change: impl FnOnce(&mut SocialState) -> T,
) -> T {
    if !state.followed() {
        // Nobody follows this world: nothing to work out (and a subscription that starts now
        // renders its first frame after this change).
        let outcome = change(state);
        state.reaches(Reach::default());
        return outcome;
    }
    let mut reach = live_reach(state, actor);
    let outcome = change(state);
    reach.extend(live_reach(state, actor));
    state.reaches(Reach::Keys(reach));
    outcome
}

/// For a route refused before it changed anything: no live subscriber is reached.
pub(crate) fn unchanged<T>(
    state: &mut Write<'_, SocialState>,
    refusal: StubError,
) -> Result<T, StubError> {
    state.reaches(Reach::default());
    Err(refusal)
}

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
    match documented(ctx.operation, problem) {
        // The document's own error name and message for the rule.
        Some(name) => ctx.named_error(StatusCode::BAD_REQUEST, name),
        None => {
            let mut error = ctx.named_error(StatusCode::BAD_REQUEST, "INVALID_INPUT");
            error.body["message"] = Value::String(problem.to_string());
            error
        }
    }
}

/// The error a rule the document states as schema answers with its documented name and
/// message (the answer the routes gave while the rule was prose only), or `None` for the
/// generic `INVALID_INPUT` with what was wrong in `message`.
fn documented(operation: &str, problem: &Invalid) -> Option<&'static str> {
    match operation {
        // `ready=true` without `profilePrepared=true` (the `SetReadyBody` `anyOf`).
        "set_party_ready" if problem.unmatched_shape() => Some("PROFILE_NOT_PREPARED"),
        // Neither `targetId` nor a non-blank `targetName` (the bodies' `anyOf`): "targetId or
        // targetName is required." and its server and party variants.
        "send_social_friend_request"
        | "server_send_friend_request"
        | "server_accept_friend_request"
        | "server_decline_friend_request"
        | "server_cancel_friend_request"
        | "server_remove_friend"
        | "invite_to_party"
        | "server_invite_to_party"
            if problem.unmatched_shape() =>
        {
            Some("INVALID_INPUT")
        }
        // A request id that is not 24 hex digits (the `RequestId` `pattern`): "Invalid request
        // id.".
        "accept_social_friend_request"
        | "decline_social_friend_request"
        | "cancel_social_friend_request"
            if problem.parameter() == Some("id") =>
        {
            Some("INVALID_INPUT")
        }
        _ => None,
    }
}
