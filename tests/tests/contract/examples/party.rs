//! Party: the snapshot (`GET /v1/social/party`, the server overview), the lobby selection
//! and the server lookup, against the seed's examples.

use super::*;
use contract_tests::shape::{Format, format_of};

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

/// Every timestamp of a full party snapshot (members, lobby ready states, launch signal,
/// invites with their inviters) has the seed's format, `2026-01-07T12:00:00Z`: the seed shows
/// no party with values, so its timestamps are held to the format of every other example.
#[tokio::test]
async fn party_timestamps_have_the_seeds_format() {
    let scene = Scene::new().await;
    let (alice, bob) = (&scene.alice, &scene.bob);
    let invite = json!({"targetId": alice.id});
    scene
        .post("party", "/v1/social/party/invites", bob, invite)
        .await;
    let overview = scene.get("party", "/v1/social/party", alice).await;
    let party_id = overview["invites"][0]["partyId"].as_str().expect("invite");
    let accept = format!("/v1/social/party/invites/{party_id}/accept");
    scene.post("party", &accept, alice, json!({})).await;
    let put = reqwest::Method::PUT;
    let selection = example("002-lobby-selection");
    let path = "/v1/social/party/lobby/selection";
    scene.send(put.clone(), "party", path, bob, selection).await;
    let ready = json!({"ready": true, "profilePrepared": true, "profileId": "uebliche-games"});
    for player in [alice, bob] {
        let path = "/v1/social/party/lobby/ready";
        scene
            .send(put.clone(), "party", path, player, ready.clone())
            .await;
    }
    let invite = json!({"targetId": scene.fresh.id});
    scene
        .post("party", "/v1/social/party/invites", alice, invite)
        .await;
    let full = scene.get("party", "/v1/social/party", bob).await;
    assert!(!full["party"]["lobby"]["launchSignal"].is_null(), "{full}");
    let invited = scene.get("party", "/v1/social/party", &scene.fresh).await;
    let mut stamps = Vec::new();
    timestamps("$", &full, &mut stamps);
    timestamps("$", &invited, &mut stamps);
    let paths: Vec<&str> = stamps.iter().map(|(path, _)| path.as_str()).collect();
    for expected in [
        "$.party.createdAt",
        "$.party.members[].joinedAt",
        "$.party.members[].status.timestamp",
        "$.party.lobby.ready[].updatedAt",
        "$.party.lobby.launchSignal.issuedAt",
        "$.invites[].createdAt",
        "$.invites[].expiresAt",
        "$.invites[].inviter.status.timestamp",
    ] {
        assert!(paths.contains(&expected), "{expected} in {paths:?}");
    }
    let seed = format_of("2026-01-07T12:00:00Z");
    for (path, text) in &stamps {
        assert_eq!(format_of(text), seed, "{path}: {text}");
    }
}

/// Every date-time string under `value`, with its path (`[]` for any array item).
fn timestamps(path: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(text) if matches!(format_of(text), Format::DateTime { .. }) => {
            out.push((path.to_owned(), text.clone()));
        }
        Value::Array(items) => {
            for item in items {
                timestamps(&format!("{path}[]"), item, out);
            }
        }
        Value::Object(map) => {
            for (key, inner) in map {
                timestamps(&format!("{path}.{key}"), inner, out);
            }
        }
        _ => {}
    }
}
