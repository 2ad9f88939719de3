//! Live WebSocket endpoints (`x-dropshot-websocket` operations). Not built yet: they answer
//! `501` in the neutral error shape.

use crate::http::{Operation, RawRequest, StubError};
use axum::response::{IntoResponse, Response};

/// Handles a live endpoint.
pub async fn upgrade(op: &'static Operation, raw: RawRequest) -> Response {
    let response = StubError::not_implemented(op.id).into_response();
    raw.world
        .log_request(op.spec, op.id, &raw.method, &raw.uri, response.status());
    response
}
