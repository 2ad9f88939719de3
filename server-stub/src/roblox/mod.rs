//! The Roblox world behind Friends v1 and Contacts v1 (they share users and sessions).
//!
//! - [`state`]: users, sessions and CSRF tokens, friendships, requests, follows, presence,
//!   QR sessions, tags (no HTTP);
//! - `rules`: what Friends v1 and Contacts v1 allow and do, over the state, refusing with a
//!   `rules::Refusal` (no HTTP); `views`: the answers rendered from the state as the SDK's
//!   types (no HTTP);
//! - `api`: the generated `FriendsApi` and `ContactsApi` implemented over them (guards,
//!   input, each refusal's status and code);
//! - `control`: its control-plane routes; `seed`: bulk seeding for benchmark-size worlds.

mod api;
pub(crate) mod control;
pub(crate) mod rules;
pub(crate) mod seed;
pub mod state;
pub(crate) mod views;

pub use api::{ContactsService, FriendsService};
pub use state::{CreatedUser, NewUser, PendingRequest, Presence, RobloxState, SetupError, User};
