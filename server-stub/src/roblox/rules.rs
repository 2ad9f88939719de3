//! What Friends v1 and Contacts v1 allow and do, over [`RobloxState`]: friend requests
//! (send, accept, decline, decline all), friendships, follows, QR sessions, counts and user
//! tags. Each rule takes the caller, its targets, `now` and the configuration values it
//! needs, and answers a domain result or a [`Refusal`]; the api layer gives each refusal the
//! status and code its document lists. A refused rule changes nothing.

use super::state::{PendingRequest, RobloxState};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Why a Friends v1 or Contacts v1 rule refused, named after the documents' error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The target user is invalid or does not exist.
    InvalidTarget,
    /// Invalid parameters (an undecodable cursor, a body without its fields).
    InvalidParameters,
    /// The user cannot be friends with itself.
    CannotFriendSelf,
    /// The user cannot follow itself.
    CannotFollowSelf,
    /// The user cannot tag themselves.
    CannotTagSelf,
    /// The user is blocked from performing this action (a block either way).
    Blocked,
    /// The target user is already a friend.
    AlreadyFriends,
    /// The friend request does not exist.
    NoSuchRequest,
    /// The current user's friends limit has been exceeded.
    FriendLimit,
    /// The target user's friends limit has been exceeded.
    TargetFriendLimit,
    /// A user with max friends sent (or, crossing theirs, would complete) a friend request.
    MaxFriendsRequest,
    /// Too many ids.
    TooManyIds,
    /// Invalid ids (not positive).
    InvalidIds,
    /// The user tag is too long.
    TagTooLong,
}

/// Refuses a user id that is no user.
pub(crate) fn existing(state: &RobloxState, id: i64) -> Result<(), Refusal> {
    match state.user(id) {
        Some(_) => Ok(()),
        None => Err(Refusal::InvalidTarget),
    }
}

/// Refuses more than `max` ids, then ids that are not positive.
pub(crate) fn check_user_ids(ids: &[i64], max: usize) -> Result<(), Refusal> {
    check_id_count(ids, max)?;
    if ids.iter().any(|id| *id <= 0) {
        return Err(Refusal::InvalidIds);
    }
    Ok(())
}

/// Refuses more than `max` ids.
pub(crate) fn check_id_count(ids: &[i64], max: usize) -> Result<(), Refusal> {
    if ids.len() > max {
        return Err(Refusal::TooManyIds);
    }
    Ok(())
}

/// What a friend request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Requested {
    /// A new pending request.
    Sent,
    /// The same request was pending already (nothing changed).
    AlreadyPending,
    /// The target had asked first: this accepted theirs, they are friends.
    Accepted,
}

/// Records the universe the pending request `sender → recipient` was sent in (a request
/// sent from inside a game); nothing if there is no such request.
pub(crate) fn set_request_universe(
    state: &mut RobloxState,
    sender: i64,
    recipient: i64,
    universe: Option<i64>,
) {
    if let Some(request) = state.requests.get_mut(&(sender, recipient)) {
        request.source_universe_id = universe;
    }
}

