//! Helpers shared by every module of the `client` test binary.

use serde_json::json;
use social_sdk::{Config, FakeClock, RetryPolicy, Service};
use std::time::Duration;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

pub(crate) fn config(server: &MockServer, clock: &FakeClock, retry: RetryPolicy) -> Config {
    let mut builder = Config::builder()
        .clock(clock.clone())
        .retry(retry)
        .timeout(Duration::from_secs(5));
    for service in Service::ALL {
        builder = builder.base_url(service, server.uri());
    }
    builder.build().expect("config builds")
}

pub(crate) fn captcha() -> social_sdk::friends::types::CaptchaTokenRequest {
    Default::default()
}

/// Every GET gets `first` `n` times, then `then`.
pub(crate) async fn answer_n_times_then(
    server: &MockServer,
    n: u64,
    first: ResponseTemplate,
    then: ResponseTemplate,
) {
    Mock::given(method("GET"))
        .respond_with(first)
        .up_to_n_times(n)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .respond_with(then)
        .with_priority(2)
        .mount(server)
        .await;
}

pub(crate) fn roblox_error(code: i64, message: &str) -> serde_json::Value {
    json!({"errors": [{"code": code, "message": message}]})
}

pub(crate) async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("recording is on")
}

pub(crate) fn header_of(request: &Request, name: &str) -> Option<String> {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
