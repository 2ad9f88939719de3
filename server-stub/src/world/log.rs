//! The request log of one world: a bounded queue of what was asked and answered.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How many requests a world's log keeps (oldest dropped first).
pub const LOG_CAPACITY: usize = 10_000;

/// One logged request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LoggedRequest {
    /// World time.
    pub at: DateTime<Utc>,
    /// Document stem.
    pub service: String,
    /// `operationId`.
    pub operation: String,
    /// Method.
    pub method: String,
    /// Path and query as received (after the world prefix).
    pub uri: String,
    /// Status answered.
    pub status: u16,
}

/// The bounded log.
#[derive(Debug, Default)]
pub(crate) struct RequestLog(VecDeque<LoggedRequest>);

impl RequestLog {
    pub(crate) fn push(&mut self, entry: LoggedRequest) {
        if self.0.len() >= LOG_CAPACITY {
            self.0.pop_front();
        }
        self.0.push_back(entry);
    }

    pub(crate) fn entries(&self) -> Vec<LoggedRequest> {
        self.0.iter().cloned().collect()
    }
}