/// `me` asks `target` to be friends, from `origin` (an `originSourceType` name). A request
/// to someone who already asked accepts theirs. Refused: an unknown or deleted target, self,
/// a block either way, already friends, `me` at `friend_limit` (and, when accepting theirs,
/// `target` at it).
pub(crate) fn request_friendship(
    state: &mut RobloxState,
    me: i64,
    target: i64,
    origin: String,
    now: DateTime<Utc>,
    friend_limit: usize,
) -> Result<Requested, Refusal> {
    if state.user(target).is_none_or(|u| u.is_deleted) {
        return Err(Refusal::InvalidTarget);
    }
    if target == me {
        return Err(Refusal::CannotFriendSelf);
    }
    if state.blocked_either_way(me, target) {
        return Err(Refusal::Blocked);
    }
    if state.are_friends(me, target) {
        return Err(Refusal::AlreadyFriends);
    }
    if state.friend_count(me) >= friend_limit {
        return Err(Refusal::MaxFriendsRequest);
    }
    if state.requests.contains_key(&(target, me)) {
        if state.friend_count(target) >= friend_limit {
            return Err(Refusal::MaxFriendsRequest);
        }
        state.link(me, target, now);
        return Ok(Requested::Accepted);
    }
    if state.requests.contains_key(&(me, target)) {
        return Ok(Requested::AlreadyPending);
    }
    let seq = state.next_seq();
    state.requests.insert(
        (me, target),
        PendingRequest {
            seq,
            sender: me,
            recipient: target,
            sent_at: now,
            origin,
            source_universe_id: None,
        },
    );
    state.incoming.entry(target).or_default().insert(seq, me);
    Ok(Requested::Sent)
}

/// `me` accepts the request `sender` sent. Refused: an unknown sender, a block either way, no
/// such request, either of them at `friend_limit`.
pub(crate) fn accept_request(
    state: &mut RobloxState,
    me: i64,
    sender: i64,
    now: DateTime<Utc>,
    friend_limit: usize,
) -> Result<(), Refusal> {
    existing(state, sender)?;
    if state.blocked_either_way(me, sender) {
        return Err(Refusal::Blocked);
    }
    if !state.requests.contains_key(&(sender, me)) {
        return Err(Refusal::NoSuchRequest);
    }
    if state.friend_count(me) >= friend_limit {
        return Err(Refusal::FriendLimit);
    }
    if state.friend_count(sender) >= friend_limit {
        return Err(Refusal::TargetFriendLimit);
    }
    state.link(me, sender, now);
    Ok(())
}

/// `me` declines the request `sender` sent, and gets it back. Refused: an unknown sender, no
/// such request.
pub(crate) fn decline_request(
    state: &mut RobloxState,
    me: i64,
    sender: i64,
) -> Result<PendingRequest, Refusal> {
    existing(state, sender)?;
    state.drop_request(sender, me).ok_or(Refusal::NoSuchRequest)
}

/// `me` declines every request they received (not those they sent); how many.
pub(crate) fn decline_all_requests(state: &mut RobloxState, me: i64) -> usize {
    let senders: Vec<i64> = state
        .incoming
        .get(&me)
        .map(|m| m.values().copied().collect())
        .unwrap_or_default();
    for sender in &senders {
        state.drop_request(*sender, me);
    }
    senders.len()
}

/// `me` listed their requests: those pending now are no longer new.
pub(crate) fn mark_requests_seen(state: &mut RobloxState, me: i64) {
    let newest = state
        .incoming
        .get(&me)
        .and_then(|m| m.keys().next_back().copied())
        .unwrap_or(0);
    let seen = state.requests_seen.entry(me).or_insert(0);
    *seen = (*seen).max(newest);
}

/// Requests `me` received since they last listed them.
pub(crate) fn new_requests_count(state: &RobloxState, me: i64) -> usize {
    let seen = state.requests_seen.get(&me).copied().unwrap_or(0);
    state
        .incoming
        .get(&me)
        .map_or(0, |m| m.range(seen.saturating_add(1)..).count())
}

/// Requests pending for `me`.
pub(crate) fn pending_requests_count(state: &RobloxState, me: i64) -> usize {
    state.incoming.get(&me).map_or(0, BTreeMap::len)
}

/// Friends of `id`.
pub(crate) fn friends_count(state: &RobloxState, id: i64) -> usize {
    state.friend_count(id)
}

/// Trusted friends of `id`.
pub(crate) fn trusted_friends_count(state: &RobloxState, id: i64) -> usize {
    state
        .trusted
        .iter()
        .filter(|(a, b)| *a == id || *b == id)
        .count()
}

