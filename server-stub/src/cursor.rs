//! Opaque, tamper-evident page cursors for keyset paging.
//!
//! A cursor is `base64url(payload) "." base64url(HMAC-SHA256(world secret, payload)[..16])`.
//! The payload names the list it belongs to (operation and owner), the direction and the key
//! to continue from, so a cursor cannot be edited, forged, or replayed against another list
//! or world: any of that decodes to `None`, which services answer with their "invalid
//! parameters" error.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// Which way a page goes from its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// Items after the key (in list order).
    Forward,
    /// Items before the key (in list order).
    Backward,
}

/// What a cursor carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CursorState {
    /// The list: operation, owner and sort, e.g. `followers:42:Desc`.
    pub list: String,
    /// Direction from `key`.
    pub direction: Direction,
    /// The key of the last item seen (exclusive).
    pub key: i64,
}

fn tag(secret: &[u8], payload: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => return Vec::new(),
    };
    mac.update(payload);
    mac.finalize().into_bytes()[..16].to_vec()
}

/// Encodes a cursor.
pub fn encode(secret: &[u8], state: &CursorState) -> String {
    let payload = serde_json::to_vec(state).unwrap_or_default();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&payload),
        URL_SAFE_NO_PAD.encode(tag(secret, &payload))
    )
}

/// Decodes a cursor for `list`; `None` if it was altered, forged or belongs elsewhere.
pub fn decode(secret: &[u8], list: &str, cursor: &str) -> Option<CursorState> {
    if cursor.len() > 512 {
        return None;
    }
    let (payload, signature) = cursor.split_once('.')?;
    let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(&payload);
    mac.verify_truncated_left(&signature).ok()?;
    if signature.len() != 16 {
        return None;
    }
    let state: CursorState = serde_json::from_slice(&payload).ok()?;
    (state.list == list).then_some(state)
}

/// One page of a keyset-ordered list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in list order.
    pub items: Vec<T>,
    /// Cursor of the next page, if there are items after this one.
    pub next: Option<String>,
    /// Cursor of the previous page, if there are items before this one.
    pub previous: Option<String>,
}

/// Pages a list ordered by `i64` keys. `forward(after, n)` returns up to `n` items with keys
/// after `after` (exclusive; `None`: from the start) in list order; `backward(before, n)` up
/// to `n` items with keys before `before` (exclusive), nearest first. Both must cost
/// O(log len + n) (a `BTreeMap` range) so a page costs the same at any list size.
pub fn page<T>(
    secret: &[u8],
    list: &str,
    cursor: Option<&CursorState>,
    limit: usize,
    key: impl Fn(&T) -> i64,
    forward: impl Fn(Option<i64>, usize) -> Vec<T>,
    backward: impl Fn(i64, usize) -> Vec<T>,
) -> Page<T> {
    let limit = limit.max(1);
    let (items, more_after, more_before) = match cursor {
        None => {
            let mut items = forward(None, limit + 1);
            let more = items.len() > limit;
            items.truncate(limit);
            (items, more, false)
        }
        Some(CursorState {
            direction: Direction::Forward,
            key: after,
            ..
        }) => {
            let mut items = forward(Some(*after), limit + 1);
            let more = items.len() > limit;
            items.truncate(limit);
            (items, more, true)
        }
        Some(CursorState {
            direction: Direction::Backward,
            key: before,
            ..
        }) => {
            let mut items = backward(*before, limit + 1);
            let more = items.len() > limit;
            items.truncate(limit);
            items.reverse();
            (items, true, more)
        }
    };
    let make = |direction, key| {
        encode(
            secret,
            &CursorState {
                list: list.to_owned(),
                direction,
                key,
            },
        )
    };
    let next = match items.last() {
        Some(last) if more_after => Some(make(Direction::Forward, key(last))),
        _ => None,
    };
    let previous = match items.first() {
        Some(first) if more_before => Some(make(Direction::Backward, key(first))),
        _ => None,
    };
    Page {
        items,
        next,
        previous,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn walk(list: &BTreeMap<i64, i64>, cursor: Option<&str>, limit: usize) -> Page<i64> {
        let state = cursor.map(|c| decode(SECRET, "l", c).expect("valid cursor"));
        page(
            SECRET,
            "l",
            state.as_ref(),
            limit,
            |k| *k,
            |after, n| match after {
                None => list.keys().take(n).copied().collect(),
                Some(a) => list.range(a + 1..).map(|(k, _)| *k).take(n).collect(),
            },
            |before, n| {
                list.range(..before)
                    .rev()
                    .map(|(k, _)| *k)
                    .take(n)
                    .collect()
            },
        )
    }

    #[test]
    fn forward_and_back_again() {
        let list: BTreeMap<i64, i64> = (1..=7).map(|k| (k, k)).collect();
        let first = walk(&list, None, 3);
        assert_eq!(first.items, [1, 2, 3]);
        assert!(first.previous.is_none());
        let second = walk(&list, first.next.as_deref(), 3);
        assert_eq!(second.items, [4, 5, 6]);
        let third = walk(&list, second.next.as_deref(), 3);
        assert_eq!(third.items, [7]);
        assert!(third.next.is_none());
        let back = walk(&list, third.previous.as_deref(), 3);
        assert_eq!(back.items, [4, 5, 6]);
        let start = walk(&list, back.previous.as_deref(), 3);
        assert_eq!(start.items, [1, 2, 3]);
        assert!(start.previous.is_none());
        assert!(start.next.is_some());
    }

    #[test]
    fn tampering_is_detected() {
        let cursor = encode(
            SECRET,
            &CursorState {
                list: "l".into(),
                direction: Direction::Forward,
                key: 5,
            },
        );
        assert!(decode(SECRET, "l", &cursor).is_some());
        assert!(decode(SECRET, "other", &cursor).is_none(), "another list");
        assert!(decode(b"another world's secret..........", "l", &cursor).is_none());
        let (payload, sig) = cursor.split_once('.').expect("dot");
        let forged = URL_SAFE_NO_PAD.encode(br#"{"list":"l","direction":"Forward","key":1}"#);
        assert!(decode(SECRET, "l", &format!("{forged}.{sig}")).is_none());
        assert!(decode(SECRET, "l", payload).is_none());
        assert!(decode(SECRET, "l", "garbage").is_none());
        assert!(decode(SECRET, "l", "").is_none());
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Whatever a client sends as a cursor, decoding answers `None` or a state,
            /// never panics.
            #[test]
            fn any_string_decodes_without_panicking(cursor in ".{0,600}") {
                let _ = decode(SECRET, "l", &cursor);
            }

            /// A cursor decodes back to what was encoded, and changing any one character
            /// of it makes it invalid.
            #[test]
            fn cursors_round_trip_and_resist_edits(
                key in any::<i64>(),
                forward in any::<bool>(),
                position in any::<prop::sample::Index>(),
                replacement in "[A-Za-z0-9_.-]",
            ) {
                let direction = if forward { Direction::Forward } else { Direction::Backward };
                let state = CursorState { list: "l".into(), direction, key };
                let cursor = encode(SECRET, &state);
                prop_assert_eq!(decode(SECRET, "l", &cursor), Some(state));
                let mut chars: Vec<char> = cursor.chars().collect();
                let i = position.index(chars.len());
                let new = replacement.chars().next().unwrap_or('A');
                prop_assume!(chars[i] != new);
                chars[i] = new;
                let edited: String = chars.into_iter().collect();
                prop_assert_eq!(decode(SECRET, "l", &edited), None);
            }
        }
    }
}
