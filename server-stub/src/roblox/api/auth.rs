//! How Friends v1 and Contacts v1 guard their operations: the session (cookie or bearer
//! token), the CSRF token of mutating methods, bans and the flood limit, and the error shape
//! `{"errors":[{"code","message"}]}` with the messages the documents give.

use crate::http::{RequestContext, StubError};
use crate::roblox::state::RobloxState;
use crate::spec::Invalid;
use axum::http::StatusCode;
use serde_json::{Value, json};

/// How one service's operations are guarded: authentication, CSRF, flood limit, and the
/// error codes the document gives them.
pub(crate) struct Guard<'a> {
    pub(crate) spec: &'static str,
    pub(crate) ctx: &'a RequestContext,
    /// `429` code of this service (Friends 9, Contacts 10).
    pub(crate) flood_code: i64,
}

/// `{"errors":[{"code":…,"message":…}]}` with the message the document gives for this
/// operation, status and code.
pub(crate) fn roblox_error(
    spec: &str,
    operation: &str,
    status: StatusCode,
    code: i64,
) -> StubError {
    let message = crate::spec::error_message(spec, operation, status.as_u16(), code)
        .unwrap_or_else(|| fallback_message(status, code));
    StubError::new(
        status,
        json!({"errors": [{"code": code, "message": message}]}),
    )
}

fn fallback_message(status: StatusCode, code: i64) -> String {
    match (status.as_u16(), code) {
        (401, 0) => "Authorization has been denied for this request.".into(),
        (403, 0) => "Token Validation Failed".into(),
        (400, _) => "Invalid parameters.".into(),
        _ => status.canonical_reason().unwrap_or("Error").into(),
    }
}

impl Guard<'_> {
    pub(crate) fn error(&self, status: StatusCode, code: i64) -> StubError {
        roblox_error(self.spec, self.ctx.operation, status, code)
    }

    /// Checks the session (when the operation needs one), the CSRF token (mutating
    /// methods), a ban (mutating, code 2 where documented) and the flood limit. Returns the
    /// caller, if any.
    pub(crate) fn check(&self, state: &mut RobloxState) -> Result<Option<i64>, StubError> {
        let ctx = self.ctx;
        let now = ctx.world.now();
        let session = ctx
            .cookie(".ROBLOSECURITY")
            .or_else(|| ctx.bearer())
            .and_then(|key| state.session_user(key).map(|id| (key.to_owned(), id)));
        let needs_session = crate::spec::requires_auth(self.spec, ctx.operation);
        if needs_session && session.is_none() {
            return Err(self.error(StatusCode::UNAUTHORIZED, 0));
        }
        if ctx.is_mutating() {
            let key = session
                .as_ref()
                .map_or("anonymous", |(k, _)| k.as_str())
                .to_owned();
            let current = state.csrf_token(&key, now, ctx.stub.config.csrf_ttl());
            if ctx.header("x-csrf-token") != Some(current.as_str()) {
                return Err(self
                    .error(StatusCode::FORBIDDEN, 0)
                    .with_header("x-csrf-token", &current));
            }
        }
        let caller = session.map(|(_, id)| id);
        if let Some(id) = caller {
            let limit = ctx.stub.config.flood_limit_per_minute;
            if limit > 0 {
                let minute = now.timestamp() / 60;
                let slot = state.flood.entry((id, self.spec)).or_insert((minute, 0));
                if slot.0 != minute {
                    *slot = (minute, 0);
                }
                slot.1 += 1;
                // A count, even on a read: no answer of this request may come from the cache.
                ctx.world.touch();
                if slot.1 > limit {
                    let wait = 60 - now.timestamp().rem_euclid(60);
                    return Err(self
                        .error(StatusCode::TOO_MANY_REQUESTS, self.flood_code)
                        .with_header("retry-after", &wait.to_string()));
                }
            }
            if ctx.is_mutating()
                && state.user(id).is_some_and(|u| u.is_banned)
                && crate::spec::error_message(self.spec, ctx.operation, 403, 2).is_some()
            {
                return Err(self.error(StatusCode::FORBIDDEN, 2));
            }
        }
        Ok(caller)
    }

    /// Like [`check`](Self::check) for an operation that needs a session.
    pub(crate) fn caller(&self, state: &mut RobloxState) -> Result<i64, StubError> {
        self.check(state)?
            .ok_or_else(|| self.error(StatusCode::UNAUTHORIZED, 0))
    }

    /// The answer to input the document rejects: auth and CSRF problems first (as the real
    /// service), then `400` with the operation's "invalid parameters" code (or its "invalid
    /// target" code where it has no such code). A missing or unreadable content type is `415`
    /// code 0 where the operation documents it; malformed JSON and an oversized body are
    /// `400`s. `userFacingMessage` and `field` say what was wrong.
    pub(crate) fn invalid(
        &self,
        state: &mut RobloxState,
        problem: &Invalid,
        invalid_code: i64,
    ) -> StubError {
        if let Err(error) = self.check(state) {
            return error;
        }
        let op = self.ctx.operation;
        if matches!(problem, Invalid::UnsupportedMediaType { .. })
            && crate::spec::documents_status(self.spec, op, 415)
        {
            // ASP.NET Core's answer to a body it has no input formatter for, or to a
            // request without `Content-Type` at all.
            return self.error(StatusCode::UNSUPPORTED_MEDIA_TYPE, 0);
        }
        let code = [invalid_code, 1, 0]
            .into_iter()
            .find(|c| crate::spec::error_message(self.spec, op, 400, *c).is_some())
            .unwrap_or(invalid_code);
        let mut error = self.error(StatusCode::BAD_REQUEST, code);
        if let Some(first) = error.body.pointer_mut("/errors/0") {
            first["field"] = problem.parameter().map_or(Value::Null, |p| json!(p));
            first["userFacingMessage"] = json!(problem.to_string());
        }
        error
    }
}
