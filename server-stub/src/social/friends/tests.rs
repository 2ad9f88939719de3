//! The rules and views driven directly: directed cases, the error table checked against the
//! document, and (in `properties`) random operation sequences that must keep the invariants.

use super::api::status;
use super::rules::*;
use super::views::*;
use crate::social::state::{NewPlayer, Player, SocialState};
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use social_sdk::social_friends::types;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

mod properties;

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
                permissions.insert(format!("social:friends.limit.{LIMITED_PLAYER_LIMIT}"), true);
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
    assert_eq!(name(&sent), None, "pending: no status, as in the seed");
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
            let status = status(&error).as_u16();
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
