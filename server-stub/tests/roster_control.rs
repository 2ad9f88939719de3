//! The roster control plane, raw: apps, users, tokens, profile changes, seeded friendships and
//! blocks, and its refusals (`{"error", "message"}` with 400, 404 or 409).

use serde_json::{Value, json};
use social_stub::RunningStub;

struct Fixture {
    stub: RunningStub,
    http: reqwest::Client,
    world: String,
}

async fn fixture() -> Fixture {
    let stub = RunningStub::start().await.expect("stub starts");
    let world = stub.control().create_world().await.expect("world").id;
    Fixture {
        stub,
        http: reqwest::Client::new(),
        world,
    }
}

impl Fixture {
    async fn call(&self, method: reqwest::Method, rest: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!(
            "{}/__stub/worlds/{}/roster{rest}",
            self.stub.url(),
            self.world
        );
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("sent");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, rest: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, rest, Some(body)).await
    }

    /// Calls the roster API of this world with raw headers.
    async fn api(&self, path_and_query: &str, headers: &[(&str, &str)]) -> Value {
        let url = format!(
            "{}/w/{}/roster{path_and_query}",
            self.stub.url(),
            self.world
        );
        let mut request = self.http.get(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("sent");
        assert_eq!(response.status(), 200, "roster answers 200");
        response.json().await.expect("JSON")
    }
}

#[tokio::test]
async fn apps_users_and_tokens_are_created_and_refused_as_documented() {
    let f = fixture().await;
    let (status, app) = f.post("/apps", json!({"appId": "chat-1"})).await;
    assert_eq!(status, 201, "{app}");
    assert_eq!(app["appId"], "chat-1");
    assert!(app["adminToken"].as_str().is_some_and(|t| !t.is_empty()));
    let (status, again) = f.post("/apps", json!({"appId": "chat-1"})).await;
    assert_eq!((status, &again["error"]), (409, &json!("APP_NOT_CREATED")));
    let (status, bad) = f.post("/apps", json!({"appId": "no spaces"})).await;
    assert_eq!(status, 400, "{bad}");
    // No body at all makes an app with a fresh id.
    let (status, fresh) = f.call(reqwest::Method::POST, "/apps", None).await;
    assert_eq!(status, 201, "{fresh}");
    assert_ne!(fresh["appId"], "chat-1");

    let (status, ann) = f
        .post(
            "/apps/chat-1/users",
            json!({"username": "ann", "mobile": "+1555", "auth_mode": 2, "authQuestion": "2+2?", "authAnswer": "4"}),
        )
        .await;
    assert_eq!(status, 201, "{ann}");
    let ann_id = ann["user"]["id"].as_i64().expect("id");
    assert_eq!(ann["user"]["authMode"], 2, "snake_case names are accepted");
    assert!(ann["token"].as_str().is_some_and(|t| !t.is_empty()));
    for (body, expected) in [
        (json!({"username": "ANN"}), 409),
        (json!({"username": "bob", "mobile": "+1555"}), 409),
        (json!({"id": ann_id}), 409),
        (json!({"id": 0}), 400),
        (json!({"authMode": 4}), 400),
        (json!({"username": "x", "colour": "red"}), 400),
        (json!({"username": 7}), 400),
    ] {
        let (status, answer) = f.post("/apps/chat-1/users", body.clone()).await;
        assert_eq!(status, expected, "{body} → {answer}");
        assert!(answer["error"].is_string(), "{answer}");
    }
    let (status, _) = f.post("/apps/nope/users", json!({})).await;
    assert_eq!(status, 404);
    let (status, _) = f
        .call(reqwest::Method::POST, "/apps/nope/admin-tokens", None)
        .await;
    assert_eq!(status, 404);
    let (status, _) = f
        .call(reqwest::Method::POST, "/apps/chat-1/users/999/tokens", None)
        .await;
    assert_eq!(status, 404);

    // A second user token and a second admin token both work.
    let (status, token) = f
        .call(
            reqwest::Method::POST,
            &format!("/apps/chat-1/users/{ann_id}/tokens"),
            None,
        )
        .await;
    assert_eq!(status, 201, "{token}");
    let token = token["token"].as_str().expect("token").to_owned();
    let me = f
        .api(
            &format!("/roster/id?user_id={ann_id}"),
            &[("access-token", &token), ("app_id", "chat-1")],
        )
        .await;
    assert_eq!(me["code"], 200, "{me}");
    assert_eq!(me["data"]["auth_question"], "2+2?");
    assert!(
        me["data"].get("auth_answer").is_none(),
        "the answer is never sent"
    );
    let (status, admin) = f
        .call(reqwest::Method::POST, "/apps/chat-1/admin-tokens", None)
        .await;
    assert_eq!(status, 201);
    let admin = admin["token"].as_str().expect("token").to_owned();
    let seen = f
        .api(
            "/roster/name?username=ann",
            &[("access-token", &admin), ("app_id", "chat-1")],
        )
        .await;
    assert_eq!(
        seen["data"]["relation"], 2,
        "an admin without user_id is nobody"
    );
    // Tokens are bound to their app.
    let other = f
        .api(
            "/roster/blocked_list",
            &[
                ("access-token", &token),
                ("app_id", fresh["appId"].as_str().expect("id")),
            ],
        )
        .await;
    assert_eq!(other["code"], 10008, "{other}");
}

