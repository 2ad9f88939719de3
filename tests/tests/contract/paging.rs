//! Keyset paging of followers, followings and friend requests: page streams in both sort
//! orders, walks under concurrent inserts, `previousPageCursor`, and cursors that are not
//! the server's.

use contract_tests::prelude::*;
use futures::TryStreamExt;
use social_sdk::friends::types::{SortOrder, UserResponseWithoutPresencePage};
use social_stub::roblox::CreatedUser;
use std::collections::HashSet;

const FOLLOWERS: usize = 35;

async fn star_with_followers(env: &Env) -> (CreatedUser, Vec<CreatedUser>) {
    let star = env.user("star").await;
    let fans = env.users("fan", FOLLOWERS).await;
    for f in &fans {
        env.follow(f, &star).await;
    }
    (star, fans)
}

fn page_ids(page: &UserResponseWithoutPresencePage) -> Vec<i64> {
    page.data.iter().map(|u| u.id.expect("id")).collect()
}

async fn followers_page(
    env: &Env,
    star: i64,
    order: SortOrder,
    cursor: Option<&str>,
) -> UserResponseWithoutPresencePage {
    let client = env.anonymous_friends();
    let mut request = client
        .get_user_followers()
        .target_user_id(star)
        .sort_order(order)
        .limit(10);
    if let Some(cursor) = cursor {
        request = request.cursor(cursor);
    }
    request.await.expect("followers page")
}

#[tokio::test]
async fn follower_streams_in_both_orders_repeat_the_filters_on_every_page() {
    let env = Env::new().await;
    let (star, fans) = star_with_followers(&env).await;
    let client = env.anonymous_friends();
    let oldest_first = ids(&fans);
    let newest_first: Vec<i64> = oldest_first.iter().rev().copied().collect();

    for (order, expected) in [
        (SortOrder::Asc, &oldest_first),
        (SortOrder::Desc, &newest_first),
    ] {
        let streamed: Vec<i64> = client
            .get_user_followers()
            .target_user_id(star.user.id)
            .sort_order(order)
            .limit(10)
            .stream()
            .map_ok(|u| u.id.expect("id"))
            .try_collect()
            .await
            .expect("stream");
        assert_eq!(&streamed, expected, "{order}");
    }

    let log = env.logged("get_user_followers").await;
    assert_eq!(log.len(), 8, "4 pages of 10 per order: {log:?}");
    for (i, request) in log.iter().enumerate() {
        let order = if i < 4 { "Asc" } else { "Desc" };
        assert!(
            request.uri.contains(&format!("sortOrder={order}")) && request.uri.contains("limit=10"),
            "page {i} repeats the filters: {}",
            request.uri
        );
        assert_eq!(
            request.uri.contains("cursor="),
            i % 4 != 0,
            "{}",
            request.uri
        );
        assert_eq!(request.status, 200);
    }

    // Stopping early fetches no more pages than needed.
    let first_twelve: Vec<_> = futures::StreamExt::take(
        client
            .get_user_followers()
            .target_user_id(star.user.id)
            .stream(),
        12,
    )
    .try_collect()
    .await
    .expect("take");
    assert_eq!(first_twelve.len(), 12);
    assert_eq!(env.logged("get_user_followers").await.len(), 10);
}