/// Followers of `id`.
pub(crate) fn followers_count(state: &RobloxState, id: i64) -> usize {
    state.followers.get(&id).map_or(0, BTreeMap::len)
}

/// Users `id` follows.
pub(crate) fn followings_count(state: &RobloxState, id: i64) -> usize {
    state.followings.get(&id).map_or(0, BTreeMap::len)
}

/// `me` unfriends `target` (whether or not they were friends; trust goes too). Refused: an
/// unknown target.
pub(crate) fn unfriend(state: &mut RobloxState, me: i64, target: i64) -> Result<(), Refusal> {
    existing(state, target)?;
    state.unlink(me, target);
    Ok(())
}

/// `me` follows `target` (following again changes nothing). Refused: an unknown target,
/// self, a block either way.
pub(crate) fn follow(state: &mut RobloxState, me: i64, target: i64) -> Result<(), Refusal> {
    existing(state, target)?;
    if target == me {
        return Err(Refusal::CannotFollowSelf);
    }
    if state.blocked_either_way(me, target) {
        return Err(Refusal::Blocked);
    }
    state.follow(me, target);
    Ok(())
}

/// `me` stops following `target` (if they did). Refused: an unknown target, self.
pub(crate) fn unfollow(state: &mut RobloxState, me: i64, target: i64) -> Result<(), Refusal> {
    existing(state, target)?;
    if target == me {
        return Err(Refusal::CannotFollowSelf);
    }
    state.unfollow(me, target);
    Ok(())
}

/// `me` opens (or renews) a QR session lasting `ttl`.
pub(crate) fn refresh_qr_session(
    state: &mut RobloxState,
    me: i64,
    now: DateTime<Utc>,
    ttl: chrono::Duration,
) {
    state.qr_sessions.insert(me, crate::dates::later(now, ttl));
}

/// Whether `user` has a QR session open at `now`.
pub(crate) fn qr_session_open(state: &RobloxState, user: i64, now: DateTime<Utc>) -> bool {
    state
        .qr_sessions
        .get(&user)
        .is_some_and(|until| *until > now)
}

/// What a user tag would be answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagVerdict {
    /// Acceptable.
    Acceptable,
    /// Longer than the configured maximum (in characters).
    TooLong,
    /// Contains a moderated word (case-insensitively).
    Moderated,
}

/// The verdict on `tag` given the configured maximum length and moderated words.
pub(crate) fn tag_verdict(tag: &str, max_len: usize, moderated_words: &[String]) -> TagVerdict {
    if tag.chars().count() > max_len {
        return TagVerdict::TooLong;
    }
    let lower = tag.to_lowercase();
    if moderated_words
        .iter()
        .any(|w| !w.is_empty() && lower.contains(&w.to_lowercase()))
    {
        TagVerdict::Moderated
    } else {
        TagVerdict::Acceptable
    }
}

/// What setting a user tag did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tagged {
    /// The tag is set (an empty one removed).
    Set,
    /// The tag contains a moderated word: nothing changed.
    Moderated,
}

/// `me` tags `target` with `tag` (an empty tag removes it); a moderated tag changes nothing.
/// Refused: an unknown target, self, a tag too long.
pub(crate) fn set_user_tag(
    state: &mut RobloxState,
    me: i64,
    target: i64,
    tag: String,
    max_len: usize,
    moderated_words: &[String],
) -> Result<Tagged, Refusal> {
    existing(state, target)?;
    if target == me {
        return Err(Refusal::CannotTagSelf);
    }
    match tag_verdict(&tag, max_len, moderated_words) {
        TagVerdict::TooLong => Err(Refusal::TagTooLong),
        TagVerdict::Moderated => Ok(Tagged::Moderated),
        TagVerdict::Acceptable => {
            if tag.is_empty() {
                state.tags.remove(&(me, target));
            } else {
                state.tags.insert((me, target), tag);
            }
            Ok(Tagged::Set)
        }
    }
}

#[cfg(test)]
mod tests;
