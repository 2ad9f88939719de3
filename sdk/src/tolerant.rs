//! Decoding helpers the generated models use (see `xtask/src/codegen.rs`), and the two modes
//! they run in.
//!
//! - **Decoding** (progenitor's `serde_json::from_slice`, and everything else): the helpers
//!   absorb what the services really send. A `null` list is empty; in response-only models an
//!   optional field that does not decode is `None`, and a date-time without an offset is UTC.
//!   Whatever they absorb, they say so to the call being decoded (`note_absorbed`), so the
//!   drift pass runs in full exactly when there is something to find.
//! - **Reporting** ([`reporting`], the drift pass of `crate::drift`): the same helpers
//!   refuse what they would absorb, after noting what it was ([`take_noted`]), so that
//!   `serde_path_to_error` can say where it is. Open enums refuse their `Unknown` values the
//!   same way. The mode is a thread-local flag, set only around that synchronous pass.

use crate::drift::DriftKind;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::ops::Deref;

/// The string the drift pass puts in place of an unknown enum value it has already noted,
/// so the next pass gets past it. Never part of a decoded answer: that pass's result is
/// thrown away.
pub(crate) const ACKNOWLEDGED: &str = "\u{0}social-sdk: unknown value already reported";

/// What a helper refused in reporting mode.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Noted {
    pub(crate) kind: DriftKind,
    pub(crate) detail: String,
    /// The refused value, where the remedy needs it (an unknown enum value).
    pub(crate) value: Option<Value>,
}

thread_local! {
    static REPORTING: Cell<bool> = const { Cell::new(false) };
    static NOTED: RefCell<Option<Noted>> = const { RefCell::new(None) };
}

/// Runs `f` in reporting mode (restored afterwards, also when `f` unwinds).
pub(crate) fn reporting<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            REPORTING.with(|flag| flag.set(self.0));
        }
    }
    let _restore = Restore(REPORTING.with(|flag| flag.replace(true)));
    f()
}

fn is_reporting() -> bool {
    REPORTING.with(Cell::get)
}

/// What the innermost helper refused since the last call, if anything.
pub(crate) fn take_noted() -> Option<Noted> {
    NOTED.with(|slot| slot.borrow_mut().take())
}

/// Notes a refusal unless a helper deeper down already did (the error bubbles up through
/// the outer ones, and the innermost knows best), and returns the error to raise.
fn refuse<E: serde::de::Error>(kind: DriftKind, detail: String, value: Option<Value>) -> E {
    let detail = shorten(&detail);
    NOTED.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            *slot = Some(Noted {
                kind,
                detail: detail.clone(),
                value,
            });
        }
    });
    E::custom(detail)
}

/// A field that may be absent may also be `null`: both decode as the type's default (an
/// empty list), so one unexpected `null` never fails a whole answer.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    match Option::<T>::deserialize(deserializer)? {
        Some(value) => Ok(value),
        None if is_reporting() => Err(refuse(
            DriftKind::NullAbsorbed,
            "null read as empty".to_owned(),
            None,
        )),
        None => {
            crate::transport::note_absorbed();
            Ok(T::default())
        }
    }
}

/// An optional field of a response-only model: a value that does not decode as `T` is
/// `None`, so one odd field never fails a whole page. Costs one buffering of the field's
/// value (a `serde_json::Value`) on every decode.
pub(crate) fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    if is_reporting() {
        // Straight through, so the path of anything refused deeper down stays known.
        return Option::<T>::deserialize(deserializer)
            .map_err(|e| refuse(DriftKind::TypeMismatch, e.to_string(), None));
    }
    let value = Value::deserialize(deserializer)?;
    match Option::<T>::deserialize(value) {
        Ok(decoded) => Ok(decoded),
        Err(_) => {
            crate::transport::note_absorbed();
            Ok(None)
        }
    }
}

/// An optional date-time of a response-only model: RFC 3339, or what .NET writes (see
/// [`parse_date_time`]); anything else is `None`.
pub(crate) fn lenient_date_time<'de, D>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error>
where
    D: Deserializer<'de>,
{
    let Some(value) = Option::<Value>::deserialize(deserializer)? else {
        return Ok(None);
    };
    let parsed = value.as_str().and_then(parse_date_time);
    match (parsed, is_reporting()) {
        (Some((time, false)), _) => Ok(Some(time)),
        (Some((time, true)), false) => {
            crate::transport::note_absorbed();
            Ok(Some(time))
        }
        (Some((_, true)), true) => Err(refuse(
            DriftKind::NaiveTimestamp,
            format!("{value} has no offset, read as UTC"),
            None,
        )),
        (None, false) => {
            crate::transport::note_absorbed();
            Ok(None)
        }
        (None, true) => Err(refuse(
            DriftKind::TypeMismatch,
            format!("{value} is not a date-time"),
            None,
        )),
    }
}

