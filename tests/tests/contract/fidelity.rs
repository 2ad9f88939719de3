//! Wire fidelity (issue 14): the five ways the stub was kinder or richer than the real
//! Friends v1, each pinned by a test that failed before its fix, and what the real service
//! accepts and refuses at the edge of a request (bodies, content types, empty cursors).

use contract_tests::prelude::*;
use contract_tests::shape::{Format, format_of};
use serde_json::{Value, json};
use social_stub::roblox::CreatedUser;

/// A raw `POST` with the user's session and CSRF token, the given `Content-Type` (none:
/// no header) and body bytes.
async fn post_raw(
    env: &Env,
    path: &str,
    user: &CreatedUser,
    content_type: Option<&str>,
    body: &'static [u8],
) -> (u16, Value) {
    let csrf = env.csrf(user).await;
    let mut request = env
        .http
        .post(env.url("friends", path))
        .header("cookie", format!(".ROBLOSECURITY={}", user.cookie))
        .header("x-csrf-token", csrf)
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get_json(env: &Env, path: &str, user: Option<&CreatedUser>) -> Value {
    env.raw_get_json("friends", path, user).await
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    keys
}

/// Deviation 1: `request-friendship` with `Content-Type: application/json` and no body is how
/// real clients call it (since Roblox began answering 415 without the header); it must work,
/// and sending it to yourself must still be code 7.
#[tokio::test]
async fn bodiless_friend_requests_and_follows_work_as_on_roblox() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let other = env.user("other").await;
    let json = Some("application/json");

    let path = format!("/v1/users/{}/request-friendship", other.user.id);
    let (status, body) = post_raw(&env, &path, &me, json, b"").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"success": true, "isCaptchaRequired": false}));
    let requests = get_json(&env, "/v1/my/friends/requests", Some(&other)).await;
    assert_eq!(
        requests.pointer("/data/0/friendRequest/originSourceType"),
        Some(&json!("Unknown")),
        "no body is the Unknown origin: {requests}"
    );

    let path = format!("/v1/users/{}/request-friendship", me.user.id);
    let (status, body) = post_raw(&env, &path, &me, json, b"").await;
    assert_eq!(
        (status, body.pointer("/errors/0/code")),
        (400, Some(&json!(7))),
        "{body}"
    );

    let path = format!("/v1/users/{}/follow", other.user.id);
    let (status, body) = post_raw(&env, &path, &me, json, b"").await;
    assert_eq!(status, 200, "a bodiless follow: {body}");
}

/// What ASP.NET Core refuses: a body operation without `Content-Type` (even with no body)
/// and a type it has no formatter for are `415` code 0; `text/json` and `+json` are read.
#[tokio::test]
async fn content_types_are_read_and_refused_as_roblox_does() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let other = env.user("other").await;
    let request = format!("/v1/users/{}/request-friendship", other.user.id);

    for (content_type, body) in [(None, &b""[..]), (None, b"{}"), (Some("text/plain"), b"{}")] {
        let (status, answer) = post_raw(&env, &request, &me, content_type, body).await;
        assert_eq!(status, 415, "{content_type:?}: {answer}");
        assert_eq!(
            answer,
            json!({"errors": [{"code": 0, "message": "Unsupported Media Type"}]})
        );
    }
    let exists = "/v1/user/following-exists";
    let ids = br#"{"targetUserIds": [1]}"#;
    for content_type in [
        "text/json",
        "application/problem+json",
        "application/json; charset=utf-8",
    ] {
        let (status, answer) = post_raw(&env, exists, &me, Some(content_type), ids).await;
        assert_eq!(status, 200, "{content_type}: {answer}");
    }
    // A required body stays required.
    let (status, answer) = post_raw(&env, exists, &me, Some("application/json"), b"").await;
    assert_eq!(status, 400, "{answer}");
    // An operation without a body takes none and ignores the header's absence.
    env.befriend(&me, &other).await;
    let unfriend = format!("/v1/users/{}/unfriend", other.user.id);
    let (status, answer) = post_raw(&env, &unfriend, &me, None, b"").await;
    assert_eq!(status, 200, "{answer}");
}

/// Deviation 2: follower and following entries carry no `isOnline`/`presenceType` (nor do
/// inactive friends); a client that reads presence there works only on the stub.
#[tokio::test]
async fn follow_and_inactive_lists_carry_no_presence() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let fan = env.user("fan").await;
    env.follow(&fan, &me).await;
    env.befriend(&me, &fan).await;
    env.advance(std::time::Duration::from_secs(31 * 86_400))
        .await;
    for path in [
        format!("/v1/users/{}/followers", me.user.id),
        format!("/v1/users/{}/followings", fan.user.id),
        format!("/v1/users/{}/friends/inactive", me.user.id),
    ] {
        let page = get_json(&env, &path, Some(&me)).await;
        let entry = &page["data"][0];
        assert!(entry.get("id").is_some(), "{path}: {page}");
        for absent in ["isOnline", "presenceType"] {
            assert!(
                entry.get(absent).is_none(),
                "{path} writes {absent}: {entry}"
            );
        }
        assert_eq!(entry["friendFrequentRank"], json!(201), "{path}");
        assert_eq!(entry["description"], Value::Null, "{path}");
    }
}

