//! Friends v1 on the generated `FriendsApi` trait: each operation guarded, then the rules
//! (`roblox::rules`) and views (`roblox::views`), refusals answered by `refusal::into_error`.

use super::auth::Guard;
use super::refusal::into_error;
use crate::generated::friends::*;
use crate::http::{RequestContext, StubError};
use crate::roblox::rules::{self, Refusal};
use crate::roblox::views::{self, FollowList};
use crate::spec::Invalid;
use social_sdk::friends::types;

const SPEC: &str = "friends";

/// Most ids one `followings/exists` or `friends/statuses` call takes.
const MAX_IDS: usize = 100;

/// The Friends v1 service.
#[derive(Debug, Clone, Copy, Default)]
pub struct FriendsService;

fn guard(ctx: &RequestContext) -> Guard<'_> {
    Guard {
        spec: SPEC,
        ctx,
        flood_code: 9,
    }
}

/// Answers a refusal of this operation.
fn refused(ctx: &RequestContext) -> impl Fn(Refusal) -> StubError + '_ {
    move |refusal| into_error(&guard(ctx), refusal)
}

impl FriendsApi for FriendsService {
    fn invalid_input(&self, ctx: &RequestContext, problem: &Invalid) -> StubError {
        let mut state = ctx.world.roblox();
        // A malformed id among `userIds` has its own code (BEHAVIOR.md: "Invalid ids.").
        let code = match (ctx.operation, problem.parameter()) {
            ("get_user_friend_statuses", Some("userIds")) => 16,
            _ => 6,
        };
        guard(ctx).invalid(&mut state, problem, code)
    }

