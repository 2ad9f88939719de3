//! Friends v1 read operations: the data each returns for a seeded world.

use contract_tests::prelude::*;
use futures::TryStreamExt;
use serde_json::{Value, json};
use social_sdk::friends::types::{
    FollowingExistsRequest, FriendshipStatus, KnownFriendshipStatus, MultigetAreFriendsRequest,
};

fn status(s: KnownFriendshipStatus) -> Option<FriendshipStatus> {
    Some(s.into())
}

#[tokio::test]
async fn metadata_names_the_target_user() {
    let env = Env::new().await;
    let target = env
        .user_with(json!({"name": "meta_target", "displayName": "Meta Target"}))
        .await;
    let client = env.anonymous_friends();

    let named = client
        .get_friends_metadata()
        .target_user_id(target.user.id)
        .await
        .expect("metadata");
    assert_eq!(named.user_name.as_deref(), Some("meta_target"));
    assert_eq!(named.display_name.as_deref(), Some("Meta Target"));
    assert_eq!(named.is_friends_filter_bar_enabled, Some(true));
    assert!(named.frequent_friend_sort_rollout.is_some());

    let plain = client.get_friends_metadata().await.expect("metadata");
    assert_eq!(plain.user_name, None);
    assert_eq!(plain.display_name, None);
    assert_eq!(plain.is_friends_filter_bar_enabled, Some(true));
}

#[tokio::test]
async fn friend_counts_lists_and_trusted_friends() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let cal = env.user("cal").await;
    let bea = env
        .user_with(json!({"name": "bea", "displayName": "Bea D", "description": "hi", "hasVerifiedBadge": true}))
        .await;
    let dan = env.user("dan").await;
    // Befriended in this order: cal, then bea (trusted); dan is a stranger.
    env.befriend(&me, &cal).await;
    env.world
        .befriend(me.user.id, bea.user.id, true)
        .await
        .expect("trusted friendship");
    let client = env.friends(&me);

    let mine = client.get_my_friends_count().await.expect("my count");
    assert_eq!(mine.count, Some(2));
    let theirs = env
        .anonymous_friends()
        .get_user_friends_count()
        .user_id(me.user.id)
        .await
        .expect("user count");
    assert_eq!(theirs.count, Some(2));
    let dans = env
        .anonymous_friends()
        .get_user_friends_count()
        .user_id(dan.user.id)
        .await
        .expect("user count");
    assert_eq!(dans.count, Some(0));

    let trusted = client
        .get_my_trusted_friends_count()
        .await
        .expect("trusted");
    assert_eq!(trusted.count, Some(1));
    let beas_trusted = client
        .get_user_trusted_friends_count()
        .user_id(bea.user.id)
        .await
        .expect("trusted of bea");
    assert_eq!(beas_trusted.count, Some(1));
    let cals_trusted = client
        .get_user_trusted_friends_count()
        .user_id(cal.user.id)
        .await
        .expect("trusted of cal");
    assert_eq!(cals_trusted.count, Some(0));

    // Default sort: by name (read with a session: without one the entries are bare).
    let list = env
        .friends(&me)
        .get_user_friends()
        .user_id(me.user.id)
        .await
        .expect("friends");
    let names: Vec<_> = list.data.iter().filter_map(|u| u.name.clone()).collect();
    assert_eq!(names, ["bea", "cal"]);
    let b = &list.data[0];
    assert_eq!(b.id, Some(bea.user.id));
    assert_eq!(b.display_name.as_deref(), Some("Bea D"));
    // Lists write no description and the .NET minimum date instead of the signup date.
    assert_eq!(b.description, None);
    assert_eq!(b.has_verified_badge, Some(true));
    assert_eq!(b.is_deleted, Some(false));
    assert_eq!(b.is_banned, Some(false));
    assert_eq!(b.is_online, Some(false));
    assert_eq!(b.presence_type, Some(0));
    assert_eq!(
        b.created.map(|t| t.to_rfc3339()).as_deref(),
        Some("0001-01-01T05:52:00+00:00")
    );

    // userSort 1: by friendship age, oldest first.
    let by_age = env
        .anonymous_friends()
        .get_user_friends()
        .user_id(me.user.id)
        .user_sort(1)
        .await
        .expect("friends by age");
    assert_eq!(
        by_age.data.iter().map(|u| u.id).collect::<Vec<_>>(),
        [Some(cal.user.id), Some(bea.user.id)]
    );

    // userSort 2: online first.
    env.world
        .set_presence(cal.user.id, json!({"presence": "Online"}))
        .await
        .expect("presence");
    let online_first = env
        .friends(&me)
        .get_user_friends()
        .user_id(me.user.id)
        .user_sort(2)
        .await
        .expect("friends online first");
    assert_eq!(online_first.data[0].id, Some(cal.user.id));
    assert_eq!(online_first.data[0].is_online, Some(true));
    assert_eq!(online_first.data[0].presence_type, Some(1));

    // Unfriending a trusted friend removes the trust too.
    client
        .unfriend_user()
        .target_user_id(bea.user.id)
        .await
        .expect("unfriend");
    let trusted = client
        .get_my_trusted_friends_count()
        .await
        .expect("trusted");
    assert_eq!(trusted.count, Some(0));
}

