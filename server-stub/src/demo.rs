//! `--demo`: a small world to point the SDK or curl at.

use crate::Stub;
use crate::roblox::NewUser;
use serde_json::json;

/// Seeds the default world and prints the demo credentials.
pub fn seed(stub: &Stub) {
    let world = stub.worlds.default_world();
    let now = world.now();
    let mut state = world.roblox();
    let names = [
        ("builderman", 156),
        ("alice", 1001),
        ("bob", 1002),
        ("carol", 1003),
        ("dave", 1004),
    ];
    let mut created = Vec::new();
    for (name, id) in names {
        let spec = NewUser {
            id: Some(id),
            name: Some(name.into()),
            display_name: Some(name.to_uppercase()),
            ..NewUser::default()
        };
        if let Ok(user) = state.create_user(spec, now) {
            created.push(user);
        }
    }
    let _ = state.seed_friendship(1001, 1002, true, now);
    let _ = state.seed_friendship(1001, 1003, false, now);
    for follower in [1001, 1002, 1003, 1004] {
        let _ = state.seed_follow(follower, 156);
    }
    let _ = state.set_presence(
        1002,
        serde_json::from_value(json!({"presence": "InGame", "placeId": 1818, "universeId": 13058}))
            .unwrap_or_default(),
        now,
    );
    drop(state);
    println!("demo world seeded; Roblox users (id, name, .ROBLOSECURITY cookie, bearer token):");
    for user in created {
        println!(
            "  {:>5}  {:<11} cookie={}  token={}",
            user.user.id, user.user.name, user.cookie, user.token
        );
    }
}
