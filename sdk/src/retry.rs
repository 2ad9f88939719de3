//! When and how long to wait before sending a request again.
//!
//! Exponential backoff with full jitter (a delay drawn uniformly from `0..=min(max_delay,
//! initial_delay * 2^(attempt-1))`), starting at 1 s as the services advise. A `Retry-After`
//! (seconds or an HTTP date) or `x-ratelimit-reset` header replaces the drawn delay. The
//! [`Clock`] is pluggable so tests can check the delays without waiting for them.

use futures::future::BoxFuture;
use reqwest::header::HeaderMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// How the SDK retries failed requests.
///
/// Retried: `429` (any method: the service did not act), `503` (idempotent methods only),
/// connection failures (any method: nothing reached the service), and the other transport
/// failures of idempotent requests: a timeout, a connection closed before the answer, and a
/// success body that breaks off (reset, cut short, stalled past the timeout; such a body is
/// read whole before the call returns). A `POST` or `PATCH` that may have reached the service
/// is never sent twice, and an answer that arrived whole but does not decode is not retried.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included. `1` turns retries off.
    pub max_attempts: u32,
    /// The backoff ceiling of the first retry.
    pub initial_delay: Duration,
    /// No single wait is longer than this (a longer `Retry-After` ends the retries).
    pub max_delay: Duration,
    /// No retry starts after this much time has passed since the first attempt.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            budget: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the number of attempts (first included; at least 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the first backoff ceiling.
    pub fn with_initial_delay(mut self, delay: Duration) -> Self {
        self.initial_delay = delay;
        self
    }

    /// Sets the longest single wait.
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Sets the total time budget.
    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// The backoff ceiling before attempt `attempt + 1` (`attempt` ≥ 1 failed attempts).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(30));
        self.initial_delay
            .saturating_mul(factor)
            .min(self.max_delay)
    }

    /// A full-jitter delay before attempt `attempt + 1`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        self.ceiling(attempt).mul_f64(rand::random::<f64>())
    }
}

/// The time source of retries: what "now" is and how to wait.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> Instant;
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// The real clock ([`tokio::time::sleep`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock for tests: every sleep returns at once and moves "now" forward by its duration,
/// and [`sleeps`](Self::sleeps) lists them, so retry schedules can be asserted without waiting.
///
/// ```
/// use social_sdk::{Clock, Config, FakeClock};
/// let clock = FakeClock::new();
/// let config = Config::builder().clock(clock.clone()).build()?;
/// # let _ = config;
/// assert!(clock.sleeps().is_empty());
/// # Ok::<(), social_sdk::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct FakeClock {
    start: Instant,
    slept: Arc<std::sync::Mutex<Vec<Duration>>>,
}

impl FakeClock {
    /// A clock starting now, with no sleeps yet.
    pub fn new() -> Self {
        Self {
            start: Instant::now(),
            slept: Arc::default(),
        }
    }

    /// Every sleep so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.slept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl Default for FakeClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Instant {
        self.start + self.sleeps().iter().sum::<Duration>()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.slept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(duration);
        Box::pin(async {})
    }
}

/// A shared clock.
pub(crate) type SharedClock = Arc<dyn Clock>;

/// How long the response asks us to wait: `Retry-After` (delta-seconds or HTTP date), else
/// `x-ratelimit-reset` (seconds).
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(value) = text("retry-after") {
        if let Ok(seconds) = value.parse::<u64>() {
            return Some(Duration::from_secs(seconds));
        }
        if let Ok(seconds) = value.parse::<f64>()
            && seconds.is_finite()
            && seconds >= 0.0
        {
            return Some(Duration::from_secs_f64(seconds.min(86_400.0)));
        }
        if let Ok(when) = httpdate::parse_http_date(value) {
            return Some(when.duration_since(now).unwrap_or(Duration::ZERO));
        }
    }
    text("x-ratelimit-reset")
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).expect("header"));
        }
        map
    }

    #[test]
    fn retry_after_seconds_date_and_ratelimit_reset() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            retry_after(&headers(&[("retry-after", "3")]), now),
            Some(Duration::from_secs(3))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(
            retry_after(&headers(&[("retry-after", &later)]), now),
            Some(Duration::from_secs(7))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(
            retry_after(&headers(&[("retry-after", &past)]), now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after(&headers(&[("x-ratelimit-reset", "12")]), now),
            Some(Duration::from_secs(12))
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn backoff_doubles_from_one_second_up_to_the_cap() {
        let policy = RetryPolicy::default().with_max_delay(Duration::from_secs(5));
        let ceilings: Vec<u64> = (1..=5).map(|a| policy.ceiling(a).as_secs()).collect();
        assert_eq!(ceilings, [1, 2, 4, 5, 5]);
        for attempt in 1..=5 {
            assert!(policy.backoff(attempt) <= policy.ceiling(attempt));
        }
        assert_eq!(
            RetryPolicy::default().ceiling(u32::MAX),
            Duration::from_secs(30)
        );
    }
}
