//! A party and its invites are private to the party.

use super::*;

#[tokio::test]
async fn a_party_and_its_invites_are_private_to_the_party() {
    let env = Env::new().await;
    let (leader, member, invitee, outsider) = (
        env.player("leader").await,
        env.player("member").await,
        env.player("invitee").await,
        env.player("outsider").await,
    );
    let (l, m, i, o) = (
        env.party(&leader),
        env.party(&member),
        env.party(&invitee),
        env.party(&outsider),
    );
    let invite = |to: &CreatedPlayer| InviteBody {
        target_id: Some(to.id),
        target_name: None,
    };
    let party_id = l
        .invite_to_party()
        .body(invite(&member))
        .await
        .expect("invite")
        .party_id
        .expect("party id");
    m.accept_party_invite()
        .inviting_party_id(party_id)
        .await
        .expect("joined");
    l.invite_to_party()
        .body(invite(&invitee))
        .await
        .expect("invite");
    let selection = || LobbySelectionBody {
        target_kind: "minigame".parse().expect("a non-blank kind"),
        target_id: "ffa".parse().expect("a non-blank id"),
        display_name: None,
        server_address: None,
        minigame: None,
        profile_requirement: None,
    };
    let before = env.state("/social/party").await;

    // The outsider sees no party and no invite of anyone else's.
    let seen = o.get_party().await.expect("outsider's view");
    assert!(seen.party.is_none() && seen.invites.is_empty(), "{seen:?}");
    // Nor can he take the invitee's invite.
    expect_error(
        o.accept_party_invite().inviting_party_id(party_id).await,
        404,
        "NOT_FOUND",
        INVITE_NOT_FOUND,
    );
    expect_error(
        o.decline_party_invite().inviting_party_id(party_id).await,
        404,
        "NOT_FOUND",
        INVITE_NOT_FOUND,
    );
    // Nor act on the party.
    expect_error(
        o.disband_party().await,
        404,
        "NOT_IN_PARTY",
        YOU_ARE_NOT_IN_A_PARTY,
    );
    expect_error(
        o.leave_party().await,
        404,
        "NOT_IN_PARTY",
        YOU_ARE_NOT_IN_A_PARTY,
    );
    expect_error(
        o.set_party_lobby_selection().body(selection()).await,
        404,
        "NOT_IN_PARTY",
        YOU_ARE_NOT_IN_A_PARTY,
    );
    expect_error(
        o.set_party_lobby_selectors()
            .body(SetSelectorsBody {
                selector_ids: vec![outsider.id],
            })
            .await,
        404,
        "NOT_IN_PARTY",
        YOU_ARE_NOT_IN_A_PARTY,
    );
    // A member who is not the leader may not disband, promote (selectors) or select.
    expect_error(m.disband_party().await, 403, "NOT_LEADER", NOT_LEADER);
    expect_error(
        m.set_party_lobby_selectors()
            .body(SetSelectorsBody {
                selector_ids: vec![member.id],
            })
            .await,
        403,
        "NOT_LEADER",
        NOT_LEADER,
    );
    expect_error(
        m.set_party_lobby_selection().body(selection()).await,
        403,
        "NOT_SELECTOR",
        NOT_SELECTOR,
    );
    // The server, acting for the member, is held to the same rules.
    expect_error(
        env.party_server()
            .server_disband_party()
            .body(ServerActorBody {
                actor_id: member.id,
            })
            .await,
        403,
        "NOT_LEADER",
        NOT_LEADER,
    );
    // Inviting into someone else's party is impossible: an invite always comes from the
    // inviter's own party.
    let own = o
        .invite_to_party()
        .body(invite(&invitee))
        .await
        .expect("the outsider's own invite");
    assert_ne!(own.party_id, Some(party_id));

    let after = env.state("/social/party").await;
    for pointer in [
        format!("/parties/{party_id}"),
        format!("/invites/{}/{party_id}", invitee.id),
        format!("/memberOf/{}", leader.id),
        format!("/memberOf/{}", member.id),
    ] {
        assert_eq!(
            after.pointer(&pointer),
            before.pointer(&pointer),
            "{pointer} changed"
        );
        assert!(
            before.pointer(&pointer).is_some(),
            "{pointer} is in the dump"
        );
    }
    let view = i.get_party().await.expect("invitee's view");
    let from_leader: Vec<_> = view
        .invites
        .iter()
        .filter(|inv| inv.party_id == Some(party_id))
        .collect();
    assert_eq!(from_leader.len(), 1, "the invitee's invite is still there");
    let party = l
        .get_party()
        .await
        .expect("leader's view")
        .party
        .expect("a party");
    assert_eq!(party.members.len(), 2);
}
