//! The documented error codes of every Friends v1 operation the stub can produce.

use contract_tests::prelude::*;
use serde_json::json;
use social_sdk::friends::types::{FollowingExistsRequest, MultigetAreFriendsRequest};
use social_sdk::{Auth, Error, RetryPolicy, contacts, friends};
use social_stub::StubConfig;

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
                        target_user_id: Some(other),
                        user_tag: Some("pal".into()),
                    })
                    .await,
            ),
        ),
    ]
}

#[tokio::test]
async fn session_operations_answer_401_without_a_session() {
    let env = Env::new().await;
    let other = env.user("other").await;
    let bogus = env
        .config
        .friends(Auth::roblox_cookie("_|WARNING:-not-a-session"));
    let bogus_bearer = env.config.friends(Auth::bearer("not-a-token"));
    let mut seen = 0;
    for client in [&env.anonymous_friends(), &bogus, &bogus_bearer] {
        for (op, result) in friends_session_operations(client, other.user.id).await {
            let error = expect_error(result, 401, 0, UNAUTHORIZED);
            assert!(error.body().is_some(), "{op}");
            seen += 1;
        }
    }
    assert_eq!(seen, 3 * 19);
    let bogus = env.config.contacts(Auth::roblox_cookie("not-a-session"));
    for client in [&env.anonymous_contacts(), &bogus] {
        for (op, result) in contacts_operations(client, other.user.id).await {
            let error = expect_error(result, 401, 0, UNAUTHORIZED);
            assert_eq!(error.service_error().map(|e| e.operation), Some(op));
        }
    }
    // No state changed, and every answer was a 401 (no CSRF dance without a session).
    let log = env.world.requests().await.expect("log");
    assert!(log.iter().all(|r| r.status == 401), "{log:?}");
    assert_eq!(log.len(), 3 * 19 + 2 * 3);
}

#[tokio::test]
async fn unknown_users_are_400_code_1() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let deleted = env
        .user_with(json!({"name": "deleted", "isDeleted": true}))
        .await;
    let c = env.friends(&me);
    let x = NO_SUCH_USER;
    let results: Vec<(&str, Result<(), Error>)> = vec![
        (
            "get_user_followers",
            unit(c.get_user_followers().target_user_id(x).await),
        ),
        (
            "get_user_followers_count",
            unit(c.get_user_followers_count().target_user_id(x).await),
        ),
        (
            "get_user_followings",
            unit(c.get_user_followings().target_user_id(x).await),
        ),
        (
            "get_user_followings_count",
            unit(c.get_user_followings_count().target_user_id(x).await),
        ),
        (
            "get_user_friends",
            unit(c.get_user_friends().user_id(x).await),
        ),
        (
            "get_user_friends_count",
            unit(c.get_user_friends_count().user_id(x).await),
        ),
        (
            "find_user_friends",
            unit(c.find_user_friends().user_id(x).await),
        ),
        (
            "get_user_inactive_friends",
            unit(c.get_user_inactive_friends().user_id(x).await),
        ),
        (
            "get_user_online_friends",
            unit(c.get_user_online_friends().user_id(x).await),
        ),
        (
            "search_user_friends",
            unit(c.search_user_friends().user_id(x).await),
        ),
        (
            "get_user_friend_statuses",
            unit(
                c.get_user_friend_statuses()
                    .user_id(x)
                    .user_ids(vec![me.user.id])
                    .await,
            ),
        ),
        (
            "multiget_are_friends",
            unit(
                c.multiget_are_friends()
                    .user_id(x)
                    .body(MultigetAreFriendsRequest {
                        target_user_ids: vec![me.user.id],
                    })
                    .await,
            ),
        ),
        ("follow_user", unit(c.follow_user().target_user_id(x).await)),
        (
            "unfollow_user",
            unit(c.unfollow_user().target_user_id(x).await),
        ),
        (
            "request_friendship",
            unit(c.request_friendship().target_user_id(x).await),
        ),
        (
            "request_friendship (deleted user)",
            unit(c.request_friendship().target_user_id(deleted.user.id).await),
        ),
        (
            "accept_friend_request",
            unit(c.accept_friend_request().requester_user_id(x).await),
        ),
        (
            "decline_friend_request",
            unit(c.decline_friend_request().requester_user_id(x).await),
        ),
        (
            "unfriend_user",
            unit(c.unfriend_user().target_user_id(x).await),
        ),
    ];
    assert_eq!(results.len(), 19);
    for (op, result) in results {
        let error = expect_error(result, 400, 1, INVALID_TARGET);
        assert!(!error.is_retryable(), "{op}");
    }
}

