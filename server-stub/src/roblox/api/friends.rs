//! Friends v1 on the generated `FriendsApi` trait.

use super::auth::Guard;
use crate::cursor::{self, CursorState, Page};
use crate::generated::friends::*;
use crate::http::{RequestContext, StubError};
use crate::roblox::{PendingRequest, RobloxState, User};
use crate::spec::Invalid;
use axum::http::StatusCode;
use social_sdk::friends::types;
use std::collections::BTreeMap;

const SPEC: &str = "friends";

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

fn bad(ctx: &RequestContext, code: i64) -> StubError {
    guard(ctx).error(StatusCode::BAD_REQUEST, code)
}

fn user_response(user: &User) -> types::UserResponse {
    types::UserResponse {
        is_online: Some(user.presence.is_online()),
        presence_type: Some(user.presence.code()),
        is_deleted: Some(user.is_deleted),
        friend_frequent_score: Some(0),
        friend_frequent_rank: Some(1),
        has_verified_badge: Some(user.has_verified_badge),
        description: Some(user.description.clone()),
        created: Some(user.created),
        is_banned: Some(user.is_banned),
        external_app_display_name: None,
        id: Some(user.id),
        name: Some(user.name.clone()),
        display_name: Some(user.display_name.clone()),
    }
}

fn users_of(state: &RobloxState, ids: impl IntoIterator<Item = i64>) -> Vec<types::UserResponse> {
    ids.into_iter()
        .filter_map(|id| state.user(id))
        .map(user_response)
        .collect()
}

/// Friends of `id` in `userSort` order: 0 by name, 1 by friendship age (oldest first),
/// 2 online first then by name.
fn sorted_friends(state: &RobloxState, id: i64, sort: Option<i32>) -> Vec<i64> {
    let mut ids = state.friend_ids(id);
    let name = |id: &i64| {
        state
            .user(*id)
            .map(|u| u.name.to_lowercase())
            .unwrap_or_default()
    };
    match sort.unwrap_or(0) {
        1 => {
            let since = state.friends.get(&id).cloned().unwrap_or_default();
            ids.sort_by_key(|f| (since.get(f).copied(), *f));
        }
        // Cached keys: one lower-cased name per friend, not one per comparison.
        2 => ids.sort_by_cached_key(|f| {
            (
                !state.user(*f).is_some_and(|u| u.presence.is_online()),
                name(f),
                *f,
            )
        }),
        _ => ids.sort_by_cached_key(|f| (name(f), *f)),
    }
    ids
}

fn existing(state: &RobloxState, ctx: &RequestContext, id: i64) -> Result<(), StubError> {
    if state.user(id).is_some() {
        Ok(())
    } else {
        Err(bad(ctx, 1))
    }
}

fn decode_cursor(
    ctx: &RequestContext,
    list: &str,
    cursor: Option<&str>,
) -> Result<Option<CursorState>, StubError> {
    match cursor.filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => cursor::decode(&ctx.world.secret, list, c)
            .map(Some)
            .ok_or_else(|| bad(ctx, 6)),
    }
}

/// Pages a `seq → user` map in ascending (`Asc`) or descending (`Desc`) key order.
fn page_map(
    ctx: &RequestContext,
    list: &str,
    map: Option<&BTreeMap<i64, i64>>,
    descending: bool,
    cursor: Option<&CursorState>,
    limit: usize,
) -> Page<(i64, i64)> {
    let empty = BTreeMap::new();
    let map = map.unwrap_or(&empty);
    // In descending order "after" means a smaller key.
    let forward = |after: Option<i64>, n: usize| -> Vec<(i64, i64)> {
        let pairs = |it: Box<dyn Iterator<Item = (&i64, &i64)> + '_>| {
            it.take(n).map(|(k, v)| (*k, *v)).collect()
        };
        match (descending, after) {
            (false, None) => pairs(Box::new(map.iter())),
            (false, Some(a)) => pairs(Box::new(map.range(a.saturating_add(1)..))),
            (true, None) => pairs(Box::new(map.iter().rev())),
            (true, Some(a)) => pairs(Box::new(map.range(..a).rev())),
        }
    };
    let backward = |before: i64, n: usize| -> Vec<(i64, i64)> {
        if descending {
            map.range(before.saturating_add(1)..)
                .take(n)
                .map(|(k, v)| (*k, *v))
                .collect()
        } else {
            map.range(..before)
                .rev()
                .take(n)
                .map(|(k, v)| (*k, *v))
                .collect()
        }
    };
    cursor::page(
        &ctx.world.secret,
        list,
        cursor,
        limit,
        |(k, _)| *k,
        forward,
        backward,
    )
}

