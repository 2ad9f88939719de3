//! Parties on the generated `PartyApi` trait. (Being built: answers 501.)

use super::SocialState;
use serde::Serialize;
use uuid::Uuid;

/// The party service.
pub type PartyService = crate::generated::party::Unimplemented;

/// Parties and invites of one world.
#[derive(Debug, Default, Serialize)]
pub struct PartyState {}

impl SocialState {
    /// The party `player` is in, if any (friend entries carry it as `partyId`).
    pub fn party_of(&self, _player: Uuid) -> Option<Uuid> {
        None
    }
}
