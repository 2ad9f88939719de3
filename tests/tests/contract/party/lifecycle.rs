//! A party's life through the user routes: the empty snapshot, creating, selecting,
//! readying and launching, the leader leaving, invites expiring or replaced, switching
//! parties and disbanding.

use super::*;

#[tokio::test]
async fn a_player_in_no_party_gets_an_empty_snapshot_and_credentials_are_checked_first() {
    let w = World::new().await;
    let alex = w.player("Alex").await;
    let snapshot = w.overview(&alex).await;
    assert_eq!(snapshot, PartyOverview::default(), "party null, no invites");

    let anonymous = w.config.party(Auth::none());
    expect_error(
        anonymous.get_party().await,
        401,
        "UNAUTHORIZED",
        UNAUTHORIZED_PLAYER,
    );
    let forged = w.config.party(Auth::bearer("stub-player-forged"));
    expect_error(
        forged.create_party().await,
        401,
        "UNAUTHORIZED",
        UNAUTHORIZED_PLAYER,
    );
    // 401 comes before input: a body the document rejects still answers 401.
    expect_error(
        forged
            .set_party_lobby_selectors()
            .body(SetSelectorsBody {
                selector_ids: vec![alex.id],
            })
            .await,
        401,
        "UNAUTHORIZED",
        UNAUTHORIZED_PLAYER,
    );
    expect_error(
        forged.leave_party().await,
        401,
        "UNAUTHORIZED",
        UNAUTHORIZED_PLAYER,
    );
    expect_error(
        forged.disband_party().await,
        401,
        "UNAUTHORIZED",
        UNAUTHORIZED_PLAYER,
    );
}

#[tokio::test]
async fn create_makes_a_party_once_and_then_returns_it_unchanged() {
    let w = World::new().await;
    let alex = w.player("Alex").await;
    w.world
        .set_player_presence(alex.id, "ONLINE")
        .await
        .expect("presence");
    let client = w.party(&alex);
    let created = client.create_party().await.expect("created");
    let party = created.party.as_ref().expect("a party");
    assert!(party.id.is_some() && party.created_at.is_some());
    assert_eq!(party.leader_id, Some(alex.id));
    assert_eq!(party.max_size, Some(8));
    let member = &party.members[0];
    assert_eq!(member.id, Some(alex.id));
    assert_eq!(member.name.as_deref(), Some("Alex"));
    assert_eq!(member.online, Some(true));
    assert_eq!(member.role, Some(KnownPartyRole::Leader.into()));
    assert!(member.joined_at.is_some());
    let status = member.status.as_ref().expect("status");
    assert_eq!(status.state, Some(KnownPresenceState::Online.into()));
    assert!(status.timestamp.is_some());
    let lobby = lobby(&created);
    assert_eq!(lobby.selection, None);
    assert_eq!(lobby.selector_ids, vec![alex.id], "the leader selects");
    assert_eq!(lobby.revision, Some(0));
    assert!(lobby.ready.is_empty() && lobby.launch_signal.is_none());

    let again = client.create_party().await.expect("create again");
    assert_eq!(again, created, "the existing party, unchanged");
    assert_eq!(w.overview(&alex).await, created);
}

