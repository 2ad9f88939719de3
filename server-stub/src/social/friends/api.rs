//! Social friends on the generated `SocialFriendsApi` trait (`openapi/social-friends.yaml`).
//!
//! The routes are thin: they authenticate, check the input the schema cannot express, and call
//! one function of the service layer below (plain functions over `&mut SocialState` acting for
//! one player). User routes and server routes call the same functions, so they obey the same
//! rules and answer the same errors. Every call runs under the world's lock: a mutation is
//! atomic (two accepts racing for one request make one friendship).
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

use crate::generated::social_friends::*;
use crate::http::{RequestContext, StubError};
use crate::social::{Block, Player, SocialState};
use crate::spec::Invalid;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::Value;
use social_sdk::social_friends::types;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Permission node for listing friends, requests and blocks.
pub const READ: &str = "social:friends.read";
/// Permission node for sending requests and reports.
pub const WRITE: &str = "social:friends.write";
/// Permission node for accepting, declining, cancelling, removing, blocking, unblocking and
/// friend metadata updates.
pub const EDIT: &str = "social:friends.edit";

/// The social friends service.
#[derive(Debug, Clone, Copy, Default)]
pub struct SocialFriendsService;

/// Friend links, requests and reports of one world.
#[derive(Debug, Default, Serialize)]
pub struct FriendsState {
    /// Owner → friend → the owner's side of the link. Always symmetric.
    pub links: BTreeMap<Uuid, BTreeMap<Uuid, Link>>,
    /// Request id → request. Only pending requests are kept (expired ones too, until the
    /// pair's next change), so their ids can answer `410`.
    pub requests: BTreeMap<String, FriendRequest>,
    /// Every report, oldest first.
    pub reports: Vec<Report>,
    /// Counter behind the object ids.
    next_id: u64,
}

/// One side of a friend link.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Link {
    /// Owner-set favourite flag.
    pub favorite: bool,
    /// Owner-set visibility.
    pub visibility: types::KnownFriendVisibility,
    /// The accepted request's note.
    pub note: Option<String>,
    /// When the request was sent.
    pub created_at: DateTime<Utc>,
    /// When it was accepted.
    pub accepted_at: DateTime<Utc>,
    /// Last change of this side.
    pub updated_at: DateTime<Utc>,
}

/// A pending friend request.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FriendRequest {
    /// 24-hex object id.
    pub id: String,
    /// Who sent it.
    pub sender: Uuid,
    /// Who it is addressed to.
    pub recipient: Uuid,
    /// Optional note.
    pub note: Option<String>,
    /// Sent at.
    pub created_at: DateTime<Utc>,
    /// `created_at` + the request TTL.
    pub expires_at: DateTime<Utc>,
}

impl FriendRequest {
    fn expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }

    fn between(&self, a: Uuid, b: Uuid) -> bool {
        (self.sender == a && self.recipient == b) || (self.sender == b && self.recipient == a)
    }
}

/// A moderation report.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// 24-hex object id.
    pub id: String,
    /// Who reported.
    pub reporter: Uuid,
    /// Who was reported.
    pub target_id: Uuid,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

// ---- service layer -----------------------------------------------------------------------

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
    /// The rules of a request's world, at its time.
    pub fn of(ctx: &RequestContext) -> Self {
        Self::at(&ctx.stub.config, ctx.world.now())
    }

    /// The rules under these settings at world time `now` (live frames, the demo world).
    pub fn at(config: &crate::config::StubConfig, now: DateTime<Utc>) -> Self {
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
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidInput | Self::CannotTargetSelf => StatusCode::BAD_REQUEST,
            Self::Forbidden(_)
            | Self::OnlyRecipient
            | Self::Blocked
            | Self::FriendRequestsDisabled => StatusCode::FORBIDDEN,
            Self::PlayerNotFound
            | Self::RequestNotFound
            | Self::FriendNotFound
            | Self::BlockNotFound => StatusCode::NOT_FOUND,
            Self::AlreadyFriends | Self::RequestAlreadyPending | Self::FriendLimitReached => {
                StatusCode::CONFLICT
            }
            Self::RequestExpired => StatusCode::GONE,
        }
    }

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
    fn message(&self, operation: &str) -> Option<String> {
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

    /// The answer in the document's shape for the operation of `ctx`.
    pub fn into_stub(self, ctx: &RequestContext) -> StubError {
        let mut error = ctx.named_error(self.status(), self.name());
        if let Some(message) = self.message(ctx.operation) {
            error.body["message"] = Value::String(message);
        }
        error
    }
}

type Outcome<T> = Result<T, FriendsError>;

fn require(state: &SocialState, actor: Uuid, node: &'static str) -> Outcome<()> {
    match state.player(actor) {
        Some(player) if player.allows(node) => Ok(()),
        Some(_) => Err(FriendsError::Forbidden(node)),
        None => Err(FriendsError::PlayerNotFound),
    }
}

fn resolve(state: &SocialState, target: &Target) -> Outcome<Uuid> {
    match target {
        Target::Id(id) => state.players.contains_key(id).then_some(*id),
        Target::Name(name) => state.names.get(&name.to_lowercase()).copied(),
    }
    .ok_or(FriendsError::PlayerNotFound)
}

fn existing(state: &SocialState, id: Uuid) -> Outcome<Uuid> {
    resolve(state, &Target::Id(id))
}

/// Whether a path id is a 24-hex object id; returns it lower-cased.
pub fn parse_object_id(id: &str) -> Option<String> {
    (id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id.to_ascii_lowercase())
}

impl SocialState {
    fn next_object_id(&mut self, now: DateTime<Utc>) -> String {
        self.friends.next_id += 1;
        let seconds = u32::try_from(now.timestamp().max(0)).unwrap_or(u32::MAX);
        format!("{seconds:08x}{:016x}", self.friends.next_id)
    }

    /// Whether `a` and `b` are friends.
    pub fn are_friends(&self, a: Uuid, b: Uuid) -> bool {
        self.friends
            .links
            .get(&a)
            .is_some_and(|links| links.contains_key(&b))
    }

    /// How many friends `player` has.
    pub fn friend_count(&self, player: Uuid) -> usize {
        self.friends.links.get(&player).map_or(0, BTreeMap::len)
    }

