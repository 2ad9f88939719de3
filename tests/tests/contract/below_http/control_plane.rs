//! The control plane's own refusals are its documented JSON, and a control token closes it.
//! Before the fix a 2 MiB chunked body got `413 text/plain` and a wrong method an empty `405`;
//! there was no token at all.

use contract_tests::env::Env;
use serde_json::Value;
use social_stub::StubConfig;

async fn json_of(response: reqwest::Response) -> (u16, reqwest::header::HeaderMap, Value) {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

#[tokio::test]
async fn refusals_below_the_routes_are_the_control_planes_json() {
    let env = Env::new().await;
    let base = format!("{}/__stub", env.stub().url());
    // 2 MiB + 1 in chunks: over the body limit, announced by no Content-Length.
    let chunks =
        futures::stream::iter((0..33).map(|_| Ok::<_, std::io::Error>(vec![b' '; 65_536])));
    let response = env
        .http
        .post(format!("{base}/worlds"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .expect("answered");
    let (status, headers, body) = json_of(response).await;
    assert_eq!(
        (status, &body["error"]),
        (413, &Value::from("BODY_TOO_LARGE")),
        "{body}"
    );
    assert_eq!(
        headers.get("connection").and_then(|v| v.to_str().ok()),
        Some("close"),
        "the unread rest of the body ends the connection, and the answer says so"
    );

    let response = env
        .http
        .patch(format!("{base}/worlds"))
        .send()
        .await
        .expect("answered");
    let (status, headers, body) = json_of(response).await;
    assert_eq!(status, 405);
    assert_eq!(body["error"], "METHOD_NOT_ALLOWED", "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(headers.get("allow").is_some(), "Allow kept: {headers:?}");
}

#[tokio::test]
async fn with_a_control_token_the_control_plane_needs_it_and_the_services_do_not() {
    let env = Env::with(StubConfig {
        control_token: Some("control-sekrit".into()),
        ..StubConfig::default()
    })
    .await;
    // The harness's own client carries the token: the world exists.
    let state = format!("{}/__stub/worlds/{}/state", env.stub().url(), env.world.id);
    for token in [None, Some("wrong"), Some("control-sekrit-but-longer")] {
        let mut request = env.http.get(&state);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let (status, headers, body) = json_of(request.send().await.expect("answered")).await;
        assert_eq!(status, 401, "token {token:?}");
        assert_eq!(body["error"], "UNAUTHORIZED");
        assert!(headers.get("www-authenticate").is_some());
    }
    let response = env
        .http
        .get(&state)
        .bearer_auth("control-sekrit")
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status(), 200);
    let health = env
        .http
        .get(format!("{}/healthz", env.stub().url()))
        .send()
        .await
        .expect("answered");
    assert_eq!(health.status(), 200, "the services need no control token");
}