    async fn get_friends_metadata(
        &self,
        ctx: RequestContext,
        input: GetFriendsMetadataInput,
    ) -> Result<types::FriendsPageMetadataResponse, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        Ok(views::metadata(&state, input.target_user_id))
    }

    async fn get_my_friends_count(
        &self,
        ctx: RequestContext,
        _input: GetMyFriendsCountInput,
    ) -> Result<types::FriendsCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        Ok(views::friends_count(rules::friends_count(&state, me)))
    }

    async fn refresh_qr_session(
        &self,
        ctx: RequestContext,
        _input: RefreshQrSessionInput,
    ) -> Result<types::RefreshQrSessionResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        rules::refresh_qr_session(&mut state, me, ctx.world.now(), ctx.stub.config.qr_ttl());
        Ok(types::RefreshQrSessionResponse {
            success: Some(true),
        })
    }

    async fn get_my_friend_requests(
        &self,
        ctx: RequestContext,
        input: GetMyFriendRequestsInput,
    ) -> Result<types::FriendRequestResponsePage, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        let secret = &ctx.world.secret;
        let page = views::friend_requests(&state, secret, me, input.limit, input.cursor.as_deref())
            .map_err(refused(&ctx))?;
        rules::mark_requests_seen(&mut state, me);
        Ok(page)
    }

    async fn check_qr_session(
        &self,
        ctx: RequestContext,
        input: CheckQrSessionInput,
    ) -> Result<bool, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).caller(&mut state)?;
        Ok(rules::qr_session_open(
            &state,
            input.user_id,
            ctx.world.now(),
        ))
    }

    async fn get_new_friend_requests_count(
        &self,
        ctx: RequestContext,
        _input: GetNewFriendRequestsCountInput,
    ) -> Result<types::NewFriendRequestsCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        Ok(types::NewFriendRequestsCountResponse {
            count: views::count(rules::new_requests_count(&state, me)),
        })
    }

    async fn get_my_trusted_friends_count(
        &self,
        ctx: RequestContext,
        _input: GetMyTrustedFriendsCountInput,
    ) -> Result<types::FriendsCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        Ok(views::friends_count(rules::trusted_friends_count(
            &state, me,
        )))
    }

    async fn get_following_exists(
        &self,
        ctx: RequestContext,
        input: GetFollowingExistsInput,
    ) -> Result<types::FollowingExistsResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        let ids = input.body.target_user_ids;
        rules::check_user_ids(&ids, MAX_IDS).map_err(refused(&ctx))?;
        Ok(views::following_exists(&state, me, ids))
    }

    async fn get_pending_friend_requests_count(
        &self,
        ctx: RequestContext,
        _input: GetPendingFriendRequestsCountInput,
    ) -> Result<types::PendingFriendRequestCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        Ok(types::PendingFriendRequestCountResponse {
            count: views::count(rules::pending_requests_count(&state, me)),
        })
    }

    async fn decline_all_friend_requests(
        &self,
        ctx: RequestContext,
        _input: DeclineAllFriendRequestsInput,
    ) -> Result<types::DeclineAllFriendRequestsResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        rules::decline_all_requests(&mut state, me);
        Ok(types::DeclineAllFriendRequestsResponse {
            backgrounded: Some(false),
        })
    }

    async fn multiget_are_friends(
        &self,
        ctx: RequestContext,
        input: MultigetAreFriendsInput,
    ) -> Result<types::MultigetAreFriendsResponse, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        rules::existing(&state, input.user_id).map_err(refused(&ctx))?;
        Ok(views::are_friends(
            &state,
            input.user_id,
            input.body.target_user_ids,
        ))
    }

    async fn accept_friend_request(
        &self,
        ctx: RequestContext,
        input: AcceptFriendRequestInput,
    ) -> Result<types::EmptyResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        let (now, limit) = (ctx.world.now(), ctx.stub.config.friend_limit);
        rules::accept_request(&mut state, me, input.requester_user_id, now, limit)
            .map_err(refused(&ctx))?;
        Ok(views::empty())
    }

    async fn decline_friend_request(
        &self,
        ctx: RequestContext,
        input: DeclineFriendRequestInput,
    ) -> Result<types::EmptyResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        rules::decline_request(&mut state, me, input.requester_user_id).map_err(refused(&ctx))?;
        Ok(views::empty())
    }

    async fn follow_user(
        &self,
        ctx: RequestContext,
        input: FollowUserInput,
    ) -> Result<types::CaptchaStatusResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        rules::follow(&mut state, me, input.target_user_id).map_err(refused(&ctx))?;
        Ok(views::captcha_passed())
    }

    async fn get_user_followers(
        &self,
        ctx: RequestContext,
        input: GetUserFollowersInput,
    ) -> Result<types::UserResponseWithoutPresencePage, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        let target = input.target_user_id;
        rules::existing(&state, target).map_err(refused(&ctx))?;
        views::follow_page(
            &state,
            &ctx.world.secret,
            FollowList::Followers,
            target,
            input.limit,
            input.cursor.as_deref(),
            input.sort_order,
        )
        .map_err(refused(&ctx))
    }

    async fn get_user_followers_count(
        &self,
        ctx: RequestContext,
        input: GetUserFollowersCountInput,
    ) -> Result<types::FollowCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        rules::existing(&state, input.target_user_id).map_err(refused(&ctx))?;
        Ok(views::follow_count(rules::followers_count(
            &state,
            input.target_user_id,
        )))
    }

    async fn get_user_followings(
        &self,
        ctx: RequestContext,
        input: GetUserFollowingsInput,
    ) -> Result<types::UserResponseWithoutPresencePage, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        let target = input.target_user_id;
        rules::existing(&state, target).map_err(refused(&ctx))?;
        views::follow_page(
            &state,
            &ctx.world.secret,
            FollowList::Followings,
            target,
            input.limit,
            input.cursor.as_deref(),
            input.sort_order,
        )
        .map_err(refused(&ctx))
    }

    async fn get_user_followings_count(
        &self,
        ctx: RequestContext,
        input: GetUserFollowingsCountInput,
    ) -> Result<types::FollowCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        rules::existing(&state, input.target_user_id).map_err(refused(&ctx))?;
        Ok(views::follow_count(rules::followings_count(
            &state,
            input.target_user_id,
        )))
    }

    async fn request_friendship(
        &self,
        ctx: RequestContext,
        input: RequestFriendshipInput,
    ) -> Result<types::CaptchaStatusResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        // No body (real clients send none) is the `Unknown` origin.
        let origin = views::origin_name(input.body.and_then(|b| b.friendship_origin_source_type));
        let (now, limit) = (ctx.world.now(), ctx.stub.config.friend_limit);
        rules::request_friendship(&mut state, me, input.target_user_id, origin, now, limit)
            .map_err(refused(&ctx))?;
        Ok(views::captcha_passed())
    }

    async fn unfollow_user(
        &self,
        ctx: RequestContext,
        input: UnfollowUserInput,
    ) -> Result<types::EmptyResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        rules::unfollow(&mut state, me, input.target_user_id).map_err(refused(&ctx))?;
        Ok(views::empty())
    }

    async fn unfriend_user(
        &self,
        ctx: RequestContext,
        input: UnfriendUserInput,
    ) -> Result<types::EmptyResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        rules::unfriend(&mut state, me, input.target_user_id).map_err(refused(&ctx))?;
        Ok(views::empty())
    }

    async fn get_user_friends(
        &self,
        ctx: RequestContext,
        input: GetUserFriendsInput,
    ) -> Result<types::UserResponseArray, StubError> {
        let mut state = ctx.world.roblox();
        let signed_in = guard(&ctx).check(&mut state)?.is_some();
        rules::existing(&state, input.user_id).map_err(refused(&ctx))?;
        if !signed_in {
            // Bare entries: no `null` for the properties the service leaves out.
            ctx.answer_as_set();
        }
        Ok(views::user_friends(
            &state,
            input.user_id,
            input.user_sort,
            signed_in,
        ))
    }

    async fn get_user_friends_count(
        &self,
        ctx: RequestContext,
        input: GetUserFriendsCountInput,
    ) -> Result<types::FriendsCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        rules::existing(&state, input.user_id).map_err(refused(&ctx))?;
        Ok(views::friends_count(rules::friends_count(
            &state,
            input.user_id,
        )))
    }

    async fn find_user_friends(
        &self,
        ctx: RequestContext,
        input: FindUserFriendsInput,
    ) -> Result<types::FriendResponseCursoredPage, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        rules::existing(&state, input.user_id).map_err(refused(&ctx))?;
        let online_only = input.find_friends_type == Some(1);
        views::find_friends(
            &state,
            &ctx.world.secret,
            input.user_id,
            online_only,
            input.limit,
            input.cursor.as_deref(),
        )
        .map_err(refused(&ctx))
    }

    async fn get_user_inactive_friends(
        &self,
        ctx: RequestContext,
        input: GetUserInactiveFriendsInput,
    ) -> Result<types::UserResponseWithoutPresenceArray, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).caller(&mut state)?;
        rules::existing(&state, input.user_id).map_err(refused(&ctx))?;
        let (now, days) = (ctx.world.now(), ctx.stub.config.inactive_days);
        Ok(views::inactive_friends(&state, input.user_id, now, days))
    }

    async fn get_user_online_friends(
        &self,
        ctx: RequestContext,
        input: GetUserOnlineFriendsInput,
    ) -> Result<types::UserPresenceResponseArray, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).caller(&mut state)?;
        rules::existing(&state, input.user_id).map_err(refused(&ctx))?;
        Ok(views::online_friends(
            &state,
            input.user_id,
            input.user_sort,
        ))
    }

    async fn search_user_friends(
        &self,
        ctx: RequestContext,
        input: SearchUserFriendsInput,
    ) -> Result<types::FriendResponseCursoredPage, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).caller(&mut state)?;
        rules::existing(&state, input.user_id).map_err(refused(&ctx))?;
        views::search_friends(
            &state,
            &ctx.world.secret,
            input.user_id,
            &input.query.unwrap_or_default(),
            input.limit,
            input.cursor.as_deref(),
        )
        .map_err(refused(&ctx))
    }

    async fn get_user_friend_statuses(
        &self,
        ctx: RequestContext,
        input: GetUserFriendStatusesInput,
    ) -> Result<types::FriendStatusResponseArray, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        rules::existing(&state, input.user_id).map_err(refused(&ctx))?;
        rules::check_user_ids(&input.user_ids, MAX_IDS).map_err(refused(&ctx))?;
        Ok(views::friend_statuses(
            &state,
            input.user_id,
            input.user_ids,
        ))
    }

    async fn get_user_trusted_friends_count(
        &self,
        ctx: RequestContext,
        input: GetUserTrustedFriendsCountInput,
    ) -> Result<types::FriendsCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).caller(&mut state)?;
        Ok(views::friends_count(rules::trusted_friends_count(
            &state,
            input.user_id,
        )))
    }
}
