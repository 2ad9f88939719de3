//! The rules on a small world: users 1…6 (5 deleted), nobody friends, nothing pending.

use super::*;
use crate::config::StubConfig;
use crate::roblox::state::NewUser;
use chrono::TimeZone;

const LIMIT: usize = 1_000;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5)
        .single()
        .expect("a valid time")
}

fn world() -> RobloxState {
    let mut state = RobloxState::new(&StubConfig::default());
    for id in 1..=6 {
        let user = NewUser {
            id: Some(id),
            is_deleted: id == 5,
            ..NewUser::default()
        };
        state.create_user(user, now()).expect("created");
    }
    state
}

fn send(state: &mut RobloxState, from: i64, to: i64) -> Result<Requested, Refusal> {
    request_friendship(state, from, to, "UserProfile".into(), now(), LIMIT)
}

fn befriend(state: &mut RobloxState, a: i64, b: i64) {
    state.seed_friendship(a, b, false, now()).expect("seeded");
}

#[test]
fn existing_and_id_checks() {
    let state = world();
    assert_eq!(existing(&state, 1), Ok(()));
    assert_eq!(existing(&state, 99), Err(Refusal::InvalidTarget));
    assert_eq!(check_user_ids(&[1, 2], 2), Ok(()));
    assert_eq!(check_user_ids(&[1, 2, 3], 2), Err(Refusal::TooManyIds));
    assert_eq!(check_user_ids(&[0, -1, 1], 2), Err(Refusal::TooManyIds));
    assert_eq!(check_user_ids(&[1, 0], 2), Err(Refusal::InvalidIds));
    assert_eq!(check_id_count(&[0, -1], 2), Ok(()));
}

#[test]
fn sending_a_request_makes_one_pending_request() {
    let mut state = world();
    assert_eq!(send(&mut state, 1, 2), Ok(Requested::Sent));
    assert_eq!(send(&mut state, 1, 2), Ok(Requested::AlreadyPending));
    let request = &state.requests[&(1, 2)];
    assert_eq!((request.sender, request.recipient), (1, 2));
    assert_eq!(
        (request.origin.as_str(), request.sent_at),
        ("UserProfile", now())
    );
    assert_eq!(pending_requests_count(&state, 2), 1);
    assert_eq!(pending_requests_count(&state, 1), 0);
    assert!(!state.are_friends(1, 2));
}

#[test]
fn sending_is_refused_for_bad_targets() {
    let mut state = world();
    assert_eq!(send(&mut state, 1, 99), Err(Refusal::InvalidTarget));
    assert_eq!(
        send(&mut state, 1, 5),
        Err(Refusal::InvalidTarget),
        "deleted"
    );
    assert_eq!(send(&mut state, 1, 1), Err(Refusal::CannotFriendSelf));
    state.block(3, 1).expect("blocked");
    assert_eq!(send(&mut state, 1, 3), Err(Refusal::Blocked));
    assert_eq!(send(&mut state, 3, 1), Err(Refusal::Blocked), "either way");
    befriend(&mut state, 1, 4);
    assert_eq!(send(&mut state, 1, 4), Err(Refusal::AlreadyFriends));
    assert!(state.requests.is_empty());
}

#[test]
fn sending_at_the_friend_limit_is_refused() {
    let mut state = world();
    befriend(&mut state, 1, 3);
    let at_limit = |state: &mut RobloxState, from, to| {
        request_friendship(state, from, to, "Unknown".into(), now(), 1)
    };
    assert_eq!(at_limit(&mut state, 1, 2), Err(Refusal::MaxFriendsRequest));
    // 2 asked 4, then reached the limit: 4's crossing request would complete 2's.
    assert_eq!(send(&mut state, 2, 4), Ok(Requested::Sent));
    befriend(&mut state, 2, 6);
    assert_eq!(at_limit(&mut state, 4, 2), Err(Refusal::MaxFriendsRequest));
    assert!(state.requests.contains_key(&(2, 4)), "nothing changed");
    assert!(!state.are_friends(2, 4));
    assert_eq!(
        request_friendship(&mut state, 4, 2, "Unknown".into(), now(), 2),
        Ok(Requested::Accepted),
        "with room it does"
    );
}

