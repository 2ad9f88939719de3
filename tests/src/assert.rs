//! Assertions on the SDK's `Error`, and the documented messages and error bodies they
//! compare with.

use serde_json::{Value, json};
use social_sdk::Error;

/// Documented messages (the `x-error-codes` of `openapi/friends.yaml` and `contacts.yaml`).
pub const UNAUTHORIZED: &str = "Authorization has been denied for this request.";
/// Code 1 of Friends v1.
pub const INVALID_TARGET: &str = "The target user is invalid or does not exist.";
/// Of Friends and Contacts.
pub const INVALID_PARAMETERS: &str = "Invalid parameters.";
/// The CSRF `403` code 0.
pub const TOKEN_FAILED: &str = "Token Validation Failed";
/// The `429` of Friends and Contacts.
pub const FLOOD: &str = "The flood limit has been exceeded.";

/// The Roblox error envelope.
pub fn roblox_error(code: i64, message: &str) -> Value {
    json!({"errors": [{"code": code, "message": message}]})
}

/// Asserts a documented service error: status, code and message.
#[track_caller]
pub fn expect_error<T: std::fmt::Debug, C: std::fmt::Debug>(
    result: Result<T, Error>,
    status: u16,
    code: C,
    message: &str,
) -> Error
where
    social_sdk::ErrorCode: PartialEq<C>,
{
    let error = match result {
        Ok(value) => panic!("expected HTTP {status} code {code:?}, got Ok({value:?})"),
        Err(error) => error,
    };
    assert_eq!(
        error.status().map(|s| s.as_u16()),
        Some(status),
        "status of {error:?}"
    );
    assert!(
        error.code().is_some_and(|c| *c == code),
        "expected code {code:?}: {error:?}"
    );
    assert_eq!(error.message(), Some(message), "message of {error:?}");
    error
}

/// Documented messages of `openapi/social-friends.yaml` (its `x-error-codes`).
pub mod social_friends {
    /// Without `social:friends.read`.
    pub const MISSING_READ: &str = "Missing permission social:friends.read.";
    /// Without `social:friends.write`.
    pub const MISSING_WRITE: &str = "Missing permission social:friends.write.";
    /// Without `social:friends.edit`.
    pub const MISSING_EDIT: &str = "Missing permission social:friends.edit.";
    /// For an unknown player.
    pub const PLAYER_NOT_FOUND: &str = "Player not found.";
    /// For an unknown request id.
    pub const REQUEST_NOT_FOUND: &str = "Friend request not found.";
    /// For someone who is not a friend.
    pub const FRIEND_NOT_FOUND: &str = "Friend not found.";
    /// For a block that does not exist.
    pub const BLOCK_NOT_FOUND: &str = "Block not found.";
    /// For an expired request.
    pub const EXPIRED: &str = "The friend request has expired.";
    /// At the friend limit.
    pub const LIMIT: &str = "The friend limit has been reached.";
    /// When a block exists either way.
    pub const BLOCKED: &str = "A block exists between you and this player.";
    /// A server route without a target.
    pub const TARGET_REQUIRED: &str = "actorId and targetId or targetName are required.";
    /// For accepting someone else's request.
    pub const ONLY_RECIPIENT_ACCEPTS: &str = "Only the recipient can accept this request.";
    /// For declining someone else's request.
    pub const ONLY_RECIPIENT_DECLINES: &str = "Only the recipient can decline this request.";
}

/// Documented messages of `openapi/party.yaml` (its `x-error-codes`).
pub mod party {
    /// Unauthorized on the user routes.
    pub const UNAUTHORIZED_PLAYER: &str = "Missing or invalid bearer token.";
    /// Unauthorized on the server routes.
    pub const UNAUTHORIZED_SERVER: &str = "Missing or invalid server credentials.";
    /// For an unknown player.
    pub const PLAYER_NOT_FOUND: &str = "Player not found.";
    /// For an invite that does not exist.
    pub const INVITE_NOT_FOUND: &str = "Party invite not found.";
    /// For a caller in no party.
    pub const YOU_ARE_NOT_IN_A_PARTY: &str = "You are not in a party.";
    /// For a player in no party.
    pub const PLAYER_NOT_IN_A_PARTY: &str = "The player is not in a party.";
    /// For a member who is not the leader.
    pub const NOT_LEADER: &str = "Only the party leader may do this.";
    /// For a member who may not select.
    pub const NOT_SELECTOR: &str =
        "Only the party leader or a selector may change the lobby selection.";
    /// For inviting yourself.
    pub const CANNOT_TARGET_SELF: &str = "You cannot invite yourself.";
    /// When a block exists either way.
    pub const BLOCKED: &str = "A block exists between you and this player.";
    /// For a full party.
    pub const PARTY_FULL: &str = "The party is full.";
    /// For inviting a member.
    pub const ALREADY_IN_PARTY: &str = "The player is already in this party.";
    /// For an expired invite.
    pub const INVITE_EXPIRED: &str = "The party invite has expired.";
    /// For an invite without a target.
    pub const NO_TARGET: &str = "Either targetId or targetName is required.";
    /// For readying an unprepared profile.
    pub const PROFILE_NOT_PREPARED: &str = "ready=true requires profilePrepared=true.";
    /// For readying without a selection.
    pub const NO_SELECTION: &str = "The party lobby has no selection.";
}

/// Business codes of `openapi/roster.yaml` (`info.x-business-codes`): every answer is HTTP 200.
pub mod roster {
    /// No such user.
    pub const USER_NOT_FOUND: i64 = 10000;
    /// Rejected input.
    pub const BAD_PARAMETER: i64 = 10002;
    /// No access token.
    pub const MISSING_TOKEN: i64 = 10003;
    /// Not a friend.
    pub const NOT_A_FRIEND: i64 = 10004;
    /// Already friends.
    pub const ALREADY_FRIENDS: i64 = 10005;
    /// A block exists.
    pub const BLOCKED: i64 = 10006;
    /// No such application.
    pub const NO_APPLICATION: i64 = 10007;
    /// An invalid access token.
    pub const INVALID_TOKEN: i64 = 10008;
    /// Not allowed.
    pub const NO_PERMISSION: i64 = 10010;
    /// The user rejects every application.
    pub const REJECTS_ALL: i64 = 10012;
    /// No such app.
    pub const UNKNOWN_APP: i64 = 40000;
}
