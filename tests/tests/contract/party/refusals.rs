//! The documented errors of the invite, accept/decline and lobby operations.

use super::*;

#[tokio::test]
async fn invite_errors() {
    let w = World::with(StubConfig {
        party_max_size: 2,
        ..StubConfig::default()
    })
    .await;
    let p = w
        .players(&["Lead", "Bea", "Cy", "Blocker", "Blocked"])
        .await;
    let lead = w.party(&p[0]);
    let body = |target_id, target_name: Option<&str>| InviteBody {
        target_id,
        target_name: target_name.map(str::to_owned),
    };

    expect_error(
        lead.invite_to_party().body(body(None, None)).await,
        400,
        "INVALID_INPUT",
        NO_TARGET,
    );
    expect_error(
        lead.invite_to_party().body(body(None, Some("  "))).await,
        400,
        "INVALID_INPUT",
        NO_TARGET,
    );
    expect_error(
        lead.invite_to_party().body(body(Some(p[0].id), None)).await,
        400,
        "CANNOT_TARGET_SELF",
        CANNOT_TARGET_SELF,
    );
    expect_error(
        lead.invite_to_party().body(body(None, Some("LEAD"))).await,
        400,
        "CANNOT_TARGET_SELF",
        CANNOT_TARGET_SELF,
    );
    expect_error(
        lead.invite_to_party()
            .body(body(None, Some("Nobody")))
            .await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );
    let gone = w.player("Gone").await.id;
    let nobody = {
        // A well-formed id no player has: a player id of another world.
        let other = w.stub().control().create_world().await.expect("world");
        other
            .create_player(serde_json::json!({"name": "Elsewhere"}))
            .await
            .expect("player")
            .id
    };
    expect_error(
        lead.invite_to_party().body(body(Some(nobody), None)).await,
        404,
        "NOT_FOUND",
        PLAYER_NOT_FOUND,
    );
    // A refused invite creates no party.
    assert_eq!(w.overview(&p[0]).await.party, None);

    // Blocks, either way.
    w.block(&p[3], &p[0]);
    expect_error(
        lead.invite_to_party().body(body(Some(p[3].id), None)).await,
        403,
        "BLOCKED",
        BLOCKED,
    );
    w.block(&p[0], &p[4]);
    expect_error(
        lead.invite_to_party()
            .body(body(None, Some("blocked")))
            .await,
        403,
        "BLOCKED",
        BLOCKED,
    );

    // By name, case-insensitively; targetId wins over targetName.
    let by_name = lead
        .invite_to_party()
        .body(body(None, Some("bEA")))
        .await
        .expect("invite by name");
    let by_id = lead
        .invite_to_party()
        .body(body(Some(gone), Some("Bea")))
        .await
        .expect("targetId wins");
    assert_eq!(by_name.party_id, by_id.party_id);
    assert_eq!(w.overview(&p[1]).await.invites.len(), 1);
    w.accept(&p[1], &by_name).await;

    // Already a member; full (maxSize 2).
    expect_error(
        lead.invite_to_party().body(body(Some(p[1].id), None)).await,
        409,
        "ALREADY_IN_PARTY",
        ALREADY_IN_PARTY,
    );
    expect_error(
        w.party(&p[1])
            .invite_to_party()
            .body(body(Some(p[2].id), None))
            .await,
        409,
        "PARTY_FULL",
        PARTY_FULL,
    );
    let party = w.overview(&p[0]).await;
    assert_eq!(party.party.as_ref().and_then(|p| p.max_size), Some(2));
}

#[tokio::test]
async fn accept_and_decline_errors() {
    let w = World::with(StubConfig {
        party_max_size: 2,
        ..StubConfig::default()
    })
    .await;
    let p = w.players(&["Lead", "Bea", "Cy"]).await;
    let to_bea = w.invite(&p[0], &p[1]).await;
    let to_cy = w.invite(&p[0], &p[2]).await;
    let party_id = to_bea.party_id.expect("partyId");
    let bea = w.party(&p[1]);

    // Someone else's party, or none at all.
    let own = w
        .party(&p[2])
        .create_party()
        .await
        .expect("Cy's party")
        .party
        .and_then(|p| p.id)
        .expect("id");
    expect_error(
        bea.accept_party_invite().inviting_party_id(own).await,
        404,
        "NOT_FOUND",
        INVITE_NOT_FOUND,
    );
    expect_error(
        bea.decline_party_invite().inviting_party_id(own).await,
        404,
        "NOT_FOUND",
        INVITE_NOT_FOUND,
    );

    // Declined: gone.
    bea.decline_party_invite()
        .inviting_party_id(party_id)
        .await
        .expect("declined");
    assert!(w.overview(&p[1]).await.invites.is_empty());
    expect_error(
        bea.accept_party_invite().inviting_party_id(party_id).await,
        404,
        "NOT_FOUND",
        INVITE_NOT_FOUND,
    );

    // Invites do not reserve a slot: once Bea joins, Cy's accept finds the party full and
    // Cy stays in her own party, her invite still pending.
    let again = w.invite(&p[0], &p[1]).await;
    w.accept(&p[1], &again).await;
    expect_error(
        w.party(&p[2])
            .accept_party_invite()
            .inviting_party_id(to_cy.party_id.expect("partyId"))
            .await,
        409,
        "PARTY_FULL",
        PARTY_FULL,
    );
    let cy = w.overview(&p[2]).await;
    assert_eq!(cy.party.as_ref().and_then(|p| p.id), Some(own));
    assert_eq!(cy.invites.len(), 1);

    // A block that arises after the invite hides it.
    w.block(&p[2], &p[0]);
    assert!(w.overview(&p[2]).await.invites.is_empty());
    expect_error(
        w.party(&p[2])
            .decline_party_invite()
            .inviting_party_id(party_id)
            .await,
        404,
        "NOT_FOUND",
        INVITE_NOT_FOUND,
    );
}

