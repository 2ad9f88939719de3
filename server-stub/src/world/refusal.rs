//! The one refusal type of the control plane and the world registry: what was refused and
//! why, as plain data. The control plane's transport writes it as
//! `{"error": code, "message": message}` with the status its kind maps to.

use std::fmt;

/// What kind of refusal it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalKind {
    /// The input does not fit (`400`).
    Invalid,
    /// Something named does not exist (`404`).
    NotFound,
    /// It exists already, or conflicts with what exists (`409`).
    Conflict,
}

/// A refused control-plane change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Its kind.
    pub kind: RefusalKind,
    /// A stable upper-case code, e.g. `UNKNOWN_WORLD`.
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
}

impl Refusal {
    /// Input that does not fit.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(RefusalKind::Invalid, code, message)
    }

    /// Something named that does not exist.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(RefusalKind::NotFound, code, message)
    }

    /// A conflict with what exists.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(RefusalKind::Conflict, code, message)
    }

    fn new(kind: RefusalKind, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Refusal {}
