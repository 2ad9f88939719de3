//! A world's answer cache: the serialised answers of pure reads, keyed by the request, behind
//! the world's generation.
//!
//! The generation counts changes. Every change of the world's state moves it: a service state
//! locked for a change ([`World::roblox`](super::World::roblox) and
//! [`roster`](super::World::roster) outside a read, [`social_mut`](super::World::social_mut)
//! always) moves it when the lock is released, still holding the lock; so do a clock advance
//! and [`World::touch`](super::World::touch), which a read with a side effect calls (the flood
//! limit's counting). An answer is stored under the generation read before it was computed,
//! and only if the generation has not moved by the time it is done: an answer is never
//! served for a state it was not computed from. Answers also carry an age bound
//! ([`StubConfig::answer_cache_max_age_ms`](crate::config::StubConfig)), because the world's
//! clock runs with real time and expiries happen without any change.
//!
//! Which operations may be cached at all is the document's word: a `GET` without
//! `x-side-effects` ([`Operation::cacheable`](crate::spec::Operation)).

use super::lock;
use bytes::Bytes;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Most answers one world keeps; a full cache drops what is stale, then everything.
pub const MAX_ANSWERS: usize = 512;
/// The largest answer kept (bytes).
pub const MAX_ANSWER_BYTES: usize = 4 << 20;

tokio::task_local! {
    /// Set while a cacheable read runs: its locks of the service state are reads.
    static READING: ();
}

/// Runs `read` as a pure read: the Roblox and roster state it locks do not move the
/// generation (a read with a side effect calls [`World::touch`](super::World::touch)).
pub async fn reading<F: Future>(read: F) -> F::Output {
    READING.scope((), read).await
}

/// Whether the current task is inside [`reading`].
pub(super) fn in_read() -> bool {
    READING.try_with(|()| ()).is_ok()
}

/// A stored answer: its `application/json` body (its status is the operation's success
/// status, the only one stored).
pub type Answer = Bytes;

#[derive(Debug)]
struct Entry {
    generation: u64,
    at: Instant,
    answer: Answer,
}

/// The cache and the generation.
#[derive(Debug)]
pub(super) struct Answers {
    generation: AtomicU64,
    enabled: AtomicBool,
    max_age: Duration,
    entries: Mutex<HashMap<Box<[u8]>, Entry>>,
    hits: AtomicU64,
}

impl Answers {
    pub(super) fn new(max_age: Duration) -> Self {
        Self {
            generation: AtomicU64::new(0),
            enabled: AtomicBool::new(!max_age.is_zero()),
            max_age,
            entries: Mutex::new(HashMap::new()),
            hits: AtomicU64::new(0),
        }
    }

    pub(super) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub(super) fn generation_counter(&self) -> &AtomicU64 {
        &self.generation
    }

    pub(super) fn touch(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    pub(super) fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    pub(super) fn set_enabled(&self, on: bool) {
        self.enabled
            .store(on && !self.max_age.is_zero(), Ordering::Relaxed);
    }

    pub(super) fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    pub(super) fn get(&self, key: &[u8], generation: u64) -> Option<Answer> {
        let entries = lock(&self.entries);
        let entry = entries.get(key)?;
        if entry.generation != generation || entry.at.elapsed() >= self.max_age {
            return None;
        }
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(entry.answer.clone())
    }

    pub(super) fn put(&self, key: Box<[u8]>, generation: u64, at: Instant, answer: Answer) {
        if answer.len() > MAX_ANSWER_BYTES || self.generation() != generation {
            return;
        }
        let mut entries = lock(&self.entries);
        if entries.len() >= MAX_ANSWERS && !entries.contains_key(&key) {
            let max_age = self.max_age;
            entries.retain(|_, e| e.generation == generation && e.at.elapsed() < max_age);
            if entries.len() >= MAX_ANSWERS {
                entries.clear();
            }
        }
        entries.insert(
            key,
            Entry {
                generation,
                at,
                answer,
            },
        );
    }
}
