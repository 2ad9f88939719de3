//! Sends a friend request from one Roblox session and accepts it from another; the SDK
//! fetches and refreshes the CSRF token by itself.
//!
//! `SENDER_COOKIE=… RECIPIENT_COOKIE=… cargo run -p social-sdk --example friend_request -- <sender id> <recipient id>`

use social_sdk::friends::types::{FriendshipRequest, KnownFriendshipOriginSourceType};
use social_sdk::{Auth, Config, Service};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: friend_request <sender id> <recipient id>";
    let sender_id: i64 = args.next().ok_or(usage)?.parse()?;
    let recipient_id: i64 = args.next().ok_or(usage)?.parse()?;

    let mut config = Config::builder();
    if let Ok(url) = std::env::var("SOCIAL_SDK_FRIENDS_URL") {
        config = config.base_url(Service::Friends, url);
    }
    let config = config.build()?;
    let sender = config.friends(Auth::roblox_cookie(std::env::var("SENDER_COOKIE")?));
    let recipient = config.friends(Auth::roblox_cookie(std::env::var("RECIPIENT_COOKIE")?));

    let body = FriendshipRequest {
        friendship_origin_source_type: Some(KnownFriendshipOriginSourceType::UserProfile.into()),
    };
    match sender
        .request_friendship()
        .target_user_id(recipient_id)
        .body(body)
        .await
    {
        Ok(answer) => println!("sent: success={:?}", answer.success),
        Err(e) if e.code().is_some_and(|c| *c == 5) => println!("already friends"),
        Err(e) => return Err(e.into()),
    }
    recipient
        .accept_friend_request()
        .requester_user_id(sender_id)
        .await?;
    println!("accepted");
    Ok(())
}
