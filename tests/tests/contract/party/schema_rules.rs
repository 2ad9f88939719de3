//! Rules the document once stated in prose only and now holds as schema (issue 15):
//! "`ready=true` requires `profilePrepared=true`" and "`targetId` or `targetName`" (`anyOf`),
//! and the non-blank lobby selection (`minLength`, `pattern`). The document's schema refuses
//! what the rule refuses, and the stub still answers with the documented error name.

use super::*;
use serde_json::{Value, json};
use social_stub::spec::check;

fn body_schema(id: &str) -> &'static Value {
    contract_tests::schema::body("party", id)
}

#[test]
fn the_schema_refuses_what_the_prose_rules_refuse() {
    let ready = body_schema("set_party_ready");
    assert!(
        check(&json!({"ready": true}), ready, "").is_err(),
        "absent counts as false"
    );
    assert!(check(&json!({"ready": true, "profilePrepared": false}), ready, "").is_err());
    assert!(check(&json!({"ready": true, "profilePrepared": true}), ready, "").is_ok());
    assert!(check(&json!({"ready": false}), ready, "").is_ok());
    assert!(
        check(&json!({"profilePrepared": true}), ready, "").is_err(),
        "ready is required"
    );

    for id in ["invite_to_party", "server_invite_to_party"] {
        let invite = body_schema(id);
        let actor = "5ca1ab1e-57a7-4e55-8000-00000000000a";
        assert!(
            check(&json!({"actorId": actor}), invite, "").is_err(),
            "{id}"
        );
        assert!(check(&json!({"actorId": actor, "targetName": " "}), invite, "").is_err());
        assert!(check(&json!({"actorId": actor, "targetName": "bea"}), invite, "").is_ok());
    }

    let selection = body_schema("set_party_lobby_selection");
    assert!(
        check(
            &json!({"targetKind": "minigame", "targetId": "ffa"}),
            selection,
            ""
        )
        .is_ok()
    );
    assert!(check(&json!({"targetKind": "", "targetId": "ffa"}), selection, "").is_err());
    assert!(
        check(
            &json!({"targetKind": "minigame", "targetId": " "}),
            selection,
            ""
        )
        .is_err()
    );
}

/// `body` sent by `player` to `path` (what the SDK never sends): the status and the answer.
async fn raw(
    env: &World,
    player: &CreatedPlayer,
    method: reqwest::Method,
    path: &str,
    body: &str,
) -> (u16, Value) {
    let response = env
        .http
        .request(method, env.url("party", path))
        .bearer_auth(&player.token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

#[tokio::test]
async fn the_stub_answers_the_documented_errors() {
    let env = World::new().await;
    let lead = env.player("lead").await;
    let ready = "/v1/social/party/lobby/ready";
    assert_eq!(
        raw(
            &env,
            &lead,
            reqwest::Method::PUT,
            ready,
            r#"{"ready":true}"#
        )
        .await,
        (
            400,
            json!({"error": "PROFILE_NOT_PREPARED", "message": PROFILE_NOT_PREPARED})
        )
    );
    let (status, body) = raw(&env, &lead, reqwest::Method::PUT, ready, "{}").await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );

    let either =
        json!({"error": "INVALID_INPUT", "message": "Either targetId or targetName is required."});
    for invite in ["{}", r#"{"targetName":" "}"#] {
        let path = "/v1/social/party/invites";
        let answer = raw(&env, &lead, reqwest::Method::POST, path, invite).await;
        assert_eq!(answer, (400, either.clone()), "{invite}");
    }

    let blank = r#"{"targetKind":"minigame","targetId":" "}"#;
    let path = "/v1/social/party/lobby/selection";
    let (status, body) = raw(&env, &lead, reqwest::Method::PUT, path, blank).await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );
}

#[tokio::test]
async fn the_server_invite_route_answers_the_either_rule() {
    let env = World::new().await;
    let lead = env.player("lead").await;
    env.world.register_server(SERVER).await.expect("server");
    let party = env.party(&lead).create_party().await.expect("party");
    assert!(party.party.is_some());
    for body in [
        format!(r#"{{"actorId":"{}"}}"#, lead.id),
        format!(r#"{{"actorId":"{}","targetName":"  "}}"#, lead.id),
    ] {
        let response = env
            .http
            .post(env.url("party", "/v1/social/party/server/invites"))
            .bearer_auth(SECRET)
            .header("x-server-id", SERVER)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status().as_u16(), 400, "{body}");
        let answer: Value = response.json().await.expect("json");
        assert_eq!(
            answer,
            json!({"error": "INVALID_INPUT", "message": "Either targetId or targetName is required."}),
            "{body}"
        );
    }
}