#[tokio::test]
async fn lobby_errors() {
    let w = World::new().await;
    let p = w.players(&["Lead", "Bea", "Outsider"]).await;
    let outsider = w.party(&p[2]);

    // Not in a party: every party operation of the caller's own party says so.
    expect_error(
        outsider.leave_party().await,
        404,
        "NOT_IN_PARTY",
        YOU_ARE_NOT_IN_A_PARTY,
    );
    expect_error(
        outsider
            .set_party_lobby_selection()
            .body(round_based_selection())
            .await,
        404,
        "NOT_IN_PARTY",
        YOU_ARE_NOT_IN_A_PARTY,
    );
    expect_error(
        outsider
            .set_party_lobby_selectors()
            .body(SetSelectorsBody {
                selector_ids: vec![],
            })
            .await,
        404,
        "NOT_IN_PARTY",
        YOU_ARE_NOT_IN_A_PARTY,
    );
    expect_error(
        outsider
            .set_party_ready()
            .body(ready_body(false, None))
            .await,
        404,
        "NOT_IN_PARTY",
        YOU_ARE_NOT_IN_A_PARTY,
    );

    w.party_of(&p[..2]).await;
    let (lead, bea) = (w.party(&p[0]), w.party(&p[1]));

    // Ready before anything is selected; ready without a prepared profile (input first).
    expect_error(
        bea.set_party_ready()
            .body(ready_body(true, Some(true)))
            .await,
        409,
        "NO_SELECTION",
        NO_SELECTION,
    );
    expect_error(
        bea.set_party_ready().body(ready_body(true, None)).await,
        400,
        "PROFILE_NOT_PREPARED",
        PROFILE_NOT_PREPARED,
    );
    expect_error(
        outsider
            .set_party_ready()
            .body(ready_body(true, Some(false)))
            .await,
        400,
        "PROFILE_NOT_PREPARED",
        PROFILE_NOT_PREPARED,
    );

    // Selection: a member who is not a selector; empty target fields.
    expect_error(
        bea.set_party_lobby_selection()
            .body(round_based_selection())
            .await,
        403,
        "NOT_SELECTOR",
        NOT_SELECTOR,
    );
    // A blank target id no longer builds (the schema's `minLength`/`pattern`); the stub's
    // answer to one sent anyway is in `contract::party::schema_rules`.
    assert!(
        " ".parse::<social_sdk::party::types::LobbySelectionBodyTargetId>()
            .is_err()
    );
    assert!(
        "".parse::<social_sdk::party::types::LobbySelectionBodyTargetKind>()
            .is_err()
    );

    // Selectors: leader only; members only.
    expect_error(
        bea.set_party_lobby_selectors()
            .body(SetSelectorsBody {
                selector_ids: vec![p[1].id],
            })
            .await,
        403,
        "NOT_LEADER",
        NOT_LEADER,
    );
    let stranger = lead
        .set_party_lobby_selectors()
        .body(SetSelectorsBody {
            selector_ids: vec![p[1].id, p[2].id],
        })
        .await
        .expect_err("an outsider cannot select");
    assert_eq!(stranger.status().map(|s| s.as_u16()), Some(400));
    assert!(stranger.code().is_some_and(|c| *c == "INVALID_INPUT"));
    assert!(
        stranger
            .message()
            .is_some_and(|m| m.contains(&p[2].id.to_string())),
        "{stranger:?}"
    );
    // Nothing changed by the refusals.
    let o = w.overview(&p[0]).await;
    assert_eq!(lobby(&o).selector_ids, vec![p[0].id]);
    assert_eq!(lobby(&o).selection, None);
    assert_eq!(lobby(&o).revision, Some(1));

    // The leader may drop everyone else; the leader stays.
    let o = lead
        .set_party_lobby_selectors()
        .body(SetSelectorsBody {
            selector_ids: vec![],
        })
        .await
        .expect("selectors");
    assert_eq!(lobby(&o).selector_ids, vec![p[0].id]);
    // Selectors keep ready states.
    lead.set_party_lobby_selection()
        .body(round_based_selection())
        .await
        .expect("selected");
    bea.set_party_ready()
        .body(ready_body(true, Some(true)))
        .await
        .expect("ready");
    let o = lead
        .set_party_lobby_selectors()
        .body(SetSelectorsBody {
            selector_ids: vec![p[1].id],
        })
        .await
        .expect("selectors");
    assert_eq!(lobby(&o).ready.len(), 1);
}
