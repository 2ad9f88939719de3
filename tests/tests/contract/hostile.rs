//! Hostile input against every operation of every document (issue 8): malformed, truncated,
//! oversized, deeply nested and non-UTF-8 bodies, wrong and missing content types, huge
//! arrays, integer overflow in ids, negative and absurd limits, forged cursors, unknown enum
//! values, duplicate query keys, header injection, lying `Content-Length`s, wrong methods and
//! unknown routes.
//!
//! Nothing here lists routes by hand: the operations, their parameters, bodies, documented
//! responses and error codes all come from the documents the stub embeds
//! (`social_stub::SERVICES`), read through its spec index (`social_stub::spec`). Every request carries valid credentials and otherwise valid
//! input (real ids from a seeded world), so exactly one thing is wrong with it, and it goes
//! out over a raw `TcpStream`, byte for byte, so nothing in between tidies it up.
//!
//! Each answer must be the documented one for its kind of problem: the operation's own
//! documented `400` (roster: HTTP 200 with business code 10002) for bad input, its `401`
//! (roster 10008, 40000) for credentials that are not text, and for all routes what
//! `server-stub/README.md` ("Hostile input") documents: `404` for an unknown route, `405`
//! with `Allow` for a wrong method, and a bare `400` from the HTTP layer for a request that is
//! not valid HTTP/1.1. Every answer comes within a hang detector's timeout, no answer is a
//! `5xx`, and the world's state is the same before and after the whole run.

use base64::Engine;
use contract_tests::env::Env;
use futures::StreamExt;
use serde_json::{Map, Value, json};
use social_stub::Service;
use social_stub::control::WorldHandle;
use social_stub::spec::{self, Location, OperationSpec};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// No single answer may take longer than this (a hang detector, not a performance bound).
const HANG: Duration = Duration::from_secs(5);
/// How many hostile requests are in flight at once.
const CONCURRENCY: usize = 8;
/// The suite may not silently shrink below this many (operation, variant) pairs.
const FLOOR: usize = 3000;
/// The stub reads bodies up to 64 KiB (`social_stub::http::BODY_LIMIT`).
const BODY_LIMIT: usize = social_stub::http::BODY_LIMIT;
/// The game-server id the seeded worlds register.
const SERVER_ID: &str = "hostile-server";
/// A marker for raw JSON number text that `serde_json::Value` cannot hold.
const RAW: &str = "@@raw:";

// ---------------------------------------------------------------------------------------
// The documents
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Friends, Contacts: `{"errors":[{"code","message"}]}`.
    Roblox,
    /// Roster: HTTP 200 `{code, data, message}`.
    Roster,
    /// Social friends, party: `{"error","message"}`.
    Social,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Credentials {
    /// `security: []`.
    Public,
    /// `.ROBLOSECURITY` cookie (and the CSRF token on POST).
    Cookie,
    /// Roster `access-token` and `app_id`.
    RosterToken,
    /// `Authorization: Bearer <player token>`.
    Player,
    /// `Authorization: Bearer <server secret>` and `X-Server-Id`.
    Server,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loc {
    Path,
    Query,
    Header,
}

impl Loc {
    /// The parameter's `in`.
    fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
        }
    }
}

#[derive(Debug, Clone)]
struct Param {
    name: String,
    loc: Loc,
    required: bool,
    schema: Value,
    /// `x-sdk-injected`: set by the SDK from its configuration (credentials, server id).
    injected: bool,
    x_limit: Option<Value>,
}

#[derive(Debug, Clone)]
struct Op {
    service: &'static Service,
    kind: Kind,
    id: String,
    method: String,
    path: String,
    /// Every method the path declares (for the wrong-method variant).
    path_methods: Vec<String>,
    params: Vec<Param>,
    body: Option<Value>,
    body_required: bool,
    responses: Map<String, Value>,
    credentials: Credentials,
    live: bool,
    /// Roster: the operation's `x-business-codes`.
    business_codes: Vec<i64>,
    cursor: Option<String>,
    /// `x-cursor.next`: the answer's field with the next page's cursor.
    cursor_next: Option<String>,
}

impl Op {
    fn name(&self) -> String {
        format!("{}.{}", self.service.spec_name, self.id)
    }

    fn documents(&self, status: u16) -> bool {
        self.responses.contains_key(&status.to_string())
    }

