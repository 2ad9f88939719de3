//! Parties on the generated `PartyApi` trait (`openapi/party.yaml`, BEHAVIOR.md "Party").
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

use crate::generated::party::*;
use crate::http::{RequestContext, StubError};
use crate::social::SocialState;
use crate::spec::Invalid;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::Value;
use social_sdk::party::types;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// The party service.
#[derive(Debug, Clone, Copy, Default)]
pub struct PartyService;

/// Parties and invites of one world.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartyState {
    /// Every party.
    parties: BTreeMap<Uuid, Party>,
    /// Player → the party they are in.
    member_of: BTreeMap<Uuid, Uuid>,
    /// Invitee → party → the pending (or expired) invite.
    invites: BTreeMap<Uuid, BTreeMap<Uuid, Invite>>,
}

/// A party.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    id: Uuid,
    leader: Uuid,
    /// In join order: longest-standing first.
    members: Vec<Member>,
    max_size: usize,
    created_at: DateTime<Utc>,
    lobby: Lobby,
}

/// A member of a party.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    id: Uuid,
    joined_at: DateTime<Utc>,
}

/// The shared lobby of a party.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lobby {
    selection: Option<types::LobbySelection>,
    /// In member order; always holds the leader.
    selector_ids: Vec<Uuid>,
    revision: i64,
    /// Member → ready state.
    ready: BTreeMap<Uuid, Ready>,
    launch_signal: Option<types::LaunchSignal>,
}

/// One member's ready state.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ready {
    ready: bool,
    profile_prepared: bool,
    profile_id: Option<String>,
    temporary_profile: bool,
    requirement_hash: Option<String>,
    updated_at: DateTime<Utc>,
}

/// A party invite.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invite {
    party_id: Uuid,
    invitee: Uuid,
    inviter: Uuid,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

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
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidInput(_) | Self::CannotTargetSelf | Self::ProfileNotPrepared => {
                StatusCode::BAD_REQUEST
            }
            Self::Blocked | Self::NotLeader | Self::NotSelector => StatusCode::FORBIDDEN,
            Self::PlayerNotFound | Self::InviteNotFound | Self::NotInParty => StatusCode::NOT_FOUND,
            Self::PartyFull | Self::AlreadyInParty | Self::NoSelection => StatusCode::CONFLICT,
            Self::InviteExpired => StatusCode::GONE,
        }
    }

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

    /// The answer: `{"error", "message"}` with the document's message for the operation,
    /// or the more precise one this error carries.
    pub fn into_stub(self, ctx: &RequestContext) -> StubError {
        let mut error = ctx.named_error(self.status(), self.name());
        let message = match self {
            Self::InvalidInput(Some(message)) => Some(message),
            // The document lists two NOT_FOUND messages; the first is the player's.
            Self::InviteNotFound => Some("Party invite not found.".to_owned()),
            _ => None,
        };
        if let Some(message) = message {
            error.body["message"] = Value::String(message);
        }
        error
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
    /// The rules of a request: the world's clock and the stub's settings.
    pub fn of(ctx: &RequestContext) -> Self {
        Self::at(&ctx.stub.config, ctx.world.now())
    }

    /// The rules under these settings at world time `now` (the demo world).
    pub fn at(config: &crate::config::StubConfig, now: DateTime<Utc>) -> Self {
        Self {
            now,
            max_size: config.party_max_size,
            invite_ttl: config.party_invite_ttl(),
        }
    }
}

type Outcome<T> = Result<T, PartyError>;

impl Invite {
    fn expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }
}

impl Party {
    fn new(leader: Uuid, max_size: usize, now: DateTime<Utc>) -> Self {
        Self {
            id: Uuid::new_v4(),
            leader,
            members: vec![Member {
                id: leader,
                joined_at: now,
            }],
            max_size: max_size.max(1),
            created_at: now,
            lobby: Lobby {
                selection: None,
                selector_ids: vec![leader],
                revision: 0,
                ready: BTreeMap::new(),
                launch_signal: None,
            },
        }
    }

    fn is_member(&self, player: Uuid) -> bool {
        self.members.iter().any(|m| m.id == player)
    }

    fn is_full(&self) -> bool {
        self.members.len() >= self.max_size
    }

    /// Keeps `ids` that are members, in member order, with the leader always in.
    fn member_ordered(&self, ids: &BTreeSet<Uuid>) -> Vec<Uuid> {
        self.members
            .iter()
            .map(|m| m.id)
            .filter(|id| *id == self.leader || ids.contains(id))
            .collect()
    }

    /// A membership change: revision +1, ready states and launch signal cleared, selectors
    /// kept to members (leader included).
    fn membership_changed(&mut self) {
        let selectors: BTreeSet<Uuid> = self.lobby.selector_ids.iter().copied().collect();
        self.lobby.selector_ids = self.member_ordered(&selectors);
        self.lobby.revision += 1;
        self.lobby.ready.clear();
        self.lobby.launch_signal = None;
    }
}

