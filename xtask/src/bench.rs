//! `cargo xtask bench`: measures the targets of issue 9 and writes `BENCHMARKS.md` and
//! `benchmarks-latency.png`.
//!
//! It builds `social-stub` and `social-bench` in release mode, starts the stub, the bare axum
//! baseline (`social-bench baseline`) and Prism (`bench/prism`, one per document) on loopback
//! ports, loads each with `wrk` at the same connection counts, runs the `social-bench`
//! measurements (SDK overhead, paging, live push, memory), times `cargo xtask codegen --check`
//! and, with `--cold-build`, a cold `cargo build --workspace`. Every server it starts is
//! stopped when it returns, on error too. Nothing here runs in `cargo test` or CI.
//!
//! Tools it needs: `wrk` (`apt-get install -y wrk`; `--install`, or `CI` set, lets it run that
//! itself), `npm` for Prism (`npm ci` into `bench/prism/node_modules` on first use; `--no-prism`
//! skips Prism), `python3` for the plot (`matplotlib` into `bench/.venv` on first use).

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `cargo xtask bench` options.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Options {
    /// Short runs (seconds instead of minutes) for development; the figures are rough and go to
    /// `target/bench/` unless `--out` is given.
    #[arg(long)]
    quick: bool,
    /// Also time a cold `cargo build --workspace` in a fresh target directory (minutes).
    #[arg(long)]
    cold_build: bool,
    /// Install `wrk` with `apt-get install -y wrk` if it is missing (implied when `CI` is set).
    #[arg(long)]
    install: bool,
    /// Leave Prism out.
    #[arg(long)]
    no_prism: bool,
    /// Measure nothing: write the report again from the last run's
    /// `target/bench/results.json` (after editing `bench/misses.md`, say).
    #[arg(long)]
    report_only: bool,
    /// Where to write the report (default `BENCHMARKS.md`, or `target/bench/BENCHMARKS.md`
    /// with `--quick`); the plot goes beside it as `benchmarks-latency.png`.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Settings of one run.
struct Plan {
    connections: Vec<u32>,
    headline_connections: u32,
    wrk_seconds: u32,
    sdk_requests: usize,
    sdk_walks: usize,
    paging_big: u64,
    paging_rounds: usize,
    live_subscribers: usize,
    live_mutations: usize,
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
            memory_users: 100_000,
            memory_friends_per_user: 20,
            memory_subscribers: 1000,
            codegen_runs: if full { 3 } else { 1 },
        }
    }
}

/// The servers started so far; all are killed when dropped (errors and panics included).
#[derive(Default)]
struct Servers(Vec<(String, Child)>);