#[tokio::test]
async fn a_party_of_four_selects_readies_and_launches() {
    let w = World::new().await;
    let p = w.players(&["Lead", "Bea", "Cy", "Dee"]).await;
    let joined = w.party_of(&p).await;
    assert_eq!(
        member_ids!(joined),
        vec![p[0].id, p[1].id, p[2].id, p[3].id]
    );
    assert_eq!(lobby(&joined).revision, Some(3), "one per join");
    let party = joined.party.as_ref().expect("party");
    let roles: Vec<_> = party.members.iter().map(|m| m.role.clone()).collect();
    assert_eq!(roles[0], Some(KnownPartyRole::Leader.into()));
    assert!(
        roles[1..]
            .iter()
            .all(|r| *r == Some(KnownPartyRole::Member.into()))
    );

    // The leader makes Bea a selector; Bea selects.
    let selectors = w
        .party(&p[0])
        .set_party_lobby_selectors()
        .body(SetSelectorsBody {
            selector_ids: vec![p[1].id, p[1].id],
        })
        .await
        .expect("selectors set");
    assert_eq!(
        lobby(&selectors).selector_ids,
        vec![p[0].id, p[1].id],
        "leader kept, duplicates collapsed"
    );
    assert_eq!(lobby(&selectors).revision, Some(4));
    let selected = w
        .party(&p[1])
        .set_party_lobby_selection()
        .body(round_based_selection())
        .await
        .expect("a selector selects");
    let selection = lobby(&selected).selection.clone().expect("selection");
    assert_eq!(selection.target_kind.as_deref(), Some("minigame"));
    assert_eq!(selection.target_id.as_deref(), Some("ffa-ragemode-round"));
    assert_eq!(selection.server_address.as_deref(), Some("uebliche.games"));
    assert_eq!(selection.minigame.and_then(|m| m.round_based), Some(true));
    assert_eq!(
        selection
            .profile_requirement
            .and_then(|r| r.recommended_profile_share_code),
        Some("438Z2V".into())
    );
    assert_eq!(lobby(&selected).revision, Some(5));

    // Three ready: no signal yet. Ready states keep what was sent.
    for member in &p[..3] {
        let o = w
            .party(member)
            .set_party_ready()
            .body(ready_body(true, Some(true)))
            .await
            .expect("ready");
        assert!(lobby(&o).launch_signal.is_none());
    }
    let o = w.overview(&p[3]).await;
    let ready = &lobby(&o).ready;
    assert_eq!(ready.len(), 3);
    assert_eq!(ready[0].player_id, Some(p[0].id));
    assert_eq!(ready[0].ready, Some(true));
    assert_eq!(ready[0].profile_prepared, Some(true));
    assert_eq!(ready[0].profile_id.as_deref(), Some("uebliche-games"));
    assert_eq!(ready[0].temporary_profile, Some(false));
    assert_eq!(
        ready[0].requirement_hash.as_deref(),
        Some("profile-requirement-hash")
    );
    assert!(ready[0].updated_at.is_some());

    // The fourth: launch.
    let launched = w
        .party(&p[3])
        .set_party_ready()
        .body(ready_body(true, Some(true)))
        .await
        .expect("ready");
    let lobby_now = lobby(&launched);
    assert_eq!(lobby_now.revision, Some(9));
    let signal = lobby_now
        .launch_signal
        .clone()
        .expect("everyone is ready: launch");
    assert!(signal.id.as_deref().is_some_and(|id| !id.is_empty()));
    assert_eq!(signal.revision, Some(9));
    assert!(signal.issued_at.is_some());
    // Every member sees it.
    assert_eq!(
        lobby(&w.overview(&p[1]).await).launch_signal,
        Some(signal.clone())
    );

    // Un-readying does not withdraw an issued signal; a selection change does.
    let o = w
        .party(&p[2])
        .set_party_ready()
        .body(ready_body(false, None))
        .await
        .expect("not ready");
    assert_eq!(lobby(&o).launch_signal, Some(signal));
    let reselected = w
        .party(&p[0])
        .set_party_lobby_selection()
        .body(round_based_selection())
        .await
        .expect("leader reselects");
    assert!(lobby(&reselected).ready.is_empty());
    assert!(lobby(&reselected).launch_signal.is_none());
    assert_eq!(lobby(&reselected).revision, Some(11));

    // A membership change clears them too.
    for member in &p {
        w.party(member)
            .set_party_ready()
            .body(ready_body(true, Some(true)))
            .await
            .expect("ready");
    }
    assert!(lobby(&w.overview(&p[0]).await).launch_signal.is_some());
    let left = w.party(&p[3]).leave_party().await.expect("leave");
    assert_eq!(left.party, None);
    let after = w.overview(&p[0]).await;
    assert!(lobby(&after).ready.is_empty() && lobby(&after).launch_signal.is_none());
    assert_eq!(lobby(&after).revision, Some(16));
}

#[tokio::test]
async fn a_selection_that_is_not_round_based_never_launches() {
    let w = World::new().await;
    let p = w.players(&["Lead", "Bea"]).await;
    w.party_of(&p).await;
    let mut selection = round_based_selection();
    selection.minigame = Some(MinigameInfo {
        mode: Some("survival".into()),
        variant: None,
        round_based: Some(false),
    });
    w.party(&p[0])
        .set_party_lobby_selection()
        .body(selection)
        .await
        .expect("selected");
    for member in &p {
        let o = w
            .party(member)
            .set_party_ready()
            .body(ready_body(true, Some(true)))
            .await
            .expect("ready");
        assert!(lobby(&o).launch_signal.is_none());
    }
}

