//! The live operations' answers other than `101`, each as the document gives it: a plain HTTP
//! GET (no WebSocket handshake) is `426` with `Upgrade: websocket` and the service's
//! `ErrorBody`; a bad `interval` is `400 INVALID_INPUT`; auth is judged first (`401`), then the
//! parameters, then the handshake (openapi/README.md "Live endpoints").

use contract_tests::env::Env;
use serde_json::{Value, json};

/// (document stem, service, operationId, path) of every live operation.
const LIVE: [(&str, &str, &str, &str); 2] = [
    (
        "social-friends",
        "social-friends",
        "social_friends_live",
        "/v1/social/friends/live",
    ),
    ("party", "party", "party_live", "/v1/social/party/live"),
];

/// The documented response of `status` on the live operation at `path`.
fn documented(spec: &str, path: &str, status: u16) -> &'static Value {
    let doc = social_stub::spec::document(spec).expect("document");
    let response = &doc["paths"][path]["get"]["responses"][status.to_string()];
    assert!(response.is_object(), "{spec} {path} documents {status}");
    response
}

/// The single error name the document lists on `status`, and its message.
fn documented_error(spec: &str, path: &str, status: u16) -> (String, String) {
    let codes = documented(spec, path, status)["x-error-codes"]
        .as_array()
        .expect("x-error-codes");
    assert_eq!(codes.len(), 1, "{spec} {path} {status}: one error name");
    (
        codes[0]["error"].as_str().expect("name").to_owned(),
        codes[0]["message"].as_str().expect("message").to_owned(),
    )
}

/// Asserts a JSON `ErrorBody` answer with the documented name and message of `status`.
async fn assert_documented_error(
    spec: &str,
    path: &str,
    status: u16,
    response: reqwest::Response,
) -> reqwest::header::HeaderMap {
    assert_eq!(response.status().as_u16(), status, "{spec} {path}");
    let response_doc = documented(spec, path, status);
    assert_eq!(
        response_doc["content"]["application/json"]["schema"]["$ref"],
        json!("#/components/schemas/ErrorBody"),
        "{spec} {path} {status} is documented as ErrorBody"
    );
    let headers = response.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        content_type.starts_with("application/json"),
        "{spec} {path} {status}: content type {content_type:?}"
    );
    let body: Value = response.json().await.expect("json body");
    let (name, message) = documented_error(spec, path, status);
    assert_eq!(
        body,
        json!({"error": name, "message": message}),
        "{spec} {path} {status}"
    );
    headers
}

fn get(env: &Env, service: &str, path: &str, token: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .get(format!("{}{path}", env.world.service_url(service)))
        .header("authorization", format!("Bearer {token}"))
}

/// A valid WebSocket handshake's headers (reqwest does not follow the upgrade: only the
/// status before it matters here).
fn handshake(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    request
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
}

#[tokio::test]
async fn a_plain_get_is_426_with_the_upgrade_header_and_the_service_error() {
    let env = Env::new().await;
    let player = env.player("plain").await;
    for (spec, service, operation, path) in LIVE {
        for query in ["", "?interval=5"] {
            let response = get(&env, service, &format!("{path}{query}"), &player.token)
                .send()
                .await
                .expect("answer");
            let headers = assert_documented_error(spec, path, 426, response).await;
            assert_eq!(
                headers.get("upgrade").and_then(|v| v.to_str().ok()),
                Some("websocket"),
                "{operation}: 426 names the protocol to upgrade to"
            );
            assert_eq!(
                headers
                    .get("sec-websocket-version")
                    .and_then(|v| v.to_str().ok()),
                Some("13"),
                "{operation}"
            );
            assert!(
                documented(spec, path, 426)["headers"]["Upgrade"].is_object(),
                "{operation} documents the Upgrade header"
            );
        }
        // A handshake with a version the server does not speak is no handshake either.
        let response = get(&env, service, path, &player.token)
            .header("connection", "upgrade")
            .header("upgrade", "websocket")
            .header("sec-websocket-version", "8")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
            .send()
            .await
            .expect("answer");
        assert_documented_error(spec, path, 426, response).await;
        assert_eq!(
            env.statuses(operation).await,
            vec![426, 426, 426],
            "{operation}: every refusal is logged"
        );
    }
}

#[tokio::test]
async fn auth_is_judged_before_the_handshake() {
    let env = Env::new().await;
    for (spec, service, _, path) in LIVE {
        // No handshake and no valid token: the 401, not the 426.
        let response = get(&env, service, path, "nope")
            .send()
            .await
            .expect("answer");
        assert_documented_error(spec, path, 401, response).await;
        let response = reqwest::Client::new()
            .get(format!("{}{path}", env.world.service_url(service)))
            .send()
            .await
            .expect("answer");
        assert_documented_error(spec, path, 401, response).await;
    }
}

#[tokio::test]
async fn an_interval_that_is_not_an_int32_is_400_before_the_handshake() {
    let env = Env::new().await;
    let player = env.player("interval").await;
    for (spec, service, _, path) in LIVE {
        for bad in ["2147483648", "-2147483649", "abc", "1.5", "5&interval=6"] {
            let url = format!("{path}?interval={bad}");
            // With and without a handshake: the parameter is judged first.
            let response = get(&env, service, &url, &player.token)
                .send()
                .await
                .expect("answer");
            assert_documented_error(spec, path, 400, response).await;
            let response = handshake(get(&env, service, &url, &player.token))
                .send()
                .await
                .expect("answer");
            assert_documented_error(spec, path, 400, response).await;
        }
        // An `int32` out of [1, 60] is clamped, not rejected: a handshake is upgraded.
        for fine in ["0", "-5", "2147483647"] {
            let response = handshake(get(
                &env,
                service,
                &format!("{path}?interval={fine}"),
                &player.token,
            ))
            .send()
            .await
            .expect("answer");
            assert_eq!(response.status().as_u16(), 101, "{path}?interval={fine}");
        }
    }
}
