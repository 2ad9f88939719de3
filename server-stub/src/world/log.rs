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

/// One entry as it is kept: nothing formatted, the names static. It becomes a
/// [`LoggedRequest`] only when the log is read.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) at: DateTime<Utc>,
    pub(crate) service: &'static str,
    pub(crate) operation: &'static str,
    pub(crate) method: &'static str,
    pub(crate) uri: Box<str>,
    pub(crate) status: u16,
}

impl Record {
    fn entry(&self) -> LoggedRequest {
        LoggedRequest {
            at: self.at,
            service: self.service.to_owned(),
            operation: self.operation.to_owned(),
            method: self.method.to_owned(),
            uri: self.uri.to_string(),
            status: self.status,
        }
    }
}

/// The bounded log.
#[derive(Debug, Default)]
pub(crate) struct RequestLog(VecDeque<Record>);

impl RequestLog {
    pub(crate) fn push(&mut self, record: Record) {
        if self.0.len() >= LOG_CAPACITY {
            self.0.pop_front();
        }
        self.0.push_back(record);
    }

    pub(crate) fn entries(&self) -> Vec<LoggedRequest> {
        self.0.iter().map(Record::entry).collect()
    }
}
