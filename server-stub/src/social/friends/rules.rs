//! The rules of social friends: plain functions over `&mut SocialState` acting for one
//! player, refusing with a [`FriendsError`] (the document's error name and message; the
//! status is the api's). User routes and server routes call the same functions, so they obey
//! the same rules. Every call runs under the world's lock: a mutation is atomic (two accepts
//! racing for one request make one friendship).
//!
//! Decisions beyond BEHAVIOR.md (for the README):
//!
//! - **Order of checks.** Credentials (`401`; server routes: secret + registered
//!   `X-Server-Id`), then input (`400 INVALID_INPUT`: the schema, a request id that is not 24
//!   hex digits, neither `targetId` nor `targetName`), then the server route's `actorId`
//!   (`404`), then the permission node (`403 FORBIDDEN`, message `Missing permission
//!   <node>.`), then the target (`404`), then the rules of the operation.
//! - **Sending a request** checks, in order: target unknown `404`; the caller `400
//!   CANNOT_TARGET_SELF`; a block either way `403 BLOCKED`; already friends `409
//!   ALREADY_FRIENDS`; a pending request of the target to the caller is accepted instead
//!   (both limits, `409 FRIEND_LIMIT_REACHED`; `allowFriendRequests` is not consulted since
//!   the target asked first, and only `social:friends.write` is needed); the target's
//!   `allowFriendRequests=false` `403 FRIEND_REQUESTS_DISABLED`; the caller's own pending
//!   request `409 REQUEST_ALREADY_PENDING`; the caller at the limit `409
//!   FRIEND_LIMIT_REACHED`.
//! - **Request ids** are object ids: 8 hex digits of world time (seconds) + a 16-hex-digit
//!   per-world counter. Path ids are matched case-insensitively. An id that is not exactly
//!   24 hex digits is `400 INVALID_INPUT`; an id the caller is neither sender nor recipient of
//!   is `404` (like an unknown one).
//! - **Accept/decline/cancel by id**: unknown or invisible `404`, then expired `410
//!   REQUEST_EXPIRED`, then (accept/decline) the sender `403 FORBIDDEN` ("Only the recipient
//!   can accept this request."). `DELETE` works for the sender and the recipient. A request
//!   that was accepted, declined or cancelled is gone (`404` afterwards).
//! - **Expired requests** stay stored (so their id answers `410`) but drop out of every list
//!   and never count as pending: the same sender may send a new one. A friendship (however
//!   made) and a block remove every request of the pair, expired ones included.
//! - **Server routes** name the other player instead of a request id: accept and decline act
//!   on the target's request to the actor, cancel on the actor's request to the target
//!   (none `404` "Friend request not found.", only an expired one `410`); an unknown target
//!   is `404` "Player not found.". Removing a friend through the user route with an id that
//!   is no friend (unknown players included) is `404` "Friend not found.".
//! - **Friend links.** `createdAt` is when the request was sent, `acceptedAt` when it was
//!   accepted, `updatedAt` the last PATCH of that side (else `acceptedAt`). `note` is the
//!   accepted request's note, on both sides. A PATCH with no field changes nothing.
//! - **Enrichment.** `online` is any presence but `OFFLINE` (`counts.online` counts those
//!   entries); `flameStreak` is the friend's (set through the control plane);
//!   `status.timestamp` is when the presence last changed; `partyId` comes from
//!   `SocialState::party_of`.
//! - **Lists** are ordered: friends by name (case-insensitive) then id; requests and blocks
//!   oldest first.
//! - **Someone else's list** (`GET /v1/users/{id}/friends` with another id): `HIDDEN`
//!   entries are left out, `LIMITED` ones shown only to the owner's friends, entries carry
//!   no `note` (a request's note is for its two players), request lists
//!   are empty, and `counts` describe the list as returned (`total`, `favorites`, `online`
//!   of the visible entries; `max` is the owner's limit), so `total` always equals the
//!   number of entries answered.
//! - **Reports** need `social:friends.write`, a known target (`404`) that is not the caller
//!   (`400 CANNOT_TARGET_SELF`); reporting a blocked player is allowed. Report ids are object
//!   ids like request ids.
//! - **Blocks**: blocking yourself `400 CANNOT_TARGET_SELF`, an unknown player `404`. Blocking
//!   again replaces `reason` (an omitted reason clears it) and `updatedAt`, keeping
//!   `createdAt`.
//! - **Profile settings** need only a valid token (no permission node).
//! - **Wire shape** as in seed 002's examples (`tests/fixtures/seeds/README.md`): timestamps
//!   in whole seconds with `Z`; `self` always `null`; a pending request's entry has no
//!   `status` (only answers that settled one carry it); `flameStreak` absent unless set; live
//!   frames' `counts` without `max`.

