//! Social friends on the generated `SocialFriendsApi` trait (`openapi/social-friends.yaml`).
//!
//! The routes are thin: they authenticate, check the input the schema cannot express, call one
//! rule or view, and answer a refusal with [`stub_error`] (the status [`status`] gives it).

use super::rules::{
    FriendsError, Outcome, READ, Rules, Target, accept_from, accept_request, block, cancel_request,
    cancel_to, decline_from, decline_request, parse_object_id, remove_friend, report, send_request,
    server_remove_friend, unblock, update_friend, update_profile_settings,
};
use super::views::{list_blocks, list_requests, overview, profile_settings, snapshot};
use crate::generated::social_friends::*;
use crate::http::{RequestContext, StubError};
use crate::social::api::{
    authenticate_actor, authenticate_player, authenticate_server, change_as, invalid_input, live,
    unchanged,
};
use crate::social::state::SocialState;
use crate::spec::Invalid;
use axum::http::StatusCode;
use serde_json::Value;
use social_sdk::social_friends::types;
use uuid::Uuid;

/// The social friends service.
#[derive(Debug, Clone, Copy, Default)]
pub struct SocialFriendsService;

/// The status the document gives a refusal (its `error` name and message are the rules':
/// [`FriendsError::name`], [`FriendsError::message`]).
pub(super) fn status(error: &FriendsError) -> StatusCode {
    use FriendsError::*;
    match error {
        InvalidInput | CannotTargetSelf => StatusCode::BAD_REQUEST,
        Forbidden(_) | OnlyRecipient | Blocked | FriendRequestsDisabled => StatusCode::FORBIDDEN,
        PlayerNotFound | RequestNotFound | FriendNotFound | BlockNotFound => StatusCode::NOT_FOUND,
        AlreadyFriends | RequestAlreadyPending | FriendLimitReached => StatusCode::CONFLICT,
        RequestExpired => StatusCode::GONE,
    }
}

/// A refusal as the document's `{"error", "message"}` answer for the operation of `ctx`.
fn stub_error(error: FriendsError, ctx: &RequestContext) -> StubError {
    let mut answer = ctx.named_error(status(&error), error.name());
    if let Some(message) = error.message(ctx.operation) {
        answer.body["message"] = Value::String(message);
    }
    answer
}

/// The rules of a request's world, at its time.
fn rules_of(ctx: &RequestContext) -> Rules {
    Rules::at(&ctx.stub.config, ctx.world.now())
}

fn target_of(
    ctx: &RequestContext,
    id: Option<Uuid>,
    name: Option<&str>,
) -> Result<Target, StubError> {
    Target::from_parts(id, name).ok_or_else(|| stub_error(FriendsError::InvalidInput, ctx))
}

fn request_id(ctx: &RequestContext, id: &str) -> Result<String, StubError> {
    parse_object_id(id).ok_or_else(|| stub_error(FriendsError::InvalidInput, ctx))
}

/// Runs a user route: the bearer's player, then `f` under the world's lock.
fn as_player<T>(
    ctx: &RequestContext,
    f: impl FnOnce(&mut SocialState, &Rules, Uuid) -> Result<T, StubError>,
) -> Result<T, StubError> {
    let rules = rules_of(ctx);
    let mut state = ctx.world.social_mut();
    let actor = match authenticate_player(&state, ctx) {
        Ok(actor) => actor,
        Err(refusal) => return unchanged(&mut state, refusal),
    };
    change_as(&mut state, actor, |state| f(state, &rules, actor))
}

/// Like [`as_player`] for a read: the state is locked for reading, so the answer may be
/// cached (a read never moves the world's generation).
fn read_as_player<T>(
    ctx: &RequestContext,
    f: impl FnOnce(&SocialState, &Rules, Uuid) -> Result<T, StubError>,
) -> Result<T, StubError> {
    let rules = rules_of(ctx);
    let state = ctx.world.social();
    let actor = authenticate_player(&state, ctx)?;
    f(&state, &rules, actor)
}

/// Runs a server route: credentials, then the input check `before`, then `actorId`, then `f`
/// under the world's lock.
fn as_server<I, T>(
    ctx: &RequestContext,
    actor: Uuid,
    before: impl FnOnce() -> Result<I, StubError>,
    f: impl FnOnce(&mut SocialState, &Rules, Uuid, I) -> Outcome<T>,
) -> Result<T, StubError> {
    let rules = rules_of(ctx);
    let mut state = ctx.world.social_mut();
    let checked = authenticate_server(&state, ctx)
        .and_then(|()| before())
        .and_then(|input| Ok((input, authenticate_actor(&state, ctx, actor)?)));
    let (input, actor) = match checked {
        Ok(checked) => checked,
        Err(refusal) => return unchanged(&mut state, refusal),
    };
    change_as(&mut state, actor, |state| f(state, &rules, actor, input))
        .map_err(|e| stub_error(e, ctx))
}

