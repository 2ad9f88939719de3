//! The request pipeline every generated route runs: fault rules, validation against the
//! document, the service call, the answer, the request log, and the live hub's turn.

use super::{RawRequest, RequestContext, StubError};
use crate::spec::{Invalid, Operation};
use crate::world::Fault;
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::future::Future;

/// Validates, dispatches and answers one request.
pub async fn handle<I, O, Inv, F, Fut>(
    op: &'static Operation,
    mut raw: RawRequest,
    invalid: Inv,
    call: F,
) -> Response
where
    I: DeserializeOwned,
    O: Serialize,
    Inv: FnOnce(&RequestContext, &Invalid) -> StubError,
    F: FnOnce(RequestContext, I) -> Fut,
    Fut: Future<Output = Result<O, StubError>>,
{
    let fault = raw.world.take_fault(op.spec, op.id);
    if let Some(delay) = fault.as_ref().and_then(Fault::delay) {
        tokio::time::sleep(delay).await;
    }
    let response = match fault.and_then(fault_response) {
        Some(faulted) => faulted,
        None => {
            let parsed = raw.parse::<I>(op);
            // Validation was the last reader of the headers: they move, not copy.
            let ctx = RequestContext {
                world: raw.world.clone(),
                stub: raw.stub.clone(),
                headers: std::mem::take(&mut raw.headers),
                method: raw.method.clone(),
                spec: op.spec,
                operation: op.id,
                as_set: Default::default(),
            };
            match parsed {
                Err(problem) => invalid(&ctx, &problem).into_response(),
                Ok(input) => {
                    let as_set = std::sync::Arc::clone(&ctx.as_set);
                    match call(ctx, input).await {
                        Ok(output) => success(op, &output, !RequestContext::is_set(&as_set)),
                        Err(error) => error.into_response(),
                    }
                }
            }
        }
    };
    raw.world.log_request(
        op.spec,
        op.id,
        raw.method.as_str(),
        raw.uri.to_string(),
        response.status().as_u16(),
    );
    // Whatever a mutating request changed that a live frame shows is pushed now, once it is
    // done (the world knows whether anything did).
    if raw.method != axum::http::Method::GET {
        raw.world.publish();
    }
    response
}

/// The success answer; `complete`: fill in what the generated types leave out
/// ([`crate::spec::complete_response`]).
fn success<O: Serialize>(op: &Operation, output: &O, complete: bool) -> Response {
    let status = StatusCode::from_u16(op.success).unwrap_or(StatusCode::OK);
    if status == StatusCode::NO_CONTENT {
        return status.into_response();
    }
    let value = serde_json::to_value(output).map(|mut value| {
        if complete {
            crate::spec::complete_response(op.spec, op.id, &mut value);
        }
        value
    });
    match value.and_then(|value| serde_json::to_vec(&value)) {
        Ok(bytes) => (
            status,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            Body::from(bytes),
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "a response did not serialise");
            StubError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"error": "INTERNAL"}),
            )
            .into_response()
        }
    }
}

/// The status answer a fired rule sets, if any (ignoring `reset`).
pub(crate) fn fault_status(fault: &Fault) -> Option<Response> {
    let status = StatusCode::from_u16(fault.status()?).ok()?;
    let mut response = match fault.body() {
        Some(body) => (status, axum::Json(body.clone())).into_response(),
        None => status.into_response(),
    };
    if let Some(seconds) = fault.retry_after() {
        response
            .headers_mut()
            .insert("retry-after", HeaderValue::from(seconds));
    }
    Some(response)
}

/// The response that replaces the service's, if the fired rule sets one.
pub(crate) fn fault_response(fault: Fault) -> Option<Response> {
    if fault.resets() {
        // The error must come after hyper has flushed the status line, the headers and
        // the first chunk: an error it can poll at once makes it drop the connection with
        // nothing written. A body that is pending once (`yield_now`) gets them flushed.
        let half = futures::stream::iter([Ok(axum::body::Bytes::from_static(b"{\"partial\":"))]);
        let cut = futures::stream::once(async {
            tokio::task::yield_now().await;
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "fault rule: reset",
            ))
        });
        let broken = futures::StreamExt::chain(half, cut);
        let mut response = Response::new(Body::from_stream(broken));
        response
            .headers_mut()
            .insert("content-type", HeaderValue::from_static("application/json"));
        return Some(response);
    }
    fault_status(&fault)
}
