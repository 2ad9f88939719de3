//! Worlds: isolated state addressed by base-URL prefix (`/w/{world}/…`), each with its own
//! clock, fault rules and request log. Every mutation of a world's state happens under that
//! world's lock, so it is atomic.

use crate::config::StubConfig;
use crate::roblox::RobloxState;
use crate::roster::RosterState;
use crate::social::SocialState;
use axum::body::Body;
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

/// The id of the world the bare prefixes (`/friends/…`) address.
pub const DEFAULT_WORLD: &str = "default";
/// How many worlds may exist at once.
pub const MAX_WORLDS: usize = 10_000;
/// How many requests a world's log keeps (oldest dropped first).
pub const LOG_CAPACITY: usize = 10_000;

/// All worlds.
#[derive(Debug)]
pub struct Worlds {
    config: Arc<StubConfig>,
    map: RwLock<HashMap<String, Arc<World>>>,
}

impl Worlds {
    /// The registry with the default world in it.
    pub fn new(config: Arc<StubConfig>) -> Self {
        let worlds = Self {
            config,
            map: RwLock::new(HashMap::new()),
        };
        worlds.create(Some(DEFAULT_WORLD.to_owned())).ok();
        worlds
    }

    /// The default world.
    pub fn default_world(&self) -> Arc<World> {
        match self.get(DEFAULT_WORLD) {
            Some(world) => world,
            None => {
                let world = Arc::new(World::new(DEFAULT_WORLD.to_owned(), self.config.clone()));
                self.write().insert(DEFAULT_WORLD.to_owned(), world.clone());
                world
            }
        }
    }

    /// A world by id.
    pub fn get(&self, id: &str) -> Option<Arc<World>> {
        self.map
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Arc<World>>> {
        self.map.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates a world (a fresh id when none is given).
    pub fn create(&self, id: Option<String>) -> Result<Arc<World>, String> {
        let id = id.unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string()[..12].to_owned());
        if id.is_empty()
            || id.len() > 64
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err("a world id is 1-64 characters of A-Z, a-z, 0-9, '-' and '_'".into());
        }
        let mut map = self.write();
        if map.contains_key(&id) {
            return Err(format!("world {id:?} exists already"));
        }
        if map.len() >= MAX_WORLDS {
            return Err(format!("at most {MAX_WORLDS} worlds; delete some first"));
        }
        let world = Arc::new(World::new(id.clone(), self.config.clone()));
        map.insert(id, world.clone());
        Ok(world)
    }

    /// Deletes a world; the default world is reset instead.
    pub fn delete(&self, id: &str) -> bool {
        let mut map = self.write();
        if id == DEFAULT_WORLD {
            map.insert(
                id.to_owned(),
                Arc::new(World::new(id.to_owned(), self.config.clone())),
            );
            return true;
        }
        map.remove(id).is_some()
    }

    /// Ids of every world.
    pub fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .map
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect();
        ids.sort();
        ids
    }
}

/// One isolated world.
#[derive(Debug)]
pub struct World {
    /// Its id.
    pub id: String,
    /// The stub's settings.
    pub config: Arc<StubConfig>,
    /// Key for the world's tamper-evident cursors.
    pub secret: [u8; 32],
    clock_offset: Mutex<chrono::Duration>,
    faults: Mutex<Vec<FaultRule>>,
    log: Mutex<VecDeque<LoggedRequest>>,
    roblox: Mutex<RobloxState>,
    social: Mutex<SocialState>,
    roster: Mutex<RosterState>,
    live: Mutex<Vec<Subscriber>>,
}

/// Which live snapshot a subscriber follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveKind {
    /// `GET /v1/social/friends/live`.
    Friends,
    /// `GET /v1/social/party/live`.
    Party,
}

/// One live connection's latest snapshot. A `watch` channel holds only the newest value, so
/// a slow reader skips to the latest state and nothing queues up.
#[derive(Debug)]
struct Subscriber {
    kind: LiveKind,
    player: uuid::Uuid,
    tx: tokio::sync::watch::Sender<Arc<str>>,
}

