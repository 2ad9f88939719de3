//! Paging scale: page latency of `GET /v1/users/{id}/followers?limit=100` for a user with
//! 1,000 followers against one with 1,000,000, one request at a time over one keep-alive
//! connection. Each round walks the first 10 pages in `Asc` and in `Desc` order for each user
//! (the 1,000-follower user's whole list both ways), alternating users, so both lists are
//! read at both ends with the same page sizes; a page of the big list is one `O(log n)`
//! seek plus 100 items, whatever its position.

use crate::stats::Summary;
use anyhow::{Result, ensure};
use serde::{Deserialize, Serialize};
use social_sdk::friends::types;
use social_stub::control::Control;
use social_stub::control::bulk::{Hub, RobloxBulk};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PagingResult {
    pub(crate) small_followers: u64,
    pub(crate) big_followers: u64,
    /// Seconds the bulk seeding of the big user took (one control-plane call).
    #[serde(with = "crate::results::nan")]
    pub(crate) big_seed_seconds: f64,
    pub(crate) small: Summary,
    pub(crate) big: Summary,
    /// Median page latency, big / small.
    #[serde(with = "crate::results::nan")]
    pub(crate) ratio: f64,
}

const SMALL: u64 = 1_000;
const PAGES: usize = 10;

pub(crate) async fn run(stub: &str, big: u64, rounds: usize) -> Result<PagingResult> {
    let control = Control::new(stub);
    let world = control.create_world().await?;
    let small_id = 1;
    world
        .bulk_roblox(&RobloxBulk {
            users: SMALL + 1,
            first_id: Some(small_id),
            followers_of: Some(Hub {
                id: small_id,
                count: SMALL,
            }),
            ..RobloxBulk::default()
        })
        .await?;
    let big_id = 10_000;
    eprintln!("paging: seeding {big} followers");
    let start = Instant::now();
    world
        .bulk_roblox(&RobloxBulk {
            users: big + 1,
            first_id: Some(big_id),
            followers_of: Some(Hub {
                id: big_id,
                count: big,
            }),
            ..RobloxBulk::default()
        })
        .await?;
    let big_seed_seconds = start.elapsed().as_secs_f64();
    let base = world.service_url("friends");
    let http = crate::http()?;
    let walk = |id: i64, order: &'static str| {
        let (http, url) = (http.clone(), format!("{base}/v1/users/{id}/followers"));
        async move {
            let mut took = Vec::with_capacity(PAGES);
            let mut cursor: Option<String> = None;
            for _ in 0..PAGES {
                let mut request = http
                    .get(&url)
                    .query(&[("limit", "100"), ("sortOrder", order)]);
                if let Some(cursor) = &cursor {
                    request = request.query(&[("cursor", cursor)]);
                }
                let start = Instant::now();
                let response = request.send().await?;
                ensure!(
                    response.status().is_success(),
                    "{url}: {}",
                    response.status()
                );
                let body = response.bytes().await?;
                took.push(start.elapsed());
                let page: types::UserResponseWithoutPresencePage = serde_json::from_slice(&body)?;
                ensure!(page.data.len() == 100, "{url}: a short page");
                cursor = page.next_page_cursor.filter(|c| !c.is_empty());
            }
            Ok::<_, anyhow::Error>(took)
        }
    };
    eprintln!("paging: {rounds} rounds");
    let (mut small, mut big_samples): (Vec<Duration>, Vec<Duration>) = (Vec::new(), Vec::new());
    for round in 0..=rounds {
        for order in ["Asc", "Desc"] {
            let s = walk(small_id, order).await?;
            let b = walk(big_id, order).await?;
            if round > 0 {
                // Round 0 warms up.
                small.extend(s);
                big_samples.extend(b);
            }
        }
    }
    // Free the big world's memory for whatever runs next in this stub.
    let _ = world.delete().await;
    let (small, big_summary) = (Summary::of(&small), Summary::of(&big_samples));
    Ok(PagingResult {
        small_followers: SMALL,
        big_followers: big,
        big_seed_seconds,
        ratio: big_summary.median_us / small.median_us,
        small,
        big: big_summary,
    })
}