fn follow_page(
    ctx: &RequestContext,
    state: &RobloxState,
    kind: &str,
    target: i64,
    limit: i32,
    cursor: Option<&str>,
    sort: Option<types::SortOrder>,
) -> Result<types::UserResponsePage, StubError> {
    existing(state, ctx, target)?;
    let descending = matches!(sort, Some(types::SortOrder::Desc));
    let list = format!(
        "{kind}:{target}:{}",
        if descending { "Desc" } else { "Asc" }
    );
    let cursor = decode_cursor(ctx, &list, cursor)?;
    let map = if kind == "followers" {
        state.followers.get(&target)
    } else {
        state.followings.get(&target)
    };
    let page = page_map(ctx, &list, map, descending, cursor.as_ref(), limit as usize);
    Ok(types::UserResponsePage {
        previous_page_cursor: page.previous,
        next_page_cursor: page.next,
        data: users_of(state, page.items.into_iter().map(|(_, id)| id)),
    })
}

/// Pages `owner`'s friends in id order (keyset: the cursor carries the last id), keeping
/// only those `keep` accepts. A walk never repeats or skips a friend that stayed a friend
/// throughout, whatever is added or removed meanwhile.
fn friend_page(
    ctx: &RequestContext,
    state: &RobloxState,
    list: &str,
    owner: i64,
    limit: i32,
    cursor: Option<&str>,
    keep: impl Fn(i64) -> bool,
) -> Result<types::FriendResponseCursoredPage, StubError> {
    let cursor = decode_cursor(ctx, list, cursor)?;
    let empty = BTreeMap::new();
    let friends = state.friends.get(&owner).unwrap_or(&empty);
    let forward = |after: Option<i64>, take: usize| -> Vec<i64> {
        let start = after.map_or(i64::MIN, |a| a.saturating_add(1));
        friends
            .range(start..)
            .map(|(id, _)| *id)
            .filter(|id| keep(*id))
            .take(take)
            .collect()
    };
    let backward = |before: i64, take: usize| -> Vec<i64> {
        friends
            .range(..before)
            .rev()
            .map(|(id, _)| *id)
            .filter(|id| keep(*id))
            .take(take)
            .collect()
    };
    let page = cursor::page(
        &ctx.world.secret,
        list,
        cursor.as_ref(),
        limit as usize,
        |id| *id,
        forward,
        backward,
    );
    let has_more = page.next.is_some();
    Ok(types::FriendResponseCursoredPage {
        previous_cursor: page.previous,
        next_cursor: page.next,
        has_more: Some(has_more),
        page_items: page
            .items
            .into_iter()
            .map(|id| types::FriendResponse {
                id: Some(id),
                has_verified_badge: state.user(id).map(|u| u.has_verified_badge),
            })
            .collect(),
    })
}

fn request_response(
    state: &RobloxState,
    request: &PendingRequest,
    viewer: i64,
) -> Option<types::FriendRequestResponse> {
    let sender = state.user(request.sender)?;
    let viewer_friends = state.friends.get(&viewer);
    let mutual: Vec<String> = state
        .friends
        .get(&request.sender)
        .into_iter()
        .flat_map(|f| f.keys())
        .filter(|id| viewer_friends.is_some_and(|v| v.contains_key(id)))
        .filter_map(|id| state.user(*id).map(|u| u.name.clone()))
        .collect();
    let origin = serde_json::from_value(serde_json::Value::String(request.origin.clone())).ok();
    Some(types::FriendRequestResponse {
        friend_request: Some(types::FriendRequest {
            sent_at: Some(request.sent_at),
            sender_id: Some(request.sender),
            source_universe_id: None,
            origin_source_type: origin,
            contact_name: None,
            sender_nickname: None,
        }),
        mutual_friends_list: mutual,
        has_verified_badge: Some(sender.has_verified_badge),
        description: Some(sender.description.clone()),
        created: Some(sender.created),
        is_banned: Some(sender.is_banned),
        external_app_display_name: None,
        id: Some(sender.id),
        name: Some(sender.name.clone()),
        display_name: Some(sender.display_name.clone()),
    })
}

