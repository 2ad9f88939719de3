//! What others see: `targetName` as a case-insensitive fallback, hidden and limited entries
//! as seen by a friend and a stranger, presence, name and flame streak.

use super::*;

#[tokio::test]
async fn target_name_is_a_case_insensitive_fallback() {
    let env = Social::new().await;
    let alice = env.player("Alice").await;
    let bob = env.player("Bob").await;
    let carol = env.player("Carol").await;
    let a = env.client(&alice);
    let sent = send_by_name(&a, "bOB").await.expect("sent by name");
    assert_eq!(sent.recipient_id, Some(bob.id));
    // targetId wins over targetName.
    let both = a
        .send_social_friend_request()
        .body(types::SendFriendRequestBody {
            target_id: Some(carol.id),
            target_name: Some("Bob".into()),
            note: None,
        })
        .await
        .expect("sent by id");
    assert_eq!(both.recipient_id, Some(carol.id));

    let server = env.server();
    server
        .server_accept_friend_request()
        .body(target_named(&bob, "alice"))
        .await
        .expect("bob accepts by name");
    server
        .server_decline_friend_request()
        .body(target_named(&carol, "ALICE"))
        .await
        .expect("carol declines by name");
    server
        .server_send_friend_request()
        .body(types::ServerSendFriendRequestBody {
            actor_id: alice.id,
            target_id: None,
            target_name: Some("carol".into()),
            note: Some("again".into()),
        })
        .await
        .expect("sent by name");
    server
        .server_cancel_friend_request()
        .body(target_named(&alice, "Carol"))
        .await
        .expect("cancelled by name");
    assert_eq!(names(&friends_of(&a).await.friends), vec!["Bob"]);
    server
        .server_remove_friend()
        .body(target_named(&alice, "BOB"))
        .await
        .expect("removed by name");
    assert!(friends_of(&a).await.friends.is_empty());
    assert!(
        a.list_social_friend_requests()
            .await
            .expect("list")
            .outgoing
            .is_empty()
    );
    expect_error(
        server
            .server_remove_friend()
            .body(target_named(&alice, "nobody"))
            .await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );
}

