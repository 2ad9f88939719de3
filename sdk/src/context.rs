//! The state a generated client carries (its progenitor `inner`): credentials, retry
//! policy, clock, the CSRF token and the drift report, shared by every clone of the client.

use crate::auth::Auth;
use crate::drift::{DriftLog, DriftReport};
use crate::retry::{Clock, RetryPolicy, SharedClock, TokioClock};
use reqwest::header::HeaderValue;
use std::fmt;
use std::sync::{Arc, RwLock};

/// Per-client settings. Cloning is cheap and clones share the CSRF token.
///
/// Usually made by [`Config`](crate::Config); `ClientContext::default()` (no credentials,
/// default retries) suits public endpoints.
#[derive(Clone, Debug, Default)]
pub struct ClientContext {
    shared: Arc<Shared>,
}

struct Shared {
    auth: Auth,
    retry: RetryPolicy,
    clock: SharedClock,
    csrf: RwLock<Option<HeaderValue>>,
    /// Live endpoints: send the bearer token as the `uebliche-bearer.` subprotocol.
    live_subprotocol: bool,
    /// Held by the one request that learns the first token while others wait for it.
    csrf_gate: tokio::sync::Mutex<()>,
    /// What the answers made the SDK tolerate (`crate::drift`).
    drift: Arc<DriftLog>,
    /// Whether answers get the drift pass at all.
    drift_reporting: bool,
}

impl Default for Shared {
    fn default() -> Self {
        Self {
            auth: Auth::none(),
            retry: RetryPolicy::default(),
            clock: Arc::new(TokioClock),
            csrf: RwLock::new(None),
            live_subprotocol: false,
            csrf_gate: tokio::sync::Mutex::new(()),
            drift: Arc::default(),
            drift_reporting: true,
        }
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let has_csrf = self.csrf.read().map(|t| t.is_some()).unwrap_or(false);
        f.debug_struct("ClientContext")
            .field("auth", &self.auth)
            .field("retry", &self.retry)
            .field("clock", &self.clock)
            .field("csrf_token", &if has_csrf { "***" } else { "none" })
            .finish()
    }
}

impl ClientContext {
    /// A context with these credentials and the default retry policy.
    pub fn new(auth: Auth) -> Self {
        Self::with_parts(auth, RetryPolicy::default(), Arc::new(TokioClock))
    }

    pub(crate) fn with_parts(auth: Auth, retry: RetryPolicy, clock: SharedClock) -> Self {
        Self {
            shared: Arc::new(Shared {
                auth,
                retry,
                clock,
                ..Shared::default()
            }),
        }
    }

    /// The same context with another retry policy (a fresh CSRF token store and drift report).
    pub fn with_retry(&self, retry: RetryPolicy) -> Self {
        Self::with_parts(self.shared.auth.clone(), retry, self.shared.clock.clone())
            .with_drift_reporting(self.shared.drift_reporting)
    }

    /// The same context with another clock (a fresh CSRF token store and drift report).
    pub fn with_clock(&self, clock: impl Clock + 'static) -> Self {
        Self::with_parts(
            self.shared.auth.clone(),
            self.shared.retry.clone(),
            Arc::new(clock),
        )
        .with_drift_reporting(self.shared.drift_reporting)
    }

    /// The same context, sending the bearer token of live (WebSocket) endpoints as the
    /// `Sec-WebSocket-Protocol: uebliche-bearer.<token>` subprotocol instead of the
    /// `Authorization` header (for environments that cannot set headers on a WebSocket).
    pub fn with_live_subprotocol(&self, on: bool) -> Self {
        self.rebuilt(on, self.shared.drift_reporting)
    }

    /// The same context with drift reporting on or off (a fresh CSRF token store, the same
    /// drift report). Off, answers skip the drift pass (`crate::drift`): they are decoded as
    /// tolerantly, and [`drift`](Self::drift) stays as it is.
    pub fn with_drift_reporting(&self, on: bool) -> Self {
        self.rebuilt(self.shared.live_subprotocol, on)
    }

    /// The same credentials, policy, clock and drift report with these two switches (and a
    /// fresh CSRF token store).
    fn rebuilt(&self, live_subprotocol: bool, drift_reporting: bool) -> Self {
        Self {
            shared: Arc::new(Shared {
                auth: self.shared.auth.clone(),
                retry: self.shared.retry.clone(),
                clock: self.shared.clock.clone(),
                live_subprotocol,
                drift: Arc::clone(&self.shared.drift),
                drift_reporting,
                ..Shared::default()
            }),
        }
    }

    pub(crate) fn live_subprotocol(&self) -> bool {
        self.shared.live_subprotocol
    }

    /// What the answers received so far made the SDK tolerate: unknown fields, unknown enum
    /// values, absorbed `null`s and type mismatches, naive timestamps, per operation and
    /// JSON path (see the crate docs, "What the SDK tolerates, and how it tells you").
    pub fn drift(&self) -> DriftReport {
        self.shared.drift.snapshot()
    }

    /// Where answers report drift; `None` when reporting is off.
    pub(crate) fn drift_log(&self) -> Option<Arc<DriftLog>> {
        self.shared
            .drift_reporting
            .then(|| Arc::clone(&self.shared.drift))
    }

    /// The credentials.
    pub fn auth(&self) -> &Auth {
        &self.shared.auth
    }

    /// The retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.shared.retry
    }

    pub(crate) fn clock(&self) -> &dyn Clock {
        &*self.shared.clock
    }

    /// The CSRF token last handed out by the service, if any.
    pub(crate) fn csrf_token(&self) -> Option<HeaderValue> {
        self.shared.csrf.read().ok().and_then(|t| t.clone())
    }

    /// While no token is known, lets one mutating request at a time go out (it learns the
    /// token from its 403); the others then send the token straight away instead of all
    /// collecting a 403 of their own.
    pub(crate) async fn csrf_gate(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        if self.csrf_token().is_some() {
            return None;
        }
        let guard = self.shared.csrf_gate.lock().await;
        self.csrf_token().is_none().then_some(guard)
    }

    pub(crate) fn set_csrf_token(&self, token: HeaderValue) {
        if let Ok(mut slot) = self.shared.csrf.write() {
            *slot = Some(token);
        }
    }
}
