//! `429` storms shorter than the retry budget (recovered on all five services) and longer
//! than it (the typed error).

use super::*;

#[tokio::test]
async fn a_429_storm_shorter_than_the_budget_recovers_on_friends_and_contacts() {
    let env = Faulty::new(RetryPolicy::default().with_max_attempts(5)).await;
    let me = env.roblox("me").await;
    let star = env.roblox("star").await;
    let flood = roblox_error(9, FLOOD);
    env.arm(json!([
        storm("get_user_followers_count", 3, 429, flood.clone(), 2),
        storm("follow_user", 3, 429, flood.clone(), 2),
        storm(
            "set_user_tag",
            2,
            429,
            json!({"code": 9, "message": FLOOD}),
            1
        ),
    ]))
    .await;

    // A GET.
    let count = settle(
        env.friends(&me)
            .get_user_followers_count()
            .target_user_id(star.user.id),
    )
    .await
    .expect("recovers");
    assert_eq!(count.count, Some(0));
    assert_eq!(
        env.statuses("get_user_followers_count").await,
        [429, 429, 429, 200],
        "a storm of 3 then one success: exactly 4 requests"
    );

    // A POST with a cookie and CSRF: the storm comes before the token is learnt, then the
    // CSRF 403 hands it out and the resend succeeds. The follow is applied once.
    let followed = settle(
        env.friends(&me)
            .follow_user()
            .target_user_id(star.user.id)
            .body(CaptchaTokenRequest::default()),
    )
    .await
    .expect("recovers");
    assert_eq!(followed.success, Some(true));
    assert_eq!(
        env.statuses("follow_user").await,
        [429, 429, 429, 403, 200],
        "429s retried, the CSRF 403 resent once, no further request"
    );
    let count = settle(
        env.friends(&me)
            .get_user_followers_count()
            .target_user_id(star.user.id),
    )
    .await
    .expect("count");
    assert_eq!(count.count, Some(1), "the follow was applied once");

    // Contacts, with the flat error shape.
    let contacts = env.contacts(&me);
    settle(contacts.set_user_tag().body(tag(&star, "Shiny")))
        .await
        .expect("recovers");
    assert_eq!(env.statuses("set_user_tag").await, [429, 429, 403, 200]);
    let tags = settle(contacts.get_user_tags().body(GetUserTagsRequest {
        target_user_ids: vec![star.user.id],
    }))
    .await
    .expect("tags");
    assert_eq!(tags.len(), 1, "{tags:?}");
    assert_eq!(tags[0].target_user_tag.as_deref(), Some("Shiny"));

    assert_eq!(
        env.clock.sleeps(),
        [
            [Duration::from_secs(2); 6].as_slice(),
            &[Duration::from_secs(1); 2]
        ]
        .concat(),
        "every wait is the Retry-After the storm sent"
    );
    assert!(env.armed().is_empty(), "every storm is used up");
}

#[tokio::test]
async fn a_429_storm_shorter_than_the_budget_recovers_on_social_party_and_roster() {
    let env = Faulty::new(RetryPolicy::default().with_max_attempts(4)).await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let ann = env.roster_user("ann").await;
    let cy = env.roster_user("cy").await;
    let limited = social_error("RATE_LIMITED", "Too many requests.");
    env.arm(json!([
        storm("get_social_friends", 3, 429, limited.clone(), 0),
        storm("server_send_friend_request", 3, 429, limited.clone(), 0),
        storm("get_party", 2, 429, limited.clone(), 0),
        storm("invite_to_party", 3, 429, limited.clone(), 0),
        storm("server_party_overview", 1, 429, limited.clone(), 0),
        storm(
            "list_roster_blocked",
            3,
            429,
            roster_error(429, "too many requests"),
            0
        ),
        storm(
            "block_roster_user_via_post",
            3,
            429,
            roster_error(429, "too many requests"),
            0
        ),
    ]))
    .await;

    settle(env.social(&alice).get_social_friends())
        .await
        .expect("user route GET recovers");
    let sent = settle(env.social_server().server_send_friend_request().body(
        ServerSendFriendRequestBody {
            actor_id: alice.id,
            target_id: Some(bob.id),
            target_name: None,
            note: None,
        },
    ))
    .await
    .expect("server route POST recovers");
    assert!(sent.id.is_some(), "{sent:?}");
    assert_eq!(env.incoming(&bob).await, 1, "the request was created once");

    let overview = settle(env.party(&alice).get_party())
        .await
        .expect("party GET recovers");
    assert!(overview.party.is_none());
    settle(env.party(&alice).invite_to_party().body(InviteBody {
        target_id: Some(bob.id),
        target_name: None,
    }))
    .await
    .expect("party POST recovers");
    let bobs = settle(
        env.party_server()
            .server_party_overview()
            .body(ServerActorBody { actor_id: bob.id }),
    )
    .await
    .expect("server route recovers");
    assert_eq!(bobs.invites.len(), 1, "invited once: {bobs:?}");

    let roster = env.roster(&ann);
    settle(roster.block_roster_user_via_post().user_id(cy.user.id))
        .await
        .expect("roster POST recovers");
    let blocked = settle(roster.list_roster_blocked())
        .await
        .expect("roster GET recovers");
    assert_eq!(blocked, [cy.user.id]);

    for (operation, storm) in [
        ("get_social_friends", 3),
        ("server_send_friend_request", 3),
        ("get_party", 2),
        ("invite_to_party", 3),
        ("server_party_overview", 1),
        ("list_roster_blocked", 3),
        ("block_roster_user_via_post", 3),
    ] {
        let statuses = env.statuses(operation).await;
        assert_eq!(
            statuses.len(),
            storm + 1,
            "{operation}: the storm, then one success: {statuses:?}"
        );
        assert!(
            statuses[..storm].iter().all(|s| *s == 429),
            "{operation}: {statuses:?}"
        );
        assert!(
            (200..300).contains(&statuses[storm]),
            "{operation}: {statuses:?}"
        );
    }
    assert_eq!(
        env.clock.sleeps(),
        [Duration::ZERO; 18],
        "Retry-After: 0 honoured"
    );
}