impl SocialState {
    /// The party `player` is in, if any (friend entries carry it as `partyId`).
    pub fn party_of(&self, player: Uuid) -> Option<Uuid> {
        self.party.member_of.get(&player).copied()
    }

    /// `player`'s snapshot: their party and their pending, unexpired invites (what
    /// `GET /v1/social/party` answers and every live frame carries).
    pub fn party_overview(&self, player: Uuid, now: DateTime<Utc>) -> types::PartyOverview {
        let party = self
            .party_of(player)
            .and_then(|id| self.party.parties.get(&id))
            .map(|p| self.party_view(p));
        let mut invites: Vec<&Invite> = self
            .party
            .invites
            .get(&player)
            .into_iter()
            .flat_map(BTreeMap::values)
            .filter(|i| !i.expired(now) && self.invite_visible(i))
            .collect();
        invites.sort_by_key(|i| (i.created_at, i.party_id));
        types::PartyOverview {
            party,
            invites: invites.into_iter().map(|i| self.invite_view(i)).collect(),
        }
    }

    fn invite_visible(&self, invite: &Invite) -> bool {
        self.party.parties.contains_key(&invite.party_id)
            && !self.blocked_either_way(invite.inviter, invite.invitee)
    }

    fn presence_of(
        &self,
        id: Uuid,
    ) -> (Option<String>, Option<bool>, Option<types::PresenceStatus>) {
        match self.player(id) {
            Some(p) => (
                Some(p.name.clone()),
                Some(p.online()),
                Some(types::PresenceStatus {
                    state: Some(presence_state(&p.presence)),
                    timestamp: Some(p.presence_since),
                }),
            ),
            None => (None, None, None),
        }
    }

    fn party_view(&self, party: &Party) -> types::Party {
        let members = party
            .members
            .iter()
            .map(|m| {
                let (name, online, status) = self.presence_of(m.id);
                let role = if m.id == party.leader {
                    types::KnownPartyRole::Leader
                } else {
                    types::KnownPartyRole::Member
                };
                types::PartyMember {
                    id: Some(m.id),
                    joined_at: Some(m.joined_at),
                    name,
                    online,
                    role: Some(role.into()),
                    status,
                }
            })
            .collect();
        let ready = party
            .members
            .iter()
            .filter_map(|m| party.lobby.ready.get(&m.id).map(|r| (m.id, r)))
            .map(|(id, r)| types::ReadyState {
                player_id: Some(id),
                ready: Some(r.ready),
                profile_prepared: Some(r.profile_prepared),
                profile_id: r.profile_id.clone(),
                temporary_profile: Some(r.temporary_profile),
                requirement_hash: r.requirement_hash.clone(),
                updated_at: Some(r.updated_at),
            })
            .collect();
        types::Party {
            id: Some(party.id),
            leader_id: Some(party.leader),
            members,
            max_size: Some(i32::try_from(party.max_size).unwrap_or(i32::MAX)),
            created_at: Some(party.created_at),
            lobby: Some(types::PartyLobby {
                selection: party.lobby.selection.clone(),
                selector_ids: party.lobby.selector_ids.clone(),
                revision: Some(party.lobby.revision),
                ready,
                launch_signal: party.lobby.launch_signal.clone(),
            }),
        }
    }

    fn invite_view(&self, invite: &Invite) -> types::PartyInvite {
        let (name, online, status) = self.presence_of(invite.inviter);
        types::PartyInvite {
            party_id: Some(invite.party_id),
            inviter_id: Some(invite.inviter),
            inviter: Some(types::PlayerSummary {
                id: Some(invite.inviter),
                name,
                online,
                status,
                party_id: self.party_of(invite.inviter),
            }),
            created_at: Some(invite.created_at),
            expires_at: Some(invite.expires_at),
        }
    }

    fn require_player(&self, id: Uuid) -> Outcome<()> {
        if self.players.contains_key(&id) {
            Ok(())
        } else {
            Err(PartyError::PlayerNotFound)
        }
    }

    fn current_party(&self, player: Uuid) -> Outcome<&Party> {
        self.party_of(player)
            .and_then(|id| self.party.parties.get(&id))
            .ok_or(PartyError::NotInParty)
    }

    fn current_party_mut(&mut self, player: Uuid) -> Outcome<&mut Party> {
        let id = self.party_of(player).ok_or(PartyError::NotInParty)?;
        self.party
            .parties
            .get_mut(&id)
            .ok_or(PartyError::NotInParty)
    }

    /// `player` leaves their party (if any): hand-over, or removal when they were the last.
    fn depart(&mut self, player: Uuid) {
        let Some(party_id) = self.party.member_of.remove(&player) else {
            return;
        };
        let Some(party) = self.party.parties.get_mut(&party_id) else {
            return;
        };
        party.members.retain(|m| m.id != player);
        party.lobby.selector_ids.retain(|id| *id != player);
        match party.members.first() {
            None => self.remove_party(party_id),
            Some(longest) => {
                let longest = longest.id;
                if party.leader == player {
                    party.leader = longest;
                }
                party.membership_changed();
            }
        }
    }

