//! The control plane's transport, shared by every service's control routes: JSON bodies
//! with malformed input answered in the control plane's error shape, the world a route
//! addresses, and [`Refusal`]s as `{"error", "message"}` answers.

use crate::world::{Refusal, RefusalKind, Stub, World};
use axum::Json;
use axum::extract::{Extension, FromRequestParts, RawPathParams};
use axum::http::StatusCode;
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
