//! Social friends between players: a request is seen and answered only by its two players,
//! blocks, reports and friend links stay their owners', a request note stays with its two
//! players, and server routes act only for the actor they name.

use super::*;

#[tokio::test]
async fn a_friend_request_is_seen_and_answered_only_by_its_two_players() {
    let env = Env::new().await;
    let (alice, bob, carol) = (
        env.player("alice").await,
        env.player("bob").await,
        env.player("carol").await,
    );
    let (a, b, c) = (env.social(&alice), env.social(&bob), env.social(&carol));
    let id = send_social(&a, &carol)
        .await
        .expect("request")
        .id
        .expect("id");
    let before = env.state("/social/friends/requests").await;

    // Bob, a third player, cannot see it, nor accept, decline or cancel it by id.
    assert_eq!(requests(&b).await, (vec![], vec![]), "bob sees nothing");
    expect_error(
        b.accept_social_friend_request().id(id.as_str()).await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    expect_error(
        b.decline_social_friend_request().id(id.as_str()).await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    expect_error(
        b.cancel_social_friend_request().id(id.as_str()).await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    // Upper case is the same id (matched case-insensitively): still not bob's.
    expect_error(
        b.accept_social_friend_request().id(id.to_uppercase()).await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    // Someone else's view of alice's list shows none of her requests.
    let view = b
        .get_social_user_friends()
        .id(alice.id)
        .await
        .expect("alice's list as bob sees it");
    assert!(
        view.incoming.is_empty() && view.outgoing.is_empty(),
        "{view:?}"
    );
    assert!(
        view.requests
            .is_none_or(|r| r.incoming.is_empty() && r.outgoing.is_empty()),
        "pending requests are shown only to their owner"
    );
    // The sender cannot answer her own request in the recipient's place.
    expect_error(
        a.accept_social_friend_request().id(id.as_str()).await,
        403,
        "FORBIDDEN",
        ONLY_RECIPIENT_ACCEPTS,
    );
    expect_error(
        a.decline_social_friend_request().id(id.as_str()).await,
        403,
        "FORBIDDEN",
        ONLY_RECIPIENT_DECLINES,
    );

    assert_eq!(
        env.state("/social/friends/requests").await,
        before,
        "the request is untouched"
    );
    assert_eq!(requests(&a).await, (vec![], vec![id.clone()]));
    assert_eq!(requests(&c).await, (vec![id.clone()], vec![]));
    assert!(friend_ids(&a).await.is_empty() && friend_ids(&c).await.is_empty());

    // Once expired, bob still learns nothing (404, not the owners' 410).
    env.advance(Duration::from_secs(7 * 24 * 3600 + 1)).await;
    expect_error(
        b.accept_social_friend_request().id(id.as_str()).await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    expect_error(
        c.accept_social_friend_request().id(id.as_str()).await,
        410,
        "REQUEST_EXPIRED",
        EXPIRED,
    );
}

#[tokio::test]
async fn blocks_reports_and_friend_links_stay_their_owners() {
    let env = Env::new().await;
    let (alice, bob, carol, dave) = (
        env.player("alice").await,
        env.player("bob").await,
        env.player("carol").await,
        env.player("dave").await,
    );
    let (a, b, c) = (env.social(&alice), env.social(&bob), env.social(&carol));
    let sent = send_social(&a, &carol).await.expect("request");
    c.accept_social_friend_request()
        .id(sent.id.expect("id"))
        .await
        .expect("friends");
    a.block_player()
        .body(BlockBody {
            target_id: dave.id,
            reason: Some("alice's reason".into()),
        })
        .await
        .expect("block");
    a.report_player()
        .body(ReportBody {
            target_id: dave.id,
            reason: Some("alice's report".into()),
        })
        .await
        .expect("report");
    let blocks = env.state("/social/blocks").await;
    let links = env.state("/social/friends/links").await;

    // Blocks: bob's list is his own; he cannot lift alice's block.
    assert!(blocked_ids(&b).await.is_empty(), "bob sees no blocks");
    expect_error(
        b.unblock_player().target_id(dave.id).await,
        404,
        "NOT_FOUND",
        BLOCK_NOT_FOUND,
    );
    // Links: bob cannot edit or end alice's friendship with carol.
    expect_error(
        b.update_social_friend()
            .friend_id(carol.id)
            .body(UpdateFriendBody {
                favorite: Some(true),
                visibility: None,
            })
            .await,
        404,
        "NOT_FOUND",
        FRIEND_NOT_FOUND,
    );
    expect_error(
        b.remove_social_friend().friend_id(carol.id).await,
        404,
        "NOT_FOUND",
        FRIEND_NOT_FOUND,
    );
    // Reports: bob's report is his; alice's stays as filed.
    let report = b
        .report_player()
        .body(ReportBody {
            target_id: dave.id,
            reason: None,
        })
        .await
        .expect("bob's own report");
    assert_eq!(report.reason, None, "nothing of alice's report leaks");

    assert_eq!(
        env.state("/social/blocks").await,
        blocks,
        "blocks unchanged"
    );
    assert_eq!(
        env.state("/social/friends/links").await,
        links,
        "links unchanged"
    );
    let reports = env.state("/social/friends/reports").await;
    let reports = reports.as_array().expect("reports");
    assert_eq!(reports.len(), 2, "{reports:?}");
    assert_eq!(reports[0]["reporter"], json!(alice.id));
    assert_eq!(reports[0]["reason"], json!("alice's report"));
    assert_eq!(blocked_ids(&a).await, [dave.id]);
    assert_eq!(friend_ids(&a).await, [carol.id]);
}

#[tokio::test]
async fn a_request_note_stays_with_its_two_players() {
    let env = Env::new().await;
    let (alice, bob, carol) = (
        env.player("alice").await,
        env.player("bob").await,
        env.player("carol").await,
    );
    let (a, b, c) = (env.social(&alice), env.social(&bob), env.social(&carol));
    let sent = send_social(&a, &carol).await.expect("request");
    c.accept_social_friend_request()
        .id(sent.id.expect("id"))
        .await
        .expect("friends");
    let note = |client: social_friends::Client, owner: Uuid| async move {
        let list = client
            .get_social_user_friends()
            .id(owner)
            .await
            .expect("alice's list");
        assert_eq!(list.friends.len(), 1, "{list:?}");
        list.friends[0].note.clone()
    };
    let private = Some("for your eyes only".to_owned());
    assert_eq!(
        note(a.clone(), alice.id).await,
        private,
        "the owner's own list"
    );
    assert_eq!(
        note(c.clone(), alice.id).await,
        private,
        "carol is the other player"
    );
    assert_eq!(note(c, carol.id).await, private, "carol's own list");
    assert_eq!(
        note(b.clone(), alice.id).await,
        None,
        "bob, a third player, does not read their note"
    );
    assert_eq!(note(b, carol.id).await, None);
}

#[tokio::test]
async fn server_routes_act_only_for_the_actor_they_name() {
    let env = Env::new().await;
    let (alice, bob, carol) = (
        env.player("alice").await,
        env.player("bob").await,
        env.player("carol").await,
    );
    let (a, c) = (env.social(&alice), env.social(&carol));
    let dave = env.player("dave").await;
    let friendship = send_social(&a, &dave).await.expect("request");
    env.social(&dave)
        .accept_social_friend_request()
        .id(friendship.id.expect("id"))
        .await
        .expect("alice and dave are friends");
    let id = send_social(&a, &carol)
        .await
        .expect("request")
        .id
        .expect("id");
    let server = env.social_server();
    let social_before = env.state("/social").await;

    // Acting for bob, the server cannot touch alice's request to carol.
    for result in [
        server
            .server_accept_friend_request()
            .body(target(&bob, &alice))
            .await,
        server
            .server_decline_friend_request()
            .body(target(&bob, &alice))
            .await,
        server
            .server_cancel_friend_request()
            .body(target(&bob, &carol))
            .await,
    ] {
        expect_error(result, 404, "NOT_FOUND", REQUEST_NOT_FOUND);
    }
    // Nor alice's friendship with dave.
    expect_error(
        server
            .server_remove_friend()
            .body(target(&bob, &dave))
            .await,
        404,
        "NOT_FOUND",
        FRIEND_NOT_FOUND,
    );
    // Bob's overview is bob's.
    let overview = server
        .server_friends_overview()
        .body(social_friends::types::ServerActorBody { actor_id: bob.id })
        .await
        .expect("bob's overview");
    assert!(overview.friends.is_empty(), "{overview:?}");
    assert!(overview.incoming.is_empty() && overview.outgoing.is_empty());
    assert!(overview.self_.is_none(), "`self` is null, as in the seed");

    // Parties: acting for bob, the server sees and acts on bob's party only.
    let alices_party = env
        .party(&alice)
        .invite_to_party()
        .body(InviteBody {
            target_id: Some(carol.id),
            target_name: None,
        })
        .await
        .expect("invite")
        .party_id
        .expect("party id");
    let party_before = env.state("/social/party").await;
    let parties = env.party_server();
    let bobs = parties
        .server_party_overview()
        .body(ServerActorBody { actor_id: bob.id })
        .await
        .expect("bob's party overview");
    assert!(bobs.party.is_none() && bobs.invites.is_empty(), "{bobs:?}");
    expect_error(
        parties
            .server_accept_party_invite()
            .inviting_party_id(alices_party)
            .body(ServerActorBody { actor_id: bob.id })
            .await,
        404,
        "NOT_FOUND",
        INVITE_NOT_FOUND,
    );
    expect_error(
        parties
            .server_decline_party_invite()
            .inviting_party_id(alices_party)
            .body(ServerActorBody { actor_id: bob.id })
            .await,
        404,
        "NOT_FOUND",
        INVITE_NOT_FOUND,
    );
    expect_error(
        parties
            .server_disband_party()
            .body(ServerActorBody { actor_id: bob.id })
            .await,
        404,
        "NOT_IN_PARTY",
        "The player is not in a party.",
    );
    expect_error(
        parties
            .server_leave_party()
            .body(ServerActorBody { actor_id: bob.id })
            .await,
        404,
        "NOT_IN_PARTY",
        "The player is not in a party.",
    );
    assert_eq!(env.state("/social/party").await, party_before);

    // Everything of alice's is as it was; acting for alice works.
    let mut social_after = env.state("/social").await;
    social_after["party"] = social_before["party"].clone();
    assert_eq!(social_after, social_before, "alice's data unchanged");
    assert_eq!(requests(&c).await, (vec![id], vec![]));
    server
        .server_cancel_friend_request()
        .body(target(&alice, &carol))
        .await
        .expect("acting for alice, the server cancels her request");
    assert_eq!(requests(&c).await, (vec![], vec![]));
}
