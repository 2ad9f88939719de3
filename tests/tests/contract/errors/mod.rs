//! The documented error codes of every Friends v1 operation the stub can produce.

use contract_tests::prelude::*;
use serde_json::json;
use social_sdk::friends::types::{FollowingExistsRequest, MultigetAreFriendsRequest};
use social_sdk::{Auth, Error, RetryPolicy, contacts, friends};
use social_stub::StubConfig;

mod input;
mod rate_limits;
mod relationships;

fn unit<T>(result: Result<T, Error>) -> Result<(), Error> {
    result.map(|_| ())
}

/// Every Friends operation whose document lists `401`, called once.
async fn friends_session_operations(
    client: &friends::Client,
    other: i64,
) -> Vec<(&'static str, Result<(), Error>)> {
    vec![
        (
            "check_qr_session",
            unit(client.check_qr_session().user_id(other).await),
        ),
        (
            "get_my_friends_count",
            unit(client.get_my_friends_count().await),
        ),
        (
            "get_my_friend_requests",
            unit(client.get_my_friend_requests().await),
        ),
        (
            "get_new_friend_requests_count",
            unit(client.get_new_friend_requests_count().await),
        ),
        (
            "get_my_trusted_friends_count",
            unit(client.get_my_trusted_friends_count().await),
        ),
        (
            "get_pending_friend_requests_count",
            unit(client.get_pending_friend_requests_count().await),
        ),
        (
            "get_user_inactive_friends",
            unit(client.get_user_inactive_friends().user_id(other).await),
        ),
        (
            "get_user_online_friends",
            unit(client.get_user_online_friends().user_id(other).await),
        ),
        (
            "search_user_friends",
            unit(client.search_user_friends().user_id(other).await),
        ),
        (
            "get_user_trusted_friends_count",
            unit(client.get_user_trusted_friends_count().user_id(other).await),
        ),
        (
            "refresh_qr_session",
            unit(client.refresh_qr_session().await),
        ),
        (
            "get_following_exists",
            unit(
                client
                    .get_following_exists()
                    .body(FollowingExistsRequest {
                        target_user_ids: vec![other],
                    })
                    .await,
            ),
        ),
        (
            "follow_user",
            unit(client.follow_user().target_user_id(other).await),
        ),
        (
            "unfollow_user",
            unit(client.unfollow_user().target_user_id(other).await),
        ),
        (
            "request_friendship",
            unit(client.request_friendship().target_user_id(other).await),
        ),
        (
            "accept_friend_request",
            unit(
                client
                    .accept_friend_request()
                    .requester_user_id(other)
                    .await,
            ),
        ),
        (
            "decline_friend_request",
            unit(
                client
                    .decline_friend_request()
                    .requester_user_id(other)
                    .await,
            ),
        ),
        (
            "decline_all_friend_requests",
            unit(client.decline_all_friend_requests().await),
        ),
        (
            "unfriend_user",
            unit(client.unfriend_user().target_user_id(other).await),
        ),
    ]
}

async fn contacts_operations(
    client: &contacts::Client,
    other: i64,
) -> Vec<(&'static str, Result<(), Error>)> {
    use social_sdk::contacts::types::{GetUserTagsRequest, SetUserTagRequest};
    vec![
        (
            "validate_user_tag",
            unit(client.validate_user_tag().alias("pal").await),
        ),
        (
            "get_user_tags",
            unit(
                client
                    .get_user_tags()
                    .body(GetUserTagsRequest {
                        target_user_ids: vec![other],
                    })
                    .await,
            ),
        ),
        (
            "set_user_tag",
            unit(
                client
                    .set_user_tag()
                    .body(SetUserTagRequest {
                        target_user_id: other,
                        user_tag: "pal".into(),
                    })
                    .await,
            ),
        ),
    ]
}
