//! What is retried and what is never resent: `503`s by method, answers slower than the
//! timeout, and a connection reset in the middle of a body.

use super::*;

#[tokio::test]
async fn a_503_is_retried_for_idempotent_methods_and_never_resent_for_posts_or_patches() {
    let env = Faulty::new(RetryPolicy::default()).await;
    let me = env.roblox("me").await;
    let you = env.roblox("you").await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let ann = env.roster_user("ann").await;
    let cy = env.roster_user("cy").await;
    let unavailable = social_error("UNAVAILABLE", "Try again later.");
    let roster_down = roster_error(503, "unavailable");
    env.arm(json!([
        down(
            "get_user_friends_count",
            2,
            roblox_error(0, "Service unavailable")
        ),
        down("get_roster_user_by_id", 2, roster_down.clone()),
        down("block_roster_user", 1, roster_down.clone()),
        down("list_blocks", 1, unavailable.clone()),
        down(
            "request_friendship",
            1,
            roblox_error(0, "Service unavailable")
        ),
        down("send_social_friend_request", 1, unavailable.clone()),
        down("update_profile_settings", 1, unavailable.clone()),
        down("server_create_party", 1, unavailable.clone()),
        down("block_roster_user_via_post", 1, roster_down.clone()),
    ]))
    .await;

    // Idempotent methods: GET (Roblox, roster, social) and PUT (roster) go again.
    settle(
        env.friends(&me)
            .get_user_friends_count()
            .user_id(me.user.id),
    )
    .await
    .expect("GET retried");
    settle(env.roster(&ann).get_roster_user_by_id().user_id(cy.user.id))
        .await
        .expect("roster GET retried");
    settle(env.roster(&ann).block_roster_user().user_id(cy.user.id))
        .await
        .expect("PUT retried");
    settle(env.social(&alice).list_blocks())
        .await
        .expect("GET retried");
    assert_eq!(
        env.statuses("get_user_friends_count").await,
        [503, 503, 200]
    );
    assert_eq!(env.statuses("get_roster_user_by_id").await, [503, 503, 200]);
    assert_eq!(env.statuses("block_roster_user").await, [503, 200]);
    assert_eq!(env.statuses("list_blocks").await, [503, 200]);
    assert_eq!(env.clock.sleeps().len(), 6, "one backoff per retry");

    // POST and PATCH: the service may have acted, so the 503 is returned, sent once.
    let error = settle(
        env.friends(&me)
            .request_friendship()
            .target_user_id(you.user.id)
            .body(FriendshipRequest::default()),
    )
    .await
    .expect_err("503");
    assert_status_code(&error, 503, 0);
    assert!(error.is_retryable(), "the caller may retry: {error:?}");
    let error = settle(
        env.social(&alice)
            .send_social_friend_request()
            .body(ask(&bob)),
    )
    .await
    .expect_err("503");
    assert_status_code(&error, 503, "UNAVAILABLE");
    let error = settle(
        env.social(&alice)
            .update_profile_settings()
            .body(ProfileSettingsPatch {
                allow_friend_requests: Some(false),
                privacy: None,
            }),
    )
    .await
    .expect_err("503");
    assert_status_code(&error, 503, "UNAVAILABLE");
    let error = settle(
        env.party_server()
            .server_create_party()
            .body(ServerActorBody { actor_id: alice.id }),
    )
    .await
    .expect_err("503");
    assert_status_code(&error, 503, "UNAVAILABLE");
    let error = settle(
        env.roster(&ann)
            .block_roster_user_via_post()
            .user_id(cy.user.id),
    )
    .await
    .expect_err("503");
    assert_status_code(&error, 503, 503);
    for operation in [
        "request_friendship",
        "send_social_friend_request",
        "update_profile_settings",
        "server_create_party",
        "block_roster_user_via_post",
    ] {
        assert_eq!(
            env.statuses(operation).await,
            [503],
            "{operation}: not sent twice"
        );
    }
    assert_eq!(env.clock.sleeps().len(), 6, "no backoff for a POST's 503");

    // Nothing was applied by the refused calls; sending again applies each exactly once.
    assert_eq!(env.incoming(&bob).await, 0);
    settle(
        env.social(&alice)
            .send_social_friend_request()
            .body(ask(&bob)),
    )
    .await
    .expect("sent by the caller again");
    assert_eq!(env.incoming(&bob).await, 1);
    let settings = settle(env.social(&alice).get_profile_settings())
        .await
        .expect("settings");
    assert_ne!(
        settings.allow_friend_requests,
        Some(false),
        "the PATCH did not apply"
    );
    assert!(
        settle(env.party(&alice).get_party())
            .await
            .expect("overview")
            .party
            .is_none(),
        "no party was created"
    );
    settle(
        env.friends(&me)
            .request_friendship()
            .target_user_id(you.user.id)
            .body(FriendshipRequest::default()),
    )
    .await
    .expect("sent by the caller again");
    let pending = settle(env.friends(&you).get_pending_friend_requests_count())
        .await
        .expect("count");
    assert_eq!(pending.count, Some(1), "one friend request, not two");
}

// Slow answers

