//! Account-scoped data: contact tags belong to their owner, a Roblox friend request is
//! answered only by its recipient, roster applications and blacklists are private.

use super::*;

#[tokio::test]
async fn contact_tags_belong_to_their_owner() {
    let env = Env::new().await;
    let (alice, bob, carol) = (
        env.user("alice").await,
        env.user("bob").await,
        env.user("carol").await,
    );
    let (a, b) = (env.contacts(&alice), env.contacts(&bob));
    let tag = |target: &CreatedUser, text: &str| SetUserTagRequest {
        target_user_id: target.user.id,
        user_tag: text.to_owned(),
    };
    let tags = |client: contacts::Client, ids: Vec<i64>| async move {
        client
            .get_user_tags()
            .body(GetUserTagsRequest {
                target_user_ids: ids,
            })
            .await
            .expect("tags")
            .into_iter()
            .filter_map(|t| Some((t.target_user_id?, t.target_user_tag?)))
            .collect::<Vec<_>>()
    };
    a.set_user_tag()
        .body(tag(&carol, "bestie"))
        .await
        .expect("alice tags carol");
    let before = env.state("/roblox/tags").await;

    assert!(
        tags(b.clone(), vec![carol.user.id, alice.user.id])
            .await
            .is_empty(),
        "bob sees none of alice's tags"
    );
    // Bob's tag of carol, and bob clearing it, are his alone.
    b.set_user_tag()
        .body(tag(&carol, "rival"))
        .await
        .expect("bob tags carol");
    assert_eq!(
        tags(b.clone(), vec![carol.user.id]).await,
        [(carol.user.id, "rival".to_owned())]
    );
    b.set_user_tag()
        .body(tag(&carol, ""))
        .await
        .expect("bob clears his tag");
    assert!(tags(b.clone(), vec![carol.user.id]).await.is_empty());

    assert_eq!(
        env.state("/roblox/tags").await,
        before,
        "alice's tag unchanged"
    );
    assert_eq!(
        tags(a, vec![carol.user.id]).await,
        [(carol.user.id, "bestie".to_owned())]
    );
}

#[tokio::test]
async fn a_roblox_friend_request_is_answered_only_by_its_recipient() {
    let env = Env::new().await;
    let (alice, bob, xavier, carol) = (
        env.user("alice").await,
        env.user("bob").await,
        env.user("xavier").await,
        env.user("carol").await,
    );
    env.world
        .befriend(alice.user.id, carol.user.id, false)
        .await
        .expect("friends");
    let (a, b) = (env.friends(&alice), env.friends(&bob));
    env.friends(&xavier)
        .request_friendship()
        .target_user_id(alice.user.id)
        .body(FriendshipRequest {
            friendship_origin_source_type: None,
        })
        .await
        .expect("xavier asks alice");
    let before = env.state("/roblox").await;

    expect_error(
        b.accept_friend_request()
            .requester_user_id(xavier.user.id)
            .await,
        400,
        10,
        NO_FRIEND_REQUEST,
    );
    expect_error(
        b.decline_friend_request()
            .requester_user_id(xavier.user.id)
            .await,
        400,
        10,
        NO_FRIEND_REQUEST,
    );
    b.decline_all_friend_requests()
        .await
        .expect("bob declines all of his own");
    let mine: Vec<_> = b
        .get_my_friend_requests()
        .stream()
        .try_collect()
        .await
        .expect("bob's requests");
    assert!(mine.is_empty(), "bob sees none of alice's requests");
    let count = b
        .get_pending_friend_requests_count()
        .await
        .expect("bob's count");
    assert_eq!(count.count, Some(0));
    // Unfriending alice's friend as bob does not touch alice's friendship.
    let _ = b.unfriend_user().target_user_id(carol.user.id).await;

    let mut after = env.state("/roblox").await;
    // Bob's own session bookkeeping (CSRF token, "last listed" marker) is his.
    for key in ["csrf", "requests_seen"] {
        after[key] = before[key].clone();
    }
    assert_eq!(after, before, "alice's requests and friends unchanged");
    let pending = a
        .get_pending_friend_requests_count()
        .await
        .expect("alice's count");
    assert_eq!(pending.count, Some(1));
    a.accept_friend_request()
        .requester_user_id(xavier.user.id)
        .await
        .expect("alice, the recipient, accepts");
}

