//! Contract tests: the party service through the SDK against the stub. Every operation but
//! the live stream, its success and each documented error, and the party scenarios of
//! BEHAVIOR.md. Each test boots its own stub and works in a world of its own.

use contract_tests::actors::SECRET;
use contract_tests::assert::expect_error;
use contract_tests::assert::party::*;
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
            .inviting_party_id(invite.party_id.expect("partyId"))
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
        target_kind: "minigame".parse().expect("a non-blank kind"),
        target_id: "ffa-ragemode-round".parse().expect("a non-blank id"),
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

// After `member_ids!`: macros are in scope textually.
mod lifecycle;
mod refusals;
mod schema_rules;
mod server_routes;
