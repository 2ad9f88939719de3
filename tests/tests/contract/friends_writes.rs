//! Friends v1 mutating operations and the friend-request lifecycle.

use contract_tests::prelude::*;
use futures::TryStreamExt;
use social_sdk::friends::types::{
    CaptchaStatusResponse, FriendshipOriginSourceType, FriendshipRequest, FriendshipStatus,
    KnownFriendshipOriginSourceType, KnownFriendshipStatus,
};

fn captcha_ok() -> CaptchaStatusResponse {
    CaptchaStatusResponse {
        success: Some(true),
        is_captcha_required: Some(false),
    }
}

async fn status_between(env: &Env, of: i64, with: i64) -> Option<FriendshipStatus> {
    env.anonymous_friends()
        .get_user_friend_statuses()
        .user_id(of)
        .user_ids(vec![with])
        .await
        .expect("statuses")
        .data
        .first()
        .and_then(|s| s.status.clone())
}

fn known(s: KnownFriendshipStatus) -> Option<FriendshipStatus> {
    Some(s.into())
}

#[tokio::test]
async fn request_accept_statuses_unfriend() {
    let env = Env::new().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let mutual = env.user("mutual").await;
    env.befriend(&alice, &mutual).await;
    env.befriend(&bob, &mutual).await;
    let a = env.friends(&alice);
    let b = env.friends_bearer(&bob);

    let sent = a
        .request_friendship()
        .target_user_id(bob.user.id)
        .body(FriendshipRequest {
            friendship_origin_source_type: Some(KnownFriendshipOriginSourceType::InGame.into()),
        })
        .await
        .expect("request sent");
    assert_eq!(sent, captcha_ok());
    // Sending it again changes nothing.
    a.request_friendship()
        .target_user_id(bob.user.id)
        .await
        .expect("duplicate request is accepted");
    assert_eq!(
        status_between(&env, alice.user.id, bob.user.id).await,
        known(KnownFriendshipStatus::RequestSent)
    );
    assert_eq!(
        status_between(&env, bob.user.id, alice.user.id).await,
        known(KnownFriendshipStatus::RequestReceived)
    );

    let pending = b
        .get_pending_friend_requests_count()
        .await
        .expect("pending count");
    assert_eq!(pending.count, Some(1));
    let requests = b.get_my_friend_requests().await.expect("requests");
    assert_eq!(requests.data.len(), 1);
    let r = &requests.data[0];
    assert_eq!(r.id, Some(alice.user.id));
    assert_eq!(r.name.as_deref(), Some("alice"));
    assert_eq!(r.mutual_friends_list, ["mutual"]);
    let fr = r.friend_request.as_ref().expect("friendRequest");
    assert_eq!(fr.sender_id, Some(alice.user.id));
    assert_eq!(
        fr.origin_source_type,
        Some(FriendshipOriginSourceType::from(
            KnownFriendshipOriginSourceType::InGame
        ))
    );
    assert!(fr.sent_at.is_some());

    let accepted = b
        .accept_friend_request()
        .requester_user_id(alice.user.id)
        .await
        .expect("accepted");
    assert!(accepted.is_empty(), "success body is {{}}: {accepted:?}");
    for (x, y) in [(&alice, &bob), (&bob, &alice)] {
        assert_eq!(
            status_between(&env, x.user.id, y.user.id).await,
            known(KnownFriendshipStatus::Friends)
        );
    }
    assert_eq!(
        a.get_my_friends_count().await.expect("count").count,
        Some(2)
    );
    assert_eq!(
        b.get_pending_friend_requests_count()
            .await
            .expect("pending")
            .count,
        Some(0)
    );
    let listed = b
        .get_user_friends()
        .user_id(bob.user.id)
        .await
        .expect("friends");
    assert!(listed.data.iter().any(|u| u.id == Some(alice.user.id)));

    let gone = a
        .unfriend_user()
        .target_user_id(bob.user.id)
        .await
        .expect("unfriended");
    assert!(gone.is_empty());
    assert_eq!(
        status_between(&env, bob.user.id, alice.user.id).await,
        known(KnownFriendshipStatus::NotFriends)
    );
    assert_eq!(
        a.get_my_friends_count().await.expect("count").count,
        Some(1)
    );
    let multiget = env
        .anonymous_friends()
        .multiget_are_friends()
        .user_id(alice.user.id)
        .body(social_sdk::friends::types::MultigetAreFriendsRequest {
            target_user_ids: vec![bob.user.id, mutual.user.id],
        })
        .await
        .expect("multiget");
    assert_eq!(multiget.friends_id, [mutual.user.id]);
}

#[tokio::test]
async fn a_request_to_someone_who_already_asked_accepts_theirs() {
    let env = Env::new().await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    env.friends(&alice)
        .request_friendship()
        .target_user_id(bob.user.id)
        .await
        .expect("alice asks");
    env.friends(&bob)
        .request_friendship()
        .target_user_id(alice.user.id)
        .await
        .expect("bob asks back");
    assert_eq!(
        status_between(&env, alice.user.id, bob.user.id).await,
        known(KnownFriendshipStatus::Friends)
    );
    assert_eq!(
        env.friends(&bob)
            .get_pending_friend_requests_count()
            .await
            .expect("pending")
            .count,
        Some(0)
    );
}

