//! The SDK against the stub, booted in-process on `127.0.0.1:0`.
//!
//! One test binary: the suites are the modules of this folder. Every test boots its
//! own stub and works in a world of its own, so tests are independent and run in parallel.

mod authz;
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
    for service in social_stub::SERVICES {
        let url = format!("{}/openapi/{}.yaml", stub.url(), service.spec_name);
        let body = http
            .get(&url)
            .send()
            .await
            .expect("spec")
            .text()
            .await
            .expect("text");
        assert_eq!(body, service.spec, "{url} serves the document as-is");
    }
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
