//! Drift: what the SDK tolerated in a service's answers, per operation and JSON path.
//!
//! While an answer is decoded, every tolerant helper that absorbs something says so to the
//! call (`crate::transport::note_absorbed`). After the decode:
//!
//! 1. when nothing was absorbed, the only possible findings are unknown fields. They are
//!    looked for (a second decode in the reporting mode of `crate::tolerant`, through
//!    `serde_ignored`) in the first [`UNKNOWN_FIELDS_FIRST`] answers of each operation and
//!    then in every [`UNKNOWN_FIELDS_EVERY`]th: a field a service adds shows in every
//!    answer, so sampling finds it, and an ordinary answer costs nothing more.
//! 2. when something was absorbed (every such answer, none is sampled away), the body is
//!    parsed into a `serde_json::Value` and decoded again until it
//!    goes through: each failing pass names one refusal and its path, which is recorded
//!    and then removed from the value (a mismatched value becomes `null`, a `null` list
//!    goes, a naive timestamp gets its `Z`, an unknown enum value is marked as seen). The
//!    remedy is applied to every node with the same index-free path that has the same
//!    problem (all `data[].created` without an offset at once), so a page costs one pass
//!    per distinct problem, not per item; at most [`MAX_PASSES`].
//!
//! A mismatch inside a model that stays strict (one requests use too) is reported at the
//! value that did not decode; the `None` the caller sees is its nearest optional ancestor
//! in a response-only model.
//!
//! Paths are index-free, `data[].friendRequest.senderNickname`: an item of a list is `[]`
//! whatever its position, so a page of a hundred odd items is one entry counted a hundred
//! times. The root itself is `$`.

use crate::tolerant::{self, ACKNOWLEDGED, Noted};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

/// Decoding passes the drift pass makes over one answer at most (see the module docs).
pub const MAX_PASSES: usize = 64;

/// Distinct `(operation, path, kind)` entries a client keeps; what comes later is only
/// counted, in [`DriftReport::overflow`].
pub const MAX_ENTRIES: usize = 256;

/// What kind of thing the SDK tolerated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DriftKind {
    /// A field the document does not declare (ignored).
    UnknownField,
    /// An open enum value outside the documented list (kept as its `Unknown` variant).
    UnknownEnumValue,
    /// `null` where the document has a list (read as empty).
    NullAbsorbed,
    /// An optional value that did not decode as its documented type (read as `None`; the
    /// value is lost, so this one is logged at `warn`).
    TypeMismatch,
    /// A date-time without an offset (read as UTC).
    NaiveTimestamp,
}

impl DriftKind {
    /// The kind as the `kind` field of the tracing event names it (`unknown_field`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::UnknownField => "unknown_field",
            Self::UnknownEnumValue => "unknown_enum_value",
            Self::NullAbsorbed => "null_absorbed",
            Self::TypeMismatch => "type_mismatch",
            Self::NaiveTimestamp => "naive_timestamp",
        }
    }
}

impl fmt::Display for DriftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing tolerated in one answer: where, what, and how many nodes had it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) path: String,
    pub(crate) kind: DriftKind,
    pub(crate) detail: String,
    pub(crate) count: u64,
}

/// One `(operation, path, kind)` of a [`DriftReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftEntry {
    /// The `operationId`, e.g. `get_user_followers`.
    pub operation: &'static str,
    /// The index-free JSON path, e.g. `data[].created` (`$` is the root).
    pub path: String,
    /// What was tolerated.
    pub kind: DriftKind,
    /// How many times, over all answers so far.
    pub count: u64,
    /// The detail of the latest occurrence (the refused value, shortened, or a message).
    pub detail: String,
}

/// A snapshot of what a client has tolerated so far (the module docs say how it is found).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DriftReport {
    /// Occurrences of every kind, including the overflow.
    pub total: u64,
    /// Occurrences of entries past [`MAX_ENTRIES`], counted but not kept.
    pub overflow: u64,
    /// The entries, sorted by operation, path and kind.
    pub entries: Vec<DriftEntry>,
}