/// A date-time as RFC 3339 (any number of fractional digits, as .NET's seven), or without
/// an offset (`0001-01-01T00:00:00`, `2024-03-24T02:25:33.0950000`), which is read as UTC;
/// the flag says it was the latter.
pub(crate) fn parse_date_time(text: &str) -> Option<(DateTime<Utc>, bool)> {
    if let Ok(time) = text.parse::<DateTime<chrono::FixedOffset>>() {
        return Some((time.with_timezone(&Utc), false));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| (naive.and_utc(), true))
}

/// Wraps the `Deserialize` of an open enum's `Unknown` variant: in reporting mode a value
/// that lands there is refused (and noted), unless the drift pass already acknowledged it.
pub(crate) fn open_enum_value<T, E>(enum_name: &'static str, decoded: Result<T, E>) -> Result<T, E>
where
    T: Deref<Target = String>,
    E: serde::de::Error,
{
    match decoded {
        Ok(value) if is_reporting() && value.as_str() != ACKNOWLEDGED => {
            let text = value.as_str();
            Err(refuse(
                DriftKind::UnknownEnumValue,
                format!(
                    "{} is not a known {enum_name}",
                    shorten(&format!("{text:?}"))
                ),
                Some(Value::String(text.to_owned())),
            ))
        }
        Ok(value) => {
            if !is_reporting() {
                crate::transport::note_absorbed();
            }
            Ok(value)
        }
        other => other,
    }
}

/// Details quote what the service sent; a long value is cut (on a character boundary).
fn shorten(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::friends::types::ErrorResponse;

    #[test]
    fn a_null_list_decodes_as_empty_and_a_wrong_one_still_fails() {
        let body: ErrorResponse =
            serde_json::from_str(r#"{"errors": null, "code": 0}"#).expect("null list decodes");
        assert!(body.errors.is_empty());
        let absent: ErrorResponse = serde_json::from_str(r#"{"code": 0}"#).expect("absent list");
        assert_eq!(body, absent);
        assert!(serde_json::from_str::<ErrorResponse>(r#"{"errors": 3}"#).is_err());
    }

    #[test]
    fn dotnet_date_times_parse() {
        let cases = [
            ("0001-01-01T00:00:00", true),
            ("2024-03-24T02:25:33.0950000", true),
            ("0001-01-01T05:52:00Z", false),
            ("0001-01-01T05:51:00.000Z", false),
            ("2024-03-24T02:25:33.0950000Z", false),
            ("2024-03-24T02:25:33+02:00", false),
        ];
        for (text, naive) in cases {
            let parsed = parse_date_time(text).map(|(_, n)| n);
            assert_eq!(parsed, Some(naive), "{text}");
        }
        assert_eq!(parse_date_time("yesterday"), None);
        let (time, _) = parse_date_time("2024-03-24T02:25:33.0950000").expect("parses");
        assert_eq!(time.to_rfc3339(), "2024-03-24T02:25:33.095+00:00");
    }

    #[test]
    fn request_types_stay_strict() {
        use crate::contacts::types::SetUserTagRequest;
        let wrong = r#"{"targetUserId": "two", "userTag": "x"}"#;
        assert!(serde_json::from_str::<SetUserTagRequest>(wrong).is_err());
        let right = r#"{"targetUserId": 2, "userTag": "x"}"#;
        assert!(serde_json::from_str::<SetUserTagRequest>(right).is_ok());
        // Answers use it too, but so do requests: strict as well.
        use crate::party::types::MinigameInfo;
        let shared = r#"{"mode": "ffa", "roundBased": "yes"}"#;
        assert!(serde_json::from_str::<MinigameInfo>(shared).is_err());
    }

    #[test]
    fn long_details_are_cut() {
        let long = "x".repeat(500);
        let cut = shorten(&long);
        assert!(cut.chars().count() <= 81, "{cut}");
        assert_eq!(shorten("short"), "short");
    }

    #[test]
    fn refusals_happen_only_in_reporting_mode() {
        use crate::friends::types::UserResponse;
        let body = r#"{"isBanned": "no", "created": "2024-03-24T02:25:33", "name": "a"}"#;
        let user: UserResponse = serde_json::from_str(body).expect("lenient outside the pass");
        assert_eq!(user.is_banned, None);
        assert!(user.created.is_some());
        assert_eq!(user.name.as_deref(), Some("a"));
        let refused = reporting(|| serde_json::from_str::<UserResponse>(body));
        assert!(refused.is_err());
        assert!(take_noted().is_some());
        assert!(!is_reporting());
    }
}
