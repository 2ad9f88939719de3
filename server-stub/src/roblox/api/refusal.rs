//! The one place a roblox-domain [`Refusal`] becomes an answer: the status and code each
//! document lists for it (with the document's message for the operation).
//!
//! | refusal | Friends v1 | Contacts v1 |
//! |---|---|---|
//! | `InvalidTarget` | 400 / 1 | 400 / 2 |
//! | `InvalidParameters` | 400 / 6 | 400 / 4 |
//! | `CannotFriendSelf` | 400 / 7 | |
//! | `CannotFollowSelf` | 400 / 8 | |
//! | `CannotTagSelf` | | 403 / 5 |
//! | `Blocked` | 403 / 3 | |
//! | `AlreadyFriends` | 400 / 5 | |
//! | `NoSuchRequest` | 400 / 10 | |
//! | `FriendLimit` | 400 / 11 | |
//! | `TargetFriendLimit` | 400 / 12 | |
//! | `MaxFriendsRequest` | 400 / 31 | |
//! | `TooManyIds` | 400 / 15 (`followings/exists`: 400 / 0) | 400 / 8 |
//! | `InvalidIds` | 400 / 16 (`followings/exists`: 400 / 0) | |
//! | `TagTooLong` | | 400 / 6 |

use super::auth::Guard;
use crate::http::StubError;
use crate::roblox::rules::Refusal;
use axum::http::StatusCode;

/// The answer to `refusal` in the guarded operation's document.
pub(crate) fn into_error(guard: &Guard<'_>, refusal: Refusal) -> StubError {
    let (status, code) = status_and_code(guard.spec, guard.ctx.operation, refusal);
    guard.error(status, code)
}

fn status_and_code(spec: &str, operation: &str, refusal: Refusal) -> (StatusCode, i64) {
    use Refusal::*;
    const BAD: StatusCode = StatusCode::BAD_REQUEST;
    const FORBIDDEN: StatusCode = StatusCode::FORBIDDEN;
    let contacts = spec == "contacts";
    match refusal {
        InvalidTarget if contacts => (BAD, 2),
        InvalidTarget => (BAD, 1),
        InvalidParameters if contacts => (BAD, 4),
        InvalidParameters => (BAD, 6),
        CannotFriendSelf => (BAD, 7),
        CannotFollowSelf => (BAD, 8),
        CannotTagSelf => (FORBIDDEN, 5),
        Blocked => (FORBIDDEN, 3),
        AlreadyFriends => (BAD, 5),
        NoSuchRequest => (BAD, 10),
        FriendLimit => (BAD, 11),
        TargetFriendLimit => (BAD, 12),
        MaxFriendsRequest => (BAD, 31),
        TooManyIds if contacts => (BAD, 8),
        TooManyIds | InvalidIds if operation == "get_following_exists" => (BAD, 0),
        TooManyIds => (BAD, 15),
        InvalidIds => (BAD, 16),
        TagTooLong => (BAD, 6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_document_has_its_own_codes() {
        let at = |spec, op, r| {
            let (status, code) = status_and_code(spec, op, r);
            (status.as_u16(), code)
        };
        assert_eq!(
            at("friends", "unfriend_user", Refusal::InvalidTarget),
            (400, 1)
        );
        assert_eq!(
            at("contacts", "set_user_tag", Refusal::InvalidTarget),
            (400, 2)
        );
        assert_eq!(
            at("contacts", "set_user_tag", Refusal::CannotTagSelf),
            (403, 5)
        );
        assert_eq!(at("friends", "follow_user", Refusal::Blocked), (403, 3));
        assert_eq!(
            at("friends", "get_following_exists", Refusal::TooManyIds),
            (400, 0)
        );
        assert_eq!(
            at("friends", "get_following_exists", Refusal::InvalidIds),
            (400, 0)
        );
        assert_eq!(
            at("friends", "get_user_friend_statuses", Refusal::TooManyIds),
            (400, 15)
        );
        assert_eq!(
            at("friends", "get_user_friend_statuses", Refusal::InvalidIds),
            (400, 16)
        );
        assert_eq!(
            at("contacts", "get_user_tags", Refusal::TooManyIds),
            (400, 8)
        );
    }
}