#[tokio::test]
async fn a_429_storm_longer_than_the_budget_returns_the_typed_error() {
    // Out of attempts: three tries, then the service's own error with its code.
    let env = Faulty::new(RetryPolicy::default().with_max_attempts(3)).await;
    let me = env.roblox("me").await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let ann = env.roster_user("ann").await;
    let limited = social_error("RATE_LIMITED", "Too many requests.");
    env.arm(json!([
        storm("get_user_friends_count", 10, 429, roblox_error(9, FLOOD), 1),
        storm("send_social_friend_request", 10, 429, limited.clone(), 1),
        storm("create_party", 10, 429, limited.clone(), 1),
        storm(
            "get_roster_user_by_id",
            10,
            429,
            roster_error(429, "slow down"),
            1
        ),
    ]))
    .await;

    let error = settle(
        env.friends(&me)
            .get_user_friends_count()
            .user_id(me.user.id),
    )
    .await
    .expect_err("storm outlasts the attempts");
    assert_status_code(&error, 429, 9);
    assert_eq!(error.message(), Some(FLOOD));
    assert_eq!(
        error.service_error().and_then(|e| e.retry_after),
        Some(Duration::from_secs(1))
    );
    assert!(error.is_retryable());

    let error = settle(
        env.social(&alice)
            .send_social_friend_request()
            .body(ask(&bob)),
    )
    .await
    .expect_err("storm");
    assert_status_code(&error, 429, "RATE_LIMITED");
    assert_eq!(env.incoming(&bob).await, 0, "nothing was applied");

    let error = settle(env.party(&alice).create_party())
        .await
        .expect_err("storm");
    assert_status_code(&error, 429, "RATE_LIMITED");
    assert!(
        settle(env.party(&alice).get_party())
            .await
            .expect("overview")
            .party
            .is_none()
    );

    let error = settle(
        env.roster(&ann)
            .get_roster_user_by_id()
            .user_id(ann.user.id),
    )
    .await
    .expect_err("storm");
    assert_status_code(&error, 429, 429);
    assert_eq!(error.message(), Some("slow down"));

    for operation in [
        "get_user_friends_count",
        "send_social_friend_request",
        "create_party",
        "get_roster_user_by_id",
    ] {
        assert_eq!(
            env.statuses(operation).await,
            [429; 3],
            "{operation}: exactly max_attempts requests"
        );
    }
    assert!(
        env.armed().iter().all(|r| r.count == 7),
        "each storm has 7 answers left: {:?}",
        env.armed()
    );

    // Out of time: the budget (5 s) ends the retries before the attempts (10) do. Tries
    // start at 0 s, 2 s and 4 s; a fourth would start after 6 s.
    let env = Faulty::new(
        RetryPolicy::default()
            .with_max_attempts(10)
            .with_budget(Duration::from_secs(5)),
    )
    .await;
    let me = env.roblox("me").await;
    env.arm(json!([storm(
        "get_user_friends_count",
        10,
        429,
        roblox_error(9, FLOOD),
        2
    )]))
    .await;
    let error = settle(
        env.friends(&me)
            .get_user_friends_count()
            .user_id(me.user.id),
    )
    .await
    .expect_err("storm outlasts the budget");
    assert_status_code(&error, 429, 9);
    assert_eq!(env.statuses("get_user_friends_count").await, [429; 3]);
    assert_eq!(env.clock.sleeps(), [Duration::from_secs(2); 2]);
}