#[tokio::test]
async fn invalid_parameters_are_400_code_6() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let star = env.user("star").await;
    let c = env.friends(&me);

    // Limits outside what the document allows. The SDK's types refuse followers/followings
    // limits outside {10,18,25,50,100}, so those go out raw.
    for op in ["followers", "followings"] {
        for limit in ["11", "0", "101", "ten"] {
            let path = format!("/v1/users/{}/{op}?limit={limit}", star.user.id);
            let (status, code, message, csrf) =
                raw_error(env.raw_get("friends", &path, None).await).await;
            assert_eq!(
                (status, code, message.as_str(), csrf),
                (400, 6, INVALID_PARAMETERS, None),
                "{path}"
            );
        }
    }
    let sort = format!("/v1/users/{}/followers?sortOrder=Sideways", star.user.id);
    let (status, code, ..) = raw_error(env.raw_get("friends", &sort, None).await).await;
    assert_eq!((status, code), (400, 6), "unknown sortOrder");

    expect_error(
        c.get_my_friend_requests().limit(101u32).await,
        400,
        6,
        INVALID_PARAMETERS,
    );
    expect_error(
        c.find_user_friends().user_id(me.user.id).limit(51u32).await,
        400,
        6,
        INVALID_PARAMETERS,
    );
    expect_error(
        c.search_user_friends()
            .user_id(me.user.id)
            .limit(51u32)
            .await,
        400,
        6,
        INVALID_PARAMETERS,
    );
    // The limits' maxima themselves are fine.
    c.get_my_friend_requests()
        .limit(100u32)
        .await
        .expect("limit 100");
    c.find_user_friends()
        .user_id(me.user.id)
        .limit(50u32)
        .await
        .expect("limit 50");
    c.search_user_friends()
        .user_id(me.user.id)
        .limit(50u32)
        .await
        .expect("limit 50");
    c.get_user_followers()
        .target_user_id(star.user.id)
        .limit(100)
        .await
        .expect("limit 100");

    // A forged cursor, on every cursor-paged operation.
    let forged = "eyJsaXN0IjoiZm9sbG93ZXJzOjE6QXNjIiwiZGlyZWN0aW9uIjoiRm9yd2FyZCIsImtleSI6MX0.AAAAAAAAAAAAAAAAAAAAAA";
    for result in [
        unit(
            c.get_user_followers()
                .target_user_id(star.user.id)
                .cursor(forged)
                .await,
        ),
        unit(
            c.get_user_followings()
                .target_user_id(star.user.id)
                .cursor(forged)
                .await,
        ),
        unit(c.get_my_friend_requests().cursor(forged).await),
        unit(
            c.find_user_friends()
                .user_id(me.user.id)
                .cursor(forged)
                .await,
        ),
        unit(
            c.search_user_friends()
                .user_id(me.user.id)
                .cursor("not even base64!")
                .await,
        ),
    ] {
        expect_error(result, 400, 6, INVALID_PARAMETERS);
    }

    // Bodies and paths that do not fit the document (raw: the SDK's types cannot express them).
    let token = env.csrf(&me).await;
    let cases = [
        (
            format!("/v1/users/{}/request-friendship", star.user.id),
            json!({"friendshipOriginSourceType": true}),
        ),
        (
            format!("/v1/users/{}/follow", star.user.id),
            json!({"captchaId": 5}),
        ),
        ("/v1/users/abc/unfollow".to_owned(), json!({})),
    ];
    for (path, body) in cases {
        let response = env
            .raw_post("friends", &path, Some(&me), Some(&token), body)
            .await;
        let (status, code, message, _) = raw_error(response).await;
        assert_eq!(
            (status, code, message.as_str()),
            (400, 6, INVALID_PARAMETERS),
            "{path}"
        );
    }
    let (status, code, ..) = raw_error(
        env.raw_get("friends", "/v1/users/abc/friends/find", None)
            .await,
    )
    .await;
    assert_eq!((status, code), (400, 6), "non-numeric userId on find");
    // Nothing was followed or requested along the way.
    let state = c
        .get_user_followers_count()
        .target_user_id(star.user.id)
        .await
        .expect("count");
    assert_eq!(state.count, Some(0));
}

