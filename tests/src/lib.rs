//! The harness the contract tests share (the suites are `tests/contract/`, one binary):
//! a stub booted in-process on `127.0.0.1:0` with a fresh world ([`mod@env`]), seeded actors of
//! the five services ([`actors`]), raw HTTP for what the SDK deliberately never sends
//! ([`http`]), answer shapes compared with captures ([`shape`]) and assertions on the SDK's `Error` and the documented messages ([`mod@assert`]).

pub mod actors;
pub mod assert;
pub mod env;
pub mod http;
pub mod schema;
pub mod shape;

/// What most suites import at once.
pub mod prelude {
    pub use crate::actors::{NO_SUCH_USER, ids};
    pub use crate::assert::{
        FLOOD, INVALID_PARAMETERS, INVALID_TARGET, TOKEN_FAILED, UNAUTHORIZED, expect_error,
        roblox_error,
    };
    pub use crate::env::{Env, fault};
    pub use crate::http::raw_error;
}
