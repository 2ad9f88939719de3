#!/usr/bin/env python3
"""Attacks below the request layer against the release stub, on loopback, for the figures in
docs/reliability.md ("Below the request layer"). Bounded in count and time; stops the stub
and every client it starts. Standard library only; Linux (reads /proc).

    cargo build --release -p social-stub && python3 bench/attacks.py

Each scenario starts a fresh stub and prints one table row: the stub's RSS before and at the
worst moment, and how long a fresh client's `GET /healthz` took while the attack was on.
"""

import base64
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time

STUB = os.path.join(os.path.dirname(__file__), "..", "target", "release", "social-stub")


def start(*extra):
    proc = subprocess.Popen(
        [STUB, "--addr", "127.0.0.1:0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_COLOR": "1", "RUST_LOG": "warn,social_stub=info"},
        text=True,
    )
    deadline = time.time() + 20
    while time.time() < deadline:
        line = proc.stdout.readline()
        found = re.search(r"127\.0\.0\.1:(\d+)", line)
        if found:
            return proc, int(found.group(1))
    proc.kill()
    sys.exit("the stub did not say where it listens")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def fresh_ms(port):
    """A fresh connection's GET /healthz, in ms (inf if unanswered within 5 s)."""
    started = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: stub\r\nConnection: close\r\n\r\n")
            answer = s.recv(4096)
        if not answer.startswith(b"HTTP/1.1 200"):
            return float("inf")
    except OSError:
        return float("inf")
    return (time.perf_counter() - started) * 1000


def worst_fresh(port, tries=20):
    return max(fresh_ms(port) for _ in range(tries))


def stop(proc):
    proc.kill()
    proc.wait()


def half_sent(port, count):
    """`count` connections whose request headers were begun and never ended."""
    held = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: stub\r\nX-Slow: ")
        held.append(s)
    return held


def slowloris(count):
    proc, port = start()
    before = rss_mib(proc.pid)
    held = half_sent(port, count)
    time.sleep(0.5)
    peak = rss_mib(proc.pid)
    latency = worst_fresh(port)
    # Keep them trickling for longer than the header-read timeout (10 s): all closed?
    time.sleep(11)
    closed = 0
    for s in held:
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        s.close()
    after = rss_mib(proc.pid)
    stop(proc)
    return (f"{count:,} slowloris connections (headers begun, never ended)", before, peak,
            latency, f"{closed:,} of {count:,} closed by the stub after 11 s; RSS then {after:.0f} MiB")


HOLDER = """
import socket, sys, time, resource
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
port, count = int(sys.argv[1]), int(sys.argv[2])
held, failed = [], 0
for _ in range(count):
    try:
        held.append(socket.create_connection(("127.0.0.1", port), timeout=2))
    except OSError:
        failed += 1
print(failed, flush=True)
time.sleep(30)
"""


def connection_flood(count, holders=2):
    """`count` silent connections from `holders` processes (each has its own fd limit)."""
    proc, port = start()
    before = rss_mib(proc.pid)
    procs = [subprocess.Popen([sys.executable, "-c", HOLDER, str(port), str(count // holders)],
                              stdout=subprocess.PIPE, text=True) for _ in range(holders)]
    failed = sum(int(p.stdout.readline() or 0) for p in procs)
    time.sleep(0.5)
    peak = rss_mib(proc.pid)
    latency = worst_fresh(port)
    for p in procs:
        p.kill()
        p.wait()
    stop(proc)
    return (f"{count:,} silent connections at once (cap 4,096)", before, peak, latency,
            f"{failed:,} connects failed client-side; past the cap, the connection idle longest "
            "gave way to each new one")


def ws_handshake(port, token):
    s = socket.create_connection(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(
        (f"GET /social/v1/social/friends/live HTTP/1.1\r\nHost: stub\r\nUpgrade: websocket\r\n"
         f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
         f"Authorization: Bearer {token}\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(4096)
    assert head.startswith(b"HTTP/1.1 101"), head[:100]
    return s


def ping_flood(seconds):
    proc, port = start("--demo")
    token = demo_token(port)
    before = rss_mib(proc.pid)
    s = ws_handshake(port, token)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    mask = b"\x01\x02\x03\x04"
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(bytes(125)))
    chunk = (b"\x89\xfd" + mask + payload) * 500
    sent = 0
    peak = before
    started = time.time()
    s.settimeout(2)
    while time.time() - started < seconds:
        try:
            s.sendall(chunk)
            sent += len(chunk)
        except OSError:
            break
        if sent % (len(chunk) * 200) == 0:
            peak = max(peak, rss_mib(proc.pid))
    peak = max(peak, rss_mib(proc.pid))
    latency = worst_fresh(port)
    s.close()
    stop(proc)
    return (f"ping flood, {seconds} s, pongs never read", before, peak, latency,
            f"{sent / 1e6:,.0f} MB of pings sent")


def demo_token(port):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"GET /__stub/worlds/default/state HTTP/1.1\r\nHost: stub\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            part = s.recv(65536)
            if not part:
                break
            data += part
    found = re.search(rb'"token":"(stub-player-[0-9a-f]+|[^"]+)"', data.split(b'"social"', 1)[1])
    return found.group(1).decode()


def shutdown(count):
    proc, port = start()
    held = half_sent(port, count)
    time.sleep(0.3)
    started = time.perf_counter()
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=20)
        took = f"exited {time.perf_counter() - started:.2f} s after SIGINT (grace 5 s)"
    except subprocess.TimeoutExpired:
        took = "still running 20 s after SIGINT"
        proc.kill()
        proc.wait()
    for s in held:
        s.close()
    return took


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print("| attack | RSS before | RSS at worst | fresh `GET /healthz`, worst of 20 | notes |")
    print("|---|---:|---:|---:|---|")
    rows = [slowloris(2_000), ping_flood(15), connection_flood(20_000)]
    for what, before, peak, latency, notes in rows:
        print(f"| {what} | {before:.0f} MiB | {peak:.0f} MiB | {latency:.1f} ms | {notes} |")
    print()
    print(f"Ctrl-C with 10 half-sent requests: {shutdown(10)}.")


if __name__ == "__main__":
    main()
