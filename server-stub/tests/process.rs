//! The `social-stub` binary as an operator runs it: shutdown on SIGINT/SIGTERM with a
//! deadline, and the refusal to listen beyond loopback without `--expose` and a control token.
//! Before the fix, Ctrl-C never stopped a stub while any client held a half-sent request.
//! Every process a test starts is killed at its end, whatever happens.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A stub process, killed when dropped.
struct Stub {
    child: Child,
    addr: String,
}

impl Drop for Stub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary on a free loopback port and waits for its "listening" line.
fn start(extra: &[&str]) -> Stub {
    let mut child = Command::new(env!("CARGO_BIN_EXE_social-stub"))
        .args(["--addr", "127.0.0.1:0"])
        .args(extra)
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(at) = line.find("127.0.0.1:") {
                let addr: String = line[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                    .collect();
                let _ = tx.send(addr);
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("the stub says where it listens");
    Stub { child, addr }
}

fn signal(stub: &Stub, name: &str) {
    let status = Command::new("kill")
        .args([name, &stub.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// How long the process took to exit, if it did within `within`.
fn exits_within(stub: &mut Stub, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < within {
        if stub.child.try_wait().expect("wait").is_some() {
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

fn half_sent(addr: &str, count: usize) -> Vec<TcpStream> {
    (0..count)
        .map(|_| {
            let mut stream = TcpStream::connect(addr).expect("connect");
            stream
                .write_all(b"GET /healthz HTTP/1.1\r\nHost: stub\r\nX-Slow: ")
                .expect("write");
            stream
        })
        .collect()
}

#[test]
fn sigint_with_half_sent_requests_exits_within_the_grace() {
    let mut stub = start(&[
        "--shutdown-grace-ms",
        "1000",
        "--header-read-timeout-ms",
        "60000",
    ]);
    let held = half_sent(&stub.addr, 10);
    std::thread::sleep(Duration::from_millis(200));
    signal(&stub, "-INT");
    let took = exits_within(&mut stub, Duration::from_secs(10));
    assert!(
        took.is_some_and(|t| t < Duration::from_secs(4)),
        "exit after SIGINT with 10 half-sent requests (grace 1 s): {took:?}"
    );
    drop(held);
}

#[test]
fn a_second_signal_stops_at_once() {
    let mut stub = start(&[
        "--shutdown-grace-ms",
        "60000",
        "--header-read-timeout-ms",
        "60000",
    ]);
    // A request in progress: its body is announced and never sent.
    let mut busy = TcpStream::connect(&stub.addr).expect("connect");
    busy.write_all(
        b"POST /__stub/worlds HTTP/1.1\r\nHost: stub\r\nContent-Type: application/json\r\n\
          Content-Length: 100\r\n\r\n{",
    )
    .expect("write");
    std::thread::sleep(Duration::from_millis(200));
    signal(&stub, "-TERM");
    assert!(
        exits_within(&mut stub, Duration::from_millis(500)).is_none(),
        "the first signal waits for the request in progress"
    );
    signal(&stub, "-TERM");
    let took = exits_within(&mut stub, Duration::from_secs(5));
    assert!(took.is_some(), "the second signal stops the stub: {took:?}");
}

#[test]
fn a_non_loopback_address_needs_expose_and_a_control_token() {
    let output = Command::new(env!("CARGO_BIN_EXE_social-stub"))
        .args(["--addr", "0.0.0.0:0"])
        .env_remove("SOCIAL_STUB_CONTROL_TOKEN")
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("--expose") && said.contains("--control-token"),
        "{said}"
    );

    let output = Command::new(env!("CARGO_BIN_EXE_social-stub"))
        .args(["--addr", "0.0.0.0:0", "--expose"])
        .env_remove("SOCIAL_STUB_CONTROL_TOKEN")
        .output()
        .expect("the binary runs");
    assert_eq!(
        output.status.code(),
        Some(2),
        "--expose alone is not enough"
    );
}
