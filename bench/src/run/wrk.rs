//! One `wrk` run (`bench/wrk-json.lua` prints its figures as one JSON line).

use super::tools::Runner;
use crate::results::{WrkFigures, WrkRun};
use anyhow::{Context, Result};
use std::process::Command;

/// Loads `url` for `seconds` with `connections` connections and `min(2, connections)`
/// threads; the figures, labelled `server`.
pub(crate) fn wrk(
    runner: &mut Runner,
    server: &str,
    url: &str,
    headers: &[String],
    connections: u32,
    seconds: u32,
) -> Result<WrkRun> {
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
    let figures: WrkFigures = serde_json::from_str(line)?;
    let seconds = figures.duration_us as f64 / 1e6;
    let errors = figures.connect_errors
        + figures.read_errors
        + figures.write_errors
        + figures.status_errors
        + figures.timeouts;
    Ok(WrkRun {
        rps: figures.requests as f64 / seconds,
        errors,
        connections,
        threads,
        server: server.to_owned(),
        figures,
    })
}