impl DriftReport {
    /// Whether nothing was tolerated.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The count of one entry (0 when absent).
    pub fn count(&self, operation: &str, path: &str, kind: DriftKind) -> u64 {
        self.entry(operation, path, kind).map_or(0, |e| e.count)
    }

    /// One entry, if present.
    pub fn entry(&self, operation: &str, path: &str, kind: DriftKind) -> Option<&DriftEntry> {
        self.entries
            .iter()
            .find(|e| e.operation == operation && e.path == path && e.kind == kind)
    }
}

type Key = (&'static str, String, DriftKind);

/// The running tally one client (and its clones) keeps, bounded by [`MAX_ENTRIES`].
#[derive(Debug, Default)]
pub(crate) struct DriftLog {
    state: Mutex<Tally>,
    /// Answers seen per operation, for [`sample_unknown_fields`](Self::sample_unknown_fields).
    answers: Mutex<BTreeMap<&'static str, u64>>,
}

#[derive(Debug, Default)]
struct Tally {
    total: u64,
    overflow: u64,
    entries: BTreeMap<Key, (u64, String)>,
}

/// Unknown fields are looked for in the first this many answers of each operation…
pub const UNKNOWN_FIELDS_FIRST: u64 = 8;
/// …and after those in every this-many-th.
pub const UNKNOWN_FIELDS_EVERY: u64 = 64;

impl DriftLog {
    /// Whether this answer of `operation` is one whose unknown fields are looked for (the
    /// first [`UNKNOWN_FIELDS_FIRST`], then every [`UNKNOWN_FIELDS_EVERY`]th). Everything
    /// else the SDK tolerates is found in every answer.
    pub(crate) fn sample_unknown_fields(&self, operation: &'static str) -> bool {
        let Ok(mut answers) = self.answers.lock() else {
            return true;
        };
        let seen = answers.entry(operation).or_insert(0);
        let n = *seen;
        *seen += 1;
        n < UNKNOWN_FIELDS_FIRST || n % UNKNOWN_FIELDS_EVERY == 0
    }

    /// Counts what one answer of `operation` had and emits one tracing event per finding.
    pub(crate) fn record(&self, operation: &'static str, found: Vec<Found>) {
        for item in &found {
            emit(operation, item);
        }
        let Ok(mut tally) = self.state.lock() else {
            return;
        };
        for item in found {
            tally.total += item.count;
            let key = (operation, item.path, item.kind);
            let full = tally.entries.len() >= MAX_ENTRIES;
            match tally.entries.get_mut(&key) {
                Some(entry) => *entry = (entry.0 + item.count, item.detail),
                None if full => tally.overflow += item.count,
                None => {
                    tally.entries.insert(key, (item.count, item.detail));
                }
            }
        }
    }

    /// A copy of the tally.
    pub(crate) fn snapshot(&self) -> DriftReport {
        let Ok(tally) = self.state.lock() else {
            return DriftReport::default();
        };
        DriftReport {
            total: tally.total,
            overflow: tally.overflow,
            entries: tally
                .entries
                .iter()
                .map(|((operation, path, kind), (count, detail))| DriftEntry {
                    operation,
                    path: path.clone(),
                    kind: *kind,
                    count: *count,
                    detail: detail.clone(),
                })
                .collect(),
        }
    }
}

/// The tracing event: target `social_sdk::drift`, `warn` for a lost value, `info` otherwise.
fn emit(operation: &'static str, item: &Found) {
    let (path, kind, detail, count) = (&item.path, item.kind.as_str(), &item.detail, item.count);
    if item.kind == DriftKind::TypeMismatch {
        tracing::warn!(target: "social_sdk::drift", operation, path, kind, detail, count, "response drift");
    } else {
        tracing::info!(target: "social_sdk::drift", operation, path, kind, detail, count, "response drift");
    }
}

/// What answer `body`, decoded as `T`, made the SDK tolerate (see the module docs);
/// `absorbed`: its decode absorbed something (else only unknown fields can be found).
pub(crate) fn find<T: DeserializeOwned>(body: &[u8], absorbed: bool) -> Vec<Found> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Vec::new();
    }
    let mut unknown = Vec::new();
    if !absorbed {
        let _ = unknown_only::<T>(body, &mut unknown);
        return unknown_fields(unknown);
    }
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for _ in 0..MAX_PASSES {
        unknown.clear();
        let Err((at, Some(noted))) = pass::<T, _>(&value, &mut unknown) else {
            break; // through, or refused by something that is not a tolerance
        };
        let count = remedy(&mut value, &at, &noted);
        if count == 0 {
            break;
        }
        found.push(Found {
            path: render(&at),
            kind: noted.kind,
            detail: noted.detail,
            count,
        });
    }
    found.extend(unknown_fields(unknown));
    found
}

