//! The rules of parties (`openapi/party.yaml`, BEHAVIOR.md "Party").
//!
//! One service layer serves both route families: every rule lives in a plain function over
//! `&mut SocialState` that takes the acting player ([`invite`], [`accept`], [`leave`], …).
//! User routes act for the bearer token's player; server routes (`server_*`) check the
//! secret and the registered `X-Server-Id` and act for the body's `actorId`. So both obey the
//! same rules and answer the same `{"error","message"}` bodies. Each call runs under the
//! world's lock, and every function checks everything before it changes anything, so a
//! refused call changes nothing and every mutation is atomic.
//!
//! Decisions beyond BEHAVIOR.md and the document:
//!
//! - **Order of checks**: credentials (`401`), input (`400`: schema, empty `targetKind` /
//!   `targetId`, neither `targetId` nor `targetName`, `targetId` = the actor,
//!   `PROFILE_NOT_PREPARED`), existence (`404`: unknown `actorId`, unknown target, no party,
//!   no such invite; then `400` for `selectorIds` that are not members, which needs the party),
//!   permission (`403 NOT_LEADER` / `NOT_SELECTOR` / `BLOCKED`), state (accept: `410` before
//!   `409`). On server routes the unknown-`actorId` `404` comes after the input checks, as on
//!   any route. A `targetName` naming the actor is `400 CANNOT_TARGET_SELF` once the name is
//!   resolved. Inviting a player already in the party is `409 ALREADY_IN_PARTY` even when it
//!   is full. The error bodies of user and server routes are the same, except where the
//!   document words a message per route (`NOT_IN_PARTY`: "You are not in a party." / "The
//!   player is not in a party.").
//! - **Parties** get a random uuid; `maxSize` is the configured size when the party was
//!   created; `lobby.revision` starts at 0 and `selectorIds` at `[leader]`. `members` are in
//!   join order (longest-standing first); the leader is the member whose role is `LEADER`.
//!   `selectorIds` and `ready` follow the member order too. A member's and an inviter's
//!   `online`/`status` come from the shared player (`status.timestamp` is when the presence
//!   last changed).
//! - **Create** never changes an existing party (no revision bump).
//! - **Invites** belong to the party, not to the inviter: they survive the inviter leaving
//!   and vanish with the party (disband or last member leaving). One invite per (party,
//!   invitee); inviting again replaces it (fresh `createdAt`/`expiresAt`, new inviter).
//!   An invite is expired from `expiresAt` on (`now >= expiresAt`): it is left out of
//!   `invites` and answers `410 INVITE_EXPIRED` to accept and decline until it is replaced
//!   or its party is removed. A full party refuses accepting with `409 PARTY_FULL` and keeps
//!   the invite. An invite whose inviter and invitee now block each other (either way) is
//!   treated as gone: left out of `invites`, `404` to accept and decline. `invites` are
//!   listed oldest first. Sending an invite does not change the lobby revision.
//! - **Accept** checks the invite (`404`, `410`) and the joined party's room (`409`) before
//!   leaving the caller's current party, so a refused accept leaves the caller where it was.
//! - **Leaving / disbanding**: a leaving leader hands over to the longest-standing member,
//!   who is added to `selectorIds`; the leaver leaves `selectorIds` and `ready`. Disbanding
//!   removes the party and its invites; the members are then in no party.
//! - **Lobby**: the selection and `selectorIds` setters always count as a change (revision +1)
//!   even when the value is the same; the selection setter also clears `ready` and
//!   `launchSignal`. `PUT lobby/ready` replaces the caller's entry (absent `profilePrepared`
//!   / `temporaryProfile` count as false) and bumps the revision; `ready=false` needs no
//!   prepared profile. Once every member has a `ready=true` entry and the selection's
//!   `minigame.roundBased` is true, `launchSignal = {id: fresh uuid, revision: the revision
//!   of that ready call, issuedAt}`; it is issued once and stays (a later `ready=false` does
//!   not withdraw it) until the selection or the membership changes.
//! - **Lookup** keeps the first occurrence of each id, in the given order; `parties` are in
//!   order of first mention.
//! - **Wire shape**: the answers are the SDK's generated types, which leave out a `null`
//!   (`party`, `selection`, `launchSignal`) or an empty list (`invites`, `ready`) instead of
//!   writing it; the document marks none of them required, and the SDK reads both forms.

