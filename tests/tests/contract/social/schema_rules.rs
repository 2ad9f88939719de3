//! Rules the document once stated in prose only and now holds as schema (issue 15): the
//! friend request body's "`targetId` or `targetName`" (`anyOf`) and the 24-hex request id
//! (`pattern`). The document's schema refuses what the rule refuses, and the stub still
//! answers it with the documented error and message.

use super::*;
use social_stub::spec::check;

const BODY_RULE: &str = "targetId or targetName is required.";
const SERVER_BODY_RULE: &str = "actorId and targetId or targetName are required.";

fn body_schema(id: &str) -> &'static Value {
    contract_tests::schema::body("social-friends", id)
}

#[test]
fn the_schema_refuses_a_body_without_a_target() {
    for id in [
        "send_social_friend_request",
        "server_send_friend_request",
        "server_accept_friend_request",
        "server_remove_friend",
    ] {
        let schema = body_schema(id);
        let actor = "5ca1ab1e-57a7-4e55-8000-00000000000a";
        assert!(
            check(&json!({"actorId": actor}), schema, "").is_err(),
            "{id}: no target"
        );
        assert!(
            check(&json!({"actorId": actor, "targetName": " \t"}), schema, "").is_err(),
            "{id}: a blank name counts as absent"
        );
        assert!(check(&json!({"actorId": actor, "targetName": "bob"}), schema, "").is_ok());
        assert!(check(&json!({"actorId": actor, "targetId": actor}), schema, "").is_ok());
        assert!(
            check(
                &json!({"actorId": actor, "targetId": actor, "targetName": ""}),
                schema,
                ""
            )
            .is_ok(),
            "{id}: targetId wins"
        );
    }
}

#[test]
fn the_schema_refuses_a_request_id_that_is_not_24_hex() {
    let id =
        contract_tests::schema::parameter("social-friends", "accept_social_friend_request", "id");
    assert!(check(&json!("0123456789abcdef01234567"), id, "").is_ok());
    assert!(
        check(&json!("0123456789ABCDEF01234567"), id, "").is_ok(),
        "either case"
    );
    assert!(
        check(&json!("0123456789abcdef0123456"), id, "").is_err(),
        "23"
    );
    assert!(check(&json!("0123456789abcdef0123456g"), id, "").is_err());
}

#[tokio::test]
async fn the_stub_answers_the_documented_errors() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    for body in ["{}", r#"{"targetName":"  "}"#, r#"{"note":"hi"}"#] {
        let (status, answer) = env
            .raw(
                reqwest::Method::POST,
                "/v1/social/friends/requests",
                Some(&alice.token),
                Some(body),
            )
            .await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(
            answer,
            json!({"error": "INVALID_INPUT", "message": BODY_RULE})
        );
    }
    // A plain schema problem keeps the generic answer with what was wrong.
    let (status, answer) = env
        .raw(
            reqwest::Method::POST,
            "/v1/social/friends/requests",
            Some(&alice.token),
            Some(r#"{"targetId":"nope"}"#),
        )
        .await;
    assert_eq!((status, &answer["error"]), (400, &json!("INVALID_INPUT")));
    assert_ne!(answer["message"], BODY_RULE);
    for action in ["accept", "decline"] {
        let (status, answer) = env
            .raw(
                reqwest::Method::POST,
                &format!("/v1/social/friends/requests/not-an-object-id/{action}"),
                Some(&alice.token),
                None,
            )
            .await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(
            answer,
            json!({"error": "INVALID_INPUT", "message": "Invalid request id."})
        );
    }
    // Server route: credentials first, then the documented body answer.
    let response = env
        .http
        .post(env.url("/v1/social/friends/server/requests"))
        .bearer_auth(SECRET)
        .header("x-server-id", SERVER)
        .header("content-type", "application/json")
        .body(format!(r#"{{"actorId":"{}"}}"#, alice.id))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 400);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(
        answer,
        json!({"error": "INVALID_INPUT", "message": SERVER_BODY_RULE})
    );
}

/// The `RequestId` pattern takes either case (`[0-9a-fA-F]`), and so does the stub: an
/// upper-case spelling of a request's id names the same request.
#[tokio::test]
async fn a_request_id_in_upper_case_names_the_same_request() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let sent = send(&env.client(&alice), &bob).await.expect("sent");
    let id = sent.id.expect("the request's id");
    let upper = id.to_uppercase();
    assert!(
        check(
            &json!(upper),
            contract_tests::schema::parameter(
                "social-friends",
                "accept_social_friend_request",
                "id"
            ),
            ""
        )
        .is_ok()
    );
    let (status, answer) = env
        .raw(
            reqwest::Method::POST,
            &format!("/v1/social/friends/requests/{upper}/accept"),
            Some(&bob.token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["id"],
        json!(id),
        "the id as the stub writes it: {answer}"
    );
}
