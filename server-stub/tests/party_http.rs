//! The party service over raw HTTP: what any client (not just the SDK) gets for odd input,
//! the credential checks of the server routes, and mutations racing each other.

use serde_json::{Value, json};
use social_stub::control::WorldHandle;
use social_stub::social::CreatedPlayer;
use social_stub::{RunningStub, StubConfig};

const SECRET: &str = "stub-server-secret";

struct Fixture {
    _stub: RunningStub,
    world: WorldHandle,
    http: reqwest::Client,
}

async fn fixture_with(config: StubConfig) -> Fixture {
    let stub = RunningStub::start_with(config).await.expect("stub starts");
    let world = stub.control().create_world().await.expect("world");
    world.register_server("srv").await.expect("server");
    Fixture {
        _stub: stub,
        world,
        http: reqwest::Client::new(),
    }
}

async fn fixture() -> Fixture {
    fixture_with(StubConfig::default()).await
}

impl Fixture {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.world.service_url("party"))
    }

    async fn player(&self, name: &str) -> CreatedPlayer {
        self.world
            .create_player(json!({ "name": name }))
            .await
            .expect("player")
    }

    /// Sends a request with a player's token (if any); answers status and JSON body.
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        player: Option<&CreatedPlayer>,
        body: Option<(&str, Vec<u8>)>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(player) = player {
            request = request.bearer_auth(&player.token);
        }
        if let Some((content_type, bytes)) = body {
            request = request.header("content-type", content_type).body(bytes);
        }
        let response = request.send().await.expect("sends");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post_json(&self, path: &str, player: &CreatedPlayer, body: Value) -> (u16, Value) {
        let bytes = serde_json::to_vec(&body).expect("json");
        self.send(
            reqwest::Method::POST,
            path,
            Some(player),
            Some(("application/json", bytes)),
        )
        .await
    }

    /// A server route call: secret, `X-Server-Id` and a JSON body.
    async fn server(
        &self,
        path: &str,
        secret: &str,
        server_id: Option<&str>,
        body: &str,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(self.url(path))
            .bearer_auth(secret)
            .header("content-type", "application/json")
            .body(body.to_owned());
        if let Some(id) = server_id {
            request = request.header("x-server-id", id);
        }
        let response = request.send().await.expect("sends");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

fn error(body: &Value) -> &str {
    body["error"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn odd_input_is_a_400_invalid_input_after_the_credentials() {
    let f = fixture().await;
    let lead = f.player("Lead").await;
    let post = reqwest::Method::POST;
    let put = reqwest::Method::PUT;
    let cases: Vec<(reqwest::Method, &str, &str, &[u8])> = vec![
        (
            post.clone(),
            "/v1/social/party/invites/not-a-uuid/accept",
            "application/json",
            b"",
        ),
        (
            post.clone(),
            "/v1/social/party/invites/123/decline",
            "application/json",
            b"",
        ),
        (
            post.clone(),
            "/v1/social/party/invites",
            "application/json",
            b"{\"targetId\": ",
        ),
        (
            post.clone(),
            "/v1/social/party/invites",
            "application/json",
            b"{\"targetId\": \"nope\"}",
        ),
        (
            post.clone(),
            "/v1/social/party/invites",
            "text/plain",
            b"{\"targetName\": \"x\"}",
        ),
        (
            put.clone(),
            "/v1/social/party/lobby/ready",
            "application/json",
            b"{}",
        ),
        (
            put.clone(),
            "/v1/social/party/lobby/ready",
            "application/json",
            b"{\"ready\": \"yes\"}",
        ),
        (
            put.clone(),
            "/v1/social/party/lobby/selectors",
            "application/json",
            b"{\"selectorIds\": [\"x\"]}",
        ),
        (
            put.clone(),
            "/v1/social/party/lobby/selection",
            "application/json",
            b"{\"targetKind\": \"minigame\"}",
        ),
        (
            put.clone(),
            "/v1/social/party/lobby/selection",
            "application/json",
            b"",
        ),
    ];
    for (method, path, content_type, body) in cases {
        let (status, json) = f
            .send(
                method.clone(),
                path,
                Some(&lead),
                Some((content_type, body.to_vec())),
            )
            .await;
        assert_eq!(status, 400, "{method} {path} {body:?}: {json}");
        assert_eq!(error(&json), "INVALID_INPUT", "{json}");
        assert!(
            json["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{json}"
        );
        // Credentials come first: the same request without a token is a 401.
        let (status, json) = f
            .send(
                method.clone(),
                path,
                None,
                Some((content_type, body.to_vec())),
            )
            .await;
        assert_eq!(status, 401, "{method} {path} without a token: {json}");
        assert_eq!(error(&json), "UNAUTHORIZED");
    }
    // An oversized body is refused the same way.
    let (status, json) = f
        .send(
            post,
            "/v1/social/party/invites",
            Some(&lead),
            Some(("application/json", vec![b' '; 70 * 1024])),
        )
        .await;
    assert_eq!((status, error(&json)), (400, "INVALID_INPUT"), "{json}");
}

#[tokio::test]
async fn server_routes_check_the_secret_and_the_server_id_first() {
    let f = fixture().await;
    let lead = f.player("Lead").await;
    let actor = format!("{{\"actorId\": \"{}\"}}", lead.id);
    for (secret, server_id, body) in [
        (SECRET, None, actor.as_str()),
        (SECRET, Some("unregistered"), actor.as_str()),
        ("not-the-secret", Some("srv"), actor.as_str()),
        (lead.token.as_str(), Some("srv"), actor.as_str()),
        // Credentials before input: a broken body still gets the 401.
        ("not-the-secret", Some("srv"), "{\"actorId\": 7"),
        (SECRET, None, "{}"),
    ] {
        let (status, json) = f
            .server("/v1/social/party/server/overview", secret, server_id, body)
            .await;
        assert_eq!(status, 401, "{secret} {server_id:?} {body}: {json}");
        assert_eq!(error(&json), "UNAUTHORIZED");
        assert_eq!(json["message"], "Missing or invalid server credentials.");
    }
    let (status, json) = f
        .server(
            "/v1/social/party/server/overview",
            SECRET,
            Some("srv"),
            "{}",
        )
        .await;
    assert_eq!((status, error(&json)), (400, "INVALID_INPUT"), "{json}");
    let (status, json) = f
        .server(
            "/v1/social/party/server/overview",
            SECRET,
            Some("srv"),
            &actor,
        )
        .await;
    assert_eq!(status, 200, "{json}");
    assert!(json.get("party").is_none_or(Value::is_null), "{json}");
    let (status, json) = f
        .server(
            "/v1/social/party/server/invites/not-a-uuid/accept",
            SECRET,
            Some("srv"),
            &actor,
        )
        .await;
    assert_eq!((status, error(&json)), (400, "INVALID_INPUT"), "{json}");
}

#[tokio::test]
async fn a_wrong_method_is_405_with_allow() {
    let f = fixture().await;
    let lead = f.player("Lead").await;
    let (status, _) = f
        .send(
            reqwest::Method::PATCH,
            "/v1/social/party",
            Some(&lead),
            None,
        )
        .await;
    assert_eq!(status, 405);
    let response = f
        .http
        .get(f.url("/v1/social/party/leave"))
        .send()
        .await
        .expect("sends");
    assert_eq!(response.status(), 405);
    let allow = response
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(allow.contains("POST"), "Allow: {allow}");
}

#[tokio::test]
async fn racing_accepts_for_the_last_slot_admit_exactly_one() {
    let f = fixture_with(StubConfig {
        party_max_size: 2,
        ..StubConfig::default()
    })
    .await;
    let lead = f.player("Lead").await;
    let mut guests = Vec::new();
    for i in 0..6 {
        guests.push(f.player(&format!("Guest{i}")).await);
    }
    let mut party_id = String::new();
    for guest in &guests {
        let (status, invite) = f
            .post_json(
                "/v1/social/party/invites",
                &lead,
                json!({ "targetId": guest.id }),
            )
            .await;
        assert_eq!(status, 201, "{invite}");
        party_id = invite["partyId"].as_str().unwrap_or_default().to_owned();
    }
    let path = format!("/v1/social/party/invites/{party_id}/accept");
    let answers = futures::future::join_all(
        guests
            .iter()
            .map(|guest| f.post_json(&path, guest, Value::Null)),
    )
    .await;
    let joined = answers.iter().filter(|(status, _)| *status == 200).count();
    let full = answers
        .iter()
        .filter(|(status, body)| *status == 409 && error(body) == "PARTY_FULL")
        .count();
    assert_eq!((joined, full), (1, 5), "{answers:?}");
    let (_, snapshot) = f
        .send(reqwest::Method::GET, "/v1/social/party", Some(&lead), None)
        .await;
    let members = snapshot["party"]["members"].as_array().map(Vec::len);
    assert_eq!(members, Some(2), "{snapshot}");
    assert_eq!(snapshot["party"]["lobby"]["revision"], 1, "{snapshot}");
}

#[tokio::test]
async fn racing_leaves_never_leave_an_empty_or_leaderless_party() {
    let f = fixture().await;
    let lead = f.player("Lead").await;
    let mut members = vec![];
    for i in 0..5 {
        members.push(f.player(&format!("Member{i}")).await);
    }
    for member in &members {
        let (_, invite) = f
            .post_json(
                "/v1/social/party/invites",
                &lead,
                json!({ "targetId": member.id }),
            )
            .await;
        let path = format!(
            "/v1/social/party/invites/{}/accept",
            invite["partyId"].as_str().unwrap_or_default()
        );
        let (status, body) = f.post_json(&path, member, Value::Null).await;
        assert_eq!(status, 200, "{body}");
    }
    // Everyone but the last member leaves at once, the leader included.
    let leaving: Vec<&CreatedPlayer> = std::iter::once(&lead).chain(&members[..4]).collect();
    let answers = futures::future::join_all(
        leaving
            .iter()
            .map(|p| f.post_json("/v1/social/party/leave", p, Value::Null)),
    )
    .await;
    assert!(
        answers.iter().all(|(status, _)| *status == 200),
        "{answers:?}"
    );
    let (_, snapshot) = f
        .send(
            reqwest::Method::GET,
            "/v1/social/party",
            Some(&members[4]),
            None,
        )
        .await;
    let party = &snapshot["party"];
    assert_eq!(party["leaderId"], json!(members[4].id), "{snapshot}");
    assert_eq!(party["members"].as_array().map(Vec::len), Some(1));
    assert_eq!(party["lobby"]["selectorIds"], json!([members[4].id]));
}
