//! The SDK against the stub, booted in-process on `127.0.0.1:0`.
//!
//! One test binary: the modules under `contract/` are declared here. Every test boots its
//! own stub and works in a world of its own, so tests are independent and run in parallel.

#[path = "contract/support.rs"]
mod support;

#[path = "contract/authz.rs"]
mod authz;
#[path = "contract/clock.rs"]
mod clock;
#[path = "contract/concurrency.rs"]
mod concurrency;
#[path = "contract/contacts.rs"]
mod contacts;
#[path = "contract/csrf.rs"]
mod csrf;
#[path = "contract/errors.rs"]
mod errors;
#[path = "contract/faults.rs"]
mod faults;
#[path = "contract/friends_reads.rs"]
mod friends_reads;
#[path = "contract/friends_writes.rs"]
mod friends_writes;
#[path = "contract/hostile.rs"]
mod hostile;
#[path = "contract/live.rs"]
mod live;
#[path = "contract/paging.rs"]
mod paging;
#[path = "contract/party.rs"]
mod party_world;
#[path = "contract/regressions.rs"]
mod regressions;
#[path = "contract/roster.rs"]
mod roster_world;
#[path = "contract/social.rs"]
mod social_world;

use social_sdk::{ClientContext, party};
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
    let client = party::Client::new(&base, ClientContext::default());
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