/// Deviation 3: without a session, the friend list is ids with blank names and nothing else
/// (the transcribed capture).
#[tokio::test]
async fn an_anonymous_friend_list_is_ids_with_blank_names() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let friend = env.user("friend").await;
    env.befriend(&me, &friend).await;
    let list = get_json(&env, &format!("/v1/users/{}/friends", me.user.id), None).await;
    assert_eq!(
        list,
        json!({"data": [{"id": friend.user.id, "name": "", "displayName": ""}]})
    );
    let signed_in = get_json(
        &env,
        &format!("/v1/users/{}/friends", me.user.id),
        Some(&me),
    )
    .await;
    assert_eq!(signed_in["data"][0]["name"], json!("friend"));
    assert_eq!(signed_in["data"][0]["isOnline"], json!(false));
}

/// Deviation 4: lists send the .NET minimum date as `created`, never the signup date, and no
/// timestamp the stub writes has more than 3 fractional digits.
#[tokio::test]
async fn lists_send_the_dotnet_minimum_date_and_millisecond_timestamps() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let friend = env.user("friend").await;
    env.befriend(&me, &friend).await;
    env.follow(&friend, &me).await;
    post_raw(
        &env,
        &format!("/v1/users/{}/request-friendship", me.user.id),
        &env.user("asker").await,
        Some("application/json"),
        b"{}",
    )
    .await;
    env.world
        .set_presence(friend.user.id, json!({"presence": "InGame", "placeId": 1}))
        .await
        .expect("presence");

    let friends = get_json(
        &env,
        &format!("/v1/users/{}/friends", me.user.id),
        Some(&me),
    )
    .await;
    assert_eq!(friends["data"][0]["created"], json!("0001-01-01T05:52:00Z"));
    let followers = get_json(&env, &format!("/v1/users/{}/followers", me.user.id), None).await;
    assert_eq!(
        followers["data"][0]["created"],
        json!("0001-01-01T05:51:00.000Z")
    );

    let requests = get_json(&env, "/v1/my/friends/requests", Some(&me)).await;
    let online = get_json(
        &env,
        &format!("/v1/users/{}/friends/online", me.user.id),
        Some(&me),
    )
    .await;
    for (what, stamp) in [
        ("request created", &requests["data"][0]["created"]),
        (
            "request sentAt",
            &requests["data"][0]["friendRequest"]["sentAt"],
        ),
        (
            "online lastOnline",
            &online["data"][0]["userPresence"]["lastOnline"],
        ),
    ] {
        let text = stamp.as_str().unwrap_or_else(|| panic!("{what}: {stamp}"));
        assert_eq!(
            format_of(text),
            Format::DateTime {
                fraction: 3,
                offset: "Z".into()
            },
            "{what}: {text}"
        );
    }
}

/// Deviation 5: a friend request carries `sourceUniverseId` (the universe of an in-game
/// request, `null` from the web) and never `senderNickname`.
#[tokio::test]
async fn friend_requests_carry_their_universe_and_no_nickname() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let gamer = env.user("gamer").await;
    let browser = env.user("browser").await;
    env.world
        .send_friend_request_in_game(gamer.user.id, me.user.id, "InGame", Some(2549415383))
        .await
        .expect("in-game request");
    post_raw(
        &env,
        &format!("/v1/users/{}/request-friendship", me.user.id),
        &browser,
        Some("application/json"),
        br#"{"friendshipOriginSourceType": "UserProfile"}"#,
    )
    .await;
    let page = get_json(&env, "/v1/my/friends/requests", Some(&me)).await;
    let requests: Vec<&Value> = page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|r| &r["friendRequest"])
        .collect();
    assert_eq!(requests.len(), 2, "{page}");
    for request in &requests {
        assert_eq!(
            keys(request),
            [
                "contactName",
                "originSourceType",
                "senderId",
                "sentAt",
                "sourceUniverseId"
            ],
            "{request}"
        );
    }
    let universe_of = |sender: i64| {
        requests
            .iter()
            .find(|r| r["senderId"] == json!(sender))
            .map(|r| r["sourceUniverseId"].clone())
    };
    assert_eq!(universe_of(gamer.user.id), Some(json!(2549415383_i64)));
    assert_eq!(universe_of(browser.user.id), Some(Value::Null));
}

/// An empty `cursor=` is the first page, as on Roblox, on every cursor-paged list.
#[tokio::test]
async fn an_empty_cursor_is_the_first_page() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let friend = env.user("friend").await;
    env.befriend(&me, &friend).await;
    env.follow(&friend, &me).await;
    let id = me.user.id;
    for path in [
        format!("/v1/users/{id}/followers?cursor="),
        format!("/v1/users/{}/followings?cursor=", friend.user.id),
        format!("/v1/users/{id}/friends/find?cursor="),
        format!("/v1/users/{id}/friends/search?query=f&cursor="),
        "/v1/my/friends/requests?cursor=".to_owned(),
    ] {
        let with_empty = get_json(&env, &path, Some(&me)).await;
        let without = get_json(&env, path.trim_end_matches("cursor="), Some(&me)).await;
        assert_eq!(with_empty, without, "{path}");
    }
}
