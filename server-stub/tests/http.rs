//! The stub's HTTP layer, raw: what any client (not just the SDK) gets for odd input,
//! worlds, faults and the control plane.

use serde_json::{Value, json};
use social_stub::RunningStub;
use social_stub::world::FaultRule;

struct Fixture {
    stub: RunningStub,
    http: reqwest::Client,
}

async fn fixture() -> Fixture {
    Fixture {
        stub: RunningStub::start().await.expect("stub starts"),
        http: reqwest::Client::new(),
    }
}

impl Fixture {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.stub.url())
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let response = self.http.get(self.url(path)).send().await.expect("sends");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

fn code(body: &Value) -> Option<i64> {
    body.pointer("/errors/0/code").and_then(Value::as_i64)
}

#[tokio::test]
async fn bad_parameters_get_the_service_error_shape_never_a_500() {
    let f = fixture().await;
    let world = f.stub.control().default_world();
    world
        .create_roblox_user_with(json!({"id": 7, "name": "seven"}))
        .await
        .expect("user");
    for path in [
        "/friends/v1/users/abc/friends",
        "/friends/v1/users/99999999999999999999/friends",
        "/friends/v1/users/7/followers?limit=11",
        "/friends/v1/users/7/followers?limit=-1",
        "/friends/v1/users/7/followers?sortOrder=Sideways",
        "/friends/v1/users/7/followers?limit=10&limit=25",
        "/friends/v1/users/7/followers?cursor=forged.cursor",
        "/friends/v1/users/7/friends/statuses",
        "/friends/v1/users/7/friends/statuses?userIds=1,x",
        "/friends/v1/users/7/friends/find?limit=51",
        "/friends/v1/users/%FF%FE/friends",
    ] {
        let (status, body) = f.get(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(code(&body).is_some(), "{path}: {body}");
    }
    let (status, body) = f
        .get("/friends/v1/users/7/friends/statuses?userIds=1,2&userIds=3")
        .await;
    assert_eq!(status, 200, "comma-joined and repeated ids mix: {body}");
    assert_eq!(body["data"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn bodies_malformed_or_oversized_are_400s_and_unread_media_types_415s() {
    let f = fixture().await;
    let world = f.stub.control().default_world();
    let user = world.create_roblox_user("poster").await.expect("user");
    let csrf = world.csrf_token(&user.cookie).await.expect("token");
    let post = |body: Vec<u8>, content_type: &'static str| {
        f.http
            .post(f.url("/friends/v1/user/following-exists"))
            .header("cookie", format!(".ROBLOSECURITY={}", user.cookie))
            .header("x-csrf-token", csrf.clone())
            .header("content-type", content_type)
            .body(body)
    };
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    for (body, content_type, wanted) in [
        (b"{\"targetUserIds\": [1,".to_vec(), "application/json", 400),
        (
            b"{\"targetUserIds\": \"1\"}".to_vec(),
            "application/json",
            400,
        ),
        // ASP.NET Core has no input formatter for it: 415, as documented.
        (b"{\"targetUserIds\": [1]}".to_vec(), "text/plain", 415),
        (deep.into_bytes(), "application/json", 400),
        (vec![b' '; 70 * 1024], "application/json", 400),
        (vec![0xff, 0xfe, 0x00], "application/json", 400),
    ] {
        let response = post(body, content_type).send().await.expect("sends");
        let status = response.status().as_u16();
        let json: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, wanted, "{content_type}: {json}");
        assert_eq!(
            code(&json),
            Some(0),
            "following-exists documents code 0 for invalid input: {json}"
        );
    }
    let ok = post(b"{\"targetUserIds\": [1]}".to_vec(), "application/json")
        .send()
        .await
        .expect("sends");
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn wrong_method_is_405_with_allow() {
    let f = fixture().await;
    let response = f
        .http
        .delete(f.url("/friends/v1/metadata"))
        .send()
        .await
        .expect("sends");
    assert_eq!(response.status(), 405);
    let allow = response
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(allow.contains("GET"), "Allow: {allow}");
}

#[tokio::test]
async fn worlds_are_isolated_and_unknown_worlds_are_404() {
    let f = fixture().await;
    let control = f.stub.control();
    let a = control.create_world().await.expect("world a");
    let b = control.create_world().await.expect("world b");
    a.create_roblox_user_with(json!({"id": 5, "name": "only-in-a"}))
        .await
        .expect("user");
    let in_a = f
        .http
        .get(format!(
            "{}/v1/users/5/friends/count",
            a.service_url("friends")
        ))
        .send()
        .await
        .expect("a");
    let in_b = f
        .http
        .get(format!(
            "{}/v1/users/5/friends/count",
            b.service_url("friends")
        ))
        .send()
        .await
        .expect("b");
    assert_eq!((in_a.status().as_u16(), in_b.status().as_u16()), (200, 400));
    let (status, body) = f.get("/w/nope/friends/v1/metadata").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("UNKNOWN_WORLD"))
    );
}

#[tokio::test]
async fn fault_rules_fire_in_order_then_stop() {
    let f = fixture().await;
    let world = f.stub.control().default_world();
    world
        .add_faults(&[FaultRule {
            service: Some("friends".into()),
            operation: "get_friends_metadata".into(),
            count: 2,
            status: Some(503),
            body: Some(json!({"errors": [{"code": 0, "message": "down"}]})),
            retry_after: Some(7),
            delay_ms: None,
            reset: false,
        }])
        .await
        .expect("fault");
    for _ in 0..2 {
        let response = f
            .http
            .get(f.url("/friends/v1/metadata"))
            .send()
            .await
            .expect("sends");
        assert_eq!(response.status(), 503);
        assert_eq!(
            response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok()),
            Some("7")
        );
    }
    assert_eq!(f.get("/friends/v1/metadata").await.0, 200);
    let log = world.requests().await.expect("log");
    let statuses: Vec<u16> = log.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200]);
    assert!(log.iter().all(|r| r.operation == "get_friends_metadata"));
}

