//! Keyset paging of friend ids and applications with a growing `version`, and the refusals
//! of bad limits and foreign cursors.

use super::*;

/// The caller's roster version now, asserting it grew past `last`.
pub(super) async fn grown(client: &roster::Client, last: i64, what: &str) -> i64 {
    let now = client
        .list_roster_friend_ids()
        .send()
        .await
        .expect("page")
        .into_inner()
        .version
        .expect("version");
    assert!(now > last, "{what} grows the version ({last} → {now})");
    now
}

pub(super) async fn friend_ids_result(client: &roster::Client) -> Result<Vec<i64>, Error> {
    client.list_roster_friend_ids().await
}

#[tokio::test]
async fn friend_ids_page_by_cursor_and_the_version_grows() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let mut others = Vec::new();
    for i in 0..25 {
        others.push(im.user(&format!("f{i:02}")).await);
    }
    let a = im.client(&ann);
    let first_version = a
        .list_roster_friend_ids()
        .send()
        .await
        .expect("empty list")
        .into_inner()
        .version
        .expect("version");
    let batch = a
        .apply_roster_friends_batch()
        .body(
            others
                .iter()
                .map(|o| batch_item(o.user.id))
                .collect::<Vec<_>>(),
        )
        .await
        .expect("batch");
    assert_eq!(batch.success.map(|s| s.len()), Some(25));

    let mut expected: Vec<i64> = others.iter().map(|o| o.user.id).collect();
    expected.sort_unstable();
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    let mut versions = Vec::new();
    let mut pages = 0;
    loop {
        let mut request = a.list_roster_friend_ids().limit(10);
        if let Some(c) = &cursor {
            request = request.cursor(c.as_str());
        }
        let page = request.send().await.expect("page").into_inner();
        assert_eq!(page.code, Some(200));
        pages += 1;
        walked.extend(page.data.unwrap_or_default());
        versions.push(page.version.expect("version"));
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(walked, expected, "every friend once, in id order");
    assert!(
        versions[0] > first_version,
        "the version grew with the friendships"
    );
    assert!(
        versions.iter().all(|v| *v == versions[0]),
        "unchanged during the walk"
    );
    assert_eq!(
        friend_ids(&a).await,
        expected,
        "the SDK stream walks the same pages"
    );

    // Every roster change grows the version, whoever makes it.
    let mut last = versions[0];
    a.update_roster_friend_ext()
        .body(ext_body(expected[0], Some("x"), None, None))
        .await
        .expect("ext");
    last = grown(&a, last, "ext").await;
    a.delete_roster_friend()
        .user_id(expected[1])
        .await
        .expect("delete");
    last = grown(&a, last, "delete").await;
    a.block_roster_user()
        .user_id(expected[2])
        .await
        .expect("block");
    last = grown(&a, last, "block").await;
    a.unblock_roster_user()
        .user_id(expected[2])
        .await
        .expect("unblock");
    last = grown(&a, last, "unblock").await;
    im.client(&others[3])
        .delete_roster_friend()
        .user_id(ann.user.id)
        .await
        .expect("deleted by the other side");
    grown(&a, last, "a delete by the other side").await;

    // A walk in progress survives friends removed meanwhile.
    let first = a
        .list_roster_friend_ids()
        .limit(5)
        .send()
        .await
        .expect("page")
        .into_inner();
    let next = first.cursor.expect("more pages");
    let removed = first.data.as_ref().expect("ids")[0];
    a.delete_roster_friend()
        .user_id(removed)
        .await
        .expect("delete");
    let second = a
        .list_roster_friend_ids()
        .limit(5)
        .cursor(next.as_str())
        .send()
        .await
        .expect("page")
        .into_inner();
    let last_seen = *first.data.as_ref().expect("ids").last().expect("id");
    assert!(
        second.data.expect("ids").iter().all(|id| *id > last_seen),
        "the next page continues after the last id seen"
    );
}

