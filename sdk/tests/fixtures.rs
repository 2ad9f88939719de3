//! Every real response captured from the live Friends API (see
//! `fixtures/roblox/README.md` for provenance) decodes into the type its endpoint names in
//! `openapi/friends.yaml`, and nothing in it is lost: re-encoding the decoded value gives
//! back every non-null field of the original.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use social_sdk::friends::types;

/// How one fixture is checked: decode into `T`, re-encode, compare.
type Check = fn(&Value) -> Result<Value, String>;

fn roundtrip<T: DeserializeOwned + Serialize>(body: &Value) -> Result<Value, String> {
    let decoded: T = serde_json::from_value(body.clone()).map_err(|e| e.to_string())?;
    serde_json::to_value(decoded).map_err(|e| e.to_string())
}

fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}

/// fixture file, operationId whose 200 (or error) schema it is, Rust type name, check.
fn table() -> Vec<(&'static str, &'static str, &'static str, Check)> {
    macro_rules! row {
        ($file:literal, $op:literal, $ty:ty) => {
            (
                $file,
                $op,
                short_type_name::<$ty>(),
                roundtrip::<$ty> as Check,
            )
        };
    }
    vec![
        row!(
            "friends_v1_metadata.json",
            "get_friends_metadata",
            types::FriendsPageMetadataResponse
        ),
        row!(
            "friends_v1_my_friends_count.json",
            "get_my_friends_count",
            types::FriendsCountResponse
        ),
        row!(
            "friends_v1_my_friends_requests.json",
            "get_my_friend_requests",
            types::FriendRequestResponsePage
        ),
        row!(
            "friends_v1_user_friend-requests_count.json",
            "get_pending_friend_requests_count",
            types::PendingFriendRequestCountResponse
        ),
        row!(
            "friends_v1_users_id_friends.json",
            "get_user_friends",
            types::UserResponseArray
        ),
        row!(
            "friends_v1_users_id_friends_find.json",
            "find_user_friends",
            types::FriendResponseCursoredPage
        ),
        row!(
            "friends_v1_users_id_friends_inactive.json",
            "get_user_inactive_friends",
            types::UserResponseWithoutPresenceArray
        ),
        row!(
            "friends_v1_users_id_friends_search.json",
            "search_user_friends",
            types::FriendResponseCursoredPage
        ),
        row!(
            "friends_v1_users_id_friends_statuses.json",
            "get_user_friend_statuses",
            types::FriendStatusResponseArray
        ),
        row!(
            "friends_v1_users_id_request-friendship.json",
            "request_friendship",
            types::CaptchaStatusResponse
        ),
        row!(
            "friends_v1_post_empty_object_unfriend.json",
            "unfriend_user",
            types::EmptyResponse
        ),
        row!(
            "friends_v1_post_empty_object_unfriend.json",
            "accept_friend_request",
            types::EmptyResponse
        ),
        row!(
            "friends_v1_post_empty_object_unfriend.json",
            "decline_friend_request",
            types::EmptyResponse
        ),
        row!(
            "friends_v1_post_empty_object_unfriend.json",
            "decline_all_friend_requests",
            types::DeclineAllFriendRequestsResponse
        ),
        row!(
            "friends_v1_users_id_followers.json",
            "get_user_followers",
            types::UserResponseWithoutPresencePage
        ),
        row!(
            "friends_v1_user_following-exists.json",
            "get_following_exists",
            types::FollowingExistsResponse
        ),
        row!(
            "TRANSCRIBED_friends_v1_users_id_friends_unauthenticated_blank_names.json",
            "get_user_friends",
            types::UserResponseArray
        ),
        row!(
            "error_403_token_validation_failed_flat_shape.json",
            "ERROR",
            types::ErrorResponse
        ),
    ]
}

fn fixture_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roblox")
}

/// The component name of an operation's 200 schema (or of the error schema).
fn schema_name(spec: &Value, operation_id: &str) -> String {
    if operation_id == "ERROR" {
        return "ErrorResponse".to_owned();
    }
    for item in spec["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("path item").values() {
            if op["operationId"] == operation_id {
                let schema =
                    &op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
                let reference = schema.as_str().expect("200 schema is a $ref");
                return reference
                    .trim_start_matches("#/components/schemas/")
                    .to_owned();
            }
        }
    }
    panic!("no operation {operation_id} in friends.yaml");
}

