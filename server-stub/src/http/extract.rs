//! Reading a request: which world it addresses, its positional path parameters, and its body
//! (bounded), as plain data for validation.

use super::StubError;
use crate::spec::{BODY_LIMIT, Headers, Invalid, RawInput};
use crate::world::{Stub, World};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;

/// Header lookup for validation, over the transport's header map.
pub(crate) struct HeaderView<'a>(pub(crate) &'a HeaderMap);

impl Headers for HeaderView<'_> {
    fn values(&self, name: &str) -> Vec<&[u8]> {
        self.0
            .get_all(name)
            .iter()
            .map(axum::http::HeaderValue::as_bytes)
            .collect()
    }
}

/// A request's target as received: the path and query (an origin-form URI, as every request
/// to the stub has, is nothing else).
pub(crate) fn target(uri: &Uri) -> &str {
    uri.path_and_query()
        .map_or_else(|| uri.path(), |p| p.as_str())
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

impl RawRequest {
    /// Validates it against the operation and deserialises the generated input struct.
    pub(crate) fn parse<I: serde::de::DeserializeOwned>(
        &self,
        op: &crate::spec::Operation,
    ) -> Result<I, Invalid> {
        let headers = HeaderView(&self.headers);
        crate::spec::parse(
            op,
            RawInput {
                query: self.uri.query(),
                headers: &headers,
                path_params: &self.path_params,
                bad_path: self.bad_path,
                body: self.body.as_ref().map(|b| &b[..]),
            },
        )
    }
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
                    crate::spec::percent_decode(segment, false)
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
