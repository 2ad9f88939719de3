//! SDK overhead: the SDK against raw `reqwest` + `serde_json` issuing the same requests to
//! the same stub endpoint over the same `reqwest::Client` (one keep-alive connection, one
//! request at a time). The raw client decodes into the same generated types, so the
//! difference is what the SDK adds: hooks, auth and header handling, the retry loop, the
//! tracing span, error capture, the page stream. Samples alternate in blocks so drift hits
//! both alike.

use crate::stats::Summary;
use anyhow::{Result, ensure};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use social_sdk::friends::types;
use social_sdk::{Auth, Config, Service};
use social_stub::control::Control;
use social_stub::control::bulk::{Hub, RobloxBulk};
use std::time::{Duration, Instant};

/// One side-by-side comparison.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Comparison {
    pub(crate) what: String,
    pub(crate) sdk: Summary,
    pub(crate) raw: Summary,
    /// SDK median / raw median.
    #[serde(with = "crate::results::nan")]
    pub(crate) ratio: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SdkResult {
    pub(crate) request: Comparison,
    pub(crate) walk: Comparison,
}

const BLOCK: usize = 50;
const FRIENDS: u64 = 200;
const WALK_ITEMS: u64 = 10_000;

pub(crate) async fn run(stub: &str, requests: usize, walks: usize) -> Result<SdkResult> {
    let world = Control::new(stub).create_world().await?;
    // User 1: 200 friends; user 202: 10,000 followers (users 203…).
    world
        .bulk_roblox(&RobloxBulk {
            users: 201,
            first_id: Some(1),
            friends_of: Some(Hub {
                id: 1,
                count: FRIENDS,
            }),
            ..RobloxBulk::default()
        })
        .await?;
    world
        .bulk_roblox(&RobloxBulk {
            users: WALK_ITEMS + 1,
            first_id: Some(202),
            followers_of: Some(Hub {
                id: 202,
                count: WALK_ITEMS,
            }),
            ..RobloxBulk::default()
        })
        .await?;
    let base = world.service_url("friends");
    let http = crate::http()?;
    let config = Config::builder()
        .base_url(Service::Friends, &base)
        .http_client(http.clone())
        .build()?;
    let client = config.friends(Auth::none());

    let friends_url = format!("{base}/v1/users/1/friends");
    let sdk_request = || async {
        let start = Instant::now();
        let answer = client.get_user_friends().user_id(1).await?;
        let took = start.elapsed();
        ensure!(answer.data.len() == FRIENDS as usize, "SDK: wrong answer");
        Ok(took)
    };
    let raw_request = || async {
        let start = Instant::now();
        let body = http.get(&friends_url).send().await?.bytes().await?;
        let answer: types::UserResponseArray = serde_json::from_slice(&body)?;
        let took = start.elapsed();
        ensure!(answer.data.len() == FRIENDS as usize, "raw: wrong answer");
        Ok(took)
    };
    eprintln!("sdk: {requests} requests per client");
    let (sdk, raw) = alternate(requests, BLOCK, sdk_request, raw_request).await?;
    let request = compare(
        format!("`GET /v1/users/{{id}}/friends` (200 friends), {requests} requests each"),
        &sdk,
        &raw,
    );

    let followers_url = format!("{base}/v1/users/202/followers");
    let sdk_walk = || async {
        let start = Instant::now();
        let items: Vec<types::UserResponseWithoutPresence> = client
            .get_user_followers()
            .target_user_id(202)
            .limit(100)
            .stream()
            .try_collect()
            .await?;
        let took = start.elapsed();
        ensure!(
            items.len() == WALK_ITEMS as usize,
            "SDK walk: {}",
            items.len()
        );
        Ok(took)
    };
    let raw_walk = || async {
        let start = Instant::now();
        let mut items: Vec<types::UserResponseWithoutPresence> = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut request = http.get(&followers_url).query(&[("limit", "100")]);
            if let Some(cursor) = &cursor {
                request = request.query(&[("cursor", cursor)]);
            }
            let body = request.send().await?.bytes().await?;
            let page: types::UserResponseWithoutPresencePage = serde_json::from_slice(&body)?;
            items.extend(page.data);
            match page.next_page_cursor.filter(|c| !c.is_empty()) {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let took = start.elapsed();
        ensure!(
            items.len() == WALK_ITEMS as usize,
            "raw walk: {}",
            items.len()
        );
        Ok(took)
    };
    eprintln!("sdk: {walks} walks of {WALK_ITEMS} followers per client");
    let (sdk, raw) = alternate(walks, 1, sdk_walk, raw_walk).await?;
    let walk = compare(
        format!(
            "page-stream walk of {WALK_ITEMS} followers (`limit=100`, 100 pages), {walks} walks each"
        ),
        &sdk,
        &raw,
    );
    Ok(SdkResult { request, walk })
}

fn compare(what: String, sdk: &[Duration], raw: &[Duration]) -> Comparison {
    let (sdk, raw) = (Summary::of(sdk), Summary::of(raw));
    Comparison {
        what,
        ratio: sdk.median_us / raw.median_us,
        sdk,
        raw,
    }
}

/// Runs `a` and `b` `n` times each, in alternating blocks, after a warm-up of at least five
/// each; their durations.
async fn alternate<A, FA, B, FB>(
    n: usize,
    block: usize,
    a: A,
    b: B,
) -> Result<(Vec<Duration>, Vec<Duration>)>
where
    A: Fn() -> FA,
    FA: Future<Output = Result<Duration>>,
    B: Fn() -> FB,
    FB: Future<Output = Result<Duration>>,
{
    for _ in 0..block.max(5) {
        a().await?;
        b().await?;
    }
    let (mut xs, mut ys) = (Vec::with_capacity(n), Vec::with_capacity(n));
    while xs.len() < n {
        let take = block.min(n - xs.len());
        for _ in 0..take {
            xs.push(a().await?);
        }
        for _ in 0..take {
            ys.push(b().await?);
        }
    }
    Ok((xs, ys))
}