use super::state::{Invite, Member, Party, Ready};
use crate::config::StubConfig;
use crate::social::state::SocialState;
use chrono::{DateTime, Duration, Utc};
use social_sdk::party::types;
use std::collections::BTreeSet;
use uuid::Uuid;

/// What a party call may be refused with. Each maps to the document's error name; the
/// status is the one the operation documents for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartyError {
    /// `400 INVALID_INPUT`, with what was wrong (`None`: the document's message).
    InvalidInput(Option<String>),
    /// `400 CANNOT_TARGET_SELF`.
    CannotTargetSelf,
    /// `400 PROFILE_NOT_PREPARED`.
    ProfileNotPrepared,
    /// `403 BLOCKED`.
    Blocked,
    /// `403 NOT_LEADER`.
    NotLeader,
    /// `403 NOT_SELECTOR`.
    NotSelector,
    /// `404 NOT_FOUND` for a player (`actorId`, target).
    PlayerNotFound,
    /// `404 NOT_FOUND` for an invite (or its party).
    InviteNotFound,
    /// `404 NOT_IN_PARTY`.
    NotInParty,
    /// `409 PARTY_FULL`.
    PartyFull,
    /// `409 ALREADY_IN_PARTY`.
    AlreadyInParty,
    /// `409 NO_SELECTION`.
    NoSelection,
    /// `410 INVITE_EXPIRED`.
    InviteExpired,
}

impl PartyError {
    /// The HTTP status.
    /// The `error` name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::InvalidInput(_) => "INVALID_INPUT",
            Self::CannotTargetSelf => "CANNOT_TARGET_SELF",
            Self::ProfileNotPrepared => "PROFILE_NOT_PREPARED",
            Self::Blocked => "BLOCKED",
            Self::NotLeader => "NOT_LEADER",
            Self::NotSelector => "NOT_SELECTOR",
            Self::PlayerNotFound | Self::InviteNotFound => "NOT_FOUND",
            Self::NotInParty => "NOT_IN_PARTY",
            Self::PartyFull => "PARTY_FULL",
            Self::AlreadyInParty => "ALREADY_IN_PARTY",
            Self::NoSelection => "NO_SELECTION",
            Self::InviteExpired => "INVITE_EXPIRED",
        }
    }

    /// The message where it is more precise than the document's for the name (`None`: the
    /// document's message for the operation).
    pub fn message(&self) -> Option<String> {
        match self {
            Self::InvalidInput(Some(message)) => Some(message.clone()),
            // The document lists two NOT_FOUND messages; the first is the player's.
            Self::InviteNotFound => Some("Party invite not found.".to_owned()),
            _ => None,
        }
    }
}

/// The limits and the time a party call runs with.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// The world's time.
    pub now: DateTime<Utc>,
    /// Most members of a new party.
    pub max_size: usize,
    /// How long an invite lives.
    pub invite_ttl: Duration,
}

impl Rules {
    /// The rules under these settings at world time `now` (the demo world).
    pub fn at(config: &StubConfig, now: DateTime<Utc>) -> Self {
        Self {
            now,
            max_size: config.party_max_size,
            invite_ttl: config.party_invite_ttl(),
        }
    }
}

pub(crate) type Outcome<T> = Result<T, PartyError>;

impl SocialState {
    pub(super) fn require_player(&self, id: Uuid) -> Outcome<()> {
        if self.players.contains_key(&id) {
            Ok(())
        } else {
            Err(PartyError::PlayerNotFound)
        }
    }

    pub(super) fn current_party(&self, player: Uuid) -> Outcome<&Party> {
        self.party_of(player)
            .and_then(|id| self.party.parties.get(&id))
            .ok_or(PartyError::NotInParty)
    }

    pub(super) fn current_party_mut(&mut self, player: Uuid) -> Outcome<&mut Party> {
        let id = self.party_of(player).ok_or(PartyError::NotInParty)?;
        self.party
            .parties
            .get_mut(&id)
            .ok_or(PartyError::NotInParty)
    }

    /// The party `player` leads or is in, created (led by them) when they are in none.
    pub(super) fn ensure_party(&mut self, player: Uuid, rules: &Rules) -> Uuid {
        if let Some(id) = self.party_of(player) {
            return id;
        }
        let party = Party::new(player, rules.max_size, rules.now);
        let id = party.id;
        self.party.parties.insert(id, party);
        self.party.member_of.insert(player, id);
        id
    }

