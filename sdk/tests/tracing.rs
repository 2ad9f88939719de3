//! Each request is a `tracing` span with service, operation, method and attempt; each thing
//! the SDK tolerates in an answer is an event with target `social_sdk::drift` (`warn` when a
//! value was lost, a type mismatch; `info` otherwise). Its own binary: tracing's
//! per-callsite interest cache is process-wide, and a test in another thread without a
//! subscriber could otherwise disable the span or event for this one.

use serde_json::json;
use social_sdk::{Auth, Config, RetryPolicy, Service};
use std::sync::{Arc, Mutex};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("lock").clone()).expect("utf8")
    }
}

/// Output of this thread's events and spans that pass `filter`, until the guard drops.
fn traced(filter: &str) -> (Captured, tracing::subscriber::DefaultGuard) {
    let out = Captured::default();
    let writer = out.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    (out, tracing::subscriber::set_default(subscriber))
}

fn friends(server: &MockServer, retry: RetryPolicy) -> social_sdk::friends::Client {
    Config::builder()
        .base_url(Service::Friends, server.uri())
        .retry(retry)
        .build()
        .expect("config")
        .friends(Auth::none())
}

#[tokio::test]
async fn each_attempt_is_traced_with_service_operation_and_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 1})))
        .with_priority(2)
        .mount(&server)
        .await;
    let (out, _guard) = traced("debug");
    friends(&server, RetryPolicy::default())
        .get_user_friends_count()
        .user_id(1)
        .await
        .expect("ok");
    let text = out.text();
    assert!(text.contains("social_sdk.request{service=\"friends\" operation=\"get_user_friends_count\" method=GET attempt=1"), "{text}");
    assert!(text.contains("retrying"), "{text}");
    assert!(text.contains("status=429"), "{text}");
}

#[tokio::test]
async fn drift_is_a_tracing_event_with_operation_path_kind_and_detail() {
    let server = MockServer::start().await;
    let body = json!({"data": [
        {"id": 1, "isBanned": "no", "created": "2024-03-24T02:25:33.0950000", "shoeSize": 44}
    ]});
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let (out, _guard) = traced("social_sdk::drift=info");
    let page = friends(&server, RetryPolicy::disabled())
        .get_user_followers()
        .target_user_id(1)
        .await
        .expect("decodes");
    assert_eq!(page.data[0].is_banned, None);

    let text = out.text();
    let line = |kind: &str| {
        text.lines()
            .find(|l| l.contains(&format!("kind=\"{kind}\"")))
            .unwrap_or_else(|| panic!("no {kind} event in {text}"))
            .to_owned()
    };
    let mismatch = line("type_mismatch");
    assert!(mismatch.contains("WARN social_sdk::drift"), "{mismatch}");
    assert!(
        mismatch.contains("operation=\"get_user_followers\""),
        "{mismatch}"
    );
    assert!(mismatch.contains("path=\"data[].isBanned\""), "{mismatch}");
    assert!(mismatch.contains("detail="), "{mismatch}");
    let naive = line("naive_timestamp");
    assert!(naive.contains("INFO social_sdk::drift"), "{naive}");
    assert!(naive.contains("path=\"data[].created\""), "{naive}");
    let unknown = line("unknown_field");
    assert!(unknown.contains("path=\"data[].shoeSize\""), "{unknown}");
}