use super::state::{FriendRequest, Report};
use super::views::{block_entry, profile_settings};
use crate::config::StubConfig;
use crate::social::state::{Block, SocialState};
use crate::social::views::wire_time;
use chrono::{DateTime, Duration, Utc};
use social_sdk::social_friends::types;
use uuid::Uuid;

/// Permission node for listing friends, requests and blocks.
pub const READ: &str = "social:friends.read";
/// Permission node for sending requests and reports.
pub const WRITE: &str = "social:friends.write";
/// Permission node for accepting, declining, cancelling, removing, blocking, unblocking and
/// friend metadata updates.
pub const EDIT: &str = "social:friends.edit";

/// What the rules read besides the state: the world's time and the configured limits.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// World time of the call.
    pub now: DateTime<Utc>,
    /// Friend limit of a player without `social:friends.limit.<n>`.
    pub default_limit: usize,
    /// How long a request stays pending.
    pub request_ttl: Duration,
}

impl Rules {
    /// The rules under these settings at world time `now` (live frames, the demo world).
    pub fn at(config: &StubConfig, now: DateTime<Utc>) -> Self {
        Self {
            now,
            default_limit: config.social_friend_limit,
            request_ttl: config.social_request_ttl(),
        }
    }
}

/// The other player of a request or mutation: `targetId`, else `targetName`
/// (case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// By id.
    Id(Uuid),
    /// By name.
    Name(String),
}

impl Target {
    /// `targetId` wins; a blank name counts as absent; neither → `None` (`400`).
    pub fn from_parts(id: Option<Uuid>, name: Option<&str>) -> Option<Self> {
        match (id, name.map(str::trim).filter(|n| !n.is_empty())) {
            (Some(id), _) => Some(Self::Id(id)),
            (None, Some(name)) => Some(Self::Name(name.to_owned())),
            (None, None) => None,
        }
    }
}

/// A rule the call broke; the routes turn it into the document's `{error, message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FriendsError {
    /// `400 INVALID_INPUT`.
    InvalidInput,
    /// `400 CANNOT_TARGET_SELF`.
    CannotTargetSelf,
    /// `403 FORBIDDEN`: the permission node is denied.
    Forbidden(&'static str),
    /// `403 FORBIDDEN`: the sender tried to accept or decline.
    OnlyRecipient,
    /// `403 BLOCKED`.
    Blocked,
    /// `403 FRIEND_REQUESTS_DISABLED`.
    FriendRequestsDisabled,
    /// `404 NOT_FOUND`: no such player.
    PlayerNotFound,
    /// `404 NOT_FOUND`: no such (visible, pending) request.
    RequestNotFound,
    /// `404 NOT_FOUND`: not friends.
    FriendNotFound,
    /// `404 NOT_FOUND`: no such block.
    BlockNotFound,
    /// `409 ALREADY_FRIENDS`.
    AlreadyFriends,
    /// `409 REQUEST_ALREADY_PENDING`.
    RequestAlreadyPending,
    /// `409 FRIEND_LIMIT_REACHED`.
    FriendLimitReached,
    /// `410 REQUEST_EXPIRED`.
    RequestExpired,
}

