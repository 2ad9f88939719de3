//! Parties (`openapi/party.yaml`): parties, invites and the lobby over the shared players.
//!
//! - [`state`]: parties, memberships and invites (no HTTP);
//! - [`rules`]: the operations and their refusals ([`PartyError`]), one plain function each;
//! - [`views`]: the party and invite views, a player's overview and the lookup;
//! - `api`: the generated `PartyApi` over them, and each refusal's HTTP status.

mod api;
pub mod rules;
pub mod state;
#[cfg(test)]
mod tests;
pub mod views;

pub use api::PartyService;
pub use rules::*;
pub use state::*;
pub use views::*;
