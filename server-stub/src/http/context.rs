//! What a service implementation gets besides its typed input.

use crate::world::{Stub, World};
use axum::http::{HeaderMap, Method};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The request as a service sees it: its world, its headers and which operation it is.
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
    /// Set by [`RequestContext::answer_as_set`]; read by the pipeline.
    pub(crate) as_set: Arc<AtomicBool>,
}

impl RequestContext {
    /// Writes this answer exactly as the service built it: the pipeline does not complete
    /// it (absent nullable properties stay absent instead of becoming `null`). For answers
    /// whose real shape is a sparse one, such as Friends v1's friend list read without a
    /// session (`id` and empty names only).
    pub fn answer_as_set(&self) {
        self.as_set.store(true, Ordering::Relaxed);
    }

    /// Whether [`RequestContext::answer_as_set`] was called on the context that owned `flag`.
    pub(crate) fn is_set(flag: &AtomicBool) -> bool {
        flag.load(Ordering::Relaxed)
    }

    /// `{"error": NAME, "message": …}` for this operation (see [`StubError::named`]).
    ///
    /// [`StubError::named`]: super::StubError::named
    pub fn named_error(&self, status: axum::http::StatusCode, name: &str) -> super::StubError {
        super::StubError::named(self.spec, self.operation, status, name)
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
