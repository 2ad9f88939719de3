//! The server routes: acting for the actor under the user routes' rules, unknown actors and
//! bad credentials, identical refusal bodies, and member presence.

use super::*;

#[tokio::test]
async fn server_routes_act_for_the_actor_under_the_same_rules() {
    let w = World::new().await;
    let p = w.players(&["Lead", "Bea", "Cy"]).await;
    let server = w.server().await;

    let overview = server
        .server_party_overview()
        .body(actor(&p[0]))
        .await
        .expect("overview");
    assert_eq!(overview, PartyOverview::default());
    let created = server
        .server_create_party()
        .body(actor(&p[0]))
        .await
        .expect("created");
    assert_eq!(created, w.overview(&p[0]).await);
    let again = server
        .server_create_party()
        .body(actor(&p[0]))
        .await
        .expect("create again");
    assert_eq!(again, created);

    let invite = server
        .server_invite_to_party()
        .body(ServerInviteBody {
            actor_id: p[0].id,
            target_id: None,
            target_name: Some("bea".into()),
        })
        .await
        .expect("invite");
    assert_eq!(w.overview(&p[1]).await.invites, vec![invite.clone()]);
    let party_id = invite.party_id.expect("partyId");
    let joined = server
        .server_accept_party_invite()
        .inviting_party_id(party_id)
        .body(actor(&p[1]))
        .await
        .expect("accept");
    assert_eq!(member_ids!(joined), vec![p[0].id, p[1].id]);

    server
        .server_invite_to_party()
        .body(ServerInviteBody {
            actor_id: p[1].id,
            target_id: Some(p[2].id),
            target_name: None,
        })
        .await
        .expect("any member invites");
    server
        .server_decline_party_invite()
        .inviting_party_id(party_id)
        .body(actor(&p[2]))
        .await
        .expect("decline");
    assert!(w.overview(&p[2]).await.invites.is_empty());

    let lookup = server
        .server_party_lookup()
        .body(PartyLookupBody {
            player_ids: vec![p[1].id, p[2].id, p[0].id, p[1].id],
        })
        .await
        .expect("lookup");
    let memberships: Vec<_> = lookup
        .memberships
        .iter()
        .map(|m| (m.player_id, m.party_id, m.leader))
        .collect();
    assert_eq!(
        memberships,
        vec![
            (Some(p[1].id), Some(party_id), Some(false)),
            (Some(p[0].id), Some(party_id), Some(true)),
        ],
        "in the given order, duplicates collapsed, players in no party left out"
    );
    assert_eq!(lookup.parties.len(), 1);
    assert_eq!(
        Some(&lookup.parties[0]),
        w.overview(&p[0]).await.party.as_ref()
    );

    expect_error(
        server.server_disband_party().body(actor(&p[1])).await,
        403,
        "NOT_LEADER",
        NOT_LEADER,
    );
    let left = server
        .server_leave_party()
        .body(actor(&p[0]))
        .await
        .expect("leave");
    assert_eq!(left.party, None);
    assert_eq!(
        w.overview(&p[1]).await.party.and_then(|p| p.leader_id),
        Some(p[1].id)
    );
    server
        .server_disband_party()
        .body(actor(&p[1]))
        .await
        .expect("disband");
    assert_eq!(w.overview(&p[1]).await.party, None);
    expect_error(
        server.server_leave_party().body(actor(&p[1])).await,
        404,
        "NOT_IN_PARTY",
        PLAYER_NOT_IN_A_PARTY,
    );
    expect_error(
        server.server_disband_party().body(actor(&p[1])).await,
        404,
        "NOT_IN_PARTY",
        PLAYER_NOT_IN_A_PARTY,
    );
    expect_error(
        server
            .server_accept_party_invite()
            .inviting_party_id(party_id)
            .body(actor(&p[2]))
            .await,
        404,
        "NOT_FOUND",
        INVITE_NOT_FOUND,
    );
    expect_error(
        server
            .server_decline_party_invite()
            .inviting_party_id(party_id)
            .body(actor(&p[2]))
            .await,
        404,
        "NOT_FOUND",
        INVITE_NOT_FOUND,
    );
}

