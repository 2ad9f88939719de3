//! Comparing an answer's *shape* with a real capture or a documented example: the same key
//! set in every object, the same JSON kind for every value, and the same format class for
//! every string that has one (timestamps with their fractional digits and offset, the page
//! cursors each service writes). Values themselves are not compared: ids, names and counts
//! differ between the stub's world and the captured one.
//!
//! Arrays: every item the stub wrote is compared with the first item of the expected array,
//! so a capture with one item checks every item of the answer. An expected empty array
//! checks only the kind; an answer whose array is empty where the expected one is not is a
//! difference (the test must put the world into a situation with items).
//!
//! Exceptions are listed per test, each with the path it covers and the reason (usually how
//! the capture was anonymised). An exception that covers no difference is itself reported,
//! so the list never outlives the differences it explains.

use base64::Engine;
use serde_json::Value;
use std::fmt;

/// A difference the test accepts: the JSON path (as [`differences`] reports it, `[]` for any
/// array item, e.g. `data[].created`) and why.
#[derive(Debug, Clone, Copy)]
pub struct Exception {
    /// The path of the difference, exactly as reported.
    pub path: &'static str,
    /// Why it is not a defect.
    pub reason: &'static str,
}

/// One way the answer's shape differs from the expected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Where: `$` is the root, `.key` a property, `[]` any array item.
    pub path: String,
    /// What differs.
    pub what: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.what)
    }
}

/// The format class of a string, where it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// An RFC 3339 / ISO 8601 date-time: how many fractional digits, and its offset as written
    /// (`Z`, `+00:00`, or empty for none).
    DateTime {
        /// Digits after the seconds' point (0 when there is no point).
        fraction: usize,
        /// The offset as written.
        offset: String,
    },
    /// A Friends v1 page cursor: `<key>[-<n>]_<direction>_<32 hex digits>`.
    RobloxPageCursor,
    /// A Friends v1 `PascalCase` page cursor: standard base64 of `<n>&<n>&<n>`.
    RobloxCursoredCursor,
    /// A UUID in its hyphenated form.
    Uuid,
    /// Anything else.
    Text,
}

/// Classifies a string.
pub fn format_of(text: &str) -> Format {
    if let Some(format) = date_time(text) {
        return format;
    }
    if is_page_cursor(text) {
        return Format::RobloxPageCursor;
    }
    if is_cursored_cursor(text) {
        return Format::RobloxCursoredCursor;
    }
    if text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
    {
        return Format::Uuid;
    }
    Format::Text
}

fn date_time(text: &str) -> Option<Format> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    let shape = digits(0..4)
        && bytes.get(4) == Some(&b'-')
        && digits(5..7)
        && bytes.get(7) == Some(&b'-')
        && digits(8..10)
        && bytes.get(10) == Some(&b'T')
        && digits(11..13)
        && bytes.get(13) == Some(&b':')
        && digits(14..16)
        && bytes.get(16) == Some(&b':')
        && digits(17..19);
    if !shape {
        return None;
    }
    let rest = &text[19..];
    let (fraction, offset) = match rest.strip_prefix('.') {
        Some(after) => {
            let n = after.bytes().take_while(u8::is_ascii_digit).count();
            (n, &after[n..])
        }
        None => (0, rest),
    };
    let offset_ok = matches!(offset, "" | "Z")
        || (offset.len() == 6
            && (offset.starts_with('+') || offset.starts_with('-'))
            && offset.as_bytes()[3] == b':');
    offset_ok.then(|| Format::DateTime {
        fraction,
        offset: offset.to_owned(),
    })
}

fn is_page_cursor(text: &str) -> bool {
    let mut parts = text.rsplitn(3, '_');
    let (Some(hex), Some(direction), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let key = key.strip_prefix('-').unwrap_or(key);
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let key_ok = match key.split_once('-') {
        Some((a, b)) => numeric(a) && numeric(b),
        None => numeric(key),
    };
    key_ok
        && numeric(direction)
        && hex.len() == 32
        && hex
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn is_cursored_cursor(text: &str) -> bool {
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(text) else {
        return false;
    };
    let Ok(decoded) = String::from_utf8(decoded) else {
        return false;
    };
    let parts: Vec<&str> = decoded.split('&').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            let p = p.strip_prefix('-').unwrap_or(p);
            !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())
        })
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every difference between the shape of `actual` and that of `expected`.
pub fn differences(expected: &Value, actual: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    walk("$", expected, actual, &mut out);
    out
}