#[tokio::test]
async fn a_walk_under_concurrent_inserts_neither_repeats_nor_skips() {
    let env = Env::new().await;
    let (star, fans) = star_with_followers(&env).await;
    let original: HashSet<i64> = ids(&fans).into_iter().collect();
    let mut late = 0;

    for order in [SortOrder::Asc, SortOrder::Desc] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = followers_page(&env, star.user.id, order, cursor.as_deref()).await;
            seen.extend(page_ids(&page));
            pages += 1;
            assert!(pages < 20, "the walk ends");
            // New followers arrive while the walk is under way.
            for _ in 0..3 {
                let newcomer = env.user(&format!("late{late:03}")).await;
                late += 1;
                env.follow(&newcomer, &star).await;
            }
            match page.next_page_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let unique: HashSet<i64> = seen.iter().copied().collect();
        assert_eq!(unique.len(), seen.len(), "{order}: no item twice: {seen:?}");
        assert!(
            original.is_subset(&unique),
            "{order}: every follower that existed for the whole walk was seen; missing {:?}",
            original.difference(&unique).collect::<Vec<_>>()
        );
        // What the walk saw of the original followers is in order.
        let originals: Vec<i64> = seen
            .into_iter()
            .filter(|id| original.contains(id))
            .collect();
        let mut expected = ids(&fans);
        if order == SortOrder::Desc {
            expected.reverse();
        }
        assert_eq!(originals, expected, "{order}");
    }
}

#[tokio::test]
async fn previous_page_cursor_goes_back_one_page() {
    let env = Env::new().await;
    let (star, _) = star_with_followers(&env).await;
    for order in [SortOrder::Asc, SortOrder::Desc] {
        let first = followers_page(&env, star.user.id, order, None).await;
        assert_eq!(first.previous_page_cursor, None, "{order}: first page");
        let second =
            followers_page(&env, star.user.id, order, first.next_page_cursor.as_deref()).await;
        let third = followers_page(
            &env,
            star.user.id,
            order,
            second.next_page_cursor.as_deref(),
        )
        .await;
        let fourth =
            followers_page(&env, star.user.id, order, third.next_page_cursor.as_deref()).await;
        assert_eq!(page_ids(&fourth).len(), FOLLOWERS - 30);
        assert_eq!(fourth.next_page_cursor, None, "{order}: last page");

        let back = followers_page(
            &env,
            star.user.id,
            order,
            third.previous_page_cursor.as_deref(),
        )
        .await;
        assert_eq!(
            page_ids(&back),
            page_ids(&second),
            "{order}: back from 3 is 2"
        );
        let back = followers_page(
            &env,
            star.user.id,
            order,
            back.previous_page_cursor.as_deref(),
        )
        .await;
        assert_eq!(
            page_ids(&back),
            page_ids(&first),
            "{order}: back from 2 is 1"
        );
        assert_eq!(
            back.previous_page_cursor, None,
            "{order}: back at the start"
        );
        assert!(back.next_page_cursor.is_some());
        let back = followers_page(
            &env,
            star.user.id,
            order,
            fourth.previous_page_cursor.as_deref(),
        )
        .await;
        assert_eq!(
            page_ids(&back),
            page_ids(&third),
            "{order}: back from the last page"
        );
    }
}

#[tokio::test]
async fn cursors_only_work_on_the_list_they_came_from() {
    let env = Env::new().await;
    let (star, fans) = star_with_followers(&env).await;
    let c = env.anonymous_friends();
    let asc = followers_page(&env, star.user.id, SortOrder::Asc, None).await;
    let cursor = asc.next_page_cursor.expect("next cursor");

    // The other sort order, another user's list, another operation.
    expect_error(
        c.get_user_followers()
            .target_user_id(star.user.id)
            .sort_order(SortOrder::Desc)
            .cursor(cursor.as_str())
            .await,
        400,
        6,
        INVALID_PARAMETERS,
    );
    expect_error(
        c.get_user_followers()
            .target_user_id(fans[0].user.id)
            .cursor(cursor.as_str())
            .await,
        400,
        6,
        INVALID_PARAMETERS,
    );
    expect_error(
        c.get_user_followings()
            .target_user_id(star.user.id)
            .cursor(cursor.as_str())
            .await,
        400,
        6,
        INVALID_PARAMETERS,
    );

    // Edited by one character.
    let mut edited = cursor.clone().into_bytes();
    let i = edited.len() / 3;
    edited[i] = if edited[i] == b'A' { b'B' } else { b'A' };
    let edited = String::from_utf8(edited).expect("ascii");
    expect_error(
        c.get_user_followers()
            .target_user_id(star.user.id)
            .cursor(edited)
            .await,
        400,
        6,
        INVALID_PARAMETERS,
    );

    // Another world's cursor for the "same" list.
    let other = Env::new().await;
    let (other_star, _) = star_with_followers(&other).await;
    assert_eq!(other_star.user.id, star.user.id, "same ids in both worlds");
    let foreign = followers_page(&other, other_star.user.id, SortOrder::Asc, None)
        .await
        .next_page_cursor
        .expect("cursor");
    expect_error(
        c.get_user_followers()
            .target_user_id(star.user.id)
            .cursor(foreign)
            .await,
        400,
        6,
        INVALID_PARAMETERS,
    );

    // The genuine cursor still works.
    let page = c
        .get_user_followers()
        .target_user_id(star.user.id)
        .cursor(cursor)
        .await
        .expect("page 2");
    assert_eq!(page_ids(&page), ids(&fans[10..20]));
}

