//! The listener: accepts TCP connections and serves the application on each over HTTP/1.1
//! (with WebSocket upgrades), within per-connection limits, and shuts down with a deadline.
//!
//! What a client that does not behave can cost (`social-stub --help` names the flags):
//! - **Header-read timeout** (`--header-read-timeout-ms`, 10 s): a request's headers must
//!   arrive within it, counted from the connection's start or the end of the previous
//!   response, so it is also the idle keep-alive timeout. A slowloris client is closed after it.
//! - **Connection cap** (`--max-connections`, 4,096): past it, a new connection takes the slot
//!   of the open connection that has waited longest without a request in progress (so a fresh
//!   client is served while hostile connections fill the cap); only when every connection
//!   has a request in progress is the new one refused, with a fixed `503` written without
//!   reading anything. An upgraded (live) connection leaves the cap: the live streams bound it.
//! - **Request timeout** (`--request-timeout-ms`, 30 s): a request (its body included) must be
//!   answered within it, or it is answered `408 REQUEST_TIMEOUT` and its slot freed, so a
//!   body trickled byte by byte cannot hold a slot as "in progress" for good.
//! - **Memory per connection**: hyper's read buffer is capped at 64 KiB (requests are at
//!   most 64 KiB of body anyway) and allocated as bytes arrive.
//! - **Shutdown**: on the first signal the listener closes, live streams get a close frame
//!   (1001), connections without a request in progress (idle, or headers still arriving)
//!   close at once, and requests in progress may finish for `--shutdown-grace-ms` (5 s);
//!   then, or on a second signal, whatever is left is dropped.
//!
//! The transport knows no service: it serves whatever [`Router`] it is handed.

use crate::config::StubConfig;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// The answer to a connection past the cap when no open one can give up its slot.
const REFUSED: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\
content-length: 78\r\nretry-after: 1\r\nconnection: close\r\n\r\n\
{\"error\":\"TOO_MANY_CONNECTIONS\",\"message\":\"the stub's connection cap is full\"}";

/// The answer to a request that took longer than the request timeout.
fn timed_out(limit: Duration) -> axum::response::Response {
    let body = serde_json::json!({
        "error": "REQUEST_TIMEOUT",
        "message": format!("the request was not complete within {} ms", limit.as_millis()),
    });
    let mut response = axum::response::IntoResponse::into_response((
        axum::http::StatusCode::REQUEST_TIMEOUT,
        axum::Json(body),
    ));
    response.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}

/// How long an evicted connection may finish what it was writing.
const EVICTION_GRACE: Duration = Duration::from_secs(1);

/// The connection limits and the shutdown deadline, from the stub's settings.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most connections open at once (upgraded ones not counted).
    pub max_connections: usize,
    /// Headers must arrive within this; also the idle keep-alive timeout.
    pub header_read_timeout: Duration,
    /// How long requests in progress may finish after a shutdown signal.
    pub shutdown_grace: Duration,
    /// A request must be answered within this (`408` otherwise).
    pub request_timeout: Duration,
}

impl Limits {
    /// The limits `config` sets.
    pub fn of(config: &StubConfig) -> Self {
        Self {
            max_connections: config.max_connections.max(1),
            header_read_timeout: Duration::from_millis(config.header_read_timeout_ms.max(1)),
            shutdown_grace: Duration::from_millis(config.shutdown_grace_ms),
            request_timeout: Duration::from_millis(config.request_timeout_ms.max(1)),
        }
    }
}

/// One open connection, as the cap sees it.
#[derive(Debug)]
struct Slot {
    opened: Instant,
    /// Requests in progress on it.
    busy: AtomicUsize,
    /// Told when a newer connection takes its slot.
    evict: Notify,
}

/// Every open connection.
#[derive(Debug, Default)]
struct Slots {
    next: u64,
    open: HashMap<u64, Arc<Slot>>,
}

impl Slots {
    /// A slot for a new connection: a free one, else the slot of the connection idle
    /// longest (told to go), else none.
    fn take(&mut self, cap: usize) -> Option<(u64, Arc<Slot>)> {
        if self.open.len() >= cap {
            let oldest_idle = self
                .open
                .iter()
                .filter(|(_, slot)| slot.busy.load(Ordering::Acquire) == 0)
                .min_by_key(|(_, slot)| slot.opened)
                .map(|(id, _)| *id)?;
            if let Some(evicted) = self.open.remove(&oldest_idle) {
                evicted.evict.notify_one();
            }
        }
        self.next += 1;
        let slot = Arc::new(Slot {
            opened: Instant::now(),
            busy: AtomicUsize::new(0),
            evict: Notify::new(),
        });
        self.open.insert(self.next, slot.clone());
        Some((self.next, slot))
    }
}

