//! Friends and Contacts refusing the request itself: `401` without a session, unknown
//! users (`400` code 1), invalid parameters (`400` code 6).

use super::*;

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
