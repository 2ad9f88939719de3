//! The seeded world: real ids of every service (users, players, a party, a roster app and
//! its users), seeded over the control plane, so that every valid request is valid.

use super::*;

/// Real ids and credentials of one seeded world.
#[derive(Debug, Clone)]
pub(super) struct Seed {
    /// `/w/{world}`.
    pub(super) prefix: String,
    pub(super) cookie: String,
    pub(super) csrf: String,
    /// Alice's friend, and a user who asked Alice to be friends.
    pub(super) roblox_friend: i64,
    pub(super) roblox_requester: i64,
    pub(super) roster_app: String,
    pub(super) roster_token: String,
    pub(super) roster_self: i64,
    pub(super) roster_friend: i64,
    pub(super) roster_applicant: i64,
    pub(super) player_token: String,
    pub(super) player_self: String,
    pub(super) player_friend: String,
    pub(super) player_blocked: String,
    /// A pending friend request to the caller.
    pub(super) request_id: String,
    /// A party that invited the caller.
    pub(super) inviting_party: String,
}

pub(super) async fn post_json(
    http: &reqwest::Client,
    url: String,
    headers: &[(&str, &str)],
    body: Value,
) -> Value {
    let mut request = http.post(&url).json(&body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("seed request sent");
    let status = response.status();
    let text = response.text().await.expect("seed answer");
    assert!(status.is_success(), "seeding {url}: {status} {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("seed answer is JSON")
    }
}

/// Users with friends, follows and a pending request (Roblox), a roster app with a friend and
/// a pending application, players with a friend, a block, a pending request, a party each and
/// an invite, and a registered game server.
pub(super) async fn seed(world: &WorldHandle) -> Seed {
    let http = reqwest::Client::new();
    let base = world
        .service_url("friends")
        .strip_suffix("/friends")
        .expect("world base")
        .to_owned();
    let prefix = base[base.find("/w/").expect("world prefix")..].to_owned();

    // Roblox.
    let alice = world.create_roblox_user("alice").await.expect("alice");
    let bob = world.create_roblox_user("bob").await.expect("bob");
    let carol = world.create_roblox_user("carol").await.expect("carol");
    let dave = world.create_roblox_user("dave").await.expect("dave");
    world
        .befriend(alice.user.id, bob.user.id, true)
        .await
        .expect("befriend");
    world
        .follow(carol.user.id, alice.user.id)
        .await
        .expect("follow");
    world
        .follow(alice.user.id, carol.user.id)
        .await
        .expect("follow");
    // Second pages everywhere: Bob (whose lists the path ids name) has two friends, eleven
    // followers and followings; Alice has two friend requests.
    let frank = world.create_roblox_user("frank").await.expect("frank");
    world
        .befriend(bob.user.id, frank.user.id, false)
        .await
        .expect("befriend");
    for i in 0..11 {
        let fan = world
            .create_roblox_user(&format!("fan{i:02}"))
            .await
            .expect("fan");
        world
            .follow(fan.user.id, bob.user.id)
            .await
            .expect("follow");
        world
            .follow(bob.user.id, fan.user.id)
            .await
            .expect("follow");
    }
    let erin = world.create_roblox_user("erin").await.expect("erin");
    for asker in [&dave, &erin] {
        let csrf = world.csrf_token(&asker.cookie).await.expect("csrf");
        post_json(
            &http,
            format!(
                "{base}/friends/v1/users/{}/request-friendship",
                alice.user.id
            ),
            &[
                ("cookie", &format!(".ROBLOSECURITY={}", asker.cookie)),
                ("x-csrf-token", &csrf),
            ],
            json!({}),
        )
        .await;
    }
    let csrf = world.csrf_token(&alice.cookie).await.expect("csrf");

    // Roster.
    let app = world.create_roster_app().await.expect("roster app");
    let me = world
        .create_roster_user(
            &app.app_id,
            json!({"username": "rose", "mobile": "13800000001", "authMode": 1}),
        )
        .await
        .expect("roster user");
    let friend = world
        .create_roster_user(
            &app.app_id,
            json!({"username": "remy", "mobile": "13800000002"}),
        )
        .await
        .expect("roster user");
    let applicant = world
        .create_roster_user(&app.app_id, json!({"username": "rita"}))
        .await
        .expect("roster user");
    let second_friend = world
        .create_roster_user(&app.app_id, json!({"username": "rick"}))
        .await
        .expect("roster user");
    let second_applicant = world
        .create_roster_user(&app.app_id, json!({"username": "ruth"}))
        .await
        .expect("roster user");
    for friend in [&friend, &second_friend] {
        world
            .roster_befriend(&app.app_id, me.user.id, friend.user.id)
            .await
            .expect("roster friends");
    }
    for applicant in [&applicant, &second_applicant] {
        let applied = post_json(
            &http,
            format!("{base}/roster/roster/apply"),
            &[("access-token", &applicant.token), ("app_id", &app.app_id)],
            json!({"user_id": me.user.id, "reason": "hi"}),
        )
        .await;
        assert_eq!(applied["code"], 200, "roster application: {applied}");
    }

    // Social friends and party.
    let mut players = Vec::new();
    for name in ["Hana", "Ivo", "Jun", "Kai", "Lea"] {
        players.push(
            world
                .create_player(json!({"name": name}))
                .await
                .expect("player"),
        );
    }
    let [me_p, friend_p, asker, blocked, leader] = &players[..] else {
        unreachable!()
    };
    let bearer = |token: &str| format!("Bearer {token}");
    let social = format!("{base}/social/v1/social/friends");
    let request = post_json(
        &http,
        format!("{social}/requests"),
        &[("authorization", &bearer(&friend_p.token))],
        json!({"targetId": me_p.id}),
    )
    .await;
    let accept = format!(
        "{social}/requests/{}/accept",
        request["id"].as_str().expect("request id")
    );
    post_json(
        &http,
        accept,
        &[("authorization", &bearer(&me_p.token))],
        json!({}),
    )
    .await;
    let pending = post_json(
        &http,
        format!("{social}/requests"),
        &[("authorization", &bearer(&asker.token))],
        json!({"targetId": me_p.id, "note": "hello"}),
    )
    .await;
    post_json(
        &http,
        format!("{social}/blocks"),
        &[("authorization", &bearer(&me_p.token))],
        json!({"targetId": blocked.id, "reason": "spam"}),
    )
    .await;
    let party = format!("{base}/party/v1/social/party");
    post_json(
        &http,
        party.clone(),
        &[("authorization", &bearer(&me_p.token))],
        json!({}),
    )
    .await;
    post_json(
        &http,
        party.clone(),
        &[("authorization", &bearer(&leader.token))],
        json!({}),
    )
    .await;
    let invite = post_json(
        &http,
        format!("{party}/invites"),
        &[("authorization", &bearer(&leader.token))],
        json!({"targetId": me_p.id}),
    )
    .await;
    world.register_server(SERVER_ID).await.expect("server");

    Seed {
        prefix,
        cookie: alice.cookie,
        csrf,
        roblox_friend: bob.user.id,
        roblox_requester: dave.user.id,
        roster_app: app.app_id,
        roster_token: me.token,
        roster_self: me.user.id,
        roster_friend: friend.user.id,
        roster_applicant: applicant.user.id,
        player_token: me_p.token.clone(),
        player_self: me_p.id.to_string(),
        player_friend: friend_p.id.to_string(),
        player_blocked: blocked.id.to_string(),
        request_id: pending["id"].as_str().expect("request id").to_owned(),
        inviting_party: invite["partyId"].as_str().expect("party id").to_owned(),
    }
}
