//! The uuid-player world behind social friends and party (they share players, presence and
//! blocks). One [`SocialState`] per world, always used under the world's lock.

pub mod control;

use crate::config::StubConfig;
use serde::Serialize;
use serde_json::Value;

/// Social friends + party state of one world.
#[derive(Debug, Default, Serialize)]
pub struct SocialState {}

impl SocialState {
    /// An empty world.
    pub fn new(_config: &StubConfig) -> Self {
        Self::default()
    }

    /// The state as JSON.
    pub fn dump(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}
