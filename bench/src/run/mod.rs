//! `social-bench run`, what `cargo xtask bench` runs: measures the targets of issue 9 and
//! writes `BENCHMARKS.md`, `benchmarks-latency.png` and `target/bench/results.json`.
//!
//! It starts the stub (`social-stub`, release, beside this binary), the bare axum baseline
//! (`social-bench baseline`) and Prism (`bench/prism`, one per document) on loopback ports,
//! loads each with `wrk` at the same connection counts, runs the other measurements as
//! subcommands of this binary (SDK overhead, paging, live push, memory), times
//! `cargo xtask codegen --check` and, with `--cold-build`, a cold `cargo build --workspace`.
//! Every server it starts is stopped when it returns, on error too. Nothing here runs in
//! `cargo test` or CI.
//!
//! Tools it needs: `wrk` (`apt-get install -y wrk`; `--install`, or `CI` set, lets it run that
//! itself), `npm` for Prism (`npm ci` into `bench/prism/node_modules` on first use; `--no-prism`
//! skips Prism), `python3` for the plot (`matplotlib` into `bench/.venv` on first use).

pub(crate) mod servers;
mod tools;
mod wrk;

use crate::live::LiveResult;
use crate::memory::MemoryResult;
use crate::paging::PagingResult;
use crate::prepare::Prepared;
use crate::results::{Load, Results};
use crate::sdk::SdkResult;
use anyhow::{Context, Result, bail};
use servers::{Servers, free_port, log_file, wait_for_port};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tools::{Runner, load_average, machine, tools};
use wrk::wrk;

/// The release build a run starts with (`cargo xtask bench` runs it before this binary).
pub(crate) const RELEASE_BUILD: &str = "cargo build --release -p social-stub -p social-bench";

/// `social-bench run` options: those of `cargo xtask bench`, plus what xtask measured.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct RunOptions {
    /// Short runs (seconds instead of minutes) for development; the figures are rough and go to
    /// `target/bench/` unless `--out` is given.
    #[arg(long)]
    pub(crate) quick: bool,
    /// Also time a cold `cargo build --workspace` in a fresh target directory (minutes).
    #[arg(long)]
    pub(crate) cold_build: bool,
    /// Install `wrk` with `apt-get install -y wrk` if it is missing (implied when `CI` is set).
    #[arg(long)]
    pub(crate) install: bool,
    /// Leave Prism out.
    #[arg(long)]
    pub(crate) no_prism: bool,
    /// Measure nothing: write the report again from the last run's
    /// `target/bench/results.json` (after editing `bench/misses.md`, say).
    #[arg(long)]
    pub(crate) report_only: bool,
    /// Where to write the report (default `BENCHMARKS.md`, or `target/bench/BENCHMARKS.md`
    /// with `--quick`); the plot goes beside it as `benchmarks-latency.png`.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Seconds the release build took, when the caller ran it (`cargo xtask bench` does);
    /// without it the run starts with that build and times it.
    #[arg(long, hide = true)]
    pub(crate) release_build_seconds: Option<f64>,
}

/// Settings of one run.
struct Plan {
    connections: Vec<u32>,
    /// Connection counts of the runs with the answer cache off.
    cold_connections: Vec<u32>,
    headline_connections: u32,
    wrk_seconds: u32,
    sdk_requests: usize,
    sdk_walks: usize,
    paging_big: u64,
    paging_rounds: usize,
    live_subscribers: usize,
    live_mutations: usize,
    live_big_subscribers: usize,
    live_big_mutations: usize,
    memory_users: u64,
    memory_friends_per_user: u64,
    memory_subscribers: usize,
    codegen_runs: usize,
}

impl Plan {
    fn new(quick: bool) -> Self {
        let full = !quick;
        Self {
            connections: if full {
                vec![1, 4, 16, 64, 256]
            } else {
                vec![1, 16, 64]
            },
            headline_connections: 64,
            wrk_seconds: if full { 8 } else { 2 },
            sdk_requests: if full { 3000 } else { 400 },
            sdk_walks: if full { 15 } else { 3 },
            paging_big: if full { 1_000_000 } else { 100_000 },
            paging_rounds: if full { 30 } else { 5 },
            live_subscribers: 1000,
            live_mutations: if full { 50 } else { 10 },
            live_big_subscribers: 10_000,
            live_big_mutations: if full { 10 } else { 3 },
            cold_connections: vec![16, 64],
            memory_users: 100_000,
            memory_friends_per_user: 20,
            memory_subscribers: 10_000,
            codegen_runs: if full { 3 } else { 1 },
        }
    }
}

