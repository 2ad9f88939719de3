//! `cargo xtask …`: see `cargo xtask --help`.

use anyhow::{Result, bail};
use clap::{Parser, Subcommand};
use std::process::Command;
use xtask::codegen::{self, Mode};

mod bench;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "social-sdk project automation")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Generate `sdk/src/generated/*.rs` from `openapi/*.yaml`.
    Codegen {
        /// Do not write; print a diff and fail if any generated file is stale.
        #[arg(long)]
        check: bool,
    },
    /// Run every test of the workspace: unit, integration and doc tests.
    Test,
    /// Measure the stub, the SDK, codegen and the build; write `BENCHMARKS.md` and its plot.
    Bench(bench::Options),
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Cmd::Codegen { check } => codegen::run(if check { Mode::Check } else { Mode::Write }),
        Cmd::Test => test(),
        Cmd::Bench(options) => bench::run(options),
    }
}

/// Doc tests through `cargo test --doc` (nextest cannot run them), then every other test
/// with cargo-nextest when it is installed (faster, one process per test), `cargo test`
/// otherwise. The main run goes last so its summary closes the output.
fn test() -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let has_nextest = Command::new(&cargo)
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let unit: &[&str] = if has_nextest {
        &[
            "nextest",
            "run",
            "--workspace",
            "--locked",
            "--no-fail-fast",
        ]
    } else {
        &["test", "--workspace", "--locked", "--no-fail-fast"]
    };
    run(&cargo, &["test", "--workspace", "--locked", "--doc"])?;
    run(&cargo, unit)
}

fn run(program: &str, args: &[&str]) -> Result<()> {
    eprintln!("+ {program} {}", args.join(" "));
    let status = Command::new(program).args(args).status()?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}
