//! Contract tests: the party service through the SDK against the stub. Every operation but
//! the live stream, its success and each documented error, and the party scenarios of
//! BEHAVIOR.md. Each test boots its own stub and works in a world of its own.

use contract_tests::actors::SECRET;
use contract_tests::assert::expect_error;
use contract_tests::env::Env;
use social_sdk::party::types::{
    InviteBody, KnownPartyRole, KnownPresenceState, LobbySelectionBody, MinigameInfo, PartyInvite,
    PartyLookupBody, PartyOverview, ProfileRequirement, ServerActorBody, ServerInviteBody,
    SetReadyBody, SetSelectorsBody,
};
use social_sdk::{Auth, Error, party};
use social_stub::StubConfig;
use social_stub::social::{Block, CreatedPlayer};
use std::time::Duration;

const SERVER: &str = "srv-1";

/// Documented messages (`x-error-codes` of `openapi/party.yaml`).
const UNAUTHORIZED_PLAYER: &str = "Missing or invalid bearer token.";
const UNAUTHORIZED_SERVER: &str = "Missing or invalid server credentials.";
const PLAYER_NOT_FOUND: &str = "Player not found.";
const INVITE_NOT_FOUND: &str = "Party invite not found.";
const YOU_ARE_NOT_IN_A_PARTY: &str = "You are not in a party.";
const PLAYER_NOT_IN_A_PARTY: &str = "The player is not in a party.";
const NOT_LEADER: &str = "Only the party leader may do this.";
const NOT_SELECTOR: &str = "Only the party leader or a selector may change the lobby selection.";
const CANNOT_TARGET_SELF: &str = "You cannot invite yourself.";
const BLOCKED: &str = "A block exists between you and this player.";
const PARTY_FULL: &str = "The party is full.";
const ALREADY_IN_PARTY: &str = "The player is already in this party.";
const INVITE_EXPIRED: &str = "The party invite has expired.";
const NO_TARGET: &str = "Either targetId or targetName is required.";
const PROFILE_NOT_PREPARED: &str = "ready=true requires profilePrepared=true.";
const NO_SELECTION: &str = "The party lobby has no selection.";

/// The harness's [`Env`] (one stub, one world, the SDK pointed at it) and the party
/// scenarios' own steps.
struct World {
    env: Env,
}

impl std::ops::Deref for World {
    type Target = Env;

    fn deref(&self) -> &Env {
        &self.env
    }
}

impl World {
    async fn new() -> Self {
        Self::with(StubConfig::default()).await
    }

    async fn with(config: StubConfig) -> Self {
        Self {
            env: Env::with(config).await,
        }
    }

    /// A client for the server routes, as registered server `srv-1`.
    async fn server(&self) -> party::Client {
        self.world.register_server(SERVER).await.expect("server");
        self.party_server(SERVER)
    }

    /// `blocker` blocks `blocked`. Seeded in-process: blocking is the social friends
    /// service's operation, and the party tests should not depend on it.
    fn block(&self, blocker: &CreatedPlayer, blocked: &CreatedPlayer) {
        let world = self.in_process();
        let now = world.now();
        world.social_mut().blocks.insert(
            (blocker.id, blocked.id),
            Block {
                reason: None,
                created_at: now,
                updated_at: now,
            },
        );
    }

    async fn invite(&self, from: &CreatedPlayer, to: &CreatedPlayer) -> PartyInvite {
        self.party(from)
            .invite_to_party()
            .body(InviteBody {
                target_id: Some(to.id),
                target_name: None,
            })
            .await
            .expect("invite sent")
    }

    async fn accept(&self, player: &CreatedPlayer, invite: &PartyInvite) -> PartyOverview {
        self.party(player)
            .accept_party_invite()
            .party_id(invite.party_id.expect("partyId"))
            .await
            .expect("invite accepted")
    }