impl World {
    fn new(id: String, config: Arc<StubConfig>) -> Self {
        let mut secret = [0u8; 32];
        secret[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        secret[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        Self {
            id,
            roblox: Mutex::new(RobloxState::new(&config)),
            social: Mutex::new(SocialState::new(&config)),
            roster: Mutex::new(RosterState::new(&config)),
            live: Mutex::new(Vec::new()),
            config,
            secret,
            clock_offset: Mutex::new(chrono::Duration::zero()),
            faults: Mutex::new(Vec::new()),
            log: Mutex::new(VecDeque::new()),
        }
    }

    /// The world's time: real time plus however far tests advanced it.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + *lock(&self.clock_offset)
    }

    /// Moves the world's clock forward.
    pub fn advance(&self, by: Duration) {
        let by = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
        let mut offset = lock(&self.clock_offset);
        *offset = offset.checked_add(&by).unwrap_or(*offset);
    }

    /// The Friends/Contacts state, locked.
    pub fn roblox(&self) -> MutexGuard<'_, RobloxState> {
        lock(&self.roblox)
    }

    /// The social friends + party state (they share players), locked.
    pub fn social(&self) -> MutexGuard<'_, SocialState> {
        lock(&self.social)
    }

    /// The roster state, locked.
    pub fn roster(&self) -> MutexGuard<'_, RosterState> {
        lock(&self.roster)
    }

    /// Subscribes to a player's live snapshot; the receiver starts with the current one.
    ///
    /// The subscriber list stays locked from reading the first snapshot until the subscriber
    /// is in it (the lock order of [`refresh_live`](Self::refresh_live): live, then social):
    /// a mutation landing in between would otherwise refresh the list without it, and the
    /// new subscriber would keep the older snapshot until some later change.
    pub(crate) fn subscribe(
        &self,
        kind: LiveKind,
        player: uuid::Uuid,
    ) -> tokio::sync::watch::Receiver<Arc<str>> {
        let mut subscribers = lock(&self.live);
        let now = self.now();
        let frame = crate::live::frame(&self.social(), &self.config, kind, player, now);
        let (tx, rx) = tokio::sync::watch::channel(frame);
        subscribers.push(Subscriber { kind, player, tx });
        rx
    }

    /// Recomputes every live subscriber's snapshot and pushes those that changed. Called by
    /// each mutation (REST, server routes, control plane) once its state change is done.
    pub fn refresh_live(&self) {
        let mut subscribers = lock(&self.live);
        subscribers.retain(|s| !s.tx.is_closed());
        if subscribers.is_empty() {
            return;
        }
        let now = self.now();
        let social = self.social();
        let mut built: HashMap<(uuid::Uuid, bool), Arc<str>> = HashMap::new();
        for subscriber in subscribers.iter() {
            let key = (subscriber.player, subscriber.kind == LiveKind::Friends);
            let frame = built
                .entry(key)
                .or_insert_with(|| {
                    crate::live::frame(
                        &social,
                        &self.config,
                        subscriber.kind,
                        subscriber.player,
                        now,
                    )
                })
                .clone();
            subscriber.tx.send_if_modified(|current| {
                if *current == frame {
                    false
                } else {
                    *current = frame;
                    true
                }
            });
        }
    }

    /// How many live connections are open.
    pub fn live_subscribers(&self) -> usize {
        lock(&self.live)
            .iter()
            .filter(|s| !s.tx.is_closed())
            .count()
    }

    /// Adds fault rules (applied in order).
    pub fn add_faults(&self, rules: Vec<FaultRule>) {
        lock(&self.faults).extend(rules);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// The fault rules still armed.
    pub fn faults(&self) -> Vec<FaultRule> {
        lock(&self.faults).clone()
    }

    /// The first armed rule matching the operation, used up by one.
    pub(crate) fn take_fault(&self, spec: &str, operation: &str) -> Option<Fault> {
        let mut rules = lock(&self.faults);
        let index = rules.iter().position(|r| r.matches(spec, operation))?;
        let rule = rules[index].clone();
        rules[index].count = rules[index].count.saturating_sub(1);
        if rules[index].count == 0 {
            rules.remove(index);
        }
        Some(Fault { rule })
    }

    pub(crate) fn log_request(
        &self,
        spec: &str,
        operation: &str,
        method: &Method,
        uri: &Uri,
        status: StatusCode,
    ) {
        let mut log = lock(&self.log);
        if log.len() >= LOG_CAPACITY {
            log.pop_front();
        }
        log.push_back(LoggedRequest {
            at: self.now(),
            service: spec.to_owned(),
            operation: operation.to_owned(),
            method: method.to_string(),
            uri: uri.to_string(),
            status: status.as_u16(),
        });
    }

    /// The request log, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.log).iter().cloned().collect()
    }

    /// Everything in the world, as JSON.
    pub fn dump(&self) -> Value {
        serde_json::json!({
            "id": self.id,
            "now": self.now(),
            "roblox": self.roblox().dump(),
            "social": self.social().dump(),
            "roster": self.roster().dump(),
            "faults": self.faults(),
        })
    }
}

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

