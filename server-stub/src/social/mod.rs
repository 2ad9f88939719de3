//! The uuid-player world behind social friends and party (they share players).
//!
//! - [`state`]: players and their tokens, permission nodes, presence, profile settings,
//!   blocks and registered game servers (no HTTP); `friends::FriendsState` and
//!   `party::PartyState` hold each service's own state;
//! - [`friends`] and [`party`]: each service's own `state`, `rules`, `views` and `api` (the
//!   generated-trait implementation);
//! - `views`: the live frames of both services' snapshot streams;
//! - `api`: what both share over HTTP (who a request acts for, invalid input) and `api::live`
//!   (the live feeds and their topics);
//! - `control`: the control-plane routes; `seed`: bulk seeding.
//!
//! Auth (BEHAVIOR.md): user routes take `Authorization: Bearer <player token>`; server routes
//! (`server_*` operations) take `Authorization: Bearer <CONNECT_SERVER_SECRET>` and a
//! registered `X-Server-Id`, and act for the body's `actorId`. Missing or invalid → 401
//! before anything else.

mod api;
pub(crate) mod control;
pub mod friends;
pub mod party;
pub(crate) mod seed;
pub mod state;
pub(crate) mod views;

/// The live topics, for the crate's differential test of narrowed refreshes.
#[cfg(test)]
pub(crate) use api::live::{FRIENDS, PARTY};

pub use friends::SocialFriendsService;
pub use party::PartyService;
pub use state::{Block, CreatedPlayer, NewPlayer, Player, SocialError, SocialState};
