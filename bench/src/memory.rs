//! Memory: the resident set (`VmRSS` of `/proc/<pid>/status`) of a `social-stub` child after
//! seeding a big Roblox world in bulk, then per idle live subscriber (the RSS growth from
//! opening N friends-live subscriptions, divided by N).

use crate::run::servers::free_port;
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use social_stub::control::Control;
use social_stub::control::bulk::{RobloxBulk, SocialBulk};
use std::path::Path;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MemoryResult {
    pub(crate) users: u64,
    pub(crate) friendships: u64,
    pub(crate) subscribers: usize,
    /// KiB, just started.
    pub(crate) rss_empty_kib: u64,
    /// KiB, after the Roblox world.
    pub(crate) rss_seeded_kib: u64,
    /// Seconds the bulk seeding took.
    #[serde(with = "crate::results::nan")]
    pub(crate) seed_seconds: f64,
    /// KiB, after the subscribers' players (before they subscribe).
    pub(crate) rss_players_kib: u64,
    /// KiB, with every subscription open and idle.
    pub(crate) rss_subscribed_kib: u64,
    /// (subscribed − players) / subscribers.
    #[serde(with = "crate::results::nan")]
    pub(crate) per_subscriber_kib: f64,
}

fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS in /proc/<pid>/status")
}

async fn settle() {
    tokio::time::sleep(Duration::from_millis(1500)).await;
}

pub(crate) async fn run(
    stub_bin: &Path,
    users: u64,
    friends_per_user: u64,
    subscribers: usize,
) -> Result<MemoryResult> {
    let port = free_port()?;
    let mut child = tokio::process::Command::new(stub_bin)
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", stub_bin.display()))?;
    let pid = child.id().context("the stub exited at once")?;
    let base = format!("http://127.0.0.1:{port}");
    let http = crate::http()?;
    let ready = async {
        for _ in 0..200 {
            if http.get(format!("{base}/healthz")).send().await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("the stub did not answer /healthz within 10 s")
    };
    ready.await?;
    settle().await;
    let rss_empty_kib = rss_kib(pid)?;
    let world = Control::new(&base).create_world().await?;
    eprintln!("memory: seeding {users} users, {friends_per_user} friends each");
    let start = Instant::now();
    let seeded = world
        .bulk_roblox(&RobloxBulk {
            users,
            friends_per_user,
            ..RobloxBulk::default()
        })
        .await?;
    let seed_seconds = start.elapsed().as_secs_f64();
    settle().await;
    let rss_seeded_kib = rss_kib(pid)?;
    let players = world
        .bulk_social(&SocialBulk {
            players: subscribers as u64,
            friends_of: None,
        })
        .await?;
    let tokens: Vec<String> = players.players.into_iter().map(|p| p.token).collect();
    settle().await;
    let rss_players_kib = rss_kib(pid)?;
    eprintln!("memory: opening {subscribers} idle subscriptions");
    let sockets =
        crate::live::subscribe_all(&world.service_url("social-friends"), &tokens, 32).await?;
    settle().await;
    let rss_subscribed_kib = rss_kib(pid)?;
    drop(sockets);
    child.kill().await.ok();
    Ok(MemoryResult {
        users,
        friendships: seeded.friendships,
        subscribers,
        rss_empty_kib,
        rss_seeded_kib,
        seed_seconds,
        rss_players_kib,
        rss_subscribed_kib,
        per_subscriber_kib: (rss_subscribed_kib.saturating_sub(rss_players_kib)) as f64
            / subscribers.max(1) as f64,
    })
}