    /// The `x-error-codes` entries of one documented response.
    fn error_codes(&self, status: u16) -> Vec<Value> {
        self.responses
            .get(&status.to_string())
            .and_then(|r| r.get("x-error-codes"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    /// Whether bad input has a documented answer: `400`, or a roster business code.
    fn answers_bad_input(&self) -> bool {
        self.kind == Kind::Roster || self.documents(400)
    }
}

/// Every operation of every document the stub serves, from the stub's spec index (`$ref`s
/// resolved), in document order: document, path, then `get`, `put`, `post`, `delete`,
/// `patch`.
fn operations() -> Vec<Op> {
    const METHODS: [&str; 5] = ["GET", "PUT", "POST", "DELETE", "PATCH"];
    let position = |spec: &str| {
        social_stub::SERVICES
            .iter()
            .position(|s| s.spec_name == spec)
            .unwrap_or_else(|| panic!("{spec} is not a document the stub serves"))
    };
    let method_position = |method: &str| {
        METHODS
            .iter()
            .position(|m| *m == method)
            .unwrap_or_else(|| panic!("method {method}"))
    };
    let mut index: Vec<&'static OperationSpec> = spec::operations().collect();
    index.sort_by_key(|op| {
        (
            position(op.spec),
            op.path.as_str(),
            method_position(&op.method),
        )
    });
    index
        .iter()
        .map(|op| {
            let service = &social_stub::SERVICES[position(op.spec)];
            let doc = spec::document(op.spec).expect("the document of an indexed operation");
            let kind = match op.spec {
                "friends" | "contacts" => Kind::Roblox,
                "roster" => Kind::Roster,
                _ => Kind::Social,
            };
            let path_methods: Vec<String> = index
                .iter()
                .filter(|other| other.spec == op.spec && other.path == op.path)
                .map(|other| other.method.clone())
                .collect();
            // The index's parameters lack `x-limit`: read it from the operation itself
            // (the documents declare no path-level parameters).
            let declared = op.raw["parameters"].as_array().cloned().unwrap_or_default();
            let params: Vec<Param> = op
                .params
                .iter()
                .map(|p| {
                    let loc = match p.location {
                        Location::Path => Loc::Path,
                        Location::Query => Loc::Query,
                        Location::Header => Loc::Header,
                    };
                    let x_limit = declared
                        .iter()
                        .find(|d| d["name"] == p.name.as_str() && d["in"] == loc.as_str())
                        .unwrap_or_else(|| panic!("{}: parameter {} is declared", op.id, p.name))
                        .get("x-limit")
                        .cloned();
                    Param {
                        name: p.name.clone(),
                        loc,
                        required: p.required,
                        schema: p.schema.clone(),
                        injected: p.injected,
                        x_limit,
                    }
                })
                .collect();
            assert_eq!(
                params.len(),
                declared.len(),
                "{}: every parameter is in a path, the query or a header",
                op.id
            );
            let body = op.body.as_ref().map(|(_, schema)| {
                assert!(!schema.is_null(), "{}: JSON request body", op.id);
                schema.clone()
            });
            let body_required = op.body.as_ref().is_some_and(|(required, _)| *required);
            let security = op.raw.get("security").or_else(|| doc.get("security"));
            let schemes: Vec<String> = security
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .flat_map(|r| r.keys().cloned())
                .collect();
            let credentials = if schemes.is_empty() {
                Credentials::Public
            } else if schemes.iter().any(|s| s == "serverSecret") {
                Credentials::Server
            } else if schemes.iter().any(|s| s == "playerBearer") {
                Credentials::Player
            } else if schemes.iter().any(|s| s == "accessToken") {
                Credentials::RosterToken
            } else if schemes
                .iter()
                .any(|s| s == "roblosecurityCookie" || s == "bearerAuth")
            {
                Credentials::Cookie
            } else {
                panic!("unknown security schemes {schemes:?}")
            };
            let responses = op.raw["responses"].as_object().cloned().expect("responses");
            let cursor = op
                .raw
                .pointer("/x-cursor/param")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| {
                    params
                        .iter()
                        .find(|p| p.name == "cursor")
                        .map(|p| p.name.clone())
                });
            Op {
                service,
                kind,
                id: op.id.clone(),
                method: op.method.clone(),
                path: op.path.clone(),
                path_methods,
                params,
                body,
                body_required,
                responses,
                credentials,
                live: op.raw.get("x-dropshot-websocket").is_some(),
                business_codes: op.raw["x-business-codes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_i64)
                    .collect(),
                cursor,
                cursor_next: op
                    .raw
                    .pointer("/x-cursor/next")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// The seeded world
// ---------------------------------------------------------------------------------------

/// Real ids and credentials of one seeded world.
#[derive(Debug, Clone)]
struct Seed {
    /// `/w/{world}`.
    prefix: String,
    cookie: String,
    csrf: String,
    /// Alice's friend, and a user who asked Alice to be friends.
    roblox_friend: i64,
    roblox_requester: i64,
    roster_app: String,
    roster_token: String,
    roster_self: i64,
    roster_friend: i64,
    roster_applicant: i64,
    player_token: String,
    player_self: String,
    player_friend: String,
    player_blocked: String,
    /// A pending friend request to the caller.
    request_id: String,
    /// A party that invited the caller.
    inviting_party: String,
}

async fn post_json(
    http: &reqwest::Client,
    url: String,
    headers: &[(&str, &str)],
    body: Value,
) -> Value {
    let mut request = http.post(&url).json(&body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("seed request sent");
    let status = response.status();
    let text = response.text().await.expect("seed answer");
    assert!(status.is_success(), "seeding {url}: {status} {text}");
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("seed answer is JSON")
    }
}

/// Users with friends, follows and a pending request (Roblox), a roster app with a friend and
/// a pending application, players with a friend, a block, a pending request, a party each and
/// an invite, and a registered game server.
async fn seed(world: &WorldHandle) -> Seed {
    let http = reqwest::Client::new();
    let base = world
        .service_url("friends")
        .strip_suffix("/friends")
        .expect("world base")
        .to_owned();
    let prefix = base[base.find("/w/").expect("world prefix")..].to_owned();

    // Roblox.
    let alice = world.create_roblox_user("alice").await.expect("alice");
    let bob = world.create_roblox_user("bob").await.expect("bob");
    let carol = world.create_roblox_user("carol").await.expect("carol");
    let dave = world.create_roblox_user("dave").await.expect("dave");
    world
        .befriend(alice.user.id, bob.user.id, true)
        .await
        .expect("befriend");
    world
        .follow(carol.user.id, alice.user.id)
        .await
        .expect("follow");
    world
        .follow(alice.user.id, carol.user.id)
        .await
        .expect("follow");
    // Second pages everywhere: Bob (whose lists the path ids name) has two friends, eleven
    // followers and followings; Alice has two friend requests.
    let frank = world.create_roblox_user("frank").await.expect("frank");
    world
        .befriend(bob.user.id, frank.user.id, false)
        .await
        .expect("befriend");
    for i in 0..11 {
        let fan = world
            .create_roblox_user(&format!("fan{i:02}"))
            .await
            .expect("fan");
        world
            .follow(fan.user.id, bob.user.id)
            .await
            .expect("follow");
        world
            .follow(bob.user.id, fan.user.id)
            .await
            .expect("follow");
    }
    let erin = world.create_roblox_user("erin").await.expect("erin");
    for asker in [&dave, &erin] {
        let csrf = world.csrf_token(&asker.cookie).await.expect("csrf");
        post_json(
            &http,
            format!(
                "{base}/friends/v1/users/{}/request-friendship",
                alice.user.id
            ),
            &[
                ("cookie", &format!(".ROBLOSECURITY={}", asker.cookie)),
                ("x-csrf-token", &csrf),
            ],
            json!({}),
        )
        .await;
    }
    let csrf = world.csrf_token(&alice.cookie).await.expect("csrf");

    // Roster.
    let app = world.create_roster_app().await.expect("roster app");
    let me = world
        .create_roster_user(
            &app.app_id,
            json!({"username": "rose", "mobile": "13800000001", "authMode": 1}),
        )
        .await
        .expect("roster user");
    let friend = world
        .create_roster_user(
            &app.app_id,
            json!({"username": "remy", "mobile": "13800000002"}),
        )
        .await
        .expect("roster user");
    let applicant = world
        .create_roster_user(&app.app_id, json!({"username": "rita"}))
        .await
        .expect("roster user");
    let second_friend = world
        .create_roster_user(&app.app_id, json!({"username": "rick"}))
        .await
        .expect("roster user");
    let second_applicant = world
        .create_roster_user(&app.app_id, json!({"username": "ruth"}))
        .await
        .expect("roster user");
    for friend in [&friend, &second_friend] {
        world
            .roster_befriend(&app.app_id, me.user.id, friend.user.id)
            .await
            .expect("roster friends");
    }
    for applicant in [&applicant, &second_applicant] {
        let applied = post_json(
            &http,
            format!("{base}/roster/roster/apply"),
            &[("access-token", &applicant.token), ("app_id", &app.app_id)],
            json!({"user_id": me.user.id, "reason": "hi"}),
        )
        .await;
        assert_eq!(applied["code"], 200, "roster application: {applied}");
    }

    // Social friends and party.
    let mut players = Vec::new();
    for name in ["Hana", "Ivo", "Jun", "Kai", "Lea"] {
        players.push(
            world
                .create_player(json!({"name": name}))
                .await
                .expect("player"),
        );
    }
    let [me_p, friend_p, asker, blocked, leader] = &players[..] else {
        unreachable!()
    };
    let bearer = |token: &str| format!("Bearer {token}");
    let social = format!("{base}/social/v1/social/friends");
    let request = post_json(
        &http,
        format!("{social}/requests"),
        &[("authorization", &bearer(&friend_p.token))],
        json!({"targetId": me_p.id}),
    )
    .await;
    let accept = format!(
        "{social}/requests/{}/accept",
        request["id"].as_str().expect("request id")
    );
    post_json(
        &http,
        accept,
        &[("authorization", &bearer(&me_p.token))],
        json!({}),
    )
    .await;
    let pending = post_json(
        &http,
        format!("{social}/requests"),
        &[("authorization", &bearer(&asker.token))],
        json!({"targetId": me_p.id, "note": "hello"}),
    )
    .await;
    post_json(
        &http,
        format!("{social}/blocks"),
        &[("authorization", &bearer(&me_p.token))],
        json!({"targetId": blocked.id, "reason": "spam"}),
    )
    .await;
    let party = format!("{base}/party/v1/social/party");
    post_json(
        &http,
        party.clone(),
        &[("authorization", &bearer(&me_p.token))],
        json!({}),
    )
    .await;
    post_json(
        &http,
        party.clone(),
        &[("authorization", &bearer(&leader.token))],
        json!({}),
    )
    .await;
    let invite = post_json(
        &http,
        format!("{party}/invites"),
        &[("authorization", &bearer(&leader.token))],
        json!({"targetId": me_p.id}),
    )
    .await;
    world.register_server(SERVER_ID).await.expect("server");

    Seed {
        prefix,
        cookie: alice.cookie,
        csrf,
        roblox_friend: bob.user.id,
        roblox_requester: dave.user.id,
        roster_app: app.app_id,
        roster_token: me.token,
        roster_self: me.user.id,
        roster_friend: friend.user.id,
        roster_applicant: applicant.user.id,
        player_token: me_p.token.clone(),
        player_self: me_p.id.to_string(),
        player_friend: friend_p.id.to_string(),
        player_blocked: blocked.id.to_string(),
        request_id: pending["id"].as_str().expect("request id").to_owned(),
        inviting_party: invite["partyId"].as_str().expect("party id").to_owned(),
    }
}

// ---------------------------------------------------------------------------------------
// Valid-looking input
// ---------------------------------------------------------------------------------------

/// A valid value for a parameter or body field, by name and schema (real ids where the
/// operation looks them up).
fn sample(op: &Op, seed: &Seed, name: &str, schema: &Value, loc: Option<Loc>) -> Value {
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema[key].as_array().and_then(|b| b.first()) {
            return sample(op, seed, name, first, loc);
        }
    }
    match schema["type"].as_str() {
        Some("integer") => {
            if let Some(default) = schema.get("default") {
                return default.clone();
            }
            if schema["format"] == "int32" {
                return json!(schema["minimum"].as_i64().unwrap_or(1));
            }
            json!(match (op.kind, name, loc) {
                (Kind::Roblox, n, _) if n.contains("equester") => seed.roblox_requester,
                (Kind::Roblox, ..) => seed.roblox_friend,
                (Kind::Roster, "user_id", Some(Loc::Header)) => seed.roster_self,
                (Kind::Roster, "group_id", _) => 1,
                (Kind::Roster, _, _) if op.id.starts_with("decline") => seed.roster_applicant,
                (Kind::Roster, ..) => seed.roster_friend,
                (Kind::Social, ..) => 1,
            })
        }
        Some("number") => json!(1.5),
        Some("boolean") => json!(false),
        Some("string") => match schema["format"].as_str() {
            Some("uuid") => json!(match name {
                "actorId" | "playerIds" => seed.player_self.as_str(),
                "targetId" if loc == Some(Loc::Path) => seed.player_blocked.as_str(),
                "partyId" => seed.inviting_party.as_str(),
                _ => seed.player_friend.as_str(),
            }),
            Some("date-time") => json!("2024-01-01T00:00:00Z"),
            _ => json!(match (op.kind, name) {
                (Kind::Social, "id") => seed.request_id.as_str(),
                (Kind::Roster, "mobile") => "13800000002",
                (Kind::Roster, "username") => "remy",
                _ => "hostile-suite",
            }),
        },
        Some("array") => {
            let item = sample(op, seed, name, &schema["items"], loc);
            let count = schema["minItems"].as_u64().unwrap_or(1).max(1);
            Value::Array(vec![item; count as usize])
        }
        Some("object") | None if schema.get("properties").is_some() => {
            let mut map = Map::new();
            for (field, property) in schema["properties"].as_object().into_iter().flatten() {
                map.insert(field.clone(), sample(op, seed, field, property, None));
            }
            Value::Object(map)
        }
        Some("object") => json!({}),
        _ => json!("hostile-suite"),
    }
}

/// A scalar as query/path/header text.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// JSON text, with `"@@raw:X"` strings replaced by the raw text `X` (numbers no
/// `serde_json::Value` can hold).
fn json_bytes(value: &Value) -> Vec<u8> {
    let mut text = serde_json::to_string(value).expect("JSON");
    while let Some(start) = text.find(&format!("\"{RAW}")) {
        let end = text[start + 1..].find('"').expect("closing quote") + start + 1;
        let raw = text[start + 1 + RAW.len()..end].to_owned();
        text.replace_range(start..=end, &raw);
    }
    text.into_bytes()
}

fn raw_number(text: &str) -> Value {
    json!(format!("{RAW}{text}"))
}

/// Whether an integer fits a parameter's schema and its `x-limit`.
fn int_is_valid(value: i128, schema: &Value, x_limit: Option<&Value>) -> bool {
    let range = match schema["format"].as_str() {
        Some("int32") => (i128::from(i32::MIN), i128::from(i32::MAX)),
        _ => (i128::from(i64::MIN), i128::from(i64::MAX)),
    };
    if value < range.0 || value > range.1 {
        return false;
    }
    if let Some(options) = schema["enum"].as_array()
        && !options
            .iter()
            .any(|o| o.as_i64().map(i128::from) == Some(value))
    {
        return false;
    }
    for bounds in [Some(schema), x_limit].into_iter().flatten() {
        if bounds["minimum"]
            .as_i64()
            .is_some_and(|m| value < i128::from(m))
            || bounds["maximum"]
                .as_i64()
                .is_some_and(|m| value > i128::from(m))
        {
            return false;
        }
    }
    true
}

// ---------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------

/// The answer a hostile request must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// The operation's documented bad-input answer: `400` (roster: business code 10002).
    Input,
    /// The operation's documented credentials answer: `401`.
    Credentials,
    /// A roster business code.
    Business(i64),
    /// `404` `{"error": "NOT_FOUND"}` (README: unknown route).
    NotFound,
    /// `405` with `Allow` (README: wrong method).
    MethodNotAllowed,
    /// A bare `400` from the HTTP layer (README: not valid HTTP/1.1).
    Unparsable,
}

/// One request, built from an operation's valid request and changed in one way.
#[derive(Debug, Clone)]
struct Probe {
    op: usize,
    variant: String,
    expect: Expect,
    method: String,
    /// Path parameter values, already percent-encoded (raw bytes may be anything).
    path: BTreeMap<String, Vec<u8>>,
    /// Appended to the path (unknown route).
    suffix: Vec<u8>,
    /// Query pairs, already percent-encoded.
    query: Vec<(String, Vec<u8>)>,
    headers: Vec<(String, Vec<u8>)>,
    /// Raw header lines (each ending in CRLF), sent as-is.
    raw_lines: Vec<u8>,
    body: Option<Vec<u8>>,
    /// `Content-Length` to claim instead of the body's length.
    claimed_length: Option<usize>,
    /// Send the body with `Transfer-Encoding: chunked` (already framed).
    chunked: bool,
    /// Close the write half after sending (the body never completes).
    half_close: bool,
    /// Send no `Content-Length` of our own (the raw lines carry one).
    omit_length: bool,
}

impl Probe {
    fn with(&self, variant: impl Into<String>, expect: Expect) -> Self {
        Self {
            variant: variant.into(),
            expect,
            ..self.clone()
        }
    }

    fn set_header(&mut self, name: &str, value: Vec<u8>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value));
    }

    fn set_query(&mut self, name: &str, values: Vec<Vec<u8>>) {
        self.query.retain(|(n, _)| n != name);
        for value in values {
            self.query.push((name.to_owned(), value));
        }
    }

    fn render(&self, ops: &[Op], seed: &Seed, host: SocketAddr) -> Vec<u8> {
        let op = &ops[self.op];
        let mut target = format!("{}{}", seed.prefix, op.service.prefix).into_bytes();
        let mut rest = op.path.as_str();
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').expect("closing brace") + open;
            target.extend_from_slice(&rest.as_bytes()[..open]);
            let value = self
                .path
                .get(&rest[open + 1..close])
                .expect("every path parameter is filled");
            target.extend_from_slice(value);
            rest = &rest[close + 1..];
        }
        target.extend_from_slice(rest.as_bytes());
        target.extend_from_slice(&self.suffix);
        for (i, (name, value)) in self.query.iter().enumerate() {
            target.push(if i == 0 { b'?' } else { b'&' });
            target.extend_from_slice(name.as_bytes());
            target.push(b'=');
            target.extend_from_slice(value);
        }
        let mut out = Vec::new();
        out.extend_from_slice(self.method.as_bytes());
        out.push(b' ');
        out.extend_from_slice(&target);
        let _ = write!(ByteWriter(&mut out), " HTTP/1.1\r\nHost: {host}\r\n");
        if !op.live {
            out.extend_from_slice(b"Connection: close\r\n");
        }
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        let body = self.body.as_deref().unwrap_or_default();
        if self.chunked {
            out.extend_from_slice(b"Transfer-Encoding: chunked\r\n");
        } else if !self.omit_length && (self.body.is_some() || self.method != "GET") {
            let length = self.claimed_length.unwrap_or(body.len());
            let _ = write!(ByteWriter(&mut out), "Content-Length: {length}\r\n");
        }
        out.extend_from_slice(&self.raw_lines);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body);
        out
    }
}

struct ByteWriter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for ByteWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// The valid request of an operation: credentials, path parameters, required parameters and
/// (where it takes one) a body, all filled with real values of the seeded world.
fn valid_probe(index: usize, op: &Op, seed: &Seed) -> Probe {
    let mut probe = Probe {
        op: index,
        variant: "valid".into(),
        expect: Expect::Input,
        method: op.method.clone(),
        path: BTreeMap::new(),
        suffix: Vec::new(),
        query: Vec::new(),
        headers: Vec::new(),
        raw_lines: Vec::new(),
        body: None,
        claimed_length: None,
        chunked: false,
        half_close: false,
        omit_length: false,
    };
    for param in op.params.iter().filter(|p| !p.injected) {
        let value = sample(op, seed, &param.name, &param.schema, Some(param.loc));
        match param.loc {
            Loc::Path => {
                probe
                    .path
                    .insert(param.name.clone(), text(&value).into_bytes());
            }
            Loc::Query if param.required => {
                probe.set_query(&param.name, vec![text(&value).into_bytes()]);
            }
            Loc::Header if param.required => {
                probe.set_header(&param.name, text(&value).into_bytes());
            }
            _ => {}
        }
    }
    match op.kind {
        Kind::Roblox => {
            probe.set_header(
                "Cookie",
                format!(".ROBLOSECURITY={}", seed.cookie).into_bytes(),
            );
            if op.method == "POST" {
                probe.set_header("x-csrf-token", seed.csrf.clone().into_bytes());
            }
        }
        Kind::Roster => {
            probe.set_header("access-token", seed.roster_token.clone().into_bytes());
            probe.set_header("app_id", seed.roster_app.clone().into_bytes());
        }
        Kind::Social if op.credentials == Credentials::Server => {
            probe.set_header("Authorization", b"Bearer stub-server-secret".to_vec());
            probe.set_header("X-Server-Id", SERVER_ID.as_bytes().to_vec());
        }
        Kind::Social => {
            probe.set_header(
                "Authorization",
                format!("Bearer {}", seed.player_token).into_bytes(),
            );
        }
    }
    if op.live {
        probe.set_header("Connection", b"Upgrade".to_vec());
        probe.set_header("Upgrade", b"websocket".to_vec());
        probe.set_header("Sec-WebSocket-Version", b"13".to_vec());
        probe.set_header("Sec-WebSocket-Key", b"dGhlIHNhbXBsZSBub25jZQ==".to_vec());
    }
    if let Some(schema) = &op.body {
        probe.set_header("Content-Type", b"application/json".to_vec());
        probe.body = Some(json_bytes(&sample(op, seed, "", schema, None)));
    }
    probe
}

// ---------------------------------------------------------------------------------------
// The hostile variants
// ---------------------------------------------------------------------------------------

/// Integer texts no `int64` parameter accepts (percent-encoded where needed).
const NOT_INT64: &[&str] = &[
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999999",
    "1e3",
    "0x1F",
    "1.0",
    "%201",
    "%EF%BC%91",
    "abc",
    "%00",
    "%FF%FE",
    "1%0D%0AX-Injected:%20yes",
];

/// Forged cursors.
fn forged_cursors() -> Vec<String> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = b64.encode(br#"{"world":"default","list":"x","after":0,"sort":"Asc"}"#);
    vec![
        "garbage".into(),
        "AAAA.BBBB".into(),
        format!("{payload}.{}", b64.encode([0u8; 32])),
        payload,
        "%FF%FE".into(),
        "A".repeat(8 * 1024),
        "x%0D%0AX-Injected:%20yes".into(),
        "..%2F..%2F__stub%2Fworlds".into(),
    ]
}

/// Real cursors, one per paged operation: the first page's at the smallest valid `limit`.
#[derive(Debug, Default)]
struct Cursors {
    /// From the world under attack (read before its state is taken).
    own: BTreeMap<usize, String>,
    /// From the twin world.
    twin: BTreeMap<usize, String>,
}

async fn harvest(ops: &[Op], seed: &Seed, addr: SocketAddr) -> BTreeMap<usize, String> {
    let mut cursors = BTreeMap::new();
    for (index, op) in ops.iter().enumerate() {
        let Some(next) = &op.cursor_next else {
            continue;
        };
        let mut probe = valid_probe(index, op, seed);
        if let Some(limit) = op.params.iter().find(|p| p.name == "limit") {
            let smallest = (1..=100)
                .find(|v| int_is_valid(*v, &limit.schema, limit.x_limit.as_ref()))
                .expect("some limit is valid");
            probe.set_query("limit", vec![smallest.to_string().into_bytes()]);
        }
        let request = probe.render(ops, seed, addr);
        let answer = tokio::time::timeout(HANG, exchange(addr, &request, false))
            .await
            .expect("a first page within the hang timeout")
            .expect("a first page");
        let body = answer.json().expect("a JSON page");
        let cursor = body[next.as_str()]
            .as_str()
            .unwrap_or_else(|| panic!("{}: the seeded world has a second page: {body}", op.name()));
        cursors.insert(index, cursor.to_owned());
    }
    cursors
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte);
        } else {
            let _ = write!(ByteWriter(&mut out), "%{byte:02X}");
        }
    }
    out
}

