//! Friends v1 and Contacts v1 answers rendered from [`RobloxState`] as the SDK's types:
//! users, friend lists in their sort orders, cursor pages (keyset, signed with the world's
//! secret), friend requests, statuses, counts, `originSourceType` names and user tags.
//! Reads only; an undecodable cursor is [`Refusal::InvalidParameters`].

use super::rules::Refusal;
use super::state::{PendingRequest, RobloxState, User};
use crate::cursor::{self, CursorState, Page, Style};
use chrono::{DateTime, Utc};
use social_sdk::contacts::types as contacts;
use social_sdk::friends::types;
use std::collections::BTreeMap;

/// The .NET minimum date at the odd offsets the lists write instead of a signup date:
/// `0001-01-01T05:52:00Z` on friend lists, `0001-01-01T05:51:00.000Z` on follower, following
/// and inactive lists (the document's `x-fraction-digits` writes the `.000`).
fn dotnet_min_date(minute: u32) -> DateTime<Utc> {
    chrono::NaiveDate::from_ymd_opt(1, 1, 1)
        .and_then(|d| d.and_hms_opt(5, minute, 0))
        .map(|t| t.and_utc())
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// A user as a friend list writes them to a signed-in caller: presence, rank 1, no
/// description (`null`) and the minimum date as `created`.
pub(crate) fn user_response(user: &User) -> types::UserResponse {
    types::UserResponse {
        is_online: Some(user.presence.is_online()),
        presence_type: Some(user.presence.code()),
        is_deleted: Some(user.is_deleted),
        friend_frequent_score: Some(0),
        friend_frequent_rank: Some(1),
        has_verified_badge: Some(user.has_verified_badge),
        description: None,
        created: Some(dotnet_min_date(52)),
        is_banned: Some(user.is_banned),
        external_app_display_name: None,
        id: Some(user.id),
        name: Some(user.name.clone()),
        display_name: Some(user.display_name.clone()),
    }
}

/// A friend as the friend list writes them to a caller without a session: the id and empty
/// names, nothing else (the pipeline must not complete it: [`RequestContext::answer_as_set`]).
///
/// [`RequestContext::answer_as_set`]: crate::http::RequestContext::answer_as_set
pub(crate) fn hidden_user_response(user: &User) -> types::UserResponse {
    types::UserResponse {
        id: Some(user.id),
        name: Some(String::new()),
        display_name: Some(String::new()),
        ..Default::default()
    }
}

/// A user as follower, following and inactive lists write them: no presence, rank 201, no
/// description and the other minimum date.
pub(crate) fn user_without_presence(user: &User) -> types::UserResponseWithoutPresence {
    types::UserResponseWithoutPresence {
        is_deleted: Some(user.is_deleted),
        friend_frequent_score: Some(0),
        friend_frequent_rank: Some(201),
        has_verified_badge: Some(user.has_verified_badge),
        description: None,
        created: Some(dotnet_min_date(51)),
        is_banned: Some(user.is_banned),
        external_app_display_name: None,
        id: Some(user.id),
        name: Some(user.name.clone()),
        display_name: Some(user.display_name.clone()),
    }
}

fn users_of<T>(
    state: &RobloxState,
    ids: impl IntoIterator<Item = i64>,
    render: impl Fn(&User) -> T,
) -> Vec<T> {
    ids.into_iter()
        .filter_map(|id| state.user(id))
        .map(render)
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

/// The cursor of a request, in `style`; an empty `cursor=` is the first page.
fn decode_cursor(
    style: Style,
    secret: &[u8],
    list: &str,
    cursor: Option<&str>,
) -> Result<Option<CursorState>, Refusal> {
    match cursor.filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => cursor::decode(style, secret, list, c)
            .map(Some)
            .ok_or(Refusal::InvalidParameters),
    }
}

/// Pages a `seq → user` map in ascending (`Asc`) or descending (`Desc`) key order.
fn page_map(
    secret: &[u8],
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
        Style::RobloxPage,
        secret,
        list,
        cursor,
        limit,
        |(k, _)| *k,
        forward,
        backward,
    )
}

/// Which follow list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FollowList {
    /// Who follows the target.
    Followers,
    /// Whom the target follows.
    Followings,
}

