//! The SDK against the stub, booted in-process on `127.0.0.1:0`.
//!
//! One test binary: the suites are the modules of this folder. Every test boots its
//! own stub and works in a world of its own, so tests are independent and run in parallel.

mod authz;
mod below_http;
mod captures;
mod clock;
mod concurrency;
mod contacts;
mod csrf;
mod errors;
mod examples;
mod faults;
mod fidelity;
mod friends_reads;
mod friends_writes;
mod hostile;
mod live;
mod live_refusals;
mod paging;
mod party;
mod regressions;
mod roster;
mod schema_rules;
mod social;

use social_sdk::ClientContext;
use social_stub::RunningStub;

#[tokio::test]
async fn stub_reports_healthy_and_serves_every_spec() {
    let stub = RunningStub::start().await.expect("stub starts");
    let http = reqwest::Client::new();
    let health = http
        .get(format!("{}/healthz", stub.url()))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
    let mut companions = 0;
    for service in social_stub::SERVICES {
        let documents = [
            (format!("{}.yaml", service.spec_name), Some(service.spec)),
            (
                format!("{}.live.yaml", service.spec_name),
                service.live_spec,
            ),
        ];
        for (file, text) in documents {
            let url = format!("{}/openapi/{file}", stub.url());
            let response = http.get(&url).send().await.expect("spec");
            let Some(text) = text else {
                assert_eq!(response.status(), 404, "{url}: no companion document");
                continue;
            };
            companions += usize::from(file.ends_with(".live.yaml"));
            let body = response.text().await.expect("text");
            assert_eq!(body, text, "{url} serves the document as-is");
        }
    }
    assert_eq!(
        companions, 2,
        "social-friends and party have live companions"
    );
}

#[tokio::test]
async fn unknown_world_is_a_404_through_the_sdk() {
    let stub = RunningStub::start().await.expect("stub starts");
    let base = format!("{}/w/no-such-world/party", stub.url());
    let client = social_sdk::party::Client::new(&base, ClientContext::default());
    let error = client
        .get_party()
        .await
        .expect_err("the world does not exist");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404), "{error:?}");
    assert!(
        error.code().is_some_and(|c| *c == "UNKNOWN_WORLD"),
        "{error:?}"
    );
    assert!(!error.is_retryable());
}

/// What an HTTP tool reads (`<stem>.yaml`) holds only operations it can send: the WebSocket
/// operations are in the live companions, and the stub's index holds both, merged.
#[test]
fn websocket_operations_live_in_the_companion_documents() {
    for service in social_stub::SERVICES {
        let main: serde_json::Value = serde_yaml_ng::from_str(service.spec).expect("yaml");
        assert!(
            !service.spec.contains("x-dropshot-websocket"),
            "{}.yaml holds a WebSocket operation",
            service.spec_name
        );
        assert!(main["paths"].is_object(), "{}", service.spec_name);
        let Some(live) = service.live_spec else {
            continue;
        };
        let live: serde_json::Value = serde_yaml_ng::from_str(live).expect("yaml");
        for item in live["paths"].as_object().expect("paths").values() {
            let op = &item["get"];
            assert!(op.get("x-dropshot-websocket").is_some(), "{op}");
            let id = op["operationId"].as_str().expect("id");
            let merged = social_stub::spec::operation(service.spec_name, id).expect("merged");
            let error = "/responses/401/content/application~1json/schema/properties/error";
            assert!(
                merged.raw.pointer(error).is_some(),
                "{id}: its `ErrorBody` reference resolves in the merged document"
            );
            assert!(!merged.raw.to_string().contains(".yaml#"), "{id}");
        }
    }
}

/// Repeated reads come from the world's answer cache until something changes, and the
/// control plane turns the cache off per world. (A long age bound: a slow machine must not
/// make the stored answers too old to serve.)
#[tokio::test]
async fn repeated_reads_come_from_the_answer_cache_until_a_change() {
    let env = contract_tests::prelude::Env::with(social_stub::StubConfig {
        answer_cache_max_age_ms: 600_000,
        ..social_stub::StubConfig::default()
    })
    .await;
    let alice = env.user("alice").await;
    let bob = env.user("bob").await;
    let world = env.in_process();
    let read = || async {
        env.anonymous_friends()
            .get_user_friends()
            .user_id(alice.user.id)
            .await
            .expect("friends")
            .data
            .len()
    };
    assert_eq!(read().await, 0);
    let hits = world.answer_cache_hits();
    assert_eq!(read().await, 0);
    assert_eq!(
        world.answer_cache_hits(),
        hits + 1,
        "the second read was served"
    );
    env.befriend(&alice, &bob).await;
    assert_eq!(read().await, 1, "a change ends the stored answer");
    assert!(!env.world.set_answer_cache(false).await.expect("off"));
    let hits = world.answer_cache_hits();
    assert_eq!(read().await, 1);
    assert_eq!(read().await, 1);
    assert_eq!(world.answer_cache_hits(), hits, "off: every read computed");
    assert!(env.world.set_answer_cache(true).await.expect("on"));
}