/// A real cursor with one character changed at `at` (from the end when negative).
fn altered(cursor: &str, at: isize) -> String {
    let mut chars: Vec<char> = cursor.chars().collect();
    let i = if at < 0 {
        chars.len() - at.unsigned_abs()
    } else {
        at as usize
    };
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

/// Replayed real cursors: another world's, another list's, altered ones, and one used with
/// the other sort order.
fn replayed_cursors(
    ops: &[Op],
    index: usize,
    name: &str,
    valid: &Probe,
    cursors: &Cursors,
    out: &mut Vec<Probe>,
) {
    let op = &ops[index];
    let with_cursor = |label: String, cursor: &str| {
        let mut probe = valid.with(format!("query {name}: {label}"), Expect::Input);
        probe.set_query(name, vec![encode(cursor)]);
        probe
    };
    let own = cursors
        .own
        .get(&index)
        .expect("every paged operation has a cursor");
    let twin = cursors.twin.get(&index).expect("and one in the twin world");
    out.push(with_cursor("real cursor of another world".into(), twin));
    out.push(with_cursor(
        "real cursor, first character altered".into(),
        &altered(own, 0),
    ));
    out.push(with_cursor(
        "real cursor, last character altered".into(),
        &altered(own, -1),
    ));
    out.push(with_cursor(
        "real cursor, truncated".into(),
        &own[..own.len() / 2],
    ));
    for (other, cursor) in &cursors.own {
        if *other != index && ops[*other].service.spec_name == op.service.spec_name {
            out.push(with_cursor(
                format!("real cursor of {}", ops[*other].id),
                cursor,
            ));
        }
    }
    // Cursors are bound to the sort (README, Paging): one from the default order is refused
    // in every other. (`userSort` does not change the order of `find`/`search`, and
    // `friendRequestSort` does not change the order of requests, so those are not sorts.)
    for param in op.params.iter().filter(|p| p.name == "sortOrder") {
        let options = param.schema["enum"]
            .as_array()
            .expect("sortOrder is an enum");
        for option in options.iter().skip(1) {
            let mut probe =
                with_cursor(format!("real cursor, {} {}", param.name, text(option)), own);
            probe.set_query(&param.name, vec![text(option).into_bytes()]);
            out.push(probe);
        }
    }
}

fn variants(ops: &[Op], seed: &Seed, cursors: &Cursors) -> Vec<Probe> {
    let mut all = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        let valid = valid_probe(index, op, seed);
        universal(op, &valid, &mut all);
        credentials(op, &valid, &mut all);
        if op.live && !op.documents(400) {
            // `party_live` documents no input error: its `interval` is clamped or ignored,
            // never rejected (party.yaml, server-stub/README.md "Live streams").
            continue;
        }
        let has_input = op.body.is_some() || op.params.iter().any(|p| !p.injected);
        if has_input {
            assert!(
                op.answers_bad_input(),
                "{} takes input but documents no answer to bad input",
                op.name()
            );
        }
        for param in op.params.iter().filter(|p| !p.injected) {
            parameter(op, seed, &valid, param, &mut all);
            if op.cursor.as_deref() == Some(param.name.as_str()) && op.cursor_next.is_some() {
                replayed_cursors(ops, index, &param.name, &valid, cursors, &mut all);
            }
        }
        if let Some(schema) = &op.body {
            body(op, seed, &valid, schema, &mut all);
        }
    }
    all
}

