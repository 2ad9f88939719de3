//! The crate README's first call, against the demo stub (`cargo run -p social-stub -- --demo`).
//! Kept identical to the README's code; run with `cargo run -p social-sdk --example first_call`.

use futures::TryStreamExt;
use social_sdk::{Auth, Config, Service, friends};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::builder()
        .base_url(Service::Friends, "http://127.0.0.1:8080/friends")
        .user_agent("my-app/1.0")
        .build()?;
    // Public reads need no credentials.
    let client = config.friends(Auth::none());

    // One call: `.await` the request builder.
    let count = client.get_user_friends_count().user_id(1001).await?;
    println!("alice has {:?} friends", count.count);

    // Every follower, page after page; the sort order is sent with every page.
    let followers: Vec<_> = client
        .get_user_followers()
        .target_user_id(156)
        .sort_order(friends::types::SortOrder::Desc)
        .stream()
        .try_collect()
        .await?;
    println!("builderman has {} followers", followers.len());

    // A refusal is a typed error: status, the service's code and message, the raw body.
    if let Err(error) = client.follow_user().target_user_id(156).await {
        println!(
            "{:?} {:?}: {:?}",
            error.status(),
            error.code(),
            error.message()
        );
    }
    Ok(())
}
