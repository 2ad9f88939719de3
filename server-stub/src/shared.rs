//! Small data shapes every service shares: maps with tuple keys in the state dumps, and
//! the "hub" of bulk seeding.

use serde::{Deserialize, Serialize};

/// Serialises a map with tuple keys as `[[key, value], …]` (JSON object keys must be
/// strings), for the state dumps.
pub(crate) fn serialize_entries<'a, M, K, V, S>(
    map: &'a M,
    serializer: S,
) -> Result<S::Ok, S::Error>
where
    &'a M: IntoIterator<Item = (&'a K, &'a V)>,
    K: Serialize + 'a,
    V: Serialize + 'a,
    S: serde::Serializer,
{
    serializer.collect_seq(map)
}

/// "`count` of the new users become friends (or followers) of `id`".
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Hub<Id> {
    /// The user or player they attach to.
    pub id: Id,
    /// How many.
    pub count: u64,
}
