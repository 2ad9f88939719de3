//! Social friends (`openapi/social-friends.yaml`): friend links, requests, blocks, reports and
//! profile settings over the shared players.

mod api;

pub use api::*;
