//! What the SDK tolerates in answers, through real generated calls: .NET timestamps, one
//! undecodable field in a page, unknown fields and enum values, `null` lists; and the drift
//! report that names each by operation and index-free JSON path.

use crate::support::config;
use chrono::{DateTime, TimeZone, Utc};
use futures::TryStreamExt;
use serde_json::{Value, json};
use social_sdk::friends::types::FriendshipStatus;
use social_sdk::{Auth, DriftKind, FakeClock, RetryPolicy};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server answering every GET with `body`.
async fn answering(body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    server
}

fn friends(server: &MockServer) -> social_sdk::friends::Client {
    config(server, &FakeClock::new(), RetryPolicy::disabled()).friends(Auth::roblox_cookie("c"))
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: i64) -> DateTime<Utc> {
    let whole = Utc
        .with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("valid");
    whole + chrono::Duration::milliseconds(ms)
}

#[tokio::test]
async fn every_dotnet_timestamp_form_decodes() {
    let cases = [
        ("0001-01-01T00:00:00", utc(1, 1, 1, 0, 0, 0, 0), true),
        (
            "2024-03-24T02:25:33.0950000",
            utc(2024, 3, 24, 2, 25, 33, 95),
            true,
        ),
        ("0001-01-01T05:52:00Z", utc(1, 1, 1, 5, 52, 0, 0), false),
        ("0001-01-01T05:51:00.000Z", utc(1, 1, 1, 5, 51, 0, 0), false),
        (
            "2024-03-24T02:25:33.0950000Z",
            utc(2024, 3, 24, 2, 25, 33, 95),
            false,
        ),
        (
            "2024-03-24T04:25:33+02:00",
            utc(2024, 3, 24, 2, 25, 33, 0),
            false,
        ),
    ];
    for (form, expected, naive) in cases {
        let server = answering(json!({"data": [{"id": 1, "created": form}]})).await;
        let client = friends(&server);
        let answer = client.get_user_friends().user_id(1).await.expect(form);
        assert_eq!(answer.data[0].created, Some(expected), "{form}");
        let drift = client.drift();
        let reported = drift.count(
            "get_user_friends",
            "data[].created",
            DriftKind::NaiveTimestamp,
        );
        assert_eq!(reported, u64::from(naive), "{form}: {drift:?}");
        assert_eq!(drift.total, u64::from(naive), "{form}: {drift:?}");
    }
}

#[tokio::test]
async fn one_undecodable_field_never_fails_the_page() {
    let server = answering(json!({
        "previousPageCursor": null,
        "nextPageCursor": null,
        "data": [
            {"id": 1, "name": "one", "created": "2024-03-24T02:25:33Z", "isBanned": false},
            {"id": 2, "name": "two", "created": "yesterday", "isBanned": false},
            {"id": 3, "name": "three", "created": "2024-03-24T02:25:33Z", "isBanned": "no"}
        ]
    }))
    .await;
    let client = friends(&server);
    let page = client
        .get_user_followers()
        .target_user_id(7)
        .await
        .expect("page decodes");
    let names: Vec<_> = page.data.iter().map(|u| u.name.as_deref()).collect();
    assert_eq!(names, [Some("one"), Some("two"), Some("three")]);
    assert_eq!(page.data[1].created, None);
    assert_eq!(page.data[1].is_banned, Some(false));
    assert_eq!(page.data[2].is_banned, None);
    assert_eq!(page.data[2].created, page.data[0].created);
    assert!(page.data[0].created.is_some());

    let drift = client.drift();
    let created = drift
        .entry(
            "get_user_followers",
            "data[].created",
            DriftKind::TypeMismatch,
        )
        .expect("created reported");
    assert_eq!(created.count, 1);
    assert!(created.detail.contains("yesterday"), "{created:?}");
    let banned = drift.count(
        "get_user_followers",
        "data[].isBanned",
        DriftKind::TypeMismatch,
    );
    assert_eq!(banned, 1, "{drift:?}");
    assert_eq!(drift.total, 2, "{drift:?}");

    // A page stream reports its pages the same way.
    let streamed: Vec<_> = client
        .get_user_followers()
        .target_user_id(7)
        .stream()
        .try_collect()
        .await
        .expect("stream decodes");
    assert_eq!(streamed.len(), 3);
    assert_eq!(client.drift().total, 4);
}

#[tokio::test]
async fn unknown_fields_and_enum_values_are_reported_with_their_paths() {
    let server = answering(json!({
        "data": [
            {"id": 2, "status": "Friends"},
            {"id": 3, "status": "BestFriends", "mood": "happy"},
            {"id": 4, "status": "BestFriends"}
        ]
    }))
    .await;
    let client = friends(&server);
    let statuses = client
        .get_user_friend_statuses()
        .user_id(1)
        .user_ids(vec![2, 3, 4])
        .await
        .expect("decodes");
    assert!(
        matches!(&statuses.data[1].status, Some(FriendshipStatus::Unknown(v)) if v.as_str() == "BestFriends")
    );

    let drift = client.drift();
    let op = "get_user_friend_statuses";
    let unknown = drift
        .entry(op, "data[].status", DriftKind::UnknownEnumValue)
        .expect("enum value reported");
    assert_eq!(unknown.count, 2);
    assert!(unknown.detail.contains("BestFriends"), "{unknown:?}");
    assert_eq!(drift.count(op, "data[].mood", DriftKind::UnknownField), 1);
    assert_eq!(drift.total, 3, "{drift:?}");
}

#[tokio::test]
async fn nested_unknown_fields_and_null_lists_are_reported() {
    let server = answering(json!({
        "nextPageCursor": null,
        "data": [{
            "id": 5,
            "mutualFriendsList": null,
            "friendRequest": {"senderId": 5, "senderNickname": "n", "sentAt": "2024-03-24T02:25:33Z", "glitter": true}
        }]
    }))
    .await;
    let client = friends(&server);
    let page = client.get_my_friend_requests().await.expect("decodes");
    assert!(page.data[0].mutual_friends_list.is_empty());

    let drift = client.drift();
    let op = "get_my_friend_requests";
    assert_eq!(
        drift.count(op, "data[].friendRequest.glitter", DriftKind::UnknownField),
        1,
        "{drift:?}"
    );
    assert_eq!(
        drift.count(op, "data[].mutualFriendsList", DriftKind::NullAbsorbed),
        1,
        "{drift:?}"
    );
    // Clones share the report.
    assert_eq!(client.clone().drift(), drift);
}

#[tokio::test]
async fn drift_reporting_can_be_turned_off() {
    let server = answering(json!({"data": [{"id": 1, "isBanned": "no", "extra": 1}]})).await;
    let mut builder = social_sdk::Config::builder().drift_reporting(false);
    for service in social_sdk::Service::ALL {
        builder = builder.base_url(service, server.uri());
    }
    let client = builder.build().expect("config").friends(Auth::none());
    let answer = client.get_user_friends().user_id(1).await.expect("decodes");
    assert_eq!(answer.data[0].is_banned, None, "still tolerant");
    assert!(client.drift().is_empty());
}
