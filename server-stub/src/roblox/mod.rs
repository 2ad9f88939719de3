//! The Roblox world behind Friends v1 and Contacts v1 (they share users and sessions).
//!
//! - [`state`]: users, sessions and CSRF tokens, friendships, requests, follows, presence,
//!   QR sessions, tags (no HTTP);
//! - `api`: the generated `FriendsApi` and `ContactsApi` implemented over it;
//! - `control`: its control-plane routes; `seed`: bulk seeding for benchmark-size worlds.

mod api;
pub(crate) mod control;
pub(crate) mod seed;
pub mod state;

pub use api::{ContactsService, FriendsService};
pub use state::{CreatedUser, NewUser, PendingRequest, Presence, RobloxState, User};