/// The workspace root (the parent of `bench/`).
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// `social-bench run`.
pub(crate) fn run(options: RunOptions) -> Result<()> {
    let started = Instant::now();
    let root = workspace_root();
    let plan = Plan::new(options.quick);
    let mut runner = Runner {
        root: root.clone(),
        cargo: std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()),
        commands: Vec::new(),
    };
    let out = options.out.clone().unwrap_or_else(|| {
        if options.quick {
            root.join("target/bench/BENCHMARKS.md")
        } else {
            root.join("BENCHMARKS.md")
        }
    });
    if options.report_only {
        let json_path = root.join("target/bench/results.json");
        let text = std::fs::read_to_string(&json_path)
            .with_context(|| format!("{}: no earlier run to report on", json_path.display()))?;
        let results: Results = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a results file", json_path.display()))?;
        let png = out.parent().unwrap_or(&root).join("benchmarks-latency.png");
        let report =
            crate::report::render(&results, png.exists().then_some("benchmarks-latency.png"));
        std::fs::write(&out, report)?;
        eprintln!(
            "bench: wrote {} from {}",
            out.display(),
            json_path.display()
        );
        return Ok(());
    }
    let bench_bin = std::env::current_exe().context("locating social-bench")?;
    if bench_bin.parent().and_then(Path::file_name) != Some("release".as_ref()) {
        bail!(
            "`social-bench run` measures release binaries: run `cargo xtask bench` (or `cargo run --release -p social-bench -- run`)"
        );
    }
    let stub_bin = bench_bin.with_file_name("social-stub");
    let python = tools(&mut runner, &options)?;
    let cargo = runner.cargo.clone();
    let release_build_seconds = match options.release_build_seconds {
        Some(seconds) => {
            // Run (and shown) by `cargo xtask bench` already; recorded in its place.
            runner.commands.push(RELEASE_BUILD.to_owned());
            seconds
        }
        None => runner
            .run(
                RELEASE_BUILD,
                Command::new(&cargo).args([
                    "build",
                    "--release",
                    "-p",
                    "social-stub",
                    "-p",
                    "social-bench",
                ]),
            )?
            .as_secs_f64(),
    };
    let mut machine = machine(&root);

    let mut servers = Servers::default();
    let stub_port = free_port()?;
    runner.note(format!(
        "RUST_LOG=warn {} --addr 127.0.0.1:{stub_port}",
        runner.shown(&stub_bin)
    ));
    servers.push(
        "social-stub",
        Command::new(&stub_bin)
            .args(["--addr", &format!("127.0.0.1:{stub_port}")])
            .env("RUST_LOG", "warn")
            .stdout(log_file(&root, "stub.log")?)
            .stderr(log_file(&root, "stub.err.log")?)
            .spawn()
            .context("starting the stub")?,
    );
    wait_for_port(stub_port, "the stub", Duration::from_secs(20))?;
    let stub_url = format!("http://127.0.0.1:{stub_port}");

    let body_dir = PathBuf::from("target/bench/bodies"); // relative to the root, the cwd
    let prepared: Prepared = runner.bench_json(
        &bench_bin,
        &[
            "prepare".into(),
            "--stub".into(),
            stub_url.clone(),
            "--out".into(),
            body_dir.display().to_string(),
        ],
    )?;
    let targets = prepared.targets;

    let baseline_port = free_port()?;
    let mut baseline_args = vec![
        "baseline".to_owned(),
        "--addr".into(),
        format!("127.0.0.1:{baseline_port}"),
    ];
    for target in &targets {
        baseline_args.push("--route".into());
        baseline_args.push(format!("{}={}", target.path, target.body_file));
    }
    runner.note(format!(
        "{} {}",
        runner.shown(&bench_bin),
        baseline_args.join(" ")
    ));
    servers.push(
        "baseline",
        Command::new(&bench_bin)
            .args(&baseline_args)
            .current_dir(&root)
            .stdout(Stdio::null())
            .stderr(log_file(&root, "baseline.log")?)
            .spawn()?,
    );
    wait_for_port(baseline_port, "the baseline", Duration::from_secs(20))?;

    let mut prism_ports = BTreeMap::new();
    if !options.no_prism {
        for target in &targets {
            let spec = target.prism_spec.clone();
            if prism_ports.contains_key(&spec) {
                continue;
            }
            let port = free_port()?;
            let args = [
                "mock".to_owned(),
                "-h".into(),
                "127.0.0.1".into(),
                "-p".into(),
                port.to_string(),
                "-v".into(),
                "error".into(),
                format!("openapi/{spec}.yaml"),
            ];
            runner.note(format!(
                "bench/prism/node_modules/.bin/prism {}",
                args.join(" ")
            ));
            servers.push(
                &format!("prism ({spec})"),
                Command::new(root.join("bench/prism/node_modules/.bin/prism"))
                    .args(args)
                    .current_dir(&root)
                    .stdout(log_file(&root, &format!("prism-{spec}.log"))?)
                    .stderr(Stdio::null())
                    .spawn()
                    .context("starting Prism")?,
            );
            prism_ports.insert(spec, port);
        }
        for (spec, &port) in &prism_ports {
            wait_for_port(port, &format!("Prism ({spec})"), Duration::from_secs(60))?;
        }
    }

    // Throughput and latency against load: stub, baseline, Prism at each connection count.
    let mut load = Vec::new();
    for target in &targets {
        let headers = &target.headers;
        let path = &target.path;
        let mut servers_urls = vec![
            ("stub", format!("{stub_url}{path}")),
            (
                "baseline",
                format!("http://127.0.0.1:{baseline_port}{path}"),
            ),
        ];
        if let Some(port) = prism_ports.get(&target.prism_spec) {
            servers_urls.push((
                "prism",
                format!("http://127.0.0.1:{port}{}", target.prism_path),
            ));
        }
        for (server, url) in &servers_urls {
            wrk(&mut runner, server, url, headers, 16, 1)?; // warm-up, not recorded
        }
        let mut runs = Vec::new();
        for &connections in &plan.connections {
            for (server, url) in &servers_urls {
                runs.push(wrk(
                    &mut runner,
                    server,
                    url,
                    headers,
                    connections,
                    plan.wrk_seconds,
                )?);
            }
        }
        // The same reads with the world's answer cache off: every answer computed, as every
        // read after a mutation is.
        let world = target.path.split('/').nth(2).unwrap_or("default");
        answer_cache(&mut runner, &stub_url, world, false)?;
        for &connections in &plan.cold_connections {
            runs.push(wrk(
                &mut runner,
                "stub-cold",
                &servers_urls[0].1,
                headers,
                connections,
                plan.wrk_seconds,
            )?);
        }
        answer_cache(&mut runner, &stub_url, world, true)?;
        load.push(Load {
            name: target.name.clone(),
            label: target.label.clone(),
            bytes: target.bytes,
            runs,
        });
    }

    let sdk: SdkResult = runner.bench_json(
        &bench_bin,
        &[
            "sdk".into(),
            "--stub".into(),
            stub_url.clone(),
            "--requests".into(),
            plan.sdk_requests.to_string(),
            "--walks".into(),
            plan.sdk_walks.to_string(),
        ],
    )?;
    let mut live_run = |subscribers: usize, mutations: usize| -> Result<LiveResult> {
        runner.bench_json(
            &bench_bin,
            &[
                "live".into(),
                "--stub".into(),
                stub_url.clone(),
                "--subscribers".into(),
                subscribers.to_string(),
                "--mutations".into(),
                mutations.to_string(),
            ],
        )
    };
    let live = live_run(plan.live_subscribers, plan.live_mutations)?;
    let live_big = live_run(plan.live_big_subscribers, plan.live_big_mutations)?;
    let paging: PagingResult = runner.bench_json(
        &bench_bin,
        &[
            "paging".into(),
            "--stub".into(),
            stub_url.clone(),
            "--big".into(),
            plan.paging_big.to_string(),
            "--rounds".into(),
            plan.paging_rounds.to_string(),
        ],
    )?;
    drop(servers); // the rest needs no server of ours (memory starts its own stub)
    let memory: MemoryResult = runner.bench_json(
        &bench_bin,
        &[
            "memory".into(),
            "--stub-bin".into(),
            runner.shown(&stub_bin),
            "--users".into(),
            plan.memory_users.to_string(),
            "--friends-per-user".into(),
            plan.memory_friends_per_user.to_string(),
            "--subscribers".into(),
            plan.memory_subscribers.to_string(),
        ],
    )?;

    let mut codegen_seconds = Vec::new();
    let mut codegen_fresh = true;
    for _ in 0..plan.codegen_runs {
        // Timed whatever it finds: a stale generated file is reported, not fatal.
        runner.note("cargo xtask codegen --check");
        let start = Instant::now();
        let status = Command::new(&cargo)
            .args(["xtask", "codegen", "--check"])
            .current_dir(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()?;
        codegen_seconds.push(start.elapsed().as_secs_f64());
        codegen_fresh &= status.success();
    }
    codegen_seconds.sort_by(f64::total_cmp);
    let cold_build_seconds = if options.cold_build {
        let dir = std::env::temp_dir().join(format!("social-bench-cold-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let took = runner.run(
            "CARGO_TARGET_DIR=<fresh empty directory> cargo build --workspace",
            Command::new(&cargo)
                .args(["build", "--workspace"])
                .env("CARGO_TARGET_DIR", &dir),
        );
        let _ = std::fs::remove_dir_all(&dir);
        Some(took?.as_secs_f64())
    } else {
        None
    };
    machine.loadavg_end = load_average();
    let results = Results {
        quick: options.quick,
        machine,
        release_build_seconds,
        wrk_seconds: plan.wrk_seconds,
        connections: plan.connections,
        headline_connections: plan.headline_connections,
        load,
        sdk,
        live,
        live_big: Some(live_big),
        paging,
        memory,
        codegen_seconds,
        codegen_fresh,
        cold_build_seconds,
        commands: runner.commands,
        total_seconds: started.elapsed().as_secs_f64(),
    };
    write(&root, &out, &results, python.as_deref(), started)
}

/// Turns the answer cache of `world` on the stub at `stub_url` on or off, through the
/// control-plane client (`PUT /__stub/worlds/{world}/answer-cache`).
fn answer_cache(runner: &mut Runner, stub_url: &str, world: &str, enabled: bool) -> Result<()> {
    runner.note(format!(
        "curl -X PUT {stub_url}/__stub/worlds/{world}/answer-cache -d '{{\"enabled\":{enabled}}}'"
    ));
    let handle = social_stub::control::Control::new(stub_url).world(world);
    let now = tokio::runtime::Runtime::new()?.block_on(handle.set_answer_cache(enabled))?;
    if now != enabled {
        bail!("the answer cache of {world} is {now}, not {enabled}");
    }
    Ok(())
}

/// Writes `target/bench/results.json`, the plot (when there is a python) and the report.
fn write(
    root: &Path,
    out: &Path,
    results: &Results,
    python: Option<&Path>,
    started: Instant,
) -> Result<()> {
    let out_dir = out
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.to_path_buf());
    std::fs::create_dir_all(&out_dir)?;
    let json_path = root.join("target/bench/results.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(results)?)?;
    let png = out_dir.join("benchmarks-latency.png");
    let plotted = match python {
        Some(python) => {
            let status = Command::new(python)
                .arg(root.join("bench/plot.py"))
                .arg(&json_path)
                .arg(&png)
                .status()?;
            status.success()
        }
        None => false,
    };
    let report = crate::report::render(results, plotted.then_some("benchmarks-latency.png"));
    std::fs::write(out, report)?;
    eprintln!(
        "bench: wrote {} ({}) in {:.0} s; raw figures in {}",
        out.display(),
        if plotted { "with the plot" } else { "no plot" },
        started.elapsed().as_secs_f64(),
        json_path.display()
    );
    Ok(())
}
