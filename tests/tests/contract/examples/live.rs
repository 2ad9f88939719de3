//! The live streams' first frames against the seed's examples.

use super::*;
use futures::StreamExt;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// The first text frame of a live stream, as `player`.
async fn first_frame(scene: &Scene, service: &str, path: &str, player: &CreatedPlayer) -> Value {
    let url = scene.url(service, path).replacen("http://", "ws://", 1);
    let mut request = url.into_client_request().expect("request");
    let auth = format!("Bearer {}", player.token).parse().expect("header");
    request.headers_mut().insert("authorization", auth);
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("upgrade");
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s")
            .expect("open")
            .expect("no error");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("a JSON frame");
        }
    }
}

#[tokio::test]
async fn friends_frames_match_the_seed() {
    let scene = Scene::new().await;
    let path = "/v1/social/friends/live";
    let empty = first_frame(&scene, "social-friends", path, &scene.fresh).await;
    same("002-friends-live-frame", "friends live (nothing)", &empty);
    let full = first_frame(&scene, "social-friends", path, &scene.alice).await;
    same("002-friends-live-frame", "friends live", &full);
    for name in ["002-friend-entry", "001-friend-entry"] {
        each(name, "friends live friends[]", &full["friends"]);
    }
    for name in ["002-request-entry", "001-request-entry"] {
        each(
            name,
            "friends live requests.incoming[]",
            &full["requests"]["incoming"],
        );
        each(
            name,
            "friends live requests.outgoing[]",
            &full["requests"]["outgoing"],
        );
    }
}

#[tokio::test]
async fn party_frames_match_the_seed() {
    let scene = Scene::new().await;
    let frame = first_frame(&scene, "party", "/v1/social/party/live", &scene.fresh).await;
    same("002-party-live-frame", "party live", &frame);
}