#[test]
fn a_crossing_request_accepts_theirs() {
    let mut state = world();
    assert_eq!(send(&mut state, 2, 1), Ok(Requested::Sent));
    assert_eq!(send(&mut state, 1, 2), Ok(Requested::Accepted));
    assert!(state.are_friends(1, 2) && state.are_friends(2, 1));
    assert!(state.requests.is_empty());
    assert_eq!(pending_requests_count(&state, 1), 0);
    assert_eq!((friends_count(&state, 1), friends_count(&state, 2)), (1, 1));
}

#[test]
fn accepting_links_and_drops_the_request() {
    let mut state = world();
    send(&mut state, 2, 1).expect("sent");
    assert_eq!(accept_request(&mut state, 1, 2, now(), LIMIT), Ok(()));
    assert!(state.are_friends(1, 2));
    assert_eq!(state.friends[&1][&2], now());
    assert!(state.requests.is_empty());
    assert_eq!(
        accept_request(&mut state, 1, 2, now(), LIMIT),
        Err(Refusal::NoSuchRequest),
        "accepted once"
    );
}

#[test]
fn accepting_is_refused_without_a_request_a_user_or_room() {
    let mut state = world();
    assert_eq!(
        accept_request(&mut state, 1, 99, now(), LIMIT),
        Err(Refusal::InvalidTarget)
    );
    assert_eq!(
        accept_request(&mut state, 1, 2, now(), LIMIT),
        Err(Refusal::NoSuchRequest)
    );
    // The request goes the other way: 1 sent it, 1 cannot accept it.
    send(&mut state, 1, 2).expect("sent");
    assert_eq!(
        accept_request(&mut state, 1, 2, now(), LIMIT),
        Err(Refusal::NoSuchRequest)
    );
    send(&mut state, 3, 1).expect("sent");
    send(&mut state, 4, 1).expect("sent");
    befriend(&mut state, 1, 6);
    assert_eq!(
        accept_request(&mut state, 1, 3, now(), 1),
        Err(Refusal::FriendLimit)
    );
    befriend(&mut state, 4, 2);
    befriend(&mut state, 4, 3);
    assert_eq!(
        accept_request(&mut state, 1, 4, now(), 2),
        Err(Refusal::TargetFriendLimit)
    );
    state.block(1, 3).expect("blocked");
    assert_eq!(
        accept_request(&mut state, 1, 3, now(), LIMIT),
        Err(Refusal::Blocked)
    );
    assert_eq!(pending_requests_count(&state, 1), 2, "nothing changed");
}

#[test]
fn declining_drops_one_request() {
    let mut state = world();
    send(&mut state, 2, 1).expect("sent");
    send(&mut state, 3, 1).expect("sent");
    let declined = decline_request(&mut state, 1, 2).expect("declined");
    assert_eq!((declined.sender, declined.recipient), (2, 1));
    assert_eq!(
        decline_request(&mut state, 1, 2),
        Err(Refusal::NoSuchRequest)
    );
    assert_eq!(
        decline_request(&mut state, 1, 99),
        Err(Refusal::InvalidTarget)
    );
    assert_eq!(
        decline_request(&mut state, 1, 1),
        Err(Refusal::NoSuchRequest),
        "self"
    );
    assert_eq!(pending_requests_count(&state, 1), 1);
    assert!(!state.are_friends(1, 2));
}

#[test]
fn declining_all_drops_only_those_received() {
    let mut state = world();
    for sender in [2, 3, 4] {
        send(&mut state, sender, 1).expect("sent");
    }
    send(&mut state, 1, 6).expect("sent");
    assert_eq!(decline_all_requests(&mut state, 1), 3);
    assert_eq!(pending_requests_count(&state, 1), 0);
    assert!(state.requests.contains_key(&(1, 6)), "the one 1 sent stays");
    assert_eq!(decline_all_requests(&mut state, 1), 0);
}

#[test]
fn new_requests_are_those_since_the_last_listing() {
    let mut state = world();
    send(&mut state, 2, 1).expect("sent");
    send(&mut state, 3, 1).expect("sent");
    assert_eq!(new_requests_count(&state, 1), 2);
    mark_requests_seen(&mut state, 1);
    assert_eq!(new_requests_count(&state, 1), 0);
    assert_eq!(
        pending_requests_count(&state, 1),
        2,
        "seen is still pending"
    );
    send(&mut state, 4, 1).expect("sent");
    assert_eq!(new_requests_count(&state, 1), 1);
    // Seen never goes back, even when the newest request goes.
    decline_request(&mut state, 1, 4).expect("declined");
    mark_requests_seen(&mut state, 1);
    send(&mut state, 6, 1).expect("sent");
    assert_eq!(new_requests_count(&state, 1), 1);
}

