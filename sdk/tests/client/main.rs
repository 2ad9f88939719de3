//! The SDK's own behaviour against `wiremock` servers: auth headers, CSRF, retries and
//! backoff, error shapes, page streams, drift reports, secrets kept out of `Debug` (tracing:
//! the `tracing` test). One module per concern; the shared helpers are in `support`.
//!
//! Waiting is checked, never done: the config's clock is a [`social_sdk::FakeClock`] that
//! records each requested delay and returns at once.

mod auth;
mod bodies;
mod csrf;
mod drift;
mod errors;
mod paging;
mod retries;
mod support;
