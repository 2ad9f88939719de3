//! `BENCHMARKS.md`, written from a run's [`Results`]: the machine, a summary against the
//! targets of issue 9, a section per measurement, the misses (`bench/misses.md`) and every
//! command run.

use crate::results::{Results, WrkRun};
use crate::stats::Summary;
use std::fmt::Write as _;

/// What would close the misses: `bench/misses.md`, copied into the report.
const MISSES: &str = include_str!("../misses.md");

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

fn run_of<'a>(runs: &'a [WrkRun], server: &str, connections: u32) -> Option<&'a WrkRun> {
    runs.iter()
        .find(|r| r.server == server && r.connections == connections)
}

/// The report; `png` is the plot's file name beside it, when there is one.
pub(crate) fn render(r: &Results, png: Option<&str>) -> String {
    render_with(r, png, MISSES)
}

/// [`render`] with the misses section's text given.
fn render_with(r: &Results, png: Option<&str>, misses: &str) -> String {
    let mut md = String::new();
    let m = &r.machine;
    let quick = r.quick;
    let headline = r.headline_connections;
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Written by `cargo xtask bench{}` on {} ({}); do not edit by hand, rerun the command. \
         Raw figures: `target/bench/results.json`. Everything ran on this one machine over \
         loopback: the load generator, the servers and the clients share its cores, so the \
         ratios (measured in the same run, under the same load) are the figures to compare; \
         the absolute ones are this machine's.{}\n",
        if r.cold_build_seconds.is_none() {
            ""
        } else {
            " --cold-build"
        },
        m.date,
        m.commit,
        if quick {
            " **Quick run: short samples, rough figures.**"
        } else {
            ""
        }
    );
    let _ = writeln!(md, "## Machine\n");
    let _ = writeln!(md, "| | |\n|---|---|");
    for (label, value) in [
        ("CPUs (`nproc`)", m.nproc.to_string()),
        ("CPU", m.cpu.clone()),
        ("memory", format!("{:.1} GiB", m.memory_gib)),
        ("OS, kernel", format!("{}, {}", m.os, m.kernel)),
        (
            "load average (1 min) at start / end",
            format!("{:.2} / {:.2}", m.loadavg_start, m.loadavg_end),
        ),
        ("rustc", m.rustc.clone()),
        ("load tool", m.wrk.clone()),
        (
            "Prism",
            format!("@stoplight/prism-cli 5.14.2 on Node.js {}", m.node),
        ),
    ] {
        let _ = writeln!(md, "| {label} | {value} |");
    }

    // Summary table.
    let mut rows: Vec<[String; 4]> = Vec::new();
    for target in &r.load {
        let runs = &target.runs;
        let name = &target.name;
        // The issue's connection counts: 16 and the headline.
        let mut counts = vec![16, headline];
        counts.dedup();
        for &c in &counts {
            let rps = |server: &str| run_of(runs, server, c).map(|v| v.rps);
            // (what, numerator, denominator, digits, goal): one row when both were measured.
            let ratios = [
                ("stub / bare axum", "stub", "baseline", 2, 0.5),
                (
                    "answer cache off (every read after a change): stub / bare axum",
                    "stub-cold",
                    "baseline",
                    2,
                    0.2,
                ),
                ("stub / Prism", "stub", "prism", 1, 10.0),
            ];
            for (what, over, under, digits, goal) in ratios {
                let (Some(a), Some(b)) = (rps(over), rps(under)) else {
                    continue;
                };
                let ratio = a / b;
                rows.push([
                    format!("1. throughput, `{name}`: {what}, {c} connections"),
                    format!(
                        "{ratio:.digits$}× ({} / {} req/s)",
                        thousands(a),
                        thousands(b)
                    ),
                    format!("≥ {goal}×"),
                    verdict(ratio, goal, true),
                ]);
            }
        }
    }
    let p = &r.paging;
    rows.push([
        format!(
            "2. paging: median page, {} / {} followers",
            thousands(p.big_followers as f64),
            thousands(p.small_followers as f64)
        ),
        format!(
            "{:.2} ({} / {})",
            p.ratio,
            ms(p.big.median_us),
            ms(p.small.median_us)
        ),
        "≤ 1.5".into(),
        verdict(p.ratio, 1.5, false),
    ]);
    let s = &r.sdk;
    for (c, label) in [
        (&s.request, "per request"),
        (&s.walk, "10,000-item page-stream walk"),
    ] {
        rows.push([
            format!("3. SDK / raw reqwest + serde_json, {label}"),
            format!(
                "{:.3}× ({} / {})",
                c.ratio,
                ms(c.sdk.median_us),
                ms(c.raw.median_us)
            ),
            "≤ 1.10×".into(),
            verdict(c.ratio, 1.10, false),
        ]);
    }
    let l = &r.live;
    rows.push([
        format!(
            "4. live push, {} subscribers: frame after the mutation's response, p99",
            l.subscribers
        ),
        format!(
            "{} (p50 {})",
            ms(l.from_response.p99_us),
            ms(l.from_response.median_us)
        ),
        "≤ 10 ms".into(),
        verdict(l.from_response.p99_us / 1000.0, 10.0, false),
    ]);
    rows.push([
        format!(
            "4. live push, {} subscribers: the mutation's own response time, p99",
            l.subscribers
        ),
        format!(
            "{} (p50 {})",
            ms(l.mutation.p99_us),
            ms(l.mutation.median_us)
        ),
        "≤ 5 ms".into(),
        verdict(l.mutation.p99_us / 1000.0, 5.0, false),
    ]);
    if let Some(big) = &r.live_big {
        rows.push([
            format!(
                "4. live push, {} subscribers: frame after the mutation's response, p99",
                thousands(big.subscribers as f64)
            ),
            format!(
                "{} (p50 {})",
                ms(big.from_response.p99_us),
                ms(big.from_response.median_us)
            ),
            "≤ 50 ms".into(),
            verdict(big.from_response.p99_us / 1000.0, 50.0, false),
        ]);
    }
    let mem = &r.memory;
    let rss_gib = mem.rss_seeded_kib as f64 / 1024.0 / 1024.0;
    rows.push([
        format!(
            "5. stub RSS, {} users + {} friendships",
            thousands(mem.users as f64),
            thousands(mem.friendships as f64)
        ),
        format!("{:.0} MiB", mem.rss_seeded_kib as f64 / 1024.0),
        "≤ 1 GiB".into(),
        verdict(rss_gib, 1.0, false),
    ]);
    rows.push([
        format!(
            "5. RSS per idle live subscriber ({} subscribers)",
            thousands(mem.subscribers as f64)
        ),
        format!("{:.1} KiB", mem.per_subscriber_kib),
        "≤ 64 KiB".into(),
        verdict(mem.per_subscriber_kib, 64.0, false),
    ]);
    let codegen = &r.codegen_seconds;
    let codegen_median = codegen.get(codegen.len() / 2).copied().unwrap_or(f64::NAN);
    rows.push([
        "6. `cargo xtask codegen --check` wall time (median)".into(),
        format!("{codegen_median:.1} s"),
        "report".into(),
        "—".into(),
    ]);
    rows.push([
        "6. cold `cargo build --workspace`".into(),
        match r.cold_build_seconds {
            None => "not run (pass `--cold-build`)".into(),
            Some(seconds) => format!("{seconds:.0} s"),
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
        r.wrk_seconds
    );
    if let Some(png) = png {
        let _ = writeln!(md, "![latency and throughput against load]({png})\n");
    }
    for target in &r.load {
        let runs = &target.runs;
        let answer = |server: &str| {
            let (bytes, requests) = runs
                .iter()
                .filter(|v| v.server == server)
                .fold((0.0, 0.0), |(b, n), v| {
                    (b + v.figures.bytes as f64, n + v.figures.requests as f64)
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
            target.label,
            target.name,
            answer("stub"),
            answer("baseline"),
            answer("prism"),
        );
        let _ = writeln!(
            md,
            "| connections | stub req/s | stub p50 / p99 | baseline req/s | baseline p50 / p99 | Prism req/s | Prism p50 / p99 | stub / baseline | stub / Prism |"
        );
        let _ = writeln!(md, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for &c in &r.connections {
            let cell = |server: &str| match run_of(runs, server, c) {
                Some(v) => {
                    let errors = v.errors;
                    (
                        format!(
                            "{}{}",
                            thousands(v.rps),
                            if errors > 0 {
                                format!(" ({errors} errors)")
                            } else {
                                String::new()
                            }
                        ),
                        format!(
                            "{} / {}",
                            ms(v.figures.p50_us as f64),
                            ms(v.figures.p99_us as f64)
                        ),
                        v.rps,
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
        let cold: Vec<_> = runs.iter().filter(|v| v.server == "stub-cold").collect();
        if !cold.is_empty() {
            let _ = writeln!(
                md,
                "\nWith the world's answer cache off (`PUT /__stub/worlds/{{w}}/answer-cache`), \
                 every answer is computed, as every read after a change is:\n"
            );
            let _ = writeln!(
                md,
                "| connections | stub req/s | stub p50 / p99 | stub / baseline |\n|---:|---:|---:|---:|"
            );
            for v in cold {
                let base = run_of(runs, "baseline", v.connections).map_or(f64::NAN, |b| b.rps);
                let _ = writeln!(
                    md,
                    "| {} | {} | {} / {} | {:.2}× |",
                    v.connections,
                    thousands(v.rps),
                    ms(v.figures.p50_us as f64),
                    ms(v.figures.p99_us as f64),
                    v.rps / base
                );
            }
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
        thousands(p.small_followers as f64),
        thousands(p.big_followers as f64),
        p.big_seed_seconds,
        p.small.samples
    );
    let _ = writeln!(
        md,
        "| followers | median | p90 | p99 |\n|---:|---:|---:|---:|"
    );
    for (followers, page) in [(p.small_followers, &p.small), (p.big_followers, &p.big)] {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            thousands(followers as f64),
            ms(page.median_us),
            ms(page.p90_us),
            ms(page.p99_us)
        );
    }
    let _ = writeln!(md, "\nRatio of medians: **{:.2}** (goal ≤ 1.5).\n", p.ratio);

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
    for c in [&s.request, &s.walk] {
        let _ = writeln!(
            md,
            "| {} | {} ({}) | {} ({}) | {:.3}× |",
            c.what,
            ms(c.sdk.median_us),
            ms(c.sdk.p99_us),
            ms(c.raw.median_us),
            ms(c.raw.p99_us),
            c.ratio
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
         the frame came first), and minus the moment the request was sent. The mutation \
         answers first; one publisher per world renders the frames off the request path and \
         pushes them. The same again with {} subscribers. Sparse: each of up to {} \
         mutations is one subscriber sending another a friend request, a change that reaches \
         those two subscribers only (a route's change re-renders only the players whose frames \
         can show it): two frames each, and the benchmark fails if any other arrives.\n",
        l.subscribers,
        l.mutations,
        thousands(l.from_response.samples as f64),
        r.live_big
            .as_ref()
            .map_or_else(|| "—".to_owned(), |b| thousands(b.subscribers as f64)),
        l.mutations,
    );
    for live in std::iter::once(l).chain(r.live_big.as_ref()) {
        let _ = writeln!(
            md,
            "**{} subscribers**, {} mutations ({} frames; opening the subscriptions took {:.1} s):\n",
            thousands(live.subscribers as f64),
            live.mutations,
            thousands(live.from_response.samples as f64),
            live.connect_seconds
        );
        let _ = writeln!(md, "| | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|");
        let mut rows: Vec<(&Summary, &str)> = vec![
            (&live.from_response, "frame after the mutation's response"),
            (&live.from_request, "frame after the mutation was sent"),
            (&live.mutation, "the mutation's own response time"),
        ];
        if let Some(sparse) = &live.sparse {
            rows.push((&sparse.from_response, "sparse: frame after the response"));
            rows.push((
                &sparse.mutation,
                "sparse: the friend request's own response time",
            ));
        }
        for (v, label) in rows {
            let _ = writeln!(
                md,
                "| {label} | {} | {} | {} | {} |",
                ms(v.median_us),
                ms(v.p90_us),
                ms(v.p99_us),
                ms(v.max_us)
            );
        }
        let _ = writeln!(md);
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
        mem.users,
        mem.friendships as f64 * 2.0 / mem.users as f64,
        mem.seed_seconds,
        mem.subscribers
    );
    let _ = writeln!(md, "| step | RSS |\n|---|---:|");
    for (kib, label) in [
        (mem.rss_empty_kib, "started, empty"),
        (mem.rss_seeded_kib, "with the Roblox world"),
        (mem.rss_players_kib, "plus the subscribers' players"),
        (mem.rss_subscribed_kib, "plus every subscription open"),
    ] {
        let _ = writeln!(md, "| {label} | {:.1} MiB |", kib as f64 / 1024.0);
    }
    let _ = writeln!(
        md,
        "\nPer idle subscriber: **{:.1} KiB** (goal ≤ 64 KiB).\n",
        mem.per_subscriber_kib
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
            .map(|v| format!("{v:.1}"))
            .collect::<Vec<_>>()
            .join(", "),
        codegen.len(),
        if !r.codegen_fresh {
            " (it found a stale generated file)"
        } else {
            ""
        },
        r.release_build_seconds,
        match r.cold_build_seconds {
            None => "The cold build was not timed in this run (`--cold-build`).".to_owned(),
            Some(seconds) => format!(
                "A cold `cargo build --workspace` (debug, an empty `CARGO_TARGET_DIR`, crates \
                 already downloaded, after every other measurement) took **{seconds:.0} s**."
            ),
        }
    );

    let _ = writeln!(md, "## Misses and what would close them\n");
    let _ = writeln!(md, "{}", misses.trim());

    let _ = writeln!(md, "\n## Commands\n");
    let _ = writeln!(
        md,
        "Run from the workspace root, in this order ({:.0} s in all; the servers listen on \
         127.0.0.1 only and are stopped at the end):\n",
        r.total_seconds
    );
    let _ = writeln!(md, "```sh");
    for command in &r.commands {
        let _ = writeln!(md, "{command}");
    }
    let _ = writeln!(md, "```");
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders a fixture and compares it with the report expected from it (with the misses
    /// section's text replaced by `MISSES`). After a deliberate change of the report,
    /// `UPDATE_FIXTURES=1 cargo test -p social-bench` rewrites the expected files.
    fn renders(results: &str, expected: &str, file: &str) {
        let results: Results = serde_json::from_str(results).expect("typed results");
        let md = render_with(&results, Some("benchmarks-latency.png"), "MISSES");
        if std::env::var_os("UPDATE_FIXTURES").is_some() {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
            std::fs::write(path, &md).expect("fixture written");
            return;
        }
        if md != expected {
            let first = md
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "report differs at line {}:\n{:?}\n{:?}",
                first + 1,
                md.lines().nth(first),
                expected.lines().nth(first)
            );
        }
    }

    #[test]
    fn renders_a_quick_run() {
        renders(
            crate::results::tests::QUICK,
            include_str!("../fixtures/quick.md"),
            "fixtures/quick.md",
        );
    }

    #[test]
    fn renders_a_full_run() {
        renders(
            crate::results::tests::FULL,
            include_str!("../fixtures/full.md"),
            "fixtures/full.md",
        );
    }

    #[test]
    fn figures() {
        assert_eq!(thousands(1_234_567.4), "1,234,567");
        assert_eq!(thousands(-1234.0), "-1,234");
        assert_eq!(ms(-2512.3), "-2.5 ms");
        assert_eq!(ms(150_000.0), "150 ms");
        assert_eq!(ms(736.2), "736 µs");
        assert_eq!(verdict(f64::NAN, 1.0, false), "not measured");
        assert_eq!(verdict(0.5, 1.0, true), "**miss** by 50% (2.00× short)");
    }
}