#[tokio::test]
async fn the_leader_leaving_hands_over_and_the_last_member_removes_the_party() {
    let w = World::new().await;
    let p = w.players(&["Lead", "Bea", "Cy"]).await;
    let joined = w.party_of(&p).await;
    let party_id = joined.party.as_ref().and_then(|p| p.id).expect("id");
    // Cy selects too, so the hand-over must keep the selectors consistent.
    w.party(&p[0])
        .set_party_lobby_selectors()
        .body(SetSelectorsBody {
            selector_ids: vec![p[2].id],
        })
        .await
        .expect("selectors");
    let outsider = w.player("Outsider").await;
    w.invite(&p[0], &outsider).await;

    let left = w.party(&p[0]).leave_party().await.expect("leader leaves");
    assert_eq!(left.party, None);
    let after = w.overview(&p[2]).await;
    let party = after.party.as_ref().expect("the party lives on");
    assert_eq!(party.id, Some(party_id));
    assert_eq!(
        party.leader_id,
        Some(p[1].id),
        "the longest-standing member leads"
    );
    assert_eq!(member_ids!(after), vec![p[1].id, p[2].id]);
    assert_eq!(party.members[0].role, Some(KnownPartyRole::Leader.into()));
    assert_eq!(lobby(&after).selector_ids, vec![p[1].id, p[2].id]);
    assert_eq!(lobby(&after).revision, Some(4));
    // Invites belong to the party: the outsider's survives its inviter leaving.
    let pending = w.overview(&outsider).await.invites;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].party_id, Some(party_id));
    assert_eq!(pending[0].inviter_id, Some(p[0].id));
    assert_eq!(pending[0].inviter.as_ref().and_then(|i| i.party_id), None);

    // The new leader may disband; Cy may not.
    expect_error(
        w.party(&p[2]).disband_party().await,
        403,
        "NOT_LEADER",
        NOT_LEADER,
    );
    w.party(&p[1]).leave_party().await.expect("Bea leaves");
    let alone = w.overview(&p[2]).await;
    assert_eq!(
        alone.party.as_ref().and_then(|p| p.leader_id),
        Some(p[2].id)
    );
    w.party(&p[2])
        .leave_party()
        .await
        .expect("the last member leaves");
    assert_eq!(w.overview(&p[2]).await.party, None);
    // The party is gone, and so is its invite.
    let server = w.server().await;
    let lookup = server
        .server_party_lookup()
        .body(PartyLookupBody {
            player_ids: p.iter().map(|m| m.id).collect(),
        })
        .await
        .expect("lookup");
    assert!(lookup.memberships.is_empty() && lookup.parties.is_empty());
    assert!(w.overview(&outsider).await.invites.is_empty());
}

#[tokio::test]
async fn invites_expire_with_the_world_clock() {
    let w = World::new().await;
    let p = w.players(&["Lead", "Bea", "Cy"]).await;
    w.world
        .set_player_presence(p[0].id, "BUSY")
        .await
        .expect("presence");
    let invite = w.invite(&p[0], &p[1]).await;
    let party_id = invite.party_id.expect("partyId");
    assert_eq!(invite.inviter_id, Some(p[0].id));
    let (created, expires) = (
        invite.created_at.expect("createdAt"),
        invite.expires_at.expect("expiresAt"),
    );
    assert_eq!(
        (expires - created).num_seconds(),
        300,
        "5 minutes by default"
    );
    let inviter = invite.inviter.clone().expect("inviter");
    assert_eq!(inviter.id, Some(p[0].id));
    assert_eq!(inviter.name.as_deref(), Some("Lead"));
    assert_eq!(inviter.online, Some(true));
    assert_eq!(
        inviter.status.and_then(|s| s.state),
        Some(KnownPresenceState::Busy.into())
    );
    assert_eq!(
        inviter.party_id,
        Some(party_id),
        "inviting created the party"
    );
    let pending = w.overview(&p[1]).await.invites;
    assert_eq!(pending, vec![invite.clone()]);

    // Still pending just before expiresAt.
    w.world
        .advance_clock(Duration::from_secs(299))
        .await
        .expect("clock");
    assert_eq!(w.overview(&p[1]).await.invites.len(), 1);
    w.world
        .advance_clock(Duration::from_secs(2))
        .await
        .expect("clock");
    assert!(
        w.overview(&p[1]).await.invites.is_empty(),
        "expired: left out"
    );
    let bea = w.party(&p[1]);
    expect_error(
        bea.accept_party_invite().inviting_party_id(party_id).await,
        410,
        "INVITE_EXPIRED",
        INVITE_EXPIRED,
    );
    expect_error(
        bea.decline_party_invite().inviting_party_id(party_id).await,
        410,
        "INVITE_EXPIRED",
        INVITE_EXPIRED,
    );

    // Inviting again replaces it with a fresh one.
    let again = w.invite(&p[0], &p[1]).await;
    assert!(again.created_at > invite.created_at);
    assert!(again.expires_at > invite.expires_at);
    let joined = w.accept(&p[1], &again).await;
    assert_eq!(member_ids!(joined), vec![p[0].id, p[1].id]);
    assert!(joined.invites.is_empty(), "the invite was consumed");
}