/// Drops nulls and empty lists (an absent optional and an empty list re-encode as absent) and
/// normalises timestamps, so that
/// `0001-01-01T05:51:00.000Z` and `0001-01-01T05:51:00Z` compare equal.
fn normalise(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
                .map(|(k, v)| (k.clone(), normalise(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(s) {
            Ok(t) => Value::String(t.to_utc().to_rfc3339()),
            Err(_) => value.clone(),
        },
        other => other.clone(),
    }
}

#[test]
fn every_real_fixture_decodes_into_its_endpoint_type_without_loss() {
    let spec_text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/friends.yaml"),
    )
    .expect("friends.yaml");
    let spec: Value = serde_yaml_ng::from_str(&spec_text).expect("yaml");
    let mut problems = Vec::new();
    for (file, op, type_name, check) in table() {
        let expected = schema_name(&spec, op);
        if expected != type_name {
            problems.push(format!(
                "{file}: {op} answers {expected}, the test decodes {type_name}"
            ));
            continue;
        }
        let text = std::fs::read_to_string(fixture_dir().join(file)).expect("fixture");
        let original: Value = serde_json::from_str(&text).expect("fixture is JSON");
        match check(&original) {
            Err(e) => problems.push(format!("{file} as {type_name}: {e}")),
            Ok(reencoded) if normalise(&reencoded) != normalise(&original) => {
                problems.push(format!(
                    "{file} as {type_name} lost data:\n  original  {}\n  re-encoded {}",
                    normalise(&original),
                    normalise(&reencoded)
                ))
            }
            Ok(_) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_fixture_file_is_in_the_table() {
    let listed: std::collections::BTreeSet<&str> = table().iter().map(|r| r.0).collect();
    for entry in std::fs::read_dir(fixture_dir()).expect("fixture dir") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".json") {
            assert!(
                listed.contains(name.as_str()),
                "{name} is not checked by any row"
            );
        }
    }
}

#[test]
fn quirks_decode_to_the_values_a_caller_expects() {
    let read = |file: &str| std::fs::read_to_string(fixture_dir().join(file)).expect("fixture");
    let statuses: types::FriendStatusResponseArray =
        serde_json::from_str(&read("friends_v1_users_id_friends_statuses.json")).expect("decodes");
    let status = statuses.data.first().and_then(|s| s.status.clone());
    assert_eq!(
        status,
        Some(types::FriendshipStatus::KnownFriendshipStatus(
            types::KnownFriendshipStatus::Friends
        ))
    );

    let requests: types::FriendRequestResponsePage =
        serde_json::from_str(&read("friends_v1_my_friends_requests.json")).expect("decodes");
    assert_eq!(requests.previous_page_cursor, None);
    let origin = requests
        .data
        .first()
        .and_then(|r| r.friend_request.as_ref())
        .and_then(|f| f.origin_source_type.clone());
    assert!(
        matches!(
            origin,
            Some(types::FriendshipOriginSourceType::KnownFriendshipOriginSourceType(_))
        ),
        "the string \"InGame\" is a known origin, got {origin:?}"
    );

    let error: types::ErrorResponse =
        serde_json::from_str(&read("error_403_token_validation_failed_flat_shape.json"))
            .expect("decodes");
    assert_eq!(
        (error.code, error.message.as_deref()),
        (Some(0), Some("Token Validation Failed"))
    );
}

#[test]
fn unknown_enum_values_and_fields_do_not_fail_a_response() {
    let body =
        r#"{"data":[{"id":1,"status":"BestFriends","brandNewField":{"x":1}},{"id":2,"status":3}]}"#;
    let decoded: types::FriendStatusResponseArray = serde_json::from_str(body).expect("decodes");
    assert!(matches!(
        decoded.data[0].status,
        Some(types::FriendshipStatus::Unknown(_))
    ));
    assert_eq!(
        decoded.data[1].status,
        Some(types::FriendshipStatus::Code(3))
    );
}
