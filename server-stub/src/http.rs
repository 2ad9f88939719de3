//! What every generated route shares: reading the raw request, validating it against the
//! document (`crate::validate`), faults and the request log, and turning the service's
//! answer (or its error) into an HTTP response.

use crate::Stub;
use crate::world::{Fault, World};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::fmt;
use std::future::Future;
use std::sync::Arc;

/// The largest request body the stub reads (larger: `413` in the service's shape).
pub const BODY_LIMIT: usize = 64 * 1024;

/// One operation of a document, as the generated router describes it.
#[derive(Debug)]
pub struct Operation {
    /// File stem of the document (`friends`, `social-friends`, …).
    pub spec: &'static str,
    /// `operationId`.
    pub id: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Status of the success response.
    pub success: u16,
}

/// What a service implementation gets besides its typed input.
#[derive(Clone, Debug)]
pub struct RequestContext {
    /// The world the request addressed.
    pub world: Arc<World>,
    /// The stub (settings and all worlds).
    pub stub: Arc<Stub>,
    /// The request headers (auth, CSRF).
    pub headers: HeaderMap,
    /// The request method.
    pub method: Method,
    /// The document (`friends`, `social-friends`, …).
    pub spec: &'static str,
    /// The operation.
    pub operation: &'static str,
}

impl RequestContext {
    /// `{"error": NAME, "message": …}` for this operation (see [`StubError::named`]).
    pub fn named_error(&self, status: StatusCode, name: &str) -> StubError {
        StubError::named(self.spec, self.operation, status, name)
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The token of `Authorization: Bearer <token>`.
    pub fn bearer(&self) -> Option<&str> {
        let value = self.header("authorization")?;
        let (scheme, token) = value.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    }

    /// A cookie's value.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .get_all("cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// Whether the method changes state (and so needs the Roblox CSRF token).
    pub fn is_mutating(&self) -> bool {
        matches!(
            self.method,
            Method::POST | Method::PUT | Method::PATCH | Method::DELETE
        )
    }
}

/// An error answer in a service's own shape.
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
            crate::validate::documents_status(spec, operation, status.as_u16()),
            "{operation} does not document {status}"
        );
        let message = crate::validate::error_name_message(spec, operation, status.as_u16(), name)
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

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// Path.
    Path,
    /// Query string.
    Query,
    /// Header.
    Header,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
        })
    }
}

/// Input the document rejects.
#[derive(Debug, Clone, PartialEq)]
pub enum Invalid {
    /// A required parameter is absent.
    MissingParameter {
        /// Its name.
        name: String,
        /// Where it goes.
        location: Location,
    },
    /// A parameter does not fit its schema.
    Parameter {
        /// Its name.
        name: String,
        /// Where it goes.
        location: Location,
        /// Why not.
        reason: String,
    },
    /// A required body is absent.
    MissingBody,
    /// The body is not JSON or does not fit its schema.
    Body {
        /// Why not.
        reason: String,
    },
    /// The body is not `application/json`.
    UnsupportedMediaType {
        /// The content type sent.
        found: String,
    },
    /// The body is larger than [`BODY_LIMIT`].
    BodyTooLarge,
    /// The body could not be read whole (the client stopped before its `Content-Length`, or
    /// a chunk was cut off).
    BodyIncomplete,
}

impl Invalid {
    /// The status the problem maps to when a service has nothing more specific.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The parameter concerned, if any.
    pub fn parameter(&self) -> Option<&str> {
        match self {
            Self::MissingParameter { name, .. } | Self::Parameter { name, .. } => Some(name),
            _ => None,
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingParameter { name, location } => {
                write!(f, "{location} parameter `{name}` is required")
            }
            Self::Parameter {
                name,
                location,
                reason,
            } => write!(f, "{location} parameter `{name}`: {reason}"),
            Self::MissingBody => f.write_str("a JSON body is required"),
            Self::Body { reason } => write!(f, "body: {reason}"),
            Self::UnsupportedMediaType { found } => {
                write!(f, "content type {found:?} is not application/json")
            }
            Self::BodyTooLarge => write!(f, "the body is larger than {BODY_LIMIT} bytes"),
            Self::BodyIncomplete => f.write_str("the body ended before it was complete"),
        }
    }
}

/// The parts of a request the generated routes need.
#[derive(Debug)]
pub struct RawRequest {
    pub(crate) stub: Arc<Stub>,
    pub(crate) world: Arc<World>,
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) headers: HeaderMap,
    /// Path parameters in template order.
    pub(crate) path_params: Vec<String>,
    /// A path parameter that is not valid UTF-8 once decoded.
    pub(crate) bad_path: bool,
    /// The body, or why it could not be read (too large, or cut short).
    pub(crate) body: Result<Bytes, Invalid>,
}