#[test]
fn unfriending_removes_the_friendship_and_trust() {
    let mut state = world();
    state.seed_friendship(1, 2, true, now()).expect("seeded");
    befriend(&mut state, 1, 3);
    assert_eq!(trusted_friends_count(&state, 1), 1);
    assert_eq!(trusted_friends_count(&state, 2), 1);
    assert_eq!(unfriend(&mut state, 2, 1), Ok(()));
    assert!(!state.are_friends(1, 2) && !state.are_friends(2, 1));
    assert_eq!(
        (trusted_friends_count(&state, 1), friends_count(&state, 1)),
        (0, 1)
    );
    assert_eq!(
        unfriend(&mut state, 2, 1),
        Ok(()),
        "not friends: nothing to do"
    );
    assert_eq!(unfriend(&mut state, 1, 99), Err(Refusal::InvalidTarget));
    assert_eq!(friends_count(&state, 1), 1);
}

#[test]
fn following_is_idempotent_and_refused_for_self_and_blocks() {
    let mut state = world();
    assert_eq!(follow(&mut state, 1, 2), Ok(()));
    assert_eq!(follow(&mut state, 1, 2), Ok(()));
    assert_eq!(
        (followers_count(&state, 2), followings_count(&state, 1)),
        (1, 1)
    );
    assert_eq!(follow(&mut state, 1, 1), Err(Refusal::CannotFollowSelf));
    assert_eq!(follow(&mut state, 1, 99), Err(Refusal::InvalidTarget));
    state.block(3, 1).expect("blocked");
    assert_eq!(follow(&mut state, 1, 3), Err(Refusal::Blocked));
    assert_eq!(follow(&mut state, 3, 1), Err(Refusal::Blocked));
    assert_eq!(followers_count(&state, 3), 0);
    assert_eq!(unfollow(&mut state, 1, 1), Err(Refusal::CannotFollowSelf));
    assert_eq!(unfollow(&mut state, 1, 99), Err(Refusal::InvalidTarget));
    assert_eq!(unfollow(&mut state, 1, 2), Ok(()));
    assert_eq!(unfollow(&mut state, 1, 2), Ok(()), "again: nothing to do");
    assert_eq!(
        (followers_count(&state, 2), followings_count(&state, 1)),
        (0, 0)
    );
}

#[test]
fn qr_sessions_last_their_ttl() {
    let mut state = world();
    let ttl = chrono::Duration::seconds(300);
    assert!(!qr_session_open(&state, 1, now()));
    refresh_qr_session(&mut state, 1, now(), ttl);
    assert!(qr_session_open(
        &state,
        1,
        now() + chrono::Duration::seconds(299)
    ));
    assert!(!qr_session_open(&state, 1, now() + ttl));
    assert!(!qr_session_open(&state, 2, now()));
}

#[test]
fn tags_are_judged_then_set_or_removed() {
    let words = vec!["Badword".to_owned(), String::new()];
    assert_eq!(tag_verdict("best mate", 20, &words), TagVerdict::Acceptable);
    assert_eq!(
        tag_verdict("ééééé", 5, &words),
        TagVerdict::Acceptable,
        "characters"
    );
    assert_eq!(tag_verdict("ééééé!", 5, &words), TagVerdict::TooLong);
    assert_eq!(tag_verdict("a BADWORD", 20, &words), TagVerdict::Moderated);
    let mut state = world();
    let set = |state: &mut RobloxState, target, tag: &str| {
        set_user_tag(state, 1, target, tag.into(), 20, &words)
    };
    assert_eq!(set(&mut state, 2, "mate"), Ok(Tagged::Set));
    assert_eq!(state.tags[&(1, 2)], "mate");
    assert_eq!(set(&mut state, 2, "badword"), Ok(Tagged::Moderated));
    assert_eq!(
        state.tags[&(1, 2)],
        "mate",
        "a moderated tag changes nothing"
    );
    assert_eq!(
        set(&mut state, 2, "x".repeat(21).as_str()),
        Err(Refusal::TagTooLong)
    );
    assert_eq!(set(&mut state, 99, "mate"), Err(Refusal::InvalidTarget));
    assert_eq!(set(&mut state, 1, "me"), Err(Refusal::CannotTagSelf));
    assert_eq!(set(&mut state, 2, ""), Ok(Tagged::Set));
    assert!(state.tags.is_empty(), "an empty tag removes it");
}
