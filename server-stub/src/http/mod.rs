//! The transport: what every generated route shares. It reads the raw request and the world
//! it addresses ([`RawRequest`]), validates it against the document (`crate::spec`), applies
//! fault rules, calls the service, writes its answer or error ([`StubError`]), logs the
//! request and gives the world's live hub its turn ([`handle`]); live operations upgrade to
//! a WebSocket ([`live`]); the control plane's routes share [`control`].
//!
//! This layer names no service: a service is a generated trait implementation it is handed.

mod context;
pub mod control;
mod error;
mod extract;
mod pipeline;
mod ws;

pub use context::RequestContext;
pub use error::StubError;
pub use extract::RawRequest;
pub use pipeline::handle;
pub use ws::{LiveFeed, close, live};

/// The largest request body the stub reads (see [`crate::spec::BODY_LIMIT`]).
pub use crate::spec::BODY_LIMIT;
/// Input the document rejects (see [`crate::spec::Invalid`]).
pub use crate::spec::{Invalid, Operation};
