//! Profile settings, the request → accept → favourite → hide → remove path, and the
//! errors of sending a request.

use super::*;

#[tokio::test]
async fn profile_settings_default_and_partial_patch() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let a = env.client(&alice);
    let settings = a.get_profile_settings().await.expect("settings");
    assert_eq!(settings.allow_friend_requests, Some(true));
    let privacy = |s: &types::ProfileSettings| {
        s.privacy
            .as_ref()
            .and_then(|p| p.server_list_visibility.clone())
    };
    assert_eq!(
        privacy(&settings),
        Some(types::KnownServerListVisibility::Public.into())
    );

    let off = a
        .update_profile_settings()
        .body(types::ProfileSettingsPatch {
            allow_friend_requests: Some(false),
            privacy: None,
        })
        .await
        .expect("patched");
    assert_eq!(off.allow_friend_requests, Some(false));
    assert_eq!(privacy(&off), privacy(&settings), "privacy kept");
    let friends_only = a
        .update_profile_settings()
        .body(types::ProfileSettingsPatch {
            allow_friend_requests: None,
            privacy: Some(types::ProfilePrivacyPatch {
                server_list_visibility: Some(types::KnownServerListVisibility::Friends),
            }),
        })
        .await
        .expect("patched");
    assert_eq!(friends_only.allow_friend_requests, Some(false), "kept");
    assert_eq!(
        privacy(&friends_only),
        Some(types::KnownServerListVisibility::Friends.into())
    );
    assert_eq!(
        a.get_profile_settings().await.expect("read back"),
        friends_only
    );

    // Requests to alice are now refused; the server route says the same.
    let bob = env.player("bob").await;
    let message = "This player does not accept friend requests.";
    expect_error(
        send(&env.client(&bob), &alice).await,
        403,
        "FRIEND_REQUESTS_DISABLED",
        message,
    );
    expect_error(
        env.server()
            .server_send_friend_request()
            .body(server_send_body(&bob, &alice))
            .await,
        403,
        "FRIEND_REQUESTS_DISABLED",
        message,
    );

    let unauthorized = "Missing or invalid bearer token.";
    let anonymous = env.config.social_friends(Auth::none());
    expect_error(
        anonymous.get_profile_settings().await,
        401,
        "UNAUTHORIZED",
        unauthorized,
    );
    expect_error(
        env.config
            .social_friends(Auth::bearer("stub-player-forged"))
            .update_profile_settings()
            .body(types::ProfileSettingsPatch::default())
            .await,
        401,
        "UNAUTHORIZED",
        unauthorized,
    );
    let (status, body) = env
        .raw(
            reqwest::Method::PATCH,
            "/v1/profile/settings",
            Some(&alice.token),
            Some(r#"{"privacy":{"serverListVisibility":"EVERYONE"}}"#),
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );
}

