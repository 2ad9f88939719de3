//! Page streams: filters repeated on every page, backpressure, cursor loops, PascalCase and
//! roster page shapes.

use crate::support::{config, requests};
use futures::{StreamExt, TryStreamExt};
use serde_json::json;
use social_sdk::{Auth, Error, FakeClock, RetryPolicy};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn page(ids: &[i64], next: Option<&str>) -> ResponseTemplate {
    let data: Vec<_> = ids
        .iter()
        .map(|id| json!({"id": id, "name": format!("user{id}")}))
        .collect();
    ResponseTemplate::new(200)
        .set_body_json(json!({"previousPageCursor": null, "nextPageCursor": next, "data": data}))
}

async fn mount_followers(server: &MockServer, cursor: Option<&str>, response: ResponseTemplate) {
    let mock = Mock::given(method("GET"))
        .and(path("/v1/users/7/followers"))
        .and(query_param("sortOrder", "Desc"))
        .and(query_param("limit", "25"));
    match cursor {
        Some(c) => {
            mock.and(query_param("cursor", c))
                .respond_with(response)
                .mount(server)
                .await
        }
        None => {
            mock.and(query_param_is_missing("cursor"))
                .respond_with(response)
                .mount(server)
                .await
        }
    }
}

#[tokio::test]
async fn a_three_page_walk_repeats_the_filters_on_every_page() {
    let server = MockServer::start().await;
    mount_followers(&server, None, page(&[1, 2], Some("c1"))).await;
    mount_followers(&server, Some("c1"), page(&[3, 4], Some("c2"))).await;
    mount_followers(&server, Some("c2"), page(&[5], None)).await;
    let clock = FakeClock::new();
    let client = config(&server, &clock, RetryPolicy::disabled()).friends(Auth::none());
    let followers = || {
        client
            .get_user_followers()
            .target_user_id(7)
            .sort_order(social_sdk::friends::types::SortOrder::Desc)
            .limit(25)
    };

    let ids: Vec<i64> = followers()
        .stream()
        .map_ok(|u| u.id.expect("id"))
        .try_collect()
        .await
        .expect("walks");
    assert_eq!(ids, [1, 2, 3, 4, 5]);
    assert_eq!(
        requests(&server).await.len(),
        3,
        "filters matched on all three pages"
    );

    // Backpressure: taking two items fetches one page only.
    server.reset().await;
    mount_followers(&server, None, page(&[1, 2], Some("c1"))).await;
    let first_two: Vec<_> = followers()
        .stream()
        .take(2)
        .try_collect()
        .await
        .expect("first page");
    assert_eq!(first_two.len(), 2);
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn a_repeated_cursor_stops_the_stream_with_an_error() {
    let server = MockServer::start().await;
    mount_followers(&server, None, page(&[1], Some("same"))).await;
    mount_followers(&server, Some("same"), page(&[2], Some("same"))).await;
    let clock = FakeClock::new();
    let client = config(&server, &clock, RetryPolicy::disabled()).friends(Auth::none());
    let results: Vec<_> = client
        .get_user_followers()
        .target_user_id(7)
        .sort_order(social_sdk::friends::types::SortOrder::Desc)
        .limit(25)
        .stream()
        .collect()
        .await;
    assert!(
        matches!(results.last(), Some(Err(Error::CursorLoop { cursor, .. })) if cursor == "same"),
        "{results:?}"
    );
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn pascal_case_and_roster_pages_stream_too() {
    let server = MockServer::start().await;
    Mock::given(path("/v1/users/1/friends/search"))
        .and(query_param("query", "al"))
        .and(query_param_is_missing("cursor"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"PreviousCursor": null, "PageItems": [{"id": 10}], "NextCursor": "n1", "HasMore": null})))
        .mount(&server)
        .await;
    Mock::given(path("/v1/users/1/friends/search"))
        .and(query_param("query", "al"))
        .and(query_param("cursor", "n1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"PreviousCursor": "p", "PageItems": [{"id": 11}], "NextCursor": "", "HasMore": false})))
        .mount(&server)
        .await;
    Mock::given(path("/roster/list"))
        .and(query_param_is_missing("cursor"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 200, "data": [1, 2], "cursor": "r1", "version": 3})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/roster/list"))
        .and(query_param("cursor", "r1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 10008, "data": null, "message": "invalid token"})),
        )
        .mount(&server)
        .await;
    let clock = FakeClock::new();
    let config = config(&server, &clock, RetryPolicy::disabled());

    let found: Vec<_> = config
        .friends(Auth::bearer("t"))
        .search_user_friends()
        .user_id(1)
        .query("al")
        .stream()
        .try_collect()
        .await
        .expect("two pages");
    assert_eq!(
        found.iter().map(|f| f.id).collect::<Vec<_>>(),
        [Some(10), Some(11)],
        "an empty cursor ends the walk"
    );

    let walked: Vec<_> = config
        .roster(Auth::roster("a", "t"))
        .list_roster_friend_ids()
        .stream()
        .collect()
        .await;
    assert!(
        matches!(walked[..], [Ok(1), Ok(2), Err(ref e)] if e.code().is_some_and(|c| *c == 10008)),
        "{walked:?}"
    );
}