impl Servers {
    fn push(&mut self, name: &str, child: Child) {
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

/// Runs commands and remembers them for the report.
struct Runner {
    root: PathBuf,
    cargo: String,
    commands: Vec<String>,
}

impl Runner {
    fn note(&mut self, line: impl Into<String>) {
        let line = line.into();
        eprintln!("+ {line}");
        self.commands.push(line);
    }

    /// Runs to completion with inherited output; fails on a non-zero exit.
    fn run(&mut self, shown: &str, command: &mut Command) -> Result<Duration> {
        self.note(shown);
        let start = Instant::now();
        let status = command.current_dir(&self.root).status()?;
        if !status.success() {
            bail!("`{shown}` failed ({status})");
        }
        Ok(start.elapsed())
    }

    /// Runs a `social-bench` subcommand and parses the JSON it prints.
    fn bench_json(&mut self, bin: &Path, args: &[String]) -> Result<Value> {
        self.note(format!("target/release/social-bench {}", args.join(" ")));
        let output = Command::new(bin)
            .args(args)
            .current_dir(&self.root)
            .stderr(Stdio::inherit())
            .output()?;
        if !output.status.success() {
            bail!("social-bench {} failed ({})", args.join(" "), output.status);
        }
        serde_json::from_slice(&output.stdout).context("social-bench printed no JSON")
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn wait_for_port(port: u16, what: &str, timeout: Duration) -> Result<()> {
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

fn have(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn first_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| {
            let text = if o.stdout.is_empty() {
                o.stderr
            } else {
                o.stdout
            };
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_owned()
        })
        .unwrap_or_else(|| "unavailable".into())
}

fn log_file(root: &Path, name: &str) -> Result<Stdio> {
    let dir = root.join("target/bench");
    std::fs::create_dir_all(&dir)?;
    Ok(Stdio::from(std::fs::File::create(dir.join(name))?))
}

/// Makes sure `wrk`, Prism and the plotting venv are there (installing what may be).
fn tools(runner: &mut Runner, options: &Options) -> Result<Option<PathBuf>> {
    if Command::new("wrk").arg("--version").output().is_err() {
        let allowed = options.install || std::env::var_os("CI").is_some();
        if !allowed {
            bail!(
                "wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu), or run `cargo xtask bench --install` to let the bench do it"
            );
        }
        runner.run(
            "apt-get install -y wrk",
            Command::new("apt-get").args(["install", "-y", "wrk"]),
        )?;
    }
    if !options.no_prism
        && !runner
            .root
            .join("bench/prism/node_modules/.bin/prism")
            .exists()
    {
        if !have("npm", "--version") {
            bail!(
                "Prism needs Node.js and npm (`apt-get install -y nodejs npm`), or pass --no-prism"
            );
        }
        runner.run(
            "npm ci --prefix bench/prism --no-audit --no-fund",
            Command::new("npm").args(["ci", "--prefix", "bench/prism", "--no-audit", "--no-fund"]),
        )?;
    }
    let python = runner.root.join("bench/.venv/bin/python");
    if !python.exists() {
        if !have("python3", "--version") {
            eprintln!("bench: no python3, so no plot");
            return Ok(None);
        }
        runner.run(
            "python3 -m venv bench/.venv",
            Command::new("python3").args(["-m", "venv", "bench/.venv"]),
        )?;
        runner.run(
            "bench/.venv/bin/pip install -q -r bench/requirements.txt",
            Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "-q",
                "-r",
                "bench/requirements.txt",
            ]),
        )?;
    }
    Ok(Some(python))
}

/// One `wrk` run's figures.
fn wrk(
    runner: &mut Runner,
    url: &str,
    headers: &[String],
    connections: u32,
    seconds: u32,
) -> Result<Value> {
    let threads = connections.min(2);
    let mut args = vec![
        format!("-t{threads}"),
        format!("-c{connections}"),
        format!("-d{seconds}s"),
        "--timeout".into(),
        "5s".into(),
        "-s".into(),
        "bench/wrk-json.lua".into(),
    ];
    for header in headers {
        args.push("-H".into());
        args.push(header.clone());
    }
    args.push(url.to_owned());
    let shown: Vec<String> = args
        .iter()
        .map(|a| {
            if a.starts_with("authorization: Bearer ") {
                "'authorization: Bearer <token>'".to_owned()
            } else {
                a.clone()
            }
        })
        .collect();
    runner.note(format!("wrk {}", shown.join(" ")));
    let output = Command::new("wrk")
        .args(&args)
        .current_dir(&runner.root)
        .output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("WRK_JSON "))
        .with_context(|| format!("wrk printed no figures: {text}"))?;
    let mut figures: Value = serde_json::from_str(line)?;
    let requests = figures["requests"].as_f64().unwrap_or(0.0);
    let seconds = figures["duration_us"].as_f64().unwrap_or(1.0) / 1e6;
    figures["rps"] = json!(requests / seconds);
    let errors: u64 = [
        "connect_errors",
        "read_errors",
        "write_errors",
        "status_errors",
        "timeouts",
    ]
    .iter()
    .filter_map(|k| figures[*k].as_u64())
    .sum();
    figures["errors"] = json!(errors);
    figures["connections"] = json!(connections);
    figures["threads"] = json!(threads);
    Ok(figures)
}

fn machine(runner: &Runner) -> Value {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "unknown".into());
    let meminfo = read("/proc/meminfo");
    let memory_kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let os = read("/etc/os-release")
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|l| l.trim_matches('"').to_owned())
        .unwrap_or_else(|| "unknown".into());
    let dirty = Command::new("git")
        .args(["status", "--porcelain"])
        .current_dir(&runner.root)
        .output()
        .is_ok_and(|o| !o.stdout.is_empty());
    let commit = first_line(
        "git",
        &[
            "-C",
            &runner.root.display().to_string(),
            "rev-parse",
            "--short",
            "HEAD",
        ],
    );
    json!({
        "nproc": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "cpu": cpu,
        "memory_gib": memory_kib as f64 / 1024.0 / 1024.0,
        "os": os,
        "kernel": read("/proc/sys/kernel/osrelease").trim(),
        "rustc": first_line("rustc", &["--version"]),
        "wrk": first_line("wrk", &["--version"]),
        "node": first_line("node", &["--version"]),
        "date": first_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        "loadavg_start": load_average(),
        "commit": if dirty { format!("{commit} + uncommitted changes") } else { commit },
    })
}

