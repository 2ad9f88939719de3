//! Parties on the generated `PartyApi` trait (`openapi/party.yaml`): user routes act for the
//! bearer token's player, server routes (`server_*`) check the secret and the registered
//! `X-Server-Id` and act for the body's `actorId`; both call the same rules and views and
//! answer a refusal with [`stub_error`] (the status [`status`] gives it).

use super::rules::{
    Outcome, PartyError, Rules, accept, create, decline, disband, invite, leave, set_ready,
    set_selection, set_selectors,
};
use super::views::{lookup, overview};
use crate::generated::party::*;
use crate::http::{RequestContext, StubError};
use crate::social::api::{
    authenticate_player, authenticate_server, change_as, invalid_input, live, unchanged,
};
use crate::social::state::SocialState;
use crate::spec::Invalid;
use axum::http::StatusCode;
use serde_json::Value;
use social_sdk::party::types;
use uuid::Uuid;

/// The party service.
#[derive(Debug, Clone, Copy, Default)]
pub struct PartyService;

/// The status the document gives a refusal (its `error` name is [`PartyError::name`]).
pub(super) fn status(error: &PartyError) -> StatusCode {
    use PartyError::*;
    match error {
        InvalidInput(_) | CannotTargetSelf | ProfileNotPrepared => StatusCode::BAD_REQUEST,
        Blocked | NotLeader | NotSelector => StatusCode::FORBIDDEN,
        PlayerNotFound | InviteNotFound | NotInParty => StatusCode::NOT_FOUND,
        PartyFull | AlreadyInParty | NoSelection => StatusCode::CONFLICT,
        InviteExpired => StatusCode::GONE,
    }
}

/// A refusal as `{"error", "message"}`: the document's message for the operation, or the more
/// precise one the error carries ([`PartyError::message`]).
fn stub_error(error: PartyError, ctx: &RequestContext) -> StubError {
    let mut answer = ctx.named_error(status(&error), error.name());
    if let Some(message) = error.message() {
        answer.body["message"] = Value::String(message);
    }
    answer
}

/// The rules of a request: the world's clock and the stub's settings.
fn rules_of(ctx: &RequestContext) -> Rules {
    Rules::at(&ctx.stub.config, ctx.world.now())
}

/// Runs a user route: the bearer token's player acts.
fn as_player<T>(
    ctx: &RequestContext,
    call: impl FnOnce(&mut SocialState, Uuid, &Rules) -> Outcome<T>,
) -> Result<T, StubError> {
    let rules = rules_of(ctx);
    let mut state = ctx.world.social_mut();
    let me = match authenticate_player(&state, ctx) {
        Ok(me) => me,
        Err(refusal) => return unchanged(&mut state, refusal),
    };
    change_as(&mut state, me, |state| call(state, me, &rules)).map_err(|e| stub_error(e, ctx))
}

/// Like [`as_player`] for a read: the state is locked for reading, so the answer may be
/// cached (a read never moves the world's generation).
fn read_as_player<T>(
    ctx: &RequestContext,
    call: impl FnOnce(&SocialState, Uuid, &Rules) -> Outcome<T>,
) -> Result<T, StubError> {
    let rules = rules_of(ctx);
    let state = ctx.world.social();
    let me = authenticate_player(&state, ctx)?;
    call(&state, me, &rules).map_err(|e| stub_error(e, ctx))
}

/// Runs a server route: server credentials checked, then `actor` acts (the service layer
/// answers `404 NOT_FOUND` for an unknown actor, after the input checks).
fn as_server<T>(
    ctx: &RequestContext,
    actor: Uuid,
    call: impl FnOnce(&mut SocialState, Uuid, &Rules) -> Outcome<T>,
) -> Result<T, StubError> {
    let rules = rules_of(ctx);
    let mut state = ctx.world.social_mut();
    if let Err(refusal) = authenticate_server(&state, ctx) {
        return unchanged(&mut state, refusal);
    }
    change_as(&mut state, actor, |state| call(state, actor, &rules)).map_err(|e| stub_error(e, ctx))
}

impl PartyApi for PartyService {
    fn party_live(
        &self,
        ctx: &RequestContext,
        params: Result<serde_json::Map<String, serde_json::Value>, Invalid>,
    ) -> Result<crate::http::LiveFeed, StubError> {
        live::live_feed(ctx, params, &live::PARTY, None)
    }

    fn invalid_input(&self, ctx: &RequestContext, problem: &Invalid) -> StubError {
        invalid_input(&ctx.world.social(), ctx, problem)
    }

