//! `social-bench`: `cargo xtask bench`, and the measurements of it that a load tool cannot
//! make. `run` is the whole benchmark (`cargo xtask bench` builds this binary and runs it):
//! it starts the servers, runs `wrk` and the other subcommands, and writes
//! `target/bench/results.json` ([`results`]) and `BENCHMARKS.md` ([`report`]). Every other
//! subcommand but `baseline` prints one JSON object on stdout (progress goes to stderr).
//! Everything listens on and talks to loopback only.
//!
//! - `run`: the benchmark, with the options of `cargo xtask bench`.
//! - `baseline`: a bare axum server answering fixed paths with fixed bytes (what the stub
//!   answered for them, captured by `prepare`).
//! - `prepare`: seeds the load-test world in a running stub and captures its answers.
//! - `sdk`: the SDK against raw `reqwest` + `serde_json` on the same endpoint.
//! - `paging`: page latency for a user with 1,000 against one with 1,000,000 followers.
//! - `live`: from a REST mutation's response to the frame at each of many subscribers.
//! - `memory`: a stub child's RSS with a big world, and per idle live subscriber.

mod baseline;
mod live;
mod memory;
mod paging;
mod prepare;
mod report;
mod results;
mod run;
mod sdk;
mod stats;

use anyhow::Result;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "social-bench",
    about = "`cargo xtask bench` and its measurements"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// The whole benchmark: measure, then write `BENCHMARKS.md` (what `cargo xtask bench` runs).
    Run(run::RunOptions),
    #[command(flatten)]
    Measure(Measure),
}

/// The subcommands that measure (or serve) on their own.
#[derive(Subcommand)]
enum Measure {
    /// Serve `GET <path>` with the bytes of `<file>` (JSON) until killed.
    Baseline {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:0")]
        addr: SocketAddr,
        /// `<path>=<file>`, repeatable.
        #[arg(long = "route", required = true)]
        routes: Vec<String>,
    },
    /// Seed the load-test world in the stub at `--stub` and capture its answers into `--out`.
    Prepare {
        /// The stub's base URL.
        #[arg(long)]
        stub: String,
        /// Directory for the captured bodies.
        #[arg(long)]
        out: PathBuf,
    },
    /// SDK against raw reqwest + serde_json: time per request and per 10,000-item walk.
    Sdk {
        /// The stub's base URL.
        #[arg(long)]
        stub: String,
        /// Requests per client.
        #[arg(long, default_value_t = 3000)]
        requests: usize,
        /// Walks per client.
        #[arg(long, default_value_t = 15)]
        walks: usize,
    },
    /// Page latency: 1,000 against 1,000,000 followers.
    Paging {
        /// The stub's base URL.
        #[arg(long)]
        stub: String,
        /// Followers of the big user.
        #[arg(long, default_value_t = 1_000_000)]
        big: u64,
        /// Rounds (each: 10 pages ascending and 10 descending per user).
        #[arg(long, default_value_t = 30)]
        rounds: usize,
    },
    /// Live push latency to many subscribers.
    Live {
        /// The stub's base URL.
        #[arg(long)]
        stub: String,
        /// Subscribers.
        #[arg(long, default_value_t = 1000)]
        subscribers: usize,
        /// Mutations (each pushes one frame to every subscriber).
        #[arg(long, default_value_t = 50)]
        mutations: usize,
    },
    /// RSS of a stub child with a big world, then per idle live subscriber.
    Memory {
        /// The `social-stub` binary to start.
        #[arg(long)]
        stub_bin: PathBuf,
        /// Roblox users.
        #[arg(long, default_value_t = 100_000)]
        users: u64,
        /// Friends per user (`users × this / 2` friendships).
        #[arg(long, default_value_t = 20)]
        friends_per_user: u64,
        /// Idle live subscribers.
        #[arg(long, default_value_t = 1000)]
        subscribers: usize,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Cmd::Run(options) => run::run(options),
        Cmd::Measure(command) => tokio::runtime::Runtime::new()?.block_on(measure(command)),
    }
}

/// Runs a measurement and prints its JSON (or serves, for `baseline`).
async fn measure(command: Measure) -> Result<()> {
    let value = match command {
        Measure::Baseline { addr, routes } => return baseline::serve(addr, &routes).await,
        Measure::Prepare { stub, out } => serde_json::to_value(prepare::run(&stub, &out).await?)?,
        Measure::Sdk {
            stub,
            requests,
            walks,
        } => serde_json::to_value(sdk::run(&stub, requests, walks).await?)?,
        Measure::Paging { stub, big, rounds } => {
            serde_json::to_value(paging::run(&stub, big, rounds).await?)?
        }
        Measure::Live {
            stub,
            subscribers,
            mutations,
        } => serde_json::to_value(live::run(&stub, subscribers, mutations).await?)?,
        Measure::Memory {
            stub_bin,
            users,
            friends_per_user,
            subscribers,
        } => serde_json::to_value(
            memory::run(&stub_bin, users, friends_per_user, subscribers).await?,
        )?,
    };
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}

/// A keep-alive HTTP client for loopback measurements.
pub(crate) fn http() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(usize::MAX)
        .build()?)
}

/// `GET url` with headers, `200` expected; the body.
pub(crate) async fn get_ok(
    http: &reqwest::Client,
    url: &str,
    headers: &[(String, String)],
) -> Result<axum::body::Bytes> {
    let mut request = http.get(url);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    anyhow::ensure!(
        status == reqwest::StatusCode::OK,
        "GET {url}: {status} {}",
        String::from_utf8_lossy(&body)
    );
    Ok(body)
}
