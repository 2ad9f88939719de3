//! Error shapes: every documented error body (and the undocumented ones) becomes a typed
//! [`social_sdk::Error`] keeping the raw body.

use crate::support::{config, requests, roblox_error};
use serde_json::json;
use social_sdk::{Auth, Error, FakeClock, RetryPolicy};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn every_error_shape_becomes_a_typed_error_with_the_raw_body() {
    let server = MockServer::start().await;
    let roblox = roblox_error(6, "Invalid parameters.");
    Mock::given(path("/v1/users/1/followers"))
        .respond_with(ResponseTemplate::new(400).set_body_json(roblox.clone()))
        .mount(&server)
        .await;
    Mock::given(path("/v1/my/friends/count"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"code": 0, "message": "Authorization has been denied for this request."}),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/v1/social/friends/requests"))
        .respond_with(ResponseTemplate::new(409).set_body_json(
            json!({"error": "FRIEND_LIMIT_REACHED", "message": "Friend limit reached."}),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/roster/id"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"code": 10000, "data": null, "message": "user does not exist"}),
            ),
        )
        .mount(&server)
        .await;
    Mock::given(path("/v1/users/2/friends/count"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .mount(&server)
        .await;
    Mock::given(path("/v1/users/3/friends/count"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#""many""#))
        .mount(&server)
        .await;
    Mock::given(path("/v1/users/4/friends/count"))
        .respond_with(ResponseTemplate::new(418).set_body_string("short and stout"))
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let config = config(&server, &clock, RetryPolicy::disabled());
    let friends = config.friends(Auth::roblox_cookie("c"));

    let e = friends
        .get_user_followers()
        .target_user_id(1)
        .await
        .expect_err("400");
    assert_eq!(
        (e.status().map(|s| s.as_u16()), e.message()),
        (Some(400), Some("Invalid parameters."))
    );
    assert!(e.code().is_some_and(|c| *c == 6));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(e.body().expect("body")).expect("json"),
        roblox
    );

    let e = friends.get_my_friends_count().await.expect_err("401");
    assert!(e.code().is_some_and(|c| *c == 0), "flat shape: {e:?}");

    let social = config.social_friends(Auth::bearer("p"));
    let body = social_sdk::social_friends::types::SendFriendRequestBody {
        target_name: Some("Alex".into()),
        ..Default::default()
    };
    let e = social
        .send_social_friend_request()
        .body(body)
        .await
        .expect_err("409");
    assert!(
        e.code().is_some_and(|c| *c == "FRIEND_LIMIT_REACHED"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "send_social_friend_request: HTTP 409 Conflict, code FRIEND_LIMIT_REACHED: Friend limit reached."
    );

    let roster = config.roster(Auth::roster("app", "t"));
    let e = roster
        .get_roster_user_by_id()
        .user_id(9)
        .await
        .expect_err("business error");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(200));
    assert!(e.code().is_some_and(|c| *c == 10000));
    assert_eq!(e.message(), Some("user does not exist"));

    let e = friends
        .get_user_friends_count()
        .user_id(2)
        .await
        .expect_err("502");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(
        e.body().map(|b| b.as_ref()),
        Some(&b"<html>bad gateway</html>"[..])
    );
    assert!(e.is_retryable());

    let e = friends
        .get_user_friends_count()
        .user_id(3)
        .await
        .expect_err("does not decode");
    assert!(
        matches!(&e, Error::Decode { body, .. } if body.as_ref() == br#""many""#),
        "{e:?}"
    );

    let e = friends
        .get_user_friends_count()
        .user_id(4)
        .await
        .expect_err("418");
    assert!(
        matches!(&e, Error::UnexpectedResponse { status, .. } if status.as_u16() == 418),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_missing_required_parameter_is_an_invalid_request_not_a_panic() {
    let server = MockServer::start().await;
    let clock = FakeClock::new();
    let e = config(&server, &clock, RetryPolicy::disabled())
        .friends(Auth::none())
        .get_user_friends_count()
        .await
        .expect_err("user_id is required");
    assert!(
        matches!(&e, Error::InvalidRequest { message, .. } if message.contains("user_id")),
        "{e:?}"
    );
    assert!(requests(&server).await.is_empty());
}