#[tokio::test]
async fn paging_refuses_bad_limits_and_cursors_that_are_not_the_lists() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    for i in 0..3 {
        let f = im.user(&format!("f{i}")).await;
        im.befriend(&ann, &f).await;
        im.befriend(&bob, &f).await;
    }
    let (a, b) = (im.client(&ann), im.client(&bob));
    // `limit` is `minimum: 1, maximum: 100` in the document: the SDK's builder refuses 0
    // before sending (its type is `NonZeroU32`), the stub answers 10002 to what the SDK cannot
    // send, and 101 (in the type, out of the schema) reaches the stub and gets 10002 too.
    assert!(matches!(
        a.list_roster_friend_ids().limit(0u32).await,
        Err(Error::InvalidRequest { .. })
    ));
    expect_code(
        a.list_roster_friend_ids().limit(101u32).await,
        BAD_PARAMETER,
    );
    expect_code(
        a.list_roster_applications().limit(101u32).await,
        BAD_PARAMETER,
    );
    let app = im.app.app_id.as_str();
    for path in ["/roster/list", "/roster/apply/list"] {
        for limit in ["0", "-1", "101"] {
            let response = im
                .raw(reqwest::Method::GET, &format!("{path}?limit={limit}"))
                .header("access-token", ann.token.as_str())
                .header("app_id", app)
                .send()
                .await
                .expect("sent");
            assert_eq!(response.status(), 200, "{path}?limit={limit}");
            let body: serde_json::Value = response.json().await.expect("envelope");
            assert_eq!(body["code"], BAD_PARAMETER, "{path}?limit={limit}: {body}");
        }
    }
    assert_eq!(
        a.list_roster_friend_ids()
            .limit(100)
            .await
            .expect("100")
            .len(),
        3
    );
    let bobs_cursor = b
        .list_roster_friend_ids()
        .limit(1)
        .send()
        .await
        .expect("page")
        .into_inner()
        .cursor
        .expect("cursor");
    for cursor in [bobs_cursor.as_str(), "forged", "eyJ9.AAAA"] {
        expect_code(
            a.list_roster_friend_ids().cursor(cursor).await,
            BAD_PARAMETER,
        );
        expect_code(
            a.list_roster_applications().cursor(cursor).await,
            BAD_PARAMETER,
        );
    }
    assert_eq!(
        b.list_roster_friend_ids()
            .limit(1)
            .cursor(bobs_cursor.as_str())
            .await
            .expect("its own list")
            .len(),
        1
    );
}

#[tokio::test]
async fn applications_page_newest_first_with_a_version() {
    let im = Im::new().await;
    let star = im
        .user_with(json!({"username": "star", "authMode": 1}))
        .await;
    let mut fans = Vec::new();
    for i in 0..12 {
        let fan = im.user(&format!("fan{i:02}")).await;
        let reason = format!("fan {i}");
        apply_with(&im.client(&fan), &star, Some(reason.as_str()), None, None)
            .await
            .expect("apply");
        fans.push(fan);
    }
    let s = im.client(&star);
    let newest_first: Vec<i64> = fans.iter().rev().map(|f| f.user.id).collect();
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    let mut version = None;
    loop {
        let mut request = s.list_roster_applications().limit(5);
        if let Some(c) = &cursor {
            request = request.cursor(c.as_str());
        }
        let page = request.send().await.expect("page").into_inner();
        walked.extend(
            page.data
                .unwrap_or_default()
                .into_iter()
                .filter_map(|a| a.user_id),
        );
        version = page.version.or(version);
        cursor = page.cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(walked, newest_first);
    let before = version.expect("version");
    s.decline_roster_application()
        .body(decline_body(fans[0].user.id, None))
        .await
        .expect("decline");
    let after = s
        .list_roster_applications()
        .send()
        .await
        .expect("page")
        .into_inner()
        .version
        .expect("version");
    assert!(after > before, "answering an application grows the version");
    let streamed: Vec<i64> = s
        .list_roster_applications()
        .limit(5)
        .stream()
        .map_ok(|a| a.user_id.unwrap_or_default())
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(streamed, newest_first);
}