    /// Removes a party, its memberships and its invites.
    fn remove_party(&mut self, party_id: Uuid) {
        if let Some(party) = self.party.parties.remove(&party_id) {
            for member in &party.members {
                self.party.member_of.remove(&member.id);
            }
        }
        self.party.invites.retain(|_, by_party| {
            by_party.remove(&party_id);
            !by_party.is_empty()
        });
    }

    /// The party `player` leads or is in, created (led by them) when they are in none.
    fn ensure_party(&mut self, player: Uuid, rules: &Rules) -> Uuid {
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
    fn pending_invite(&self, player: Uuid, party_id: Uuid, now: DateTime<Utc>) -> Outcome<&Invite> {
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

    fn drop_invite(&mut self, player: Uuid, party_id: Uuid) {
        if let Some(by_party) = self.party.invites.get_mut(&player) {
            by_party.remove(&party_id);
            if by_party.is_empty() {
                self.party.invites.remove(&player);
            }
        }
    }
}

/// A presence string as the document's `PresenceState` (unknown values kept as given).
fn presence_state(state: &str) -> types::PresenceState {
    match state.parse::<types::KnownPresenceState>() {
        Ok(known) => known.into(),
        Err(_) => types::PresenceStateUnknown::try_from(state.to_owned())
            .map(Into::into)
            .unwrap_or_else(|_| types::KnownPresenceState::Offline.into()),
    }
}

// ---------------------------------------------------------------------------------------
// The service layer: one function per operation, shared by user and server routes.
// ---------------------------------------------------------------------------------------

/// `GET /v1/social/party` and `POST …/server/overview`.
pub fn overview(state: &SocialState, actor: Uuid, rules: &Rules) -> Outcome<types::PartyOverview> {
    state.require_player(actor)?;
    Ok(state.party_overview(actor, rules.now))
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
        expires_at: rules
            .now
            .checked_add_signed(rules.invite_ttl)
            .unwrap_or(DateTime::<Utc>::MAX_UTC),
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

/// `POST /v1/social/party/invites/{partyId}/accept` and its server twin: joins the party,
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

/// `POST /v1/social/party/invites/{partyId}/decline` and its server twin.
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
        target_kind: Some(body.target_kind),
        target_id: Some(body.target_id),
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

/// `POST /v1/social/party/server/lookup`: memberships of the given players (unknown ids and
/// players in no party left out, duplicates collapsed) and each party involved, once.
pub fn lookup(state: &SocialState, player_ids: &[Uuid]) -> types::PartyLookupResponse {
    let mut seen = BTreeSet::new();
    let mut parties_seen = BTreeSet::new();
    let mut answer = types::PartyLookupResponse::default();
    for id in player_ids {
        if !seen.insert(*id) {
            continue;
        }
        let Some(party) = state
            .party_of(*id)
            .and_then(|p| state.party.parties.get(&p))
        else {
            continue;
        };
        answer.memberships.push(types::PartyMembership {
            player_id: Some(*id),
            party_id: Some(party.id),
            leader: Some(party.leader == *id),
        });
        if parties_seen.insert(party.id) {
            answer.parties.push(state.party_view(party));
        }
    }
    answer
}

// ---------------------------------------------------------------------------------------
// The routes.
// ---------------------------------------------------------------------------------------

/// Runs a user route: the bearer token's player acts.
fn as_player<T>(
    ctx: &RequestContext,
    call: impl FnOnce(&mut SocialState, Uuid, &Rules) -> Outcome<T>,
) -> Result<T, StubError> {
    let rules = Rules::of(ctx);
    let mut state = ctx.world.social_mut();
    let me = super::super::api::authenticate_player(&state, ctx)?;
    call(&mut state, me, &rules).map_err(|e| e.into_stub(ctx))
}

/// Runs a server route: server credentials checked, then `actor` acts (the service layer
/// answers `404 NOT_FOUND` for an unknown actor, after the input checks).
fn as_server<T>(
    ctx: &RequestContext,
    actor: Uuid,
    call: impl FnOnce(&mut SocialState, Uuid, &Rules) -> Outcome<T>,
) -> Result<T, StubError> {
    let rules = Rules::of(ctx);
    let mut state = ctx.world.social_mut();
    super::super::api::authenticate_server(&state, ctx)?;
    call(&mut state, actor, &rules).map_err(|e| e.into_stub(ctx))
}

impl PartyApi for PartyService {
    fn party_live(
        &self,
        ctx: &RequestContext,
        params: Result<serde_json::Map<String, serde_json::Value>, Invalid>,
    ) -> Result<crate::http::LiveFeed, StubError> {
        super::super::api::live_feed(ctx, params, &super::super::views::PARTY, None)
    }

    fn invalid_input(&self, ctx: &RequestContext, problem: &Invalid) -> StubError {
        super::super::api::invalid_input(&ctx.world.social(), ctx, problem)
    }

    async fn get_party(
        &self,
        ctx: RequestContext,
        _input: GetPartyInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_player(&ctx, |state, me, rules| overview(state, me, rules))
    }

    async fn create_party(
        &self,
        ctx: RequestContext,
        _input: CreatePartyInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_player(&ctx, create)
    }

    async fn disband_party(
        &self,
        ctx: RequestContext,
        _input: DisbandPartyInput,
    ) -> Result<(), StubError> {
        as_player(&ctx, |state, me, _| disband(state, me))
    }

    async fn invite_to_party(
        &self,
        ctx: RequestContext,
        input: InviteToPartyInput,
    ) -> Result<types::PartyInvite, StubError> {
        let body = input.body;
        as_player(&ctx, |state, me, rules| {
            invite(
                state,
                me,
                body.target_id,
                body.target_name.as_deref(),
                rules,
            )
        })
    }

    async fn accept_party_invite(
        &self,
        ctx: RequestContext,
        input: AcceptPartyInviteInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_player(&ctx, |state, me, rules| {
            accept(state, me, input.party_id, rules)
        })
    }

    async fn decline_party_invite(
        &self,
        ctx: RequestContext,
        input: DeclinePartyInviteInput,
    ) -> Result<(), StubError> {
        as_player(&ctx, |state, me, rules| {
            decline(state, me, input.party_id, rules)
        })
    }

    async fn leave_party(
        &self,
        ctx: RequestContext,
        _input: LeavePartyInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_player(&ctx, leave)
    }

    async fn set_party_ready(
        &self,
        ctx: RequestContext,
        input: SetPartyReadyInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_player(&ctx, |state, me, rules| {
            set_ready(state, me, input.body, rules)
        })
    }

    async fn set_party_lobby_selection(
        &self,
        ctx: RequestContext,
        input: SetPartyLobbySelectionInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_player(&ctx, |state, me, rules| {
            set_selection(state, me, input.body, rules)
        })
    }

    async fn set_party_lobby_selectors(
        &self,
        ctx: RequestContext,
        input: SetPartyLobbySelectorsInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_player(&ctx, |state, me, rules| {
            set_selectors(state, me, &input.body.selector_ids, rules)
        })
    }

    async fn server_create_party(
        &self,
        ctx: RequestContext,
        input: ServerCreatePartyInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_server(&ctx, input.body.actor_id, create)
    }

    async fn server_disband_party(
        &self,
        ctx: RequestContext,
        input: ServerDisbandPartyInput,
    ) -> Result<(), StubError> {
        as_server(&ctx, input.body.actor_id, |state, actor, _| {
            disband(state, actor)
        })
    }

    async fn server_invite_to_party(
        &self,
        ctx: RequestContext,
        input: ServerInviteToPartyInput,
    ) -> Result<types::PartyInvite, StubError> {
        let body = input.body;
        as_server(&ctx, body.actor_id, |state, actor, rules| {
            invite(
                state,
                actor,
                body.target_id,
                body.target_name.as_deref(),
                rules,
            )
        })
    }

    async fn server_accept_party_invite(
        &self,
        ctx: RequestContext,
        input: ServerAcceptPartyInviteInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_server(&ctx, input.body.actor_id, |state, actor, rules| {
            accept(state, actor, input.party_id, rules)
        })
    }

    async fn server_decline_party_invite(
        &self,
        ctx: RequestContext,
        input: ServerDeclinePartyInviteInput,
    ) -> Result<(), StubError> {
        as_server(&ctx, input.body.actor_id, |state, actor, rules| {
            decline(state, actor, input.party_id, rules)
        })
    }

    async fn server_leave_party(
        &self,
        ctx: RequestContext,
        input: ServerLeavePartyInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_server(&ctx, input.body.actor_id, leave)
    }

    async fn server_party_lookup(
        &self,
        ctx: RequestContext,
        input: ServerPartyLookupInput,
    ) -> Result<types::PartyLookupResponse, StubError> {
        let state = ctx.world.social();
        super::super::api::authenticate_server(&state, &ctx)?;
        Ok(lookup(&state, &input.body.player_ids))
    }

    async fn server_party_overview(
        &self,
        ctx: RequestContext,
        input: ServerPartyOverviewInput,
    ) -> Result<types::PartyOverview, StubError> {
        as_server(&ctx, input.body.actor_id, |state, actor, rules| {
            overview(state, actor, rules)
        })
    }
}

#[cfg(test)]
mod tests {
    //! The service layer driven directly: directed cases for the rules, and random operation
    //! sequences (proptest) that must keep the invariants.

    use super::*;
    use crate::social::{Block, NewPlayer};
    use proptest::prelude::*;

    const PLAYERS: usize = 5;

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    struct World {
        state: SocialState,
        players: Vec<Uuid>,
        rules: Rules,
    }

    impl World {
        fn new(players: usize, max_size: usize) -> Self {
            let now = start();
            let mut state = SocialState::default();
            let players = (0..players)
                .map(|i| {
                    let spec = NewPlayer {
                        name: Some(format!("p{i}")),
                        ..NewPlayer::default()
                    };
                    state.create_player(spec, now).map(|c| c.id)
                })
                .collect::<Result<Vec<_>, _>>()
                .unwrap_or_default();
            Self {
                state,
                players,
                rules: Rules {
                    now,
                    max_size,
                    invite_ttl: Duration::seconds(60),
                },
            }
        }

        fn p(&self, i: usize) -> Uuid {
            self.players[i % self.players.len()]
        }

        fn invite(&mut self, from: usize, to: usize) -> Outcome<types::PartyInvite> {
            let (a, b) = (self.p(from), self.p(to));
            invite(&mut self.state, a, Some(b), None, &self.rules)
        }

        fn accept(&mut self, who: usize, party: Uuid) -> Outcome<types::PartyOverview> {
            let p = self.p(who);
            accept(&mut self.state, p, party, &self.rules)
        }

        fn party(&self, who: usize) -> Option<types::Party> {
            self.state.party_overview(self.p(who), self.rules.now).party
        }

        fn select(&mut self, who: usize, round_based: bool) -> Outcome<types::PartyOverview> {
            let p = self.p(who);
            let body = types::LobbySelectionBody {
                target_kind: "minigame".into(),
                target_id: "ffa-ragemode-round".into(),
                display_name: None,
                server_address: None,
                minigame: Some(types::MinigameInfo {
                    mode: Some("ffa".into()),
                    variant: None,
                    round_based: Some(round_based),
                }),
                profile_requirement: None,
            };
            set_selection(&mut self.state, p, body, &self.rules)
        }

        fn ready(
            &mut self,
            who: usize,
            ready: bool,
            prepared: bool,
        ) -> Outcome<types::PartyOverview> {
            let p = self.p(who);
            let body = types::SetReadyBody {
                ready,
                profile_prepared: Some(prepared),
                profile_id: None,
                temporary_profile: None,
                requirement_hash: None,
            };
            set_ready(&mut self.state, p, body, &self.rules)
        }

        /// A party of `size` led by player 0, players 1.. joined in order.
        fn party_of_size(&mut self, size: usize) -> Uuid {
            let mut id = None;
            for i in 1..size {
                let invite = self.invite(0, i).expect("invite");
                id = invite.party_id;
                self.accept(i, invite.party_id.expect("party id"))
                    .expect("accept");
            }
            id.expect("a party")
        }
    }

    fn revision(party: &types::Party) -> i64 {
        party.lobby.as_ref().and_then(|l| l.revision).unwrap_or(-1)
    }

    #[test]
    fn invite_creates_the_party_and_accept_joins_it() {
        let mut w = World::new(3, 8);
        let invite = w.invite(0, 1).expect("invite");
        let party = w.party(0).expect("inviting created a party");
        assert_eq!(invite.party_id, party.id);
        assert_eq!(party.leader_id, Some(w.p(0)));
        assert_eq!(revision(&party), 0);
        assert_eq!(w.state.party_overview(w.p(1), w.rules.now).invites.len(), 1);
        let joined = w.accept(1, party.id.expect("id")).expect("accept");
        let joined = joined.party.expect("in the party");
        assert_eq!(joined.members.len(), 2);
        assert_eq!(revision(&joined), 1);
        assert!(
            w.state
                .party_overview(w.p(1), w.rules.now)
                .invites
                .is_empty()
        );
        assert_eq!(w.state.party_of(w.p(1)), party.id);
    }

    #[test]
    fn input_and_existence_errors() {
        let mut w = World::new(3, 8);
        let (a, b) = (w.p(0), w.p(1));
        let rules = w.rules;
        let s = &mut w.state;
        assert_eq!(
            invite(s, a, None, Some("  "), &rules),
            Err(PartyError::InvalidInput(None))
        );
        assert_eq!(
            invite(s, a, Some(a), None, &rules),
            Err(PartyError::CannotTargetSelf)
        );
        assert_eq!(
            invite(s, a, None, Some("P0"), &rules),
            Err(PartyError::CannotTargetSelf)
        );
        assert_eq!(
            invite(s, a, Some(Uuid::new_v4()), None, &rules),
            Err(PartyError::PlayerNotFound)
        );
        assert_eq!(
            invite(s, Uuid::new_v4(), Some(b), None, &rules),
            Err(PartyError::PlayerNotFound)
        );
        assert!(
            invite(s, a, None, Some("P1"), &rules).is_ok(),
            "names are case-insensitive"
        );
        assert_eq!(leave(s, b, &rules), Err(PartyError::NotInParty));
        assert_eq!(disband(s, b), Err(PartyError::NotInParty));
        assert_eq!(
            accept(s, b, Uuid::new_v4(), &rules),
            Err(PartyError::InviteNotFound)
        );
        assert_eq!(
            decline(s, w.players[2], Uuid::new_v4(), &rules),
            Err(PartyError::InviteNotFound)
        );
    }

    #[test]
    fn blocks_refuse_invites_and_hide_pending_ones() {
        let mut w = World::new(3, 8);
        let (a, b) = (w.p(0), w.p(1));
        let invite = w.invite(0, 1).expect("invite");
        let now = w.rules.now;
        w.state.blocks.insert(
            (b, a),
            Block {
                reason: None,
                created_at: now,
                updated_at: now,
            },
        );
        assert_eq!(w.invite(0, 1), Err(PartyError::Blocked));
        assert!(w.state.party_overview(b, now).invites.is_empty());
        assert_eq!(
            w.accept(1, invite.party_id.expect("id")),
            Err(PartyError::InviteNotFound)
        );
    }

    #[test]
    fn reinviting_replaces_the_invite_and_expiry_answers_410() {
        let mut w = World::new(2, 8);
        let first = w.invite(0, 1).expect("invite");
        w.rules.now += Duration::seconds(30);
        let second = w.invite(0, 1).expect("re-invite");
        assert_eq!(first.party_id, second.party_id);
        assert!(second.expires_at > first.expires_at);
        let pending = w.state.party_overview(w.p(1), w.rules.now).invites;
        assert_eq!(pending.len(), 1, "one invite per (party, invitee)");
        w.rules.now += Duration::seconds(60);
        assert!(
            w.state
                .party_overview(w.p(1), w.rules.now)
                .invites
                .is_empty()
        );
        let party = second.party_id.expect("id");
        assert_eq!(w.accept(1, party), Err(PartyError::InviteExpired));
        let (b, rules) = (w.p(1), w.rules);
        assert_eq!(
            decline(&mut w.state, b, party, &rules),
            Err(PartyError::InviteExpired)
        );
    }

    #[test]
    fn full_parties_refuse_invites_and_accepts() {
        let mut w = World::new(4, 2);
        let invite2 = w.invite(0, 2).expect("invites do not reserve a slot");
        let party = w.party_of_size(2);
        assert_eq!(w.invite(0, 3), Err(PartyError::PartyFull));
        assert_eq!(w.invite(1, 0), Err(PartyError::AlreadyInParty));
        assert_eq!(
            w.accept(2, invite2.party_id.expect("id")),
            Err(PartyError::PartyFull)
        );
        assert_eq!(w.state.party_of(w.p(2)), None);
        assert_eq!(w.party(0).map(|p| p.members.len()), Some(2));
        assert_eq!(w.party(0).and_then(|p| p.id), Some(party));
    }

    #[test]
    fn accepting_leaves_the_other_party_with_a_hand_over() {
        let mut w = World::new(4, 8);
        let first = w.party_of_size(2); // 0 leads, 1 member
        let other = w.invite(2, 0).expect("invite from another party");
        let other_id = other.party_id.expect("id");
        let joined = w.accept(0, other_id).expect("accept").party.expect("party");
        assert_eq!(joined.id, Some(other_id));
        let old = w.party(1).expect("the old party lives on");
        assert_eq!(old.id, Some(first));
        assert_eq!(old.leader_id, Some(w.p(1)), "leadership passed on");
        assert_eq!(
            old.lobby.as_ref().map(|l| l.selector_ids.clone()),
            Some(vec![w.p(1)])
        );
        // The last member leaving removes the party and its invites.
        w.invite(1, 3).expect("invite");
        let (b, rules) = (w.p(1), w.rules);
        leave(&mut w.state, b, &rules).expect("leave");
        assert!(!w.state.party.parties.contains_key(&first));
        assert!(
            w.state
                .party_overview(w.p(3), w.rules.now)
                .invites
                .is_empty()
        );
    }

    #[test]
    fn leader_leaving_hands_over_to_the_longest_standing_member() {
        let mut w = World::new(4, 8);
        w.party_of_size(4);
        let (a, rules) = (w.p(0), w.rules);
        leave(&mut w.state, a, &rules).expect("leave");
        let party = w.party(1).expect("party");
        assert_eq!(party.leader_id, Some(w.p(1)));
        assert_eq!(party.members.len(), 3);
        assert_eq!(
            party.members[0].role,
            Some(types::KnownPartyRole::Leader.into())
        );
        assert_eq!(
            disband(&mut w.state, w.players[2]),
            Err(PartyError::NotLeader)
        );
        disband(&mut w.state, w.players[1]).expect("leader disbands");
        assert!(w.state.party.parties.is_empty());
        assert!(w.state.party.member_of.is_empty());
    }

    #[test]
    fn lobby_selection_ready_and_launch() {
        let mut w = World::new(4, 8);
        w.party_of_size(4);
        assert_eq!(w.ready(1, true, true), Err(PartyError::NoSelection));
        assert_eq!(w.ready(1, true, false), Err(PartyError::ProfileNotPrepared));
        assert_eq!(w.select(1, true), Err(PartyError::NotSelector));
        let (a, b, rules) = (w.p(0), w.p(1), w.rules);
        assert_eq!(
            set_selectors(&mut w.state, b, &[b], &rules),
            Err(PartyError::NotLeader)
        );
        assert!(matches!(
            set_selectors(&mut w.state, a, &[Uuid::new_v4()], &rules),
            Err(PartyError::InvalidInput(Some(_)))
        ));
        let selectors = set_selectors(&mut w.state, a, &[b, b], &rules).expect("selectors");
        let lobby = selectors.party.and_then(|p| p.lobby).expect("lobby");
        assert_eq!(
            lobby.selector_ids,
            vec![a, b],
            "leader kept, duplicates collapsed"
        );
        let selected = w.select(1, true).expect("a selector selects");
        let before = selected.party.as_ref().map(revision).unwrap_or_default();
        for i in 0..3 {
            let o = w.ready(i, true, true).expect("ready");
            let lobby = o.party.and_then(|p| p.lobby).expect("lobby");
            assert!(lobby.launch_signal.is_none());
        }
        let o = w.ready(3, true, true).expect("ready");
        let lobby = o.party.and_then(|p| p.lobby).expect("lobby");
        assert_eq!(lobby.revision, Some(before + 4));
        let signal = lobby.launch_signal.expect("everyone ready: launch");
        assert_eq!(signal.revision, lobby.revision);
        // A selection change clears ready states and the signal.
        let o = w.select(0, false).expect("select");
        let lobby = o.party.and_then(|p| p.lobby).expect("lobby");
        assert!(lobby.ready.is_empty() && lobby.launch_signal.is_none());
        for i in 0..4 {
            w.ready(i, true, true).expect("ready");
        }
        let lobby = w.party(0).and_then(|p| p.lobby).expect("lobby");
        assert!(lobby.launch_signal.is_none(), "not round-based: no signal");
    }

    #[test]
    fn lookup_collapses_and_skips() {
        let mut w = World::new(4, 8);
        let party = w.party_of_size(2);
        let ids = [w.p(1), Uuid::new_v4(), w.p(0), w.p(1), w.p(3)];
        let answer = lookup(&w.state, &ids);
        let members: Vec<_> = answer
            .memberships
            .iter()
            .map(|m| (m.player_id, m.leader))
            .collect();
        assert_eq!(
            members,
            vec![(Some(w.p(1)), Some(false)), (Some(w.p(0)), Some(true))]
        );
        assert_eq!(answer.parties.len(), 1);
        assert_eq!(answer.parties[0].id, Some(party));
    }

    // ----- random operation sequences -----

    #[derive(Debug, Clone)]
    enum Op {
        Create(usize),
        Invite(usize, usize),
        InviteByName(usize, usize),
        Accept(usize, usize),
        Decline(usize, usize),
        Leave(usize),
        Disband(usize),
        Select(usize, bool),
        Selectors(usize, u8),
        Ready(usize, bool, bool),
        Block(usize, usize),
        Unblock(usize, usize),
        Advance(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        let p = || 0..PLAYERS;
        prop_oneof![
            1 => p().prop_map(Op::Create),
            4 => (p(), p()).prop_map(|(a, b)| Op::Invite(a, b)),
            1 => (p(), p()).prop_map(|(a, b)| Op::InviteByName(a, b)),
            5 => (p(), 0..4usize).prop_map(|(a, i)| Op::Accept(a, i)),
            1 => (p(), 0..4usize).prop_map(|(a, i)| Op::Decline(a, i)),
            2 => p().prop_map(Op::Leave),
            1 => p().prop_map(Op::Disband),
            2 => (p(), any::<bool>()).prop_map(|(a, r)| Op::Select(a, r)),
            2 => (p(), any::<u8>()).prop_map(|(a, m)| Op::Selectors(a, m)),
            4 => (p(), any::<bool>(), any::<bool>()).prop_map(|(a, r, q)| Op::Ready(a, r, q)),
            1 => (p(), p()).prop_map(|(a, b)| Op::Block(a, b)),
            1 => (p(), p()).prop_map(|(a, b)| Op::Unblock(a, b)),
            1 => (0..90u16).prop_map(Op::Advance),
        ]
    }

    /// The `i`-th invite addressed to `player` (expired ones included), or an unknown party.
    fn nth_invite(w: &World, player: Uuid, i: usize) -> Uuid {
        let keys: Vec<Uuid> = w
            .state
            .party
            .invites
            .get(&player)
            .map(|by_party| by_party.keys().copied().collect())
            .unwrap_or_default();
        keys.get(i).copied().unwrap_or_else(Uuid::new_v4)
    }

    fn apply(w: &mut World, op: &Op) -> Result<(), PartyError> {
        let rules = w.rules;
        let p = |i: usize| w.players[i % w.players.len()];
        match *op {
            Op::Create(a) => create(&mut w.state, p(a), &rules).map(drop),
            Op::Invite(a, b) => invite(&mut w.state, p(a), Some(p(b)), None, &rules).map(drop),
            Op::InviteByName(a, b) => {
                let name = format!("P{}", b % PLAYERS);
                invite(&mut w.state, p(a), None, Some(&name), &rules).map(drop)
            }
            Op::Accept(a, i) => {
                let party = nth_invite(w, p(a), i);
                accept(&mut w.state, p(a), party, &rules).map(drop)
            }
            Op::Decline(a, i) => {
                let party = nth_invite(w, p(a), i);
                decline(&mut w.state, p(a), party, &rules)
            }
            Op::Leave(a) => leave(&mut w.state, p(a), &rules).map(drop),
            Op::Disband(a) => disband(&mut w.state, p(a)),
            Op::Select(a, round_based) => w.select(a, round_based).map(drop),
            Op::Selectors(a, mask) => {
                let ids: Vec<Uuid> = (0..PLAYERS)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(p)
                    .collect();
                set_selectors(&mut w.state, p(a), &ids, &rules).map(drop)
            }
            Op::Ready(a, ready, prepared) => w.ready(a, ready, prepared).map(drop),
            Op::Block(a, b) => {
                let block = Block {
                    reason: None,
                    created_at: rules.now,
                    updated_at: rules.now,
                };
                w.state.blocks.insert((p(a), p(b)), block);
                Ok(())
            }
            Op::Unblock(a, b) => {
                w.state.blocks.remove(&(p(a), p(b)));
                Ok(())
            }
            Op::Advance(secs) => {
                w.rules.now += Duration::seconds(i64::from(secs));
                Ok(())
            }
        }
    }

    /// Every invariant of the party world; the first broken one, if any.
    fn broken_invariant(w: &World) -> Option<String> {
        let parties = &w.state.party.parties;
        for (id, party) in parties {
            if party.id != *id {
                return Some(format!("party {id} is filed under another id"));
            }
            if party.members.is_empty() {
                return Some(format!("party {id} is empty"));
            }
            if party.members.len() > party.max_size {
                return Some(format!("party {id} is over its maxSize"));
            }
            let members: BTreeSet<Uuid> = party.members.iter().map(|m| m.id).collect();
            if members.len() != party.members.len() {
                return Some(format!("party {id} lists a member twice"));
            }
            if !members.contains(&party.leader) {
                return Some(format!("the leader of {id} is not a member"));
            }
            if !party.lobby.selector_ids.contains(&party.leader) {
                return Some(format!("the leader of {id} is not a selector"));
            }
            if let Some(s) = party
                .lobby
                .selector_ids
                .iter()
                .find(|s| !members.contains(s))
            {
                return Some(format!("selector {s} of {id} is not a member"));
            }
            if let Some(r) = party.lobby.ready.keys().find(|r| !members.contains(r)) {
                return Some(format!("ready entry {r} of {id} is not a member"));
            }
            for m in &members {
                if w.state.party_of(*m) != Some(*id) {
                    return Some(format!("member {m} of {id} is filed under another party"));
                }
            }
        }
        for (player, party) in &w.state.party.member_of {
            let holds = parties.get(party).is_some_and(|p| p.is_member(*player));
            if !holds {
                return Some(format!("{player} is filed under {party}, which lacks them"));
            }
            let count = parties.values().filter(|p| p.is_member(*player)).count();
            if count != 1 {
                return Some(format!("{player} is in {count} parties"));
            }
        }
        for (invitee, by_party) in &w.state.party.invites {
            for (party, invite) in by_party {
                match parties.get(party) {
                    None => return Some(format!("an invite points at removed party {party}")),
                    Some(p) if p.is_member(*invitee) => {
                        return Some(format!("{invitee} holds an invite to their own party"));
                    }
                    Some(_) if invite.invitee != *invitee || invite.party_id != *party => {
                        return Some("an invite is filed under the wrong key".into());
                    }
                    Some(_) => {}
                }
            }
        }
        for player in &w.players {
            let overview = w.state.party_overview(*player, w.rules.now);
            if overview.party.as_ref().and_then(|p| p.id) != w.state.party_of(*player) {
                return Some(format!("the snapshot of {player} shows another party"));
            }
            if overview
                .invites
                .iter()
                .any(|i| i.expires_at.is_none_or(|e| e <= w.rules.now))
            {
                return Some(format!("the snapshot of {player} lists an expired invite"));
            }
        }
        None
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn random_sequences_keep_the_invariants(
            max_size in 1..5usize,
            ops in proptest::collection::vec(op(), 1..80),
        ) {
            let mut w = World::new(PLAYERS, max_size);
            for op in &ops {
                let before = serde_json::to_value(&w.state.party).unwrap_or_default();
                let revisions: BTreeMap<Uuid, i64> = w
                    .state
                    .party
                    .parties
                    .iter()
                    .map(|(id, p)| (*id, p.lobby.revision))
                    .collect();
                let result = apply(&mut w, op);
                if let Err(error) = &result {
                    let after = serde_json::to_value(&w.state.party).unwrap_or_default();
                    prop_assert_eq!(&before, &after, "{:?} refused with {:?} but changed the state", op, error);
                }
                if let Some(broken) = broken_invariant(&w) {
                    return Err(TestCaseError::fail(format!("after {op:?} ({result:?}): {broken}")));
                }
                for (id, party) in &w.state.party.parties {
                    if let Some(old) = revisions.get(id) {
                        prop_assert!(party.lobby.revision >= *old, "revision of {} went down", id);
                    }
                }
            }
        }
    }
}
