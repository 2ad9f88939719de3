//! An error answer in a service's own shape, and how it goes on the wire.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error answer in a service's own shape: each service maps its own refusals to one of
/// these at its boundary (`api`), with the status and body its document gives them.
#[derive(Debug, Clone)]
pub struct StubError {
    /// Status.
    pub status: StatusCode,
    /// JSON body.
    pub body: Value,
    /// Extra headers (`x-csrf-token`, `Retry-After`).
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl StubError {
    /// An error with this status and body.
    pub fn new(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body,
            headers: Vec::new(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers.push((HeaderName::from_static(name), value));
        }
        self
    }

    /// `{"error": NAME, "message": …}` (the social and party shape), with the message the
    /// document gives that name on that status of the operation.
    pub fn named(spec: &str, operation: &str, status: StatusCode, name: &str) -> Self {
        debug_assert!(
            crate::spec::documents_status(spec, operation, status.as_u16()),
            "{operation} does not document {status}"
        );
        let message = crate::spec::error_name_message(spec, operation, status.as_u16(), name)
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_owned());
        Self::new(status, json!({"error": name, "message": message}))
    }
}

impl IntoResponse for StubError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}
