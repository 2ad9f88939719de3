//! Friends v1 refusing on the users involved: id limits of friend statuses, invalid ids of
//! `following-exists`, self-targeting and relationship errors, friend limits, banned users and
//! blocks in either direction.

use super::*;

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
