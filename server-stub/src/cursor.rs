//! Opaque, tamper-evident page cursors for keyset paging, written in the format of the
//! service that hands them out ([`Style`]).
//!
//! Every cursor carries the direction and the key to continue from, and a tag:
//! HMAC-SHA256 under the world secret over the list it belongs to (operation and owner), the
//! direction and the key. So a cursor cannot be edited, forged, or replayed against another
//! list or world: any of that decodes to `None`, which services answer with their "invalid
//! parameters" error.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// How a service writes its cursors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `base64url(payload) "." base64url(tag)`, the payload JSON naming the list (roster).
    Signed,
    /// Friends v1 `camelCase` pages: `<key>_<direction>_<32 hex digits of tag>`, direction
    /// `1` forward and `2` backward (the service's look like
    /// `745831147_1_1e210d709f013f76846a9e2517aa7263`).
    RobloxPage,
    /// Friends v1 `PascalCase` pages (`find`, `search`): standard base64 of
    /// `<key>&<tag as an unsigned 64-bit number>&<direction>` (the service's decode to
    /// `1999218162&176124016&2`).
    RobloxCursored,
}

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

/// What the Roblox styles sign: the list, the direction and the key.
fn roblox_payload(list: &str, direction: Direction, key: i64) -> Vec<u8> {
    format!("{list}\n{}\n{key}", direction_digit(direction)).into_bytes()
}

fn direction_digit(direction: Direction) -> u8 {
    match direction {
        Direction::Forward => 1,
        Direction::Backward => 2,
    }
}

fn direction_of(digit: &str) -> Option<Direction> {
    match digit {
        "1" => Some(Direction::Forward),
        "2" => Some(Direction::Backward),
        _ => None,
    }
}

/// Encodes a cursor in `style`.
pub fn encode(style: Style, secret: &[u8], state: &CursorState) -> String {
    match style {
        Style::Signed => {
            let payload = serde_json::to_vec(state).unwrap_or_default();
            format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(&payload),
                URL_SAFE_NO_PAD.encode(tag(secret, &payload))
            )
        }
        Style::RobloxPage => {
            let tag = tag(
                secret,
                &roblox_payload(&state.list, state.direction, state.key),
            );
            let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
            format!("{}_{}_{hex}", state.key, direction_digit(state.direction))
        }
        Style::RobloxCursored => {
            let tag = tag(
                secret,
                &roblox_payload(&state.list, state.direction, state.key),
            );
            let mut first = [0u8; 8];
            first.copy_from_slice(tag.get(..8).unwrap_or(&[0; 8]));
            let text = format!(
                "{}&{}&{}",
                state.key,
                u64::from_be_bytes(first),
                direction_digit(state.direction)
            );
            base64::engine::general_purpose::STANDARD.encode(text)
        }
    }
}

/// Decodes a cursor of `style` for `list`; `None` if it was altered, forged or belongs
/// elsewhere.
pub fn decode(style: Style, secret: &[u8], list: &str, cursor: &str) -> Option<CursorState> {
    if cursor.len() > 512 {
        return None;
    }
    let (key, direction, signature) = match style {
        Style::Signed => return decode_signed(secret, list, cursor),
        Style::RobloxPage => {
            let mut parts = cursor.rsplitn(3, '_');
            let (hex, direction, key) = (parts.next()?, parts.next()?, parts.next()?);
            if hex.len() != 32 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                return None;
            }
            let signature = (0..16)
                .map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
                .collect::<Option<Vec<u8>>>()?;
            (canonical(key)?, direction_of(direction)?, signature)
        }
        Style::RobloxCursored => {
            let text = base64::engine::general_purpose::STANDARD
                .decode(cursor)
                .ok()?;
            let text = String::from_utf8(text).ok()?;
            let mut parts = text.split('&');
            let (key, number, direction) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() {
                return None;
            }
            let number: u64 = canonical(number)?;
            (
                canonical(key)?,
                direction_of(direction)?,
                number.to_be_bytes().to_vec(),
            )
        }
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).ok()?;
    mac.update(&roblox_payload(list, direction, key));
    mac.verify_truncated_left(&signature).ok()?;
    Some(CursorState {
        list: list.to_owned(),
        direction,
        key,
    })
}

/// A number in its one spelling (`7`, not `07` or `+7`), so no two cursors mean the same.
fn canonical<T: std::str::FromStr + ToString>(text: &str) -> Option<T> {
    let number: T = text.parse().ok()?;
    (number.to_string() == text).then_some(number)
}

