//! The one error type of the SDK.
//!
//! Every awaited call (`client.op().param(..).await`) and every page stream returns
//! [`Error`]. It tells apart what went wrong on the way (transport, timeout), what the service
//! said (a documented error with its status, service code and message), and what nobody
//! expected (an undocumented response, a body that does not decode), and keeps the raw body
//! wherever there was one.
//!
//! Error bodies are read in every shape the services use: Roblox `{"errors":[{code,message}]}`
//! and the flat `{code,message}`, social/party `{error,message}`, and roster business codes
//! (HTTP 200 with `code != 200`).

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::fmt;
use std::time::Duration;

/// A service's own error code: a number (Roblox, roster) or a name (social, party).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// Roblox `errors[].code` / flat `code`, or a roster business code.
    Number(i64),
    /// Social and party `error`, e.g. `FRIEND_LIMIT_REACHED`.
    Name(String),
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => write!(f, "{n}"),
            Self::Name(s) => f.write_str(s),
        }
    }
}

impl PartialEq<i64> for ErrorCode {
    fn eq(&self, other: &i64) -> bool {
        matches!(self, Self::Number(n) if n == other)
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        matches!(self, Self::Name(s) if s == other)
    }
}

/// A documented error answer of a service.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServiceError {
    /// Which service and operation answered.
    pub operation: &'static str,
    /// The HTTP status (200 for a roster business error).
    pub status: StatusCode,
    /// The service's code, when the body carried one.
    pub code: Option<ErrorCode>,
    /// The service's message, when the body carried one.
    pub message: Option<String>,
    /// The body exactly as received.
    pub body: Bytes,
    /// How long the service asked us to wait (`Retry-After` / `x-ratelimit-reset`).
    pub retry_after: Option<Duration>,
}

/// Everything that can go wrong in a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be sent or the response not read (connection refused or reset,
    /// DNS, TLS, a body cut short).
    #[error("{operation}: transport error: {source}")]
    Transport {
        /// The operation.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The request or the response took longer than the configured timeout.
    #[error("{operation}: timed out: {source}")]
    Timeout {
        /// The operation.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The service answered with a documented error (or a roster business code).
    #[error("{}", describe_service_error(.0))]
    Service(Box<ServiceError>),
    /// The service answered with a status the document does not list.
    #[error("{operation}: unexpected HTTP {status}")]
    UnexpectedResponse {
        /// The operation.
        operation: &'static str,
        /// The status received.
        status: StatusCode,
        /// The body exactly as received.
        body: Bytes,
    },
    /// The response body did not decode into the documented type.
    #[error("{operation}: the response body does not decode: {source}")]
    Decode {
        /// The operation.
        operation: &'static str,
        /// The status received, when known.
        status: Option<StatusCode>,
        /// The body exactly as received.
        body: Bytes,
        /// Why it did not decode.
        #[source]
        source: serde_json::Error,
    },
    /// The request was not sent: a required parameter is missing, a value does not convert,
    /// or a configured credential cannot be sent as a header.
    #[error("{operation}: invalid request: {message}")]
    InvalidRequest {
        /// The operation.
        operation: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A page stream was stopped because the server sent a cursor it had already sent.
    #[error("{operation}: the server repeated page cursor {cursor:?}; stopped instead of looping")]
    CursorLoop {
        /// The operation.
        operation: &'static str,
        /// The repeated cursor.
        cursor: String,
    },
}

fn describe_service_error(e: &ServiceError) -> String {
    let mut s = format!("{}: HTTP {}", e.operation, e.status);
    if let Some(code) = &e.code {
        s.push_str(&format!(", code {code}"));
    }
    if let Some(message) = &e.message {
        s.push_str(&format!(": {message}"));
    }
    s
}

impl Error {
    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Self::Service(e) => Some(e.status),
            Self::UnexpectedResponse { status, .. } => Some(*status),
            Self::Decode { status, .. } => *status,
            Self::Transport { source, .. } | Self::Timeout { source, .. } => source.status(),
            Self::InvalidRequest { .. } | Self::CursorLoop { .. } => None,
        }
    }

    /// The service's error code, when the service answered with one.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Self::Service(e) => e.code.as_ref(),
            _ => None,
        }
    }

    /// The service's message, when the service answered with one.
    pub fn message(&self) -> Option<&str> {
        match self {
            Self::Service(e) => e.message.as_deref(),
            _ => None,
        }
    }

    /// The documented error, when the service answered with one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Self::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The raw response body, when there was one.
    pub fn body(&self) -> Option<&Bytes> {
        match self {
            Self::Service(e) => Some(&e.body),
            Self::UnexpectedResponse { body, .. } | Self::Decode { body, .. } => Some(body),
            _ => None,
        }
    }

    /// Whether sending the same request again later may succeed: rate limits (429),
    /// unavailability (502, 503, 504), timeouts and transport failures. The SDK already
    /// retried these as far as its [`RetryPolicy`](crate::RetryPolicy) allows.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { .. } | Self::Timeout { .. } => true,
            Self::Service(_) | Self::UnexpectedResponse { .. } => self
                .status()
                .is_some_and(|s| matches!(s.as_u16(), 429 | 502 | 503 | 504)),
            Self::Decode { .. } | Self::InvalidRequest { .. } | Self::CursorLoop { .. } => false,
        }
    }

    pub(crate) fn from_reqwest(operation: &'static str, source: reqwest::Error) -> Self {
        if source.is_timeout() {
            Self::Timeout { operation, source }
        } else {
            Self::Transport { operation, source }
        }
    }

    /// Builds the error for an error-status response from its raw parts.
    pub(crate) fn from_error_response(
        operation: &'static str,
        status: StatusCode,
        headers: &HeaderMap,
        body: Bytes,
        documented: bool,
    ) -> Self {
        let (code, message) = parse_error_body(&body);
        // Rate limiting and unavailability are the service speaking, documented or not.
        let universal = matches!(status.as_u16(), 429 | 503);
        if !documented && !universal && code.is_none() && message.is_none() {
            return Self::UnexpectedResponse {
                operation,
                status,
                body,
            };
        }
        Self::Service(Box::new(ServiceError {
            operation,
            status,
            code,
            message,
            body,
            retry_after: crate::retry::retry_after(headers, std::time::SystemTime::now()),
        }))
    }
}