impl SocialFriendsApi for SocialFriendsService {
    fn social_friends_live(
        &self,
        ctx: &RequestContext,
        params: Result<serde_json::Map<String, serde_json::Value>, Invalid>,
    ) -> Result<crate::http::LiveFeed, StubError> {
        live::live_feed(ctx, params, &live::FRIENDS, Some(READ))
    }

    fn invalid_input(&self, ctx: &RequestContext, problem: &Invalid) -> StubError {
        invalid_input(&ctx.world.social(), ctx, problem)
    }

    async fn get_profile_settings(
        &self,
        ctx: RequestContext,
        _input: GetProfileSettingsInput,
    ) -> Result<types::ProfileSettings, StubError> {
        read_as_player(&ctx, |state, _, actor| {
            profile_settings(state, actor).map_err(|e| stub_error(e, &ctx))
        })
    }

    async fn update_profile_settings(
        &self,
        ctx: RequestContext,
        input: UpdateProfileSettingsInput,
    ) -> Result<types::ProfileSettings, StubError> {
        as_player(&ctx, |state, _, actor| {
            update_profile_settings(state, actor, &input.body).map_err(|e| stub_error(e, &ctx))
        })
    }

    async fn get_social_friends(
        &self,
        ctx: RequestContext,
        _input: GetSocialFriendsInput,
    ) -> Result<types::FriendsSnapshot, StubError> {
        read_as_player(&ctx, |state, rules, actor| {
            snapshot(state, rules, actor).map_err(|e| stub_error(e, &ctx))
        })
    }

    async fn list_blocks(
        &self,
        ctx: RequestContext,
        _input: ListBlocksInput,
    ) -> Result<types::BlockList, StubError> {
        read_as_player(&ctx, |state, _, actor| {
            list_blocks(state, actor).map_err(|e| stub_error(e, &ctx))
        })
    }

    async fn block_player(
        &self,
        ctx: RequestContext,
        input: BlockPlayerInput,
    ) -> Result<types::BlockEntry, StubError> {
        let body = input.body;
        as_player(&ctx, |state, rules, actor| {
            block(state, rules, actor, body.target_id, body.reason).map_err(|e| stub_error(e, &ctx))
        })
    }

    async fn unblock_player(
        &self,
        ctx: RequestContext,
        input: UnblockPlayerInput,
    ) -> Result<(), StubError> {
        as_player(&ctx, |state, _, actor| {
            unblock(state, actor, input.target_id).map_err(|e| stub_error(e, &ctx))
        })
    }

    async fn report_player(
        &self,
        ctx: RequestContext,
        input: ReportPlayerInput,
    ) -> Result<types::ReportEntry, StubError> {
        let body = input.body;
        as_player(&ctx, |state, rules, actor| {
            report(state, rules, actor, body.target_id, body.reason)
                .map_err(|e| stub_error(e, &ctx))
        })
    }

    async fn list_social_friend_requests(
        &self,
        ctx: RequestContext,
        _input: ListSocialFriendRequestsInput,
    ) -> Result<types::FriendRequestsResponse, StubError> {
        read_as_player(&ctx, |state, rules, actor| {
            list_requests(state, rules, actor).map_err(|e| stub_error(e, &ctx))
        })
    }

    async fn send_social_friend_request(
        &self,
        ctx: RequestContext,
        input: SendSocialFriendRequestInput,
    ) -> Result<types::FriendRequestEntry, StubError> {
        let body = input.body;
        as_player(&ctx, |state, rules, actor| {
            let target = target_of(&ctx, body.target_id, body.target_name.as_deref())?;
            send_request(state, rules, actor, &target, body.note).map_err(|e| stub_error(e, &ctx))
        })
    }

    async fn cancel_social_friend_request(
        &self,
        ctx: RequestContext,
        input: CancelSocialFriendRequestInput,
    ) -> Result<(), StubError> {
        as_player(&ctx, |state, rules, actor| {
            let id = request_id(&ctx, &input.id)?;
            cancel_request(state, rules, actor, &id).map_err(|e| stub_error(e, &ctx))
        })
    }

