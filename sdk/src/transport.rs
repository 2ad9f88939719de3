//! What happens to every request between the generated builder and the wire: headers
//! (auth, CSRF, no `api-version`), the CSRF retry, retries with backoff, a tracing span, and
//! capturing error bodies so [`Error`](crate::Error) can keep them. The success body of an
//! idempotent request is read inside the retry loop, so one that breaks off is retried too.

use crate::context::ClientContext;
use crate::meta::{AuthScheme, Service};
use bytes::Bytes;
use progenitor_client::OperationInfo;
use reqwest::header::{HeaderMap, HeaderName};
use reqwest::{Method, StatusCode};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tracing::Instrument;

const CSRF_HEADER: HeaderName = HeaderName::from_static("x-csrf-token");

/// Runs before a request is sent (progenitor's `pre` hook).
pub(crate) fn prepare(
    service: Service,
    context: &ClientContext,
    request: &mut reqwest::Request,
    info: &OperationInfo,
) -> Result<(), String> {
    if request.url().host_str() == crate::config::UNSET_BASE_URL.strip_prefix("http://") {
        return Err(format!(
            "no base URL for {}: it has no public host; set it with \
             Config::builder().base_url(Service::{service:?}, \"https://…\")",
            service.name()
        ));
    }
    // progenitor sends the document's version as `api-version`; no service wants it.
    request.headers_mut().remove("api-version");
    let meta = service.operation(info.operation_id);
    let scheme = match meta.map_or(AuthScheme::None, |m| m.auth) {
        // The Roblox session is a domain cookie: browsers send it to public endpoints too,
        // and the service keys CSRF tokens on it, so one client keeps one token.
        AuthScheme::None if matches!(service, Service::Friends | Service::Contacts) => {
            AuthScheme::RobloxSession
        }
        scheme => scheme,
    };
    context.auth().apply(scheme, request.headers_mut())?;
    if meta.is_some_and(|m| m.websocket) && context.live_subprotocol() {
        move_bearer_to_subprotocol(request.headers_mut())?;
    }
    if meta.is_some_and(|m| m.csrf)
        && let Some(token) = context.csrf_token()
    {
        request.headers_mut().insert(CSRF_HEADER, token);
    }
    Ok(())
}

/// `Authorization: Bearer t` → `Sec-WebSocket-Protocol: uebliche-bearer.<base64url(t), unpadded>`.
fn move_bearer_to_subprotocol(headers: &mut HeaderMap) -> Result<(), String> {
    use base64::Engine;
    let Some(value) = headers.remove(reqwest::header::AUTHORIZATION) else {
        return Ok(());
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token);
    let mut protocol =
        reqwest::header::HeaderValue::from_str(&format!("uebliche-bearer.{encoded}"))
            .map_err(|_| "the token cannot be sent as a subprotocol".to_owned())?;
    protocol.set_sensitive(true);
    headers.insert(reqwest::header::SEC_WEBSOCKET_PROTOCOL, protocol);
    Ok(())
}

/// What the last response of a call looked like; filled by [`execute`] while a
/// [`call`](crate::call) is in scope.
#[derive(Debug, Clone, Default)]
pub(crate) struct Captured {
    pub(crate) status: Option<StatusCode>,
    pub(crate) headers: HeaderMap,
    /// The body of an error-status response, exactly as received.
    pub(crate) body: Option<Bytes>,
    /// The body of a 2xx response, for the drift pass (`crate::drift`).
    pub(crate) success_body: Option<Bytes>,
    /// Where the client counts drift.
    pub(crate) drift: Option<Arc<crate::drift::DriftLog>>,
    /// Set when a tolerant decoding helper absorbed something while the answer was decoded
    /// (`crate::tolerant`): the drift pass then looks for what.
    pub(crate) absorbed: bool,
}

/// Notes, for the call being decoded (if any), that a tolerant helper absorbed something.
pub(crate) fn note_absorbed() {
    let _ = CAPTURE.try_with(|slot| {
        if let Ok(mut captured) = slot.lock() {
            captured.absorbed = true;
        }
    });
}

pub(crate) type CaptureSlot = Arc<Mutex<Captured>>;

