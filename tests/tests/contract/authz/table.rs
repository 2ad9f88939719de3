//! The table itself: every guarded operation sent with missing, forged, misplaced and
//! foreign credentials must answer the documented refusal and leave the world unchanged; the
//! same requests with the right credentials are not refused; public operations answer
//! without any.

use super::*;

/// A Roblox refusal: `status`, code 0 and the message documented for it.
pub(super) fn roblox_refusal(op: &Operation, answer: &Answer, status: u16) -> Result<(), String> {
    let code = answer
        .body
        .pointer("/errors/0/code")
        .and_then(Value::as_i64);
    if answer.status != status || code != Some(0) {
        return Err(format!(
            "HTTP {} {}, not {status} code 0",
            answer.status, answer.body
        ));
    }
    let documented = op.documented(status);
    let entry = documented
        .iter()
        .find(|e| e["code"] == 0)
        .ok_or_else(|| format!("the document lists no {status} code 0 for this operation"))?;
    let message = answer.body.pointer("/errors/0/message");
    if message != entry.get("message") {
        return Err(format!(
            "message {message:?} is not the documented {:?}",
            entry["message"]
        ));
    }
    Ok(())
}

/// The credential headers a guard needs must be documented as header parameters marked
/// `x-sdk-injected` (the SDK sets them from its configuration), and only there.
pub(super) fn check_injected(doc: &Document, op: &Operation) -> Result<(), String> {
    let injected: BTreeSet<String> = op.def["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| doc.resolve(p))
        .filter(|p| p["in"] == "header" && p["x-sdk-injected"] == true)
        .filter_map(|p| p["name"].as_str())
        .map(str::to_ascii_lowercase)
        .collect();
    let expected: BTreeSet<String> = match op.guard {
        Guard::Server => ["x-server-id"].map(String::from).into(),
        Guard::Roster => ["access-token", "app_id"].map(String::from).into(),
        Guard::Public | Guard::Session | Guard::Player => BTreeSet::new(),
    };
    if injected == expected {
        Ok(())
    } else {
        Err(format!(
            "x-sdk-injected headers {injected:?}, but its security needs {expected:?}"
        ))
    }
}

/// A parameter value as it goes into a path or query string.
pub(super) fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) async fn send_social(
    client: &social_sdk::social_friends::Client,
    to: &CreatedPlayer,
) -> Result<social_sdk::social_friends::types::FriendRequestEntry, Error> {
    client
        .send_social_friend_request()
        .body(social_sdk::social_friends::types::SendFriendRequestBody {
            target_id: Some(to.id),
            target_name: None,
            note: Some("for your eyes only".into()),
        })
        .await
}

/// One request, ready to send with some credentials.
pub(super) struct Prepared {
    pub(super) method: Method,
    pub(super) url: reqwest::Url,
    pub(super) body: Body,
    pub(super) handshake: bool,
}

pub(super) enum Body {
    None,
    Json(Value),
    /// Bytes that are not JSON.
    Raw(String),
}

/// What a refused call must answer.
#[derive(Debug, Clone, Copy)]
pub(super) enum Expect {
    /// `401` with the documented body.
    Unauthorized,
    /// Roblox `403` code 0 carrying the session's current `x-csrf-token`.
    Csrf,
    /// Roster: HTTP 200 with this business code.
    Business(i64),
}

pub(super) struct Variant {
    pub(super) label: &'static str,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) expect: Expect,
}

pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) csrf: Option<String>,
    pub(super) body: Value,
}

/// JSON pointers where two values differ (at most `limit`).
pub(super) fn differences(a: &Value, b: &Value, path: &str, out: &mut Vec<String>, limit: usize) {
    if out.len() >= limit || a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for key in keys {
                let (l, r) = (
                    x.get(key).unwrap_or(&Value::Null),
                    y.get(key).unwrap_or(&Value::Null),
                );
                differences(l, r, &format!("{path}/{key}"), out, limit);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (l, r)) in x.iter().zip(y).enumerate() {
                differences(l, r, &format!("{path}/{i}"), out, limit);
            }
        }
        _ => out.push(format!("{path}: {a} -> {b}")),
    }
}

