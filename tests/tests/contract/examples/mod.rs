//! Seed-example contract tests: every JSON example of a response, a live frame or an entry
//! inside one in the social seed documents (`tests/fixtures/seeds/`, see its `README.md`),
//! compared by shape ([`assert_same_shape`]) with what the stub answers in a world put into
//! the situation the example shows. Raw HTTP throughout: the wire itself is under test, not
//! what the SDK's types make of it.

use contract_tests::actors::SECRET;
use contract_tests::env::Env;
use contract_tests::shape::{Exception, assert_same_shape};
use serde_json::{Value, json};
use social_stub::social::CreatedPlayer;

mod friends;
mod live;
mod party;

const SERVER: &str = "srv-seed";

/// What the seed wrote as a type name where a uuid goes (`"targetId": "uuid"`), and the
/// real-looking uuid [`example`] puts in its place.
const UUID_PLACEHOLDER: &str = "uuid";
const PLACEHOLDER_UUID: &str = "00000000-0000-4000-8000-000000000000";

/// The seed example `name` (`tests/fixtures/seeds/<name>.json`), verbatim but for one
/// normalisation: every string that is exactly `"uuid"` (a type name written where a uuid
/// goes) becomes a real uuid, so the comparator expects the uuid format the service writes.
/// The other placeholders (`"objectId"`, `"Player"`, `"playerName"`, `"optional"`) are text
/// and so is what the stub writes for them: they need no normalisation.
fn example(name: &str) -> Value {
    let path = format!("{}/fixtures/seeds/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut value: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    normalise(&mut value);
    value
}

fn normalise(value: &mut Value) {
    match value {
        Value::String(s) if s == UUID_PLACEHOLDER => *s = PLACEHOLDER_UUID.to_owned(),
        Value::Array(items) => items.iter_mut().for_each(normalise),
        Value::Object(map) => map.values_mut().for_each(normalise),
        _ => {}
    }
}

/// Compares `actual` with the example `name`, no exceptions.
fn same(name: &str, what: &str, actual: &Value) {
    same_except(name, what, actual, &[]);
}

fn same_except(name: &str, what: &str, actual: &Value, exceptions: &[Exception]) {
    assert_same_shape(
        &format!("{name} vs {what}"),
        &example(name),
        actual,
        exceptions,
    );
}

/// Compares every item of `items` (which must not be empty) with the entry example `name`.
fn each(name: &str, what: &str, items: &Value) {
    let items = items
        .as_array()
        .unwrap_or_else(|| panic!("{what}: not an array: {items}"));
    assert!(!items.is_empty(), "{what}: the scene must put items here");
    for item in items {
        same(name, what, item);
    }
}

/// A world in the situations the examples show (built by [`Scene::new`]):
///
/// - `alice` (online) is friends with `bob` (online, leads a party) through a request with a
///   note, so her friend entry has a note, a party, presence and `lastSeenAt`;
/// - `carol` (offline, in no party) asked alice with a note: an incoming request;
/// - alice asked `dave` (offline, in no party) with a note: an outgoing request;
/// - alice blocks `eve` with a reason;
/// - `fresh` has nothing at all: the empty snapshots of the seed.
struct Scene {
    env: Env,
    alice: CreatedPlayer,
    bob: CreatedPlayer,
    carol: CreatedPlayer,
    dave: CreatedPlayer,
    fresh: CreatedPlayer,
}

impl std::ops::Deref for Scene {
    type Target = Env;

    fn deref(&self) -> &Env {
        &self.env
    }
}

impl Scene {
    async fn new() -> Self {
        let env = Env::new().await;
        env.register_server(SERVER).await;
        let online = |name: &str| json!({"name": name, "presence": "ONLINE"});
        let offline = |name: &str| json!({"name": name, "presence": "OFFLINE"});
        let alice = env.player_with(online("Alice")).await;
        let bob = env.player_with(online("Bob")).await;
        let carol = env.player_with(offline("Carol")).await;
        let dave = env.player_with(offline("Dave")).await;
        let eve = env.player_with(offline("Eve")).await;
        let fresh = env.player_with(offline("Fresh")).await;
        let scene = Self {
            env,
            alice,
            bob,
            carol,
            dave,
            fresh,
        };
        let (a, b) = (&scene.alice, &scene.bob);
        let sent = scene
            .post(
                "social-friends",
                "/v1/social/friends/requests",
                a,
                json!({"targetId": b.id, "note": "see you in game"}),
            )
            .await;
        let id = sent["id"].as_str().expect("request id").to_owned();
        let path = format!("/v1/social/friends/requests/{id}/accept");
        scene.post("social-friends", &path, b, json!({})).await;
        scene.post("party", "/v1/social/party", b, json!({})).await;
        let body = json!({"targetId": a.id, "note": "hi alice"});
        let path = "/v1/social/friends/requests";
        scene.post("social-friends", path, &scene.carol, body).await;
        let body = json!({"targetId": scene.dave.id, "note": "hi dave"});
        scene.post("social-friends", path, a, body).await;
        let body = json!({"targetId": eve.id, "reason": "spam"});
        scene
            .post("social-friends", "/v1/social/friends/blocks", a, body)
            .await;
        scene
    }

    /// A user route `GET`: the JSON answer (a 200 is required).
    async fn get(&self, service: &str, path: &str, player: &CreatedPlayer) -> Value {
        let request = self
            .http
            .get(self.url(service, path))
            .bearer_auth(&player.token);
        answer(request, path).await
    }

    /// A user route `POST`/`PUT` with a JSON body: the JSON answer (2xx required).
    async fn send(
        &self,
        method: reqwest::Method,
        service: &str,
        path: &str,
        player: &CreatedPlayer,
        body: Value,
    ) -> Value {
        let request = self
            .http
            .request(method, self.url(service, path))
            .bearer_auth(&player.token)
            .json(&body);
        answer(request, path).await
    }

    async fn post(&self, service: &str, path: &str, player: &CreatedPlayer, body: Value) -> Value {
        self.send(reqwest::Method::POST, service, path, player, body)
            .await
    }

    /// A server route `POST` as the registered server: the JSON answer (2xx required).
    async fn server(&self, service: &str, path: &str, body: Value) -> Value {
        let request = self
            .http
            .post(self.url(service, path))
            .bearer_auth(SECRET)
            .header("x-server-id", SERVER)
            .json(&body);
        answer(request, path).await
    }
}

async fn answer(request: reqwest::RequestBuilder, path: &str) -> Value {
    let response = request.send().await.expect("request sent");
    let status = response.status();
    let text = response.text().await.expect("body");
    assert!(status.is_success(), "{path}: {status} {text}");
    if text.is_empty() {
        return Value::Null;
    }
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
}

#[test]
fn placeholders_are_normalised_and_only_they() {
    let entry = example("002-request-entry");
    assert_eq!(entry["senderId"], PLACEHOLDER_UUID);
    assert_eq!(entry["player"]["id"], PLACEHOLDER_UUID);
    assert_eq!(entry["id"], "objectId", "text stays text");
    assert_eq!(entry["player"]["partyId"], Value::Null);
}