    /// `player`'s friend limit.
    pub fn friend_limit_of(&self, player: Uuid, default: usize) -> usize {
        self.player(player)
            .map_or(default, |p| p.friend_limit(default))
    }

    fn at_limit(&self, player: Uuid, rules: &Rules) -> bool {
        self.friend_count(player) >= self.friend_limit_of(player, rules.default_limit)
    }

    /// The pending, unexpired request from `sender` to `recipient`, if any.
    fn pending(&self, sender: Uuid, recipient: Uuid, now: DateTime<Utc>) -> Option<&FriendRequest> {
        self.friends
            .requests
            .values()
            .find(|r| r.sender == sender && r.recipient == recipient && !r.expired(now))
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

    fn drop_requests_between(&mut self, a: Uuid, b: Uuid) {
        self.friends.requests.retain(|_, r| !r.between(a, b));
    }

    fn unlink(&mut self, a: Uuid, b: Uuid) -> bool {
        let mut removed = false;
        for (x, y) in [(a, b), (b, a)] {
            if let Some(links) = self.friends.links.get_mut(&x) {
                removed |= links.remove(&y).is_some();
                if links.is_empty() {
                    self.friends.links.remove(&x);
                }
            }
        }
        removed
    }

    fn summary(&self, id: Uuid) -> types::PlayerSummary {
        let player = self.player(id);
        types::PlayerSummary {
            id: Some(id),
            name: player.map(|p| p.name.clone()),
            online: Some(player.is_some_and(Player::online)),
            status: player.map(status),
            party_id: self.party_of(id),
        }
    }

    fn friend_entry(&self, friend: Uuid, link: &Link) -> types::FriendEntry {
        let player = self.player(friend);
        types::FriendEntry {
            friend_id: Some(friend),
            favorite: Some(link.favorite),
            visibility: Some(link.visibility.into()),
            note: link.note.clone(),
            created_at: Some(link.created_at),
            accepted_at: Some(link.accepted_at),
            updated_at: Some(link.updated_at),
            online: Some(player.is_some_and(Player::online)),
            party_id: self.party_of(friend),
            name: player.map(|p| p.name.clone()),
            status: player.map(status),
            player: Some(self.summary(friend)),
            last_seen_at: player.and_then(|p| p.last_seen_at),
            flame_streak: player.and_then(|p| p.flame_streak),
        }
    }

    fn request_entry(
        &self,
        request: &FriendRequest,
        viewer: Uuid,
        state: types::KnownFriendRequestStatus,
    ) -> types::FriendRequestEntry {
        let (direction, other) = if request.recipient == viewer {
            (types::KnownFriendRequestDirection::Incoming, request.sender)
        } else {
            (
                types::KnownFriendRequestDirection::Outgoing,
                request.recipient,
            )
        };
        types::FriendRequestEntry {
            id: Some(request.id.clone()),
            sender_id: Some(request.sender),
            recipient_id: Some(request.recipient),
            direction: Some(direction.into()),
            note: request.note.clone(),
            created_at: Some(request.created_at),
            expires_at: Some(request.expires_at),
            player: Some(self.summary(other)),
            status: Some(state.into()),
        }
    }

    /// `owner`'s friend entries as `viewer` sees them, in list order.
    fn visible_friends(&self, owner: Uuid, viewer: Uuid) -> Vec<types::FriendEntry> {
        let viewer_is_friend = self.are_friends(owner, viewer);
        let mut entries: Vec<(String, Uuid, types::FriendEntry)> = self
            .friends
            .links
            .get(&owner)
            .into_iter()
            .flatten()
            .filter(|(_, link)| {
                viewer == owner
                    || match link.visibility {
                        types::KnownFriendVisibility::Default => true,
                        types::KnownFriendVisibility::Limited => viewer_is_friend,
                        types::KnownFriendVisibility::Hidden => false,
                    }
            })
            .map(|(friend, link)| {
                let name = self
                    .player(*friend)
                    .map(|p| p.name.to_lowercase())
                    .unwrap_or_default();
                let mut entry = self.friend_entry(*friend, link);
                if viewer != owner && viewer != *friend {
                    // The request's note was written for its two players only.
                    entry.note = None;
                }
                (name, *friend, entry)
            })
            .collect();
        entries.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        entries.into_iter().map(|(_, _, entry)| entry).collect()
    }

    fn requests_of(&self, viewer: Uuid, now: DateTime<Utc>) -> types::FriendRequestsResponse {
        let mut pending: Vec<&FriendRequest> = self
            .friends
            .requests
            .values()
            .filter(|r| !r.expired(now) && (r.sender == viewer || r.recipient == viewer))
            .collect();
        pending.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let entry = |r: &&FriendRequest| {
            self.request_entry(r, viewer, types::KnownFriendRequestStatus::Pending)
        };
        types::FriendRequestsResponse {
            incoming: pending
                .iter()
                .filter(|r| r.recipient == viewer)
                .map(entry)
                .collect(),
            outgoing: pending
                .iter()
                .filter(|r| r.sender == viewer)
                .map(entry)
                .collect(),
        }
    }

    fn counts(
        &self,
        owner: Uuid,
        shown: &[types::FriendEntry],
        rules: &Rules,
    ) -> types::FriendCounts {
        let count = |n: usize| Some(i32::try_from(n).unwrap_or(i32::MAX));
        types::FriendCounts {
            total: count(shown.len()),
            favorites: count(shown.iter().filter(|e| e.favorite == Some(true)).count()),
            online: count(shown.iter().filter(|e| e.online == Some(true)).count()),
            max: count(self.friend_limit_of(owner, rules.default_limit)),
        }
    }

    fn link_now(&mut self, request: &FriendRequest, now: DateTime<Utc>) {
        self.befriend(
            (request.sender, request.recipient),
            request.note.clone(),
            request.created_at,
            now,
        );
        self.drop_requests_between(request.sender, request.recipient);
    }

    /// Links two players both ways (default visibility, not favourites): a request sent at
    /// `requested` with `note`, accepted at `now`. Requests between them are left alone.
    pub(crate) fn befriend(
        &mut self,
        (a, b): (Uuid, Uuid),
        note: Option<String>,
        requested: DateTime<Utc>,
        now: DateTime<Utc>,
    ) {
        for (owner, friend) in [(a, b), (b, a)] {
            self.friends.links.entry(owner).or_default().insert(
                friend,
                Link {
                    favorite: false,
                    visibility: types::KnownFriendVisibility::Default,
                    note: note.clone(),
                    created_at: requested,
                    accepted_at: now,
                    updated_at: now,
                },
            );
        }
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

/// `GET /v1/social/friends`: the actor's friends, counts and own summary.
pub fn snapshot(
    state: &SocialState,
    rules: &Rules,
    actor: Uuid,
) -> Outcome<types::FriendsSnapshot> {
    require(state, actor, READ)?;
    let friends = state.visible_friends(actor, actor);
    Ok(types::FriendsSnapshot {
        counts: Some(state.counts(actor, &friends, rules)),
        friends,
        self_: Some(state.summary(actor)),
    })
}

/// The overview of `owner` as `viewer` sees it (server overview: both are the actor).
pub fn overview(
    state: &SocialState,
    rules: &Rules,
    viewer: Uuid,
    owner: Uuid,
) -> Outcome<types::FriendsOverview> {
    require(state, viewer, READ)?;
    existing(state, owner)?;
    let friends = state.visible_friends(owner, viewer);
    let requests = if viewer == owner {
        state.requests_of(owner, rules.now)
    } else {
        types::FriendRequestsResponse::default()
    };
    Ok(types::FriendsOverview {
        counts: Some(state.counts(owner, &friends, rules)),
        friends,
        self_: Some(state.summary(owner)),
        incoming: requests.incoming.clone(),
        outgoing: requests.outgoing.clone(),
        requests: Some(requests),
    })
}

/// `GET /v1/social/friends/requests`.
pub fn list_requests(
    state: &SocialState,
    rules: &Rules,
    actor: Uuid,
) -> Outcome<types::FriendRequestsResponse> {
    require(state, actor, READ)?;
    Ok(state.requests_of(actor, rules.now))
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
        expires_at: rules.now + rules.request_ttl,
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

fn block_entry(blocked: Uuid, block: &Block) -> types::BlockEntry {
    types::BlockEntry {
        blocked_user_id: Some(blocked),
        reason: block.reason.clone(),
        created_at: Some(block.created_at),
        updated_at: Some(block.updated_at),
    }
}

/// The players `actor` blocks.
pub fn list_blocks(state: &SocialState, actor: Uuid) -> Outcome<types::BlockList> {
    require(state, actor, READ)?;
    let mut blocks: Vec<(&Uuid, &Block)> = state
        .blocks
        .iter()
        .filter(|((blocker, _), _)| *blocker == actor)
        .map(|((_, blocked), block)| (blocked, block))
        .collect();
    blocks.sort_by(|a, b| (a.1.created_at, a.0).cmp(&(b.1.created_at, b.0)));
    Ok(types::BlockList {
        blocks: blocks
            .into_iter()
            .map(|(blocked, block)| block_entry(*blocked, block))
            .collect(),
    })
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
        created_at: Some(report.created_at),
    })
}

/// The actor's profile settings.
pub fn profile_settings(state: &SocialState, actor: Uuid) -> Outcome<types::ProfileSettings> {
    let player = state.player(actor).ok_or(FriendsError::PlayerNotFound)?;
    let visibility = &player.server_list_visibility;
    let server_list_visibility = match visibility.parse::<types::KnownServerListVisibility>() {
        Ok(known) => known.into(),
        Err(_) => types::ServerListVisibilityUnknown::try_from(visibility.clone())
            .map_or(types::KnownServerListVisibility::Public.into(), Into::into),
    };
    Ok(types::ProfileSettings {
        allow_friend_requests: Some(player.allow_friend_requests),
        privacy: Some(types::ProfilePrivacy {
            server_list_visibility: Some(server_list_visibility),
        }),
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

fn status(player: &Player) -> types::PresenceStatus {
    let state = match player.presence.parse::<types::KnownPresenceState>() {
        Ok(known) => known.into(),
        Err(_) => types::PresenceStateUnknown::try_from(player.presence.clone())
            .map_or(types::KnownPresenceState::Offline.into(), Into::into),
    };
    types::PresenceStatus {
        state: Some(state),
        timestamp: Some(player.presence_since),
    }
}

// ---- routes ------------------------------------------------------------------------------

fn target_of(
    ctx: &RequestContext,
    id: Option<Uuid>,
    name: Option<&str>,
) -> Result<Target, StubError> {
    Target::from_parts(id, name).ok_or_else(|| FriendsError::InvalidInput.into_stub(ctx))
}

fn request_id(ctx: &RequestContext, id: &str) -> Result<String, StubError> {
    parse_object_id(id).ok_or_else(|| FriendsError::InvalidInput.into_stub(ctx))
}

/// Runs a user route: the bearer's player, then `f` under the world's lock.
fn as_player<T>(
    ctx: &RequestContext,
    f: impl FnOnce(&mut SocialState, &Rules, Uuid) -> Result<T, StubError>,
) -> Result<T, StubError> {
    let rules = Rules::of(ctx);
    let mut state = ctx.world.social_mut();
    let actor = super::super::api::authenticate_player(&state, ctx)?;
    f(&mut state, &rules, actor)
}

/// Runs a server route: credentials, then the input check `before`, then `actorId`, then `f`
/// under the world's lock.
fn as_server<I, T>(
    ctx: &RequestContext,
    actor: Uuid,
    before: impl FnOnce() -> Result<I, StubError>,
    f: impl FnOnce(&mut SocialState, &Rules, Uuid, I) -> Outcome<T>,
) -> Result<T, StubError> {
    let rules = Rules::of(ctx);
    let mut state = ctx.world.social_mut();
    super::super::api::authenticate_server(&state, ctx)?;
    let input = before()?;
    let actor = super::super::api::authenticate_actor(&state, ctx, actor)?;
    f(&mut state, &rules, actor, input).map_err(|e| e.into_stub(ctx))
}

impl SocialFriendsApi for SocialFriendsService {
    fn social_friends_live(
        &self,
        ctx: &RequestContext,
        params: Result<serde_json::Map<String, serde_json::Value>, Invalid>,
    ) -> Result<crate::http::LiveFeed, StubError> {
        super::super::api::live_feed(ctx, params, &super::super::views::FRIENDS, Some(READ))
    }

    fn invalid_input(&self, ctx: &RequestContext, problem: &Invalid) -> StubError {
        super::super::api::invalid_input(&ctx.world.social(), ctx, problem)
    }

    async fn get_profile_settings(
        &self,
        ctx: RequestContext,
        _input: GetProfileSettingsInput,
    ) -> Result<types::ProfileSettings, StubError> {
        as_player(&ctx, |state, _, actor| {
            profile_settings(state, actor).map_err(|e| e.into_stub(&ctx))
        })
    }

    async fn update_profile_settings(
        &self,
        ctx: RequestContext,
        input: UpdateProfileSettingsInput,
    ) -> Result<types::ProfileSettings, StubError> {
        as_player(&ctx, |state, _, actor| {
            update_profile_settings(state, actor, &input.body).map_err(|e| e.into_stub(&ctx))
        })
    }

    async fn get_social_friends(
        &self,
        ctx: RequestContext,
        _input: GetSocialFriendsInput,
    ) -> Result<types::FriendsSnapshot, StubError> {
        as_player(&ctx, |state, rules, actor| {
            snapshot(state, rules, actor).map_err(|e| e.into_stub(&ctx))
        })
    }

    async fn list_blocks(
        &self,
        ctx: RequestContext,
        _input: ListBlocksInput,
    ) -> Result<types::BlockList, StubError> {
        as_player(&ctx, |state, _, actor| {
            list_blocks(state, actor).map_err(|e| e.into_stub(&ctx))
        })
    }

    async fn block_player(
        &self,
        ctx: RequestContext,
        input: BlockPlayerInput,
    ) -> Result<types::BlockEntry, StubError> {
        let body = input.body;
        as_player(&ctx, |state, rules, actor| {
            block(state, rules, actor, body.target_id, body.reason).map_err(|e| e.into_stub(&ctx))
        })
    }

    async fn unblock_player(
        &self,
        ctx: RequestContext,
        input: UnblockPlayerInput,
    ) -> Result<(), StubError> {
        as_player(&ctx, |state, _, actor| {
            unblock(state, actor, input.target_id).map_err(|e| e.into_stub(&ctx))
        })
    }

    async fn report_player(
        &self,
        ctx: RequestContext,
        input: ReportPlayerInput,
    ) -> Result<types::ReportEntry, StubError> {
        let body = input.body;
        as_player(&ctx, |state, rules, actor| {
            report(state, rules, actor, body.target_id, body.reason).map_err(|e| e.into_stub(&ctx))
        })
    }

    async fn list_social_friend_requests(
        &self,
        ctx: RequestContext,
        _input: ListSocialFriendRequestsInput,
    ) -> Result<types::FriendRequestsResponse, StubError> {
        as_player(&ctx, |state, rules, actor| {
            list_requests(state, rules, actor).map_err(|e| e.into_stub(&ctx))
        })
    }

    async fn send_social_friend_request(
        &self,
        ctx: RequestContext,
        input: SendSocialFriendRequestInput,
    ) -> Result<types::FriendRequestEntry, StubError> {
        let body = input.body;
        as_player(&ctx, |state, rules, actor| {
            let target = target_of(&ctx, body.target_id, body.target_name.as_deref())?;
            send_request(state, rules, actor, &target, body.note).map_err(|e| e.into_stub(&ctx))
        })
    }

    async fn cancel_social_friend_request(
        &self,
        ctx: RequestContext,
        input: CancelSocialFriendRequestInput,
    ) -> Result<(), StubError> {
        as_player(&ctx, |state, rules, actor| {
            let id = request_id(&ctx, &input.id)?;
            cancel_request(state, rules, actor, &id).map_err(|e| e.into_stub(&ctx))
        })
    }

    async fn accept_social_friend_request(
        &self,
        ctx: RequestContext,
        input: AcceptSocialFriendRequestInput,
    ) -> Result<types::FriendRequestEntry, StubError> {
        as_player(&ctx, |state, rules, actor| {
            let id = request_id(&ctx, &input.id)?;
            accept_request(state, rules, actor, &id).map_err(|e| e.into_stub(&ctx))
        })
    }

    async fn decline_social_friend_request(
        &self,
        ctx: RequestContext,
        input: DeclineSocialFriendRequestInput,
    ) -> Result<types::FriendRequestEntry, StubError> {
        as_player(&ctx, |state, rules, actor| {
            let id = request_id(&ctx, &input.id)?;
            decline_request(state, rules, actor, &id).map_err(|e| e.into_stub(&ctx))
        })
    }

    async fn server_remove_friend(
        &self,
        ctx: RequestContext,
        input: ServerRemoveFriendInput,
    ) -> Result<(), StubError> {
        let body = input.body;
        as_server(
            &ctx,
            body.actor_id,
            || target_of(&ctx, body.target_id, body.target_name.as_deref()),
            |state, _, actor, target| server_remove_friend(state, actor, &target),
        )
    }

    async fn server_friends_overview(
        &self,
        ctx: RequestContext,
        input: ServerFriendsOverviewInput,
    ) -> Result<types::FriendsOverview, StubError> {
        as_server(
            &ctx,
            input.body.actor_id,
            || Ok(()),
            |state, rules, actor, ()| overview(state, rules, actor, actor),
        )
    }

    async fn server_send_friend_request(
        &self,
        ctx: RequestContext,
        input: ServerSendFriendRequestInput,
    ) -> Result<types::FriendRequestEntry, StubError> {
        let body = input.body;
        as_server(
            &ctx,
            body.actor_id,
            || target_of(&ctx, body.target_id, body.target_name.as_deref()),
            |state, rules, actor, target| send_request(state, rules, actor, &target, body.note),
        )
    }

    async fn server_accept_friend_request(
        &self,
        ctx: RequestContext,
        input: ServerAcceptFriendRequestInput,
    ) -> Result<(), StubError> {
        let body = input.body;
        as_server(
            &ctx,
            body.actor_id,
            || target_of(&ctx, body.target_id, body.target_name.as_deref()),
            |state, rules, actor, target| accept_from(state, rules, actor, &target),
        )
    }

    async fn server_cancel_friend_request(
        &self,
        ctx: RequestContext,
        input: ServerCancelFriendRequestInput,
    ) -> Result<(), StubError> {
        let body = input.body;
        as_server(
            &ctx,
            body.actor_id,
            || target_of(&ctx, body.target_id, body.target_name.as_deref()),
            |state, rules, actor, target| cancel_to(state, rules, actor, &target),
        )
    }

    async fn server_decline_friend_request(
        &self,
        ctx: RequestContext,
        input: ServerDeclineFriendRequestInput,
    ) -> Result<(), StubError> {
        let body = input.body;
        as_server(
            &ctx,
            body.actor_id,
            || target_of(&ctx, body.target_id, body.target_name.as_deref()),
            |state, rules, actor, target| decline_from(state, rules, actor, &target),
        )
    }

    async fn remove_social_friend(
        &self,
        ctx: RequestContext,
        input: RemoveSocialFriendInput,
    ) -> Result<(), StubError> {
        as_player(&ctx, |state, _, actor| {
            remove_friend(state, actor, &Target::Id(input.friend_id)).map_err(|e| e.into_stub(&ctx))
        })
    }

    async fn update_social_friend(
        &self,
        ctx: RequestContext,
        input: UpdateSocialFriendInput,
    ) -> Result<types::FriendEntry, StubError> {
        let body = input.body;
        as_player(&ctx, |state, rules, actor| {
            update_friend(
                state,
                rules,
                actor,
                input.friend_id,
                body.favorite,
                body.visibility.as_ref(),
            )
            .map_err(|e| e.into_stub(&ctx))
        })
    }

    async fn get_social_user_friends(
        &self,
        ctx: RequestContext,
        input: GetSocialUserFriendsInput,
    ) -> Result<types::FriendsOverview, StubError> {
        as_player(&ctx, |state, rules, actor| {
            overview(state, rules, actor, input.id).map_err(|e| e.into_stub(&ctx))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::social::NewPlayer;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    const LIMITED_PLAYER_LIMIT: usize = 2;

    fn rules(now: DateTime<Utc>) -> Rules {
        Rules {
            now,
            default_limit: 3,
            request_ttl: Duration::days(7),
        }
    }

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-07T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    /// `n` players named `p0`…; `p0` has the friend limit raised (lowered) by its node.
    fn world(n: usize) -> (SocialState, Vec<Uuid>) {
        let mut state = SocialState::default();
        let ids = (0..n)
            .map(|i| {
                let mut permissions = BTreeMap::new();
                if i == 0 {
                    permissions
                        .insert(format!("social:friends.limit.{LIMITED_PLAYER_LIMIT}"), true);
                }
                let spec = NewPlayer {
                    name: Some(format!("p{i}")),
                    permissions,
                    presence: Some(if i % 2 == 0 { "ONLINE" } else { "OFFLINE" }.into()),
                    ..NewPlayer::default()
                };
                state.create_player(spec, start()).map(|p| p.id)
            })
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_default();
        (state, ids)
    }

    fn name(status: &types::FriendRequestEntry) -> Option<String> {
        status.status.as_ref().map(|s| match s {
            types::FriendRequestStatus::KnownFriendRequestStatus(k) => k.to_string(),
            types::FriendRequestStatus::Unknown(u) => u.to_string(),
        })
    }

    #[test]
    fn request_lifecycle_and_expiry() {
        let (mut s, p) = world(3);
        let r = rules(start());
        let sent = send_request(
            &mut s,
            &r,
            p[1],
            &Target::Name("P2".into()),
            Some("hi".into()),
        )
        .expect("sent by name, case-insensitively");
        assert_eq!(name(&sent).as_deref(), Some("PENDING"));
        let id = sent.id.clone().unwrap_or_default();
        assert!(parse_object_id(&id).is_some(), "{id} is an object id");
        assert_eq!(
            send_request(&mut s, &r, p[1], &Target::Id(p[2]), None),
            Err(FriendsError::RequestAlreadyPending)
        );
        assert_eq!(
            accept_request(&mut s, &r, p[1], &id),
            Err(FriendsError::OnlyRecipient)
        );
        assert_eq!(
            accept_request(&mut s, &r, p[0], &id),
            Err(FriendsError::RequestNotFound),
            "a stranger cannot see it"
        );
        // Expired: out of the lists, 410 by id, and a new request is allowed.
        let later = rules(start() + Duration::days(7));
        assert!(
            list_requests(&s, &later, p[2])
                .expect("list")
                .incoming
                .is_empty()
        );
        assert_eq!(
            accept_request(&mut s, &later, p[2], &id),
            Err(FriendsError::RequestExpired)
        );
        assert_eq!(
            accept_from(&mut s, &later, p[2], &Target::Id(p[1])),
            Err(FriendsError::RequestExpired)
        );
        let again = send_request(&mut s, &later, p[1], &Target::Id(p[2]), None).expect("resent");
        // The other way round accepts it instead.
        let accepted =
            send_request(&mut s, &later, p[2], &Target::Id(p[1]), None).expect("accepted instead");
        assert_eq!(name(&accepted).as_deref(), Some("ACCEPTED"));
        assert_eq!(accepted.id, again.id);
        assert!(s.are_friends(p[1], p[2]) && s.are_friends(p[2], p[1]));
        assert!(
            s.friends.requests.is_empty(),
            "every request of the pair is gone"
        );
        assert_eq!(
            accept_request(&mut s, &later, p[2], &id),
            Err(FriendsError::RequestNotFound)
        );
    }

    #[test]
    fn limits_blocks_and_visibility() {
        let (mut s, p) = world(5);
        let r = rules(start());
        // p0's node lowers its limit to 2: the third friendship is refused on both paths.
        for i in [1, 2] {
            send_request(&mut s, &r, p[0], &Target::Id(p[i]), None).expect("sent");
            accept_from(&mut s, &r, p[i], &Target::Id(p[0])).expect("accepted");
        }
        assert_eq!(
            send_request(&mut s, &r, p[0], &Target::Id(p[3]), None),
            Err(FriendsError::FriendLimitReached)
        );
        send_request(&mut s, &r, p[3], &Target::Id(p[0]), None).expect("p3 may ask");
        assert_eq!(
            accept_from(&mut s, &r, p[0], &Target::Id(p[3])),
            Err(FriendsError::FriendLimitReached)
        );
        let snap = snapshot(&s, &r, p[0]).expect("snapshot");
        assert_eq!(snap.counts.and_then(|c| c.max), Some(2));

        // Visibility as seen by a friend (p2) and a stranger (p4).
        let hidden = types::FriendVisibility::from(types::KnownFriendVisibility::Hidden);
        let limited = types::FriendVisibility::from(types::KnownFriendVisibility::Limited);
        update_friend(&mut s, &r, p[0], p[1], Some(true), Some(&limited)).expect("patched");
        let seen = |s: &SocialState, viewer: Uuid| {
            overview(s, &r, viewer, p[0])
                .expect("overview")
                .friends
                .iter()
                .filter_map(|e| e.friend_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(seen(&s, p[2]), vec![p[1], p[2]]);
        assert_eq!(seen(&s, p[4]), vec![p[2]]);
        update_friend(&mut s, &r, p[0], p[2], None, Some(&hidden)).expect("patched");
        assert_eq!(seen(&s, p[2]), vec![p[1]]);
        assert_eq!(seen(&s, p[4]), Vec::<Uuid>::new());
        assert_eq!(seen(&s, p[0]).len(), 2, "the owner sees everything");
        let weird = types::FriendVisibility::Unknown(
            types::FriendVisibilityUnknown::try_from("SECRET".to_owned()).expect("unknown"),
        );
        let entry = update_friend(&mut s, &r, p[0], p[2], None, Some(&weird)).expect("patched");
        assert_eq!(
            entry.visibility,
            Some(types::KnownFriendVisibility::Default.into())
        );

        // A block removes the friendship and the pending request both ways.
        block(&mut s, &r, p[3], p[0], Some("spam".into())).expect("blocked");
        assert!(s.friends.requests.is_empty());
        block(&mut s, &r, p[1], p[0], None).expect("blocked");
        assert!(!s.are_friends(p[0], p[1]));
        assert_eq!(
            send_request(&mut s, &r, p[0], &Target::Id(p[1]), None),
            Err(FriendsError::Blocked)
        );
        unblock(&mut s, p[1], p[0]).expect("unblocked");
        assert_eq!(
            unblock(&mut s, p[1], p[0]),
            Err(FriendsError::BlockNotFound)
        );
    }

    #[test]
    fn permissions_are_checked_first() {
        let (mut s, p) = world(2);
        let r = rules(start());
        for node in [READ, WRITE, EDIT] {
            s.set_permissions(p[1], BTreeMap::from([(node.to_owned(), Some(false))]))
                .expect("set");
        }
        assert_eq!(snapshot(&s, &r, p[1]), Err(FriendsError::Forbidden(READ)));
        assert_eq!(
            send_request(&mut s, &r, p[1], &Target::Name("nobody".into()), None),
            Err(FriendsError::Forbidden(WRITE))
        );
        assert_eq!(
            block(&mut s, &r, p[1], p[1], None),
            Err(FriendsError::Forbidden(EDIT))
        );
        if let Some(player) = s.players.get_mut(&p[0]) {
            player.allow_friend_requests = false;
        }
        s.set_permissions(p[1], BTreeMap::from([(WRITE.to_owned(), None)]))
            .expect("set");
        assert_eq!(
            send_request(&mut s, &r, p[1], &Target::Id(p[0]), None),
            Err(FriendsError::FriendRequestsDisabled)
        );
    }

    /// Every error an operation can answer is documented on it with exactly that status,
    /// name and message (`x-error-codes` of openapi/social-friends.yaml).
    #[test]
    fn every_error_is_documented_with_its_message() {
        use FriendsError::*;
        let spec = crate::SERVICES
            .iter()
            .find(|s| s.spec_name == "social-friends")
            .map(|s| s.spec)
            .unwrap_or_default();
        let doc: Value = serde_yaml_ng::from_str(spec).expect("document parses");
        let mut documented: BTreeMap<String, BTreeSet<(u16, String, String)>> = BTreeMap::new();
        for item in doc["paths"]
            .as_object()
            .into_iter()
            .flat_map(|p| p.values())
        {
            for op in item.as_object().into_iter().flat_map(|o| o.values()) {
                let Some(id) = op["operationId"].as_str() else {
                    continue;
                };
                for (status, response) in op["responses"].as_object().into_iter().flatten() {
                    for code in response["x-error-codes"].as_array().into_iter().flatten() {
                        documented.entry(id.to_owned()).or_default().insert((
                            status.parse().unwrap_or_default(),
                            code["error"].as_str().unwrap_or_default().to_owned(),
                            code["message"].as_str().unwrap_or_default().to_owned(),
                        ));
                    }
                }
            }
        }
        let send = vec![
            InvalidInput,
            CannotTargetSelf,
            Forbidden(WRITE),
            Blocked,
            FriendRequestsDisabled,
            PlayerNotFound,
            AlreadyFriends,
            RequestAlreadyPending,
            FriendLimitReached,
        ];
        let table: Vec<(&str, Vec<FriendsError>)> = vec![
            ("get_social_friends", vec![Forbidden(READ)]),
            ("list_social_friend_requests", vec![Forbidden(READ)]),
            ("send_social_friend_request", send.clone()),
            ("server_send_friend_request", send),
            (
                "accept_social_friend_request",
                vec![
                    InvalidInput,
                    Forbidden(EDIT),
                    OnlyRecipient,
                    RequestNotFound,
                    FriendLimitReached,
                    AlreadyFriends,
                    RequestExpired,
                ],
            ),
            (
                "decline_social_friend_request",
                vec![
                    InvalidInput,
                    Forbidden(EDIT),
                    OnlyRecipient,
                    RequestNotFound,
                    RequestExpired,
                ],
            ),
            (
                "cancel_social_friend_request",
                vec![
                    InvalidInput,
                    Forbidden(EDIT),
                    RequestNotFound,
                    RequestExpired,
                ],
            ),
            (
                "update_social_friend",
                vec![Forbidden(EDIT), FriendNotFound],
            ),
            (
                "remove_social_friend",
                vec![Forbidden(EDIT), FriendNotFound],
            ),
            ("list_blocks", vec![Forbidden(READ)]),
            (
                "block_player",
                vec![CannotTargetSelf, Forbidden(EDIT), PlayerNotFound],
            ),
            ("unblock_player", vec![Forbidden(EDIT), BlockNotFound]),
            (
                "report_player",
                vec![CannotTargetSelf, Forbidden(WRITE), PlayerNotFound],
            ),
            (
                "server_friends_overview",
                vec![Forbidden(READ), PlayerNotFound],
            ),
            (
                "server_accept_friend_request",
                vec![
                    InvalidInput,
                    Forbidden(EDIT),
                    PlayerNotFound,
                    RequestNotFound,
                    FriendLimitReached,
                    AlreadyFriends,
                    RequestExpired,
                ],
            ),
            (
                "server_decline_friend_request",
                vec![
                    InvalidInput,
                    Forbidden(EDIT),
                    PlayerNotFound,
                    RequestNotFound,
                    RequestExpired,
                ],
            ),
            (
                "server_cancel_friend_request",
                vec![
                    InvalidInput,
                    Forbidden(EDIT),
                    PlayerNotFound,
                    RequestNotFound,
                    RequestExpired,
                ],
            ),
            (
                "server_remove_friend",
                vec![
                    InvalidInput,
                    Forbidden(EDIT),
                    PlayerNotFound,
                    FriendNotFound,
                ],
            ),
            (
                "get_social_user_friends",
                vec![Forbidden(READ), PlayerNotFound],
            ),
        ];
        for (op, errors) in table {
            let listed = documented.get(op).cloned().unwrap_or_default();
            for error in errors {
                let status = error.status().as_u16();
                let found = listed.iter().any(|(s, name, message)| {
                    *s == status
                        && name == error.name()
                        && error.message(op).is_none_or(|m| &m == message)
                });
                assert!(
                    found,
                    "{op}: {error:?} ({status}) is not documented: {listed:?}"
                );
            }
        }
    }

    // ---- properties ----------------------------------------------------------------------

    const PLAYERS: usize = 4;

    #[derive(Debug, Clone)]
    enum Op {
        Send(usize, usize, bool),
        AcceptId(usize, usize),
        DeclineId(usize, usize),
        CancelId(usize, usize),
        AcceptFrom(usize, usize),
        DeclineFrom(usize, usize),
        CancelTo(usize, usize),
        Remove(usize, usize),
        Patch(usize, usize, Option<bool>, u8),
        Block(usize, usize),
        Unblock(usize, usize),
        Report(usize, usize),
        Advance(u32),
        AllowRequests(usize, bool),
        Presence(usize, bool),
    }

    fn op() -> impl Strategy<Value = Op> {
        let p = || 0..PLAYERS;
        prop_oneof![
            4 => (p(), p(), any::<bool>()).prop_map(|(a, b, n)| Op::Send(a, b, n)),
            2 => (p(), 0..8usize).prop_map(|(a, k)| Op::AcceptId(a, k)),
            1 => (p(), 0..8usize).prop_map(|(a, k)| Op::DeclineId(a, k)),
            1 => (p(), 0..8usize).prop_map(|(a, k)| Op::CancelId(a, k)),
            2 => (p(), p()).prop_map(|(a, b)| Op::AcceptFrom(a, b)),
            1 => (p(), p()).prop_map(|(a, b)| Op::DeclineFrom(a, b)),
            1 => (p(), p()).prop_map(|(a, b)| Op::CancelTo(a, b)),
            1 => (p(), p()).prop_map(|(a, b)| Op::Remove(a, b)),
            2 => (p(), p(), proptest::option::of(any::<bool>()), 0..4u8)
                .prop_map(|(a, b, f, v)| Op::Patch(a, b, f, v)),
            1 => (p(), p()).prop_map(|(a, b)| Op::Block(a, b)),
            1 => (p(), p()).prop_map(|(a, b)| Op::Unblock(a, b)),
            1 => (p(), p()).prop_map(|(a, b)| Op::Report(a, b)),
            1 => (0..100u32).prop_map(Op::Advance),
            1 => (p(), any::<bool>()).prop_map(|(a, on)| Op::AllowRequests(a, on)),
            1 => (p(), any::<bool>()).prop_map(|(a, on)| Op::Presence(a, on)),
        ]
    }

    fn nth_request(s: &SocialState, k: usize) -> String {
        let ids: Vec<&String> = s.friends.requests.keys().collect();
        if ids.is_empty() {
            "0".repeat(24)
        } else {
            ids[k % ids.len()].clone()
        }
    }

    fn apply(s: &mut SocialState, r: &mut Rules, p: &[Uuid], op: &Op) {
        let id = |i: usize| Target::Id(p[i]);
        // Outcomes are not asserted here: the invariants below must hold whatever happened.
        let _ = match op {
            Op::Send(a, b, by_name) => {
                let target = if *by_name {
                    Target::Name(format!("P{b}"))
                } else {
                    id(*b)
                };
                let was_pending_back = s.pending(p[*b], p[*a], r.now).is_some();
                let out = send_request(s, r, p[*a], &target, None);
                if let Ok(entry) = &out {
                    let status = name(entry);
                    if was_pending_back {
                        assert_eq!(status.as_deref(), Some("ACCEPTED"));
                        assert!(s.are_friends(p[*a], p[*b]));
                    } else {
                        assert_eq!(status.as_deref(), Some("PENDING"));
                        assert!(s.pending(p[*a], p[*b], r.now).is_some());
                    }
                }
                out.map(drop)
            }
            Op::AcceptId(a, k) => {
                let rid = nth_request(s, *k);
                accept_request(s, r, p[*a], &rid).map(drop)
            }
            Op::DeclineId(a, k) => {
                let rid = nth_request(s, *k);
                decline_request(s, r, p[*a], &rid).map(drop)
            }
            Op::CancelId(a, k) => {
                let rid = nth_request(s, *k);
                cancel_request(s, r, p[*a], &rid)
            }
            Op::AcceptFrom(a, b) => accept_from(s, r, p[*a], &id(*b)),
            Op::DeclineFrom(a, b) => decline_from(s, r, p[*a], &id(*b)),
            Op::CancelTo(a, b) => cancel_to(s, r, p[*a], &id(*b)),
            Op::Remove(a, b) => {
                let out = remove_friend(s, p[*a], &id(*b));
                assert!(!s.are_friends(p[*a], p[*b]));
                out
            }
            Op::Patch(a, b, favorite, v) => {
                let visibility = match v {
                    0 => types::KnownFriendVisibility::Default.into(),
                    1 => types::KnownFriendVisibility::Limited.into(),
                    2 => types::KnownFriendVisibility::Hidden.into(),
                    _ => types::FriendVisibility::Unknown(
                        types::FriendVisibilityUnknown::try_from("ODD".to_owned())
                            .expect("unknown value"),
                    ),
                };
                let before = s
                    .friends
                    .links
                    .get(&p[*b])
                    .and_then(|l| l.get(&p[*a]))
                    .cloned();
                let out = update_friend(s, r, p[*a], p[*b], *favorite, Some(&visibility));
                let after = s
                    .friends
                    .links
                    .get(&p[*b])
                    .and_then(|l| l.get(&p[*a]))
                    .cloned();
                assert_eq!(before, after, "PATCH changes only the caller's side");
                out.map(drop)
            }
            Op::Block(a, b) => {
                let out = block(s, r, p[*a], p[*b], None);
                if out.is_ok() {
                    assert!(s.blocks.contains_key(&(p[*a], p[*b])));
                }
                out.map(drop)
            }
            Op::Unblock(a, b) => unblock(s, p[*a], p[*b]),
            Op::Report(a, b) => report(s, r, p[*a], p[*b], None).map(drop),
            Op::Advance(hours) => {
                r.now += Duration::hours(i64::from(*hours));
                Ok(())
            }
            Op::AllowRequests(a, on) => {
                let patch = types::ProfileSettingsPatch {
                    allow_friend_requests: Some(*on),
                    privacy: None,
                };
                update_profile_settings(s, p[*a], &patch).map(drop)
            }
            Op::Presence(a, on) => {
                let state = if *on { "BUSY" } else { "OFFLINE" };
                s.set_presence(p[*a], state, r.now)
                    .map_err(|_| FriendsError::PlayerNotFound)
            }
        };
    }

    fn check_invariants(s: &SocialState, r: &Rules, p: &[Uuid]) -> Result<(), TestCaseError> {
        for (owner, links) in &s.friends.links {
            prop_assert!(!links.is_empty(), "no empty link maps");
            for friend in links.keys() {
                prop_assert!(owner != friend, "no self link");
                prop_assert!(s.are_friends(*friend, *owner), "links are symmetric");
                prop_assert!(
                    !s.blocked_either_way(*owner, *friend),
                    "no link across a block"
                );
            }
        }
        for request in s.friends.requests.values() {
            let (a, b) = (request.sender, request.recipient);
            prop_assert!(a != b, "no request to oneself");
            prop_assert!(!s.are_friends(a, b), "no request between friends");
            prop_assert!(!s.blocked_either_way(a, b), "no request across a block");
            prop_assert!(
                !(s.pending(a, b, r.now).is_some() && s.pending(b, a, r.now).is_some()),
                "never pending both ways"
            );
            let live = s
                .friends
                .requests
                .values()
                .filter(|x| x.sender == a && x.recipient == b && !x.expired(r.now))
                .count();
            prop_assert!(live <= 1, "at most one pending request per direction");
        }
        for &player in p {
            let snap = snapshot(s, r, player).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            let counts = snap.counts.clone().unwrap_or_default();
            let n = |x: usize| Some(i32::try_from(x).unwrap_or(i32::MAX));
            prop_assert_eq!(counts.total, n(snap.friends.len()));
            prop_assert_eq!(counts.total, n(s.friend_count(player)));
            let favorites = s
                .friends
                .links
                .get(&player)
                .into_iter()
                .flatten()
                .filter(|(_, l)| l.favorite)
                .count();
            prop_assert_eq!(counts.favorites, n(favorites));
            let online = snap
                .friends
                .iter()
                .filter(|e| {
                    e.friend_id
                        .and_then(|f| s.player(f))
                        .is_some_and(Player::online)
                })
                .count();
            prop_assert_eq!(counts.online, n(online));
            let limit = s.friend_limit_of(player, r.default_limit);
            prop_assert_eq!(counts.max, n(limit));
            prop_assert!(s.friend_count(player) <= limit, "never over the limit");

            let requests =
                list_requests(s, r, player).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            for entry in requests.incoming.iter().chain(&requests.outgoing) {
                prop_assert!(
                    entry.expires_at.is_some_and(|t| t > r.now),
                    "no expired entry"
                );
            }
            prop_assert!(
                requests
                    .incoming
                    .iter()
                    .all(|e| e.recipient_id == Some(player))
            );
            prop_assert!(
                requests
                    .outgoing
                    .iter()
                    .all(|e| e.sender_id == Some(player))
            );

            for &viewer in p.iter().filter(|v| **v != player) {
                let seen = overview(s, r, viewer, player)
                    .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                prop_assert!(seen.incoming.is_empty() && seen.outgoing.is_empty());
                prop_assert_eq!(
                    seen.counts.as_ref().and_then(|c| c.total),
                    n(seen.friends.len())
                );
                for entry in &seen.friends {
                    let visibility = s
                        .friends
                        .links
                        .get(&player)
                        .and_then(|l| entry.friend_id.and_then(|f| l.get(&f)))
                        .map(|l| l.visibility);
                    prop_assert!(visibility != Some(types::KnownFriendVisibility::Hidden));
                    if visibility == Some(types::KnownFriendVisibility::Limited) {
                        prop_assert!(s.are_friends(player, viewer), "LIMITED only for friends");
                    }
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        #[test]
        fn random_operations_keep_the_invariants(ops in proptest::collection::vec(op(), 1..60)) {
            let (mut s, p) = world(PLAYERS);
            let mut r = rules(start());
            for op in &ops {
                apply(&mut s, &mut r, &p, op);
                check_invariants(&s, &r, &p)?;
            }
        }
    }
}
