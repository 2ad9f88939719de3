//! Social friends: friend, request and block entries, the friends snapshot, a user's friends
//! and the server overview, against the seed's examples.

use super::*;

impl Scene {
    /// `GET /v1/users/{owner}/friends` as `viewer`.
    async fn friends_of(&self, owner: &CreatedPlayer, viewer: &CreatedPlayer) -> Value {
        let path = format!("/v1/users/{}/friends", owner.id);
        self.get("social-friends", &path, viewer).await
    }

    /// The server overview of `actor`.
    async fn overview(&self, actor: &CreatedPlayer) -> Value {
        let body = json!({"actorId": actor.id});
        self.server("social-friends", "/v1/social/friends/server/overview", body)
            .await
    }
}

const FRIEND_ENTRIES: [&str; 2] = ["002-friend-entry", "001-friend-entry"];
const REQUEST_ENTRIES: [&str; 2] = ["002-request-entry", "001-request-entry"];

#[tokio::test]
async fn friend_entries_match_the_seed_entry() {
    let scene = Scene::new().await;
    let alice = &scene.alice;
    let snapshot = scene
        .get("social-friends", "/v1/social/friends", alice)
        .await;
    let own = scene.friends_of(alice, alice).await;
    let overview = scene.overview(alice).await;
    for name in FRIEND_ENTRIES {
        each(
            name,
            "GET /v1/social/friends friends[]",
            &snapshot["friends"],
        );
        each(
            name,
            "GET /v1/users/{id}/friends friends[]",
            &own["friends"],
        );
        each(name, "server overview friends[]", &overview["friends"]);
    }
}

#[tokio::test]
async fn request_entries_match_the_seed_entry() {
    let scene = Scene::new().await;
    let alice = &scene.alice;
    let lists = scene
        .get("social-friends", "/v1/social/friends/requests", alice)
        .await;
    let own = scene.friends_of(alice, alice).await;
    let overview = scene.overview(alice).await;
    // "Sending a request returns the created request entry."
    let sent = scene
        .server(
            "social-friends",
            "/v1/social/friends/server/requests",
            json!({"actorId": alice.id, "targetId": scene.fresh.id, "note": "hello"}),
        )
        .await;
    for name in REQUEST_ENTRIES {
        for direction in ["incoming", "outgoing"] {
            let what = format!("GET /v1/social/friends/requests {direction}[]");
            each(name, &what, &lists[direction]);
            let what = format!("GET /v1/users/{{id}}/friends requests.{direction}[]");
            each(name, &what, &own["requests"][direction]);
            let what = format!("GET /v1/users/{{id}}/friends {direction}[]");
            each(name, &what, &own[direction]);
            let what = format!("server overview requests.{direction}[]");
            each(name, &what, &overview["requests"][direction]);
            let what = format!("server overview {direction}[]");
            each(name, &what, &overview[direction]);
        }
        same(name, "POST /v1/social/friends/server/requests", &sent);
    }
}

#[tokio::test]
async fn block_entries_match_the_seed_entry() {
    let scene = Scene::new().await;
    let blocks = scene
        .get("social-friends", "/v1/social/friends/blocks", &scene.alice)
        .await;
    each(
        "002-block-entry",
        "GET /v1/social/friends/blocks blocks[]",
        &blocks["blocks"],
    );
}

/// The seed's snapshots show a player with nothing (empty lists); the same shapes hold for a
/// player with friends and requests (an expected empty list checks only the kind).
#[tokio::test]
async fn snapshots_and_overviews_match_the_seed() {
    let scene = Scene::new().await;
    for player in [&scene.fresh, &scene.alice] {
        let who = &player.name;
        let snapshot = scene
            .get("social-friends", "/v1/social/friends", player)
            .await;
        same(
            "002-friends-snapshot",
            &format!("GET /v1/social/friends ({who})"),
            &snapshot,
        );
        let own = scene.friends_of(player, player).await;
        same(
            "002-user-friends",
            &format!("GET /v1/users/{{id}}/friends ({who})"),
            &own,
        );
        let overview = scene.overview(player).await;
        same(
            "002-server-overview",
            &format!("server overview ({who})"),
            &overview,
        );
    }
    // Someone else's list, as a friend sees it.
    let by_bob = scene.friends_of(&scene.alice, &scene.bob).await;
    same(
        "002-user-friends",
        "GET /v1/users/{id}/friends (by a friend)",
        &by_bob,
    );
}