/// Reads a service code and message out of any of the error shapes the services use.
pub(crate) fn parse_error_body(body: &[u8]) -> (Option<ErrorCode>, Option<String>) {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return (None, None);
    };
    let message = |v: &Value| v.get("message").and_then(Value::as_str).map(str::to_owned);
    // Roblox: {"errors":[{"code":0,"message":"…"}]}
    if let Some(first) = map
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        let code = first
            .get("code")
            .and_then(Value::as_i64)
            .map(ErrorCode::Number);
        return (code, message(first));
    }
    let whole = Value::Object(map);
    // Social/party: {"error":"CODE","message":"…"}
    if let Some(name) = whole.get("error").and_then(Value::as_str) {
        return (Some(ErrorCode::Name(name.to_owned())), message(&whole));
    }
    // Flat Roblox or roster: {"code":N,"message":"…"}
    let code = whole
        .get("code")
        .and_then(Value::as_i64)
        .map(ErrorCode::Number);
    (code, message(&whole))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_shape_parses() {
        let roblox =
            br#"{"errors":[{"code":6,"message":"Invalid parameters.","userFacingMessage":"x"}]}"#;
        assert_eq!(
            parse_error_body(roblox),
            (
                Some(ErrorCode::Number(6)),
                Some("Invalid parameters.".into())
            )
        );
        let flat = br#"{"code":0,"message":"Token Validation Failed"}"#;
        assert_eq!(parse_error_body(flat).0, Some(ErrorCode::Number(0)));
        let social = br#"{"error":"FRIEND_LIMIT_REACHED","message":"full"}"#;
        let (code, message) = parse_error_body(social);
        assert!(code.as_ref().is_some_and(|c| *c == "FRIEND_LIMIT_REACHED"));
        assert_eq!(message.as_deref(), Some("full"));
        assert_eq!(parse_error_body(b"<html>bad gateway</html>"), (None, None));
        assert_eq!(parse_error_body(b"[1,2]"), (None, None));
    }

    #[test]
    fn undocumented_status_without_a_known_body_is_unexpected() {
        let e = Error::from_error_response(
            "op",
            StatusCode::IM_A_TEAPOT,
            &HeaderMap::new(),
            Bytes::from_static(b"teapot"),
            false,
        );
        assert!(matches!(e, Error::UnexpectedResponse { .. }));
        assert_eq!(e.status(), Some(StatusCode::IM_A_TEAPOT));
        assert_eq!(e.body().map(|b| b.as_ref()), Some(&b"teapot"[..]));
    }

    #[test]
    fn retryable_statuses() {
        let e = |s: u16| {
            Error::from_error_response(
                "op",
                StatusCode::from_u16(s).expect("status"),
                &HeaderMap::new(),
                Bytes::new(),
                true,
            )
        };
        assert!(e(429).is_retryable());
        assert!(e(503).is_retryable());
        assert!(!e(400).is_retryable());
        assert!(!e(403).is_retryable());
    }
}
