//! Worlds: isolated state addressed by base-URL prefix (`/w/{world}/…`), each with its own
//! clock, fault rules, request log, live hub and the state of every service. Every mutation
//! of a world's state happens under that world's lock, so it is atomic.
//!
//! This layer sits above the services' state and below the transport: it never sees an HTTP
//! request and never calls up into a service (live frames come from the [`Topic`] a service
//! hands the hub).

mod answers;
pub mod clock;
mod faults;
mod live;
mod log;
mod refusal;

pub use answers::{Answer, MAX_ANSWER_BYTES, MAX_ANSWERS, reading};
pub use clock::MAX_ADVANCE_SECONDS;
pub use faults::{Fault, FaultRule};
pub use live::{Reach, Topic};
pub use log::{LOG_CAPACITY, LoggedRequest};
pub use refusal::{Refusal, RefusalKind};

use crate::config::StubConfig;
use crate::roblox::state::RobloxState;
use crate::roster::state::RosterState;
use crate::social::state::SocialState;
use answers::Answers;
use chrono::{DateTime, Utc};
use clock::Clock;
use faults::Faults;
use live::LiveHub;
use log::RequestLog;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;
use uuid::Uuid;

/// The id of the world the bare prefixes (`/friends/…`) address.
pub const DEFAULT_WORLD: &str = "default";
/// How many worlds may exist at once.
pub const MAX_WORLDS: usize = 10_000;

/// The stub's shared state: settings and worlds.
#[derive(Debug)]
pub struct Stub {
    /// Limits and TTLs.
    pub config: Arc<StubConfig>,
    /// Every world.
    pub worlds: Worlds,
    /// Set when the stub shuts down: open live connections close.
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl Stub {
    /// A stub with these settings and an empty default world.
    pub fn new(config: StubConfig) -> Arc<Self> {
        let config = Arc::new(config);
        Arc::new(Self {
            worlds: Worlds::new(config.clone()),
            config,
            shutdown: tokio::sync::watch::Sender::new(false),
        })
    }

    /// Closes every open live connection (the listener is the caller's to stop).
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    /// Changes to `true` when the stub shuts down.
    pub fn shutting_down(&self) -> tokio::sync::watch::Receiver<bool> {
        self.shutdown.subscribe()
    }
}

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

    /// A world by id, or the refusal the control plane answers.
    pub fn find(&self, id: &str) -> Result<Arc<World>, Refusal> {
        self.get(id)
            .ok_or_else(|| Refusal::not_found("UNKNOWN_WORLD", format!("no world {id:?}")))
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
    clock: Mutex<Clock>,
    faults: Mutex<Faults>,
    log: Mutex<RequestLog>,
    roblox: Mutex<RobloxState>,
    /// Read-locked by reads and renders (in parallel), write-locked by changes.
    social: RwLock<SocialState>,
    roster: Mutex<RosterState>,
    live: Mutex<LiveHub>,
    /// Set by every change a live frame may show (social state, the clock); cleared by
    /// [`publish`](Self::publish).
    dirty: AtomicBool,
    /// The subscribers the changes since the last publish can have reached (set before
    /// `dirty`; a leaf lock, held by nothing else while taken).
    reached: Mutex<Reach>,
    /// Set while a publisher renders ([`publish`](Self::publish)).
    publishing: AtomicBool,
    /// Live subscribers, at least (counted before a first frame is rendered, recounted when
    /// the hub drops closed ones): read without the hub's lock.
    followers: std::sync::atomic::AtomicUsize,
    answers: Answers,
    /// The size of the last state dump (the next one's buffer starts there).
    last_dump_len: std::sync::atomic::AtomicUsize,
}

/// The social state, locked for reading (a change goes through
/// [`World::social_mut`], which tells the live hub).
#[derive(Debug)]
pub struct Read<'a, T>(std::sync::RwLockReadGuard<'a, T>);

