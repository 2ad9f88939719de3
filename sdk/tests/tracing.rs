//! Each request is a `tracing` span with service, operation, method and attempt. Its own
//! binary: tracing's per-callsite interest cache is process-wide, and a test in another
//! thread without a subscriber could otherwise disable the span for this one.

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
    let out = Captured::default();
    let writer = out.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let config = Config::builder()
        .base_url(Service::Friends, server.uri())
        .retry(RetryPolicy::default())
        .build()
        .expect("config");
    config
        .friends(Auth::none())
        .get_user_friends_count()
        .user_id(1)
        .await
        .expect("ok");
    let text = String::from_utf8(out.0.lock().expect("lock").clone()).expect("utf8");
    assert!(text.contains("social_sdk.request{service=\"friends\" operation=\"get_user_friends_count\" method=GET attempt=1"), "{text}");
    assert!(text.contains("retrying"), "{text}");
    assert!(text.contains("status=429"), "{text}");
}
