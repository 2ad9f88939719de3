//! A world's clock: real time plus however far tests advanced it.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// The offset a world's clock runs ahead of real time.
#[derive(Debug)]
pub(crate) struct Clock {
    offset: chrono::Duration,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Self {
            offset: chrono::Duration::zero(),
        }
    }

    /// Real time plus the offset.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }

    /// Moves the clock forward (saturating: an advance that does not fit is ignored).
    pub(crate) fn advance(&mut self, by: Duration) {
        let by = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
        self.offset = self.offset.checked_add(&by).unwrap_or(self.offset);
    }
}