#[tokio::test]
async fn deleted_and_banned_friends_are_flagged() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let gone = env
        .user_with(json!({"name": "gone", "isDeleted": true}))
        .await;
    let banned = env
        .user_with(json!({"name": "banned", "isBanned": true}))
        .await;
    env.befriend(&me, &gone).await;
    env.befriend(&me, &banned).await;
    let list = env
        .friends(&me)
        .get_user_friends()
        .user_id(me.user.id)
        .await
        .expect("friends");
    let flags: Vec<_> = list
        .data
        .iter()
        .map(|u| (u.name.clone(), u.is_deleted, u.is_banned))
        .collect();
    assert_eq!(
        flags,
        [
            (Some("banned".into()), Some(false), Some(true)),
            (Some("gone".into()), Some(true), Some(false)),
        ]
    );
}

#[tokio::test]
async fn find_user_friends_pages_in_the_pascal_case_envelope() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let friends = env.users("pal", 12).await;
    for f in &friends {
        env.befriend(&me, f).await;
    }
    env.world
        .set_presence(friends[3].user.id, json!({"presence": "InGame"}))
        .await
        .expect("presence");
    let badge = env
        .user_with(json!({"name": "zz_badge", "hasVerifiedBadge": true}))
        .await;
    env.befriend(&me, &badge).await;
    let client = env.anonymous_friends();
    let mut expected = ids(&friends);
    expected.push(badge.user.id);

    // Default limit 50: everything on one page.
    let all = client
        .find_user_friends()
        .user_id(me.user.id)
        .await
        .expect("find");
    assert_eq!(
        all.page_items.iter().map(|f| f.id).collect::<Vec<_>>(),
        expected.iter().copied().map(Some).collect::<Vec<_>>()
    );
    assert_eq!(all.next_cursor, None);
    assert_eq!(all.previous_cursor, None);
    assert_ne!(all.has_more, Some(true));
    assert_eq!(
        all.page_items.last().and_then(|f| f.has_verified_badge),
        Some(true)
    );
    assert_eq!(all.page_items[0].has_verified_badge, Some(false));

    // Pages of 5.
    let first = client
        .find_user_friends()
        .user_id(me.user.id)
        .limit(5u32)
        .await
        .expect("first page");
    assert_eq!(first.page_items.len(), 5);
    // The service writes `HasMore: null` even with a next page: the cursor says it.
    assert_eq!(first.has_more, None);
    assert!(first.next_cursor.is_some());
    assert!(first.previous_cursor.is_none());
    let second = client
        .find_user_friends()
        .user_id(me.user.id)
        .limit(5u32)
        .cursor(first.next_cursor.clone().expect("next cursor"))
        .await
        .expect("second page");
    assert_eq!(second.page_items[0].id, Some(expected[5]));
    assert!(second.previous_cursor.is_some());

    let streamed: Vec<i64> = client
        .find_user_friends()
        .user_id(me.user.id)
        .limit(5u32)
        .stream()
        .map_ok(|f| f.id.expect("id"))
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(streamed, expected);

    // findFriendsType 1: online friends only.
    let online = client
        .find_user_friends()
        .user_id(me.user.id)
        .find_friends_type(1)
        .await
        .expect("online");
    assert_eq!(
        online.page_items.iter().map(|f| f.id).collect::<Vec<_>>(),
        [Some(friends[3].user.id)]
    );
}

