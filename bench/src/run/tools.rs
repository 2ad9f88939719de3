//! Running commands (and remembering them for the report), the tools a run needs, and the
//! machine it runs on.

use super::RunOptions;
use crate::results::Machine;
use anyhow::{Context, Result, bail};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs commands from the workspace root and remembers them for the report.
pub(crate) struct Runner {
    pub(crate) root: PathBuf,
    pub(crate) cargo: String,
    pub(crate) commands: Vec<String>,
}

impl Runner {
    /// Prints a command line and records it.
    pub(crate) fn note(&mut self, line: impl Into<String>) {
        let line = line.into();
        eprintln!("+ {line}");
        self.commands.push(line);
    }

    /// How a path is shown in the commands: relative to the root when under it.
    pub(crate) fn shown(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// Runs to completion with inherited output; fails on a non-zero exit.
    pub(crate) fn run(&mut self, shown: &str, command: &mut Command) -> Result<Duration> {
        self.note(shown);
        let start = Instant::now();
        let status = command.current_dir(&self.root).status()?;
        if !status.success() {
            bail!("`{shown}` failed ({status})");
        }
        Ok(start.elapsed())
    }

    /// Runs a `social-bench` subcommand and parses the JSON it prints.
    pub(crate) fn bench_json<T: DeserializeOwned>(
        &mut self,
        bin: &Path,
        args: &[String],
    ) -> Result<T> {
        self.note(format!("{} {}", self.shown(bin), args.join(" ")));
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

/// Makes sure `wrk`, Prism and the plotting venv are there (installing what may be); the
/// venv's python, if there is one.
pub(crate) fn tools(runner: &mut Runner, options: &RunOptions) -> Result<Option<PathBuf>> {
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

/// The machine and the tools' versions, now; `loadavg_end` is left NaN for the end of the run.
pub(crate) fn machine(root: &Path) -> Machine {
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
        .current_dir(root)
        .output()
        .is_ok_and(|o| !o.stdout.is_empty());
    let commit = first_line(
        "git",
        &[
            "-C",
            &root.display().to_string(),
            "rev-parse",
            "--short",
            "HEAD",
        ],
    );
    Machine {
        nproc: std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu,
        memory_gib: memory_kib as f64 / 1024.0 / 1024.0,
        os,
        kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
        rustc: first_line("rustc", &["--version"]),
        wrk: first_line("wrk", &["--version"]),
        node: first_line("node", &["--version"]),
        date: first_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]),
        loadavg_start: load_average(),
        commit: if dirty {
            format!("{commit} + uncommitted changes")
        } else {
            commit
        },
        loadavg_end: f64::NAN,
    }
}

/// The 1-minute load average (how busy the machine was besides the bench).
pub(crate) fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(f64::NAN)
}
