//! Checked date arithmetic for every layer: times computed from a world's clock (an expiry
//! `now + ttl`, a cut-off `now - days`) saturate instead of overflowing, and never pass
//! [`latest`], the last instant the wire's four-digit years can write. `world::clock` keeps
//! the clock itself within the same bound.

use chrono::{DateTime, TimeDelta, Utc};

/// The latest time a world's clock can show, and where computed times saturate:
/// 9999-12-31T23:59:59Z.
pub fn latest() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_300_799, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `at + by`, or [`latest`] when that is later or does not fit (the earliest representable
/// time when a negative `by` does not fit).
pub fn later(at: DateTime<Utc>, by: TimeDelta) -> DateTime<Utc> {
    match at.checked_add_signed(by) {
        Some(t) => t.min(latest()),
        None if by < TimeDelta::zero() => DateTime::<Utc>::MIN_UTC,
        None => latest(),
    }
}

/// `at - by`, or the earliest representable time when that does not fit.
pub fn earlier(at: DateTime<Utc>, by: TimeDelta) -> DateTime<Utc> {
    at.checked_sub_signed(by)
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}