#[tokio::test]
async fn search_user_friends_matches_names_and_pages_by_twenty() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let alpha = env
        .user_with(json!({"name": "alpha_one", "displayName": "First"}))
        .await;
    let alpha2 = env
        .user_with(json!({"name": "ALPHA_two", "displayName": "Second"}))
        .await;
    let other = env
        .user_with(json!({"name": "zed", "displayName": "Alphonse"}))
        .await;
    let stranger = env.user("alpha_stranger").await;
    for f in [&alpha, &alpha2, &other] {
        env.befriend(&me, f).await;
    }
    let pals = env.users("pal", 25).await;
    for p in &pals {
        env.befriend(&me, p).await;
    }
    let client = env.friends(&me);

    let found = client
        .search_user_friends()
        .user_id(me.user.id)
        .query("alpha")
        .await
        .expect("search");
    let found: Vec<_> = found.page_items.iter().filter_map(|f| f.id).collect();
    assert_eq!(
        found,
        [alpha.user.id, alpha2.user.id],
        "case-insensitive, friends only"
    );
    assert!(!found.contains(&stranger.user.id));

    let by_display = client
        .search_user_friends()
        .user_id(me.user.id)
        .query("ALPHO")
        .await
        .expect("search");
    assert_eq!(
        by_display
            .page_items
            .iter()
            .map(|f| f.id)
            .collect::<Vec<_>>(),
        [Some(other.user.id)]
    );

    // Default limit 20.
    let page = client
        .search_user_friends()
        .user_id(me.user.id)
        .query("pal")
        .await
        .expect("search pals");
    assert_eq!(page.page_items.len(), 20);
    assert!(page.next_cursor.is_some());
    let every: Vec<i64> = client
        .search_user_friends()
        .user_id(me.user.id)
        .query("pal")
        .stream()
        .map_ok(|f| f.id.expect("id"))
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(every, ids(&pals));

    let bearer = env
        .friends_bearer(&me)
        .search_user_friends()
        .user_id(me.user.id)
        .query("zed")
        .limit(1u32)
        .await
        .expect("bearer search");
    assert_eq!(bearer.page_items.len(), 1);
}

#[tokio::test]
async fn online_friends_carry_their_presence() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let gamer = env.user("a_gamer").await;
    let builder = env.user("b_builder").await;
    let web = env.user("c_web").await;
    let away = env.user("d_away").await;
    for f in [&gamer, &builder, &web, &away] {
        env.befriend(&me, f).await;
    }
    env.world
        .set_presence(
            gamer.user.id,
            json!({"presence": "InGame", "placeId": 1818, "rootPlaceId": 1817,
                   "universeId": 42, "gameInstanceId": "inst-1", "lastLocation": "Crossroads"}),
        )
        .await
        .expect("presence");
    env.world
        .set_presence(builder.user.id, json!({"presence": "InStudio"}))
        .await
        .expect("presence");
    env.world
        .set_presence(web.user.id, json!({"presence": "Online"}))
        .await
        .expect("presence");
    env.world
        .set_presence(away.user.id, json!({"presence": "Offline"}))
        .await
        .expect("presence");

    let online = env
        .friends(&me)
        .get_user_online_friends()
        .user_id(me.user.id)
        .await
        .expect("online friends");
    let listed: Vec<_> = online
        .data
        .iter()
        .map(|f| {
            let p = f.user_presence.as_ref().expect("presence");
            (f.id, p.user_presence_type.clone())
        })
        .collect();
    assert_eq!(
        listed,
        [
            (Some(gamer.user.id), Some("InGame".into())),
            (Some(builder.user.id), Some("InStudio".into())),
            (Some(web.user.id), Some("Online".into())),
        ]
    );
    let g = &online.data[0];
    assert_eq!(g.name.as_deref(), Some("a_gamer"));
    let p = g.user_presence.as_ref().expect("presence");
    assert_eq!(p.place_id, Some(1818));
    assert_eq!(p.root_place_id, Some(1817));
    assert_eq!(p.universe_id, Some(42));
    assert_eq!(p.game_instance_id.as_deref(), Some("inst-1"));
    assert_eq!(p.last_location.as_deref(), Some("Crossroads"));
    assert!(p.last_online.is_some());
}