    /// The pending invite from `party_id` to `player`: `404` when there is none (or its
    /// party is gone, or a block now separates inviter and invitee), `410` when expired.
    pub(super) fn pending_invite(
        &self,
        player: Uuid,
        party_id: Uuid,
        now: DateTime<Utc>,
    ) -> Outcome<&Invite> {
        let invite = self
            .party
            .invites
            .get(&player)
            .and_then(|by_party| by_party.get(&party_id))
            .filter(|i| self.invite_visible(i))
            .ok_or(PartyError::InviteNotFound)?;
        if invite.expired(now) {
            return Err(PartyError::InviteExpired);
        }
        Ok(invite)
    }
}

/// `POST /v1/social/party` and `POST …/server`: creates a party led by `actor`, or leaves
/// the current one unchanged.
pub fn create(
    state: &mut SocialState,
    actor: Uuid,
    rules: &Rules,
) -> Outcome<types::PartyOverview> {
    state.require_player(actor)?;
    state.ensure_party(actor, rules);
    Ok(state.party_overview(actor, rules.now))
}

/// `DELETE /v1/social/party` and `DELETE …/server`: leader only.
pub fn disband(state: &mut SocialState, actor: Uuid) -> Outcome<()> {
    state.require_player(actor)?;
    let party = state.current_party(actor)?;
    if party.leader != actor {
        return Err(PartyError::NotLeader);
    }
    let id = party.id;
    state.remove_party(id);
    Ok(())
}

/// `POST /v1/social/party/leave` and `POST …/server/leave`.
pub fn leave(state: &mut SocialState, actor: Uuid, rules: &Rules) -> Outcome<types::PartyOverview> {
    state.require_player(actor)?;
    state.current_party(actor)?;
    state.depart(actor);
    Ok(state.party_overview(actor, rules.now))
}

/// `POST /v1/social/party/invites` and `POST …/server/invites`: `actor` invites the player
/// named by `target_id` (or, when absent, `target_name`), creating `actor`'s party first
/// when needed.
pub fn invite(
    state: &mut SocialState,
    actor: Uuid,
    target_id: Option<Uuid>,
    target_name: Option<&str>,
    rules: &Rules,
) -> Outcome<types::PartyInvite> {
    let target_name = target_name.map(str::trim).filter(|n| !n.is_empty());
    if target_id.is_none() && target_name.is_none() {
        return Err(PartyError::InvalidInput(None));
    }
    if target_id == Some(actor) {
        return Err(PartyError::CannotTargetSelf);
    }
    state.require_player(actor)?;
    let target = match (target_id, target_name) {
        (Some(id), _) => state.players.contains_key(&id).then_some(id),
        (None, Some(name)) => state.names.get(&name.to_lowercase()).copied(),
        (None, None) => None,
    }
    .ok_or(PartyError::PlayerNotFound)?;
    if target == actor {
        return Err(PartyError::CannotTargetSelf);
    }
    if state.blocked_either_way(actor, target) {
        return Err(PartyError::Blocked);
    }
    match state.current_party(actor) {
        Ok(party) if party.is_member(target) => return Err(PartyError::AlreadyInParty),
        Ok(party) if party.is_full() => return Err(PartyError::PartyFull),
        Ok(_) => {}
        // A new party holds the inviter alone; it is full only when the size is 1.
        Err(_) if rules.max_size <= 1 => return Err(PartyError::PartyFull),
        Err(_) => {}
    }
    let party_id = state.ensure_party(actor, rules);
    let invite = Invite {
        party_id,
        invitee: target,
        inviter: actor,
        created_at: rules.now,
        expires_at: crate::dates::later(rules.now, rules.invite_ttl),
    };
    let view = state.invite_view(&invite);
    state
        .party
        .invites
        .entry(target)
        .or_default()
        .insert(party_id, invite);
    Ok(view)
}

/// `POST /v1/social/party/invites/{invitingPartyId}/accept` and its server twin: joins the party,
/// leaving the current one first.
pub fn accept(
    state: &mut SocialState,
    actor: Uuid,
    party_id: Uuid,
    rules: &Rules,
) -> Outcome<types::PartyOverview> {
    state.require_player(actor)?;
    state.pending_invite(actor, party_id, rules.now)?;
    if state.party_of(actor) == Some(party_id) {
        state.drop_invite(actor, party_id);
        return Ok(state.party_overview(actor, rules.now));
    }
    let full = state
        .party
        .parties
        .get(&party_id)
        .is_none_or(Party::is_full);
    if full {
        return Err(PartyError::PartyFull);
    }
    state.depart(actor);
    state.drop_invite(actor, party_id);
    if let Some(party) = state.party.parties.get_mut(&party_id) {
        party.members.push(Member {
            id: actor,
            joined_at: rules.now,
        });
        party.membership_changed();
        state.party.member_of.insert(actor, party_id);
    }
    Ok(state.party_overview(actor, rules.now))
}