#[tokio::test]
async fn friend_statuses_id_limits_are_codes_15_and_16() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let c = env.anonymous_friends();
    expect_error(
        c.get_user_friend_statuses()
            .user_id(me.user.id)
            .user_ids((1..=101).collect::<Vec<i64>>())
            .await,
        400,
        15,
        "Too many ids.",
    );
    for bad in [0, -5] {
        expect_error(
            c.get_user_friend_statuses()
                .user_id(me.user.id)
                .user_ids(vec![me.user.id, bad])
                .await,
            400,
            16,
            "Invalid ids.",
        );
    }
    // More than 100 comma-joined on the wire is the same.
    let joined: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
    let path = format!(
        "/v1/users/{}/friends/statuses?userIds={}",
        me.user.id,
        joined.join(",")
    );
    let (status, code, ..) = raw_error(env.raw_get("friends", &path, None).await).await;
    assert_eq!((status, code), (400, 15));
}

#[tokio::test]
async fn following_exists_rejects_invalid_ids_with_code_0() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let c = env.friends(&me);
    let message = "An invalid userId was passed in.";
    expect_error(
        c.get_following_exists()
            .body(FollowingExistsRequest {
                target_user_ids: (1..=101).collect(),
            })
            .await,
        400,
        0,
        message,
    );
    expect_error(
        c.get_following_exists()
            .body(FollowingExistsRequest {
                target_user_ids: vec![me.user.id, 0],
            })
            .await,
        400,
        0,
        message,
    );
    let hundred = c
        .get_following_exists()
        .body(FollowingExistsRequest {
            target_user_ids: (1..=100).collect(),
        })
        .await
        .expect("100 ids");
    assert_eq!(hundred.followings.len(), 100);
}

#[tokio::test]
async fn self_and_relationship_errors() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let friend = env.user("friend").await;
    let stranger = env.user("stranger").await;
    env.befriend(&me, &friend).await;
    let c = env.friends(&me);

    expect_error(
        c.follow_user().target_user_id(me.user.id).await,
        400,
        8,
        "The user cannot follow itself.",
    );
    expect_error(
        c.unfollow_user().target_user_id(me.user.id).await,
        400,
        8,
        "The user cannot follow itself.",
    );
    expect_error(
        c.request_friendship().target_user_id(me.user.id).await,
        400,
        7,
        "The user cannot be friends with itself.",
    );
    expect_error(
        c.request_friendship().target_user_id(friend.user.id).await,
        400,
        5,
        "The target user is already a friend.",
    );
    expect_error(
        c.accept_friend_request()
            .requester_user_id(stranger.user.id)
            .await,
        400,
        10,
        "The friend request does not exist.",
    );
    expect_error(
        c.decline_friend_request()
            .requester_user_id(stranger.user.id)
            .await,
        400,
        10,
        "The friend request does not exist.",
    );
    // My own outgoing request cannot be accepted by me.
    c.request_friendship()
        .target_user_id(stranger.user.id)
        .await
        .expect("request");
    expect_error(
        c.accept_friend_request()
            .requester_user_id(stranger.user.id)
            .await,
        400,
        10,
        "The friend request does not exist.",
    );
    assert_eq!(
        c.get_my_friends_count().await.expect("count").count,
        Some(1)
    );
}