/// Runs the table for one document: every refusal variant of every non-public operation,
/// the world unchanged afterwards, then the same requests with valid credentials not
/// refused. Returns (non-public operations, pairs sent).
pub(super) async fn refuse_bad_credentials(spec: &str) -> (usize, usize) {
    let fx = Fixture::new().await;
    let doc = Document::load(spec);
    let operations: Vec<Operation> = doc
        .operations()
        .into_iter()
        .filter(|op| op.guard != Guard::Public)
        .collect();
    let before = fx.state().await;
    let mut failures = String::new();
    let mut pairs = 0;
    for op in &operations {
        if let Err(problem) = check_injected(&doc, op) {
            let _ = writeln!(failures, "{}: {problem}", op.label());
        }
        let prepared = fx.prepare(&doc, op);
        let variants = fx.variants(op);
        assert!(!variants.is_empty(), "{}: no variants", op.label());
        // Credentials come before input: without them, malformed input is refused the same
        // way (no validation oracle for the unauthenticated).
        let malformed = fx.malformed(&doc, op).map(|bad| {
            let first = &variants[0];
            let variant = Variant {
                label: "no credentials and malformed input",
                headers: first.headers.clone(),
                expect: first.expect,
            };
            (bad, variant)
        });
        let cases = variants
            .iter()
            .map(|v| (&prepared, v))
            .chain(malformed.as_ref().map(|(p, v)| (p, v)));
        for (prepared, variant) in cases {
            let answer = fx.send(prepared, &variant.headers).await;
            pairs += 1;
            let accepted = match variant.expect {
                // Roster answers HTTP 200 either way: success is business code 200.
                Expect::Business(_) => answer.body["code"] == 200,
                _ => (200..300).contains(&answer.status) || answer.status == 101,
            };
            if accepted {
                let _ = writeln!(
                    failures,
                    "{} with {}: ACCEPTED (HTTP {}) {}",
                    op.label(),
                    variant.label,
                    answer.status,
                    answer.body
                );
            } else if let Err(problem) = fx.judge(op, variant, &answer) {
                let _ = writeln!(failures, "{} with {}: {problem}", op.label(), variant.label);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "refusals that do not hold:\n{failures}"
    );

    let after = fx.state().await;
    let mut changed = Vec::new();
    differences(&before, &after, "", &mut changed, 20);
    assert!(
        changed.is_empty(),
        "refused calls changed the world:\n{}",
        changed.join("\n")
    );

    // The same requests with the victim's own credentials are not refused: the refusals
    // above came from the credentials, not from the rest of the request.
    for op in &operations {
        let prepared = fx.prepare(&doc, op);
        let answer = fx.send(&prepared, &fx.valid(op)).await;
        let refused = match op.guard {
            Guard::Roster => answer.body["code"].as_i64().is_some_and(|c| {
                [MISSING_TOKEN, INVALID_TOKEN, NO_PERMISSION, UNKNOWN_APP].contains(&c)
            }),
            Guard::Session => {
                answer.status == 401
                    || answer.status == 403
                        && answer.body.pointer("/errors/0/code") == Some(&json!(0))
            }
            _ => answer.status == 401,
        };
        if refused || answer.status >= 500 || (op.live && answer.status != 101) {
            let _ = writeln!(
                failures,
                "{} with valid credentials: HTTP {} {}",
                op.label(),
                answer.status,
                answer.body
            );
        }
    }
    assert!(
        failures.is_empty(),
        "valid credentials refused (so the refusals prove nothing):\n{failures}"
    );
    drop(fx.env);
    (operations.len(), pairs)
}

#[tokio::test]
async fn friends_operations_refuse_missing_forged_and_foreign_sessions() {
    let (operations, pairs) = refuse_bad_credentials("friends").await;
    assert!(operations >= 19, "only {operations} non-public operations");
    assert!(pairs >= 116, "only {pairs} (operation, credentials) pairs");
}

#[tokio::test]
async fn contacts_operations_refuse_missing_forged_and_foreign_sessions() {
    let (operations, pairs) = refuse_bad_credentials("contacts").await;
    assert!(operations >= 3, "only {operations} non-public operations");
    assert!(pairs >= 19, "only {pairs} (operation, credentials) pairs");
}

#[tokio::test]
async fn social_friends_operations_refuse_bad_player_and_server_credentials() {
    let (operations, pairs) = refuse_bad_credentials("social-friends").await;
    assert!(operations >= 22, "only {operations} non-public operations");
    assert!(pairs >= 135, "only {pairs} (operation, credentials) pairs");
}

#[tokio::test]
async fn party_operations_refuse_bad_player_and_server_credentials() {
    let (operations, pairs) = refuse_bad_credentials("party").await;
    assert!(operations >= 19, "only {operations} non-public operations");
    assert!(pairs >= 119, "only {pairs} (operation, credentials) pairs");
}

#[tokio::test]
async fn roster_operations_refuse_bad_tokens_and_app_ids_with_their_business_codes() {
    let (operations, pairs) = refuse_bad_credentials("roster").await;
    assert!(operations >= 22, "only {operations} non-public operations");
    assert!(pairs >= 259, "only {pairs} (operation, credentials) pairs");
}

#[tokio::test]
async fn public_operations_answer_without_credentials() {
    let fx = Fixture::new().await;
    let mut failures = String::new();
    let mut public = 0;
    for service in social_stub::SERVICES {
        let doc = Document::load(service.spec_name);
        for op in doc
            .operations()
            .into_iter()
            .filter(|op| op.guard == Guard::Public)
        {
            public += 1;
            let prepared = fx.prepare(&doc, &op);
            // A CSRF token is no credential: mutating Roblox calls need one, anonymous too.
            let csrf = || ("x-csrf-token", fx.anonymous_csrf.clone());
            let mut without: Vec<(&'static str, String)> = Vec::new();
            let mut forged = vec![("cookie", ".ROBLOSECURITY=forged-session".to_owned())];
            if op.mutating() {
                without.push(csrf());
                forged.push(csrf());
            }
            let documented: Vec<u16> = op.def["responses"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(status, _)| status.parse().ok())
                .filter(|s| (200..300).contains(s))
                .collect();
            for (label, headers) in [("no credentials", without), ("a forged cookie", forged)] {
                let answer = fx.send(&prepared, &headers).await;
                if !documented.contains(&answer.status) {
                    let _ = writeln!(
                        failures,
                        "{} with {label}: HTTP {} {}, not the documented {documented:?}",
                        op.label(),
                        answer.status,
                        answer.body
                    );
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "public operations refused:\n{failures}"
    );
    assert!(public >= 10, "only {public} public operations");
}
