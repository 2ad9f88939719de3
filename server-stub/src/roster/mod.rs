//! The IM app world behind the roster API (`openapi/roster.yaml`).
//!
//! - [`state`]: apps, their users and tokens, friendships, applications, the blacklist, and
//!   the operations on them with their business codes (no HTTP);
//! - `api`: the generated `RosterApi` implemented over it (credentials from the request
//!   headers, business errors as HTTP 200 envelopes);
//! - `control`: the control-plane routes.

mod api;
pub(crate) mod control;
pub mod state;

pub use api::RosterService;
pub use state::*;
