//! Assertions on the SDK's `Error`, and the documented messages and error bodies they
//! compare with.

use serde_json::{Value, json};
use social_sdk::Error;

/// Documented messages (the `x-error-codes` of `openapi/friends.yaml` and `contacts.yaml`).
pub const UNAUTHORIZED: &str = "Authorization has been denied for this request.";
/// `400` code 1 of Friends v1.
pub const INVALID_TARGET: &str = "The target user is invalid or does not exist.";
/// `400` of Friends and Contacts.
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