#[tokio::test]
async fn followings_page_like_followers() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let stars = env.users("star", 23).await;
    for s in &stars {
        env.follow(&me, s).await;
    }
    let streamed: Vec<i64> = env
        .anonymous_friends()
        .get_user_followings()
        .target_user_id(me.user.id)
        .sort_order(SortOrder::Desc)
        .stream()
        .map_ok(|u| u.id.expect("id"))
        .try_collect()
        .await
        .expect("stream");
    let mut expected = ids(&stars);
    expected.reverse();
    assert_eq!(streamed, expected);
    assert_eq!(
        env.logged("get_user_followings").await.len(),
        3,
        "default limit 10"
    );
    let page = env
        .anonymous_friends()
        .get_user_followings()
        .target_user_id(me.user.id)
        .limit(18)
        .await
        .expect("page");
    assert_eq!(page_ids(&page), ids(&stars[..18]), "Asc by default");
}

#[tokio::test]
async fn friend_requests_page_newest_first() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let askers = env.users("asker", 15).await;
    for a in &askers {
        env.friends(a)
            .request_friendship()
            .target_user_id(me.user.id)
            .await
            .expect("request");
    }
    let client = env.friends(&me);
    let newest_first: Vec<i64> = ids(askers.iter().rev());

    let first = client.get_my_friend_requests().await.expect("page");
    assert_eq!(first.data.len(), 10, "default limit 10");
    assert_eq!(
        first
            .data
            .iter()
            .map(|r| r.id.expect("id"))
            .collect::<Vec<_>>(),
        newest_first[..10]
    );
    let second = client
        .get_my_friend_requests()
        .cursor(first.next_page_cursor.clone().expect("next"))
        .await
        .expect("page 2");
    assert_eq!(
        second
            .data
            .iter()
            .map(|r| r.id.expect("id"))
            .collect::<Vec<_>>(),
        newest_first[10..]
    );
    assert_eq!(second.next_page_cursor, None);
    let back = client
        .get_my_friend_requests()
        .cursor(second.previous_page_cursor.clone().expect("previous"))
        .await
        .expect("back");
    assert_eq!(back.data, first.data);

    let streamed: Vec<i64> = client
        .get_my_friend_requests()
        .limit(4u32)
        .stream()
        .map_ok(|r| r.id.expect("id"))
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(streamed, newest_first);
}

/// The stub answers exactly as its document says, so following its pages costs the SDK no
/// tolerance: a walk leaves its drift report empty.
#[tokio::test]
async fn walking_the_stub_leaves_no_drift() {
    let env = Env::new().await;
    let (star, _) = star_with_followers(&env).await;
    let client = env.anonymous_friends();
    let walked: Vec<_> = client
        .get_user_followers()
        .target_user_id(star.user.id)
        .limit(10)
        .stream()
        .try_collect()
        .await
        .expect("walk");
    assert_eq!(walked.len(), FOLLOWERS);
    let drift = client.drift();
    assert_eq!(drift.total, 0, "{drift:?}");
}