/// The 1-minute load average (how busy the machine was besides the bench).
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(f64::NAN)
}

/// `cargo xtask bench`.
pub(crate) fn run(options: Options) -> Result<()> {
    let started = Instant::now();
    let root = xtask::workspace_root();
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
        let results: Value = serde_json::from_str(&text)?;
        let png = out.parent().unwrap_or(&root).join("benchmarks-latency.png");
        let report = render(&results, png.exists().then_some("benchmarks-latency.png"));
        std::fs::write(&out, report)?;
        eprintln!(
            "bench: wrote {} from {}",
            out.display(),
            json_path.display()
        );
        return Ok(());
    }
    let python = tools(&mut runner, &options)?;
    let cargo = runner.cargo.clone();
    let build = runner.run(
        "cargo build --release -p social-stub -p social-bench",
        Command::new(&cargo).args([
            "build",
            "--release",
            "-p",
            "social-stub",
            "-p",
            "social-bench",
        ]),
    )?;
    let stub_bin = root.join("target/release/social-stub");
    let bench_bin = root.join("target/release/social-bench");
    let mut results = json!({
        "quick": options.quick,
        "machine": machine(&runner),
        "release_build_seconds": build.as_secs_f64(),
        "wrk_seconds": plan.wrk_seconds,
        "connections": plan.connections,
        "headline_connections": plan.headline_connections,
    });

    let mut servers = Servers::default();
    let stub_port = free_port()?;
    runner.note(format!(
        "RUST_LOG=warn target/release/social-stub --addr 127.0.0.1:{stub_port}"
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
    let prepared = runner.bench_json(
        &bench_bin,
        &[
            "prepare".into(),
            "--stub".into(),
            stub_url.clone(),
            "--out".into(),
            body_dir.display().to_string(),
        ],
    )?;
    let targets = prepared["targets"].as_array().cloned().unwrap_or_default();

    let baseline_port = free_port()?;
    let mut baseline_args = vec![
        "baseline".to_owned(),
        "--addr".into(),
        format!("127.0.0.1:{baseline_port}"),
    ];
    for target in &targets {
        baseline_args.push("--route".into());
        baseline_args.push(format!(
            "{}={}",
            target["path"].as_str().unwrap_or_default(),
            target["body_file"].as_str().unwrap_or_default()
        ));
    }
    runner.note(format!(
        "target/release/social-bench {}",
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

    let mut prism_ports = serde_json::Map::new();
    if !options.no_prism {
        for target in &targets {
            let spec = target["prism_spec"].as_str().unwrap_or_default().to_owned();
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
            prism_ports.insert(spec, json!(port));
        }
        for (spec, port) in &prism_ports {
            let port = u16::try_from(port.as_u64().unwrap_or_default())?;
            wait_for_port(port, &format!("Prism ({spec})"), Duration::from_secs(60))?;
        }
    }

    // Throughput and latency against load: stub, baseline, Prism at each connection count.
    let mut load = Vec::new();
    for target in &targets {
        let headers: Vec<String> = target["headers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|h| h.as_str().map(str::to_owned))
            .collect();
        let path = target["path"].as_str().unwrap_or_default();
        let mut servers_urls = vec![
            ("stub", format!("{stub_url}{path}")),
            (
                "baseline",
                format!("http://127.0.0.1:{baseline_port}{path}"),
            ),
        ];
        if let Some(port) = prism_ports.get(target["prism_spec"].as_str().unwrap_or_default()) {
            servers_urls.push((
                "prism",
                format!(
                    "http://127.0.0.1:{port}{}",
                    target["prism_path"].as_str().unwrap_or_default()
                ),
            ));
        }
        for (_, url) in &servers_urls {
            wrk(&mut runner, url, &headers, 16, 1)?; // warm-up, not recorded
        }
        let mut runs = Vec::new();
        for &connections in &plan.connections {
            for (server, url) in &servers_urls {
                let mut figures = wrk(&mut runner, url, &headers, connections, plan.wrk_seconds)?;
                figures["server"] = json!(server);
                runs.push(figures);
            }
        }
        load.push(json!({
            "name": target["name"],
            "label": target["label"],
            "bytes": target["bytes"],
            "runs": runs,
        }));
    }
    results["load"] = json!(load);

    results["sdk"] = runner.bench_json(
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
    results["live"] = runner.bench_json(
        &bench_bin,
        &[
            "live".into(),
            "--stub".into(),
            stub_url.clone(),
            "--subscribers".into(),
            plan.live_subscribers.to_string(),
            "--mutations".into(),
            plan.live_mutations.to_string(),
        ],
    )?;
    results["paging"] = runner.bench_json(
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
    results["memory"] = runner.bench_json(
        &bench_bin,
        &[
            "memory".into(),
            "--stub-bin".into(),
            "target/release/social-stub".into(),
            "--users".into(),
            plan.memory_users.to_string(),
            "--friends-per-user".into(),
            plan.memory_friends_per_user.to_string(),
            "--subscribers".into(),
            plan.memory_subscribers.to_string(),
        ],
    )?;

    let mut codegen = Vec::new();
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
        codegen.push(start.elapsed().as_secs_f64());
        codegen_fresh &= status.success();
    }
    codegen.sort_by(f64::total_cmp);
    results["codegen_seconds"] = json!(codegen);
    results["codegen_fresh"] = json!(codegen_fresh);
    if options.cold_build {
        let dir = std::env::temp_dir().join(format!("social-bench-cold-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let took = runner.run(
            "CARGO_TARGET_DIR=<fresh empty directory> cargo build --workspace",
            Command::new(&cargo)
                .args(["build", "--workspace"])
                .env("CARGO_TARGET_DIR", &dir),
        );
        let _ = std::fs::remove_dir_all(&dir);
        results["cold_build_seconds"] = json!(took?.as_secs_f64());
    }
    results["machine"]["loadavg_end"] = json!(load_average());
    results["commands"] = json!(runner.commands);
    results["total_seconds"] = json!(started.elapsed().as_secs_f64());

    let out_dir = out
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.clone());
    std::fs::create_dir_all(&out_dir)?;
    let json_path = root.join("target/bench/results.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(&results)?)?;
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
    let report = render(&results, plotted.then_some("benchmarks-latency.png"));
    std::fs::write(&out, report)?;
    eprintln!(
        "bench: wrote {} ({}) in {:.0} s; raw figures in {}",
        out.display(),
        if plotted { "with the plot" } else { "no plot" },
        started.elapsed().as_secs_f64(),
        json_path.display()
    );
    Ok(())
}

// ---- the report -----------------------------------------------------------------------

fn f(value: &Value) -> f64 {
    value.as_f64().unwrap_or(f64::NAN)
}

fn ms(us: f64) -> String {
    if us.abs() >= 100_000.0 {
        format!("{:.0} ms", us / 1000.0)
    } else if us.abs() >= 1000.0 {
        format!("{:.1} ms", us / 1000.0)
    } else {
        format!("{us:.0} µs")
    }
}

fn thousands(n: f64) -> String {
    let s = format!("{:.0}", n);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 && c != '-' {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "pass" or "miss by …" for a measured value against a bound.
fn verdict(measured: f64, goal: f64, at_least: bool) -> String {
    if measured.is_nan() {
        return "not measured".into();
    }
    let pass = if at_least {
        measured >= goal
    } else {
        measured <= goal
    };
    if pass {
        "**pass**".into()
    } else if at_least {
        format!(
            "**miss** by {:.0}% ({:.2}× short)",
            (1.0 - measured / goal) * 100.0,
            goal / measured
        )
    } else {
        format!("**miss** by {:.0}% over", (measured / goal - 1.0) * 100.0)
    }
}

fn run_of<'a>(runs: &'a [Value], server: &str, connections: u64) -> Option<&'a Value> {
    runs.iter()
        .find(|r| r["server"] == server && r["connections"].as_u64() == Some(connections))
}

fn render(r: &Value, png: Option<&str>) -> String {
    let mut md = String::new();
    let m = &r["machine"];
    let quick = r["quick"].as_bool().unwrap_or(false);
    let headline = r["headline_connections"].as_u64().unwrap_or(64);
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Written by `cargo xtask bench{}` on {} ({}); do not edit by hand, rerun the command. \
         Raw figures: `target/bench/results.json`. Everything ran on this one machine over \
         loopback: the load generator, the servers and the clients share its cores, so the \
         ratios (measured in the same run, under the same load) are the figures to compare; \
         the absolute ones are this machine's.{}\n",
        if r["cold_build_seconds"].is_null() {
            ""
        } else {
            " --cold-build"
        },
        m["date"].as_str().unwrap_or("?"),
        m["commit"].as_str().unwrap_or("?"),
        if quick {
            " **Quick run: short samples, rough figures.**"
        } else {
            ""
        }
    );
    let _ = writeln!(md, "## Machine\n");
    let _ = writeln!(md, "| | |\n|---|---|");
    for (label, value) in [
        ("CPUs (`nproc`)", m["nproc"].to_string()),
        ("CPU", m["cpu"].as_str().unwrap_or("?").to_owned()),
        ("memory", format!("{:.1} GiB", f(&m["memory_gib"]))),
        (
            "OS, kernel",
            format!(
                "{}, {}",
                m["os"].as_str().unwrap_or("?"),
                m["kernel"].as_str().unwrap_or("?")
            ),
        ),
        (
            "load average (1 min) at start / end",
            format!(
                "{:.2} / {:.2}",
                f(&m["loadavg_start"]),
                f(&m["loadavg_end"])
            ),
        ),
        ("rustc", m["rustc"].as_str().unwrap_or("?").to_owned()),
        ("load tool", m["wrk"].as_str().unwrap_or("?").to_owned()),
        (
            "Prism",
            format!(
                "@stoplight/prism-cli 5.14.2 on Node.js {}",
                m["node"].as_str().unwrap_or("?")
            ),
        ),
    ] {
        let _ = writeln!(md, "| {label} | {value} |");
    }

    // Summary table.
    let mut rows: Vec<[String; 4]> = Vec::new();
    let load = r["load"].as_array().cloned().unwrap_or_default();
    for target in &load {
        let runs = target["runs"].as_array().cloned().unwrap_or_default();
        let name = target["name"].as_str().unwrap_or("?");
        let stub = run_of(&runs, "stub", headline).map(|v| f(&v["rps"]));
        let base = run_of(&runs, "baseline", headline).map(|v| f(&v["rps"]));
        let prism = run_of(&runs, "prism", headline).map(|v| f(&v["rps"]));
        if let (Some(stub), Some(base)) = (stub, base) {
            let ratio = stub / base;
            rows.push([
                format!("1. throughput, `{name}`: stub / bare axum, {headline} connections"),
                format!(
                    "{ratio:.2}× ({} / {} req/s)",
                    thousands(stub),
                    thousands(base)
                ),
                "≥ 0.5×".into(),
                verdict(ratio, 0.5, true),
            ]);
        }
        if let (Some(stub), Some(prism)) = (stub, prism) {
            let ratio = stub / prism;
            rows.push([
                format!("1. throughput, `{name}`: stub / Prism, {headline} connections"),
                format!(
                    "{ratio:.1}× ({} / {} req/s)",
                    thousands(stub),
                    thousands(prism)
                ),
                "≥ 10×".into(),
                verdict(ratio, 10.0, true),
            ]);
        }
    }
    let p = &r["paging"];
    rows.push([
        format!(
            "2. paging: median page, {} / {} followers",
            thousands(f(&p["big_followers"])),
            thousands(f(&p["small_followers"]))
        ),
        format!(
            "{:.2} ({} / {})",
            f(&p["ratio"]),
            ms(f(&p["big"]["median_us"])),
            ms(f(&p["small"]["median_us"]))
        ),
        "≤ 1.5".into(),
        verdict(f(&p["ratio"]), 1.5, false),
    ]);
    let s = &r["sdk"];
    for (key, label) in [
        ("request", "per request"),
        ("walk", "10,000-item page-stream walk"),
    ] {
        rows.push([
            format!("3. SDK / raw reqwest + serde_json, {label}"),
            format!(
                "{:.3}× ({} / {})",
                f(&s[key]["ratio"]),
                ms(f(&s[key]["sdk"]["median_us"])),
                ms(f(&s[key]["raw"]["median_us"]))
            ),
            "≤ 1.10×".into(),
            verdict(f(&s[key]["ratio"]), 1.10, false),
        ]);
    }
    let l = &r["live"];
    rows.push([
        format!(
            "4. live push, {} subscribers: p50 / p99 from the response",
            l["subscribers"]
        ),
        format!(
            "{} / {}",
            ms(f(&l["from_response"]["median_us"])),
            ms(f(&l["from_response"]["p99_us"]))
        ),
        "p99 ≤ 20 ms".into(),
        verdict(f(&l["from_response"]["p99_us"]) / 1000.0, 20.0, false),
    ]);
    let mem = &r["memory"];
    let rss_gib = f(&mem["rss_seeded_kib"]) / 1024.0 / 1024.0;
    rows.push([
        format!(
            "5. stub RSS, {} users + {} friendships",
            thousands(f(&mem["users"])),
            thousands(f(&mem["friendships"]))
        ),
        format!("{:.0} MiB", f(&mem["rss_seeded_kib"]) / 1024.0),
        "≤ 1 GiB".into(),
        verdict(rss_gib, 1.0, false),
    ]);
    rows.push([
        "5. RSS per idle live subscriber".into(),
        format!("{:.1} KiB", f(&mem["per_subscriber_kib"])),
        "≤ 64 KiB".into(),
        verdict(f(&mem["per_subscriber_kib"]), 64.0, false),
    ]);
    let codegen = r["codegen_seconds"].as_array().cloned().unwrap_or_default();
    let codegen_median = codegen.get(codegen.len() / 2).map_or(f64::NAN, f);
    rows.push([
        "6. `cargo xtask codegen --check` wall time (median)".into(),
        format!("{codegen_median:.1} s"),
        "report".into(),
        "—".into(),
    ]);
    rows.push([
        "6. cold `cargo build --workspace`".into(),
        if r["cold_build_seconds"].is_null() {
            "not run (pass `--cold-build`)".into()
        } else {
            format!("{:.0} s", f(&r["cold_build_seconds"]))
        },
        "report".into(),
        "—".into(),
    ]);
    let _ = writeln!(md, "\n## Summary\n");
    let _ = writeln!(
        md,
        "| target | measured | goal | result |\n|---|---|---|---|"
    );
    for [a, b, c, d] in &rows {
        let _ = writeln!(md, "| {a} | {b} | {c} | {d} |");
    }

    // 1. Load.
    let _ = writeln!(
        md,
        "\n## 1. Stub throughput against a bare baseline and Prism\n"
    );
    let _ = writeln!(
        md,
        "`wrk` with the same threads (`min(2, connections)`), connections and duration ({} s per \
         point, after a 1 s warm-up per server) against: the stub (`social-stub`, release, one \
         world seeded by `social-bench prepare` through the bulk control plane); the **bare \
         baseline**, an axum handler returning the exact bytes the stub answered (captured once; \
         no validation, state, log or serialisation); and **Prism** (`prism mock`, log level \
         `error`) on the same document. Prism answers its static example (one list item), far \
         fewer bytes than the stub's real list, so the Prism ratio flatters Prism. Latencies are \
         wrk's (p50/p99 per request).\n",
        r["wrk_seconds"]
    );
    if let Some(png) = png {
        let _ = writeln!(md, "![latency and throughput against load]({png})\n");
    }
    for target in &load {
        let runs = target["runs"].as_array().cloned().unwrap_or_default();
        let answer = |server: &str| {
            let (bytes, requests) = runs
                .iter()
                .filter(|v| v["server"] == server)
                .fold((0.0, 0.0), |(b, n), v| {
                    (b + f(&v["bytes"]), n + f(&v["requests"]))
                });
            if requests > 0.0 {
                format!("{server} {}", thousands(bytes / requests))
            } else {
                format!("{server} —")
            }
        };
        let _ = writeln!(
            md,
            "**{}** (`{}`; bytes per response, headers included: {}, {}, {})\n",
            target["label"].as_str().unwrap_or("?"),
            target["name"].as_str().unwrap_or("?"),
            answer("stub"),
            answer("baseline"),
            answer("prism"),
        );
        let _ = writeln!(
            md,
            "| connections | stub req/s | stub p50 / p99 | baseline req/s | baseline p50 / p99 | Prism req/s | Prism p50 / p99 | stub / baseline | stub / Prism |"
        );
        let _ = writeln!(md, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for connections in r["connections"].as_array().into_iter().flatten() {
            let c = connections.as_u64().unwrap_or(0);
            let cell = |server: &str| match run_of(&runs, server, c) {
                Some(v) => {
                    let errors = v["errors"].as_u64().unwrap_or(0);
                    (
                        format!(
                            "{}{}",
                            thousands(f(&v["rps"])),
                            if errors > 0 {
                                format!(" ({errors} errors)")
                            } else {
                                String::new()
                            }
                        ),
                        format!("{} / {}", ms(f(&v["p50_us"])), ms(f(&v["p99_us"]))),
                        f(&v["rps"]),
                    )
                }
                None => ("—".into(), "—".into(), f64::NAN),
            };
            let (s, b, p) = (cell("stub"), cell("baseline"), cell("prism"));
            let _ = writeln!(
                md,
                "| {c} | {} | {} | {} | {} | {} | {} | {:.2}× | {} |",
                s.0,
                s.1,
                b.0,
                b.1,
                p.0,
                p.1,
                s.2 / b.2,
                if p.2.is_nan() {
                    "—".into()
                } else {
                    format!("{:.1}×", s.2 / p.2)
                }
            );
        }
        let _ = writeln!(md);
    }

    // 2. Paging.
    let _ = writeln!(md, "## 2. Paging scale\n");
    let _ = writeln!(
        md,
        "`GET /v1/users/{{id}}/followers?limit=100` one request at a time over a keep-alive \
         connection: per round, the first 10 pages in `Asc` and in `Desc` order of a user with \
         {} followers and of one with {} (seeded in {:.1} s by one bulk call), alternating; {} \
         pages per user after a warm-up round. The time is request sent to body received.\n",
        thousands(f(&p["small_followers"])),
        thousands(f(&p["big_followers"])),
        f(&p["big_seed_seconds"]),
        p["small"]["samples"]
    );
    let _ = writeln!(
        md,
        "| followers | median | p90 | p99 |\n|---:|---:|---:|---:|"
    );
    for key in ["small", "big"] {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            thousands(f(&p[format!("{key}_followers")])),
            ms(f(&p[key]["median_us"])),
            ms(f(&p[key]["p90_us"])),
            ms(f(&p[key]["p99_us"]))
        );
    }
    let _ = writeln!(
        md,
        "\nRatio of medians: **{:.2}** (goal ≤ 1.5).\n",
        f(&p["ratio"])
    );

    // 3. SDK.
    let _ = writeln!(md, "## 3. SDK overhead\n");
    let _ = writeln!(
        md,
        "The SDK (`.await` on a builder; `.stream()` for the walk) against raw `reqwest` + \
         `serde_json` decoding into the same generated types, on the same stub endpoint, over \
         the same `reqwest::Client` (`Config::builder().http_client(..)`), one request at a \
         time, alternating in blocks after a warm-up. So the difference is the SDK's own work: \
         hooks, headers, the retry loop, the tracing span, error capture, the page stream.\n"
    );
    let _ = writeln!(
        md,
        "| what | SDK median (p99) | raw median (p99) | SDK / raw |\n|---|---:|---:|---:|"
    );
    for key in ["request", "walk"] {
        let c = &s[key];
        let _ = writeln!(
            md,
            "| {} | {} ({}) | {} ({}) | {:.3}× |",
            c["what"].as_str().unwrap_or("?"),
            ms(f(&c["sdk"]["median_us"])),
            ms(f(&c["sdk"]["p99_us"])),
            ms(f(&c["raw"]["median_us"])),
            ms(f(&c["raw"]["p99_us"])),
            f(&c["ratio"])
        );
    }

    // 4. Live.
    let _ = writeln!(md, "\n## 4. Live push latency\n");
    let _ = writeln!(
        md,
        "{} players follow `GET /v1/social/friends/live` (tokio-tungstenite, one connection \
         each), all friends of one hub player. Each of {} mutations (after a warm-up) is the hub \
         creating or disbanding a party through REST (`POST`/`DELETE /v1/social/party`), which \
         changes the hub's `partyId` in every subscriber's snapshot: {} frames measured. \
         Latency: a frame's arrival minus the arrival of the mutation's response (negative when \
         the frame came first: the stub pushes before it answers), and minus the moment the \
         request was sent. Opening the {} subscriptions took {:.1} s.\n",
        l["subscribers"],
        l["mutations"],
        thousands(f(&l["from_response"]["samples"])),
        l["subscribers"],
        f(&l["connect_seconds"])
    );
    let _ = writeln!(md, "| | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|");
    for (key, label) in [
        ("from_response", "frame after the mutation's response"),
        ("from_request", "frame after the mutation was sent"),
        ("mutation", "the mutation's own response time"),
    ] {
        let v = &l[key];
        let _ = writeln!(
            md,
            "| {label} | {} | {} | {} | {} |",
            ms(f(&v["median_us"])),
            ms(f(&v["p90_us"])),
            ms(f(&v["p99_us"])),
            ms(f(&v["max_us"]))
        );
    }

    // 5. Memory.
    let _ = writeln!(md, "\n## 5. Memory\n");
    let _ = writeln!(
        md,
        "`VmRSS` of a separate `social-stub` child (`/proc/<pid>/status`), read after 1.5 s of \
         quiet at each step. The world is seeded by one `POST /__stub/worlds/{{w}}/roblox/bulk` \
         (`{{\"users\": {}, \"friendsPerUser\": {}}}`: every user has that many friends; each \
         user also has a cookie and a bearer session, as `POST …/roblox/users` makes), taking \
         {:.1} s. Then {} social players are created and each opens a friends-live subscription \
         that stays idle.\n",
        mem["users"],
        f(&mem["friendships"]) * 2.0 / f(&mem["users"]),
        f(&mem["seed_seconds"]),
        mem["subscribers"]
    );
    let _ = writeln!(md, "| step | RSS |\n|---|---:|");
    for (key, label) in [
        ("rss_empty_kib", "started, empty"),
        ("rss_seeded_kib", "with the Roblox world"),
        ("rss_players_kib", "plus the subscribers' players"),
        ("rss_subscribed_kib", "plus every subscription open"),
    ] {
        let _ = writeln!(md, "| {label} | {:.1} MiB |", f(&mem[key]) / 1024.0);
    }
    let _ = writeln!(
        md,
        "\nPer idle subscriber: **{:.1} KiB** (goal ≤ 64 KiB).\n",
        f(&mem["per_subscriber_kib"])
    );

    // 6. Codegen and build.
    let _ = writeln!(md, "## 6. Codegen and build\n");
    let _ = writeln!(
        md,
        "`cargo xtask codegen --check` generates the SDK and stub code of all five documents and \
         compares it with the checked-in files (the same work as `cargo xtask codegen` without \
         writing; the xtask binary already built): {} s over {} run(s){}. The release build of \
         `social-stub` and `social-bench` at the start of this run took {:.0} s (incremental). {}\n",
        codegen
            .iter()
            .map(|v| format!("{:.1}", f(v)))
            .collect::<Vec<_>>()
            .join(", "),
        codegen.len(),
        if r["codegen_fresh"].as_bool() == Some(false) {
            " (it found a stale generated file)"
        } else {
            ""
        },
        f(&r["release_build_seconds"]),
        if r["cold_build_seconds"].is_null() {
            "The cold build was not timed in this run (`--cold-build`).".to_owned()
        } else {
            format!(
                "A cold `cargo build --workspace` (debug, an empty `CARGO_TARGET_DIR`, crates \
                 already downloaded, after every other measurement) took **{:.0} s**.",
                f(&r["cold_build_seconds"])
            )
        }
    );

    let _ = writeln!(md, "## Misses and what would close them\n");
    let _ = writeln!(md, "{}", include_str!("../../bench/misses.md").trim());

    let _ = writeln!(md, "\n## Commands\n");
    let _ = writeln!(
        md,
        "Run from the workspace root, in this order ({:.0} s in all; the servers listen on \
         127.0.0.1 only and are stopped at the end):\n",
        f(&r["total_seconds"])
    );
    let _ = writeln!(md, "```sh");
    for command in r["commands"].as_array().into_iter().flatten() {
        let _ = writeln!(md, "{}", command.as_str().unwrap_or(""));
    }
    let _ = writeln!(md, "```");
    md
}
