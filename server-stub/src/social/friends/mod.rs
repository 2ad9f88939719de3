//! Social friends (`openapi/social-friends.yaml`): friend links, requests, blocks, reports and
//! profile settings over the shared players.
//!
//! - [`state`]: friend links, requests and reports (no HTTP);
//! - [`rules`]: the operations and their refusals ([`FriendsError`]), one plain function each;
//! - [`views`]: entries, counts and the read operations, built from the state;
//! - `api`: the generated `SocialFriendsApi` over them, and each refusal's HTTP status.

mod api;
pub mod rules;
pub mod state;
#[cfg(test)]
mod tests;
pub mod views;

pub use api::SocialFriendsService;
pub use rules::*;
pub use state::*;
pub use views::*;