impl<T> std::ops::Deref for Read<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// A service's state, locked for a change: when the guard goes (the change is complete and
/// still under the lock), the world's generation moves (its cached answers are out of date)
/// and, for the social state, the world is marked dirty with the change's [`Reach`]
/// ([`Reach::All`] unless the caller narrowed it with [`reaches`](Self::reaches)), so the next
/// [`World::publish`] renders what it can have changed. Marking on release, not on acquire, is what keeps a push from being lost (a
/// publish that ran between the two would otherwise clear the mark before the change landed)
/// and a cached answer from outliving the state it shows (a read that ran between the two
/// would be stored under the new generation).
#[derive(Debug)]
pub struct Write<'a, T> {
    guard: Held<'a, T>,
    /// The world whose live hub the change concerns (the social state's only).
    live: Option<&'a World>,
    reach: Reach,
    generation: Option<&'a AtomicU64>,
}

impl Write<'_, SocialState> {
    /// Narrows the live subscribers this change can have reached (every one by default):
    /// the caller knows whose frames it can show in.
    pub fn reaches(&mut self, reach: Reach) {
        self.reach = reach;
    }

    /// Whether any live subscriber may be open: when not, a caller need not work out what
    /// its change reaches. Never `false` while a subscriber's first frame may be older than
    /// this change (a subscription counts before its first frame is rendered).
    pub fn followed(&self) -> bool {
        self.live
            .is_some_and(|world| world.followers.load(Ordering::Acquire) > 0)
    }
}

/// The lock a [`Write`] holds: a service state's mutex, or the social state's write lock.
#[derive(Debug)]
enum Held<'a, T> {
    Exclusive(MutexGuard<'a, T>),
    Writer(std::sync::RwLockWriteGuard<'a, T>),
}

impl<T> std::ops::Deref for Write<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        match &self.guard {
            Held::Exclusive(guard) => guard,
            Held::Writer(guard) => guard,
        }
    }
}

impl<T> std::ops::DerefMut for Write<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        match &mut self.guard {
            Held::Exclusive(guard) => guard,
            Held::Writer(guard) => guard,
        }
    }
}

impl<T> Drop for Write<'_, T> {
    fn drop(&mut self) {
        if let Some(generation) = self.generation {
            generation.fetch_add(1, Ordering::AcqRel);
        }
        if let Some(world) = self.live {
            world.changed(std::mem::take(&mut self.reach));
        }
    }
}