impl<S: Send + Sync> FromRequest<S> for RawRequest {
    type Rejection = Response;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let Some(stub) = parts.extensions.get::<Arc<Stub>>().cloned() else {
            return Err((StatusCode::INTERNAL_SERVER_ERROR, "stub state missing").into_response());
        };
        let (world, path_params, bad_path) = world_of(&stub, &mut parts).await?;
        let body = axum::body::to_bytes(body, BODY_LIMIT)
            .await
            .map_err(|error| {
                let error = error.into_inner();
                let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error.as_ref());
                while let Some(e) = source {
                    if e.is::<http_body_util::LengthLimitError>() {
                        return Invalid::BodyTooLarge;
                    }
                    source = e.source();
                }
                Invalid::BodyIncomplete
            });
        Ok(Self {
            stub,
            world,
            method: parts.method,
            uri: parts.uri,
            headers: parts.headers,
            path_params,
            bad_path,
            body,
        })
    }
}

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
    let response = match fault.and_then(Fault::into_response) {
        Some(faulted) => faulted,
        None => {
            let parsed = crate::validate::parse::<I>(op, &raw);
            // Validation was the last reader of the headers: they move, not copy.
            let ctx = RequestContext {
                world: raw.world.clone(),
                stub: raw.stub.clone(),
                headers: std::mem::take(&mut raw.headers),
                method: raw.method.clone(),
                spec: op.spec,
                operation: op.id,
            };
            match parsed {
                Err(problem) => invalid(&ctx, &problem).into_response(),
                Ok(input) => match call(ctx, input).await {
                    Ok(output) => success(op, &output),
                    Err(error) => error.into_response(),
                },
            }
        }
    };
    raw.world
        .log_request(op.spec, op.id, &raw.method, &raw.uri, response.status());
    if matches!(op.spec, "social-friends" | "party") && raw.method != Method::GET {
        // Push is driven by the mutation itself, once it is done.
        raw.world.refresh_live();
    }
    response
}

/// The world a request addresses (the `world` path parameter of `/w/{world}/…`, else the
/// default world; unknown: `404 UNKNOWN_WORLD`), the positional path parameters, and
/// whether one of them did not decode.
pub(crate) async fn world_of(
    stub: &Stub,
    parts: &mut axum::http::request::Parts,
) -> Result<(Arc<World>, Vec<String>, bool), Response> {
    let (mut path_params, mut world_id, mut bad_path) = (Vec::new(), None, false);
    match RawPathParams::from_request_parts(parts, &()).await {
        Ok(params) => {
            let mut positional: Vec<(usize, String)> = Vec::new();
            for (key, value) in &params {
                if key == "world" {
                    world_id = Some(value.to_owned());
                } else if let Some(index) = key.strip_prefix('p').and_then(|i| i.parse().ok()) {
                    positional.push((index, value.to_owned()));
                }
            }
            positional.sort();
            path_params = positional.into_iter().map(|(_, v)| v).collect();
        }
        Err(_) => {
            // Some parameter is not UTF-8 once decoded, so none were extracted: the world
            // still comes from the path (else the request would land in the default world).
            bad_path = true;
            // (`OriginalUri`: nesting strips `/w/{world}` from `parts.uri`.)
            let uri = parts
                .extensions
                .get::<axum::extract::OriginalUri>()
                .map_or(&parts.uri, |original| &original.0);
            world_id = uri
                .path()
                .strip_prefix("/w/")
                .and_then(|rest| rest.split('/').next())
                .map(|segment| {
                    crate::validate::percent_decode(segment, false)
                        .unwrap_or_else(|| segment.to_owned())
                });
        }
    }
    let world = match world_id {
        None => stub.worlds.default_world(),
        Some(id) => stub.worlds.get(&id).ok_or_else(|| {
            StubError::new(
                StatusCode::NOT_FOUND,
                json!({"error": "UNKNOWN_WORLD", "message": format!("no world {id:?}; create it with POST /__stub/worlds")}),
            )
            .into_response()
        })?,
    };
    Ok((world, path_params, bad_path))
}

fn success<O: Serialize>(op: &Operation, output: &O) -> Response {
    let status = StatusCode::from_u16(op.success).unwrap_or(StatusCode::OK);
    if status == StatusCode::NO_CONTENT {
        return status.into_response();
    }
    let value = serde_json::to_value(output).map(|mut value| {
        crate::validate::complete_response(op.spec, op.id, &mut value);
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