    /// A party led by `players[0]`, the others invited and accepted in order.
    async fn party_of(&self, players: &[CreatedPlayer]) -> PartyOverview {
        let mut last = self
            .party(&players[0])
            .create_party()
            .await
            .expect("party created");
        for member in &players[1..] {
            let invite = self.invite(&players[0], member).await;
            last = self.accept(member, &invite).await;
        }
        last
    }

    async fn overview(&self, player: &CreatedPlayer) -> PartyOverview {
        self.party(player).get_party().await.expect("snapshot")
    }
}

fn actor(player: &CreatedPlayer) -> ServerActorBody {
    ServerActorBody {
        actor_id: player.id,
    }
}

fn round_based_selection() -> LobbySelectionBody {
    LobbySelectionBody {
        target_kind: "minigame".into(),
        target_id: "ffa-ragemode-round".into(),
        display_name: Some("FFA RageMode Round".into()),
        server_address: Some("uebliche.games".into()),
        minigame: Some(MinigameInfo {
            mode: Some("ffa".into()),
            variant: Some("ragemode-round".into()),
            round_based: Some(true),
        }),
        profile_requirement: Some(ProfileRequirement {
            minecraft_version: Some("1.20.4".into()),
            loader: Some("fabric".into()),
            recommended_profile_id: Some("uebliche-games".into()),
            recommended_profile_name: Some("Uebliche.games".into()),
            recommended_profile_share_code: Some("438Z2V".into()),
            required_mods: vec![],
        }),
    }
}

fn ready_body(ready: bool, prepared: Option<bool>) -> SetReadyBody {
    SetReadyBody {
        ready,
        profile_prepared: prepared,
        profile_id: Some("uebliche-games".into()),
        temporary_profile: Some(false),
        requirement_hash: Some("profile-requirement-hash".into()),
    }
}

fn lobby(overview: &PartyOverview) -> &social_sdk::party::types::PartyLobby {
    overview
        .party
        .as_ref()
        .and_then(|p| p.lobby.as_ref())
        .expect("a party with a lobby")
}

/// The member ids of a snapshot, longest-standing first (a macro: the tests crate does not
/// name the uuid type).
macro_rules! member_ids {
    ($overview:expr) => {
        $overview
            .party
            .as_ref()
            .map(|p| p.members.iter().filter_map(|m| m.id).collect::<Vec<_>>())
            .unwrap_or_default()
    };
}

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
        bea.accept_party_invite().party_id(party_id).await,
        410,
        "INVITE_EXPIRED",
        INVITE_EXPIRED,
    );
    expect_error(
        bea.decline_party_invite().party_id(party_id).await,
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
        bea.accept_party_invite().party_id(own).await,
        404,
        "NOT_FOUND",
        INVITE_NOT_FOUND,
    );
    expect_error(
        bea.decline_party_invite().party_id(own).await,
        404,
        "NOT_FOUND",
        INVITE_NOT_FOUND,
    );

    // Declined: gone.
    bea.decline_party_invite()
        .party_id(party_id)
        .await
        .expect("declined");
    assert!(w.overview(&p[1]).await.invites.is_empty());
    expect_error(
        bea.accept_party_invite().party_id(party_id).await,
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
            .party_id(to_cy.party_id.expect("partyId"))
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
            .party_id(party_id)
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
    let mut empty = round_based_selection();
    empty.target_id = " ".into();
    let error = expect_error(
        lead.set_party_lobby_selection().body(empty).await,
        400,
        "INVALID_INPUT",
        "body: `targetKind` and `targetId` must not be empty",
    );
    assert!(error.body().is_some());

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
        .party_id(party_id)
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
        .party_id(party_id)
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
            .party_id(party_id)
            .body(actor(&p[2]))
            .await,
        404,
        "NOT_FOUND",
        INVITE_NOT_FOUND,
    );
    expect_error(
        server
            .server_decline_party_invite()
            .party_id(party_id)
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
            .party_id(party_id)
            .body(actor(&ghost))
            .await
            .map(drop),
        server
            .server_decline_party_invite()
            .party_id(party_id)
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