fn lock(slots: &Mutex<Slots>) -> std::sync::MutexGuard<'_, Slots> {
    slots.lock().unwrap_or_else(|e| e.into_inner())
}

/// Marks a slot busy while a request is in progress.
struct Busy(Arc<Slot>);

impl Busy {
    fn new(slot: &Arc<Slot>) -> Self {
        slot.busy.fetch_add(1, Ordering::AcqRel);
        Self(slot.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Serves `app` on `listener` until `signals` moves: at its first change the stub shuts
/// down gracefully (at most [`Limits::shutdown_grace`]), at its second at once. `on_shutdown`
/// runs when the first signal arrives (the stub closes its live streams there).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut signals: watch::Receiver<usize>,
    on_shutdown: impl FnOnce(),
) -> std::io::Result<()> {
    let slots = Arc::new(Mutex::new(Slots::default()));
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            changed = signals.changed() => {
                if changed.is_err() || *signals.borrow() > 0 {
                    break;
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let taken = lock(&slots).take(limits.max_connections);
                    match taken {
                        Some((id, slot)) => {
                            let connection = connection(stream, app.clone(), limits, slot, stopping.clone());
                            let slots = slots.clone();
                            connections.spawn(async move {
                                connection.await;
                                lock(&slots).open.remove(&id);
                            });
                        }
                        None => refuse(stream),
                    }
                }
                // Out of file descriptors and the like: wait a little instead of spinning.
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    on_shutdown();
    stop.send_replace(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    tokio::select! {
        () = tokio::time::sleep(limits.shutdown_grace) => {
            tracing::warn!(open = connections.len(), "shutdown grace over: dropping what is left");
        }
        _ = signals.changed() => tracing::warn!("second signal: stopping at once"),
        () = drained => {}
    }
    connections.abort_all();
    Ok(())
}

/// Writes the fixed `503` if the socket takes it at once, then closes.
fn refuse(stream: TcpStream) {
    let _ = stream.try_write(REFUSED);
}

/// One connection: HTTP/1.1 with upgrades, until it ends, its slot is taken or the stub
/// stops.
async fn connection(
    stream: TcpStream,
    app: Router,
    limits: Limits,
    slot: Arc<Slot>,
    mut stopping: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let busy_slot = slot.clone();
    let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
        let busy = Busy::new(&busy_slot);
        let app = app.clone();
        async move {
            let answer = app.oneshot(request.map(axum::body::Body::new));
            let response = match tokio::time::timeout(limits.request_timeout, answer).await {
                Ok(response) => response,
                Err(_) => Ok(timed_out(limits.request_timeout)),
            };
            drop(busy);
            response
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(64 * 1024);
    let conn = builder
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stopping.changed() => {
            // Nothing in progress (idle, or headers still trickling in): close at once.
            if slot.busy.load(Ordering::Acquire) == 0 {
                return;
            }
            conn.as_mut().graceful_shutdown();
        }
        () = slot.evict.notified() => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(EVICTION_GRACE, conn.as_mut()).await;
            return;
        }
    }
    let _ = conn.await;
}

/// A watch that counts SIGINT and SIGTERM (Ctrl-C on other platforms), for [`serve`].
pub fn signals() -> watch::Receiver<usize> {
    let (tx, rx) = watch::channel(0usize);
    tokio::spawn(async move {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut interrupt), Ok(mut terminate)) = (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) else {
                return;
            };
            loop {
                tokio::select! {
                    _ = interrupt.recv() => {}
                    _ = terminate.recv() => {}
                }
                tx.send_modify(|n| *n += 1);
            }
        }
        #[cfg(not(unix))]
        while tokio::signal::ctrl_c().await.is_ok() {
            tx.send_modify(|n| *n += 1);
        }
    });
    rx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_is_well_formed() {
        let text = std::str::from_utf8(REFUSED).expect("ASCII");
        let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .and_then(|n| n.parse().ok())
            .expect("content-length");
        assert_eq!(length, body.len());
        let json: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(json["error"], "TOO_MANY_CONNECTIONS");
    }
}
