//! Parties (`openapi/party.yaml`): parties, invites and the lobby over the shared players.

mod api;

pub use api::*;