impl FriendsError {
    /// The `error` name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::InvalidInput => "INVALID_INPUT",
            Self::CannotTargetSelf => "CANNOT_TARGET_SELF",
            Self::Forbidden(_) | Self::OnlyRecipient => "FORBIDDEN",
            Self::Blocked => "BLOCKED",
            Self::FriendRequestsDisabled => "FRIEND_REQUESTS_DISABLED",
            Self::PlayerNotFound
            | Self::RequestNotFound
            | Self::FriendNotFound
            | Self::BlockNotFound => "NOT_FOUND",
            Self::AlreadyFriends => "ALREADY_FRIENDS",
            Self::RequestAlreadyPending => "REQUEST_ALREADY_PENDING",
            Self::FriendLimitReached => "FRIEND_LIMIT_REACHED",
            Self::RequestExpired => "REQUEST_EXPIRED",
        }
    }

    /// The message where one name has several in the document (else the document's one).
    pub fn message(&self, operation: &str) -> Option<String> {
        Some(match self {
            Self::Forbidden(node) => format!("Missing permission {node}."),
            Self::OnlyRecipient if operation.contains("decline") => {
                "Only the recipient can decline this request.".into()
            }
            Self::OnlyRecipient => "Only the recipient can accept this request.".into(),
            Self::PlayerNotFound => "Player not found.".into(),
            Self::RequestNotFound => "Friend request not found.".into(),
            Self::FriendNotFound => "Friend not found.".into(),
            Self::BlockNotFound => "Block not found.".into(),
            _ => return None,
        })
    }
}

pub(crate) type Outcome<T> = Result<T, FriendsError>;

pub(super) fn require(state: &SocialState, actor: Uuid, node: &'static str) -> Outcome<()> {
    match state.player(actor) {
        Some(player) if player.allows(node) => Ok(()),
        Some(_) => Err(FriendsError::Forbidden(node)),
        None => Err(FriendsError::PlayerNotFound),
    }
}

pub(super) fn resolve(state: &SocialState, target: &Target) -> Outcome<Uuid> {
    match target {
        Target::Id(id) => state.players.contains_key(id).then_some(*id),
        Target::Name(name) => state.names.get(&name.to_lowercase()).copied(),
    }
    .ok_or(FriendsError::PlayerNotFound)
}

pub(super) fn existing(state: &SocialState, id: Uuid) -> Outcome<Uuid> {
    resolve(state, &Target::Id(id))
}

/// Whether a path id is a 24-hex object id; returns it lower-cased.
pub fn parse_object_id(id: &str) -> Option<String> {
    (id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id.to_ascii_lowercase())
}

impl SocialState {
    fn at_limit(&self, player: Uuid, rules: &Rules) -> bool {
        self.friend_count(player) >= self.friend_limit_of(player, rules.default_limit)
    }

    /// The id of the pending request from `sender` to `recipient`: unexpired, else `410` if
    /// only an expired one exists, else `404`.
    fn request_from(&self, sender: Uuid, recipient: Uuid, now: DateTime<Utc>) -> Outcome<String> {
        if let Some(r) = self.pending(sender, recipient, now) {
            return Ok(r.id.clone());
        }
        let expired = self
            .friends
            .requests
            .values()
            .any(|r| r.sender == sender && r.recipient == recipient);
        Err(if expired {
            FriendsError::RequestExpired
        } else {
            FriendsError::RequestNotFound
        })
    }

    /// A request `viewer` may see (sender or recipient), by id; `410` once expired.
    fn visible_request(
        &self,
        viewer: Uuid,
        id: &str,
        now: DateTime<Utc>,
    ) -> Outcome<FriendRequest> {
        let request = self
            .friends
            .requests
            .get(id)
            .filter(|r| r.sender == viewer || r.recipient == viewer)
            .ok_or(FriendsError::RequestNotFound)?;
        if request.expired(now) {
            return Err(FriendsError::RequestExpired);
        }
        Ok(request.clone())
    }

    /// Accepts a visible, unexpired request addressed to its recipient (the caller).
    fn accept_core(
        &mut self,
        request: FriendRequest,
        rules: &Rules,
    ) -> Outcome<types::FriendRequestEntry> {
        if self.are_friends(request.sender, request.recipient) {
            return Err(FriendsError::AlreadyFriends);
        }
        if self.at_limit(request.recipient, rules) || self.at_limit(request.sender, rules) {
            return Err(FriendsError::FriendLimitReached);
        }
        self.link_now(&request, rules.now);
        Ok(self.request_entry(
            &request,
            request.recipient,
            types::KnownFriendRequestStatus::Accepted,
        ))
    }
}

