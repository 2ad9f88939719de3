//! A world's clock: real time plus however far tests advanced it.
//!
//! Every time a world shows lies between real time and [`latest`] (9999-12-31T23:59:59Z, the
//! last instant the wire's four-digit years can write). An advance is refused (with the
//! reason) beyond [`MAX_ADVANCE_SECONDS`] or past [`latest`], and every time computed from
//! the clock (an expiry `now + ttl`, a cut-off `now - days`) goes through [`later`] or
//! [`earlier`](crate::dates::earlier), which saturate instead of overflowing: no clock request and no TTL setting
//! can make date arithmetic panic.

use crate::dates::{later, latest};
use chrono::{DateTime, TimeDelta, Utc};
use std::time::Duration;

/// The largest single advance: 100 years of 365.25 days.
pub const MAX_ADVANCE_SECONDS: u64 = 3_155_760_000;

/// Why an advance was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfRange {
    /// The advance asked for.
    pub seconds: u64,
    /// The clock when it was asked.
    pub now: DateTime<Utc>,
}

impl std::fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "an advance is 0 to {MAX_ADVANCE_SECONDS} seconds and the clock stays at or before \
             {}: {} s from {} is out of range",
            latest().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            self.seconds,
            self.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
    }
}

impl std::error::Error for OutOfRange {}

/// The offset a world's clock runs ahead of real time.
#[derive(Debug)]
pub(crate) struct Clock {
    offset: TimeDelta,
}

impl Clock {
    pub(crate) fn new() -> Self {
        Self {
            offset: TimeDelta::zero(),
        }
    }

    /// Real time plus the offset (never past [`latest`]).
    pub(crate) fn now(&self) -> DateTime<Utc> {
        later(Utc::now(), self.offset)
    }

    /// Moves the clock forward, or refuses an advance beyond [`MAX_ADVANCE_SECONDS`] or past
    /// [`latest`] (the clock is then unchanged).
    pub(crate) fn advance(&mut self, by: Duration) -> Result<(), OutOfRange> {
        let now = self.now();
        let refused = || OutOfRange {
            seconds: by.as_secs(),
            now,
        };
        if by > Duration::from_secs(MAX_ADVANCE_SECONDS) {
            return Err(refused());
        }
        let step = TimeDelta::from_std(by).map_err(|_| refused())?;
        let offset = self.offset.checked_add(&step).ok_or_else(refused)?;
        match Utc::now().checked_add_signed(offset) {
            Some(then) if then <= latest() => {
                self.offset = offset;
                Ok(())
            }
            _ => Err(refused()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::earlier;
    use proptest::prelude::*;

    fn extreme_seconds() -> impl Strategy<Value = u64> {
        prop_oneof![
            Just(0u64),
            Just(MAX_ADVANCE_SECONDS),
            Just(MAX_ADVANCE_SECONDS + 1),
            Just(8_200_000_000_000),
            Just(u64::MAX),
            Just(u64::MAX / 1000),
            any::<u64>(),
            0u64..10_000_000_000,
        ]
    }

    fn extreme_delta() -> impl Strategy<Value = TimeDelta> {
        prop_oneof![
            Just(TimeDelta::MAX),
            Just(TimeDelta::MIN),
            Just(TimeDelta::zero()),
            any::<i64>().prop_map(|s| TimeDelta::try_seconds(s).unwrap_or(TimeDelta::MAX)),
            any::<i64>().prop_map(TimeDelta::milliseconds),
        ]
    }

    proptest! {
        /// Whatever the advances, the clock stays between real time and `latest`, refused
        /// advances leave it as it was, and arithmetic from it never panics.
        #[test]
        fn any_advance_leaves_a_working_clock(
            advances in prop::collection::vec(extreme_seconds(), 1..12),
            delta in extreme_delta(),
        ) {
            let mut clock = Clock::new();
            for seconds in advances {
                let before = clock.offset;
                match clock.advance(Duration::from_secs(seconds)) {
                    Ok(()) => prop_assert!(seconds <= MAX_ADVANCE_SECONDS),
                    Err(refusal) => {
                        prop_assert_eq!(clock.offset, before);
                        prop_assert_eq!(refusal.seconds, seconds);
                    }
                }
                let now = clock.now();
                prop_assert!(now <= latest());
                prop_assert!(later(now, delta) <= latest());
                let _ = earlier(now, delta);
                let _ = later(DateTime::<Utc>::MAX_UTC, delta);
                let _ = earlier(DateTime::<Utc>::MIN_UTC, delta);
            }
        }
    }

    #[test]
    fn the_reported_advance_is_refused_and_the_clock_still_reads() {
        let mut clock = Clock::new();
        let refusal = clock
            .advance(Duration::from_secs(8_200_000_000_000))
            .expect_err("refused");
        assert!(
            refusal.to_string().contains("9999-12-31T23:59:59Z"),
            "{refusal}"
        );
        assert!(clock.now() <= Utc::now() + TimeDelta::seconds(5));
        // Up to the latest time, step by step, and no further.
        while clock
            .advance(Duration::from_secs(MAX_ADVANCE_SECONDS))
            .is_ok()
        {}
        assert!(clock.now() <= latest());
        assert!(
            clock
                .advance(Duration::from_secs(MAX_ADVANCE_SECONDS))
                .is_err()
        );
    }
}
