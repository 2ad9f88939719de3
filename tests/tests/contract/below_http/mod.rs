//! Below the request layer: what a client that does not behave can do to the stub's
//! connections, memory and clock (issue 17). Every attack is on loopback, bounded in bytes and
//! time, and stops by itself; every stub it starts is stopped with it.

mod connections;
mod control_plane;
mod dump;
mod websocket;

/// This process's resident memory in KiB (Linux; `None` elsewhere). nextest runs each test in
/// a process of its own, so it is the stub's memory plus the test's client.
pub(crate) fn rss_kib() -> Option<u64> {
    status_kib("VmRSS:")
}

/// A KiB figure of `/proc/self/status` (`VmRSS:`, `VmHWM:`, …), on Linux.
pub(crate) fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
