//! A big world's state dump costs about its own size, not a JSON tree several times larger.
//! Before the fix a dump built a `serde_json::Value` of the whole world (a world with a
//! million friendships, 132 MB of text, raised the stub by 1.5 GB, most of it kept).

use super::status_kib;
use contract_tests::env::Env;
use social_stub::control::bulk::RobloxBulk;

#[tokio::test]
async fn a_big_state_dump_costs_about_its_own_size() {
    let env = Env::new().await;
    // 2,000 users with 100 friends each: 200,000 friendships.
    env.world
        .bulk_roblox(&RobloxBulk {
            users: 2_000,
            first_id: Some(1),
            friends_per_user: 100,
            ..RobloxBulk::default()
        })
        .await
        .expect("bulk");
    // Peak RSS from here on (Linux: writing 5 to clear_refs resets VmHWM).
    if std::fs::write("/proc/self/clear_refs", "5").is_err() {
        return; // not Linux: nothing to measure
    }
    let (Some(before), Some(_)) = (status_kib("VmRSS:"), status_kib("VmHWM:")) else {
        return;
    };
    let url = format!("{}/__stub/worlds/{}/state", env.stub().url(), env.world.id);
    let body = env
        .http
        .get(url)
        .send()
        .await
        .expect("answered")
        .bytes()
        .await
        .expect("body");
    let peak = status_kib("VmHWM:").unwrap_or(before);
    let dump_kib = body.len() as u64 / 1024;
    let grown = peak.saturating_sub(before);
    eprintln!("dump {dump_kib} KiB; peak RSS grew {grown} KiB");
    let parsed: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert!(parsed["roblox"].is_object());
    // The text once on each side, the buffer's growth and hyper's copies: under 4x.
    assert!(
        grown < 4 * dump_kib,
        "a {dump_kib} KiB dump raised the peak RSS by {grown} KiB"
    );
}
