//! Blocks while requests pend, reports, denied permissions (`403` on user and server
//! routes) and the friend limit from a permission node.

use super::*;

#[tokio::test]
async fn blocks_while_requests_pend() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let carol = env.player("carol").await;
    let (a, b) = (env.client(&alice), env.client(&bob));
    env.befriend(&alice, &carol).await;
    send(&a, &bob).await.expect("alice → bob");

    let entry = b
        .block_player()
        .body(types::BlockBody {
            target_id: alice.id,
            reason: Some("spam".into()),
        })
        .await
        .expect("blocked");
    assert_eq!(entry.blocked_user_id, Some(alice.id));
    assert_eq!(entry.reason.as_deref(), Some("spam"));
    let created = entry.created_at.expect("createdAt");
    assert_eq!(entry.updated_at, Some(created));
    for client in [&a, &b] {
        let requests = client.list_social_friend_requests().await.expect("list");
        assert!(requests.incoming.is_empty() && requests.outgoing.is_empty());
    }
    expect_error(send(&a, &bob).await, 403, "BLOCKED", BLOCKED);
    expect_error(send(&b, &alice).await, 403, "BLOCKED", BLOCKED);
    expect_error(
        env.server()
            .server_send_friend_request()
            .body(server_send_body(&alice, &bob))
            .await,
        403,
        "BLOCKED",
        BLOCKED,
    );

    // Blocking again updates the entry; blocking a friend ends the friendship.
    env.world
        .advance_clock(Duration::from_secs(60))
        .await
        .expect("clock");
    let again = b
        .block_player()
        .body(types::BlockBody {
            target_id: alice.id,
            reason: Some("still spam".into()),
        })
        .await
        .expect("re-blocked");
    assert_eq!(again.created_at, Some(created));
    assert!(again.updated_at > Some(created));
    assert_eq!(again.reason.as_deref(), Some("still spam"));
    a.block_player()
        .body(types::BlockBody {
            target_id: carol.id,
            reason: None,
        })
        .await
        .expect("alice blocks carol");
    assert!(friends_of(&a).await.friends.is_empty());
    assert!(friends_of(&env.client(&carol)).await.friends.is_empty());

    let listed = b.list_blocks().await.expect("blocks");
    assert_eq!(listed.blocks, vec![again.clone()]);
    let alices = a.list_blocks().await.expect("blocks");
    assert_eq!(alices.blocks.len(), 1);
    assert_eq!(alices.blocks[0].blocked_user_id, Some(carol.id));
    assert_eq!(alices.blocks[0].reason, None);

    expect_error(
        b.block_player()
            .body(types::BlockBody {
                target_id: bob.id,
                reason: None,
            })
            .await,
        400,
        "CANNOT_TARGET_SELF",
        "You cannot block yourself.",
    );
    expect_error(
        b.block_player()
            .body(types::BlockBody {
                target_id: ghost().id,
                reason: None,
            })
            .await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );

    // Unblock: the friendship removed by the block stays removed.
    a.unblock_player()
        .target_id(carol.id)
        .await
        .expect("unblocked");
    assert!(friends_of(&a).await.friends.is_empty());
    assert!(a.list_blocks().await.expect("blocks").blocks.is_empty());
    expect_error(
        a.unblock_player().target_id(carol.id).await,
        404,
        "NOT_FOUND",
        "Block not found.",
    );
    let (status, body) = env
        .raw(
            reqwest::Method::DELETE,
            "/v1/social/friends/blocks/not-a-uuid",
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );
    // bob's block of alice still stands.
    expect_error(send(&a, &bob).await, 403, "BLOCKED", BLOCKED);
}

#[tokio::test]
async fn reports() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let a = env.client(&alice);
    let report = a
        .report_player()
        .body(types::ReportBody {
            target_id: bob.id,
            reason: Some("griefing".into()),
        })
        .await
        .expect("reported");
    assert!(report.id.as_deref().is_some_and(is_object_id), "{report:?}");
    assert_eq!(report.target_id, Some(bob.id));
    assert_eq!(report.reason.as_deref(), Some("griefing"));
    assert!(report.created_at.is_some());
    let second = a
        .report_player()
        .body(types::ReportBody {
            target_id: bob.id,
            reason: None,
        })
        .await
        .expect("reported again");
    assert_ne!(second.id, report.id);
    assert_eq!(second.reason, None);

    expect_error(
        a.report_player()
            .body(types::ReportBody {
                target_id: alice.id,
                reason: None,
            })
            .await,
        400,
        "CANNOT_TARGET_SELF",
        "You cannot report yourself.",
    );
    expect_error(
        a.report_player()
            .body(types::ReportBody {
                target_id: ghost().id,
                reason: None,
            })
            .await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );
    let (status, body) = env
        .raw(
            reqwest::Method::POST,
            "/v1/social/friends/reports",
            Some(&alice.token),
            Some(r#"{"reason":"no target"}"#),
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );
}