/// Poison-tolerant lock: a panicking request must not take the world down with it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// One logged request.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LoggedRequest {
    /// World time.
    pub at: DateTime<Utc>,
    /// Document stem.
    pub service: String,
    /// `operationId`.
    pub operation: String,
    /// Method.
    pub method: String,
    /// Path and query as received (after the world prefix).
    pub uri: String,
    /// Status answered.
    pub status: u16,
}

/// "The next `count` calls of `operation` answer …". Rules apply in the order added.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// Document stem (`friends`, `contacts`, …); absent: any.
    #[serde(default)]
    pub service: Option<String>,
    /// `operationId`, or `*` for every operation.
    pub operation: String,
    /// How many calls it applies to (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// Answer this status instead of calling the service.
    #[serde(default)]
    pub status: Option<u16>,
    /// With `status`: this JSON body.
    #[serde(default)]
    pub body: Option<Value>,
    /// With `status`: a `Retry-After` of this many seconds.
    #[serde(default)]
    pub retry_after: Option<u64>,
    /// Wait this long first (then answer normally unless `status` or `reset` is set).
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Cut the connection in the middle of the response body.
    #[serde(default)]
    pub reset: bool,
}

fn one() -> u32 {
    1
}

impl FaultRule {
    fn matches(&self, spec: &str, operation: &str) -> bool {
        self.count > 0
            && self.service.as_deref().is_none_or(|s| s == spec)
            && (self.operation == "*" || self.operation == operation)
    }
}

/// A rule that fired.
#[derive(Debug)]
pub(crate) struct Fault {
    rule: FaultRule,
}

impl Fault {
    pub(crate) fn delay(&self) -> Option<Duration> {
        self.rule.delay_ms.map(Duration::from_millis)
    }

    /// Whether the rule cuts the connection.
    pub(crate) fn resets(&self) -> bool {
        self.rule.reset
    }

    /// The status answer the rule sets, if any (ignoring `reset`).
    pub(crate) fn status_response(self) -> Option<Response> {
        Fault {
            rule: FaultRule {
                reset: false,
                ..self.rule
            },
        }
        .into_response()
    }

    /// The response that replaces the service's, if the rule sets one.
    pub(crate) fn into_response(self) -> Option<Response> {
        if self.rule.reset {
            // The error must come after hyper has flushed the status line, the headers and
            // the first chunk: an error it can poll at once makes it drop the connection with
            // nothing written. A body that is pending once (`yield_now`) gets them flushed.
            let half =
                futures::stream::iter([Ok(axum::body::Bytes::from_static(b"{\"partial\":"))]);
            let cut = futures::stream::once(async {
                tokio::task::yield_now().await;
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "fault rule: reset",
                ))
            });
            let broken = futures::StreamExt::chain(half, cut);
            let mut response = Response::new(Body::from_stream(broken));
            response
                .headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            return Some(response);
        }
        let status = StatusCode::from_u16(self.rule.status?).ok()?;
        let mut response = match self.rule.body {
            Some(body) => (status, axum::Json(body)).into_response(),
            None => status.into_response(),
        };
        if let Some(seconds) = self.rule.retry_after {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(seconds));
        }
        Some(response)
    }
}
