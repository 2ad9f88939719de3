//! Writing what the generated models hold, where the default is slow: the codegen
//! (`xtask/src/codegen.rs`) points every optional date-time field here.
//!
//! chrono's `Serialize` writes a `DateTime<Utc>` through `Display`, one character at a time,
//! and a serializer that escapes what it is given (serde_json) then escapes each character
//! separately. The stub writes hundreds of timestamps per answer; [`date_time`] writes the
//! same text (RFC 3339, `Z`, 0, 3, 6 or 9 fractional digits as chrono's `AutoSi` chooses)
//! from a stack buffer in one piece.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

/// An optional `DateTime<Utc>`, written as chrono writes it.
pub(crate) fn date_time<S: Serializer>(
    value: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        None => serializer.serialize_none(),
        Some(time) => match Rfc3339::of(time) {
            Some(text) => serializer.serialize_str(text.as_str()),
            None => time.serialize(serializer),
        },
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f{3,6,9}]Z` in a stack buffer.
struct Rfc3339 {
    bytes: [u8; 30],
    len: usize,
}

impl Rfc3339 {
    /// `None` where chrono writes something else: a year outside 0–9999 (signed, wider) or a
    /// leap second.
    fn of(time: &DateTime<Utc>) -> Option<Self> {
        // One conversion, then plain fields: each accessor of a `DateTime` converts to local
        // time again (for `Utc`, an offset addition), which was most of this function's cost.
        let naive = time.naive_utc();
        let date = naive.date();
        let year = u32::try_from(date.year()).ok().filter(|y| *y <= 9999)?;
        let nanos = naive.nanosecond();
        if nanos >= 1_000_000_000 {
            return None;
        }
        let seconds = naive.num_seconds_from_midnight();
        let mut out = Self {
            bytes: [0; 30],
            len: 0,
        };
        out.digits(year, 4);
        out.push(b'-');
        out.digits(date.month(), 2);
        out.push(b'-');
        out.digits(date.day(), 2);
        out.push(b'T');
        out.digits(seconds / 3600, 2);
        out.push(b':');
        out.digits(seconds / 60 % 60, 2);
        out.push(b':');
        out.digits(seconds % 60, 2);
        if nanos != 0 {
            out.push(b'.');
            if nanos.is_multiple_of(1_000_000) {
                out.digits(nanos / 1_000_000, 3);
            } else if nanos.is_multiple_of(1_000) {
                out.digits(nanos / 1_000, 6);
            } else {
                out.digits(nanos, 9);
            }
        }
        out.push(b'Z');
        Some(out)
    }

    fn push(&mut self, byte: u8) {
        self.bytes[self.len] = byte;
        self.len += 1;
    }

    /// `value` in exactly `width` decimal digits.
    fn digits(&mut self, mut value: u32, width: usize) {
        for i in (0..width).rev() {
            self.bytes[self.len + i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
        self.len += width;
    }

    fn as_str(&self) -> &str {
        // Only ASCII digits and separators were written.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[derive(Serialize)]
    struct Fast(#[serde(serialize_with = "date_time")] Option<DateTime<Utc>>);

    #[test]
    fn writes_what_chrono_writes() {
        let base = Utc
            .with_ymd_and_hms(2024, 3, 24, 2, 25, 33)
            .single()
            .expect("valid");
        let mut times = vec![
            Utc.with_ymd_and_hms(1, 1, 1, 5, 52, 0)
                .single()
                .expect("valid"),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
                .single()
                .expect("valid"),
            Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0)
                .single()
                .expect("valid"),
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
        ];
        for nanos in [
            0,
            1,
            999,
            1_000,
            95_000_000,
            95_123_000,
            95_123_456,
            999_999_999,
        ] {
            times.push(base + chrono::Duration::nanoseconds(nanos));
        }
        for time in times {
            let chrono = serde_json::to_string(&time).expect("chrono");
            let fast = serde_json::to_string(&Fast(Some(time))).expect("fast");
            assert_eq!(fast, chrono, "{time:?}");
        }
        assert_eq!(serde_json::to_string(&Fast(None)).expect("none"), "null");
    }
}
