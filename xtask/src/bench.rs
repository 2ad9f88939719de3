//! `cargo xtask bench`: measures the targets of issue 9 and writes `BENCHMARKS.md` and
//! `benchmarks-latency.png`.
//!
//! The benchmark itself is the `bench/` crate (`social-bench run`, in `bench/src/run/`; the
//! report is `bench/src/report.rs`). This builds `social-stub` and `social-bench` in release
//! mode, timing the build for the report, and runs `social-bench run` with the same options,
//! so xtask needs none of the bench's dependencies. With `--report-only` it builds only
//! `social-bench` (the report is compiled in, `bench/misses.md` with it).

use anyhow::{Result, bail};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

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

impl Options {
    /// The same options for `social-bench run`.
    fn args(&self) -> Vec<OsString> {
        let mut args = vec![OsString::from("run")];
        for (set, flag) in [
            (self.quick, "--quick"),
            (self.cold_build, "--cold-build"),
            (self.install, "--install"),
            (self.no_prism, "--no-prism"),
            (self.report_only, "--report-only"),
        ] {
            if set {
                args.push(flag.into());
            }
        }
        if let Some(out) = &self.out {
            args.push("--out".into());
            args.push(out.into());
        }
        args
    }
}

/// Where cargo puts the binaries: `CARGO_TARGET_DIR` (relative to the root) or `target/`.
fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |dir| root.join(dir))
}

/// `cargo xtask bench`.
pub(crate) fn run(options: Options) -> Result<()> {
    let root = xtask::workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut build = vec!["build", "--release"];
    if !options.report_only {
        build.extend(["-p", "social-stub"]);
    }
    build.extend(["-p", "social-bench"]);
    eprintln!("+ cargo {}", build.join(" "));
    let start = Instant::now();
    let status = Command::new(&cargo)
        .args(&build)
        .current_dir(&root)
        .status()?;
    if !status.success() {
        bail!("`cargo {}` failed ({status})", build.join(" "));
    }
    let build_seconds = start.elapsed().as_secs_f64();
    let mut args = options.args();
    if !options.report_only {
        args.push("--release-build-seconds".into());
        args.push(build_seconds.to_string().into());
    }
    let bin = target_dir(&root).join("release/social-bench");
    let status = Command::new(&bin).args(&args).status()?;
    if !status.success() {
        bail!("`{} run` failed ({status})", bin.display());
    }
    Ok(())
}
