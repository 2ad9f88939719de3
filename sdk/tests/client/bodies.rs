//! Request bodies: JSON sent as the document says.

use crate::support::config;
use serde_json::json;
use social_sdk::{Auth, FakeClock, RetryPolicy};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn a_json_body_is_sent_as_the_document_says() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/user/following-exists"))
        .and(body_json(json!({"targetUserIds": [1, 2]})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"followings": [{"userId": 1, "isFollowing": true}]})),
        )
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let client = config(&server, &clock, RetryPolicy::disabled()).friends(Auth::roblox_cookie("c"));
    let body = social_sdk::friends::types::FollowingExistsRequest {
        target_user_ids: vec![1, 2],
    };
    let answer = client.get_following_exists().body(body).await.expect("ok");
    assert_eq!(
        answer.followings.first().and_then(|f| f.is_following),
        Some(true)
    );
}