#[tokio::test]
async fn friend_limits_are_codes_11_12_and_31() {
    let env = Env::with(StubConfig {
        friend_limit: 1,
        ..StubConfig::default()
    })
    .await;
    let full = env.user("full").await;
    let full_friend = env.user("full_friend").await;
    let free = env.user("free").await;
    let other = env.user("other").await;
    let late = env.user("late").await;
    env.befriend(&full, &full_friend).await;

    // 31: the sender is at the limit.
    expect_error(
        env.friends(&full)
            .request_friendship()
            .target_user_id(free.user.id)
            .await,
        400,
        31,
        "User with max friends sent friend request.",
    );

    // 11: the accepting user is at the limit.
    env.friends(&free)
        .request_friendship()
        .target_user_id(full.user.id)
        .await
        .expect("request to a full user");
    expect_error(
        env.friends(&full)
            .accept_friend_request()
            .requester_user_id(free.user.id)
            .await,
        400,
        11,
        "The current users friends limit has been exceeded.",
    );

    // 12: the requester reached the limit after asking.
    env.friends(&late)
        .request_friendship()
        .target_user_id(other.user.id)
        .await
        .expect("request");
    env.world
        .befriend(late.user.id, free.user.id, false)
        .await
        .expect("late becomes full");
    expect_error(
        env.friends(&other)
            .accept_friend_request()
            .requester_user_id(late.user.id)
            .await,
        400,
        12,
        "The target users friends limit has been exceeded.",
    );
    let counts = env
        .anonymous_friends()
        .get_user_friends_count()
        .user_id(other.user.id)
        .await
        .expect("count");
    assert_eq!(counts.count, Some(0));
}

#[tokio::test]
async fn banned_users_cannot_follow_or_unfollow() {
    let env = Env::new().await;
    let banned = env.user_with(json!({"name": "x", "isBanned": true})).await;
    let star = env.user("star").await;
    env.follow(&banned, &star).await;
    let c = env.friends(&banned);
    let message = "The user is banned from performing operation.";
    let error = expect_error(
        c.follow_user().target_user_id(star.user.id).await,
        403,
        2,
        message,
    );
    assert!(!error.is_retryable());
    expect_error(
        c.unfollow_user().target_user_id(star.user.id).await,
        403,
        2,
        message,
    );
    // The 403 for a ban is no CSRF failure: the SDK learnt the token once, then sent it.
    assert_eq!(env.statuses("follow_user").await, [403, 403]);
    assert_eq!(env.statuses("unfollow_user").await, [403]);
    let count = env
        .anonymous_friends()
        .get_user_followers_count()
        .target_user_id(star.user.id)
        .await
        .expect("count");
    assert_eq!(count.count, Some(1), "the seeded follow is still there");
}

