//! Rules the documents used to state in prose only, now in their schemas (issue 15): for
//! Friends v1, Contacts v1 and roster, one rule each is refused by the document's own schema
//! (so every generated client and conformance tool sees it), and the stub still answers it
//! with the documented error. The social-friends and party rules have their own tests in
//! `social/` and `party/`.

use contract_tests::prelude::*;
use contract_tests::schema::{body as body_schema, parameter as parameter_schema};
use serde_json::{Value, json};
use social_stub::spec;

/// Friends v1: `following-exists` takes at most 100 ids (`maxItems`, answered 400 code 0).
#[tokio::test]
async fn friends_following_exists_takes_at_most_100_ids() {
    let schema = body_schema("friends", "get_following_exists");
    let ids = |n: i64| json!({"targetUserIds": (1..=n).collect::<Vec<_>>()});
    assert!(spec::check(&ids(100), schema, "").is_ok());
    assert!(spec::check(&ids(101), schema, "").is_err());

    let env = Env::new().await;
    let me = env.user("me").await;
    let csrf = env.csrf(&me).await;
    let path = "/v1/user/following-exists";
    let answer = env
        .raw_post("friends", path, Some(&me), Some(&csrf), ids(101))
        .await;
    let (status, code, message, _) = raw_error(answer).await;
    assert_eq!(
        (status, code, message.as_str()),
        (400, 0, "An invalid userId was passed in.")
    );
}

/// Contacts v1: a tag body needs both `targetUserId` and `userTag` (`required`, answered 400
/// code 4; the SDK's type makes both fields non-optional).
#[tokio::test]
async fn contacts_tag_bodies_need_both_fields() {
    let schema = body_schema("contacts", "set_user_tag");
    assert!(spec::check(&json!({"targetUserId": 1, "userTag": "pal"}), schema, "").is_ok());
    for body in [
        json!({"targetUserId": 1}),
        json!({"userTag": "pal"}),
        json!({}),
    ] {
        assert!(spec::check(&body, schema, "").is_err(), "{body}");
    }
    // The answer is pinned in `contacts::tag_errors`: 400 code 4.
}

/// Roster: `limit` is 1–100 (`minimum`/`maximum`, answered HTTP 200 with business code
/// 10002, as every input the schema refuses); the answers are pinned in `roster/paging.rs`.
#[test]
fn roster_limits_are_1_to_100() {
    for operation in ["list_roster_friend_ids", "list_roster_applications"] {
        let schema = parameter_schema("roster", operation, "limit");
        for fits in [1, 50, 100] {
            assert!(
                spec::check(&json!(fits), schema, "").is_ok(),
                "{operation} {fits}"
            );
        }
        for refused in [0, -1, 101] {
            assert!(
                spec::check(&json!(refused), schema, "").is_err(),
                "{operation} {refused}"
            );
        }
    }
    let batch = body_schema("roster", "apply_roster_friends_batch");
    let items = |n: usize| Value::Array(vec![json!({"user_id": 1}); n]);
    assert!(spec::check(&items(100), batch, "").is_ok());
    assert!(spec::check(&items(101), batch, "").is_err());
}
