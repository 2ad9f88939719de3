//! The documents: the five embedded OpenAPI files, the one index of their operations
//! ([`operations`], [`operation`]), the schema check, answer completion, and request input
//! checked against them. The bottom layer: it knows no HTTP server, no world and no service.

mod check;
pub mod companion;
mod complete;
mod index;
mod input;
mod write;

pub use check::{NO_SHAPE, check, pattern_compiles};
pub use complete::complete_response;
pub use index::{
    OperationSpec, Parameter, component, document, documents_status, error_message,
    error_name_message, operation, operations, requires_auth,
};
pub use input::{Headers, RawInput, parse, percent_decode, query_and_headers};
pub use write::{component_bytes, response_bytes};

use std::fmt;

/// The largest request body the stub reads. A larger one is [`Invalid::BodyTooLarge`], which
/// every service answers as its own invalid-input error (`400` in the service's shape).
pub const BODY_LIMIT: usize = 64 * 1024;

/// A service the stub serves, with its URL prefix and its OpenAPI document.
#[derive(Debug, Clone, Copy)]
pub struct Service {
    /// URL prefix, e.g. `/friends`.
    pub prefix: &'static str,
    /// File stem under `openapi/`.
    pub spec_name: &'static str,
    /// The document's text.
    pub spec: &'static str,
    /// The text of its companion `<spec_name>.live.yaml` (its WebSocket operations), if any:
    /// the stub reads the two as one document ([`companion::merge`]).
    pub live_spec: Option<&'static str>,
}

/// The five services, in README order.
pub const SERVICES: &[Service] = &[
    Service {
        prefix: "/friends",
        spec_name: "friends",
        spec: include_str!("../../../openapi/friends.yaml"),
        live_spec: None,
    },
    Service {
        prefix: "/contacts",
        spec_name: "contacts",
        spec: include_str!("../../../openapi/contacts.yaml"),
        live_spec: None,
    },
    Service {
        prefix: "/roster",
        spec_name: "roster",
        spec: include_str!("../../../openapi/roster.yaml"),
        live_spec: None,
    },
    Service {
        prefix: "/social",
        spec_name: "social-friends",
        spec: include_str!("../../../openapi/social-friends.yaml"),
        live_spec: Some(include_str!("../../../openapi/social-friends.live.yaml")),
    },
    Service {
        prefix: "/party",
        spec_name: "party",
        spec: include_str!("../../../openapi/party.yaml"),
        live_spec: Some(include_str!("../../../openapi/party.live.yaml")),
    },
];

/// One operation of a document, as the generated router names it (a `static` per route).
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
    /// A `GET` the document does not mark `x-side-effects`: a pure read, whose answers the
    /// world may serve from its cache.
    pub cacheable: bool,
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
    /// The parameter concerned, if any.
    pub fn parameter(&self) -> Option<&str> {
        match self {
            Self::MissingParameter { name, .. } | Self::Parameter { name, .. } => Some(name),
            _ => None,
        }
    }

    /// Whether the body as a whole fits no branch of its schema's `anyOf`/`oneOf` (and breaks
    /// no plain keyword: those are checked first), e.g. it names neither `targetId` nor
    /// `targetName`. A service maps this to the answer it documents for that rule.
    pub fn unmatched_shape(&self) -> bool {
        matches!(self, Self::Body { reason } if *reason == format!("value {NO_SHAPE}"))
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