#[tokio::test]
async fn blocks_in_either_direction_are_403_code_3() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let blocker = env.user("blocker").await;
    let blocked = env.user("blocked").await;
    env.friends(&blocker)
        .request_friendship()
        .target_user_id(me.user.id)
        .await
        .expect("request before the block");
    env.world
        .block(blocker.user.id, me.user.id)
        .await
        .expect("block");
    env.world
        .block(me.user.id, blocked.user.id)
        .await
        .expect("block");
    let c = env.friends(&me);
    let message = "The user is blocked from performing this action.";
    for target in [blocker.user.id, blocked.user.id] {
        expect_error(
            c.follow_user().target_user_id(target).await,
            403,
            3,
            message,
        );
        expect_error(
            c.request_friendship().target_user_id(target).await,
            403,
            3,
            message,
        );
    }
    expect_error(
        c.accept_friend_request()
            .requester_user_id(blocker.user.id)
            .await,
        403,
        3,
        message,
    );
    expect_error(
        env.friends(&blocked)
            .follow_user()
            .target_user_id(me.user.id)
            .await,
        403,
        3,
        message,
    );
    let statuses = env
        .anonymous_friends()
        .get_user_friend_statuses()
        .user_id(me.user.id)
        .user_ids(vec![blocker.user.id, blocked.user.id])
        .await
        .expect("statuses");
    assert!(
        statuses
            .data
            .iter()
            .all(|s| s.status
                != Some(social_sdk::friends::types::KnownFriendshipStatus::Friends.into())),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn flood_limit_fault_is_429_code_9_with_retry_after() {
    let env = Env::new().await;
    let star = env.user("star").await;
    let fan = env.user("fan").await;
    env.follow(&fan, &star).await;
    let body = roblox_error(9, FLOOD);
    env.fault(fault("get_user_followers", 429, body.clone(), Some(0)))
        .await;
    let c = env.anonymous_friends();
    let error = expect_error(
        c.get_user_followers().target_user_id(star.user.id).await,
        429,
        9,
        FLOOD,
    );
    assert!(error.is_retryable());
    assert_eq!(
        error.service_error().and_then(|e| e.retry_after),
        Some(std::time::Duration::ZERO)
    );
    // The rule is used up: the next call is answered normally.
    let page = c
        .get_user_followers()
        .target_user_id(star.user.id)
        .await
        .expect("after the fault");
    assert_eq!(page.data.len(), 1);

    // The flat error shape reads the same.
    env.fault(fault(
        "get_user_followers",
        429,
        json!({"code": 9, "message": FLOOD}),
        Some(0),
    ))
    .await;
    expect_error(
        c.get_user_followers().target_user_id(star.user.id).await,
        429,
        9,
        FLOOD,
    );

    // With retries on, the SDK honours `Retry-After: 0` and the call succeeds.
    let retrying = Env::with_retry(StubConfig::default(), RetryPolicy::default()).await;
    let star = retrying.user("star").await;
    retrying
        .fault(fault("get_user_followers", 429, body, Some(0)))
        .await;
    let page = retrying
        .anonymous_friends()
        .get_user_followers()
        .target_user_id(star.user.id)
        .await
        .expect("retried past the 429");
    assert!(page.data.is_empty());
    assert_eq!(retrying.statuses("get_user_followers").await, [429, 200]);
}

#[tokio::test]
async fn followers_disabled_fault_is_503_code_1_and_a_post_is_not_resent() {
    let env = Env::with_retry(StubConfig::default(), RetryPolicy::default()).await;
    let me = env.user("me").await;
    let message = "Followers are disabled at this time.";
    env.fault(fault(
        "get_following_exists",
        503,
        roblox_error(1, message),
        Some(0),
    ))
    .await;
    let c = env.friends(&me);
    let error = expect_error(
        c.get_following_exists()
            .body(FollowingExistsRequest {
                target_user_ids: vec![1],
            })
            .await,
        503,
        1,
        message,
    );
    assert!(error.is_retryable());
    assert_eq!(
        env.statuses("get_following_exists").await,
        [503],
        "a POST that may have acted is not sent twice"
    );
    c.get_following_exists()
        .body(FollowingExistsRequest {
            target_user_ids: vec![1],
        })
        .await
        .expect("after the fault");
}

#[tokio::test]
async fn configured_flood_limit_is_per_user_and_per_minute() {
    let limit = 3;
    let env = Env::with(StubConfig {
        flood_limit_per_minute: limit,
        ..StubConfig::default()
    })
    .await;
    let me = env.user("me").await;
    let other = env.user("other").await;
    let c = env.friends(&me);

    // The world minute may roll over while we call; two windows' worth always suffices.
    async fn flood<T, F: std::future::IntoFuture<Output = Result<T, Error>>>(
        calls: u32,
        mut call: impl FnMut() -> F,
    ) -> Error {
        for _ in 0..calls {
            if let Err(error) = call().await {
                return error;
            }
        }
        panic!("no 429 after {calls} calls");
    }
    let error = flood(2 * (limit + 1), || c.get_my_friend_requests()).await;
    let error = expect_error::<(), i64>(Err(error), 429, 9, FLOOD);
    let wait = error
        .service_error()
        .and_then(|e| e.retry_after)
        .expect("Retry-After");
    assert!(
        (1..=60).contains(&wait.as_secs()),
        "Retry-After {wait:?} is within the minute"
    );

    // Per user: someone else is not limited.
    env.friends(&other)
        .get_my_friend_requests()
        .await
        .expect("another user");

    // Per service: Contacts counts on its own and answers its own code, 10.
    let contacts = env.contacts(&me);
    let error = flood(2 * (limit + 1), || {
        contacts.validate_user_tag().alias("pal")
    })
    .await;
    expect_error::<(), i64>(Err(error), 429, 10, FLOOD);

    // The next world minute lets the user in again.
    env.world
        .advance_clock(std::time::Duration::from_secs(60))
        .await
        .expect("clock");
    c.get_my_friend_requests()
        .await
        .expect("a new minute, a new allowance");
}
