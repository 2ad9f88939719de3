//! The request pipeline every generated route runs: fault rules, validation against the
//! document, the service call, the answer, the request log, and the live hub's turn.

use super::{RawRequest, RequestContext, StubError};
use crate::spec::{Invalid, Operation};
use crate::world::Fault;
use axum::body::{Body, Bytes};
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
        None => answer(op, &mut raw, invalid, call).await,
    };
    raw.world.log_request(
        op.spec,
        op.id,
        op.method,
        super::extract::target(&raw.uri),
        response.status().as_u16(),
    );
    // Whatever a mutating request changed that a live frame shows is pushed now, once it is
    // done (the world knows whether anything did).
    if raw.method != axum::http::Method::GET {
        raw.world.publish();
    }
    response
}

/// Headers no service reads, left out of the answer cache's key: they vary between clients
/// (and between requests of one client) without changing an answer.
const UNREAD_HEADERS: &[&str] = &[
    "user-agent",
    "accept-encoding",
    "connection",
    "keep-alive",
    "content-length",
    "traceparent",
    "tracestate",
];

/// The answer cache's key of a request: the operation, the path and query, and every header
/// but [`UNREAD_HEADERS`], as received.
fn cache_key(op: &Operation, raw: &RawRequest) -> Box<[u8]> {
    let mut key = Vec::with_capacity(256);
    key.extend_from_slice(op.id.as_bytes());
    key.push(0);
    let target = super::extract::target(&raw.uri);
    key.extend_from_slice(target.as_bytes());
    for (name, value) in &raw.headers {
        if UNREAD_HEADERS.contains(&name.as_str()) {
            continue;
        }
        key.push(0);
        key.extend_from_slice(name.as_str().as_bytes());
        key.push(b':');
        key.extend_from_slice(value.as_bytes());
    }
    key.into_boxed_slice()
}

/// The answer of a request no fault rule replaced: from the world's answer cache when the
/// operation is a pure read and nothing changed since its answer was stored, else validated
/// and computed by the service (and stored, when it may be).
async fn answer<I, O, Inv, F, Fut>(
    op: &'static Operation,
    raw: &mut RawRequest,
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
    let key = (op.cacheable && raw.world.answer_cache_enabled()).then(|| cache_key(op, raw));
    let generation = raw.world.generation();
    let started = std::time::Instant::now();
    let status = StatusCode::from_u16(op.success).unwrap_or(StatusCode::OK);
    if let Some(hit) = key
        .as_deref()
        .and_then(|key| raw.world.cached_answer(key, generation))
    {
        return json(status, hit);
    }
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
    let input = match parsed {
        Err(problem) => return invalid(&ctx, &problem).into_response(),
        Ok(input) => input,
    };
    let as_set = std::sync::Arc::clone(&ctx.as_set);
    // A pure read locks the state for reading, cache or not (its locks move no generation).
    let outcome = match op.cacheable {
        true => crate::world::reading(call(ctx, input)).await,
        false => call(ctx, input).await,
    };
    let output = match outcome {
        Ok(output) => output,
        Err(error) => return error.into_response(),
    };
    if status == StatusCode::NO_CONTENT {
        return status.into_response();
    }
    match encode(op, &output, !RequestContext::is_set(&as_set)) {
        Ok(body) => {
            if let Some(key) = key {
                raw.world
                    .store_answer(key, generation, started, body.clone());
            }
            json(status, body)
        }
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

/// A JSON answer.
fn json(status: StatusCode, body: Bytes) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        Body::from(body),
    )
        .into_response()
}

/// The success body; `complete`: fill in what the generated types leave out
/// ([`crate::spec::complete_response`]).
fn encode<O: Serialize>(op: &Operation, output: &O, complete: bool) -> serde_json::Result<Bytes> {
    match complete {
        true => crate::spec::response_bytes(op.spec, op.id, output),
        false => serde_json::to_vec(output),
    }
    .map(Bytes::from)
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