/// Sends a friend request from `actor` (or accepts the target's pending one instead).
pub fn send_request(
    state: &mut SocialState,
    rules: &Rules,
    actor: Uuid,
    target: &Target,
    note: Option<String>,
) -> Outcome<types::FriendRequestEntry> {
    require(state, actor, WRITE)?;
    let target = resolve(state, target)?;
    if target == actor {
        return Err(FriendsError::CannotTargetSelf);
    }
    if state.blocked_either_way(actor, target) {
        return Err(FriendsError::Blocked);
    }
    if state.are_friends(actor, target) {
        return Err(FriendsError::AlreadyFriends);
    }
    if let Some(reverse) = state.pending(target, actor, rules.now).cloned() {
        return state.accept_core(reverse, rules);
    }
    if !state
        .player(target)
        .is_some_and(|p| p.allow_friend_requests)
    {
        return Err(FriendsError::FriendRequestsDisabled);
    }
    if state.pending(actor, target, rules.now).is_some() {
        return Err(FriendsError::RequestAlreadyPending);
    }
    if state.at_limit(actor, rules) {
        return Err(FriendsError::FriendLimitReached);
    }
    let request = FriendRequest {
        id: state.next_object_id(rules.now),
        sender: actor,
        recipient: target,
        note,
        created_at: rules.now,
        expires_at: crate::dates::later(rules.now, rules.request_ttl),
    };
    state
        .friends
        .requests
        .insert(request.id.clone(), request.clone());
    Ok(state.request_entry(&request, actor, types::KnownFriendRequestStatus::Pending))
}

/// Accepts request `id` (the actor must be its recipient).
pub fn accept_request(
    state: &mut SocialState,
    rules: &Rules,
    actor: Uuid,
    id: &str,
) -> Outcome<types::FriendRequestEntry> {
    require(state, actor, EDIT)?;
    let request = state.visible_request(actor, id, rules.now)?;
    if request.recipient != actor {
        return Err(FriendsError::OnlyRecipient);
    }
    state.accept_core(request, rules)
}

/// Accepts the pending request of `target` to `actor` (server route).
pub fn accept_from(
    state: &mut SocialState,
    rules: &Rules,
    actor: Uuid,
    target: &Target,
) -> Outcome<()> {
    require(state, actor, EDIT)?;
    let sender = resolve(state, target)?;
    let id = state.request_from(sender, actor, rules.now)?;
    accept_request(state, rules, actor, &id).map(drop)
}

/// Declines request `id` (the actor must be its recipient).
pub fn decline_request(
    state: &mut SocialState,
    rules: &Rules,
    actor: Uuid,
    id: &str,
) -> Outcome<types::FriendRequestEntry> {
    require(state, actor, EDIT)?;
    let request = state.visible_request(actor, id, rules.now)?;
    if request.recipient != actor {
        return Err(FriendsError::OnlyRecipient);
    }
    state.friends.requests.remove(&request.id);
    Ok(state.request_entry(&request, actor, types::KnownFriendRequestStatus::Declined))
}

/// Declines the pending request of `target` to `actor` (server route).
pub fn decline_from(
    state: &mut SocialState,
    rules: &Rules,
    actor: Uuid,
    target: &Target,
) -> Outcome<()> {
    require(state, actor, EDIT)?;
    let sender = resolve(state, target)?;
    let id = state.request_from(sender, actor, rules.now)?;
    decline_request(state, rules, actor, &id).map(drop)
}

/// Cancels (sender) or removes (recipient) request `id`.
pub fn cancel_request(
    state: &mut SocialState,
    rules: &Rules,
    actor: Uuid,
    id: &str,
) -> Outcome<()> {
    require(state, actor, EDIT)?;
    let request = state.visible_request(actor, id, rules.now)?;
    state.friends.requests.remove(&request.id);
    Ok(())
}

/// Cancels the actor's pending request to `target` (server route).
pub fn cancel_to(
    state: &mut SocialState,
    rules: &Rules,
    actor: Uuid,
    target: &Target,
) -> Outcome<()> {
    require(state, actor, EDIT)?;
    let recipient = resolve(state, target)?;
    let id = state.request_from(actor, recipient, rules.now)?;
    cancel_request(state, rules, actor, &id)
}

/// Removes the friendship of `actor` and `target` in both directions.
pub fn remove_friend(state: &mut SocialState, actor: Uuid, target: &Target) -> Outcome<()> {
    require(state, actor, EDIT)?;
    let friend = match target {
        // A uuid that names nobody is simply not a friend.
        Target::Id(id) => *id,
        Target::Name(_) => resolve(state, target)?,
    };
    if state.unlink(actor, friend) {
        Ok(())
    } else {
        Err(FriendsError::FriendNotFound)
    }
}