/// One step of a JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

type Refused = (Vec<Step>, Option<Noted>);

/// The cheap pass for an answer whose decode absorbed nothing: reporting mode through
/// `serde_ignored` only (no path tracking: nothing is expected to be refused).
fn unknown_only<T: DeserializeOwned>(body: &[u8], unknown: &mut Vec<Vec<Step>>) -> bool {
    let _ = tolerant::take_noted();
    let mut on_ignored = |path: serde_ignored::Path<'_>| unknown.push(ignored_steps(&path));
    let mut json = serde_json::Deserializer::from_slice(body);
    let result = tolerant::reporting(|| {
        T::deserialize(serde_ignored::Deserializer::new(&mut json, &mut on_ignored))
    });
    let _ = tolerant::take_noted();
    result.is_ok()
}

/// One reporting-mode decode; unknown fields go to `unknown`, a refusal comes back with its
/// path and what was noted.
fn pass<'de, T, D>(deserializer: D, unknown: &mut Vec<Vec<Step>>) -> Result<(), Refused>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    let _ = tolerant::take_noted();
    let mut track = serde_path_to_error::Track::new();
    let mut on_ignored = |path: serde_ignored::Path<'_>| unknown.push(ignored_steps(&path));
    let result = tolerant::reporting(|| {
        let ignored = serde_ignored::Deserializer::new(deserializer, &mut on_ignored);
        T::deserialize(serde_path_to_error::Deserializer::new(ignored, &mut track))
    });
    match result {
        Ok(_) => Ok(()),
        Err(_) => Err((tracked_steps(&track.path()), tolerant::take_noted())),
    }
}

fn ignored_steps(path: &serde_ignored::Path<'_>) -> Vec<Step> {
    use serde_ignored::Path as P;
    let (parent, step) = match path {
        P::Root => return Vec::new(),
        P::Seq { parent, index } => (parent, Some(Step::Index(*index))),
        P::Map { parent, key } => (parent, Some(Step::Key(key.clone()))),
        P::Some { parent } | P::NewtypeStruct { parent } | P::NewtypeVariant { parent } => {
            (parent, None)
        }
    };
    let mut steps = ignored_steps(parent);
    steps.extend(step);
    steps
}

fn tracked_steps(path: &serde_path_to_error::Path) -> Vec<Step> {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|segment| match segment {
            Segment::Seq { index } => Some(Step::Index(*index)),
            Segment::Map { key } => Some(Step::Key(key.clone())),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect()
}

/// `data[].friendRequest.senderNickname`; `$` for the root.
fn render(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Index(_) => out.push_str("[]"),
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
        }
    }
    if out.is_empty() { "$".to_owned() } else { out }
}