    async fn get_party(
        &self,
        ctx: RequestContext,
        _input: GetPartyInput,
    ) -> Result<types::PartyOverview, StubError> {
        read_as_player(&ctx, overview)
    }

    async fn create_party(
        &self,
        ctx: RequestContext,
        _input: CreatePartyInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_player(&ctx, create)
    }

    async fn disband_party(
        &self,
        ctx: RequestContext,
        _input: DisbandPartyInput,
    ) -> Result<(), StubError> {
        as_player(&ctx, |state, me, _| disband(state, me))
    }

    async fn invite_to_party(
        &self,
        ctx: RequestContext,
        input: InviteToPartyInput,
    ) -> Result<types::PartyInvite, StubError> {
        let body = input.body;
        as_player(&ctx, |state, me, rules| {
            invite(
                state,
                me,
                body.target_id,
                body.target_name.as_deref(),
                rules,
            )
        })
    }

    async fn accept_party_invite(
        &self,
        ctx: RequestContext,
        input: AcceptPartyInviteInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_player(&ctx, |state, me, rules| {
            accept(state, me, input.inviting_party_id, rules)
        })
    }

    async fn decline_party_invite(
        &self,
        ctx: RequestContext,
        input: DeclinePartyInviteInput,
    ) -> Result<(), StubError> {
        as_player(&ctx, |state, me, rules| {
            decline(state, me, input.inviting_party_id, rules)
        })
    }

    async fn leave_party(
        &self,
        ctx: RequestContext,
        _input: LeavePartyInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_player(&ctx, leave)
    }

    async fn set_party_ready(
        &self,
        ctx: RequestContext,
        input: SetPartyReadyInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_player(&ctx, |state, me, rules| {
            set_ready(state, me, input.body, rules)
        })
    }

    async fn set_party_lobby_selection(
        &self,
        ctx: RequestContext,
        input: SetPartyLobbySelectionInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_player(&ctx, |state, me, rules| {
            set_selection(state, me, input.body, rules)
        })
    }

    async fn set_party_lobby_selectors(
        &self,
        ctx: RequestContext,
        input: SetPartyLobbySelectorsInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_player(&ctx, |state, me, rules| {
            set_selectors(state, me, &input.body.selector_ids, rules)
        })
    }

    async fn server_create_party(
        &self,
        ctx: RequestContext,
        input: ServerCreatePartyInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_server(&ctx, input.body.actor_id, create)
    }

    async fn server_disband_party(
        &self,
        ctx: RequestContext,
        input: ServerDisbandPartyInput,
    ) -> Result<(), StubError> {
        as_server(&ctx, input.body.actor_id, |state, actor, _| {
            disband(state, actor)
        })
    }

    async fn server_invite_to_party(
        &self,
        ctx: RequestContext,
        input: ServerInviteToPartyInput,
    ) -> Result<types::PartyInvite, StubError> {
        let body = input.body;
        as_server(&ctx, body.actor_id, |state, actor, rules| {
            invite(
                state,
                actor,
                body.target_id,
                body.target_name.as_deref(),
                rules,
            )
        })
    }

    async fn server_accept_party_invite(
        &self,
        ctx: RequestContext,
        input: ServerAcceptPartyInviteInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_server(&ctx, input.body.actor_id, |state, actor, rules| {
            accept(state, actor, input.inviting_party_id, rules)
        })
    }

    async fn server_decline_party_invite(
        &self,
        ctx: RequestContext,
        input: ServerDeclinePartyInviteInput,
    ) -> Result<(), StubError> {
        as_server(&ctx, input.body.actor_id, |state, actor, rules| {
            decline(state, actor, input.inviting_party_id, rules)
        })
    }

    async fn server_leave_party(
        &self,
        ctx: RequestContext,
        input: ServerLeavePartyInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_server(&ctx, input.body.actor_id, leave)
    }

    async fn server_party_lookup(
        &self,
        ctx: RequestContext,
        input: ServerPartyLookupInput,
    ) -> Result<types::PartyLookupResponse, StubError> {
        let state = ctx.world.social();
        authenticate_server(&state, &ctx)?;
        Ok(lookup(&state, &input.body.player_ids))
    }

    async fn server_party_overview(
        &self,
        ctx: RequestContext,
        input: ServerPartyOverviewInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_server(&ctx, input.body.actor_id, |state, actor, rules| {
            overview(state, actor, rules)
        })
    }
}