#[tokio::test]
async fn server_routes_answer_unknown_actors_and_bad_credentials() {
    let w = World::new().await;
    let lead = w.player("Lead").await;
    let server = w.server().await;
    let ghost = {
        let other = w.stub().control().create_world().await.expect("world");
        other
            .create_player(serde_json::json!({"name": "Ghost"}))
            .await
            .expect("player")
    };
    let invite = w.invite(&lead, &w.player("Bea").await).await;
    let party_id = invite.party_id.expect("partyId");

    let results = [
        server
            .server_party_overview()
            .body(actor(&ghost))
            .await
            .map(drop),
        server
            .server_create_party()
            .body(actor(&ghost))
            .await
            .map(drop),
        server
            .server_leave_party()
            .body(actor(&ghost))
            .await
            .map(drop),
        server
            .server_disband_party()
            .body(actor(&ghost))
            .await
            .map(drop),
        server
            .server_invite_to_party()
            .body(ServerInviteBody {
                actor_id: ghost.id,
                target_id: Some(lead.id),
                target_name: None,
            })
            .await
            .map(drop),
        server
            .server_accept_party_invite()
            .inviting_party_id(party_id)
            .body(actor(&ghost))
            .await
            .map(drop),
        server
            .server_decline_party_invite()
            .inviting_party_id(party_id)
            .body(actor(&ghost))
            .await
            .map(drop),
    ];
    for result in results {
        expect_error(result, 404, "NOT_FOUND", PLAYER_NOT_FOUND);
    }
    // Input comes before existence: no target at all is a 400 even for an unknown actor.
    expect_error(
        server
            .server_invite_to_party()
            .body(ServerInviteBody {
                actor_id: ghost.id,
                target_id: None,
                target_name: None,
            })
            .await,
        400,
        "INVALID_INPUT",
        NO_TARGET,
    );
    // A target unknown by id answers like the user route.
    expect_error(
        server
            .server_invite_to_party()
            .body(ServerInviteBody {
                actor_id: lead.id,
                target_id: Some(ghost.id),
                target_name: None,
            })
            .await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );

    // Credentials: a wrong secret, an unregistered server, a player token.
    for auth in [
        Auth::server("wrong-secret", SERVER),
        Auth::server(SECRET, "srv-unregistered"),
        Auth::bearer(lead.token.as_str()),
        Auth::none(),
    ] {
        let client = w.config.party(auth);
        expect_error(
            client.server_party_overview().body(actor(&lead)).await,
            401,
            "UNAUTHORIZED",
            UNAUTHORIZED_SERVER,
        );
        expect_error(
            client
                .server_party_lookup()
                .body(PartyLookupBody {
                    player_ids: vec![lead.id],
                })
                .await,
            401,
            "UNAUTHORIZED",
            UNAUTHORIZED_SERVER,
        );
    }
    // The server secret is no player token.
    let as_player = w.config.party(Auth::bearer(SECRET));
    expect_error(
        as_player.get_party().await,
        401,
        "UNAUTHORIZED",
        UNAUTHORIZED_PLAYER,
    );
}

#[tokio::test]
async fn user_and_server_routes_refuse_with_identical_bodies() {
    let w = World::with(StubConfig {
        party_max_size: 2,
        ..StubConfig::default()
    })
    .await;
    let p = w.players(&["Lead", "Bea", "Cy"]).await;
    w.party_of(&p[..2]).await;
    let server = w.server().await;
    let body = |e: Error| e.body().cloned().expect("a body");

    let pairs = [
        (
            w.party(&p[0])
                .invite_to_party()
                .body(InviteBody {
                    target_id: Some(p[0].id),
                    target_name: None,
                })
                .await
                .map(drop),
            server
                .server_invite_to_party()
                .body(ServerInviteBody {
                    actor_id: p[0].id,
                    target_id: Some(p[0].id),
                    target_name: None,
                })
                .await
                .map(drop),
        ),
        (
            w.party(&p[0])
                .invite_to_party()
                .body(InviteBody {
                    target_id: Some(p[2].id),
                    target_name: None,
                })
                .await
                .map(drop),
            server
                .server_invite_to_party()
                .body(ServerInviteBody {
                    actor_id: p[0].id,
                    target_id: Some(p[2].id),
                    target_name: None,
                })
                .await
                .map(drop),
        ),
        (
            w.party(&p[1]).disband_party().await,
            server.server_disband_party().body(actor(&p[1])).await,
        ),
    ];
    for (user, server) in pairs {
        let (user, server) = (user.expect_err("refused"), server.expect_err("refused"));
        assert_eq!(user.status(), server.status());
        assert_eq!(body(user), body(server));
    }
}

#[tokio::test]
async fn member_presence_follows_the_player() {
    let w = World::new().await;
    let p = w.players(&["Lead", "Bea"]).await;
    w.party_of(&p).await;
    let offline = w.overview(&p[0]).await;
    let bea = &offline.party.as_ref().expect("party").members[1];
    assert_eq!(bea.online, Some(false));
    assert_eq!(
        bea.status.as_ref().and_then(|s| s.state.clone()),
        Some(KnownPresenceState::Offline.into())
    );
    w.world
        .set_player_presence(p[1].id, "AWAY")
        .await
        .expect("presence");
    let away = w.overview(&p[0]).await;
    let bea = &away.party.as_ref().expect("party").members[1];
    assert_eq!(bea.online, Some(true));
    assert_eq!(
        bea.status.as_ref().and_then(|s| s.state.clone()),
        Some(KnownPresenceState::Away.into())
    );
    // Presence is no lobby change.
    assert_eq!(lobby(&away).revision, lobby(&offline).revision);
}
