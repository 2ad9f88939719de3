//! Flood limits and disabled followers: the `429` and `503` faults and the configured
//! per-user, per-minute flood limit.

use super::*;

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
