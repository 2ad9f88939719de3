//! The control plane's transport, shared by every service's control routes: JSON bodies
//! with malformed input answered in the control plane's error shape, the world a route
//! addresses, and [`Refusal`]s as `{"error", "message"}` answers.

use crate::world::{Refusal, RefusalKind, Stub, World};
use axum::Json;
use axum::extract::{Extension, FromRequestParts, RawPathParams};
use axum::http::StatusCode;
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;

/// `{"error": code, "message": …}` with this status.
pub fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"error": code, "message": message.into()})),
    )
        .into_response()
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = match self.kind {
            RefusalKind::Invalid => StatusCode::BAD_REQUEST,
            RefusalKind::NotFound => StatusCode::NOT_FOUND,
            RefusalKind::Conflict => StatusCode::CONFLICT,
        };
        error(status, self.code, self.message)
    }
}

/// `204`, or `400 INVALID_INPUT` with the message.
pub fn done(result: Result<(), String>) -> Response {
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(message) => error(StatusCode::BAD_REQUEST, "INVALID_INPUT", message),
    }
}

/// A JSON body, with malformed input answered in the control plane's error shape.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(error(
                StatusCode::BAD_REQUEST,
                "INVALID_INPUT",
                rejection.body_text(),
            )),
        }
    }
}

/// The stub, as control routes get it.
pub type Shared = Extension<Arc<Stub>>;

/// The world named by the route's `{world}` parameter (unknown: `404 UNKNOWN_WORLD`).
#[derive(Debug, Clone)]
pub struct ControlWorld(pub Arc<World>);

impl<S: Send + Sync> FromRequestParts<S> for ControlWorld {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Some(stub) = parts.extensions.get::<Arc<Stub>>().cloned() else {
            return Err((StatusCode::INTERNAL_SERVER_ERROR, "stub state missing").into_response());
        };
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let id = params
            .iter()
            .find(|(key, _)| *key == "world")
            .map(|(_, value)| value.to_owned())
            .unwrap_or_default();
        stub.worlds
            .find(&id)
            .map(Self)
            .map_err(IntoResponse::into_response)
    }
}

/// Every control-plane error in the control plane's JSON: an answer of 400 or above that is
/// not JSON already (axum's own rejections: `405` with an empty body, `413` and `415` as plain
/// text) becomes `{"error", "message"}` with its status and headers (`Allow` included).
pub async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if status.as_u16() < 400 || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
        .unwrap_or_default();
    let code = match status {
        StatusCode::METHOD_NOT_ALLOWED => "METHOD_NOT_ALLOWED",
        StatusCode::PAYLOAD_TOO_LARGE => "BODY_TOO_LARGE",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "UNSUPPORTED_MEDIA_TYPE",
        StatusCode::NOT_FOUND => "NOT_FOUND",
        s if s.is_client_error() => "INVALID_INPUT",
        _ => "INTERNAL",
    };
    let message = match (status, text.is_empty()) {
        (StatusCode::METHOD_NOT_ALLOWED, true) => {
            "this method is not allowed here; see the Allow header".to_owned()
        }
        (_, true) => status.canonical_reason().unwrap_or("refused").to_owned(),
        (_, false) => text,
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    let mut answer = error(status, code, message);
    for (name, value) in &parts.headers {
        answer.headers_mut().insert(name, value.clone());
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        // The rest of the body is never read: the connection closes after this answer, and
        // saying so keeps a client from sending its next request down it.
        answer.headers_mut().insert(
            header::CONNECTION,
            header::HeaderValue::from_static("close"),
        );
    }
    answer
}

/// With a control token configured, every control-plane request must carry it as
/// `Authorization: Bearer <token>`; otherwise `401 UNAUTHORIZED` (with `WWW-Authenticate`).
pub async fn require_token(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let expected = request
        .extensions()
        .get::<Arc<Stub>>()
        .and_then(|stub| stub.config.control_token.clone());
    if let Some(expected) = expected {
        let given = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if !given.is_some_and(|given| same_secret(given, &expected)) {
            let mut refused = error(
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "the control plane needs `Authorization: Bearer <control token>`",
            );
            refused.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"stub control plane\""),
            );
            return refused;
        }
    }
    next.run(request).await
}

/// Compares two secrets without an early exit on the first differing byte (by their
/// SHA-256 digests, so the length does not leak either).
fn same_secret(given: &str, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}