#[tokio::test]
async fn decline_one_and_decline_all() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let askers = env.users("asker", 4).await;
    for a in &askers {
        env.friends(a)
            .request_friendship()
            .target_user_id(me.user.id)
            .await
            .expect("request");
    }
    let client = env.friends(&me);
    assert_eq!(
        client
            .get_pending_friend_requests_count()
            .await
            .expect("pending")
            .count,
        Some(4)
    );

    let declined = client
        .decline_friend_request()
        .requester_user_id(askers[0].user.id)
        .await
        .expect("declined");
    assert!(declined.is_empty());
    assert_eq!(
        status_between(&env, askers[0].user.id, me.user.id).await,
        known(KnownFriendshipStatus::NotFriends)
    );
    assert_eq!(
        client
            .get_pending_friend_requests_count()
            .await
            .expect("pending")
            .count,
        Some(3)
    );
    // Declining it again: there is no such request any more.
    expect_error(
        client
            .decline_friend_request()
            .requester_user_id(askers[0].user.id)
            .await,
        400,
        10,
        "The friend request does not exist.",
    );

    let all = client
        .decline_all_friend_requests()
        .await
        .expect("declined all");
    assert_ne!(all.backgrounded, Some(true), "{all:?}");
    assert_eq!(
        client
            .get_pending_friend_requests_count()
            .await
            .expect("pending")
            .count,
        Some(0)
    );
    assert!(
        client
            .get_my_friend_requests()
            .await
            .expect("requests")
            .data
            .is_empty()
    );
    for a in &askers {
        assert_eq!(
            status_between(&env, me.user.id, a.user.id).await,
            known(KnownFriendshipStatus::NotFriends)
        );
    }
    assert_eq!(
        client.get_my_friends_count().await.expect("count").count,
        Some(0)
    );
}

#[tokio::test]
async fn follow_and_unfollow_are_idempotent() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let star = env.user("star").await;
    let client = env.friends(&me);
    let count = || async {
        env.anonymous_friends()
            .get_user_followers_count()
            .target_user_id(star.user.id)
            .await
            .expect("count")
            .count
    };

    for _ in 0..2 {
        let answer = client
            .follow_user()
            .target_user_id(star.user.id)
            .await
            .expect("follow");
        assert_eq!(answer, captcha_ok());
        assert_eq!(count().await, Some(1));
    }
    let followers: Vec<_> = env
        .anonymous_friends()
        .get_user_followers()
        .target_user_id(star.user.id)
        .stream()
        .try_collect()
        .await
        .expect("followers");
    assert_eq!(
        followers.iter().map(|u| u.id).collect::<Vec<_>>(),
        [Some(me.user.id)]
    );
    let followings = env
        .anonymous_friends()
        .get_user_followings_count()
        .target_user_id(me.user.id)
        .await
        .expect("followings");
    assert_eq!(followings.count, Some(1));

    for _ in 0..2 {
        let answer = client
            .unfollow_user()
            .target_user_id(star.user.id)
            .await
            .expect("unfollow");
        assert!(answer.is_empty());
        assert_eq!(count().await, Some(0));
    }
    let exists = client
        .get_following_exists()
        .body(social_sdk::friends::types::FollowingExistsRequest {
            target_user_ids: vec![star.user.id],
        })
        .await
        .expect("exists");
    assert_eq!(exists.followings[0].is_following, Some(false));
}

#[tokio::test]
async fn new_friend_requests_count_resets_after_listing() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let askers = env.users("asker", 3).await;
    let client = env.friends(&me);
    let new_count = || async {
        client
            .get_new_friend_requests_count()
            .await
            .expect("new count")
            .count
    };
    assert_eq!(new_count().await, Some(0));
    for a in &askers[..2] {
        env.friends(a)
            .request_friendship()
            .target_user_id(me.user.id)
            .await
            .expect("request");
    }
    assert_eq!(new_count().await, Some(2));
    // Counting does not reset it; listing does.
    assert_eq!(new_count().await, Some(2));
    let listed = client.get_my_friend_requests().await.expect("list");
    assert_eq!(listed.data.len(), 2);
    assert_eq!(new_count().await, Some(0));
    // Still pending, though.
    assert_eq!(
        client
            .get_pending_friend_requests_count()
            .await
            .expect("pending")
            .count,
        Some(2)
    );
    env.friends(&askers[2])
        .request_friendship()
        .target_user_id(me.user.id)
        .await
        .expect("request");
    assert_eq!(new_count().await, Some(1));
    assert_eq!(
        client
            .get_pending_friend_requests_count()
            .await
            .expect("pending")
            .count,
        Some(3)
    );
}