#[tokio::test]
async fn denied_permissions_answer_403_on_user_and_server_routes() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let carol = env.player("carol").await;
    env.befriend(&alice, &carol).await;
    let pending = send(&env.client(&bob), &alice).await.expect("bob → alice");
    let pending = pending.id.expect("id");
    let (a, server) = (env.client(&alice), env.server());

    env.deny(&alice, "social:friends.read").await;
    expect_error(a.get_social_friends().await, 403, "FORBIDDEN", MISSING_READ);
    expect_error(
        a.list_social_friend_requests().await,
        403,
        "FORBIDDEN",
        MISSING_READ,
    );
    expect_error(a.list_blocks().await, 403, "FORBIDDEN", MISSING_READ);
    expect_error(
        a.get_social_user_friends().id(carol.id).await,
        403,
        "FORBIDDEN",
        MISSING_READ,
    );
    expect_error(
        server
            .server_friends_overview()
            .body(types::ServerActorBody { actor_id: alice.id })
            .await,
        403,
        "FORBIDDEN",
        MISSING_READ,
    );

    env.deny(&alice, "social:friends.write").await;
    expect_error(send(&a, &bob).await, 403, "FORBIDDEN", MISSING_WRITE);
    expect_error(
        server
            .server_send_friend_request()
            .body(server_send_body(&alice, &bob))
            .await,
        403,
        "FORBIDDEN",
        MISSING_WRITE,
    );
    expect_error(
        a.report_player()
            .body(types::ReportBody {
                target_id: bob.id,
                reason: None,
            })
            .await,
        403,
        "FORBIDDEN",
        MISSING_WRITE,
    );

    env.deny(&alice, "social:friends.edit").await;
    expect_error(
        a.accept_social_friend_request().id(pending.as_str()).await,
        403,
        "FORBIDDEN",
        MISSING_EDIT,
    );
    expect_error(
        a.decline_social_friend_request().id(pending.as_str()).await,
        403,
        "FORBIDDEN",
        MISSING_EDIT,
    );
    expect_error(
        a.cancel_social_friend_request().id(pending.as_str()).await,
        403,
        "FORBIDDEN",
        MISSING_EDIT,
    );
    expect_error(
        a.update_social_friend()
            .friend_id(carol.id)
            .body(types::UpdateFriendBody {
                favorite: Some(true),
                visibility: None,
            })
            .await,
        403,
        "FORBIDDEN",
        MISSING_EDIT,
    );
    expect_error(
        a.remove_social_friend().friend_id(carol.id).await,
        403,
        "FORBIDDEN",
        MISSING_EDIT,
    );
    expect_error(
        a.block_player()
            .body(types::BlockBody {
                target_id: bob.id,
                reason: None,
            })
            .await,
        403,
        "FORBIDDEN",
        MISSING_EDIT,
    );
    expect_error(
        a.unblock_player().target_id(bob.id).await,
        403,
        "FORBIDDEN",
        MISSING_EDIT,
    );
    for result in [
        server
            .server_accept_friend_request()
            .body(target(&alice, &bob))
            .await,
        server
            .server_decline_friend_request()
            .body(target(&alice, &bob))
            .await,
        server
            .server_cancel_friend_request()
            .body(target(&alice, &bob))
            .await,
        server
            .server_remove_friend()
            .body(target(&alice, &carol))
            .await,
    ] {
        expect_error(result, 403, "FORBIDDEN", MISSING_EDIT);
    }
    // Nothing changed; profile settings need no node.
    a.get_profile_settings()
        .await
        .expect("settings need no node");
    let carols = friends_of(&env.client(&carol)).await;
    assert_eq!(names(&carols.friends), vec!["alice"]);
    assert_eq!(
        env.client(&bob)
            .list_social_friend_requests()
            .await
            .expect("list")
            .outgoing
            .len(),
        1
    );

    // An explicitly granted node allows like an absent one.
    env.world
        .set_permissions(
            alice.id,
            &[
                ("social:friends.read", Some(true)),
                ("social:friends.edit", None),
            ],
        )
        .await
        .expect("permissions");
    assert_eq!(names(&friends_of(&a).await.friends), vec!["carol"]);
    a.accept_social_friend_request()
        .id(pending.as_str())
        .await
        .expect("accepted");
}

#[tokio::test]
async fn the_friend_limit_comes_from_a_permission_node() {
    let env = Social::new().await;
    let limited = env
        .player_with(json!({"name": "limited", "permissions": {"social:friends.limit.1": true}}))
        .await;
    let bob = env.player("bob").await;
    let carol = env.player("carol").await;
    let dave = env.player("dave").await;
    let l = env.client(&limited);
    assert_eq!(friends_of(&l).await.counts, counts(0, 0, 0, 1));
    env.befriend(&limited, &bob).await;
    assert_eq!(friends_of(&l).await.counts, counts(1, 0, 0, 1));
    assert_eq!(
        friends_of(&env.client(&bob)).await.counts,
        counts(1, 0, 0, 250)
    );

    // Sending (the sender's limit) and accepting (either side's limit).
    expect_error(send(&l, &carol).await, 409, "FRIEND_LIMIT_REACHED", LIMIT);
    expect_error(
        env.server()
            .server_send_friend_request()
            .body(server_send_body(&limited, &carol))
            .await,
        409,
        "FRIEND_LIMIT_REACHED",
        LIMIT,
    );
    let id = send(&env.client(&carol), &limited)
        .await
        .expect("carol may ask")
        .id
        .expect("id");
    expect_error(
        l.accept_social_friend_request().id(id.as_str()).await,
        409,
        "FRIEND_LIMIT_REACHED",
        LIMIT,
    );
    expect_error(
        env.server()
            .server_accept_friend_request()
            .body(target(&limited, &carol))
            .await,
        409,
        "FRIEND_LIMIT_REACHED",
        LIMIT,
    );
    // The reverse-request path checks both players too.
    expect_error(send(&l, &carol).await, 409, "FRIEND_LIMIT_REACHED", LIMIT);

    // A higher node raises it (the largest granted node wins).
    env.world
        .set_permissions(
            limited.id,
            &[
                ("social:friends.limit.3", Some(true)),
                ("social:friends.limit.2", Some(true)),
            ],
        )
        .await
        .expect("permissions");
    l.accept_social_friend_request()
        .id(id.as_str())
        .await
        .expect("accepted now");
    env.befriend(&dave, &limited).await;
    assert_eq!(friends_of(&l).await.counts, counts(3, 0, 0, 3));
}