    async fn accept_social_friend_request(
        &self,
        ctx: RequestContext,
        input: AcceptSocialFriendRequestInput,
    ) -> Result<types::FriendRequestEntry, StubError> {
        as_player(&ctx, |state, rules, actor| {
            let id = request_id(&ctx, &input.id)?;
            accept_request(state, rules, actor, &id).map_err(|e| stub_error(e, &ctx))
        })
    }

    async fn decline_social_friend_request(
        &self,
        ctx: RequestContext,
        input: DeclineSocialFriendRequestInput,
    ) -> Result<types::FriendRequestEntry, StubError> {
        as_player(&ctx, |state, rules, actor| {
            let id = request_id(&ctx, &input.id)?;
            decline_request(state, rules, actor, &id).map_err(|e| stub_error(e, &ctx))
        })
    }

    async fn server_remove_friend(
        &self,
        ctx: RequestContext,
        input: ServerRemoveFriendInput,
    ) -> Result<(), StubError> {
        let body = input.body;
        as_server(
            &ctx,
            body.actor_id,
            || target_of(&ctx, body.target_id, body.target_name.as_deref()),
            |state, _, actor, target| server_remove_friend(state, actor, &target),
        )
    }

    async fn server_friends_overview(
        &self,
        ctx: RequestContext,
        input: ServerFriendsOverviewInput,
    ) -> Result<types::FriendsOverview, StubError> {
        as_server(
            &ctx,
            input.body.actor_id,
            || Ok(()),
            |state, rules, actor, ()| overview(state, rules, actor, actor),
        )
    }

    async fn server_send_friend_request(
        &self,
        ctx: RequestContext,
        input: ServerSendFriendRequestInput,
    ) -> Result<types::FriendRequestEntry, StubError> {
        let body = input.body;
        as_server(
            &ctx,
            body.actor_id,
            || target_of(&ctx, body.target_id, body.target_name.as_deref()),
            |state, rules, actor, target| send_request(state, rules, actor, &target, body.note),
        )
    }

    async fn server_accept_friend_request(
        &self,
        ctx: RequestContext,
        input: ServerAcceptFriendRequestInput,
    ) -> Result<(), StubError> {
        let body = input.body;
        as_server(
            &ctx,
            body.actor_id,
            || target_of(&ctx, body.target_id, body.target_name.as_deref()),
            |state, rules, actor, target| accept_from(state, rules, actor, &target),
        )
    }

    async fn server_cancel_friend_request(
        &self,
        ctx: RequestContext,
        input: ServerCancelFriendRequestInput,
    ) -> Result<(), StubError> {
        let body = input.body;
        as_server(
            &ctx,
            body.actor_id,
            || target_of(&ctx, body.target_id, body.target_name.as_deref()),
            |state, rules, actor, target| cancel_to(state, rules, actor, &target),
        )
    }

    async fn server_decline_friend_request(
        &self,
        ctx: RequestContext,
        input: ServerDeclineFriendRequestInput,
    ) -> Result<(), StubError> {
        let body = input.body;
        as_server(
            &ctx,
            body.actor_id,
            || target_of(&ctx, body.target_id, body.target_name.as_deref()),
            |state, rules, actor, target| decline_from(state, rules, actor, &target),
        )
    }

    async fn remove_social_friend(
        &self,
        ctx: RequestContext,
        input: RemoveSocialFriendInput,
    ) -> Result<(), StubError> {
        as_player(&ctx, |state, _, actor| {
            remove_friend(state, actor, &Target::Id(input.friend_id))
                .map_err(|e| stub_error(e, &ctx))
        })
    }

    async fn update_social_friend(
        &self,
        ctx: RequestContext,
        input: UpdateSocialFriendInput,
    ) -> Result<types::FriendEntry, StubError> {
        let body = input.body;
        as_player(&ctx, |state, rules, actor| {
            update_friend(
                state,
                rules,
                actor,
                input.friend_id,
                body.favorite,
                body.visibility.as_ref(),
            )
            .map_err(|e| stub_error(e, &ctx))
        })
    }

    async fn get_social_user_friends(
        &self,
        ctx: RequestContext,
        input: GetSocialUserFriendsInput,
    ) -> Result<types::FriendsOverview, StubError> {
        read_as_player(&ctx, |state, rules, actor| {
            overview(state, rules, actor, input.id).map_err(|e| stub_error(e, &ctx))
        })
    }
}