/// What applies to every operation: a wrong method, an unknown route next to it, requests
/// that are not valid HTTP/1.1 (header injection with bare CR, obs-fold, NUL, a non-ASCII
/// request target, a bad `Content-Length`).
fn universal(op: &Op, valid: &Probe, out: &mut Vec<Probe>) {
    let wrong = ["DELETE", "PATCH", "PUT", "POST", "GET"]
        .into_iter()
        .find(|m| !op.path_methods.iter().any(|p| p == m))
        .expect("some method is not declared");
    let mut probe = valid.with(format!("wrong method {wrong}"), Expect::MethodNotAllowed);
    probe.method = wrong.into();
    out.push(probe);

    let mut probe = valid.with("unknown route below it", Expect::NotFound);
    probe.suffix = b"/hostile/no/such/route".to_vec();
    out.push(probe);

    let mut probe = valid.with("unknown route: path not UTF-8", Expect::NotFound);
    probe.suffix = b"/hostile/%FF%FE/no/such/route".to_vec();
    out.push(probe);

    for (variant, line) in [
        (
            "header injection: bare CR",
            &b"X-Hostile: a\rX-Injected: yes\r\n"[..],
        ),
        (
            "header injection: obs-fold",
            b"X-Hostile: a\r\n X-Injected: yes\r\n",
        ),
        ("header value with NUL", b"X-Hostile: a\0b\r\n"),
        ("header name with space", b"X Hostile: a\r\n"),
    ] {
        let mut probe = valid.with(variant, Expect::Unparsable);
        probe.raw_lines = line.to_vec();
        out.push(probe);
    }
    for (variant, lines) in [
        (
            "Content-Length not a number",
            &b"Content-Length: abc\r\n"[..],
        ),
        ("Content-Length negative", b"Content-Length: -1\r\n"),
        (
            "two different Content-Lengths",
            b"Content-Length: 1\r\nContent-Length: 2\r\n",
        ),
    ] {
        let mut probe = valid.with(variant, Expect::Unparsable);
        probe.raw_lines = lines.to_vec();
        probe.body = None;
        probe.omit_length = true;
        out.push(probe);
    }
    let mut probe = valid.with("request target not ASCII", Expect::Unparsable);
    probe.suffix = b"/\xff\xfe".to_vec();
    out.push(probe);
}

