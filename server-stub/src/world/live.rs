//! The live hub of one world: who follows which snapshot, and what they were sent last.
//!
//! The hub knows no service. A service hands it a [`Topic`]: a name and a function that
//! renders the frames of a set of subscribers from one consistent view of the world. A change
//! says which subscribers it can have reached (a [`Reach`]: every one, or those of some
//! keys); after it, [`World::publish`] re-renders those subscribers once (each distinct key
//! once per topic) and pushes only the frames that changed. Each subscriber holds a `watch`
//! channel: only the newest frame is kept, so a slow reader skips to the latest state and
//! nothing queues up.

use super::World;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::watch;
use uuid::Uuid;

/// A kind of live snapshot.
#[derive(Debug)]
pub struct Topic {
    /// Its name (for logs and tests).
    pub name: &'static str,
    /// The frames of these subscribers (one per key, same order), rendered from one
    /// consistent view of the world.
    pub render: fn(&World, &[Uuid]) -> Vec<Arc<str>>,
}

impl Topic {
    fn same(&self, other: &Topic) -> bool {
        std::ptr::eq(self, other)
    }
}

/// The live subscribers a change can have reached: whose frames must be rendered again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Every subscriber (a control-plane change, a seed, a clock advance: what a service
    /// cannot narrow down).
    All,
    /// The subscribers of these keys only; an empty set reaches nobody.
    Keys(HashSet<Uuid>),
}

impl Default for Reach {
    /// Reaches nobody.
    fn default() -> Self {
        Self::Keys(HashSet::new())
    }
}

impl Reach {
    /// Adds what `other` reaches.
    pub fn add(&mut self, other: Reach) {
        match (&mut *self, other) {
            (Self::All, _) => {}
            (_, Self::All) => *self = Self::All,
            (Self::Keys(mine), Self::Keys(theirs)) => mine.extend(theirs),
        }
    }

    /// Whether the subscribers of `key` are reached.
    pub fn includes(&self, key: &Uuid) -> bool {
        match self {
            Self::All => true,
            Self::Keys(keys) => keys.contains(key),
        }
    }
}

/// One live connection's latest frame.
#[derive(Debug)]
struct Subscriber {
    topic: &'static Topic,
    key: Uuid,
    tx: watch::Sender<Arc<str>>,
}

/// Every live subscriber of a world.
#[derive(Debug, Default)]
pub(crate) struct LiveHub {
    subscribers: Vec<Subscriber>,
}

impl LiveHub {
    pub(crate) fn add(
        &mut self,
        topic: &'static Topic,
        key: Uuid,
        first: Arc<str>,
    ) -> watch::Receiver<Arc<str>> {
        let (tx, rx) = watch::channel(first);
        self.subscribers.push(Subscriber { topic, key, tx });
        rx
    }

    /// Subscribers kept (closed ones go at the next refresh).
    pub(crate) fn len(&self) -> usize {
        self.subscribers.len()
    }

    pub(crate) fn open(&self) -> usize {
        self.subscribers
            .iter()
            .filter(|s| !s.tx.is_closed())
            .count()
    }

    /// Renders the frame of every open subscriber `reach` includes (each distinct key once
    /// per topic) and pushes those that differ from what the subscriber holds.
    pub(crate) fn refresh(&mut self, world: &World, reach: &Reach) {
        self.subscribers.retain(|s| !s.tx.is_closed());
        let mut topics: Vec<&'static Topic> = Vec::new();
        for subscriber in &self.subscribers {
            if !topics.iter().any(|t| t.same(subscriber.topic)) {
                topics.push(subscriber.topic);
            }
        }
        for topic in topics {
            let mut keys: Vec<Uuid> = self
                .subscribers
                .iter()
                .filter(|s| s.topic.same(topic) && reach.includes(&s.key))
                .map(|s| s.key)
                .collect();
            keys.sort_unstable();
            keys.dedup();
            if keys.is_empty() {
                continue;
            }
            let frames: HashMap<Uuid, Arc<str>> = keys
                .iter()
                .copied()
                .zip((topic.render)(world, &keys))
                .collect();
            for subscriber in self.subscribers.iter().filter(|s| s.topic.same(topic)) {
                let Some(frame) = frames.get(&subscriber.key) else {
                    continue;
                };
                subscriber.tx.send_if_modified(|current| {
                    if current == frame {
                        false
                    } else {
                        *current = frame.clone();
                        true
                    }
                });
            }
        }
    }
}