#[tokio::test]
async fn request_accept_favourite_hide_remove() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let carol = env.player("carol").await;
    let (a, b, c) = (env.client(&alice), env.client(&bob), env.client(&carol));

    let empty = friends_of(&a).await;
    assert!(empty.friends.is_empty());
    assert_eq!(empty.counts, counts(0, 0, 0, 250));
    assert!(empty.self_.is_none(), "`self` is null, as in the seed");

    let sent = a
        .send_social_friend_request()
        .body(types::SendFriendRequestBody {
            target_id: Some(bob.id),
            target_name: None,
            note: Some("gg".into()),
        })
        .await
        .expect("request sent");
    let id = sent.id.clone().expect("id");
    assert!(is_object_id(&id), "{id}");
    assert_eq!(sent.sender_id, Some(alice.id));
    assert_eq!(sent.recipient_id, Some(bob.id));
    assert_eq!(
        direction(&sent),
        Some(types::KnownFriendRequestDirection::Outgoing)
    );
    assert_eq!(status(&sent), None, "pending: no status, as in the seed");
    assert!(sent.status.is_none());
    assert_eq!(sent.note.as_deref(), Some("gg"));
    let created = sent.created_at.expect("createdAt");
    assert_eq!(sent.expires_at, Some(created + Span::days(7)));
    assert_eq!(sent.player.as_ref().and_then(|p| p.id), Some(bob.id));
    assert_eq!(
        sent.player.as_ref().and_then(|p| p.name.as_deref()),
        Some("bob")
    );

    let incoming = b
        .list_social_friend_requests()
        .await
        .expect("bob's requests");
    assert!(incoming.outgoing.is_empty());
    assert_eq!(incoming.incoming.len(), 1);
    let seen = &incoming.incoming[0];
    assert_eq!(seen.id.as_deref(), Some(id.as_str()));
    assert_eq!(
        direction(seen),
        Some(types::KnownFriendRequestDirection::Incoming)
    );
    assert_eq!(seen.player.as_ref().and_then(|p| p.id), Some(alice.id));
    let outgoing = a
        .list_social_friend_requests()
        .await
        .expect("alice's requests");
    assert_eq!(outgoing.outgoing.len(), 1);
    assert!(outgoing.incoming.is_empty());

    let accepted = b
        .accept_social_friend_request()
        .id(id.as_str())
        .await
        .expect("accepted");
    assert_eq!(
        status(&accepted),
        Some(types::KnownFriendRequestStatus::Accepted)
    );
    assert_eq!(accepted.id.as_deref(), Some(id.as_str()));
    assert!(
        a.list_social_friend_requests()
            .await
            .expect("list")
            .outgoing
            .is_empty()
    );
    assert!(
        b.list_social_friend_requests()
            .await
            .expect("list")
            .incoming
            .is_empty()
    );
    for (client, other) in [(&a, &bob), (&b, &alice)] {
        let snapshot = friends_of(client).await;
        assert_eq!(
            names(&snapshot.friends),
            vec![other.name.as_str()],
            "links are symmetric"
        );
        assert_eq!(snapshot.counts, counts(1, 0, 0, 250));
        let entry = &snapshot.friends[0];
        assert_eq!(entry.favorite, Some(false));
        assert_eq!(
            entry.visibility,
            visibility(types::KnownFriendVisibility::Default)
        );
        assert_eq!(entry.note.as_deref(), Some("gg"));
        assert_eq!(entry.created_at, Some(created));
        assert!(entry.accepted_at.is_some());
    }

    // Favourite: only alice's side changes.
    let favourite = a
        .update_social_friend()
        .friend_id(bob.id)
        .body(types::UpdateFriendBody {
            favorite: Some(true),
            visibility: None,
        })
        .await
        .expect("favourite");
    assert_eq!(favourite.favorite, Some(true));
    assert_eq!(favourite.friend_id, Some(bob.id));
    assert_eq!(friends_of(&a).await.counts, counts(1, 1, 0, 250));
    let bobs = friends_of(&b).await;
    assert_eq!(bobs.friends[0].favorite, Some(false));
    assert_eq!(bobs.counts, counts(1, 0, 0, 250));

    // Hide: carol (a stranger) and bob no longer see bob in alice's list; alice does.
    let hidden = a
        .update_social_friend()
        .friend_id(bob.id)
        .body(types::UpdateFriendBody {
            favorite: None,
            visibility: visibility(types::KnownFriendVisibility::Hidden),
        })
        .await
        .expect("hidden");
    assert_eq!(hidden.favorite, Some(true), "favourite kept");
    assert_eq!(
        hidden.visibility,
        visibility(types::KnownFriendVisibility::Hidden)
    );
    for viewer in [&c, &b] {
        let view = viewer
            .get_social_user_friends()
            .id(alice.id)
            .await
            .expect("alice's list");
        assert!(view.friends.is_empty(), "{view:?}");
        assert_eq!(view.counts, counts(0, 0, 0, 250));
    }
    let own = a.get_social_user_friends().id(alice.id).await.expect("own");
    assert_eq!(names(&own.friends), vec!["bob"]);

    // Remove: both sides go.
    a.remove_social_friend()
        .friend_id(bob.id)
        .await
        .expect("removed");
    assert!(friends_of(&a).await.friends.is_empty());
    assert!(friends_of(&b).await.friends.is_empty());
    expect_error(
        a.remove_social_friend().friend_id(bob.id).await,
        404,
        "NOT_FOUND",
        FRIEND_NOT_FOUND,
    );
    expect_error(
        a.update_social_friend()
            .friend_id(bob.id)
            .body(types::UpdateFriendBody::default())
            .await,
        404,
        "NOT_FOUND",
        FRIEND_NOT_FOUND,
    );
}

#[tokio::test]
async fn send_request_errors() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let carol = env.player("carol").await;
    let a = env.client(&alice);

    expect_error(
        send(&a, &alice).await,
        400,
        "CANNOT_TARGET_SELF",
        "You cannot send a friend request to yourself.",
    );
    expect_error(
        send_by_name(&a, "ALICE").await,
        400,
        "CANNOT_TARGET_SELF",
        "You cannot send a friend request to yourself.",
    );
    expect_error(
        a.send_social_friend_request()
            .body(types::SendFriendRequestBody::default())
            .await,
        400,
        "INVALID_INPUT",
        "targetId or targetName is required.",
    );
    expect_error(send(&a, &ghost()).await, 404, "NOT_FOUND", PLAYER_NOT_FOUND);
    expect_error(
        send_by_name(&a, "nobody").await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );

    send(&a, &bob).await.expect("sent");
    expect_error(
        send(&a, &bob).await,
        409,
        "REQUEST_ALREADY_PENDING",
        "A friend request to this player is already pending.",
    );
    env.befriend(&alice, &carol).await;
    expect_error(
        send(&a, &carol).await,
        409,
        "ALREADY_FRIENDS",
        "You are already friends with this player.",
    );
    expect_error(
        send(&env.client(&carol), &alice).await,
        409,
        "ALREADY_FRIENDS",
        "You are already friends with this player.",
    );

    // A block in either direction.
    let dave = env.player("dave").await;
    env.client(&dave)
        .block_player()
        .body(types::BlockBody {
            target_id: alice.id,
            reason: None,
        })
        .await
        .expect("blocked");
    expect_error(send(&a, &dave).await, 403, "BLOCKED", BLOCKED);
    expect_error(
        send(&env.client(&dave), &alice).await,
        403,
        "BLOCKED",
        BLOCKED,
    );

    // Raw input the document rejects, and credentials checked before anything else.
    let (status, body) = env
        .raw(
            reqwest::Method::POST,
            "/v1/social/friends/requests",
            Some(&alice.token),
            Some("{not json"),
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );
    let (status, body) = env
        .raw(
            reqwest::Method::POST,
            "/v1/social/friends/requests",
            Some(&alice.token),
            Some(r#"{"targetId":"not-a-uuid"}"#),
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );
    let (status, body) = env
        .raw(
            reqwest::Method::POST,
            "/v1/social/friends/requests",
            None,
            Some("{not json"),
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (401, &json!("UNAUTHORIZED")),
        "{body}"
    );
}
