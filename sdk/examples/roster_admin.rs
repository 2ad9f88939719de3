//! An admin token acting as a user of a roster app: list that user's friends, then look one
//! of them up. Business errors (HTTP 200 with a code) come back as `Err`.
//!
//! `ROSTER_APP_ID=… ROSTER_ADMIN_TOKEN=… cargo run -p social-sdk --example roster_admin -- <user id>`
//! (the roster has no public host: `SOCIAL_SDK_ROSTER_URL`, default the demo stub's
//! `http://127.0.0.1:8080/roster`)

use futures::TryStreamExt;
use social_sdk::{Auth, Config, Service};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let user_id: i64 = std::env::args()
        .nth(1)
        .ok_or("usage: roster_admin <user id>")?
        .parse()?;
    let url = std::env::var("SOCIAL_SDK_ROSTER_URL")
        .unwrap_or_else(|_| "http://127.0.0.1:8080/roster".into());
    let config = Config::builder().base_url(Service::Roster, url);
    let auth = Auth::roster(
        std::env::var("ROSTER_APP_ID")?,
        std::env::var("ROSTER_ADMIN_TOKEN")?,
    )
    .acting_as_user(user_id);
    let roster = config.build()?.roster(auth);

    let friend_ids: Vec<i64> = roster
        .list_roster_friend_ids()
        .limit(100)
        .stream()
        .try_collect()
        .await?;
    println!("user {user_id} has {} friends", friend_ids.len());
    if let Some(first) = friend_ids.first() {
        match roster.get_roster_user_by_id().user_id(*first).await {
            Ok(info) => println!("first friend: {:?} ({:?})", info.username, info.nick_name),
            Err(e) => println!("lookup failed with business code {:?}: {e}", e.code()),
        }
    }
    Ok(())
}
