//! A bot that follows a player's friends and party live and prints what changes.
//!
//! Against the demo stub (`cargo run -p social-stub -- --demo` prints the players' tokens):
//! `PLAYER_TOKEN=… cargo run -p social-sdk --example live_bot`
//! (`SOCIAL_SDK_SOCIAL_URL` / `SOCIAL_SDK_PARTY_URL` default to the demo stub's.)

use futures::StreamExt;
use social_sdk::live::{diff_friends, diff_party};
use social_sdk::{Auth, Config, LiveEvent, LiveOptions, Service};

type Event<T> = Box<Result<LiveEvent<T>, social_sdk::LiveError>>;

enum Update {
    Friends(Event<social_sdk::social_friends::types::FriendsLiveFrame>),
    Party(Event<social_sdk::party::types::PartyOverview>),
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("PLAYER_TOKEN")
        .map_err(|_| "set PLAYER_TOKEN (see the stub's --demo output)")?;
    let social = std::env::var("SOCIAL_SDK_SOCIAL_URL")
        .unwrap_or_else(|_| "http://127.0.0.1:8080/social".into());
    let party = std::env::var("SOCIAL_SDK_PARTY_URL")
        .unwrap_or_else(|_| "http://127.0.0.1:8080/party".into());
    let config = Config::builder()
        .base_url(Service::SocialFriends, social)
        .base_url(Service::Party, party)
        .build()?;
    let options = LiveOptions::default().with_interval(10);

    let friends = config
        .social_friends(Auth::bearer(&token))
        .live(options.clone())
        .map(|event| Update::Friends(Box::new(event)));
    let parties = config
        .party(Auth::bearer(&token))
        .live(options)
        .map(|event| Update::Party(Box::new(event)));
    let mut updates = futures::stream::select(friends, parties);
    let (mut last_friends, mut last_party) = (None, None);
    while let Some(update) = updates.next().await {
        match update {
            Update::Friends(event) => match (*event)? {
                LiveEvent::Snapshot(now) => {
                    match &last_friends {
                        None => println!(
                            "friends: {} friends, {:?} online",
                            now.friends.len(),
                            now.counts.as_ref().and_then(|c| c.online)
                        ),
                        Some(before) => diff_friends(before, &now)
                            .iter()
                            .for_each(|c| println!("friends: {c:?}")),
                    }
                    last_friends = Some(now);
                }
                other => println!("friends stream: {other:?}"),
            },
            Update::Party(event) => match (*event)? {
                LiveEvent::Snapshot(now) => {
                    match &last_party {
                        None => println!(
                            "party: {:?}, {} invites",
                            now.party.as_ref().and_then(|p| p.id),
                            now.invites.len()
                        ),
                        Some(before) => diff_party(before, &now)
                            .iter()
                            .for_each(|c| println!("party: {c:?}")),
                    }
                    last_party = Some(now);
                }
                other => println!("party stream: {other:?}"),
            },
        }
    }
    Ok(())
}
