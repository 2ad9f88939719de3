//! The server routes: the user routes' rules for the actor they name, and the secret and a
//! registered server they need.

use super::*;

#[tokio::test]
async fn server_routes_share_the_rules_of_the_user_routes() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let carol = env.player("carol").await;
    let server = env.server();

    let overview = server
        .server_friends_overview()
        .body(types::ServerActorBody { actor_id: alice.id })
        .await
        .expect("overview");
    assert!(overview.friends.is_empty());
    assert_eq!(overview.counts, counts(0, 0, 0, 250));
    assert!(overview.self_.is_none(), "`self` is null, as in the seed");

    let sent = server
        .server_send_friend_request()
        .body(types::ServerSendFriendRequestBody {
            actor_id: alice.id,
            target_id: Some(bob.id),
            target_name: None,
            note: Some("from the lobby".into()),
        })
        .await
        .expect("sent");
    assert!(sent.status.is_none(), "pending: no status, as in the seed");
    assert_eq!(
        direction(&sent),
        Some(types::KnownFriendRequestDirection::Outgoing)
    );
    assert_eq!(sent.sender_id, Some(alice.id));
    assert!(sent.id.as_deref().is_some_and(is_object_id));
    let bobs = server
        .server_friends_overview()
        .body(types::ServerActorBody { actor_id: bob.id })
        .await
        .expect("overview");
    assert_eq!(bobs.incoming.len(), 1);
    assert_eq!(
        bobs.requests.as_ref().map(|r| r.incoming.clone()),
        Some(bobs.incoming.clone())
    );
    // The same duplicate rule as the user route.
    expect_error(
        send(&env.client(&alice), &bob).await,
        409,
        "REQUEST_ALREADY_PENDING",
        "A friend request to this player is already pending.",
    );

    // Accept is the recipient's: acting for the sender finds nothing to accept.
    expect_error(
        server
            .server_accept_friend_request()
            .body(target(&alice, &bob))
            .await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    server
        .server_accept_friend_request()
        .body(target(&bob, &alice))
        .await
        .expect("accepted");
    let overview = server
        .server_friends_overview()
        .body(types::ServerActorBody { actor_id: alice.id })
        .await
        .expect("overview");
    assert_eq!(names(&overview.friends), vec!["bob"]);
    assert_eq!(overview.counts, counts(1, 0, 0, 250));
    assert!(overview.outgoing.is_empty());
    expect_error(
        server
            .server_send_friend_request()
            .body(server_send_body(&bob, &alice))
            .await,
        409,
        "ALREADY_FRIENDS",
        "You are already friends with this player.",
    );
    expect_error(
        server
            .server_send_friend_request()
            .body(server_send_body(&bob, &bob))
            .await,
        400,
        "CANNOT_TARGET_SELF",
        "You cannot send a friend request to yourself.",
    );

    server
        .server_remove_friend()
        .body(target(&bob, &alice))
        .await
        .expect("removed");
    assert!(friends_of(&env.client(&alice)).await.friends.is_empty());
    expect_error(
        server
            .server_remove_friend()
            .body(target(&bob, &alice))
            .await,
        404,
        "NOT_FOUND",
        FRIEND_NOT_FOUND,
    );

    // Decline and cancel.
    send(&env.client(&carol), &alice)
        .await
        .expect("carol → alice");
    server
        .server_decline_friend_request()
        .body(target(&alice, &carol))
        .await
        .expect("declined");
    expect_error(
        server
            .server_decline_friend_request()
            .body(target(&alice, &carol))
            .await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    send(&env.client(&carol), &alice)
        .await
        .expect("carol → alice again");
    server
        .server_cancel_friend_request()
        .body(target(&carol, &alice))
        .await
        .expect("cancelled");
    expect_error(
        server
            .server_cancel_friend_request()
            .body(target(&carol, &alice))
            .await,
        404,
        "NOT_FOUND",
        REQUEST_NOT_FOUND,
    );
    assert!(
        env.client(&alice)
            .list_social_friend_requests()
            .await
            .expect("list")
            .incoming
            .is_empty()
    );

    // Unknown actor or target, missing target.
    let unknown_actor = types::ServerTargetBody {
        actor_id: ghost().id,
        target_id: Some(alice.id),
        target_name: None,
    };
    expect_error(
        server
            .server_accept_friend_request()
            .body(unknown_actor)
            .await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );
    expect_error(
        server
            .server_friends_overview()
            .body(types::ServerActorBody {
                actor_id: ghost().id,
            })
            .await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );
    let to_nobody = types::ServerTargetBody {
        actor_id: alice.id,
        target_id: Some(ghost().id),
        target_name: None,
    };
    expect_error(
        server.server_cancel_friend_request().body(to_nobody).await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );
    for result in [
        server
            .server_decline_friend_request()
            .body(target_named(&alice, "  "))
            .await,
        server
            .server_remove_friend()
            .body(types::ServerTargetBody {
                actor_id: alice.id,
                target_id: None,
                target_name: None,
            })
            .await,
    ] {
        expect_error(result, 400, "INVALID_INPUT", TARGET_REQUIRED);
    }
    expect_error(
        server
            .server_send_friend_request()
            .body(types::ServerSendFriendRequestBody {
                actor_id: alice.id,
                target_id: None,
                target_name: None,
                note: None,
            })
            .await,
        400,
        "INVALID_INPUT",
        TARGET_REQUIRED,
    );
}

#[tokio::test]
async fn server_routes_need_the_secret_and_a_registered_server() {
    let env = Social::new().await;
    let alice = env.player("alice").await;
    let message = "Missing or invalid server credentials.";
    let body = types::ServerActorBody { actor_id: alice.id };
    for auth in [
        Auth::server("wrong-secret", SERVER),
        Auth::server(SECRET, "unregistered"),
        Auth::bearer(alice.token.as_str()),
        Auth::none(),
    ] {
        let client = env.config.social_friends(auth);
        expect_error(
            client.server_friends_overview().body(body.clone()).await,
            401,
            "UNAUTHORIZED",
            message,
        );
        expect_error(
            client
                .server_remove_friend()
                .body(types::ServerTargetBody {
                    actor_id: ghost().id,
                    target_id: None,
                    target_name: None,
                })
                .await,
            401,
            "UNAUTHORIZED",
            message,
        );
    }
    // Credentials come before the body: a malformed body without them is still 401.
    let response = env
        .http
        .post(env.url("/v1/social/friends/server/requests"))
        .header("content-type", "application/json")
        .body("{broken")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 401);
    // With them, it is 400.
    let response = env
        .http
        .post(env.url("/v1/social/friends/server/requests"))
        .bearer_auth(SECRET)
        .header("x-server-id", SERVER)
        .header("content-type", "application/json")
        .body("{broken")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "INVALID_INPUT");
}
