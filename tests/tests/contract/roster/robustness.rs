//! Racing accepts make one friendship; rejected input is an HTTP 200 envelope with code
//! 10002.

use super::*;

#[tokio::test]
async fn racing_accepts_make_one_friendship() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im
        .user_with(json!({"username": "bob", "authMode": 1}))
        .await;
    apply(&im.client(&ann), &bob).await.expect("apply");
    let (b1, b2) = (im.client(&bob), im.admin_as(&bob));
    let (one, two) = tokio::join!(
        b1.accept_roster_application()
            .user_id(ann.user.id)
            .into_future(),
        b2.accept_roster_application_via_post()
            .user_id(ann.user.id)
            .into_future(),
    );
    let outcomes = [one, two];
    assert_eq!(
        outcomes.iter().filter(|r| r.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    let loser = outcomes.into_iter().find(Result::is_err).expect("one lost");
    expect_code(loser, NO_APPLICATION);
    assert_eq!(friend_ids(&im.client(&ann)).await, [bob.user.id]);
    assert_eq!(friend_ids(&im.client(&bob)).await, [ann.user.id]);
}

#[tokio::test]
async fn rejected_input_is_a_200_envelope_with_code_10002() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let app = im.app.app_id.as_str();
    let auth = |r: reqwest::RequestBuilder| {
        r.header("access-token", ann.token.as_str())
            .header("app_id", app)
    };
    let cases = [
        auth(im.raw(reqwest::Method::GET, "/roster/id?user_id=abc")),
        auth(im.raw(reqwest::Method::GET, "/roster/id")),
        auth(im.raw(
            reqwest::Method::GET,
            "/roster/id?user_id=99999999999999999999",
        )),
        auth(im.raw(reqwest::Method::GET, "/roster/list?limit=x")),
        auth(im.raw(reqwest::Method::GET, "/roster/blocked_list")).header("user_id", "abc"),
        auth(im.raw(reqwest::Method::POST, "/roster/apply"))
            .header("content-type", "application/json")
            .body("{not json"),
        auth(im.raw(reqwest::Method::POST, "/roster/apply"))
            .header("content-type", "text/plain")
            .body("{\"user_id\": 1}"),
        auth(im.raw(reqwest::Method::POST, "/roster/apply")).json(&json!({"user_id": "one"})),
        auth(im.raw(reqwest::Method::POST, "/roster/apply")).json(&json!({"reason": "no id"})),
        auth(im.raw(reqwest::Method::POST, "/roster/apply/batch")).json(&json!({"user_id": 1})),
        auth(im.raw(reqwest::Method::PUT, "/roster/ext"))
            .json(&json!({"user_id": 1, "mute_notification": "yes"})),
        auth(im.raw(reqwest::Method::POST, "/roster/list")).json(&json!({"list": [1, "x"]})),
    ];
    for request in cases {
        let built = request.build().expect("request");
        let what = format!("{} {}", built.method(), built.url());
        let response = im.http.execute(built).await.expect("sent");
        assert_eq!(response.status(), 200, "{what}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["code"], BAD_PARAMETER, "{what}: {body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{what}: {body}"
        );
        let nullable_data = !what.contains("/roster/id") && !what.contains("/apply/batch");
        assert_eq!(body.get("data").is_some(), nullable_data, "{what}: {body}");
    }
    // Credentials are checked before the input.
    let response = im
        .raw(reqwest::Method::GET, "/roster/id?user_id=abc")
        .header("app_id", app)
        .send()
        .await
        .expect("sent");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["code"], MISSING_TOKEN, "{body}");
    // Success carries `message: null`.
    let response = auth(im.raw(reqwest::Method::GET, "/roster/blocked_list"))
        .send()
        .await
        .expect("sent");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body, json!({"code": 200, "data": [], "message": null}));
    // A wrong method is 405 with Allow.
    let response = auth(im.raw(reqwest::Method::PATCH, "/roster/accept?user_id=1"))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 405);
    assert!(response.headers().contains_key("allow"));
}
