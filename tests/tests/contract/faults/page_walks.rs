//! Faults in the middle of a page walk: with retries the walk neither loses nor repeats
//! items; without, it stops at the fault and a new walk loses nothing.

use super::*;

/// `star` with `n` followers, oldest first.
pub(super) async fn followed(env: &Faulty, n: usize) -> (CreatedUser, Vec<i64>) {
    let star = env.roblox("star").await;
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let fan = env.roblox(&format!("fan{i:02}")).await;
        env.world
            .follow(fan.user.id, star.user.id)
            .await
            .expect("follow");
        ids.push(fan.user.id);
    }
    (star, ids)
}

#[tokio::test]
async fn a_page_walk_recovers_from_faults_between_pages_without_losing_or_repeating_items() {
    let env = Faulty::new(RetryPolicy::default().with_max_attempts(5)).await;
    let (star, fans) = followed(&env, 25).await;
    let client = env.friends(&star);
    let mut walk = client
        .get_user_followers()
        .target_user_id(star.user.id)
        .sort_order(social_sdk::friends::types::SortOrder::Asc)
        .limit(10)
        .stream();
    let mut seen = Vec::new();
    let mut take = async |n: usize, seen: &mut Vec<i64>| {
        for _ in 0..n {
            let item = within(walk.next())
                .await
                .expect("an item")
                .expect("no error");
            seen.push(item.id.expect("id"));
        }
    };
    take(10, &mut seen).await;
    // Page 2: two 503s. Page 3: a reset mid-body, then a 429.
    env.arm(json!([storm(
        "get_user_followers",
        2,
        503,
        roblox_error(1, "Followers are disabled at this time."),
        0
    )]))
    .await;
    take(10, &mut seen).await;
    env.arm(json!([
        {"operation": "get_user_followers", "reset": true},
        storm("get_user_followers", 1, 429, roblox_error(9, FLOOD), 0),
    ]))
    .await;
    take(5, &mut seen).await;
    assert!(
        within(walk.next()).await.is_none(),
        "the walk ends after 25"
    );
    assert_eq!(seen, fans, "every follower once, in order");

    let pages: Vec<(String, u16)> = env
        .logged("get_user_followers")
        .await
        .into_iter()
        .map(|r| (r.uri, r.status))
        .collect();
    let statuses: Vec<u16> = pages.iter().map(|p| p.1).collect();
    assert_eq!(statuses, [200, 503, 503, 200, 200, 429, 200], "{pages:?}");
    assert!(
        pages[1..4].iter().all(|p| p.0 == pages[1].0)
            && pages[4..].iter().all(|p| p.0 == pages[4].0),
        "each retry asks for the same page (same cursor): {pages:?}"
    );
    assert_ne!(pages[1].0, pages[4].0);

    // A roster walk with a reset on its second page.
    let ann = env.roster_user("ann").await;
    let mut friends = Vec::new();
    for i in 0..5 {
        let friend = env.roster_user(&format!("f{i}")).await;
        env.world
            .roster_befriend(&env.app.app_id, ann.user.id, friend.user.id)
            .await
            .expect("befriend");
        friends.push(friend.user.id);
    }
    let roster = env.roster(&ann);
    let mut walk = roster.list_roster_friend_ids().limit(2).stream();
    let first = within(walk.next()).await.expect("item").expect("ok");
    let second = within(walk.next()).await.expect("item").expect("ok");
    env.arm(json!([{"operation": "list_roster_friend_ids", "reset": true}]))
        .await;
    let mut ids = vec![first, second];
    while let Some(item) = within(walk.next()).await {
        ids.push(item.expect("recovered"));
    }
    ids.sort_unstable();
    friends.sort_unstable();
    assert_eq!(ids, friends, "every friend once");
    assert_eq!(env.statuses("list_roster_friend_ids").await.len(), 4);
}

#[tokio::test]
async fn without_retries_a_page_walk_stops_at_the_fault_and_a_new_walk_loses_nothing() {
    let env = Faulty::new(RetryPolicy::disabled()).await;
    let (star, fans) = followed(&env, 25).await;
    let client = env.friends(&star);
    let walk = || {
        client
            .get_user_followers()
            .target_user_id(star.user.id)
            .sort_order(social_sdk::friends::types::SortOrder::Asc)
            .limit(10)
            .stream()
    };
    let mut stream = walk();
    let mut before = Vec::new();
    for _ in 0..10 {
        let item = within(stream.next()).await.expect("item").expect("ok");
        before.push(item.id.expect("id"));
    }
    env.arm(json!([storm(
        "get_user_followers",
        1,
        503,
        roblox_error(1, "Followers are disabled at this time."),
        0
    )]))
    .await;
    let error = within(stream.next())
        .await
        .expect("an item")
        .expect_err("the fault is the next item");
    assert_status_code(&error, 503, 1);
    assert!(error.is_retryable());
    assert!(
        within(stream.next()).await.is_none(),
        "the walk ends at its error"
    );
    assert_eq!(
        env.statuses("get_user_followers").await,
        [200, 503],
        "no page is requested after the error"
    );

    // Walking again from the start delivers the same first page, then the rest.
    let again: Vec<i64> = within(walk().map(|r| r.expect("ok").id.expect("id")).collect()).await;
    assert_eq!(&again[..10], before.as_slice(), "the same first page");
    assert_eq!(again, fans, "nothing lost, nothing repeated");
}
