//! The stub server: the five services on one listener, each under its prefix, generated from
//! the same documents as the SDK and behaving as `../shared/BEHAVIOR.md` (refined in
//! `server-stub/README.md`) says.
//!
//! - `/friends`, `/contacts`, `/roster`, `/social`, `/party`: the default world;
//!   `/w/{world}/friends`, …: any other world.
//! - `/__stub/…`: the control plane (worlds, users, tokens, presence, clock, faults, request
//!   log, state dump); [`control::Control`] is its typed client.
//! - `/healthz`, `/openapi/<name>.yaml`.
//!
//! [`RunningStub::start`] boots it on `127.0.0.1:0` for tests.
//!
//! Layers point one way (ARCHITECTURE.md): [`spec`] ← each service's `state` ← its rules and
//! views ← [`world`] ← [`http`] ← each service's `api` (the generated traits) ← its `control`
//! and [`control`] ← `app`.

pub mod config;
pub mod control;
pub mod cursor;
pub mod dates;
pub mod demo;
pub mod http;
pub mod roblox;
pub mod roster;
pub mod serve;
mod shared;
pub mod social;
pub mod spec;
pub mod world;

#[cfg(test)]
mod live_tests;

mod app;

/// Generated from `openapi/*.yaml` by `cargo xtask codegen`: one trait, input structs and a
/// router per document. Never edited by hand.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod generated {
    #[path = "friends.rs"]
    #[rustfmt::skip] // formatted by prettyplease at generation time
    pub mod friends;
    #[path = "contacts.rs"]
    #[rustfmt::skip]
    pub mod contacts;
    #[path = "roster.rs"]
    #[rustfmt::skip]
    pub mod roster;
    #[path = "social_friends.rs"]
    #[rustfmt::skip]
    pub mod social_friends;
    #[path = "party.rs"]
    #[rustfmt::skip]
    pub mod party;
}

pub use app::{RunningStub, app};
pub use config::StubConfig;
pub use spec::{SERVICES, Service};
pub use world::Stub;
