//! Party: the snapshot (`GET /v1/social/party`, the server overview), the lobby selection
//! and the server lookup, against the seed's examples.

use super::*;

#[tokio::test]
async fn lookup_matches_the_seed() {
    let scene = Scene::new().await;
    let lookup = scene
        .server(
            "party",
            "/v1/social/party/server/lookup",
            json!({"playerIds": [scene.bob.id, scene.alice.id, scene.fresh.id]}),
        )
        .await;
    same(
        "002-party-lookup",
        "POST /v1/social/party/server/lookup",
        &lookup,
    );
}

/// "`GET /v1/social/party/live` emits the same shape as `GET /v1/social/party`": a player in
/// no party, with a pending invite (an expected empty list checks only the kind).
#[tokio::test]
async fn snapshot_of_a_player_in_no_party_matches_the_seed() {
    let scene = Scene::new().await;
    let fresh = &scene.fresh;
    let empty = scene.get("party", "/v1/social/party", fresh).await;
    same(
        "002-party-live-frame",
        "GET /v1/social/party (nothing)",
        &empty,
    );
    let body = json!({"targetId": fresh.id});
    scene
        .post("party", "/v1/social/party/invites", &scene.bob, body)
        .await;
    let invited = scene.get("party", "/v1/social/party", fresh).await;
    same(
        "002-party-live-frame",
        "GET /v1/social/party (invited)",
        &invited,
    );
    let overview = scene
        .server(
            "party",
            "/v1/social/party/server/overview",
            json!({"actorId": fresh.id}),
        )
        .await;
    same("002-party-live-frame", "party server overview", &overview);
}

/// The selection the seed's `PUT /v1/social/party/lobby/selection` sends is what
/// `party.lobby.selection` then shows.
#[tokio::test]
async fn lobby_selection_echoes_the_seed_body() {
    let scene = Scene::new().await;
    let body = example("002-lobby-selection");
    scene
        .send(
            reqwest::Method::PUT,
            "party",
            "/v1/social/party/lobby/selection",
            &scene.bob,
            body,
        )
        .await;
    let snapshot = scene.get("party", "/v1/social/party", &scene.bob).await;
    same(
        "002-lobby-selection",
        "GET /v1/social/party party.lobby.selection",
        &snapshot["party"]["lobby"]["selection"],
    );
}
