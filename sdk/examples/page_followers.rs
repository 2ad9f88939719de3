//! Walks every follower of a Roblox user, newest first, page by page.
//!
//! `cargo run -p social-sdk --example page_followers -- <user id> [max]`
//! (`SOCIAL_SDK_FRIENDS_URL` points it at another server, e.g. the stub's `/friends`).

use futures::{StreamExt, TryStreamExt};
use social_sdk::friends::types::SortOrder;
use social_sdk::{Auth, Config, Service};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let user_id: i64 = args
        .next()
        .ok_or("usage: page_followers <user id> [max]")?
        .parse()?;
    let max: usize = args.next().map(|m| m.parse()).transpose()?.unwrap_or(250);

    let mut config = Config::builder().user_agent("social-sdk-example/page_followers");
    if let Ok(url) = std::env::var("SOCIAL_SDK_FRIENDS_URL") {
        config = config.base_url(Service::Friends, url);
    }
    let friends = config.build()?.friends(Auth::none());

    let followers: Vec<_> = friends
        .get_user_followers()
        .target_user_id(user_id)
        .sort_order(SortOrder::Desc)
        .limit(100)
        .stream()
        .take(max)
        .try_collect()
        .await?;
    for follower in &followers {
        println!(
            "{:>12}  {}",
            follower.id.unwrap_or_default(),
            follower.name.as_deref().unwrap_or("?")
        );
    }
    println!("{} followers", followers.len());
    Ok(())
}
