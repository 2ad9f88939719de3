//! Regression tests for stub bugs these contract tests found: a malformed status id's code,
//! find/search walks under concurrent changes, integer origin types, the state dump.

use contract_tests::prelude::*;
use futures::TryStreamExt;
use social_sdk::friends::types::{
    FriendshipOriginSourceType, FriendshipRequest, KnownFriendshipOriginSourceType,
};
use std::collections::HashSet;

/// BEHAVIOR.md, Statuses: "a non-positive or non-numeric id → 400 code 16". The stub's
/// document validation rejects `abc` before the handler and answers with the first code the
/// operation lists for 400, code 1.
#[tokio::test]
async fn a_non_numeric_status_id_is_400_code_16() {
    let env = Env::new().await;
    let me = env.user("me").await;
    for query in ["userIds=abc", "userIds=1,abc", "userIds=1&userIds=x2"] {
        let path = format!("/v1/users/{}/friends/statuses?{query}", me.user.id);
        let (status, code, message, _) = raw_error(env.raw_get("friends", &path, None).await).await;
        let answer = (status, code, message.as_str());
        assert_eq!(
            answer,
            (400, 16, "Invalid ids."),
            "{query}: answered {answer:?}"
        );
    }
}

/// BEHAVIOR.md, Paging: "Paging is keyset-based … a page walk under concurrent inserts never
/// repeats or skips an item that existed for the whole walk." `friends/find` (and
/// `friends/search`) page by position in the name-sorted list, so a friend added in front of
/// the walk's position shifts everything and the walk sees an item twice.
#[tokio::test]
async fn find_user_friends_walk_under_concurrent_inserts_neither_repeats_nor_skips() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let pals = env.users("pal", 12).await;
    for p in &pals {
        env.befriend(&me, p).await;
    }
    let original: HashSet<i64> = ids(&pals).into_iter().collect();
    let client = env.anonymous_friends();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for round in 0..10 {
        let mut request = client.find_user_friends().user_id(me.user.id).limit(5u32);
        if let Some(c) = cursor.take() {
            request = request.cursor(c);
        }
        let page = request.await.expect("page");
        seen.extend(page.page_items.iter().filter_map(|f| f.id));
        // A new friend whose name sorts before everyone already listed.
        let newcomer = env.user(&format!("aaa{round}")).await;
        env.befriend(&me, &newcomer).await;
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "an item was repeated: {seen:?}");
    assert!(original.is_subset(&unique), "an item was skipped: {seen:?}");
}

/// Same contract, `friends/search`, with a friend removed during the walk: everything that
/// stayed a friend must still be seen.
#[tokio::test]
async fn search_user_friends_walk_under_concurrent_removal_does_not_skip() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let pals = env.users("pal", 12).await;
    for p in &pals {
        env.befriend(&me, p).await;
    }
    let client = env.friends(&me);
    let first = client
        .search_user_friends()
        .user_id(me.user.id)
        .query("pal")
        .limit(5u32)
        .await
        .expect("page 1");
    // pal00 (already seen) stops being a friend.
    client
        .unfriend_user()
        .target_user_id(pals[0].user.id)
        .await
        .expect("unfriend");
    let rest: Vec<i64> = client
        .search_user_friends()
        .user_id(me.user.id)
        .query("pal")
        .limit(5u32)
        .cursor(first.next_cursor.expect("next cursor"))
        .stream()
        .map_ok(|f| f.id.expect("id"))
        .try_collect()
        .await
        .expect("rest of the walk");
    let mut seen: Vec<i64> = first.page_items.iter().filter_map(|f| f.id).collect();
    seen.extend(rest);
    assert_eq!(seen, ids(&pals), "pal05 must not be skipped");
}

/// openapi/friends.yaml, FriendshipOriginSourceType: "the service sends the name … and
/// accepts either" (the integer code or the name). The stub stores an integer code as
/// `Unknown`, so a request sent with `3` lists as `Unknown` instead of `InGame`.
#[tokio::test]
async fn an_integer_origin_source_type_is_listed_by_its_name() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let asker = env.user("asker").await;
    env.friends(&asker)
        .request_friendship()
        .target_user_id(me.user.id)
        .body(FriendshipRequest {
            friendship_origin_source_type: Some(FriendshipOriginSourceType::Code(3)),
        })
        .await
        .expect("request");
    let listed = env
        .friends(&me)
        .get_my_friend_requests()
        .await
        .expect("requests");
    let origin = listed.data[0]
        .friend_request
        .as_ref()
        .and_then(|r| r.origin_source_type.clone());
    assert_eq!(
        origin,
        Some(KnownFriendshipOriginSourceType::InGame.into()),
        "3 is InGame; listed as {origin:?}"
    );
}

/// The control plane's `GET /__stub/worlds/{w}/state` ("the whole world as JSON") answers
/// `"roblox": null` as soon as the world holds a follow, a friend request or a tag:
/// `RobloxState` keys those maps by `(i64, i64)` tuples, which JSON cannot have as object
/// keys, so `RobloxState::dump` fails and falls back to `null`.
#[tokio::test]
async fn the_state_dump_shows_follows_requests_and_tags() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let star = env.user("star").await;
    let empty = env.world.state().await.expect("state");
    assert!(
        empty["roblox"].is_object(),
        "an empty world dumps fine: {empty}"
    );
    env.follow(&me, &star).await;
    env.friends(&me)
        .request_friendship()
        .target_user_id(star.user.id)
        .await
        .expect("request");
    env.contacts(&me)
        .set_user_tag()
        .body(social_sdk::contacts::types::SetUserTagRequest {
            target_user_id: star.user.id,
            user_tag: "pal".into(),
        })
        .await
        .expect("tag");
    let state = env.world.state().await.expect("state");
    let roblox = &state["roblox"];
    assert!(!roblox.is_null(), "the Roblox state is null: {state}");
    let text = roblox.to_string();
    assert!(text.contains("\"pal\""), "the tag is in the dump: {text}");
    assert_eq!(
        roblox["users"].as_object().map(|u| u.len()),
        Some(2),
        "{text}"
    );
}