#[tokio::test]
async fn a_body_cut_short_is_400_and_says_so() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let f = fixture().await;
    let world = f.stub.control().default_world();
    let player = world
        .create_player(json!({"name": "cut"}))
        .await
        .expect("player");
    let addr = f.stub.url().trim_start_matches("http://").to_string();
    let mut socket = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connects");
    let head = format!(
        "POST /social/v1/social/friends/requests HTTP/1.1\r\nhost: {addr}\r\n\
         authorization: Bearer {}\r\ncontent-type: application/json\r\n\
         content-length: 100\r\n\r\n{{\"targetName\":",
        player.token
    );
    socket.write_all(head.as_bytes()).await.expect("writes");
    socket.shutdown().await.expect("half-closes");
    let mut answer = String::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        socket.read_to_string(&mut answer),
    )
    .await
    .expect("answered, not hung")
    .expect("reads");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains("the body ended before it was complete"),
        "a cut body is not called too large: {answer}"
    );
}

#[tokio::test]
async fn a_reset_fault_cuts_the_body() {
    let f = fixture().await;
    let world = f.stub.control().default_world();
    let rule: FaultRule =
        serde_json::from_value(json!({"operation": "get_friends_metadata", "reset": true}))
            .expect("rule");
    world.add_faults(&[rule]).await.expect("fault");
    let result = async {
        f.http
            .get(f.url("/friends/v1/metadata"))
            .send()
            .await?
            .bytes()
            .await
    }
    .await;
    assert!(result.is_err(), "the body never completes: {result:?}");
}

#[tokio::test]
async fn the_control_plane_answers_bad_input_clearly() {
    let f = fixture().await;
    let post = |path: &str, body: &'static str| {
        f.http
            .post(f.url(path))
            .header("content-type", "application/json")
            .body(body)
    };
    let bad = post("/__stub/worlds/default/roblox/users", "{\"nmae\": 1}")
        .send()
        .await
        .expect("sends");
    assert_eq!(bad.status(), 400);
    let missing = post("/__stub/worlds/ghost/roblox/users", "{}")
        .send()
        .await
        .expect("sends");
    assert_eq!(missing.status(), 404);
    let dup = post("/__stub/worlds", "{\"id\": \"default\"}")
        .send()
        .await
        .expect("sends");
    assert_eq!(dup.status(), 409);
    let state = f
        .stub
        .control()
        .default_world()
        .state()
        .await
        .expect("dump");
    assert!(state["roblox"].is_object(), "{state}");
}

#[tokio::test]
async fn answers_carry_nulls_and_empty_lists_like_the_real_services() {
    let f = fixture().await;
    let world = f.stub.control().default_world();
    let player = world
        .create_player(json!({"name": "loner"}))
        .await
        .expect("player");
    let party = f
        .http
        .get(f.url("/party/v1/social/party"))
        .bearer_auth(&player.token)
        .send()
        .await
        .expect("sends");
    let body: Value = party.json().await.expect("json");
    assert_eq!(body, json!({"party": null, "invites": []}));
    world
        .create_roblox_user_with(json!({"id": 9, "name": "nine"}))
        .await
        .expect("user");
    let (status, page) = f.get("/friends/v1/users/9/followers").await;
    assert_eq!(status, 200);
    assert_eq!(
        page,
        json!({"previousPageCursor": null, "nextPageCursor": null, "data": []})
    );
}

/// The stub runs on a thread and runtime of its own: a `#[tokio::test]` (a current-thread
/// runtime) that blocks its only thread on synchronous I/O to the stub is still answered.
/// Before, the stub's tasks ran on the test's runtime and such a test hung.
#[tokio::test]
async fn a_test_that_blocks_its_thread_is_still_answered() {
    use std::io::{Read, Write};
    let stub = RunningStub::start().await.expect("stub starts");
    let addr = stub.url().trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .expect("timeout");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: stub\r\nConnection: close\r\n\r\n")
        .expect("write");
    let mut answer = String::new();
    let read = stream.read_to_string(&mut answer);
    assert!(
        read.is_ok() && answer.starts_with("HTTP/1.1 200"),
        "answered while the test's thread blocked: {read:?} {answer:?}"
    );
    stub.stop().await;
}

/// One shared stub per test binary: started under one runtime, it still serves a test that
/// runs on another after the first is gone (it has a runtime of its own), each test in its
/// own world.
#[test]
fn the_shared_stub_outlives_the_runtime_that_started_it() {
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    };
    let first = runtime().block_on(async {
        let stub = RunningStub::shared().expect("shared stub");
        stub.control().create_world().await.expect("world").id
    });
    let second = runtime().block_on(async {
        let stub = RunningStub::shared().expect("shared stub");
        let world = stub.control().create_world().await.expect("world");
        let health = reqwest::get(format!("{}/healthz", stub.url()))
            .await
            .expect("answered");
        assert_eq!(health.status(), 200);
        world.id
    });
    assert_ne!(first, second, "a world per test");
}