/// Unknown fields, one finding per distinct path.
fn unknown_fields(paths: Vec<Vec<Step>>) -> Vec<Found> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for path in paths {
        *counts.entry(render(&path)).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|(path, count)| Found {
            path,
            kind: DriftKind::UnknownField,
            detail: "not in the document, ignored".to_owned(),
            count,
        })
        .collect()
}

/// Takes what was noted at `at` out of the way of the next pass; returns how many nodes it
/// changed (0: no progress, the loop stops).
fn remedy(value: &mut Value, at: &[Step], noted: &Noted) -> u64 {
    match noted.kind {
        DriftKind::TypeMismatch => null_out(value, at),
        DriftKind::NaiveTimestamp => each_like(value, at, &mut |node| {
            let fixed = node
                .as_str()
                .and_then(tolerant::parse_date_time)
                .filter(|(_, naive)| *naive)
                .map(|(time, _)| Value::String(time.to_rfc3339()));
            fixed.map(|fixed| *node = fixed).is_some()
        }),
        DriftKind::UnknownEnumValue => each_like(value, at, &mut |node| {
            let same = noted.value.as_ref() == Some(node);
            if same {
                *node = Value::String(ACKNOWLEDGED.to_owned());
            }
            same
        }),
        DriftKind::NullAbsorbed => remove_nulls(value, at),
        DriftKind::UnknownField => 0,
    }
}

/// Sets the node at `at` to `null`; when it already is (the refusal was about a `null`
/// deeper down in a strict type), its parent instead.
fn null_out(value: &mut Value, at: &[Step]) -> u64 {
    for depth in (1..=at.len()).rev() {
        if let Some(node) = node_mut(value, &at[..depth])
            && !node.is_null()
        {
            *node = Value::Null;
            return 1;
        }
    }
    0
}

fn node_mut<'v>(value: &'v mut Value, at: &[Step]) -> Option<&'v mut Value> {
    at.iter().try_fold(value, |node, step| match step {
        Step::Key(key) => node.get_mut(key.as_str()),
        Step::Index(index) => node.get_mut(*index),
    })
}

/// Applies `fix` to every node with the same index-free path as `at` (every item of each
/// list on the way); counts the nodes it changed.
fn each_like(value: &mut Value, at: &[Step], fix: &mut dyn FnMut(&mut Value) -> bool) -> u64 {
    let Some((first, rest)) = at.split_first() else {
        return u64::from(fix(value));
    };
    match (first, value) {
        (Step::Key(key), Value::Object(map)) => map
            .get_mut(key.as_str())
            .map_or(0, |child| each_like(child, rest, fix)),
        (Step::Index(_), Value::Array(items)) => items
            .iter_mut()
            .map(|item| each_like(item, rest, fix))
            .sum(),
        _ => 0,
    }
}