/// `originSourceType` names in code order (the document's `Roblox` enum: 'Unknown' = 0, …).
const ORIGINS: [&str; 12] = [
    "Unknown",
    "PlayerSearch",
    "QrCode",
    "InGame",
    "UserProfile",
    "QqContactImporter",
    "WeChatContactImporter",
    "ProfileShare",
    "PhoneContactImporter",
    "FriendRecommendations",
    "UserCommunities",
    "TrustedFriend",
];

/// The name an origin was sent as, whether as a name or as its integer code.
fn origin_name(origin: Option<types::FriendshipOriginSourceType>) -> String {
    match origin {
        Some(types::FriendshipOriginSourceType::Code(code)) => usize::try_from(code)
            .ok()
            .and_then(|i| ORIGINS.get(i))
            .copied()
            .unwrap_or("Unknown")
            .to_owned(),
        Some(other) => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "Unknown".into()),
        None => "Unknown".into(),
    }
}

fn count(n: usize) -> Option<i32> {
    Some(i32::try_from(n).unwrap_or(i32::MAX))
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
        let target = input.target_user_id.and_then(|id| state.user(id));
        Ok(types::FriendsPageMetadataResponse {
            is_friends_filter_bar_enabled: Some(true),
            is_friends_page_sort_experiment_enabled: Some(false),
            is_friends_user_data_store_cache_enabled: Some(true),
            frequent_friend_sort_rollout: Some(0),
            user_name: target.map(|u| u.name.clone()),
            display_name: target.map(|u| u.display_name.clone()),
        })
    }

    async fn get_my_friends_count(
        &self,
        ctx: RequestContext,
        _input: GetMyFriendsCountInput,
    ) -> Result<types::FriendsCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        Ok(types::FriendsCountResponse {
            count: count(state.friend_count(me)),
        })
    }

    async fn refresh_qr_session(
        &self,
        ctx: RequestContext,
        _input: RefreshQrSessionInput,
    ) -> Result<types::RefreshQrSessionResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        let ttl = ctx.stub.config.qr_ttl();
        state.qr_sessions.insert(me, ctx.world.now() + ttl);
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
        let list = format!("requests:{me}");
        let cursor = decode_cursor(&ctx, &list, input.cursor.as_deref())?;
        let page = page_map(
            &ctx,
            &list,
            state.incoming.get(&me),
            true,
            cursor.as_ref(),
            input.limit as usize,
        );
        let newest = state
            .incoming
            .get(&me)
            .and_then(|m| m.keys().next_back().copied())
            .unwrap_or(0);
        let seen = state.requests_seen.entry(me).or_insert(0);
        *seen = (*seen).max(newest);
        let data = page
            .items
            .iter()
            .filter_map(|(_, sender)| state.requests.get(&(*sender, me)))
            .filter_map(|r| request_response(&state, r, me))
            .collect();
        Ok(types::FriendRequestResponsePage {
            previous_page_cursor: page.previous,
            next_page_cursor: page.next,
            data,
        })
    }

    async fn check_qr_session(
        &self,
        ctx: RequestContext,
        input: CheckQrSessionInput,
    ) -> Result<bool, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).caller(&mut state)?;
        let now = ctx.world.now();
        Ok(state
            .qr_sessions
            .get(&input.user_id)
            .is_some_and(|until| *until > now))
    }

    async fn get_new_friend_requests_count(
        &self,
        ctx: RequestContext,
        _input: GetNewFriendRequestsCountInput,
    ) -> Result<types::NewFriendRequestsCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        let seen = state.requests_seen.get(&me).copied().unwrap_or(0);
        let new = state
            .incoming
            .get(&me)
            .map_or(0, |m| m.range(seen.saturating_add(1)..).count());
        Ok(types::NewFriendRequestsCountResponse { count: count(new) })
    }

    async fn get_my_trusted_friends_count(
        &self,
        ctx: RequestContext,
        _input: GetMyTrustedFriendsCountInput,
    ) -> Result<types::FriendsCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        let n = state
            .trusted
            .iter()
            .filter(|(a, b)| *a == me || *b == me)
            .count();
        Ok(types::FriendsCountResponse { count: count(n) })
    }

    async fn get_following_exists(
        &self,
        ctx: RequestContext,
        input: GetFollowingExistsInput,
    ) -> Result<types::FollowingExistsResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        let ids = input.body.target_user_ids;
        if ids.len() > 100 || ids.iter().any(|id| *id <= 0) {
            return Err(bad(&ctx, 0));
        }
        let followings = ids
            .into_iter()
            .map(|id| types::FollowingExists {
                is_following: Some(state.follows.contains_key(&(me, id))),
                is_followed: Some(state.follows.contains_key(&(id, me))),
                user_id: Some(id),
            })
            .collect();
        Ok(types::FollowingExistsResponse { followings })
    }

    async fn get_pending_friend_requests_count(
        &self,
        ctx: RequestContext,
        _input: GetPendingFriendRequestsCountInput,
    ) -> Result<types::PendingFriendRequestCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        Ok(types::PendingFriendRequestCountResponse {
            count: count(state.incoming.get(&me).map_or(0, BTreeMap::len)),
        })
    }

    async fn decline_all_friend_requests(
        &self,
        ctx: RequestContext,
        _input: DeclineAllFriendRequestsInput,
    ) -> Result<types::DeclineAllFriendRequestsResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        let senders: Vec<i64> = state
            .incoming
            .get(&me)
            .map(|m| m.values().copied().collect())
            .unwrap_or_default();
        for sender in senders {
            state.drop_request(sender, me);
        }
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
        existing(&state, &ctx, input.user_id)?;
        let friends_id = input
            .body
            .target_user_ids
            .into_iter()
            .filter(|id| state.are_friends(input.user_id, *id))
            .collect();
        Ok(types::MultigetAreFriendsResponse { friends_id })
    }

    async fn accept_friend_request(
        &self,
        ctx: RequestContext,
        input: AcceptFriendRequestInput,
    ) -> Result<types::EmptyResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        let sender = input.requester_user_id;
        existing(&state, &ctx, sender)?;
        if state.blocked_either_way(me, sender) {
            return Err(guard(&ctx).error(StatusCode::FORBIDDEN, 3));
        }
        if !state.requests.contains_key(&(sender, me)) {
            return Err(bad(&ctx, 10));
        }
        let limit = ctx.stub.config.friend_limit;
        if state.friend_count(me) >= limit {
            return Err(bad(&ctx, 11));
        }
        if state.friend_count(sender) >= limit {
            return Err(bad(&ctx, 12));
        }
        let now = ctx.world.now();
        state.link(me, sender, now);
        Ok(types::EmptyResponse(serde_json::Map::new()))
    }

    async fn decline_friend_request(
        &self,
        ctx: RequestContext,
        input: DeclineFriendRequestInput,
    ) -> Result<types::EmptyResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        existing(&state, &ctx, input.requester_user_id)?;
        state
            .drop_request(input.requester_user_id, me)
            .ok_or_else(|| bad(&ctx, 10))?;
        Ok(types::EmptyResponse(serde_json::Map::new()))
    }

    async fn follow_user(
        &self,
        ctx: RequestContext,
        input: FollowUserInput,
    ) -> Result<types::CaptchaStatusResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        let target = input.target_user_id;
        existing(&state, &ctx, target)?;
        if target == me {
            return Err(bad(&ctx, 8));
        }
        if state.blocked_either_way(me, target) {
            return Err(guard(&ctx).error(StatusCode::FORBIDDEN, 3));
        }
        state.follow(me, target);
        Ok(types::CaptchaStatusResponse {
            success: Some(true),
            is_captcha_required: Some(false),
        })
    }

    async fn get_user_followers(
        &self,
        ctx: RequestContext,
        input: GetUserFollowersInput,
    ) -> Result<types::UserResponsePage, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        follow_page(
            &ctx,
            &state,
            "followers",
            input.target_user_id,
            input.limit,
            input.cursor.as_deref(),
            input.sort_order,
        )
    }

    async fn get_user_followers_count(
        &self,
        ctx: RequestContext,
        input: GetUserFollowersCountInput,
    ) -> Result<types::FollowCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        existing(&state, &ctx, input.target_user_id)?;
        Ok(types::FollowCountResponse {
            count: count(
                state
                    .followers
                    .get(&input.target_user_id)
                    .map_or(0, BTreeMap::len),
            ),
        })
    }

    async fn get_user_followings(
        &self,
        ctx: RequestContext,
        input: GetUserFollowingsInput,
    ) -> Result<types::UserResponsePage, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        follow_page(
            &ctx,
            &state,
            "followings",
            input.target_user_id,
            input.limit,
            input.cursor.as_deref(),
            input.sort_order,
        )
    }

    async fn get_user_followings_count(
        &self,
        ctx: RequestContext,
        input: GetUserFollowingsCountInput,
    ) -> Result<types::FollowCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        existing(&state, &ctx, input.target_user_id)?;
        Ok(types::FollowCountResponse {
            count: count(
                state
                    .followings
                    .get(&input.target_user_id)
                    .map_or(0, BTreeMap::len),
            ),
        })
    }

    async fn request_friendship(
        &self,
        ctx: RequestContext,
        input: RequestFriendshipInput,
    ) -> Result<types::CaptchaStatusResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        let target = input.target_user_id;
        if state.user(target).is_none_or(|u| u.is_deleted) {
            return Err(bad(&ctx, 1));
        }
        if target == me {
            return Err(bad(&ctx, 7));
        }
        if state.blocked_either_way(me, target) {
            return Err(guard(&ctx).error(StatusCode::FORBIDDEN, 3));
        }
        if state.are_friends(me, target) {
            return Err(bad(&ctx, 5));
        }
        let limit = ctx.stub.config.friend_limit;
        if state.friend_count(me) >= limit {
            return Err(bad(&ctx, 31));
        }
        let now = ctx.world.now();
        if state.requests.contains_key(&(target, me)) {
            // They already asked: this accepts theirs.
            if state.friend_count(target) >= limit {
                return Err(bad(&ctx, 31));
            }
            state.link(me, target, now);
        } else if !state.requests.contains_key(&(me, target)) {
            let origin = origin_name(input.body.friendship_origin_source_type);
            let seq = state.next_seq();
            state.requests.insert(
                (me, target),
                PendingRequest {
                    seq,
                    sender: me,
                    recipient: target,
                    sent_at: now,
                    origin,
                },
            );
            state.incoming.entry(target).or_default().insert(seq, me);
        }
        Ok(types::CaptchaStatusResponse {
            success: Some(true),
            is_captcha_required: Some(false),
        })
    }

    async fn unfollow_user(
        &self,
        ctx: RequestContext,
        input: UnfollowUserInput,
    ) -> Result<types::EmptyResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        existing(&state, &ctx, input.target_user_id)?;
        if input.target_user_id == me {
            return Err(bad(&ctx, 8));
        }
        state.unfollow(me, input.target_user_id);
        Ok(types::EmptyResponse(serde_json::Map::new()))
    }

    async fn unfriend_user(
        &self,
        ctx: RequestContext,
        input: UnfriendUserInput,
    ) -> Result<types::EmptyResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        existing(&state, &ctx, input.target_user_id)?;
        state.unlink(me, input.target_user_id);
        Ok(types::EmptyResponse(serde_json::Map::new()))
    }

    async fn get_user_friends(
        &self,
        ctx: RequestContext,
        input: GetUserFriendsInput,
    ) -> Result<types::UserResponseArray, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        existing(&state, &ctx, input.user_id)?;
        let ids = sorted_friends(&state, input.user_id, input.user_sort);
        Ok(types::UserResponseArray {
            data: users_of(&state, ids),
        })
    }

    async fn get_user_friends_count(
        &self,
        ctx: RequestContext,
        input: GetUserFriendsCountInput,
    ) -> Result<types::FriendsCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        existing(&state, &ctx, input.user_id)?;
        Ok(types::FriendsCountResponse {
            count: count(state.friend_count(input.user_id)),
        })
    }

    async fn find_user_friends(
        &self,
        ctx: RequestContext,
        input: FindUserFriendsInput,
    ) -> Result<types::FriendResponseCursoredPage, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        existing(&state, &ctx, input.user_id)?;
        let online_only = input.find_friends_type == Some(1);
        let list = format!("find:{}:{online_only}", input.user_id);
        let keep = |id: i64| !online_only || state.user(id).is_some_and(|u| u.presence.is_online());
        friend_page(
            &ctx,
            &state,
            &list,
            input.user_id,
            input.limit,
            input.cursor.as_deref(),
            keep,
        )
    }

    async fn get_user_inactive_friends(
        &self,
        ctx: RequestContext,
        input: GetUserInactiveFriendsInput,
    ) -> Result<types::UserResponseArray, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).caller(&mut state)?;
        existing(&state, &ctx, input.user_id)?;
        let cutoff = ctx.world.now() - chrono::Duration::days(ctx.stub.config.inactive_days);
        let ids: Vec<i64> = sorted_friends(&state, input.user_id, None)
            .into_iter()
            .filter(|id| {
                state.user(*id).is_some_and(|u| {
                    !u.presence.is_online() && u.presence.last_online.is_none_or(|t| t <= cutoff)
                })
            })
            .collect();
        Ok(types::UserResponseArray {
            data: users_of(&state, ids),
        })
    }

    async fn get_user_online_friends(
        &self,
        ctx: RequestContext,
        input: GetUserOnlineFriendsInput,
    ) -> Result<types::UserPresenceResponseArray, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).caller(&mut state)?;
        existing(&state, &ctx, input.user_id)?;
        let data = sorted_friends(&state, input.user_id, input.user_sort)
            .into_iter()
            .filter_map(|id| state.user(id))
            .filter(|u| u.presence.code() != 0)
            .map(|u| types::UserPresenceResponse {
                user_presence: Some(types::UserPresence {
                    user_presence_type: Some(u.presence.presence.clone()),
                    user_location_type: Some(u.presence.presence.clone()),
                    last_location: u.presence.last_location.clone(),
                    place_id: u.presence.place_id,
                    root_place_id: u.presence.root_place_id,
                    game_instance_id: u.presence.game_instance_id.clone(),
                    universe_id: u.presence.universe_id,
                    last_online: u.presence.last_online,
                }),
                sort_score: Some(0.0),
                id: Some(u.id),
                name: Some(u.name.clone()),
                display_name: Some(u.display_name.clone()),
            })
            .collect();
        Ok(types::UserPresenceResponseArray { data })
    }

    async fn search_user_friends(
        &self,
        ctx: RequestContext,
        input: SearchUserFriendsInput,
    ) -> Result<types::FriendResponseCursoredPage, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).caller(&mut state)?;
        existing(&state, &ctx, input.user_id)?;
        let query = input.query.unwrap_or_default().to_lowercase();
        let list = format!("search:{}:{query}", input.user_id);
        let keep = |id: i64| {
            state.user(id).is_some_and(|u| {
                u.name.to_lowercase().contains(&query)
                    || u.display_name.to_lowercase().contains(&query)
            })
        };
        friend_page(
            &ctx,
            &state,
            &list,
            input.user_id,
            input.limit,
            input.cursor.as_deref(),
            keep,
        )
    }

    async fn get_user_friend_statuses(
        &self,
        ctx: RequestContext,
        input: GetUserFriendStatusesInput,
    ) -> Result<types::FriendStatusResponseArray, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).check(&mut state)?;
        existing(&state, &ctx, input.user_id)?;
        if input.user_ids.len() > 100 {
            return Err(bad(&ctx, 15));
        }
        if input.user_ids.iter().any(|id| *id <= 0) {
            return Err(bad(&ctx, 16));
        }
        let me = input.user_id;
        let data = input
            .user_ids
            .into_iter()
            .map(|id| {
                let status = if state.are_friends(me, id) {
                    types::KnownFriendshipStatus::Friends
                } else if state.requests.contains_key(&(me, id)) {
                    types::KnownFriendshipStatus::RequestSent
                } else if state.requests.contains_key(&(id, me)) {
                    types::KnownFriendshipStatus::RequestReceived
                } else {
                    types::KnownFriendshipStatus::NotFriends
                };
                types::FriendStatusResponse {
                    id: Some(id),
                    status: Some(status.into()),
                }
            })
            .collect();
        Ok(types::FriendStatusResponseArray { data })
    }

    async fn get_user_trusted_friends_count(
        &self,
        ctx: RequestContext,
        input: GetUserTrustedFriendsCountInput,
    ) -> Result<types::FriendsCountResponse, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).caller(&mut state)?;
        let id = input.user_id;
        let n = state
            .trusted
            .iter()
            .filter(|(a, b)| *a == id || *b == id)
            .count();
        Ok(types::FriendsCountResponse { count: count(n) })
    }
}