/// Credentials that are not text.
fn credentials(op: &Op, valid: &Probe, out: &mut Vec<Probe>) {
    let garbage = b"\xff\xfe\x80".to_vec();
    match op.credentials {
        Credentials::Public => {}
        Credentials::Cookie => {
            let mut probe = valid.with("session cookie not UTF-8", Expect::Credentials);
            let mut cookie = b".ROBLOSECURITY=".to_vec();
            cookie.extend_from_slice(&garbage);
            probe.set_header("Cookie", cookie);
            out.push(probe);
        }
        Credentials::RosterToken => {
            // Present but not text: an invalid token, not a missing one.
            let mut probe = valid.with("access-token not UTF-8", Expect::Business(10008));
            probe.set_header("access-token", garbage.clone());
            out.push(probe);
            let mut probe = valid.with("app_id not UTF-8", Expect::Business(40000));
            probe.set_header("app_id", garbage);
            out.push(probe);
        }
        Credentials::Player | Credentials::Server => {
            let mut probe = valid.with("bearer token not UTF-8", Expect::Credentials);
            let mut value = b"Bearer ".to_vec();
            value.extend_from_slice(&garbage);
            probe.set_header("Authorization", value);
            out.push(probe);
            if op.credentials == Credentials::Server {
                let mut probe = valid.with("X-Server-Id not UTF-8", Expect::Credentials);
                probe.set_header("X-Server-Id", garbage);
                out.push(probe);
            }
        }
    }
}

fn parameter(op: &Op, seed: &Seed, valid: &Probe, param: &Param, out: &mut Vec<Probe>) {
    let schema = &param.schema;
    let kind = schema["type"].as_str().unwrap_or("string");
    let name = &param.name;
    let mut bad: Vec<(String, Vec<u8>)> = Vec::new();
    let is_cursor = op.cursor.as_deref() == Some(name.as_str());
    if kind == "integer" {
        if op.live {
            // Live `interval`s are clamped, never rejected, when they are `int32`s at all.
            for text in [
                "2147483648",
                "-2147483649",
                "abc",
                "1.5",
                "1e3",
                "%FF%FE",
                "",
                "1%0D%0AX-Injected:%20yes",
            ] {
                bad.push((format!("not an integer {text:?}"), text.into()));
            }
        } else if name == "limit" {
            let candidates: [i128; 8] = [
                -1,
                0,
                101,
                1_000_000,
                2_147_483_647,
                2_147_483_648,
                -2_147_483_649,
                9_223_372_036_854_775_808,
            ];
            let invalid: Vec<i128> = candidates
                .into_iter()
                .filter(|v| !int_is_valid(*v, schema, param.x_limit.as_ref()))
                .collect();
            assert!(
                invalid.len() >= 4,
                "{}: `limit` documents no bounds (only {invalid:?} are invalid)",
                op.name()
            );
            for v in invalid {
                bad.push((format!("limit {v}"), v.to_string().into_bytes()));
            }
            bad.push(("limit not a number".into(), b"ten".to_vec()));
        } else {
            for text in NOT_INT64 {
                if param.loc == Loc::Header && text.contains('%') {
                    continue; // headers are not percent-decoded
                }
                bad.push((format!("not an int64 {text:?}"), text.as_bytes().to_vec()));
            }
            if schema["format"] == "int32" {
                for v in [2_147_483_648i64, -2_147_483_649] {
                    bad.push((format!("int32 overflow {v}"), v.to_string().into_bytes()));
                }
            }
            if let Some(options) = schema["enum"].as_array() {
                let outside = (0..).find(|v| !options.contains(&json!(v))).expect("gap");
                for v in [outside, -1, 2_147_483_647] {
                    bad.push((
                        format!("unknown enum value {v}"),
                        v.to_string().into_bytes(),
                    ));
                }
            }
        }
    } else if kind == "array" {
        let item = &schema["items"];
        let one = text(&sample(op, seed, name, item, Some(param.loc)));
        let mut huge = vec![one.clone(); 6000].join(",");
        huge.push_str(",x");
        bad.push(("huge array with a bad item".into(), huge.into_bytes()));
        for text in ["9223372036854775808", "abc", "%FF%FE"] {
            bad.push((
                format!("bad item {text:?}"),
                format!("{one},{text}").into_bytes(),
            ));
        }
    } else if let Some(options) = schema["enum"].as_array() {
        let lowered = options[0].as_str().unwrap_or("x").to_lowercase();
        for text in ["NotAKnownValue", "", "%FF%FE", &lowered] {
            if options.contains(&json!(text)) {
                continue;
            }
            bad.push((
                format!("unknown enum value {text:?}"),
                text.as_bytes().to_vec(),
            ));
        }
    } else if schema["format"] == "uuid" {
        for text in [
            "not-a-uuid",
            "00000000-0000-0000-0000-00000000000g",
            "%FF%FE",
            "..%2F..%2F__stub",
            "x%0D%0AX-Injected:%20yes",
        ] {
            bad.push((format!("not a uuid {text:?}"), text.as_bytes().to_vec()));
        }
    } else if is_cursor {
        for cursor in forged_cursors() {
            let label = format!("forged cursor {:.24?}", cursor);
            bad.push((label, cursor.into_bytes()));
        }
    } else if op.kind == Kind::Social && param.loc == Loc::Path {
        // A friend request id: 24 hex digits (social-friends.yaml, RequestId).
        for text in [
            "zzzzzzzzzzzzzzzzzzzzzzzz",
            "0123456789abcdef012345678",
            "%FF%FE",
            "..%2F..%2F__stub",
        ] {
            bad.push((
                format!("not a request id {text:?}"),
                text.as_bytes().to_vec(),
            ));
        }
    }
    if kind == "string" && !op.live && param.loc == Loc::Query {
        // Any text is fine, but text it must be.
        if !bad.iter().any(|(_, v)| v.as_slice() == b"%FF%FE") {
            bad.push(("not UTF-8".into(), b"%FF%FE".to_vec()));
        }
    }
    if param.loc == Loc::Header {
        bad.push(("not UTF-8".into(), b"\xff\xfe".to_vec()));
    }
    let valid_value = text(&sample(op, seed, name, schema, Some(param.loc))).into_bytes();
    let place = |probe: &mut Probe, values: Vec<Vec<u8>>| match param.loc {
        Loc::Path => {
            probe.path.insert(name.clone(), values[0].clone());
        }
        Loc::Query => probe.set_query(name, values),
        Loc::Header => {
            probe.headers.retain(|(n, _)| n != name);
            for value in values {
                probe.headers.push((name.clone(), value));
            }
        }
    };
    let loc = match param.loc {
        Loc::Path => "path",
        Loc::Query => "query",
        Loc::Header => "header",
    };
    for (label, value) in bad {
        let mut probe = valid.with(format!("{loc} {name}: {label}"), Expect::Input);
        place(&mut probe, vec![value]);
        out.push(probe);
    }
    if param.loc != Loc::Path && kind != "array" {
        // Given twice (README: a scalar parameter given twice is invalid); for a header this
        // is what a CRLF smuggled into its value turns into.
        let mut probe = valid.with(format!("{loc} {name}: given twice"), Expect::Input);
        place(&mut probe, vec![valid_value.clone(), valid_value.clone()]);
        out.push(probe);
    }
    if param.required && param.loc == Loc::Query {
        let mut probe = valid.with(format!("{loc} {name}: missing"), Expect::Input);
        probe.query.retain(|(n, _)| n != name);
        out.push(probe);
    }
}