/// A page of `target`'s followers or followings, oldest follow first (`Asc`) or last.
pub(crate) fn follow_page(
    state: &RobloxState,
    secret: &[u8],
    kind: FollowList,
    target: i64,
    limit: i32,
    cursor: Option<&str>,
    sort: Option<types::SortOrder>,
) -> Result<types::UserResponseWithoutPresencePage, Refusal> {
    let descending = matches!(sort, Some(types::SortOrder::Desc));
    let (name, map) = match kind {
        FollowList::Followers => ("followers", state.followers.get(&target)),
        FollowList::Followings => ("followings", state.followings.get(&target)),
    };
    let list = format!(
        "{name}:{target}:{}",
        if descending { "Desc" } else { "Asc" }
    );
    let cursor = decode_cursor(Style::RobloxPage, secret, &list, cursor)?;
    let page = page_map(
        secret,
        &list,
        map,
        descending,
        cursor.as_ref(),
        limit as usize,
    );
    Ok(types::UserResponseWithoutPresencePage {
        previous_page_cursor: page.previous,
        next_page_cursor: page.next,
        data: users_of(
            state,
            page.items.into_iter().map(|(_, id)| id),
            user_without_presence,
        ),
    })
}

/// Pages `owner`'s friends in id order (keyset: the cursor carries the last id), keeping
/// only those `keep` accepts. A walk never repeats or skips a friend that stayed a friend
/// throughout, whatever is added or removed meanwhile.
fn friend_page(
    state: &RobloxState,
    secret: &[u8],
    list: &str,
    owner: i64,
    limit: i32,
    cursor: Option<&str>,
    keep: impl Fn(i64) -> bool,
) -> Result<types::FriendResponseCursoredPage, Refusal> {
    let cursor = decode_cursor(Style::RobloxCursored, secret, list, cursor)?;
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
        Style::RobloxCursored,
        secret,
        list,
        cursor.as_ref(),
        limit as usize,
        |id| *id,
        forward,
        backward,
    );
    // The service sends `HasMore: null` whether or not a page follows (both captures).
    Ok(types::FriendResponseCursoredPage {
        previous_cursor: page.previous,
        next_cursor: page.next,
        has_more: None,
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

/// A page of `user`'s friends (`online_only`: those online).
pub(crate) fn find_friends(
    state: &RobloxState,
    secret: &[u8],
    user: i64,
    online_only: bool,
    limit: i32,
    cursor: Option<&str>,
) -> Result<types::FriendResponseCursoredPage, Refusal> {
    let list = format!("find:{user}:{online_only}");
    let keep = |id: i64| !online_only || state.user(id).is_some_and(|u| u.presence.is_online());
    friend_page(state, secret, &list, user, limit, cursor, keep)
}

/// A page of `user`'s friends whose name or display name contains `query` (any case).
pub(crate) fn search_friends(
    state: &RobloxState,
    secret: &[u8],
    user: i64,
    query: &str,
    limit: i32,
    cursor: Option<&str>,
) -> Result<types::FriendResponseCursoredPage, Refusal> {
    let query = query.to_lowercase();
    let list = format!("search:{user}:{query}");
    let keep = |id: i64| {
        state.user(id).is_some_and(|u| {
            u.name.to_lowercase().contains(&query) || u.display_name.to_lowercase().contains(&query)
        })
    };
    friend_page(state, secret, &list, user, limit, cursor, keep)
}

/// A request as its recipient `viewer` sees it (with the friends they share with the sender).
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
            source_universe_id: request.source_universe_id,
            origin_source_type: origin,
            contact_name: None,
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

/// A page of the requests `me` received, newest first.
pub(crate) fn friend_requests(
    state: &RobloxState,
    secret: &[u8],
    me: i64,
    limit: i32,
    cursor: Option<&str>,
) -> Result<types::FriendRequestResponsePage, Refusal> {
    let list = format!("requests:{me}");
    let cursor = decode_cursor(Style::RobloxPage, secret, &list, cursor)?;
    let page = page_map(
        secret,
        &list,
        state.incoming.get(&me),
        true,
        cursor.as_ref(),
        limit as usize,
    );
    let data = page
        .items
        .iter()
        .filter_map(|(_, sender)| state.requests.get(&(*sender, me)))
        .filter_map(|r| request_response(state, r, me))
        .collect();
    Ok(types::FriendRequestResponsePage {
        previous_page_cursor: page.previous,
        next_page_cursor: page.next,
        data,
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
pub(crate) fn origin_name(origin: Option<types::FriendshipOriginSourceType>) -> String {
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

/// A count as the documents type it (saturating at `i32::MAX`).
pub(crate) fn count(n: usize) -> Option<i32> {
    Some(i32::try_from(n).unwrap_or(i32::MAX))
}

/// `{"count"}` of friends or trusted friends.
pub(crate) fn friends_count(n: usize) -> types::FriendsCountResponse {
    types::FriendsCountResponse { count: count(n) }
}

/// `{"count"}` of followers or followings.
pub(crate) fn follow_count(n: usize) -> types::FollowCountResponse {
    types::FollowCountResponse { count: count(n) }
}

/// The friends page's metadata, with the names of `target` if it is a user.
pub(crate) fn metadata(
    state: &RobloxState,
    target: Option<i64>,
) -> types::FriendsPageMetadataResponse {
    let target = target.and_then(|id| state.user(id));
    types::FriendsPageMetadataResponse {
        is_friends_filter_bar_enabled: Some(true),
        is_friends_page_sort_experiment_enabled: Some(false),
        is_friends_user_data_store_cache_enabled: Some(true),
        frequent_friend_sort_rollout: Some(0),
        user_name: target.map(|u| u.name.clone()),
        display_name: target.map(|u| u.display_name.clone()),
    }
}

/// `{"success": true, "isCaptchaRequired": false}`.
pub(crate) fn captcha_passed() -> types::CaptchaStatusResponse {
    types::CaptchaStatusResponse {
        success: Some(true),
        is_captcha_required: Some(false),
    }
}

/// `{}`.
pub(crate) fn empty() -> types::EmptyResponse {
    types::EmptyResponse(serde_json::Map::new())
}

/// Whether `me` follows each of `ids` and each follows `me`.
pub(crate) fn following_exists(
    state: &RobloxState,
    me: i64,
    ids: Vec<i64>,
) -> types::FollowingExistsResponse {
    let followings = ids
        .into_iter()
        .map(|id| types::FollowingExists {
            is_following: Some(state.follows.contains_key(&(me, id))),
            is_followed: Some(state.follows.contains_key(&(id, me))),
            user_id: Some(id),
        })
        .collect();
    types::FollowingExistsResponse { followings }
}

/// Those of `ids` who are friends of `user`.
pub(crate) fn are_friends(
    state: &RobloxState,
    user: i64,
    ids: Vec<i64>,
) -> types::MultigetAreFriendsResponse {
    let friends_id = ids
        .into_iter()
        .filter(|id| state.are_friends(user, *id))
        .collect();
    types::MultigetAreFriendsResponse { friends_id }
}

/// `user`'s friends in `userSort` order, whole for a signed-in caller (`signed_in`), as
/// bare ids with empty names otherwise.
pub(crate) fn user_friends(
    state: &RobloxState,
    user: i64,
    sort: Option<i32>,
    signed_in: bool,
) -> types::UserResponseArray {
    let render = if signed_in {
        user_response
    } else {
        hidden_user_response
    };
    types::UserResponseArray {
        data: users_of(state, sorted_friends(state, user, sort), render),
    }
}

/// `user`'s friends offline and last online `inactive_days` or more before `now`, by name.
pub(crate) fn inactive_friends(
    state: &RobloxState,
    user: i64,
    now: DateTime<Utc>,
    inactive_days: i64,
) -> types::UserResponseWithoutPresenceArray {
    let days = chrono::Duration::try_days(inactive_days).unwrap_or(chrono::Duration::MAX);
    let cutoff = crate::dates::earlier(now, days);
    let ids: Vec<i64> = sorted_friends(state, user, None)
        .into_iter()
        .filter(|id| {
            state.user(*id).is_some_and(|u| {
                !u.presence.is_online() && u.presence.last_online.is_none_or(|t| t <= cutoff)
            })
        })
        .collect();
    types::UserResponseWithoutPresenceArray {
        data: users_of(state, ids, user_without_presence),
    }
}

/// `user`'s friends whose presence is not `Offline`, with it, in `userSort` order.
pub(crate) fn online_friends(
    state: &RobloxState,
    user: i64,
    sort: Option<i32>,
) -> types::UserPresenceResponseArray {
    let data = sorted_friends(state, user, sort)
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
    types::UserPresenceResponseArray { data }
}

/// How `user` stands with each of `ids`: friends, request sent, request received, or not.
pub(crate) fn friend_statuses(
    state: &RobloxState,
    user: i64,
    ids: Vec<i64>,
) -> types::FriendStatusResponseArray {
    let data = ids
        .into_iter()
        .map(|id| {
            let status = if state.are_friends(user, id) {
                types::KnownFriendshipStatus::Friends
            } else if state.requests.contains_key(&(user, id)) {
                types::KnownFriendshipStatus::RequestSent
            } else if state.requests.contains_key(&(id, user)) {
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
    types::FriendStatusResponseArray { data }
}

/// The tags `me` gave those of `ids` they tagged (Contacts v1).
pub(crate) fn user_tags(
    state: &RobloxState,
    me: i64,
    ids: Vec<i64>,
) -> Vec<contacts::UserTagResponse> {
    ids.into_iter()
        .filter_map(|id| {
            state
                .tags
                .get(&(me, id))
                .map(|tag| contacts::UserTagResponse {
                    target_user_id: Some(id),
                    target_user_tag: Some(tag.clone()),
                })
        })
        .collect()
}
