//! The servers of a run (the stub, the baseline, Prism) as child processes on loopback, and
//! the ports they listen on.

use anyhow::{Result, bail};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// The servers started so far; all are killed when dropped (errors and panics included).
#[derive(Default)]
pub(crate) struct Servers(Vec<(String, Child)>);

impl Servers {
    pub(crate) fn push(&mut self, name: &str, child: Child) {
        self.0.push((name.to_owned(), child));
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        for (name, child) in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
            eprintln!("bench: stopped {name}");
        }
    }
}

/// A free loopback port (bound and released; the child binds it right after).
pub(crate) fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Waits until something accepts connections on `127.0.0.1:port`.
pub(crate) fn wait_for_port(port: u16, what: &str, timeout: Duration) -> Result<()> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let start = Instant::now();
    while start.elapsed() < timeout {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("{what} did not listen on 127.0.0.1:{port} within {timeout:?}")
}

/// `target/bench/<name>` (created), for a child's output.
pub(crate) fn log_file(root: &Path, name: &str) -> Result<Stdio> {
    let dir = root.join("target/bench");
    std::fs::create_dir_all(&dir)?;
    Ok(Stdio::from(std::fs::File::create(dir.join(name))?))
}