#[tokio::test]
async fn reinviting_replaces_the_pending_invite() {
    let w = World::new().await;
    let p = w.players(&["Lead", "Bea", "Cy"]).await;
    w.party_of(&p[..2]).await;
    let first = w.invite(&p[0], &p[2]).await;
    w.world
        .advance_clock(Duration::from_secs(60))
        .await
        .expect("clock");
    // Any member may invite; the one invite per (party, invitee) is replaced.
    let second = w.invite(&p[1], &p[2]).await;
    assert_eq!(second.party_id, first.party_id);
    assert_eq!(second.inviter_id, Some(p[1].id));
    assert!(second.expires_at > first.expires_at);
    assert_eq!(w.overview(&p[2]).await.invites, vec![second]);
}

#[tokio::test]
async fn accepting_while_in_another_party_leaves_that_one() {
    let w = World::new().await;
    let p = w.players(&["Ann", "Ben", "Cat", "Dan"]).await;
    // Ann leads Ann+Ben; Cat leads Cat+Dan.
    let first = w.party_of(&p[..2]).await;
    let second = w.party_of(&p[2..]).await;
    let first_id = first.party.as_ref().and_then(|p| p.id).expect("id");
    let second_id = second.party.as_ref().and_then(|p| p.id).expect("id");

    // Cat invites Ann, the leader of the first party; Ann accepts.
    let invite = w.invite(&p[2], &p[0]).await;
    let joined = w.accept(&p[0], &invite).await;
    let party = joined.party.as_ref().expect("party");
    assert_eq!(party.id, Some(second_id));
    assert_eq!(member_ids!(joined), vec![p[2].id, p[3].id, p[0].id]);
    assert_eq!(party.members[2].role, Some(KnownPartyRole::Member.into()));

    // The first party lives on under Ben.
    let ben = w.overview(&p[1]).await;
    let left_behind = ben.party.as_ref().expect("Ben's party");
    assert_eq!(left_behind.id, Some(first_id));
    assert_eq!(left_behind.leader_id, Some(p[1].id));
    assert_eq!(member_ids!(ben), vec![p[1].id]);
    assert_eq!(lobby(&ben).revision, Some(2));

    // Ben accepting too removes the first party, since he was its last member.
    let invite = w.invite(&p[3], &p[1]).await;
    let joined = w.accept(&p[1], &invite).await;
    assert_eq!(joined.party.as_ref().and_then(|p| p.id), Some(second_id));
    let server = w.server().await;
    let lookup = server
        .server_party_lookup()
        .body(PartyLookupBody {
            player_ids: p.iter().map(|m| m.id).collect(),
        })
        .await
        .expect("lookup");
    assert_eq!(lookup.parties.len(), 1);
    assert_eq!(lookup.memberships.len(), 4);
    assert!(
        lookup
            .memberships
            .iter()
            .all(|m| m.party_id == Some(second_id))
    );
}

#[tokio::test]
async fn only_the_leader_disbands() {
    let w = World::new().await;
    let p = w.players(&["Lead", "Bea", "Cy", "Stranger"]).await;
    w.party_of(&p[..2]).await;
    w.invite(&p[0], &p[2]).await;

    expect_error(
        w.party(&p[1]).disband_party().await,
        403,
        "NOT_LEADER",
        NOT_LEADER,
    );
    expect_error(
        w.party(&p[3]).disband_party().await,
        404,
        "NOT_IN_PARTY",
        YOU_ARE_NOT_IN_A_PARTY,
    );
    assert_eq!(member_ids!(w.overview(&p[1]).await), vec![p[0].id, p[1].id]);

    w.party(&p[0])
        .disband_party()
        .await
        .expect("the leader disbands");
    assert_eq!(w.overview(&p[0]).await.party, None);
    assert_eq!(w.overview(&p[1]).await.party, None);
    assert!(
        w.overview(&p[2]).await.invites.is_empty(),
        "its invites went with it"
    );
    expect_error(
        w.party(&p[0]).disband_party().await,
        404,
        "NOT_IN_PARTY",
        YOU_ARE_NOT_IN_A_PARTY,
    );
}
