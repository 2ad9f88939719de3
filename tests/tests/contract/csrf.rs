//! The CSRF contract: raw behaviour of the stub, and the SDK's transparent token handling.

use contract_tests::prelude::*;
use serde_json::json;
use social_sdk::contacts::types::SetUserTagRequest;
use std::time::Duration;

#[tokio::test]
async fn a_post_without_a_token_gets_403_code_0_and_the_current_token() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let star = env.user("star").await;
    let path = format!("/v1/users/{}/follow", star.user.id);

    let response = env
        .raw_post("friends", &path, Some(&me), None, json!({}))
        .await;
    let (status, code, message, header) = raw_error(response).await;
    assert_eq!((status, code, message.as_str()), (403, 0, TOKEN_FAILED));
    let token = header.expect("the 403 carries x-csrf-token");
    assert_eq!(
        token,
        env.csrf(&me).await,
        "it is the session's current token"
    );

    let response = env
        .raw_post("friends", &path, Some(&me), Some("stale-token"), json!({}))
        .await;
    let (status, code, _, header) = raw_error(response).await;
    assert_eq!((status, code), (403, 0), "a wrong token fails the same way");
    assert_eq!(header.as_deref(), Some(token.as_str()));

    let response = env
        .raw_post("friends", &path, Some(&me), Some(&token), json!({}))
        .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(body, json!({"success": true, "isCaptchaRequired": false}));

    // Contacts follows the same rule, with the same token for the same session.
    let response = env
        .raw_post(
            "contacts",
            "/v1/user/tag",
            Some(&me),
            None,
            json!({"targetUserId": star.user.id, "userTag": "pal"}),
        )
        .await;
    let (status, code, _, header) = raw_error(response).await;
    assert_eq!((status, code), (403, 0));
    assert_eq!(header.as_deref(), Some(token.as_str()));

    // GETs need no token.
    let response = env
        .raw_get("friends", "/v1/my/friends/count", Some(&me))
        .await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn the_sdk_fetches_the_token_once_and_reuses_it() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let stars = env.users("star", 3).await;
    let client = env.friends(&me);
    for star in &stars {
        client
            .follow_user()
            .target_user_id(star.user.id)
            .await
            .expect("follow");
    }
    assert_eq!(
        env.statuses("follow_user").await,
        [403, 200, 200, 200],
        "one 403 teaches the token; later POSTs send it straight away"
    );
    // A clone shares the token; a client for another session learns its own.
    client
        .clone()
        .unfollow_user()
        .target_user_id(stars[0].user.id)
        .await
        .expect("unfollow");
    assert_eq!(env.statuses("unfollow_user").await, [200]);
    env.friends_bearer(&me)
        .unfollow_user()
        .target_user_id(stars[1].user.id)
        .await
        .expect("unfollow with the bearer session");
    assert_eq!(env.statuses("unfollow_user").await, [200, 403, 200]);
    let count = env
        .anonymous_friends()
        .get_user_followings_count()
        .target_user_id(me.user.id)
        .await
        .expect("count");
    assert_eq!(count.count, Some(1));
}

#[tokio::test]
async fn concurrent_first_posts_share_one_token_fetch() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let stars = env.users("star", 5).await;
    let client = env.friends(&me);
    let calls = stars
        .iter()
        .map(|s| client.follow_user().target_user_id(s.user.id).into_future());
    let results = futures::future::join_all(calls).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let mut statuses = env.statuses("follow_user").await;
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 403]);
}

#[tokio::test]
async fn a_token_rotated_mid_session_is_refreshed_transparently() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let star = env.user("star").await;
    let other = env.user("other").await;
    let friends = env.friends(&me);
    let contacts = env.contacts(&me);
    friends
        .follow_user()
        .target_user_id(star.user.id)
        .await
        .expect("follow");
    let before = env.csrf(&me).await;

    // Past the 30-minute lifetime the token the SDK holds is stale.
    env.world
        .advance_clock(Duration::from_secs(1801))
        .await
        .expect("clock");
    let after = env.csrf(&me).await;
    assert_ne!(before, after, "the token rotated");
    friends
        .follow_user()
        .target_user_id(other.user.id)
        .await
        .expect("follow after rotation");
    assert_eq!(
        env.statuses("follow_user").await,
        [403, 200, 403, 200],
        "the stale token got a 403 carrying the new one, and the SDK resent once"
    );
    friends
        .unfollow_user()
        .target_user_id(star.user.id)
        .await
        .expect("unfollow");
    assert_eq!(env.statuses("unfollow_user").await, [200], "new token kept");

    // A raw request with the old token fails; with the new one it passes.
    let path = format!("/v1/users/{}/unfollow", other.user.id);
    let (status, code, _, header) = raw_error(
        env.raw_post("friends", &path, Some(&me), Some(&before), json!({}))
            .await,
    )
    .await;
    assert_eq!((status, code), (403, 0));
    assert_eq!(header.as_deref(), Some(after.as_str()));

    // Contacts shares the session's token but this client has not learnt it yet.
    contacts
        .set_user_tag()
        .body(SetUserTagRequest {
            target_user_id: star.user.id,
            user_tag: "pal".into(),
        })
        .await
        .expect("tag");
    assert_eq!(env.statuses("set_user_tag").await, [403, 200]);
    let followings = env
        .anonymous_friends()
        .get_user_followings_count()
        .target_user_id(me.user.id)
        .await
        .expect("count");
    assert_eq!(followings.count, Some(1));
}

#[tokio::test]
async fn permission_403s_never_carry_a_token_and_are_not_resent() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let enemy = env.user("enemy").await;
    env.world
        .block(enemy.user.id, me.user.id)
        .await
        .expect("block");
    let token = env.csrf(&me).await;

    let path = format!("/v1/users/{}/follow", enemy.user.id);
    let (status, code, _, header) = raw_error(
        env.raw_post("friends", &path, Some(&me), Some(&token), json!({}))
            .await,
    )
    .await;
    assert_eq!((status, code, header), (403, 3, None));

    let (status, code, message, header) = raw_error(
        env.raw_post(
            "contacts",
            "/v1/user/tag",
            Some(&me),
            Some(&token),
            json!({"targetUserId": me.user.id, "userTag": "me"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code, message.as_str(), header),
        (403, 5, "The user cannot tag themselves.", None)
    );

    // Through the SDK: learn the token, then the permission 403 comes back as an error
    // without a second attempt.
    let client = env.friends(&me);
    expect_error(
        client.follow_user().target_user_id(enemy.user.id).await,
        403,
        3,
        "The user is blocked from performing this action.",
    );
    expect_error(
        client.follow_user().target_user_id(enemy.user.id).await,
        403,
        3,
        "The user is blocked from performing this action.",
    );
    // raw, then SDK: CSRF 403 + blocked 403, then blocked 403 alone.
    assert_eq!(env.statuses("follow_user").await, [403, 403, 403, 403]);
}