/// Removes every `null` member with the same index-free path as `at` (absent reads as the
/// default, as the helper would have done).
fn remove_nulls(value: &mut Value, at: &[Step]) -> u64 {
    let Some((Step::Key(key), parent)) = at.split_last() else {
        return 0;
    };
    each_like(value, parent, &mut |node| {
        let is_null = node.get(key.as_str()).is_some_and(Value::is_null);
        if is_null && let Some(map) = node.as_object_mut() {
            map.remove(key.as_str());
        }
        is_null
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::friends::types::UserResponseWithoutPresencePage;

    #[test]
    fn a_clean_answer_has_no_drift() {
        let body = br#"{"data": [{"id": 1, "created": "2024-03-24T02:25:33Z"}]}"#;
        assert!(find::<UserResponseWithoutPresencePage>(body, false).is_empty());
        assert!(find::<UserResponseWithoutPresencePage>(body, true).is_empty());
    }

    #[test]
    fn decoding_says_whether_it_absorbed_anything() {
        let absorbed = |body: &[u8]| {
            let slot = crate::transport::CaptureSlot::default();
            crate::transport::CAPTURE.sync_scope(std::sync::Arc::clone(&slot), || {
                let _: UserResponseWithoutPresencePage =
                    serde_json::from_slice(body).expect("tolerant");
            });
            slot.lock().expect("slot").absorbed
        };
        assert!(!absorbed(
            br#"{"data": [{"id": 1, "created": "2024-03-24T02:25:33Z"}]}"#
        ));
        assert!(
            !absorbed(br#"{"data": [{"id": 1, "unknown": true}]}"#),
            "not absorbed: ignored"
        );
        assert!(absorbed(
            br#"{"data": [{"id": 1, "created": "2024-03-24T02:25:33"}]}"#
        ));
        assert!(absorbed(br#"{"data": [{"id": 1, "isBanned": "no"}]}"#));
        assert!(absorbed(br#"{"data": null}"#));
    }

    #[test]
    fn unknown_fields_are_looked_for_in_a_sample_of_the_answers() {
        let log = DriftLog::default();
        let sampled = (0..200).filter(|_| log.sample_unknown_fields("op")).count();
        // Answers 0..8, then 64, 128 and 192.
        assert_eq!(u64::try_from(sampled).ok(), Some(UNKNOWN_FIELDS_FIRST + 3));
        assert!(
            log.sample_unknown_fields("another"),
            "counted per operation"
        );
    }

    #[test]
    fn every_item_with_the_same_problem_is_one_finding() {
        let body = br#"{"data": [
            {"id": 1, "created": "2024-03-24T02:25:33"},
            {"id": 2, "created": "0001-01-01T00:00:00", "isBanned": "no", "extra": 1},
            {"id": 3, "created": "2024-03-24T02:25:33.0950000"}
        ]}"#;
        let found = find::<UserResponseWithoutPresencePage>(body, true);
        let get = |path: &str, kind| found.iter().find(|f| f.path == path && f.kind == kind);
        assert_eq!(
            get("data[].created", DriftKind::NaiveTimestamp).map(|f| f.count),
            Some(3)
        );
        assert_eq!(
            get("data[].isBanned", DriftKind::TypeMismatch).map(|f| f.count),
            Some(1)
        );
        assert_eq!(
            get("data[].extra", DriftKind::UnknownField).map(|f| f.count),
            Some(1)
        );
        assert_eq!(found.len(), 3, "{found:?}");
    }

    #[test]
    fn a_null_list_and_a_mismatch_inside_a_strict_model_are_found() {
        let found = find::<UserResponseWithoutPresencePage>(br#"{"data": null}"#, true);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].path.as_str(), found[0].kind),
            ("data", DriftKind::NullAbsorbed)
        );

        use crate::party::types::LobbySelection;
        let body = br#"{"minigame": {"mode": "ffa", "roundBased": "yes"}}"#;
        let decoded: LobbySelection = serde_json::from_slice(body).expect("tolerant");
        assert_eq!(decoded.minigame, None);
        let found = find::<LobbySelection>(body, true);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].path, "minigame.roundBased");
        assert_eq!(found[0].kind, DriftKind::TypeMismatch);
    }

    #[test]
    fn the_log_is_bounded() {
        let log = DriftLog::default();
        let found = (0..MAX_ENTRIES + 10)
            .map(|i| Found {
                path: format!("f{i}"),
                kind: DriftKind::UnknownField,
                detail: String::new(),
                count: 2,
            })
            .collect();
        log.record("op", found);
        let report = log.snapshot();
        assert_eq!(report.entries.len(), MAX_ENTRIES);
        assert_eq!(report.overflow, 20);
        assert_eq!(report.total, 2 * (MAX_ENTRIES as u64 + 10));
    }

    #[test]
    fn paths_render_index_free() {
        let steps = [
            Step::Key("data".into()),
            Step::Index(4),
            Step::Key("created".into()),
        ];
        assert_eq!(render(&steps), "data[].created");
        assert_eq!(render(&[]), "$");
        assert_eq!(render(&[Step::Index(0)]), "[]");
    }
}