#[tokio::test]
async fn friend_statuses_from_the_users_point_of_view() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let friend = env.user("friend").await;
    let asked = env.user("asked").await;
    let asker = env.user("asker").await;
    let stranger = env.user("stranger").await;
    env.befriend(&me, &friend).await;
    let my_client = env.friends(&me);
    my_client
        .request_friendship()
        .target_user_id(asked.user.id)
        .await
        .expect("request sent");
    env.friends(&asker)
        .request_friendship()
        .target_user_id(me.user.id)
        .await
        .expect("request received");

    let answer = env
        .anonymous_friends()
        .get_user_friend_statuses()
        .user_id(me.user.id)
        .user_ids(vec![
            friend.user.id,
            asked.user.id,
            asker.user.id,
            stranger.user.id,
        ])
        .await
        .expect("statuses");
    let got: Vec<_> = answer
        .data
        .iter()
        .map(|s| (s.id, s.status.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(friend.user.id), status(KnownFriendshipStatus::Friends)),
            (
                Some(asked.user.id),
                status(KnownFriendshipStatus::RequestSent)
            ),
            (
                Some(asker.user.id),
                status(KnownFriendshipStatus::RequestReceived)
            ),
            (
                Some(stranger.user.id),
                status(KnownFriendshipStatus::NotFriends)
            ),
        ]
    );

    // Exactly 100 ids is allowed.
    let hundred = env
        .anonymous_friends()
        .get_user_friend_statuses()
        .user_id(me.user.id)
        .user_ids((1..=100).collect::<Vec<i64>>())
        .await
        .expect("100 ids");
    assert_eq!(hundred.data.len(), 100);

    // On the wire: names, and ids comma-joined, repeated or both.
    let path = format!(
        "/v1/users/{}/friends/statuses?userIds={},{}&userIds={}",
        me.user.id, friend.user.id, asked.user.id, stranger.user.id
    );
    let response = env.raw_get("friends", &path, None).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        body,
        json!({"data": [
            {"id": friend.user.id, "status": "Friends"},
            {"id": asked.user.id, "status": "RequestSent"},
            {"id": stranger.user.id, "status": "NotFriends"},
        ]})
    );
}

#[tokio::test]
async fn multiget_are_friends_keeps_only_friends() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let a = env.user("a").await;
    let b = env.user("b").await;
    let c = env.user("c").await;
    env.befriend(&me, &a).await;
    env.befriend(&me, &c).await;
    let body = MultigetAreFriendsRequest {
        target_user_ids: vec![a.user.id, b.user.id, c.user.id, NO_SUCH_USER],
    };
    // Public, but a POST: the anonymous client fetches the anonymous CSRF token itself.
    let answer = env
        .anonymous_friends()
        .multiget_are_friends()
        .user_id(me.user.id)
        .body(body.clone())
        .await
        .expect("multiget");
    assert_eq!(answer.friends_id, [a.user.id, c.user.id]);
    let from_b = env
        .friends(&b)
        .multiget_are_friends()
        .user_id(b.user.id)
        .body(body)
        .await
        .expect("multiget");
    assert!(from_b.friends_id.is_empty(), "{from_b:?}");
}

#[tokio::test]
async fn following_exists_reports_both_directions() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let followed = env.user("followed").await;
    let fan = env.user("fan").await;
    let mutual = env.user("mutual").await;
    let nobody = env.user("nobody").await;
    env.follow(&me, &followed).await;
    env.follow(&fan, &me).await;
    env.follow(&me, &mutual).await;
    env.follow(&mutual, &me).await;
    let answer = env
        .friends(&me)
        .get_following_exists()
        .body(FollowingExistsRequest {
            target_user_ids: ids([&followed, &fan, &mutual, &nobody]),
        })
        .await
        .expect("following exists");
    let got: Vec<_> = answer
        .followings
        .iter()
        .map(|f| (f.user_id, f.is_following, f.is_followed))
        .collect();
    assert_eq!(
        got,
        [
            (Some(followed.user.id), Some(true), Some(false)),
            (Some(fan.user.id), Some(false), Some(true)),
            (Some(mutual.user.id), Some(true), Some(true)),
            (Some(nobody.user.id), Some(false), Some(false)),
        ]
    );
}

#[tokio::test]
async fn follower_and_following_counts_and_lists() {
    let env = Env::new().await;
    let star = env.user("star").await;
    let fans = env.users("fan", 3).await;
    for f in &fans {
        env.follow(f, &star).await;
    }
    env.follow(&star, &fans[1]).await;
    let client = env.anonymous_friends();

    let followers = client
        .get_user_followers_count()
        .target_user_id(star.user.id)
        .await
        .expect("followers count");
    assert_eq!(followers.count, Some(3));
    let followings = client
        .get_user_followings_count()
        .target_user_id(star.user.id)
        .await
        .expect("followings count");
    assert_eq!(followings.count, Some(1));

    let page = client
        .get_user_followers()
        .target_user_id(star.user.id)
        .await
        .expect("followers");
    assert_eq!(
        page.data.iter().filter_map(|u| u.id).collect::<Vec<_>>(),
        ids(&fans),
        "default order is Asc: oldest follow first"
    );
    assert_eq!(page.data[0].name.as_deref(), Some("fan00"));
    assert_eq!(page.next_page_cursor, None);
    assert_eq!(page.previous_page_cursor, None);

    let page = client
        .get_user_followings()
        .target_user_id(star.user.id)
        .await
        .expect("followings");
    assert_eq!(
        page.data.iter().filter_map(|u| u.id).collect::<Vec<_>>(),
        [fans[1].user.id]
    );
}
