//! The results file of `cargo xtask bench`, `target/bench/results.json`: every figure of one
//! run, typed. `social-bench run` writes it, `bench/plot.py` plots from it and the report
//! ([`crate::report`]) is written from it (again with `--report-only`).
//!
//! The measurement subcommands print their part of it (`sdk` prints a [`SdkResult`], …);
//! `wrk` figures come from `bench/wrk-json.lua`.

use crate::live::LiveResult;
use crate::memory::MemoryResult;
use crate::paging::PagingResult;
use crate::sdk::SdkResult;
use serde::{Deserialize, Serialize};

/// One run of `cargo xtask bench`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Results {
    /// `--quick`: short samples.
    pub(crate) quick: bool,
    /// Where it ran.
    pub(crate) machine: Machine,
    /// Seconds of the release build of `social-stub` and `social-bench` at the start.
    #[serde(with = "nan")]
    pub(crate) release_build_seconds: f64,
    /// Seconds per `wrk` point.
    pub(crate) wrk_seconds: u32,
    /// The `wrk` connection counts, ascending.
    pub(crate) connections: Vec<u32>,
    /// The connection count of the summary's throughput rows.
    pub(crate) headline_connections: u32,
    /// Throughput and latency against load, one entry per endpoint.
    pub(crate) load: Vec<Load>,
    /// SDK against raw `reqwest` + `serde_json`.
    pub(crate) sdk: SdkResult,
    /// Live push latency.
    pub(crate) live: LiveResult,
    /// Live push latency with many more subscribers (absent from runs before it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) live_big: Option<LiveResult>,
    /// Page latency, small against big list.
    pub(crate) paging: PagingResult,
    /// RSS of a stub child.
    pub(crate) memory: MemoryResult,
    /// Wall time of each `cargo xtask codegen --check`, ascending.
    pub(crate) codegen_seconds: Vec<f64>,
    /// Whether every `codegen --check` found the generated files fresh.
    pub(crate) codegen_fresh: bool,
    /// A cold `cargo build --workspace` (`--cold-build` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) cold_build_seconds: Option<f64>,
    /// Every command run, in order, as the report lists them.
    pub(crate) commands: Vec<String>,
    /// Seconds of the whole run.
    #[serde(with = "nan")]
    pub(crate) total_seconds: f64,
}

/// The machine and the tools.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Machine {
    /// Available parallelism.
    pub(crate) nproc: usize,
    /// `model name` of `/proc/cpuinfo`.
    pub(crate) cpu: String,
    /// `MemTotal` of `/proc/meminfo`.
    #[serde(with = "nan")]
    pub(crate) memory_gib: f64,
    /// `PRETTY_NAME` of `/etc/os-release`.
    pub(crate) os: String,
    /// Kernel release.
    pub(crate) kernel: String,
    /// `rustc --version`.
    pub(crate) rustc: String,
    /// `wrk --version`.
    pub(crate) wrk: String,
    /// `node --version`.
    pub(crate) node: String,
    /// When the run started, `YYYY-MM-DD HH:MM UTC`.
    pub(crate) date: String,
    /// 1-minute load average at the start.
    #[serde(with = "nan")]
    pub(crate) loadavg_start: f64,
    /// The commit (with ` + uncommitted changes` when the tree was dirty).
    pub(crate) commit: String,
    /// 1-minute load average at the end.
    #[serde(with = "nan")]
    pub(crate) loadavg_end: f64,
}

/// One endpoint under load.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Load {
    /// Short name (`roblox-friends`, …).
    pub(crate) name: String,
    /// What it is, for the report.
    pub(crate) label: String,
    /// Size of the stub's answer (body only).
    pub(crate) bytes: usize,
    /// Every recorded `wrk` run: each server at each connection count.
    pub(crate) runs: Vec<WrkRun>,
}

/// The figures `bench/wrk-json.lua` prints.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct WrkFigures {
    pub(crate) requests: u64,
    pub(crate) duration_us: u64,
    /// Bytes received, headers included.
    pub(crate) bytes: u64,
    pub(crate) connect_errors: u64,
    pub(crate) read_errors: u64,
    pub(crate) write_errors: u64,
    pub(crate) status_errors: u64,
    pub(crate) timeouts: u64,
    pub(crate) p50_us: u64,
    pub(crate) p90_us: u64,
    pub(crate) p99_us: u64,
    pub(crate) max_us: u64,
    #[serde(with = "nan")]
    pub(crate) mean_us: f64,
}

/// One `wrk` run against one server.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct WrkRun {
    /// What wrk measured.
    #[serde(flatten)]
    pub(crate) figures: WrkFigures,
    /// Requests per second.
    #[serde(with = "nan")]
    pub(crate) rps: f64,
    /// Connect, read, write and status errors and timeouts.
    pub(crate) errors: u64,
    pub(crate) connections: u32,
    pub(crate) threads: u32,
    /// `stub`, `baseline` or `prism`.
    pub(crate) server: String,
}

/// `f64` fields: written as JSON numbers, or `null` when not finite (as `serde_json` writes
/// them); `null` reads back as NaN, "not measured".
pub(crate) mod nan {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// As `f64` serialises.
    pub(crate) fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }

    /// A number, or NaN for `null`.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(deserializer)?.unwrap_or(f64::NAN))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A quick run's results, with gaps: no cold build, a stale codegen, some runs missing,
    /// NaN figures (`null`).
    pub(crate) const QUICK: &str = include_str!("../fixtures/quick.json");
    /// A full run's results (those behind the `BENCHMARKS.md` of 2026-11-22).
    pub(crate) const FULL: &str = include_str!("../fixtures/full.json");

    #[test]
    fn round_trips() {
        for fixture in [QUICK, FULL] {
            let value: serde_json::Value = serde_json::from_str(fixture).expect("JSON");
            let results: Results = serde_json::from_value(value.clone()).expect("typed");
            assert_eq!(serde_json::to_value(&results).expect("back"), value);
            let text = serde_json::to_string_pretty(&results).expect("text");
            let again: Results = serde_json::from_str(&text).expect("typed again");
            assert_eq!(serde_json::to_value(again).expect("back"), value);
        }
    }

    #[test]
    fn null_is_nan() {
        let value: serde_json::Value = serde_json::from_str(QUICK).expect("JSON");
        let results: Results = serde_json::from_value(value).expect("typed");
        assert!(results.machine.loadavg_start.is_nan());
        assert!(results.live.mutation.median_us.is_nan());
        assert!(results.cold_build_seconds.is_none());
    }
}