#[tokio::test]
async fn roster_applications_and_blacklists_are_private() {
    let env = Env::new().await;
    let app = env.world.create_roster_app().await.expect("app");
    let other_app = env.world.create_roster_app().await.expect("other app");
    let user = |name: &'static str, mode: i32| {
        let (world, app) = (env.world.clone(), app.app_id.clone());
        async move {
            world
                .create_roster_user(&app, json!({ "username": name, "authMode": mode }))
                .await
                .expect("user")
        }
    };
    let (ann, bob, xan, yves, zoe) = (
        user("ann", 1).await,
        user("bob", 1).await,
        user("xan", 0).await,
        user("yves", 0).await,
        user("zoe", 0).await,
    );
    let client = |u: &CreatedRosterUser| {
        env.config
            .roster(Auth::roster(app.app_id.as_str(), u.token.as_str()))
    };
    let (a, b, x) = (client(&ann), client(&bob), client(&xan));
    x.apply_roster_friend()
        .body_map(|body| body.user_id(ann.user.id))
        .await
        .expect("xan applies to ann");
    a.block_roster_user()
        .user_id(yves.user.id)
        .await
        .expect("ann blocks yves");
    env.world
        .roster_befriend(&app.app_id, ann.user.id, zoe.user.id)
        .await
        .expect("ann and zoe are friends");
    a.update_roster_friend_ext()
        .body(RosterExtUpdateRequest {
            alias: Some("ann's alias".into()),
            ext: Some("ann's notes".into()),
            mute_notification: Some(true),
            user_id: zoe.user.id,
        })
        .await
        .expect("ann's side of the friendship");
    let before = env.state("/roster").await;
    let applications = |c: roster::Client| async move {
        c.list_roster_applications()
            .stream()
            .try_collect::<Vec<_>>()
            .await
    };
    let code = |result: Result<_, Error>, code: i64| {
        let error = result.expect_err("refused");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(200), "{error:?}");
        assert!(
            error.code().is_some_and(|c| *c == code),
            "expected {code}: {error:?}"
        );
    };

    // Bob sees only what is addressed to him, and answers only that.
    assert!(applications(b.clone()).await.expect("bob's").is_empty());
    assert!(b.list_roster_blocked().await.expect("bob's").is_empty());
    code(
        b.accept_roster_application()
            .user_id(xan.user.id)
            .await
            .map(drop),
        NO_APPLICATION,
    );
    code(
        b.accept_roster_application_via_post()
            .user_id(xan.user.id)
            .await
            .map(drop),
        NO_APPLICATION,
    );
    let decline = || RosterDeclineRequest {
        reason: None,
        user_id: xan.user.id,
    };
    code(
        b.decline_roster_application()
            .body(decline())
            .await
            .map(drop),
        NO_APPLICATION,
    );
    // Bob's token naming ann is refused everywhere.
    let as_ann = env
        .config
        .roster(Auth::roster(app.app_id.as_str(), bob.token.as_str()).acting_as_user(ann.user.id));
    code(applications(as_ann.clone()).await.map(drop), NO_PERMISSION);
    code(as_ann.list_roster_blocked().await.map(drop), NO_PERMISSION);
    code(
        as_ann
            .accept_roster_application()
            .user_id(xan.user.id)
            .await
            .map(drop),
        NO_PERMISSION,
    );
    code(
        as_ann
            .unblock_roster_user()
            .user_id(yves.user.id)
            .await
            .map(drop),
        NO_PERMISSION,
    );
    code(
        b.roster_may_message()
            .user_id(ann.user.id)
            .roster_id(xan.user.id)
            .await
            .map(drop),
        NO_PERMISSION,
    );
    // Looking zoe up, bob sees none of what ann keeps about her.
    let details = b
        .list_roster_friend_details()
        .body(RosterFriendDetailsRequest {
            list: vec![zoe.user.id],
        })
        .await
        .expect("details");
    let by_id = b
        .get_roster_user_by_id()
        .user_id(zoe.user.id)
        .await
        .expect("lookup");
    for info in details.iter().chain([&by_id]) {
        assert_eq!((&info.alias, &info.ext), (&None, &None), "{info:?}");
        assert_eq!(info.mute_notification, Some(false), "{info:?}");
        assert_eq!(info.relation, Some(2), "a stranger to bob: {info:?}");
    }
    // Another app's admin token cannot act as ann.
    let foreign = env.config.roster(
        Auth::roster(app.app_id.as_str(), other_app.admin_token.as_str())
            .acting_as_user(ann.user.id),
    );
    code(applications(foreign.clone()).await.map(drop), INVALID_TOKEN);
    code(foreign.list_roster_blocked().await.map(drop), INVALID_TOKEN);

    assert_eq!(env.state("/roster").await, before, "nothing changed");
    let pending = applications(a.clone()).await.expect("ann's");
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0].user_id, Some(xan.user.id));
    assert_eq!(pending[0].status, Some(0), "still pending");
    assert_eq!(
        a.list_roster_blocked().await.expect("ann's"),
        [yves.user.id]
    );
    // Unblocking someone bob never blocked succeeds for bob, and leaves ann's block.
    b.unblock_roster_user()
        .user_id(yves.user.id)
        .await
        .expect("bob's no-op unblock");
    assert_eq!(
        a.list_roster_blocked().await.expect("ann's"),
        [yves.user.id]
    );
    drop(env);
}