tokio::task_local! {
    pub(crate) static CAPTURE: CaptureSlot;
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// Sends a request (progenitor's `exec` hook).
pub(crate) async fn execute(
    service: Service,
    http: &reqwest::Client,
    context: &ClientContext,
    request: reqwest::Request,
    info: &OperationInfo,
) -> reqwest::Result<reqwest::Response> {
    let span = tracing::info_span!(
        "social_sdk.request",
        service = service.name(),
        operation = info.operation_id,
        method = %request.method(),
        attempt = tracing::field::Empty,
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    let started = context.clock().now();
    let result = send_with_retries(service, http, context, request, info, &span)
        .instrument(span.clone())
        .await;
    let elapsed = context.clock().now().saturating_duration_since(started);
    span.record("duration_ms", elapsed.as_millis() as u64);
    if let Ok(response) = &result {
        span.record("status", response.status().as_u16());
    }
    let slot = CAPTURE.try_with(Arc::clone).ok();
    match (result, slot) {
        (Ok(response), Some(slot)) => capture(response, context, &slot).await,
        (result, _) => result,
    }
}

async fn send_with_retries(
    service: Service,
    http: &reqwest::Client,
    context: &ClientContext,
    mut request: reqwest::Request,
    info: &OperationInfo,
    span: &tracing::Span,
) -> reqwest::Result<reqwest::Response> {
    let policy = context.retry();
    let idempotent = is_idempotent(request.method());
    let takes_csrf = service.operation(info.operation_id).is_some_and(|m| m.csrf);
    let _first_token_fetch = if takes_csrf {
        context.csrf_gate().await
    } else {
        None
    };
    if takes_csrf && let Some(token) = context.csrf_token() {
        // Learnt while this request waited at the gate.
        request.headers_mut().insert(CSRF_HEADER, token);
    }
    let started = context.clock().now();
    let mut attempt = 0u32;
    let mut csrf_refreshed = false;
    loop {
        // A body that cannot be cloned (a stream) can be sent once only.
        let Some(this_try) = request.try_clone() else {
            span.record("attempt", 1);
            return http.execute(request).await;
        };
        attempt += 1;
        span.record("attempt", attempt);
        let result = match http.execute(this_try).await {
            // An idempotent request's answer is read whole inside the retry loop, so a body
            // that breaks off (a reset, a cut chunk, a stall past the timeout) is sent again
            // like any other transport failure. A 101 upgrade is never read here.
            Ok(response) if idempotent && response.status().is_success() => {
                buffered(response).await
            }
            other => other,
        };

        if let Ok(response) = &result
            && takes_csrf
            && response.status() == StatusCode::FORBIDDEN
            && !csrf_refreshed
            && let Some(token) = response.headers().get(&CSRF_HEADER)
        {
            // Roblox hands out the session's current token with the 403; keyed on the
            // header, never on the message. One resend, not counted as a retry.
            tracing::debug!("CSRF token refreshed, sending again");
            context.set_csrf_token(token.clone());
            request.headers_mut().insert(CSRF_HEADER, token.clone());
            csrf_refreshed = true;
            attempt -= 1;
            continue;
        }

        let delay = match &result {
            Ok(response) => match response.status().as_u16() {
                429 => Some(wait_for(response.headers(), policy, attempt)),
                503 if idempotent => Some(wait_for(response.headers(), policy, attempt)),
                _ => None,
            },
            // Nothing reached the service: safe for every method.
            Err(e) if e.is_connect() => Some(policy.backoff(attempt)),
            // The service may have acted: only idempotent requests go again. A body that
            // breaks off while `buffered` reads it is a `decode` error in reqwest's terms.
            Err(e)
                if idempotent
                    && (e.is_timeout() || e.is_request() || e.is_body() || e.is_decode()) =>
            {
                Some(policy.backoff(attempt))
            }
            Err(_) => None,
        };
        let Some(delay) = delay else { return result };
        let spent = context.clock().now().saturating_duration_since(started);
        if attempt >= policy.max_attempts
            || delay > policy.max_delay
            || spent.saturating_add(delay) > policy.budget
        {
            tracing::debug!(attempt, ?delay, "giving up");
            return result;
        }
        tracing::debug!(
            attempt,
            delay_ms = delay.as_millis() as u64,
            status = result.as_ref().ok().map(|r| r.status().as_u16()),
            error = result.as_ref().err().map(tracing::field::display),
            "retrying"
        );
        context.clock().sleep(delay).await;
    }
}

fn wait_for(headers: &HeaderMap, policy: &crate::RetryPolicy, attempt: u32) -> Duration {
    crate::retry::retry_after(headers, SystemTime::now()).unwrap_or_else(|| policy.backoff(attempt))
}

/// Reads the whole body and rebuilds the response around the same bytes (status, version,
/// headers and URL kept).
async fn read_whole(response: reqwest::Response) -> reqwest::Result<(reqwest::Response, Bytes)> {
    use reqwest::ResponseBuilderExt;
    let (status, version) = (response.status(), response.version());
    let (headers, url) = (response.headers().clone(), response.url().clone());
    let body = response.bytes().await?;
    // Only an invalid status or header fails a builder; none is set through it here.
    let mut rebuilt = http::Response::builder()
        .url(url)
        .body(body.clone())
        .unwrap_or_else(|_| http::Response::new(body.clone()));
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    Ok((reqwest::Response::from(rebuilt), body))
}

/// The response with its body already read (see [`read_whole`]).
async fn buffered(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    read_whole(response).await.map(|(response, _)| response)
}

/// Records the response in the call's slot. An error-status body is read here (and the
/// response rebuilt around the same bytes) so the error keeps it exactly as received; a 2xx
/// body too (already read for idempotent requests) unless drift reporting is off, for the
/// drift pass.
async fn capture(
    response: reqwest::Response,
    context: &ClientContext,
    slot: &CaptureSlot,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let headers = response.headers().clone();
    let drift = context.drift_log();
    let keep_success = status.is_success() && drift.is_some();
    let (response, body) = if status.is_client_error() || status.is_server_error() || keep_success {
        let (response, body) = read_whole(response).await?;
        (response, Some(body))
    } else {
        (response, None)
    };
    let (body, success_body) = if status.is_success() {
        (None, body)
    } else {
        (body, None)
    };
    if let Ok(mut captured) = slot.lock() {
        *captured = Captured {
            status: Some(status),
            headers,
            body,
            success_body,
            drift,
            absorbed: false,
        };
    }
    Ok(response)
}