/// Every leaf of a body schema: `(JSON path, schema)`, nested objects included.
fn fields(schema: &Value, at: &[String], out: &mut Vec<(Vec<String>, Value)>) {
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let mut path = at.to_vec();
        path.push(name.clone());
        out.push((path.clone(), property.clone()));
        if property.get("properties").is_some() && path.len() < 4 {
            fields(property, &path, out);
        }
    }
}

fn set_at(value: &mut Value, path: &[String], new: Value) {
    let mut target = value;
    for key in &path[..path.len() - 1] {
        if !target[key.as_str()].is_object() {
            target[key.as_str()] = json!({});
        }
        target = &mut target[key.as_str()];
    }
    target[path[path.len() - 1].as_str()] = new;
}

fn body(op: &Op, seed: &Seed, valid: &Probe, schema: &Value, out: &mut Vec<Probe>) {
    let template = sample(op, seed, "", schema, None);
    let good = json_bytes(&template);
    let with_body = |label: String, bytes: Vec<u8>| {
        let mut probe = valid.with(format!("body: {label}"), Expect::Input);
        probe.body = Some(bytes);
        probe
    };
    for (label, bytes) in [
        ("malformed JSON `{\"a\":`", br#"{"a":"#.to_vec()),
        ("malformed JSON `{,}`", b"{,}".to_vec()),
        ("malformed JSON `nul`", b"nul".to_vec()),
        ("malformed JSON: leading zero", br#"{"n": 01}"#.to_vec()),
        (
            "malformed JSON: trailing garbage",
            [&good[..], b"}}"].concat(),
        ),
        ("malformed JSON: single quotes", b"{'a': 1}".to_vec()),
        ("truncated JSON", good[..good.len() / 2].to_vec()),
        ("JSON null", b"null".to_vec()),
        ("JSON string", br#""hostile""#.to_vec()),
        ("JSON number", b"42".to_vec()),
        ("JSON true", b"true".to_vec()),
        (
            "wrong top-level type",
            if schema["type"] == "array" {
                b"{}".to_vec()
            } else {
                b"[]".to_vec()
            },
        ),
        ("huge array of the wrong type", {
            let mut v = b"[0".to_vec();
            v.extend(std::iter::repeat_n(&b",0"[..], 10_000).flatten());
            v.push(b']');
            v
        }),
        ("deeply nested arrays", {
            let depth = 30_000;
            [vec![b'['; depth], vec![b']'; depth]].concat()
        }),
        ("deeply nested objects", {
            let depth = 10_000;
            let mut v = br#"{"a":"#.repeat(depth);
            v.push(b'1');
            v.extend(std::iter::repeat_n(b'}', depth));
            v
        }),
        ("just over the size limit", {
            let pad = "a".repeat(BODY_LIMIT);
            json_bytes(&json!({"pad": pad}))
        }),
        ("over the size limit (1 MiB)", {
            let pad = "a".repeat(1024 * 1024);
            json_bytes(&json!({"pad": pad}))
        }),
        ("not UTF-8", {
            let mut v = if schema["type"] == "array" {
                b"[".to_vec()
            } else {
                br#"{"hostile":"#.to_vec()
            };
            v.extend_from_slice(b"\"\xff\xfe\x80\"");
            let rest = &good[1..];
            if rest.len() > 1 {
                v.push(b',');
            }
            v.extend_from_slice(rest);
            v
        }),
        ("not UTF-8 at all", b"\xff\xfe\x00{\x00}".to_vec()),
    ] {
        out.push(with_body(label.to_owned(), bytes));
    }
    if op.body_required {
        out.push(with_body("empty".into(), Vec::new()));
        out.push(with_body("whitespace only".into(), b" \r\n\t ".to_vec()));
    }
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/jsonx"),
        Some("json"),
        Some("application/xml"),
        None,
    ] {
        let mut probe = valid.with(
            format!("body: content type {content_type:?}"),
            Expect::Input,
        );
        match content_type {
            Some(ct) => probe.set_header("Content-Type", ct.as_bytes().to_vec()),
            None => probe.headers.retain(|(n, _)| n != "Content-Type"),
        }
        out.push(probe);
    }
    let mut probe = valid.with("body: content type not UTF-8", Expect::Input);
    probe.set_header("Content-Type", b"application/\xffjson".to_vec());
    out.push(probe);

    // The body never completes: a lying Content-Length, or a chunk that never ends, and then
    // the client closes its side.
    let mut probe = valid.with("body: Content-Length larger than the body", Expect::Input);
    probe.claimed_length = Some(good.len() + 100);
    probe.half_close = true;
    out.push(probe);
    let mut probe = valid.with("body: chunked, cut off mid-chunk", Expect::Input);
    probe.chunked = true;
    let mut framed = format!("{:x}\r\n", good.len() + 100).into_bytes();
    framed.extend_from_slice(&good);
    probe.body = Some(framed);
    probe.half_close = true;
    out.push(probe);

    // One field at a time.
    let mut leaves = Vec::new();
    if schema["type"] == "array" {
        array_field(op, seed, valid, &template, &[], schema, out);
    } else {
        fields(schema, &[], &mut leaves);
    }
    for (path, field) in leaves {
        let dotted = path.join(".");
        let mut mutate = |label: String, value: Value| {
            let mut body = template.clone();
            set_at(&mut body, &path, value);
            let mut probe = valid.with(format!("body `{dotted}`: {label}"), Expect::Input);
            probe.body = Some(json_bytes(&body));
            out.push(probe);
        };
        let kind = field["type"].as_str();
        match kind {
            Some("integer") => {
                mutate("int64 overflow".into(), raw_number("9223372036854775808"));
                mutate("int64 underflow".into(), raw_number("-9223372036854775809"));
                mutate("huge".into(), raw_number("1e400"));
                mutate("fraction".into(), raw_number("1.5"));
                mutate("a string".into(), json!("1"));
                if field["format"] == "int32" {
                    mutate("int32 overflow".into(), json!(2_147_483_648i64));
                }
            }
            Some("boolean") => mutate("a string".into(), json!("true")),
            Some("string") => {
                mutate("a number".into(), json!(123));
                mutate("an object".into(), json!({"$ne": null}));
                if field["format"] == "uuid" {
                    mutate("not a uuid".into(), json!("not-a-uuid"));
                    mutate("header injection".into(), json!("x\r\nX-Injected: yes"));
                }
                if field.get("enum").is_some() {
                    mutate("unknown enum value".into(), json!("NOT_A_KNOWN_VALUE"));
                    mutate("enum value, wrong case".into(), {
                        let first = field["enum"][0].as_str().unwrap_or("x");
                        json!(first.to_lowercase())
                    });
                }
                if let Some(max) = field
                    .pointer("/x-limit/maxLength")
                    .and_then(Value::as_u64)
                    .filter(|_| field.pointer("/x-limit/errorCode").is_some())
                {
                    mutate(
                        format!("longer than x-limit {max}"),
                        json!("a".repeat(max as usize + 1)),
                    );
                }
            }
            Some("array") => {
                mutate("an object".into(), json!({}));
                array_field(op, seed, valid, &template, &path, &field, out);
            }
            Some("object") => mutate("an array".into(), json!([])),
            None if field.get("oneOf").is_some() => {
                mutate("no branch fits".into(), json!({"hostile": true}));
                mutate("int32 overflow".into(), json!(2_147_483_648i64));
            }
            _ => {}
        }
        if field.get("nullable") != Some(&json!(true))
            && (kind.is_some() || field.get("oneOf").is_some())
        {
            let mut body = template.clone();
            set_at(&mut body, &path, Value::Null);
            let mut probe = valid.with(format!("body `{dotted}`: null"), Expect::Input);
            probe.body = Some(json_bytes(&body));
            out.push(probe);
        }
    }
    for required in schema["required"].as_array().into_iter().flatten() {
        let name = required.as_str().expect("required name");
        let mut body = template.clone();
        body.as_object_mut().expect("object body").remove(name);
        let mut probe = valid.with(format!("body `{name}`: missing"), Expect::Input);
        probe.body = Some(json_bytes(&body));
        out.push(probe);
    }
}

/// Whether a schema rejects anything at all.
fn constrains(schema: &Value) -> bool {
    schema.as_object().is_some_and(|map| {
        ["type", "enum", "oneOf", "anyOf", "allOf", "properties"]
            .iter()
            .any(|key| map.contains_key(*key))
    })
}

/// A huge array in a body (at `path`; empty: the body itself): more items than a documented
/// limit allows, or, without one, thousands of valid items and one bad one at the end.
fn array_field(
    op: &Op,
    seed: &Seed,
    valid: &Probe,
    template: &Value,
    path: &[String],
    schema: &Value,
    out: &mut Vec<Probe>,
) {
    if !constrains(&schema["items"]) {
        return; // any item is valid (`items: {}`), and the body limit bounds how many
    }
    let item = sample(
        op,
        seed,
        path.last().map_or("", String::as_str),
        &schema["items"],
        None,
    );
    let item_len = json_bytes(&item).len() + 1;
    let limit = schema["maxItems"]
        .as_u64()
        .or_else(|| schema.pointer("/x-limit/maxItems").and_then(Value::as_u64));
    let room = (40 * 1024 / item_len).min(10_000);
    let mut items = vec![item; room];
    let label = match limit {
        Some(limit) => {
            assert!(room as u64 > limit, "{}: room for a huge array", op.name());
            format!("{room} items, limit {limit}")
        }
        None => {
            items.push(json!({"hostile": [true]}));
            format!("{room} items and a bad one")
        }
    };
    let mut body = template.clone();
    if path.is_empty() {
        body = Value::Array(items);
    } else {
        set_at(&mut body, path, Value::Array(items));
    }
    let dotted = if path.is_empty() {
        "(body)".to_owned()
    } else {
        path.join(".")
    };
    let mut probe = valid.with(
        format!("body `{dotted}`: huge array, {label}"),
        Expect::Input,
    );
    probe.body = Some(json_bytes(&body));
    out.push(probe);
    let mut body = template.clone();
    let bad_item = Value::Array(vec![json!({"hostile": [true]})]);
    if path.is_empty() {
        body = bad_item;
    } else {
        set_at(&mut body, path, bad_item);
    }
    let mut probe = valid.with(
        format!("body `{dotted}`: item of the wrong type"),
        Expect::Input,
    );
    probe.body = Some(json_bytes(&body));
    out.push(probe);
}

// ---------------------------------------------------------------------------------------
// Sending and judging
// ---------------------------------------------------------------------------------------

#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    fn json(&self) -> Result<Value, String> {
        serde_json::from_slice(&self.body).map_err(|e| {
            format!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Sends raw bytes and reads one HTTP/1.1 answer (by `Content-Length`, chunked, or to EOF).
async fn exchange(addr: SocketAddr, request: &[u8], half_close: bool) -> Result<Answer, String> {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    // The server may answer (and stop reading) before the whole request is written: a write
    // error is not the answer, so read whatever came back.
    let written = stream.write_all(request).await;
    if half_close {
        let _ = stream.shutdown().await;
    }
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            break end;
        }
        match stream.read_buf(&mut buf).await {
            Ok(0) | Err(_) if buf.is_empty() => {
                return Err(format!(
                    "connection closed without an answer (write: {written:?})"
                ));
            }
            Ok(0) => {
                return Err(format!(
                    "truncated answer: {:?}",
                    String::from_utf8_lossy(&buf)
                ));
            }
            Err(e) => {
                return Err(format!(
                    "read: {e} after {:?}",
                    String::from_utf8_lossy(&buf)
                ));
            }
            Ok(_) => {}
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers: Vec<(String, Vec<u8>)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().as_bytes().to_vec()))
        .collect();
    let mut body = buf[head_end + 4..].to_vec();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    };
    if status == 101 || status == 204 || status == 304 {
        body.clear();
    } else if let Some(length) = header("content-length") {
        let length: usize = length.parse().map_err(|_| "bad Content-Length")?;
        while body.len() < length {
            if stream
                .read_buf(&mut body)
                .await
                .map_err(|e| e.to_string())?
                == 0
            {
                return Err("answer body cut short".into());
            }
        }
        body.truncate(length);
    } else if header("transfer-encoding").is_some_and(|te| te.contains("chunked")) {
        while find(&body, b"0\r\n\r\n").is_none() {
            if stream
                .read_buf(&mut body)
                .await
                .map_err(|e| e.to_string())?
                == 0
            {
                break;
            }
        }
        let mut decoded = Vec::new();
        let mut rest = &body[..];
        while let Some(end) = find(rest, b"\r\n") {
            let size = usize::from_str_radix(
                String::from_utf8_lossy(&rest[..end])
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim(),
                16,
            )
            .map_err(|_| "bad chunk size")?;
            if size == 0 {
                break;
            }
            decoded.extend_from_slice(&rest[end + 2..end + 2 + size]);
            rest = &rest[end + 2 + size + 2..];
        }
        body = decoded;
    } else {
        let _ = stream.read_to_end(&mut body).await;
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// Messages the stub's request validation writes (`social_stub::http::Invalid`).
fn is_validation_message(message: &str) -> bool {
    [
        "path parameter",
        "query parameter",
        "header parameter",
        "a JSON body is required",
        "body:",
        "content type",
        "the body is larger",
    ]
    .iter()
    .any(|prefix| message.starts_with(prefix))
}

/// Whether an answer is the stub rejecting the request's input (rather than the service
/// applying its rules to valid input).
fn rejected_as_invalid(op: &Op, answer: &Answer) -> bool {
    let Ok(body) = answer.json() else {
        return answer.status == 400;
    };
    match op.kind {
        Kind::Roblox => body
            .pointer("/errors/0/userFacingMessage")
            .and_then(Value::as_str)
            .is_some_and(is_validation_message),
        Kind::Roster | Kind::Social => body["message"].as_str().is_some_and(is_validation_message),
    }
}

/// Judges one answer against what the probe expects and the operation documents.
fn judge(op: &Op, probe: &Probe, answer: &Answer) -> Result<(), String> {
    if answer.status >= 500 {
        return Err(format!("answered {}", answer.status));
    }
    if answer.header("x-injected").is_some() {
        return Err("a header smuggled into the request came back in the answer".into());
    }
    match probe.expect {
        Expect::NotFound => {
            let body = answer.json()?;
            if answer.status != 404 || body["error"] != "NOT_FOUND" || !body["message"].is_string()
            {
                return Err(format!(
                    "expected 404 NOT_FOUND, got {} {body}",
                    answer.status
                ));
            }
        }
        Expect::MethodNotAllowed => {
            let allow = answer
                .header("allow")
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .unwrap_or_default();
            if answer.status != 405 || !allow.split(',').any(|m| m.trim() == op.method) {
                return Err(format!(
                    "expected 405 with Allow listing {}, got {} Allow {allow:?}",
                    op.method, answer.status
                ));
            }
            let body = answer.json()?;
            if body["error"] != "METHOD_NOT_ALLOWED" || !body["message"].is_string() {
                return Err(format!("405 body {body}"));
            }
        }
        Expect::Unparsable => {
            if answer.status != 400 || !answer.body.is_empty() {
                return Err(format!(
                    "expected the HTTP layer's bare 400, got {} {:?}",
                    answer.status,
                    String::from_utf8_lossy(&answer.body)
                ));
            }
        }
        Expect::Input | Expect::Credentials | Expect::Business(_) => {
            documented(op, probe.expect, answer)?;
        }
    }
    Ok(())
}

/// The operation's own documented answer, in the service's error shape.
fn documented(op: &Op, expect: Expect, answer: &Answer) -> Result<(), String> {
    let body = answer.json()?;
    if op.kind == Kind::Roster {
        let code = body["code"]
            .as_i64()
            .ok_or_else(|| format!("no business code in {body}"))?;
        let wanted = match expect {
            Expect::Input => 10002,
            Expect::Business(code) => code,
            _ => unreachable!("roster credentials probes name their business code"),
        };
        if answer.status != 200 || code != wanted {
            return Err(format!(
                "expected HTTP 200 code {wanted}, got {} {body}",
                answer.status
            ));
        }
        if !op.business_codes.contains(&code) {
            return Err(format!(
                "code {code} is not in the operation's x-business-codes {:?}",
                op.business_codes
            ));
        }
        if body["message"].as_str().is_none_or(str::is_empty) {
            return Err(format!("no message in {body}"));
        }
        // `data` is null on an error, or absent where the document does not make it nullable.
        let nullable = op.responses["200"]
            .pointer("/content/application~1json/schema/properties/data/nullable")
            .and_then(Value::as_bool)
            == Some(true);
        match body.get("data") {
            Some(Value::Null) => {}
            None if !nullable => {}
            other => return Err(format!("`data` {other:?} on an error: {body}")),
        }
        return Ok(());
    }
    let wanted = match expect {
        Expect::Input => 400,
        Expect::Credentials => 401,
        _ => unreachable!("business codes are roster's"),
    };
    if answer.status != wanted {
        return Err(format!("expected {wanted}, got {} {body}", answer.status));
    }
    if !op.documents(wanted) {
        return Err(format!("{wanted} is not documented for the operation"));
    }
    let listed = op.error_codes(wanted);
    match op.kind {
        Kind::Roblox => {
            let code = body
                .pointer("/errors/0/code")
                .and_then(Value::as_i64)
                .ok_or_else(|| format!("not the Roblox error shape: {body}"))?;
            let message = body.pointer("/errors/0/message").and_then(Value::as_str);
            let entry = listed
                .iter()
                .find(|e| e["code"].as_i64() == Some(code))
                .ok_or_else(|| format!("code {code} is not in the {wanted}'s x-error-codes"))?;
            if message != entry["message"].as_str() {
                return Err(format!("message {message:?} is not {}", entry["message"]));
            }
        }
        Kind::Social => {
            let name = body["error"]
                .as_str()
                .ok_or_else(|| format!("not the error shape: {body}"))?;
            if !body["message"].is_string() {
                return Err(format!("no message: {body}"));
            }
            if !listed.iter().any(|e| e["error"].as_str() == Some(name)) {
                return Err(format!(
                    "error {name} is not in the {wanted}'s x-error-codes"
                ));
            }
        }
        Kind::Roster => unreachable!(),
    }
    Ok(())
}

/// The world's state without `now` (the world clock reads real time; it is not state).
async fn state(world: &WorldHandle) -> String {
    let mut state = world.state().await.expect("state");
    state
        .as_object_mut()
        .expect("state object")
        .remove("now")
        .expect("the state dump has `now`");
    serde_json::to_string_pretty(&state).expect("state text")
}

/// The first line where two dumps differ, with some context.
fn first_difference(before: &str, after: &str) -> String {
    let (b, a): (Vec<_>, Vec<_>) = (before.lines().collect(), after.lines().collect());
    let at = b
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(b.len().min(a.len()));
    let from = at.saturating_sub(6);
    format!(
        "before:\n{}\nafter:\n{}",
        b[from..(at + 3).min(b.len())].join("\n"),
        a[from..(at + 3).min(a.len())].join("\n")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_hostile_input_as_documented_without_changing_state() {
    let started = Instant::now();
    let env = Env::new().await;
    let stub = env.stub();
    let addr: SocketAddr = stub.url()["http://".len()..].parse().expect("address");
    let ops = operations();
    assert!(
        ops.len() >= 90,
        "only {} operations in the documents",
        ops.len()
    );

    // A twin world: each operation's valid request must get past input validation there, so
    // every variant below fails for its one hostile change and nothing else.
    let twin = env.world.clone();
    let twin_seed = seed(&twin).await;
    let twin_cursors = harvest(&ops, &twin_seed, addr).await;
    let mut failures = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        let probe = valid_probe(index, op, &twin_seed);
        let request = probe.render(&ops, &twin_seed, addr);
        match tokio::time::timeout(HANG, exchange(addr, &request, false)).await {
            Err(_) => failures.push(format!("{}: valid request hung", op.name())),
            Ok(Err(e)) => failures.push(format!("{}: valid request: {e}", op.name())),
            Ok(Ok(answer)) if answer.status >= 500 || rejected_as_invalid(op, &answer) => {
                failures.push(format!(
                    "{}: the valid request was rejected: {} {}",
                    op.name(),
                    answer.status,
                    String::from_utf8_lossy(&answer.body)
                ));
            }
            Ok(Ok(_)) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "valid requests:\n{}",
        failures.join("\n")
    );

    let world = stub.control().create_world().await.expect("world");
    let seed = seed(&world).await;
    let cursors = Cursors {
        own: harvest(&ops, &seed, addr).await,
        twin: twin_cursors,
    };
    let before = state(&world).await;
    let logged_before = world.requests().await.expect("log").len();

    let probes = variants(&ops, &seed, &cursors);
    let pairs = probes.len();
    let prepared = started.elapsed();
    let results: Vec<(usize, Result<(), String>)> =
        futures::stream::iter(probes.iter().enumerate())
            .map(|(i, probe)| {
                let request = probe.render(&ops, &seed, addr);
                let op = &ops[probe.op];
                async move {
                    let verdict = match tokio::time::timeout(
                        HANG,
                        exchange(addr, &request, probe.half_close),
                    )
                    .await
                    {
                        Err(_) => Err(format!("no answer within {HANG:?}")),
                        Ok(Err(e)) => Err(e),
                        Ok(Ok(answer)) => judge(op, probe, &answer),
                    };
                    (i, verdict)
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
    let mut failures: Vec<String> = results
        .into_iter()
        .filter_map(|(i, verdict)| {
            verdict.err().map(|e| {
                let probe = &probes[i];
                format!("{} [{}]: {e}", ops[probe.op].name(), probe.variant)
            })
        })
        .collect();
    failures.sort();
    let operations_hit = {
        let mut seen: Vec<usize> = probes.iter().map(|p| p.op).collect();
        seen.dedup();
        seen.len()
    };
    let per_document: Vec<String> = social_stub::SERVICES
        .iter()
        .map(|service| {
            let n = probes
                .iter()
                .filter(|p| ops[p.op].service.spec_name == service.spec_name)
                .count();
            format!("{} {n}", service.spec_name)
        })
        .collect();
    println!(
        "hostile input: {pairs} (operation, variant) pairs over {operations_hit} operations \
         ({}); seeding and valid requests {prepared:?}, hostile run {:?}",
        per_document.join(", "),
        started.elapsed() - prepared
    );
    let after = state(&world).await;
    if before != after {
        failures.push(format!(
            "hostile input changed the world's state:\n{}",
            first_difference(&before, &after)
        ));
    }
    for failure in &failures {
        eprintln!("{failure}");
    }
    assert!(
        failures.is_empty(),
        "{} of {pairs} hostile requests were not answered as documented or changed state \
         (listed above)",
        failures.len(),
    );
    assert_eq!(operations_hit, ops.len(), "every operation was probed");
    assert!(pairs >= FLOOR, "only {pairs} pairs (floor {FLOOR})");
    let logged = world.requests().await.expect("log").len();
    assert!(
        logged > logged_before,
        "requests that reached an operation are logged (the log is not state)"
    );

    // And the stub still serves a normal request.
    let alive = reqwest::Client::new()
        .get(format!(
            "{}{}/friends/v1/my/friends/count",
            stub.url(),
            seed.prefix
        ))
        .header("cookie", format!(".ROBLOSECURITY={}", seed.cookie))
        .send()
        .await
        .expect("a normal request after the run");
    assert_eq!(alive.status(), 200, "the stub still serves normal requests");
    let count: Value = alive.json().await.expect("count");
    assert_eq!(count["count"], 1, "alice still has her one friend");
}