fn decode_signed(secret: &[u8], list: &str, cursor: &str) -> Option<CursorState> {
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
#[allow(clippy::too_many_arguments)]
pub fn page<T>(
    style: Style,
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
            style,
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
        let state = cursor.map(|c| decode(Style::Signed, SECRET, "l", c).expect("valid cursor"));
        page(
            Style::Signed,
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

    const STYLES: [Style; 3] = [Style::Signed, Style::RobloxPage, Style::RobloxCursored];

    fn state(key: i64) -> CursorState {
        CursorState {
            list: "l".into(),
            direction: Direction::Forward,
            key,
        }
    }

    #[test]
    fn tampering_is_detected() {
        let cursor = encode(Style::Signed, SECRET, &state(5));
        assert!(decode(Style::Signed, SECRET, "l", &cursor).is_some());
        let (payload, sig) = cursor.split_once('.').expect("dot");
        let forged = URL_SAFE_NO_PAD.encode(br#"{"list":"l","direction":"Forward","key":1}"#);
        assert!(decode(Style::Signed, SECRET, "l", &format!("{forged}.{sig}")).is_none());
        assert!(decode(Style::Signed, SECRET, "l", payload).is_none());
        for style in STYLES {
            let cursor = encode(style, SECRET, &state(5));
            assert_eq!(
                decode(style, SECRET, "l", &cursor),
                Some(state(5)),
                "{style:?}"
            );
            assert!(
                decode(style, SECRET, "other", &cursor).is_none(),
                "{style:?}: another list"
            );
            let other_world = b"another world's secret..........";
            assert!(
                decode(style, other_world, "l", &cursor).is_none(),
                "{style:?}"
            );
            assert!(decode(style, SECRET, "l", "garbage").is_none(), "{style:?}");
            assert!(decode(style, SECRET, "l", "").is_none(), "{style:?}");
            for other in STYLES.into_iter().filter(|o| *o != style) {
                assert!(
                    decode(other, SECRET, "l", &cursor).is_none(),
                    "{style:?} as {other:?}"
                );
            }
        }
    }

    #[test]
    fn roblox_cursors_look_like_the_services() {
        let page = encode(Style::RobloxPage, SECRET, &state(745831147));
        let (key, rest) = page.split_once('_').expect("key");
        let (direction, hex) = rest.split_once('_').expect("direction");
        assert_eq!(
            (key, direction, hex.len()),
            ("745831147", "1", 32),
            "{page}"
        );
        let cursored = encode(Style::RobloxCursored, SECRET, &state(1999218162));
        let text = base64::engine::general_purpose::STANDARD
            .decode(&cursored)
            .expect("standard base64");
        let text = String::from_utf8(text).expect("text");
        let parts: Vec<&str> = text.split('&').collect();
        assert_eq!(
            (parts.len(), parts[0], parts[2]),
            (3, "1999218162", "1"),
            "{text}"
        );
        // A number in another spelling is another cursor.
        let respelled =
            base64::engine::general_purpose::STANDARD.encode(format!("01999218162&{}&1", parts[1]));
        assert!(decode(Style::RobloxCursored, SECRET, "l", &respelled).is_none());
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Whatever a client sends as a cursor, decoding answers `None` or a state,
            /// never panics.
            #[test]
            fn any_string_decodes_without_panicking(cursor in ".{0,600}", style in 0..3usize) {
                let _ = decode(STYLES[style], SECRET, "l", &cursor);
            }

            /// A cursor decodes back to what was encoded, and changing any one character
            /// of it makes it invalid.
            #[test]
            fn cursors_round_trip_and_resist_edits(
                key in any::<i64>(),
                forward in any::<bool>(),
                style in 0..3usize,
                position in any::<prop::sample::Index>(),
                replacement in "[A-Za-z0-9_.&+/=-]",
            ) {
                let style = STYLES[style];
                let direction = if forward { Direction::Forward } else { Direction::Backward };
                let state = CursorState { list: "l".into(), direction, key };
                let cursor = encode(style, SECRET, &state);
                prop_assert_eq!(decode(style, SECRET, "l", &cursor), Some(state));
                let mut chars: Vec<char> = cursor.chars().collect();
                let i = position.index(chars.len());
                let new = replacement.chars().next().unwrap_or('A');
                prop_assume!(chars[i] != new);
                chars[i] = new;
                let edited: String = chars.into_iter().collect();
                prop_assert_eq!(decode(style, SECRET, "l", &edited), None);
            }
        }
    }
}