fn walk(path: &str, expected: &Value, actual: &Value, out: &mut Vec<Difference>) {
    let mut differ = |what: String| {
        out.push(Difference {
            path: path.to_owned(),
            what,
        })
    };
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for key in e.keys().filter(|k| !a.contains_key(*k)) {
                differ(format!("missing key `{key}`"));
            }
            for key in a.keys().filter(|k| !e.contains_key(*k)) {
                differ(format!("extra key `{key}`"));
            }
            for (key, e) in e {
                if let Some(a) = a.get(key) {
                    walk(&format!("{path}.{key}"), e, a, out);
                }
            }
        }
        (Value::Array(e), Value::Array(a)) => match e.first() {
            None => {}
            Some(_) if a.is_empty() => {
                differ("empty array where the expected one has items".into());
            }
            Some(first) => {
                let item = format!("{path}[]");
                let mut seen = Vec::new();
                for a in a {
                    let mut found = Vec::new();
                    walk(&item, first, a, &mut found);
                    for d in found {
                        if !seen.contains(&d) {
                            seen.push(d);
                        }
                    }
                }
                out.extend(seen);
            }
        },
        (Value::String(e), Value::String(a)) => {
            let (e, a) = (format_of(e), format_of(a));
            if e != a {
                differ(format!("format {a:?} where {e:?} is expected"));
            }
        }
        (e, a) if kind(e) != kind(a) => {
            differ(format!("{} where {} is expected", kind(a), kind(e)));
        }
        _ => {}
    }
}

/// Panics with every difference no exception covers, and every exception that covered
/// nothing (`what` names the capture or example in the message).
pub fn assert_same_shape(what: &str, expected: &Value, actual: &Value, exceptions: &[Exception]) {
    let found = differences(expected, actual);
    let unexplained: Vec<String> = found
        .iter()
        .filter(|d| !exceptions.iter().any(|e| e.path == d.path))
        .map(ToString::to_string)
        .collect();
    let unused: Vec<&str> = exceptions
        .iter()
        .filter(|e| !found.iter().any(|d| d.path == e.path))
        .map(|e| e.path)
        .collect();
    assert!(
        unexplained.is_empty() && unused.is_empty(),
        "{what}: the answer's shape differs from the expected one\n\
         differences no exception explains:\n  {}\n\
         exceptions that explain nothing (remove them):\n  {}\n\
         expected: {expected}\nactual:   {actual}",
        unexplained.join("\n  "),
        unused.join("\n  "),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn formats_are_classified() {
        assert_eq!(
            format_of("0001-01-01T05:52:00Z"),
            Format::DateTime {
                fraction: 0,
                offset: "Z".into()
            }
        );
        assert_eq!(
            format_of("2024-03-24T02:25:33.095Z"),
            Format::DateTime {
                fraction: 3,
                offset: "Z".into()
            }
        );
        assert_eq!(
            format_of("745831147_1_1e210d709f013f76846a9e2517aa7263"),
            Format::RobloxPageCursor
        );
        assert_eq!(
            format_of("638366615689560000-0_1_bcccef3d2c3547470ca9dc3072eedfec"),
            Format::RobloxPageCursor
        );
        assert_eq!(
            format_of("MTk5OTIxODE2MiYxNzYxMjQwMTYmMg=="),
            Format::RobloxCursoredCursor
        );
        assert_eq!(
            format_of("6f1c1c1e-9a3b-4c7e-8d2f-1a2b3c4d5e6f"),
            Format::Uuid
        );
        assert_eq!(format_of("builderman"), Format::Text);
    }

    #[test]
    fn differences_name_their_paths() {
        let expected =
            json!({"data": [{"id": 1, "created": "0001-01-01T05:52:00Z", "d": null}], "n": null});
        let actual = json!({"data": [
            {"id": 2, "created": "2024-01-01T00:00:00.123456789Z", "d": null, "x": 1},
            {"id": 3, "created": "0001-01-01T05:52:00Z"}
        ], "n": "c"});
        let mut found: Vec<String> = differences(&expected, &actual)
            .iter()
            .map(ToString::to_string)
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                "$.data[].created: format DateTime { fraction: 9, offset: \"Z\" } where \
                 DateTime { fraction: 0, offset: \"Z\" } is expected",
                "$.data[]: extra key `x`",
                "$.data[]: missing key `d`",
                "$.n: string where null is expected",
            ]
        );
    }

    #[test]
    fn an_unused_exception_fails() {
        let value = json!({"a": 1});
        let result = std::panic::catch_unwind(|| {
            assert_same_shape(
                "t",
                &value,
                &value,
                &[Exception {
                    path: "$.a",
                    reason: "none",
                }],
            )
        });
        assert!(result.is_err());
    }
}
