//! The IM app world behind the roster API. One [`RosterState`] per world, always used under
//! the world's lock.

pub mod control;

/// The roster service. (Being built: answers 501.)
pub type RosterService = crate::generated::roster::Unimplemented;

use crate::config::StubConfig;
use serde::Serialize;
use serde_json::Value;

/// Roster state of one world.
#[derive(Debug, Default, Serialize)]
pub struct RosterState {}

impl RosterState {
    /// An empty world.
    pub fn new(_config: &StubConfig) -> Self {
        Self::default()
    }

    /// The state as JSON.
    pub fn dump(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}
