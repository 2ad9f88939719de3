//! Social friends on the generated `SocialFriendsApi` trait. (Being built: answers 501.)

use serde::Serialize;

/// The social friends service.
pub type SocialFriendsService = crate::generated::social_friends::Unimplemented;

/// Friend links, requests and reports of one world.
#[derive(Debug, Default, Serialize)]
pub struct FriendsState {}