#[tokio::test]
async fn profiles_change_with_put_or_patch_and_null_clears() {
    let f = fixture().await;
    let world = f.stub.control().create_world().await.expect("world");
    let app = world.create_roster_app().await.expect("app");
    let ann = world
        .create_roster_user(
            &app.app_id,
            json!({"username": "ann", "nickname": "Annie", "mobile": "+1"}),
        )
        .await
        .expect("ann");
    world
        .create_roster_user(&app.app_id, json!({"username": "bob", "mobile": "+2"}))
        .await
        .expect("bob");
    let changed = world
        .update_roster_user(
            &app.app_id,
            ann.user.id,
            json!({"nickname": null, "publicInfo": "hi", "authMode": 1}),
        )
        .await
        .expect("patched");
    assert_eq!(changed.nickname, None);
    assert_eq!(changed.public_info.as_deref(), Some("hi"));
    assert_eq!(changed.auth_mode, 1);
    assert_eq!(changed.mobile.as_deref(), Some("+1"), "absent fields stay");

    let url = |rest: &str| {
        format!(
            "{}/__stub/worlds/{}/roster/apps/{}/users{rest}",
            f.stub.url(),
            world.id,
            app.app_id
        )
    };
    let put = f
        .http
        .put(url(&format!("/{}", ann.user.id)))
        .json(&json!({"description": "d"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(put.status(), 200);
    for (body, status) in [
        (json!({"mobile": "+2"}), 409),
        (json!({"username": "BOB"}), 409),
        (json!({"username": null}), 400),
        (json!({"id": 12345}), 400),
        (json!({"authMode": -1}), 400),
    ] {
        let response = f
            .http
            .patch(url(&format!("/{}", ann.user.id)))
            .json(&body)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), status, "{body}");
    }
    let missing = f
        .http
        .patch(url("/424242"))
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn seeded_friendships_and_blocks_show_in_the_api_and_the_dump() {
    let f = fixture().await;
    let control = f.stub.control();
    let world = control.create_world().await.expect("world");
    let app = world.create_roster_app().await.expect("app");
    let ann = world
        .create_roster_user(&app.app_id, json!({"username": "ann"}))
        .await
        .expect("ann");
    let bob = world
        .create_roster_user(&app.app_id, json!({"username": "bob"}))
        .await
        .expect("bob");
    world
        .roster_befriend(&app.app_id, ann.user.id, bob.user.id)
        .await
        .expect("friends");
    assert!(
        world
            .roster_befriend(&app.app_id, ann.user.id, ann.user.id)
            .await
            .is_err(),
        "two different users are needed"
    );
    world
        .roster_block(&app.app_id, bob.user.id, ann.user.id)
        .await
        .expect("block");
    assert!(
        world
            .roster_befriend(&app.app_id, ann.user.id, bob.user.id)
            .await
            .is_err(),
        "not while one blocks the other"
    );
    assert!(world.roster_block("nope", 1, 2).await.is_err());

    let state = world.state().await.expect("dump");
    let roster = &state["roster"]["apps"][app.app_id.as_str()];
    assert_eq!(
        roster["blocks"][bob.user.id.to_string()],
        json!([ann.user.id])
    );
    assert!(
        roster["friends"][ann.user.id.to_string()]
            .as_object()
            .is_none_or(|m| m.is_empty()),
        "the block ended the friendship: {roster}"
    );
    assert!(state["roster"]["tokens"].is_object());
}
