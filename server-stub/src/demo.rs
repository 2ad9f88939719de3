//! `--demo`: a small world to point the SDK or curl at.

use crate::roblox::state::NewUser;
use crate::world::Stub;
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
    seed_social(stub, &world);
    seed_roster(&world);
}

/// Social friends and party: four players, friendships, a pending request, a party with an
/// invite out; a registered game server.
fn seed_social(stub: &Stub, world: &crate::world::World) {
    use crate::social::friends::rules as friends;
    use crate::social::party::rules as party;
    use crate::social::state::NewPlayer;
    use uuid::Uuid;
    let now = world.now();
    let config = &stub.config;
    let mut social = world.social_mut();
    let names = [
        ("Alex", "ONLINE"),
        ("Sam", "ONLINE"),
        ("Kim", "AWAY"),
        ("Robin", "OFFLINE"),
    ];
    let mut players = Vec::new();
    for (i, (name, presence)) in names.iter().enumerate() {
        let spec = NewPlayer {
            id: Some(Uuid::from_u128(0xa11ce + i as u128)),
            name: Some((*name).into()),
            presence: Some((*presence).into()),
            token: Some(format!("demo-{}", name.to_lowercase())),
            ..NewPlayer::default()
        };
        if let Ok(player) = social.create_player(spec, now) {
            players.push(player);
        }
    }
    let _ = social.register_server("demo-server");
    let friend_rules = friends::Rules::at(config, now);
    let party_rules = party::Rules::at(config, now);
    if let [alex, sam, kim, robin] = players.as_slice() {
        for (a, b) in [(alex, sam), (alex, kim)] {
            let _ = friends::send_request(
                &mut social,
                &friend_rules,
                a.id,
                &friends::Target::Id(b.id),
                None,
            );
            let _ =
                friends::accept_from(&mut social, &friend_rules, b.id, &friends::Target::Id(a.id));
        }
        let note = Some("gg".to_owned());
        let _ = friends::send_request(
            &mut social,
            &friend_rules,
            robin.id,
            &friends::Target::Id(alex.id),
            note,
        );
        let _ = party::create(&mut social, alex.id, &party_rules);
        if let Ok(invite) = party::invite(&mut social, alex.id, Some(sam.id), None, &party_rules)
            && let Some(party_id) = invite.party_id
        {
            let _ = party::accept(&mut social, sam.id, party_id, &party_rules);
        }
        let _ = party::invite(&mut social, alex.id, Some(kim.id), None, &party_rules);
    }
    drop(social);
    println!(
        "social/party players (name, id, bearer token); server secret {:?} with X-Server-Id \"demo-server\":",
        config.server_secret
    );
    for player in players {
        println!("  {:<6} {}  token={}", player.name, player.id, player.token);
    }
}

/// Roster: an app with one user of each `auth_mode`; lee and mia are friends.
fn seed_roster(world: &crate::world::World) {
    use crate::roster::state::RosterUserSpec;
    let now = world.now();
    let mut roster = world.roster();
    let Ok(app) = roster.create_app(Some("demo-app".into())) else {
        return;
    };
    let mut users = Vec::new();
    for (id, username, mode) in [(1, "lee", 0), (2, "mia", 1), (3, "noa", 2), (4, "oli", 3)] {
        let spec = RosterUserSpec {
            id: Some(id),
            username: Some(Some(username.into())),
            nickname: Some(Some(username.to_uppercase())),
            auth_mode: Some(mode),
            auth_question: (mode == 2).then(|| Some("Favourite colour?".into())),
            auth_answer: (mode == 2).then(|| Some("blue".into())),
            ..RosterUserSpec::default()
        };
        if let Ok(user) = roster.create_user(&app.app_id, spec) {
            users.push(user);
        }
    }
    if let Some(state) = roster.app_mut(&app.app_id) {
        let _ = state.seed_friendship(1, 2, now);
    }
    drop(roster);
    println!(
        "roster app {:?}, admin token {} (users: id, username, auth_mode, token):",
        app.app_id, app.admin_token
    );
    for user in users {
        println!(
            "  {} {:<4} mode {:?} token={}",
            user.user.id, user.user.username, user.user.auth_mode, user.token
        );
    }
}