#[tokio::test]
async fn hidden_and_limited_entries_as_seen_by_a_friend_and_a_stranger() {
    let env = Social::new().await;
    let owner = env.player("owner").await;
    let limited = env.player("limited").await;
    let hidden = env.player("hidden").await;
    let shown = env.player("shown").await;
    let stranger = env.player("stranger").await;
    for friend in [&limited, &hidden, &shown] {
        env.befriend(&owner, friend).await;
    }
    let o = env.client(&owner);
    for (friend, known) in [
        (&limited, types::KnownFriendVisibility::Limited),
        (&hidden, types::KnownFriendVisibility::Hidden),
    ] {
        o.update_social_friend()
            .friend_id(friend.id)
            .body(types::UpdateFriendBody {
                favorite: Some(true),
                visibility: visibility(known),
            })
            .await
            .expect("patched");
    }
    send(&o, &stranger).await.expect("a pending request");

    let view = |viewer: &CreatedPlayer| {
        let client = env.client(viewer);
        let id = owner.id;
        async move {
            client
                .get_social_user_friends()
                .id(id)
                .await
                .expect("owner's friends")
        }
    };
    let by_friend = view(&shown).await;
    assert_eq!(names(&by_friend.friends), vec!["limited", "shown"]);
    assert_eq!(by_friend.counts, counts(2, 1, 0, 250));
    assert!(by_friend.incoming.is_empty() && by_friend.outgoing.is_empty());
    assert_eq!(
        by_friend.requests,
        Some(types::FriendRequestsResponse::default())
    );
    assert!(by_friend.self_.is_none(), "`self` is null, as in the seed");

    let by_stranger = view(&stranger).await;
    assert_eq!(names(&by_stranger.friends), vec!["shown"]);
    assert_eq!(by_stranger.counts, counts(1, 0, 0, 250));
    assert!(by_stranger.outgoing.is_empty() && by_stranger.incoming.is_empty());

    let by_owner = view(&owner).await;
    assert_eq!(
        names(&by_owner.friends),
        vec!["hidden", "limited", "shown"],
        "the owner sees everything, by name"
    );
    assert_eq!(by_owner.counts, counts(3, 2, 0, 250));
    assert_eq!(by_owner.outgoing.len(), 1);
    assert_eq!(
        by_owner.requests.as_ref().map(|r| r.outgoing.clone()),
        Some(by_owner.outgoing.clone())
    );
    // The friends' own lists are untouched by the owner's settings.
    let hiddens = friends_of(&env.client(&hidden)).await;
    assert_eq!(
        hiddens.friends[0].visibility,
        visibility(types::KnownFriendVisibility::Default)
    );

    // An unknown visibility is stored as DEFAULT.
    let odd = o
        .update_social_friend()
        .friend_id(hidden.id)
        .body(types::UpdateFriendBody {
            favorite: None,
            visibility: Some(types::FriendVisibility::Unknown(
                types::FriendVisibilityUnknown::try_from("SECRET".to_owned())
                    .expect("an unknown value"),
            )),
        })
        .await
        .expect("patched");
    assert_eq!(
        odd.visibility,
        visibility(types::KnownFriendVisibility::Default)
    );
    assert_eq!(
        names(&view(&stranger).await.friends),
        vec!["hidden", "shown"]
    );

    expect_error(
        o.get_social_user_friends().id(ghost().id).await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );
    let (status, body) = env
        .raw(
            reqwest::Method::GET,
            "/v1/users/not-a-uuid/friends",
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );
    let (status, body) = env
        .raw(
            reqwest::Method::PATCH,
            &format!("/v1/social/friends/{}", hidden.id),
            Some(&owner.token),
            Some(r#"{"favorite":"yes"}"#),
        )
        .await;
    assert_eq!(
        (status, &body["error"]),
        (400, &json!("INVALID_INPUT")),
        "{body}"
    );
}

#[tokio::test]
async fn entries_carry_presence_name_and_flame_streak() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env
        .player_with(json!({"name": "bob", "presence": "ONLINE", "flameStreak": 12}))
        .await;
    let carol = env.player("carol").await;
    env.befriend(&alice, &bob).await;
    env.befriend(&alice, &carol).await;
    let a = env.client(&alice);

    let snapshot = friends_of(&a).await;
    assert_eq!(snapshot.counts, counts(2, 0, 1, 250));
    let entry = &snapshot.friends[0];
    assert_eq!(entry.friend_id, Some(bob.id));
    assert_eq!(entry.name.as_deref(), Some("bob"));
    assert_eq!(entry.online, Some(true));
    assert_eq!(entry.flame_streak, Some(12));
    assert_eq!(entry.party_id, None);
    let state = entry.status.as_ref().and_then(|s| s.state.clone());
    assert_eq!(state, Some(types::KnownPresenceState::Online.into()));
    assert!(entry.status.as_ref().and_then(|s| s.timestamp).is_some());
    assert!(entry.last_seen_at.is_some());
    let summary = entry.player.as_ref().expect("player summary");
    assert_eq!(summary.id, Some(bob.id));
    assert_eq!(summary.name.as_deref(), Some("bob"));
    assert_eq!(summary.online, Some(true));
    let other = &snapshot.friends[1];
    assert_eq!(other.friend_id, Some(carol.id));
    assert_eq!(other.online, Some(false));
    assert_eq!(other.flame_streak, None, "present only when set");
    assert_eq!(other.last_seen_at, None, "never seen online");
    assert!(snapshot.self_.is_none(), "`self` is null, as in the seed");

    env.world
        .set_player_presence(bob.id, "OFFLINE")
        .await
        .expect("presence");
    env.world
        .set_player_presence(carol.id, "AWAY")
        .await
        .expect("presence");
    let snapshot = friends_of(&a).await;
    assert_eq!(snapshot.counts, counts(2, 0, 1, 250));
    assert_eq!(snapshot.friends[0].online, Some(false));
    assert!(snapshot.friends[0].last_seen_at.is_some(), "last seen kept");
    assert_eq!(
        snapshot.friends[1]
            .status
            .as_ref()
            .and_then(|s| s.state.clone()),
        Some(types::KnownPresenceState::Away.into())
    );
    // Request entries carry the other player's summary too.
    let dave = env.player("dave").await;
    let entry = send(&env.client(&dave), &bob).await.expect("sent");
    assert_eq!(
        entry.player.as_ref().and_then(|p| p.name.as_deref()),
        Some("bob")
    );
}