impl World {
    fn new(id: String, config: Arc<StubConfig>) -> Self {
        let mut secret = [0u8; 32];
        secret[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        secret[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        Self {
            id,
            roblox: Mutex::new(RobloxState::new(&config)),
            social: RwLock::new(SocialState::new(&config)),
            roster: Mutex::new(RosterState::new(&config)),
            live: Mutex::new(LiveHub::default()),
            answers: Answers::new(config.answer_cache_max_age()),
            config,
            secret,
            clock: Mutex::new(Clock::new()),
            faults: Mutex::new(Faults::default()),
            log: Mutex::new(RequestLog::default()),
            dirty: AtomicBool::new(false),
            publishing: AtomicBool::new(false),
            last_dump_len: std::sync::atomic::AtomicUsize::new(0),
            reached: Mutex::new(Reach::default()),
            followers: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// The world's time: real time plus however far tests advanced it.
    pub fn now(&self) -> DateTime<Utc> {
        lock(&self.clock).now()
    }

    /// Moves the world's clock forward, or refuses (`CLOCK_OUT_OF_RANGE`, the clock
    /// unchanged) an advance beyond [`MAX_ADVANCE_SECONDS`] or past [`crate::dates::latest`].
    pub fn advance(&self, by: Duration) -> Result<DateTime<Utc>, Refusal> {
        lock(&self.clock)
            .advance(by)
            .map_err(|e| Refusal::invalid("CLOCK_OUT_OF_RANGE", e.to_string()))?;
        self.answers.touch();
        self.mark_dirty();
        Ok(self.now())
    }

    /// The Friends/Contacts state, locked. Outside a cacheable read ([`reading`]) it is
    /// locked for a change: releasing it moves the generation.
    pub fn roblox(&self) -> Write<'_, RobloxState> {
        self.locked(&self.roblox)
    }

    /// The social friends + party state (they share players), locked for reading.
    pub fn social(&self) -> Read<'_, SocialState> {
        Read(self.social.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// The social friends + party state, locked for a change: at the next
    /// [`publish`](Self::publish) the live hub re-renders the subscribers the change reaches
    /// (every one, unless the caller narrowed it with [`Write::reaches`]), and the generation
    /// moves.
    pub fn social_mut(&self) -> Write<'_, SocialState> {
        Write {
            guard: Held::Writer(self.social.write().unwrap_or_else(|e| e.into_inner())),
            live: Some(self),
            reach: Reach::All,
            generation: Some(self.answers_generation()),
        }
    }

    /// The roster state, locked; like [`roblox`](Self::roblox).
    pub fn roster(&self) -> Write<'_, RosterState> {
        self.locked(&self.roster)
    }

    fn locked<'a, T>(&'a self, state: &'a Mutex<T>) -> Write<'a, T> {
        Write {
            guard: Held::Exclusive(lock(state)),
            live: None,
            reach: Reach::default(),
            generation: (!answers::in_read()).then(|| self.answers_generation()),
        }
    }

    fn answers_generation(&self) -> &AtomicU64 {
        self.answers.generation_counter()
    }

    /// The world's generation: it moves with every change of the world's state (see
    /// [`Write`]) and every clock advance.
    pub fn generation(&self) -> u64 {
        self.answers.generation()
    }

    /// Moves the generation: for a read that changes something while locking the state for
    /// reading (the flood limit's count).
    pub fn touch(&self) {
        self.answers.touch();
    }

    /// Whether the answer cache is on (a zero `--answer-cache-max-age-ms` turns it off).
    pub fn answer_cache_enabled(&self) -> bool {
        self.answers.enabled()
    }

    /// Turns the answer cache on or off (what it holds stays, still bound to its
    /// generation); it cannot be turned on when the settings give it no age.
    pub fn set_answer_cache(&self, on: bool) {
        self.answers.set_enabled(on);
    }

    /// How many answers came from the cache so far.
    pub fn answer_cache_hits(&self) -> u64 {
        self.answers.hits()
    }

    /// The stored answer to the request `key`, if one was computed at `generation` and is
    /// younger than the age bound.
    pub fn cached_answer(&self, key: &[u8], generation: u64) -> Option<Answer> {
        self.answers.get(key, generation)
    }

    /// Stores the answer to `key` computed from the state at `generation` (started at
    /// `at`); nothing is stored when the generation has moved since.
    pub fn store_answer(
        &self,
        key: Box<[u8]>,
        generation: u64,
        at: std::time::Instant,
        answer: Answer,
    ) {
        self.answers.put(key, generation, at, answer);
    }

    /// Notes a change live frames may show, to any subscriber.
    pub fn mark_dirty(&self) {
        self.changed(Reach::All);
    }

    /// Notes a change that can have reached these live subscribers (one that reaches nobody
    /// leaves the world clean: no publisher runs for it).
    fn changed(&self, reach: Reach) {
        if matches!(&reach, Reach::Keys(keys) if keys.is_empty()) {
            return;
        }
        lock(&self.reached).add(reach);
        self.dirty.store(true, Ordering::Release);
    }

    /// Subscribes to a live topic; the receiver starts with the current frame.
    ///
    /// The subscriber list stays locked from rendering the first frame until the subscriber
    /// is in it (the lock order of [`publish`](Self::publish): live, then the state the
    /// topic renders): a change landing in between would otherwise refresh the list without
    /// it, and the new subscriber would keep the older frame until some later change.
    pub fn subscribe(
        &self,
        topic: &'static Topic,
        key: Uuid,
    ) -> tokio::sync::watch::Receiver<Arc<str>> {
        let mut hub = lock(&self.live);
        // Counted before the first frame is rendered: a change that looks for followers after
        // this render would otherwise find none and push nothing.
        self.followers.fetch_add(1, Ordering::AcqRel);
        let first = (topic.render)(self, &[key])
            .pop()
            .unwrap_or_else(|| Arc::from("{}"));
        hub.add(topic, key, first)
    }

    /// After a change: when the world is dirty, has its live subscribers re-rendered and the
    /// frames that changed pushed, off the caller's path. Called at the end of every request
    /// and control-plane call, which then answers at once.
    ///
    /// One publisher runs per world at a time, on tokio's blocking pool (rendering is CPU
    /// work): it renders from one consistent view of the state, and a change that lands while
    /// it renders marks the world dirty again, so it goes round once more before it stops.
    /// Outside a tokio runtime the caller renders.
    pub fn publish(self: &Arc<Self>) {
        if !self.dirty.load(Ordering::Acquire) || self.publishing.swap(true, Ordering::AcqRel) {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let world = Arc::clone(self);
                drop(runtime.spawn_blocking(move || world.publish_now()));
            }
            Err(_) => self.publish_now(),
        }
    }

    /// The publisher's loop (it holds `publishing`).
    fn publish_now(&self) {
        loop {
            if self.dirty.swap(false, Ordering::AcqRel) {
                let reach = std::mem::take(&mut *lock(&self.reached));
                let mut hub = lock(&self.live);
                hub.refresh(self, &reach);
                self.followers.store(hub.len(), Ordering::Release);
            }
            self.publishing.store(false, Ordering::Release);
            // A change after the swap above marked the world dirty; its caller saw
            // `publishing` still set and left the push to us.
            if !self.dirty.load(Ordering::Acquire) || self.publishing.swap(true, Ordering::AcqRel) {
                return;
            }
        }
    }

    /// Whether every change so far has been pushed (no publisher runs, nothing is pending).
    pub fn live_settled(&self) -> bool {
        !self.dirty.load(Ordering::Acquire) && !self.publishing.load(Ordering::Acquire)
    }

    /// How many live connections are open.
    pub fn live_subscribers(&self) -> usize {
        lock(&self.live).open()
    }

    /// Adds fault rules (applied in order).
    pub fn add_faults(&self, rules: Vec<FaultRule>) {
        lock(&self.faults).add(rules);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// The fault rules still armed.
    pub fn faults(&self) -> Vec<FaultRule> {
        lock(&self.faults).rules()
    }

    /// The first armed rule matching the operation, used up by one.
    pub fn take_fault(&self, spec: &str, operation: &str) -> Option<Fault> {
        lock(&self.faults).take(spec, operation)
    }

    /// Appends to the request log: `uri` is the path and query as received. The entry is
    /// built before the log's lock is taken and holds no formatted text.
    pub fn log_request(
        &self,
        spec: &'static str,
        operation: &'static str,
        method: &'static str,
        uri: &str,
        status: u16,
    ) {
        let record = log::Record {
            at: self.now(),
            service: spec,
            operation,
            method,
            uri: uri.into(),
            status,
        };
        lock(&self.log).push(record);
    }

    /// The request log, oldest first.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.log).entries()
    }

    /// Everything in the world, as JSON (see [`dump_bytes`](Self::dump_bytes)).
    pub fn dump(&self) -> Value {
        serde_json::from_slice(&self.dump_bytes()).unwrap_or(Value::Null)
    }

    /// Everything in the world as JSON text, written straight from the state (no
    /// `serde_json::Value` tree, which costs several times the text: a world with a million
    /// friendships is 132 MB of text). Each service's state is locked while it is written,
    /// one after the other (read, not changed: the generation does not move).
    pub fn dump_bytes(&self) -> Vec<u8> {
        fn part<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, name: &str, value: &T) {
            out.extend_from_slice(b",\"");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            if serde_json::to_writer(&mut *out, value).is_err() {
                out.extend_from_slice(b"null");
            }
        }
        let mut out = Vec::with_capacity(self.last_dump_len.load(Ordering::Relaxed));
        out.extend_from_slice(b"{\"id\":");
        let _ = serde_json::to_writer(&mut out, &self.id);
        part(&mut out, "now", &self.now());
        part(&mut out, "roblox", &*lock(&self.roblox));
        part(&mut out, "social", &*self.social());
        part(&mut out, "roster", &*lock(&self.roster));
        part(&mut out, "faults", &self.faults());
        out.push(b'}');
        self.last_dump_len.store(out.len(), Ordering::Relaxed);
        out
    }
}

/// Poison-tolerant lock: a panicking request must not take the world down with it.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