/// `POST /v1/social/party/invites/{invitingPartyId}/decline` and its server twin.
pub fn decline(state: &mut SocialState, actor: Uuid, party_id: Uuid, rules: &Rules) -> Outcome<()> {
    state.require_player(actor)?;
    state.pending_invite(actor, party_id, rules.now)?;
    state.drop_invite(actor, party_id);
    Ok(())
}

/// `PUT /v1/social/party/lobby/selection`: the leader or a selector.
pub fn set_selection(
    state: &mut SocialState,
    actor: Uuid,
    body: types::LobbySelectionBody,
    rules: &Rules,
) -> Outcome<types::PartyOverview> {
    if body.target_kind.trim().is_empty() || body.target_id.trim().is_empty() {
        return Err(PartyError::InvalidInput(Some(
            "body: `targetKind` and `targetId` must not be empty".into(),
        )));
    }
    state.require_player(actor)?;
    let party = state.current_party_mut(actor)?;
    if party.leader != actor && !party.lobby.selector_ids.contains(&actor) {
        return Err(PartyError::NotSelector);
    }
    party.lobby.selection = Some(types::LobbySelection {
        target_kind: Some(body.target_kind.into()),
        target_id: Some(body.target_id.into()),
        display_name: body.display_name,
        server_address: body.server_address,
        minigame: body.minigame,
        profile_requirement: body.profile_requirement,
    });
    party.lobby.revision += 1;
    party.lobby.ready.clear();
    party.lobby.launch_signal = None;
    Ok(state.party_overview(actor, rules.now))
}

/// `PUT /v1/social/party/lobby/selectors`: leader only; every id a member.
pub fn set_selectors(
    state: &mut SocialState,
    actor: Uuid,
    selector_ids: &[Uuid],
    rules: &Rules,
) -> Outcome<types::PartyOverview> {
    state.require_player(actor)?;
    let party = state.current_party_mut(actor)?;
    if let Some(stranger) = selector_ids.iter().find(|id| !party.is_member(**id)) {
        return Err(PartyError::InvalidInput(Some(format!(
            "body: `selectorIds`: {stranger} is not a member of the party"
        ))));
    }
    if party.leader != actor {
        return Err(PartyError::NotLeader);
    }
    let wanted: BTreeSet<Uuid> = selector_ids.iter().copied().collect();
    party.lobby.selector_ids = party.member_ordered(&wanted);
    party.lobby.revision += 1;
    Ok(state.party_overview(actor, rules.now))
}

/// `PUT /v1/social/party/lobby/ready`: records the caller's ready state; issues the launch
/// signal once every member is ready on a round-based minigame.
pub fn set_ready(
    state: &mut SocialState,
    actor: Uuid,
    body: types::SetReadyBody,
    rules: &Rules,
) -> Outcome<types::PartyOverview> {
    let prepared = body.profile_prepared.unwrap_or(false);
    if body.ready && !prepared {
        return Err(PartyError::ProfileNotPrepared);
    }
    state.require_player(actor)?;
    let party = state.current_party_mut(actor)?;
    let Some(selection) = &party.lobby.selection else {
        return Err(PartyError::NoSelection);
    };
    let round_based = selection
        .minigame
        .as_ref()
        .and_then(|m| m.round_based)
        .unwrap_or(false);
    party.lobby.ready.insert(
        actor,
        Ready {
            ready: body.ready,
            profile_prepared: prepared,
            profile_id: body.profile_id,
            temporary_profile: body.temporary_profile.unwrap_or(false),
            requirement_hash: body.requirement_hash,
            updated_at: rules.now,
        },
    );
    party.lobby.revision += 1;
    let everyone_ready = party
        .members
        .iter()
        .all(|m| party.lobby.ready.get(&m.id).is_some_and(|r| r.ready));
    if round_based && everyone_ready && party.lobby.launch_signal.is_none() {
        party.lobby.launch_signal = Some(types::LaunchSignal {
            id: Some(Uuid::new_v4().to_string()),
            revision: Some(party.lobby.revision),
            issued_at: Some(rules.now),
        });
    }
    Ok(state.party_overview(actor, rules.now))
}
