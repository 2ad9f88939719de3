//! Hostile input against every operation of every document (issue 8): malformed, truncated,
//! oversized, deeply nested and non-UTF-8 bodies, wrong and missing content types, huge
//! arrays, integer overflow in ids, negative and absurd limits, forged cursors, unknown enum
//! values, duplicate query keys, header injection, lying `Content-Length`s, wrong methods and
//! unknown routes.
//!
//! Nothing here lists routes by hand: the operations, their parameters, bodies, documented
//! responses and error codes all come from the documents the stub embeds
//! (`social_stub::SERVICES`), read through its spec index (`social_stub::spec`). Every request carries valid credentials and otherwise valid
//! input (real ids from a seeded world), so exactly one thing is wrong with it, and it goes
//! out over a raw `TcpStream`, byte for byte, so nothing in between tidies it up.
//!
//! Each answer must be the documented one for its kind of problem: the operation's own
//! documented `400` (roster: HTTP 200 with business code 10002) for bad input, its `401`
//! (roster 10008, 40000) for credentials that are not text, and for all routes what
//! `server-stub/README.md` ("Hostile input") documents: `404` for an unknown route, `405`
//! with `Allow` for a wrong method, and a bare `400` from the HTTP layer for a request that is
//! not valid HTTP/1.1. Every answer comes within a hang detector's timeout, no answer is a
//! `5xx`, and the world's state is the same before and after the whole run.

use base64::Engine;
use contract_tests::env::Env;
use futures::StreamExt;
use serde_json::{Map, Value, json};
use social_stub::Service;
use social_stub::control::WorldHandle;
use social_stub::spec::{self, Location, OperationSpec};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod cursors;
mod documents;
mod judging;
mod probes;
mod seed;
mod variants;

use self::cursors::*;
use self::documents::*;
use self::judging::*;
use self::probes::*;
use self::seed::*;
use self::variants::*;

/// No single answer may take longer than this (a hang detector, not a performance bound).
const HANG: Duration = Duration::from_secs(5);
/// How many hostile requests are in flight at once.
const CONCURRENCY: usize = 8;
/// The suite may not silently shrink below this many (operation, variant) pairs.
const FLOOR: usize = 3000;
/// The stub reads bodies up to 64 KiB (`social_stub::http::BODY_LIMIT`).
const BODY_LIMIT: usize = social_stub::http::BODY_LIMIT;
/// The game-server id the seeded worlds register.
const SERVER_ID: &str = "hostile-server";
/// A marker for raw JSON number text that `serde_json::Value` cannot hold.
const RAW: &str = "@@raw:";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_hostile_input_as_documented_without_changing_state() {
    let started = Instant::now();
    let env = Env::new().await;
    let stub = env.stub();
    let addr: SocketAddr = stub.url()["http://".len()..].parse().expect("address");
    let ops = operations();
    assert!(
        ops.len() >= 90,
        "only {} operations in the documents",
        ops.len()
    );

    // A twin world: each operation's valid request must get past input validation there, so
    // every variant below fails for its one hostile change and nothing else.
    let twin = env.world.clone();
    let twin_seed = seed(&twin).await;
    let twin_cursors = harvest(&ops, &twin_seed, addr).await;
    let mut failures = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        let probe = valid_probe(index, op, &twin_seed);
        let request = probe.render(&ops, &twin_seed, addr);
        match tokio::time::timeout(HANG, exchange(addr, &request, false)).await {
            Err(_) => failures.push(format!("{}: valid request hung", op.name())),
            Ok(Err(e)) => failures.push(format!("{}: valid request: {e}", op.name())),
            Ok(Ok(answer)) if answer.status >= 500 || rejected_as_invalid(op, &answer) => {
                failures.push(format!(
                    "{}: the valid request was rejected: {} {}",
                    op.name(),
                    answer.status,
                    String::from_utf8_lossy(&answer.body)
                ));
            }
            Ok(Ok(_)) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "valid requests:\n{}",
        failures.join("\n")
    );

    let world = stub.control().create_world().await.expect("world");
    let seed = seed(&world).await;
    let cursors = Cursors {
        own: harvest(&ops, &seed, addr).await,
        twin: twin_cursors,
    };
    let before = state(&world).await;
    let logged_before = world.requests().await.expect("log").len();

    let probes = variants(&ops, &seed, &cursors);
    let pairs = probes.len();
    let prepared = started.elapsed();
    let results: Vec<(usize, Result<(), String>)> =
        futures::stream::iter(probes.iter().enumerate())
            .map(|(i, probe)| {
                let request = probe.render(&ops, &seed, addr);
                let op = &ops[probe.op];
                async move {
                    let verdict = match tokio::time::timeout(
                        HANG,
                        exchange(addr, &request, probe.half_close),
                    )
                    .await
                    {
                        Err(_) => Err(format!("no answer within {HANG:?}")),
                        Ok(Err(e)) => Err(e),
                        Ok(Ok(answer)) => judge(op, probe, &answer),
                    };
                    (i, verdict)
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
    let mut failures: Vec<String> = results
        .into_iter()
        .filter_map(|(i, verdict)| {
            verdict.err().map(|e| {
                let probe = &probes[i];
                format!("{} [{}]: {e}", ops[probe.op].name(), probe.variant)
            })
        })
        .collect();
    failures.sort();
    let operations_hit = {
        let mut seen: Vec<usize> = probes.iter().map(|p| p.op).collect();
        seen.dedup();
        seen.len()
    };
    let per_document: Vec<String> = social_stub::SERVICES
        .iter()
        .map(|service| {
            let n = probes
                .iter()
                .filter(|p| ops[p.op].service.spec_name == service.spec_name)
                .count();
            format!("{} {n}", service.spec_name)
        })
        .collect();
    println!(
        "hostile input: {pairs} (operation, variant) pairs over {operations_hit} operations \
         ({}); seeding and valid requests {prepared:?}, hostile run {:?}",
        per_document.join(", "),
        started.elapsed() - prepared
    );
    let after = state(&world).await;
    if before != after {
        failures.push(format!(
            "hostile input changed the world's state:\n{}",
            first_difference(&before, &after)
        ));
    }
    for failure in &failures {
        eprintln!("{failure}");
    }
    assert!(
        failures.is_empty(),
        "{} of {pairs} hostile requests were not answered as documented or changed state \
         (listed above)",
        failures.len(),
    );
    assert_eq!(operations_hit, ops.len(), "every operation was probed");
    assert!(pairs >= FLOOR, "only {pairs} pairs (floor {FLOOR})");
    let logged = world.requests().await.expect("log").len();
    assert!(
        logged > logged_before,
        "requests that reached an operation are logged (the log is not state)"
    );

    // And the stub still serves a normal request.
    let alive = reqwest::Client::new()
        .get(format!(
            "{}{}/friends/v1/my/friends/count",
            stub.url(),
            seed.prefix
        ))
        .header("cookie", format!(".ROBLOSECURITY={}", seed.cookie))
        .send()
        .await
        .expect("a normal request after the run");
    assert_eq!(alive.status(), 200, "the stub still serves normal requests");
    let count: Value = alive.json().await.expect("count");
    assert_eq!(count["count"], 1, "alice still has her one friend");
}