#[tokio::test]
async fn a_slow_answer_past_the_timeout_is_a_typed_timeout_and_one_within_it_succeeds() {
    let env = Faulty::with_timeout(RetryPolicy::default(), Duration::from_millis(800)).await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let ann = env.roster_user("ann").await;
    env.arm(json!([
        slow("get_party", 1, 50),
        slow("list_roster_blocked", 1, 50),
        slow("get_social_friends", 1, 5000),
        slow("send_social_friend_request", 2, 5000),
        slow("create_party", 2, 5000),
    ]))
    .await;
    let no_retries = env.config_with(RetryPolicy::disabled());
    let (party, roster, social) = (env.party(&alice), env.roster(&ann), env.social(&alice));
    let party_once = no_retries.party(Auth::bearer(alice.token.as_str()));
    let (overview, blocked, friends, sent, created) = tokio::join!(
        settle(party.get_party()),
        settle(roster.list_roster_blocked()),
        settle(social.get_social_friends()),
        settle(social.send_social_friend_request().body(ask(&bob))),
        settle(party_once.create_party()),
    );
    overview.expect("50 ms is within the timeout");
    blocked.expect("50 ms is within the timeout");
    friends.expect("the GET timed out once and was sent again");
    for error in [
        sent.expect_err("the POST times out"),
        created.expect_err("times out"),
    ] {
        assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
        assert!(error.is_retryable(), "{error:?}");
        assert_eq!(error.status(), None);
    }
    let left: Vec<(String, u32)> = env
        .armed()
        .into_iter()
        .map(|r| (r.operation, r.count))
        .collect();
    assert_eq!(
        left,
        [
            ("send_social_friend_request".to_owned(), 1),
            ("create_party".to_owned(), 1)
        ],
        "the GET's slow answer was used up by one attempt; each POST reached the stub once"
    );
    assert_eq!(env.clock.sleeps().len(), 1, "only the GET backed off");
}

// Connection reset in the middle of a body

#[tokio::test]
async fn a_reset_mid_body_is_a_transport_error_for_posts_and_retried_for_gets() {
    let env = Faulty::new(RetryPolicy::default()).await;
    let me = env.roblox("me").await;
    let you = env.roblox("you").await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let ann = env.roster_user("ann").await;
    let reset = |operation: &str| json!({"operation": operation, "reset": true});
    env.arm(json!([
        reset("get_user_followers_count"),
        reset("get_roster_user_by_id"),
        reset("get_party"),
        reset("follow_user"),
        reset("set_user_tag"),
        reset("send_social_friend_request"),
        reset("create_party"),
        reset("block_roster_user_via_post"),
    ]))
    .await;

    // GETs: the cut body is read inside the retry loop and the request sent again.
    let count = settle(
        env.friends(&me)
            .get_user_followers_count()
            .target_user_id(you.user.id),
    )
    .await
    .expect("retried past the reset");
    assert_eq!(count.count, Some(0));
    settle(
        env.roster(&ann)
            .get_roster_user_by_id()
            .user_id(ann.user.id),
    )
    .await
    .expect("retried past the reset");
    settle(env.party(&alice).get_party())
        .await
        .expect("retried past the reset");
    for operation in [
        "get_user_followers_count",
        "get_roster_user_by_id",
        "get_party",
    ] {
        assert_eq!(
            env.statuses(operation).await.len(),
            2,
            "{operation}: sent twice"
        );
    }
    assert_eq!(env.clock.sleeps().len(), 3);

    // POSTs: a transport error, sent once, nothing applied (the rule answered instead of the
    // service).
    let error = settle(
        env.friends(&me)
            .follow_user()
            .target_user_id(you.user.id)
            .body(CaptchaTokenRequest::default()),
    )
    .await
    .expect_err("reset");
    assert_transport(&error);
    let error = settle(env.contacts(&me).set_user_tag().body(tag(&you, "cut")))
        .await
        .expect_err("reset");
    assert_transport(&error);
    let error = settle(
        env.social(&alice)
            .send_social_friend_request()
            .body(ask(&bob)),
    )
    .await
    .expect_err("reset");
    assert_transport(&error);
    let error = settle(env.party(&alice).create_party())
        .await
        .expect_err("reset");
    assert_transport(&error);
    let error = settle(
        env.roster(&ann)
            .block_roster_user_via_post()
            .user_id(ann.user.id + 1),
    )
    .await
    .expect_err("reset");
    assert_transport(&error);
    for operation in [
        "follow_user",
        "set_user_tag",
        "send_social_friend_request",
        "create_party",
        "block_roster_user_via_post",
    ] {
        assert_eq!(
            env.statuses(operation).await.len(),
            1,
            "{operation}: not sent twice"
        );
    }
    assert_eq!(env.clock.sleeps().len(), 3, "no backoff for a POST");
    assert_eq!(env.incoming(&bob).await, 0);
    let followers = settle(
        env.friends(&me)
            .get_user_followers_count()
            .target_user_id(you.user.id),
    )
    .await
    .expect("count");
    assert_eq!(followers.count, Some(0), "the follow was not applied");

    // With retries off, a GET's reset is reported as the same transport error.
    env.arm(json!([reset("get_party")])).await;
    let error = settle(
        env.config_with(RetryPolicy::disabled())
            .party(Auth::bearer(alice.token.as_str()))
            .get_party(),
    )
    .await
    .expect_err("reset, no retries");
    assert_transport(&error);
}