/// Remove through the server route: the target must be a known player (`Player not found.`)
/// before the friendship is looked at.
pub fn server_remove_friend(state: &mut SocialState, actor: Uuid, target: &Target) -> Outcome<()> {
    require(state, actor, EDIT)?;
    let friend = resolve(state, target)?;
    remove_friend(state, actor, &Target::Id(friend))
}

/// Updates the actor's side of the link to `friend`.
pub fn update_friend(
    state: &mut SocialState,
    rules: &Rules,
    actor: Uuid,
    friend: Uuid,
    favorite: Option<bool>,
    visibility: Option<&types::FriendVisibility>,
) -> Outcome<types::FriendEntry> {
    require(state, actor, EDIT)?;
    let link = state
        .friends
        .links
        .get_mut(&actor)
        .and_then(|links| links.get_mut(&friend))
        .ok_or(FriendsError::FriendNotFound)?;
    if let Some(favorite) = favorite {
        link.favorite = favorite;
    }
    if let Some(visibility) = visibility {
        link.visibility = match visibility {
            types::FriendVisibility::KnownFriendVisibility(known) => *known,
            types::FriendVisibility::Unknown(_) => types::KnownFriendVisibility::Default,
        };
    }
    if favorite.is_some() || visibility.is_some() {
        link.updated_at = rules.now;
    }
    let link = link.clone();
    Ok(state.friend_entry(friend, &link))
}

/// Blocks (or re-blocks) `target`, removing friendship and requests both ways.
pub fn block(
    state: &mut SocialState,
    rules: &Rules,
    actor: Uuid,
    target: Uuid,
    reason: Option<String>,
) -> Outcome<types::BlockEntry> {
    require(state, actor, EDIT)?;
    existing(state, target)?;
    if target == actor {
        return Err(FriendsError::CannotTargetSelf);
    }
    let block = state
        .blocks
        .entry((actor, target))
        .and_modify(|b| {
            b.reason.clone_from(&reason);
            b.updated_at = rules.now;
        })
        .or_insert_with(|| Block {
            reason: reason.clone(),
            created_at: rules.now,
            updated_at: rules.now,
        })
        .clone();
    state.unlink(actor, target);
    state.drop_requests_between(actor, target);
    Ok(block_entry(target, &block))
}

/// Removes `actor`'s block of `target`.
pub fn unblock(state: &mut SocialState, actor: Uuid, target: Uuid) -> Outcome<()> {
    require(state, actor, EDIT)?;
    state
        .blocks
        .remove(&(actor, target))
        .map(drop)
        .ok_or(FriendsError::BlockNotFound)
}

/// Files a report about `target`.
pub fn report(
    state: &mut SocialState,
    rules: &Rules,
    actor: Uuid,
    target: Uuid,
    reason: Option<String>,
) -> Outcome<types::ReportEntry> {
    require(state, actor, WRITE)?;
    existing(state, target)?;
    if target == actor {
        return Err(FriendsError::CannotTargetSelf);
    }
    let report = Report {
        id: state.next_object_id(rules.now),
        reporter: actor,
        target_id: target,
        reason,
        created_at: rules.now,
    };
    state.friends.reports.push(report.clone());
    Ok(types::ReportEntry {
        id: Some(report.id),
        target_id: Some(report.target_id),
        reason: report.reason,
        created_at: Some(wire_time(report.created_at)),
    })
}

/// Applies a partial update of the actor's profile settings.
pub fn update_profile_settings(
    state: &mut SocialState,
    actor: Uuid,
    patch: &types::ProfileSettingsPatch,
) -> Outcome<types::ProfileSettings> {
    let player = state
        .players
        .get_mut(&actor)
        .ok_or(FriendsError::PlayerNotFound)?;
    if let Some(allow) = patch.allow_friend_requests {
        player.allow_friend_requests = allow;
    }
    if let Some(visibility) = patch
        .privacy
        .as_ref()
        .and_then(|p| p.server_list_visibility)
    {
        player.server_list_visibility = visibility.to_string();
    }
    profile_settings(state, actor)
}
