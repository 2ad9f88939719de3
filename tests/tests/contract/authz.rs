//! Authorization (issue 8). Two halves:
//!
//! - **The table**, driven by the documents themselves: every operation of every document whose
//!   `security` (its own, or the document's global one) asks for credentials is sent with
//!   missing, forged, misplaced and foreign credentials, and must answer the documented refusal
//!   (`401`, the CSRF `403`, or for roster HTTP 200 with the business code of its
//!   `x-business-codes`), never a 2xx; the world is unchanged afterwards. The same requests
//!   with the right credentials are then not refused (so the refusals came from the
//!   credentials), and every public operation answers without any.
//! - **Privacy**, through the SDK: one user never reads or acts on another's friend requests,
//!   blocks, reports, party, invites, contact tags, roster applications or blacklist, and a
//!   server route acts only for the `actorId` it names. Each case checks the answer and that
//!   the owner's data is unchanged.

use base64::Engine;
use contract_tests::assert::expect_error;
use contract_tests::env::Env;
use reqwest::Method;
use serde_json::{Value, json};
use social_sdk::{Auth, Error};
use social_stub::StubConfig;
use social_stub::control::WorldHandle;
use social_stub::roblox::CreatedUser;
use social_stub::roster::{CreatedRosterApp, CreatedRosterUser};
use social_stub::social::CreatedPlayer;
use social_stub::spec::OperationSpec;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::Duration;
use uuid::Uuid;

/// The registered game server of the world under test.
const SERVER: &str = "srv-authz";
/// A game server registered only in another world.
const ELSEWHERE: &str = "srv-elsewhere";
/// Headers that make a `GET` a WebSocket handshake (the live operations).
const HANDSHAKE: [(&str, &str); 4] = [
    ("connection", "upgrade"),
    ("upgrade", "websocket"),
    ("sec-websocket-version", "13"),
    ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
];

/// Roster business codes that mean "not allowed" (`info.x-business-codes`).
const MISSING_TOKEN: i64 = 10003;
const INVALID_TOKEN: i64 = 10008;
const NO_PERMISSION: i64 = 10010;
const UNKNOWN_APP: i64 = 40000;

// ---- the documents ------------------------------------------------------------------------

/// How an operation is guarded, read from its `security` (or the document's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Guard {
    /// `security: []`.
    Public,
    /// Roblox `.ROBLOSECURITY` cookie or bearer session.
    Session,
    /// Social/party player bearer token.
    Player,
    /// Server secret + registered `X-Server-Id`.
    Server,
    /// Roster `access-token` + `app_id`.
    Roster,
}

/// Which world's ids an operation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Roblox,
    Social,
    Roster,
}

impl Family {
    fn of(spec: &str) -> Self {
        match spec {
            "friends" | "contacts" => Self::Roblox,
            "social-friends" | "party" => Self::Social,
            "roster" => Self::Roster,
            other => panic!("document {other:?} has no authorization cases here; add them"),
        }
    }
}

/// One operation of a document.
#[derive(Debug)]
struct Operation {
    spec: &'static str,
    id: String,
    method: Method,
    path: String,
    guard: Guard,
    live: bool,
    def: Value,
}

impl Operation {
    /// The `x-error-codes` a response status of this operation documents.
    fn documented(&self, status: u16) -> Vec<Value> {
        self.def
            .pointer(&format!("/responses/{status}/x-error-codes"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    fn mutating(&self) -> bool {
        self.method != Method::GET
    }

    fn label(&self) -> String {
        format!("{} {} {} ({})", self.spec, self.method, self.path, self.id)
    }
}

/// A document, as the stub's spec index holds it.
struct Document {
    spec: &'static str,
    doc: &'static Value,
}

impl Document {
    fn load(spec: &str) -> Self {
        let service = social_stub::SERVICES
            .iter()
            .find(|s| s.spec_name == spec)
            .unwrap_or_else(|| panic!("no document {spec:?}"));
        let doc = social_stub::spec::document(service.spec_name)
            .unwrap_or_else(|| panic!("{spec}.yaml is not in the spec index"));
        Self {
            spec: service.spec_name,
            doc,
        }
    }

    /// Follows `$ref`s to the component they name.
    fn resolve<'a>(&'a self, mut value: &'a Value) -> &'a Value {
        while let Some(pointer) = value.get("$ref").and_then(Value::as_str) {
            value = self
                .doc
                .pointer(pointer.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("{}: dangling $ref {pointer}", self.spec));
        }
        value
    }

    /// The document's operations from the spec index (each with its own object, `$ref`s
    /// resolved), in document order: by path, then by method name.
    fn operations(&self) -> Vec<Operation> {
        let paths = self.doc["paths"].as_object().expect("paths");
        for (path, item) in paths {
            for method in item.as_object().expect("path item").keys() {
                assert!(
                    !matches!(method.as_str(), "head" | "options" | "trace"),
                    "{path}: {method} has no authorization cases here"
                );
            }
        }
        let global = self.doc.get("security");
        let mut indexed: Vec<&'static OperationSpec> = social_stub::spec::operations()
            .filter(|op| op.spec == self.spec)
            .collect();
        indexed.sort_by_key(|op| (op.path.as_str(), op.method.to_ascii_lowercase()));
        indexed
            .into_iter()
            .map(|op| {
                let method = match op.method.as_str() {
                    "GET" => Method::GET,
                    "PUT" => Method::PUT,
                    "POST" => Method::POST,
                    "DELETE" => Method::DELETE,
                    "PATCH" => Method::PATCH,
                    other => panic!("{}: {other} has no authorization cases here", op.path),
                };
                let def = &op.raw;
                Operation {
                    spec: self.spec,
                    guard: guard_of(def.get("security").or(global), &op.id),
                    live: def.get("x-dropshot-websocket").is_some(),
                    def: def.clone(),
                    id: op.id.clone(),
                    method,
                    path: op.path.clone(),
                }
            })
            .collect()
    }
}

/// The guard a `security` list describes. OpenAPI: no `security` anywhere, or an empty
/// list, means public.
fn guard_of(security: Option<&Value>, operation: &str) -> Guard {
    let schemes: BTreeSet<&str> = security
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|requirement| requirement.keys().map(String::as_str))
        .collect();
    match schemes.into_iter().collect::<Vec<_>>().as_slice() {
        [] => Guard::Public,
        ["bearerAuth", "roblosecurityCookie"] => Guard::Session,
        ["playerBearer"] => Guard::Player,
        ["serverSecret"] => Guard::Server,
        ["accessToken", "appId"] => Guard::Roster,
        other => panic!("{operation}: security schemes {other:?} have no authorization cases"),
    }
}

// ---- the world the table runs in ----------------------------------------------------------

/// A stub and a world holding a bit of everything, the victim's data included, so that a
/// request that slipped through would act on something real.
struct Fixture {
    /// The stub, the victim's world, the SDK and a plain HTTP client.
    env: Env,
    secret: String,
    // Roblox: alice is the victim, bob the other user; mallory lives in another world.
    alice: CreatedUser,
    bob: CreatedUser,
    mallory: CreatedUser,
    alice_csrf: String,
    bob_csrf: String,
    anonymous_csrf: String,
    // Social: pa is the victim, friends with pc, blocking pd, asking pe; pb is invited to
    // pa's party; stranger lives in another world.
    pa: CreatedPlayer,
    pc: CreatedPlayer,
    pd: CreatedPlayer,
    stranger: CreatedPlayer,
    request_id: String,
    party_id: Uuid,
    // Roster: ra (victim) and rb in the app; ro in another app; the other world has an app
    // with the same id.
    app: CreatedRosterApp,
    other_app: CreatedRosterApp,
    ra: CreatedRosterUser,
    rb: CreatedRosterUser,
    ro: CreatedRosterUser,
    foreign_admin: String,
}

impl std::ops::Deref for Fixture {
    type Target = Env;

    fn deref(&self) -> &Env {
        &self.env
    }
}

impl Fixture {
    async fn new() -> Self {
        let secret = StubConfig::default().server_secret;
        let env = Env::new().await;
        let (stub, world, http) = (env.stub(), env.world.clone(), env.http.clone());
        let elsewhere = stub.control().create_world().await.expect("other world");

        let alice = world.create_roblox_user("alice").await.expect("alice");
        let bob = world.create_roblox_user("bob").await.expect("bob");
        let mallory = elsewhere
            .create_roblox_user("mallory")
            .await
            .expect("mallory");
        let csrf = |session: String| {
            let world = world.clone();
            async move { world.csrf_token(&session).await.expect("csrf token") }
        };
        let alice_csrf = csrf(alice.cookie.clone()).await;
        let bob_csrf = csrf(bob.cookie.clone()).await;
        let anonymous_csrf = csrf("anonymous".to_owned()).await;
        assert_ne!(alice_csrf, bob_csrf, "CSRF tokens are per session");

        world.register_server(SERVER).await.expect("server");
        elsewhere.register_server(ELSEWHERE).await.expect("server");
        let player = |name: &'static str, world: &WorldHandle| {
            let world = world.clone();
            async move {
                world
                    .create_player(json!({ "name": name }))
                    .await
                    .expect("player")
            }
        };
        let pa = player("pa", &world).await;
        let pb = player("pb", &world).await;
        let pc = player("pc", &world).await;
        let pd = player("pd", &world).await;
        let pe = player("pe", &world).await;
        let stranger = player("stranger", &elsewhere).await;
        let sdk = &env.config;
        let social = |p: &CreatedPlayer| sdk.social_friends(Auth::bearer(p.token.as_str()));
        let sent = send_social(&social(&pa), &pc).await.expect("request");
        social(&pc)
            .accept_social_friend_request()
            .id(sent.id.expect("id"))
            .await
            .expect("accepted");
        social(&pa)
            .block_player()
            .body(social_sdk::social_friends::types::BlockBody {
                target_id: pd.id,
                reason: Some("private reason".into()),
            })
            .await
            .expect("blocked");
        let request_id = send_social(&social(&pa), &pe)
            .await
            .expect("request")
            .id
            .expect("id");
        let invite = sdk
            .party(Auth::bearer(pa.token.as_str()))
            .invite_to_party()
            .body(social_sdk::party::types::InviteBody {
                target_id: Some(pb.id),
                target_name: None,
            })
            .await
            .expect("invite");
        let party_id = invite.party_id.expect("party id");

        let app = world.create_roster_app().await.expect("app");
        let other_app = world.create_roster_app().await.expect("other app");
        let user = |app: &str, name: &str| {
            let (world, app, name) = (world.clone(), app.to_owned(), name.to_owned());
            async move {
                world
                    .create_roster_user(&app, json!({ "username": name, "authMode": 1 }))
                    .await
                    .expect("roster user")
            }
        };
        let ra = user(&app.app_id, "ra").await;
        let rb = user(&app.app_id, "rb").await;
        let ro = user(&other_app.app_id, "ro").await;
        world
            .roster_befriend(&app.app_id, ra.user.id, rb.user.id)
            .await
            .expect("roster friends");
        let foreign: Value = http
            .post(format!(
                "{}/__stub/worlds/{}/roster/apps",
                stub.url(),
                elsewhere.id
            ))
            .json(&json!({ "appId": app.app_id }))
            .send()
            .await
            .expect("control plane")
            .json()
            .await
            .expect("created app");
        let foreign_admin = foreign["adminToken"]
            .as_str()
            .expect("an admin token of the other world's app")
            .to_owned();

        Self {
            env,
            secret,
            alice,
            bob,
            mallory,
            alice_csrf,
            bob_csrf,
            anonymous_csrf,
            pa,
            pc,
            pd,
            stranger,
            request_id,
            party_id,
            app,
            other_app,
            ra,
            rb,
            ro,
            foreign_admin,
        }
    }

    /// A value for a parameter or property the fixture knows: an id of the victim's data.
    fn known(&self, family: Family, name: &str, location: &str, schema: &Value) -> Option<Value> {
        let format = schema.get("format").and_then(Value::as_str);
        let uuid = format == Some("uuid");
        match family {
            Family::Roblox => match name {
                "userId" | "targetUserId" | "requesterUserId" => Some(json!(self.bob.user.id)),
                "userIds" | "targetUserIds" => Some(json!([self.bob.user.id])),
                _ => None,
            },
            Family::Social => match (name, location) {
                ("id", "path") if uuid => Some(json!(self.pa.id)),
                ("id", "path") => Some(json!(self.request_id)),
                ("friendId", _) => Some(json!(self.pc.id)),
                ("targetId", "path") => Some(json!(self.pd.id)),
                ("targetId", _) if uuid => Some(json!(self.pc.id)),
                ("partyId", _) => Some(json!(self.party_id)),
                ("actorId", _) => Some(json!(self.pa.id)),
                ("targetName", _) => Some(json!(self.pc.name)),
                ("playerIds" | "selectorIds", _) => Some(json!([self.pa.id])),
                _ if uuid => Some(json!(self.pa.id)),
                _ => None,
            },
            Family::Roster => match name {
                "roster_id" => Some(json!(self.ra.user.id)),
                "username" => Some(json!(self.rb.user.username)),
                "mobile" => Some(json!("5550100")),
                _ if format == Some("int64") => Some(json!(self.rb.user.id)),
                _ => None,
            },
        }
    }

    /// A value fitting `schema`: what the fixture knows, else the first enum value, the
    /// default, or a minimal value of the type.
    fn sample(
        &self,
        doc: &Document,
        family: Family,
        name: &str,
        location: &str,
        schema: &Value,
        depth: usize,
    ) -> Value {
        assert!(depth < 12, "{}: schema of {name} nests too deep", doc.spec);
        let schema = doc.resolve(schema);
        if let Some(value) = self.known(family, name, location, schema) {
            return value;
        }
        if let Some(first) = schema.get("enum").and_then(|e| e.get(0)) {
            return first.clone();
        }
        if let Some(default) = schema.get("default") {
            return default.clone();
        }
        for combinator in ["oneOf", "anyOf", "allOf"] {
            if let Some(first) = schema.get(combinator).and_then(|b| b.get(0)) {
                return self.sample(doc, family, name, location, first, depth + 1);
            }
        }
        let int = |key: &str| schema.get(key).and_then(Value::as_i64);
        match schema.get("type").and_then(Value::as_str) {
            Some("array") => {
                json!([self.sample(doc, family, name, location, &schema["items"], depth + 1)])
            }
            Some("string") => match schema.get("format").and_then(Value::as_str) {
                Some("date-time") => json!("2026-01-07T12:00:00Z"),
                _ => json!("x".repeat(usize::try_from(int("minLength").unwrap_or(1)).unwrap_or(1))),
            },
            Some("integer" | "number") => json!(int("minimum").unwrap_or(1)),
            Some("boolean") => json!(false),
            _ => {
                let properties = schema.get("properties").and_then(Value::as_object);
                let object: serde_json::Map<String, Value> = properties
                    .into_iter()
                    .flatten()
                    .map(|(key, property)| {
                        let value = self.sample(doc, family, key, "body", property, depth + 1);
                        (key.clone(), value)
                    })
                    .collect();
                Value::Object(object)
            }
        }
    }

    /// The request an operation is sent as: valid input naming the victim's data, without
    /// credentials (every variant adds its own).
    fn prepare(&self, doc: &Document, op: &Operation) -> Prepared {
        self.prepare_as(doc, op, false)
            .expect("a valid request can always be made")
    }

    /// The same request with input the document rejects (path and query ids that are not
    /// ids, a body that is not JSON), if the operation takes any input.
    fn malformed(&self, doc: &Document, op: &Operation) -> Option<Prepared> {
        self.prepare_as(doc, op, true)
    }

    fn prepare_as(&self, doc: &Document, op: &Operation, malformed: bool) -> Option<Prepared> {
        const BAD: &str = "not-an-id";
        let family = Family::of(op.spec);
        let mut altered = false;
        let mut path = op.path.clone();
        let mut query: Vec<(String, String)> = Vec::new();
        for parameter in op.def["parameters"].as_array().into_iter().flatten() {
            let parameter = doc.resolve(parameter);
            let name = parameter["name"].as_str().expect("parameter name");
            let location = parameter["in"].as_str().expect("parameter location");
            let schema = doc.resolve(parameter.get("schema").unwrap_or(&Value::Null));
            let required = parameter["required"].as_bool().unwrap_or(false);
            match location {
                "path" => {
                    let value = if malformed {
                        altered = true;
                        json!(BAD)
                    } else {
                        self.sample(doc, family, name, location, schema, 0)
                    };
                    path = path.replace(&format!("{{{name}}}"), &text(&value));
                }
                "query" => {
                    let value = match self.known(family, name, location, schema) {
                        Some(value) => value,
                        None if required => self.sample(doc, family, name, location, schema, 0),
                        None => continue,
                    };
                    let value = if malformed && schema["type"] == "integer" {
                        altered = true;
                        json!(BAD)
                    } else {
                        value
                    };
                    match value {
                        Value::Array(items) => {
                            query.extend(items.iter().map(|i| (name.to_owned(), text(i))));
                        }
                        other => query.push((name.to_owned(), text(&other))),
                    }
                }
                // Headers are credentials: each variant sets its own.
                _ => {}
            }
        }
        assert!(!path.contains('{'), "{}: unfilled path {path}", op.label());
        let schema = op
            .def
            .pointer("/requestBody/content/application~1json/schema");
        let body = match schema {
            Some(_) if malformed => {
                altered = true;
                Body::Raw("{\"unterminated".into())
            }
            Some(schema) => Body::Json(self.sample(doc, family, "", "body", schema, 0)),
            None => Body::None,
        };
        if malformed && !altered {
            return None;
        }
        let base = format!("{}{path}", self.world.service_url(op.spec));
        let url = reqwest::Url::parse_with_params(&base, &query).expect("a valid URL");
        Some(Prepared {
            method: op.method.clone(),
            url,
            body,
            handshake: op.live,
        })
    }

    /// The ways a non-public operation is called without the right credentials.
    fn variants(&self, op: &Operation) -> Vec<Variant> {
        let bearer = |token: &str| ("authorization", format!("Bearer {token}"));
        let cookie = |value: &str| ("cookie", format!(".ROBLOSECURITY={value}"));
        let server_id = |id: &str| ("x-server-id", id.to_owned());
        let subprotocol = |token: &str| {
            let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(token);
            (
                "sec-websocket-protocol",
                format!("uebliche-bearer.{encoded}"),
            )
        };
        let unauthorized = |label: &'static str, headers: Vec<(&'static str, String)>| Variant {
            label,
            headers,
            expect: Expect::Unauthorized,
        };
        let business = |label: &'static str, headers: Vec<(&'static str, String)>, code| Variant {
            label,
            headers,
            expect: Expect::Business(code),
        };
        let roster = |app: &str, token: &str| {
            vec![
                ("app_id", app.to_owned()),
                ("access-token", token.to_owned()),
            ]
        };
        let with = |mut headers: Vec<(&'static str, String)>, extra: (&'static str, String)| {
            headers.push(extra);
            headers
        };
        let app = self.app.app_id.as_str();
        match op.guard {
            Guard::Public => Vec::new(),
            Guard::Session => {
                let mut variants = vec![
                    unauthorized("no credentials", vec![]),
                    unauthorized("a forged cookie", vec![cookie("forged-session")]),
                    unauthorized("a forged bearer token", vec![bearer("forged-session")]),
                    unauthorized(
                        "the cookie of a user of another world",
                        vec![cookie(&self.mallory.cookie)],
                    ),
                    unauthorized(
                        "the bearer token of a user of another world",
                        vec![bearer(&self.mallory.token)],
                    ),
                ];
                if op.mutating() {
                    variants.push(Variant {
                        label: "the caller's cookie with another session's CSRF token",
                        headers: vec![
                            cookie(&self.alice.cookie),
                            ("x-csrf-token", self.bob_csrf.clone()),
                        ],
                        expect: Expect::Csrf,
                    });
                }
                variants
            }
            Guard::Player => {
                let mut variants = vec![
                    unauthorized("no credentials", vec![]),
                    unauthorized("a garbage bearer token", vec![bearer("garbage")]),
                    unauthorized(
                        "the server secret instead of a player token",
                        vec![bearer(&self.secret), server_id(SERVER)],
                    ),
                    unauthorized(
                        "the player token without the Bearer scheme",
                        vec![("authorization", format!("Token {}", self.pa.token))],
                    ),
                    unauthorized(
                        "the token of a player of another world",
                        vec![bearer(&self.stranger.token)],
                    ),
                ];
                if op.live {
                    variants.push(unauthorized(
                        "a garbage token as the subprotocol",
                        vec![subprotocol("garbage")],
                    ));
                    variants.push(unauthorized(
                        "the server secret as the subprotocol",
                        vec![subprotocol(&self.secret)],
                    ));
                }
                variants
            }
            Guard::Server => vec![
                unauthorized("no credentials", vec![]),
                unauthorized(
                    "a garbage secret",
                    vec![bearer("garbage"), server_id(SERVER)],
                ),
                unauthorized("the secret without X-Server-Id", vec![bearer(&self.secret)]),
                unauthorized(
                    "the secret with an unknown X-Server-Id",
                    vec![bearer(&self.secret), server_id("srv-unknown")],
                ),
                unauthorized(
                    "the secret with a server registered in another world",
                    vec![bearer(&self.secret), server_id(ELSEWHERE)],
                ),
                unauthorized(
                    "a player token instead of the secret",
                    vec![bearer(&self.pa.token), server_id(SERVER)],
                ),
            ],
            Guard::Roster => vec![
                business(
                    "no access-token",
                    vec![("app_id", app.to_owned())],
                    MISSING_TOKEN,
                ),
                business("an empty access-token", roster(app, ""), MISSING_TOKEN),
                business(
                    "a garbage access-token",
                    roster(app, "garbage"),
                    INVALID_TOKEN,
                ),
                business(
                    "a user token of another app",
                    roster(app, &self.ro.token),
                    INVALID_TOKEN,
                ),
                business(
                    "the admin token of another app",
                    roster(app, &self.other_app.admin_token),
                    INVALID_TOKEN,
                ),
                business(
                    "a user token with another app's app_id",
                    roster(&self.other_app.app_id, &self.ra.token),
                    INVALID_TOKEN,
                ),
                business(
                    "the admin token of the same app id in another world",
                    roster(app, &self.foreign_admin),
                    INVALID_TOKEN,
                ),
                business(
                    "an unknown app_id",
                    roster("no-such-app", &self.ra.token),
                    UNKNOWN_APP,
                ),
                business(
                    "no app_id",
                    vec![("access-token", self.ra.token.clone())],
                    UNKNOWN_APP,
                ),
                business(
                    "a user token naming another user_id",
                    with(
                        roster(app, &self.rb.token),
                        ("user_id", self.ra.user.id.to_string()),
                    ),
                    NO_PERMISSION,
                ),
                business(
                    "a user token sending group_id",
                    with(roster(app, &self.ra.token), ("group_id", "1".to_owned())),
                    NO_PERMISSION,
                ),
            ],
        }
    }

    /// The victim's own, valid credentials.
    fn valid(&self, op: &Operation) -> Vec<(&'static str, String)> {
        match op.guard {
            Guard::Public => Vec::new(),
            Guard::Session => {
                let mut headers = vec![("cookie", format!(".ROBLOSECURITY={}", self.alice.cookie))];
                if op.mutating() {
                    headers.push(("x-csrf-token", self.alice_csrf.clone()));
                }
                headers
            }
            Guard::Player => vec![("authorization", format!("Bearer {}", self.pa.token))],
            Guard::Server => vec![
                ("authorization", format!("Bearer {}", self.secret)),
                ("x-server-id", SERVER.to_owned()),
            ],
            Guard::Roster => vec![
                ("app_id", self.app.app_id.clone()),
                ("access-token", self.ra.token.clone()),
            ],
        }
    }

    async fn send(&self, prepared: &Prepared, headers: &[(&'static str, String)]) -> Answer {
        let mut request = self
            .http
            .request(prepared.method.clone(), prepared.url.clone());
        if prepared.handshake {
            for (name, value) in HANDSHAKE {
                request = request.header(name, value);
            }
        }
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        match &prepared.body {
            Body::Json(body) => request = request.json(body),
            Body::Raw(text) => {
                request = request
                    .header("content-type", "application/json")
                    .body(text.clone());
            }
            Body::None => {}
        }
        let response = tokio::time::timeout(Duration::from_secs(10), request.send())
            .await
            .unwrap_or_else(|_| panic!("{} {} hangs", prepared.method, prepared.url))
            .expect("request sent");
        let status = response.status().as_u16();
        let csrf = response
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        // A 101 hands the connection over: there is no body to read.
        let body = if status == 101 {
            Value::Null
        } else {
            let bytes = response.bytes().await.expect("body read");
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Answer { status, csrf, body }
    }

    /// The world as JSON, without its clock (which moves with real time).
    async fn state(&self) -> Value {
        let mut state = self.world.state().await.expect("state dump");
        if let Some(object) = state.as_object_mut() {
            object.remove("now");
        }
        state
    }

    /// Checks one refused answer against what the document and the variant say.
    fn judge(&self, op: &Operation, variant: &Variant, answer: &Answer) -> Result<(), String> {
        let family = Family::of(op.spec);
        match (variant.expect, family) {
            (Expect::Unauthorized, Family::Roblox) => {
                roblox_refusal(op, answer, 401)?;
                Ok(())
            }
            (Expect::Csrf, _) => {
                roblox_refusal(op, answer, 403)?;
                if answer.csrf.as_deref() != Some(self.alice_csrf.as_str()) {
                    return Err(format!(
                        "the CSRF 403 carries x-csrf-token {:?}, not the session's current token",
                        answer.csrf
                    ));
                }
                Ok(())
            }
            (Expect::Unauthorized, _) => {
                if answer.status != 401 {
                    return Err(format!("HTTP {} {}, not 401", answer.status, answer.body));
                }
                let documented = op.documented(401);
                let error = &answer.body["error"];
                let message = &answer.body["message"];
                let matches = documented
                    .iter()
                    .any(|entry| entry["error"] == *error && entry["message"] == *message);
                if error != "UNAUTHORIZED" || !matches {
                    return Err(format!(
                        "401 body {} is not the documented {documented:?}",
                        answer.body
                    ));
                }
                Ok(())
            }
            (Expect::Business(code), _) => {
                let got = answer.body["code"].as_i64();
                if answer.status != 200 || got != Some(code) {
                    return Err(format!(
                        "HTTP {} {}, not HTTP 200 with code {code}",
                        answer.status, answer.body
                    ));
                }
                let listed = op.def["x-business-codes"]
                    .as_array()
                    .is_some_and(|codes| codes.contains(&json!(code)));
                if !listed {
                    return Err(format!("code {code} is not in the x-business-codes"));
                }
                if !answer.body["data"].is_null() {
                    return Err(format!("a refusal carries data: {}", answer.body));
                }
                if answer.body["message"].as_str().is_none_or(str::is_empty) {
                    return Err(format!("a refusal without a message: {}", answer.body));
                }
                Ok(())
            }
        }
    }
}

/// A Roblox refusal: `status`, code 0 and the message documented for it.
fn roblox_refusal(op: &Operation, answer: &Answer, status: u16) -> Result<(), String> {
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
fn check_injected(doc: &Document, op: &Operation) -> Result<(), String> {
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
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

async fn send_social(
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
struct Prepared {
    method: Method,
    url: reqwest::Url,
    body: Body,
    handshake: bool,
}

enum Body {
    None,
    Json(Value),
    /// Bytes that are not JSON.
    Raw(String),
}

/// What a refused call must answer.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// `401` with the documented body.
    Unauthorized,
    /// Roblox `403` code 0 carrying the session's current `x-csrf-token`.
    Csrf,
    /// Roster: HTTP 200 with this business code.
    Business(i64),
}

struct Variant {
    label: &'static str,
    headers: Vec<(&'static str, String)>,
    expect: Expect,
}

struct Answer {
    status: u16,
    csrf: Option<String>,
    body: Value,
}

/// JSON pointers where two values differ (at most `limit`).
fn differences(a: &Value, b: &Value, path: &str, out: &mut Vec<String>, limit: usize) {
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
async fn refuse_bad_credentials(spec: &str) -> (usize, usize) {
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

// ---- privacy, through the SDK -------------------------------------------------------------

mod privacy {
    use super::*;
    use contract_tests::env::Env as Harness;
    use futures::TryStreamExt;
    use social_sdk::contacts::types::{GetUserTagsRequest, SetUserTagRequest};
    use social_sdk::friends::types::FriendshipRequest;
    use social_sdk::party::types::{
        InviteBody, LobbySelectionBody, ServerActorBody, SetSelectorsBody,
    };
    use social_sdk::roster::types::{
        RosterDeclineRequest, RosterExtUpdateRequest, RosterFriendDetailsRequest,
    };
    use social_sdk::social_friends::types::{
        BlockBody, ReportBody, ServerTargetBody, UpdateFriendBody,
    };
    use social_sdk::{contacts, party, roster, social_friends};

    const REQUEST_NOT_FOUND: &str = "Friend request not found.";
    const FRIEND_NOT_FOUND: &str = "Friend not found.";
    const BLOCK_NOT_FOUND: &str = "Block not found.";
    const ONLY_RECIPIENT_ACCEPTS: &str = "Only the recipient can accept this request.";
    const ONLY_RECIPIENT_DECLINES: &str = "Only the recipient can decline this request.";
    const EXPIRED: &str = "The friend request has expired.";
    const INVITE_NOT_FOUND: &str = "Party invite not found.";
    const YOU_ARE_NOT_IN_A_PARTY: &str = "You are not in a party.";
    const NOT_LEADER: &str = "Only the party leader may do this.";
    const NOT_SELECTOR: &str =
        "Only the party leader or a selector may change the lobby selection.";
    const NO_FRIEND_REQUEST: &str = "The friend request does not exist.";
    const NO_APPLICATION: i64 = 10007;

    /// The harness's `Env` with game server `SERVER` registered.
    struct Env {
        env: Harness,
    }

    impl std::ops::Deref for Env {
        type Target = Harness;

        fn deref(&self) -> &Harness {
            &self.env
        }
    }

    impl Env {
        async fn new() -> Self {
            let env = Harness::new().await;
            env.world.register_server(SERVER).await.expect("server");
            Self { env }
        }

        fn social_server(&self) -> social_friends::Client {
            self.env.social_server(SERVER)
        }

        fn party_server(&self) -> party::Client {
            self.env.party_server(SERVER)
        }

        /// One part of the world's state (a JSON pointer into the dump).
        async fn state(&self, pointer: &str) -> Value {
            let state = self.world.state().await.expect("state dump");
            state
                .pointer(pointer)
                .unwrap_or_else(|| panic!("no {pointer} in the state dump"))
                .clone()
        }
    }

    fn target(actor: &CreatedPlayer, other: &CreatedPlayer) -> ServerTargetBody {
        ServerTargetBody {
            actor_id: actor.id,
            target_id: Some(other.id),
            target_name: None,
        }
    }

    /// The ids of a player's pending requests: (incoming, outgoing).
    async fn requests(client: &social_friends::Client) -> (Vec<String>, Vec<String>) {
        let list = client
            .list_social_friend_requests()
            .await
            .expect("requests");
        let ids = |entries: Vec<social_friends::types::FriendRequestEntry>| {
            entries.into_iter().filter_map(|e| e.id).collect()
        };
        (ids(list.incoming), ids(list.outgoing))
    }

    async fn friend_ids(client: &social_friends::Client) -> Vec<Uuid> {
        client
            .get_social_friends()
            .await
            .expect("friends")
            .friends
            .into_iter()
            .filter_map(|f| f.friend_id)
            .collect()
    }

    async fn blocked_ids(client: &social_friends::Client) -> Vec<Uuid> {
        client
            .list_blocks()
            .await
            .expect("blocks")
            .blocks
            .into_iter()
            .filter_map(|b| b.blocked_user_id)
            .collect()
    }

    #[tokio::test]
    async fn a_friend_request_is_seen_and_answered_only_by_its_two_players() {
        let env = Env::new().await;
        let (alice, bob, carol) = (
            env.player("alice").await,
            env.player("bob").await,
            env.player("carol").await,
        );
        let (a, b, c) = (env.social(&alice), env.social(&bob), env.social(&carol));
        let id = send_social(&a, &carol)
            .await
            .expect("request")
            .id
            .expect("id");
        let before = env.state("/social/friends/requests").await;

        // Bob, a third player, cannot see it, nor accept, decline or cancel it by id.
        assert_eq!(requests(&b).await, (vec![], vec![]), "bob sees nothing");
        expect_error(
            b.accept_social_friend_request().id(&id).await,
            404,
            "NOT_FOUND",
            REQUEST_NOT_FOUND,
        );
        expect_error(
            b.decline_social_friend_request().id(&id).await,
            404,
            "NOT_FOUND",
            REQUEST_NOT_FOUND,
        );
        expect_error(
            b.cancel_social_friend_request().id(&id).await,
            404,
            "NOT_FOUND",
            REQUEST_NOT_FOUND,
        );
        // Upper case is the same id (matched case-insensitively): still not bob's.
        expect_error(
            b.accept_social_friend_request().id(id.to_uppercase()).await,
            404,
            "NOT_FOUND",
            REQUEST_NOT_FOUND,
        );
        // Someone else's view of alice's list shows none of her requests.
        let view = b
            .get_social_user_friends()
            .id(alice.id)
            .await
            .expect("alice's list as bob sees it");
        assert!(
            view.incoming.is_empty() && view.outgoing.is_empty(),
            "{view:?}"
        );
        assert!(
            view.requests
                .is_none_or(|r| r.incoming.is_empty() && r.outgoing.is_empty()),
            "pending requests are shown only to their owner"
        );
        // The sender cannot answer her own request in the recipient's place.
        expect_error(
            a.accept_social_friend_request().id(&id).await,
            403,
            "FORBIDDEN",
            ONLY_RECIPIENT_ACCEPTS,
        );
        expect_error(
            a.decline_social_friend_request().id(&id).await,
            403,
            "FORBIDDEN",
            ONLY_RECIPIENT_DECLINES,
        );

        assert_eq!(
            env.state("/social/friends/requests").await,
            before,
            "the request is untouched"
        );
        assert_eq!(requests(&a).await, (vec![], vec![id.clone()]));
        assert_eq!(requests(&c).await, (vec![id.clone()], vec![]));
        assert!(friend_ids(&a).await.is_empty() && friend_ids(&c).await.is_empty());

        // Once expired, bob still learns nothing (404, not the owners' 410).
        env.advance(Duration::from_secs(7 * 24 * 3600 + 1)).await;
        expect_error(
            b.accept_social_friend_request().id(&id).await,
            404,
            "NOT_FOUND",
            REQUEST_NOT_FOUND,
        );
        expect_error(
            c.accept_social_friend_request().id(&id).await,
            410,
            "REQUEST_EXPIRED",
            EXPIRED,
        );
    }

    #[tokio::test]
    async fn blocks_reports_and_friend_links_stay_their_owners() {
        let env = Env::new().await;
        let (alice, bob, carol, dave) = (
            env.player("alice").await,
            env.player("bob").await,
            env.player("carol").await,
            env.player("dave").await,
        );
        let (a, b, c) = (env.social(&alice), env.social(&bob), env.social(&carol));
        let sent = send_social(&a, &carol).await.expect("request");
        c.accept_social_friend_request()
            .id(sent.id.expect("id"))
            .await
            .expect("friends");
        a.block_player()
            .body(BlockBody {
                target_id: dave.id,
                reason: Some("alice's reason".into()),
            })
            .await
            .expect("block");
        a.report_player()
            .body(ReportBody {
                target_id: dave.id,
                reason: Some("alice's report".into()),
            })
            .await
            .expect("report");
        let blocks = env.state("/social/blocks").await;
        let links = env.state("/social/friends/links").await;

        // Blocks: bob's list is his own; he cannot lift alice's block.
        assert!(blocked_ids(&b).await.is_empty(), "bob sees no blocks");
        expect_error(
            b.unblock_player().target_id(dave.id).await,
            404,
            "NOT_FOUND",
            BLOCK_NOT_FOUND,
        );
        // Links: bob cannot edit or end alice's friendship with carol.
        expect_error(
            b.update_social_friend()
                .friend_id(carol.id)
                .body(UpdateFriendBody {
                    favorite: Some(true),
                    visibility: None,
                })
                .await,
            404,
            "NOT_FOUND",
            FRIEND_NOT_FOUND,
        );
        expect_error(
            b.remove_social_friend().friend_id(carol.id).await,
            404,
            "NOT_FOUND",
            FRIEND_NOT_FOUND,
        );
        // Reports: bob's report is his; alice's stays as filed.
        let report = b
            .report_player()
            .body(ReportBody {
                target_id: dave.id,
                reason: None,
            })
            .await
            .expect("bob's own report");
        assert_eq!(report.reason, None, "nothing of alice's report leaks");

        assert_eq!(
            env.state("/social/blocks").await,
            blocks,
            "blocks unchanged"
        );
        assert_eq!(
            env.state("/social/friends/links").await,
            links,
            "links unchanged"
        );
        let reports = env.state("/social/friends/reports").await;
        let reports = reports.as_array().expect("reports");
        assert_eq!(reports.len(), 2, "{reports:?}");
        assert_eq!(reports[0]["reporter"], json!(alice.id));
        assert_eq!(reports[0]["reason"], json!("alice's report"));
        assert_eq!(blocked_ids(&a).await, [dave.id]);
        assert_eq!(friend_ids(&a).await, [carol.id]);
    }

    #[tokio::test]
    async fn a_request_note_stays_with_its_two_players() {
        let env = Env::new().await;
        let (alice, bob, carol) = (
            env.player("alice").await,
            env.player("bob").await,
            env.player("carol").await,
        );
        let (a, b, c) = (env.social(&alice), env.social(&bob), env.social(&carol));
        let sent = send_social(&a, &carol).await.expect("request");
        c.accept_social_friend_request()
            .id(sent.id.expect("id"))
            .await
            .expect("friends");
        let note = |client: social_friends::Client, owner: Uuid| async move {
            let list = client
                .get_social_user_friends()
                .id(owner)
                .await
                .expect("alice's list");
            assert_eq!(list.friends.len(), 1, "{list:?}");
            list.friends[0].note.clone()
        };
        let private = Some("for your eyes only".to_owned());
        assert_eq!(
            note(a.clone(), alice.id).await,
            private,
            "the owner's own list"
        );
        assert_eq!(
            note(c.clone(), alice.id).await,
            private,
            "carol is the other player"
        );
        assert_eq!(note(c, carol.id).await, private, "carol's own list");
        assert_eq!(
            note(b.clone(), alice.id).await,
            None,
            "bob, a third player, does not read their note"
        );
        assert_eq!(note(b, carol.id).await, None);
    }

    #[tokio::test]
    async fn server_routes_act_only_for_the_actor_they_name() {
        let env = Env::new().await;
        let (alice, bob, carol) = (
            env.player("alice").await,
            env.player("bob").await,
            env.player("carol").await,
        );
        let (a, c) = (env.social(&alice), env.social(&carol));
        let dave = env.player("dave").await;
        let friendship = send_social(&a, &dave).await.expect("request");
        env.social(&dave)
            .accept_social_friend_request()
            .id(friendship.id.expect("id"))
            .await
            .expect("alice and dave are friends");
        let id = send_social(&a, &carol)
            .await
            .expect("request")
            .id
            .expect("id");
        let server = env.social_server();
        let social_before = env.state("/social").await;

        // Acting for bob, the server cannot touch alice's request to carol.
        for result in [
            server
                .server_accept_friend_request()
                .body(target(&bob, &alice))
                .await,
            server
                .server_decline_friend_request()
                .body(target(&bob, &alice))
                .await,
            server
                .server_cancel_friend_request()
                .body(target(&bob, &carol))
                .await,
        ] {
            expect_error(result, 404, "NOT_FOUND", REQUEST_NOT_FOUND);
        }
        // Nor alice's friendship with dave.
        expect_error(
            server
                .server_remove_friend()
                .body(target(&bob, &dave))
                .await,
            404,
            "NOT_FOUND",
            FRIEND_NOT_FOUND,
        );
        // Bob's overview is bob's.
        let overview = server
            .server_friends_overview()
            .body(social_friends::types::ServerActorBody { actor_id: bob.id })
            .await
            .expect("bob's overview");
        assert!(overview.friends.is_empty(), "{overview:?}");
        assert!(overview.incoming.is_empty() && overview.outgoing.is_empty());
        assert_eq!(overview.self_.and_then(|s| s.id), Some(bob.id));

        // Parties: acting for bob, the server sees and acts on bob's party only.
        let alices_party = env
            .party(&alice)
            .invite_to_party()
            .body(InviteBody {
                target_id: Some(carol.id),
                target_name: None,
            })
            .await
            .expect("invite")
            .party_id
            .expect("party id");
        let party_before = env.state("/social/party").await;
        let parties = env.party_server();
        let bobs = parties
            .server_party_overview()
            .body(ServerActorBody { actor_id: bob.id })
            .await
            .expect("bob's party overview");
        assert!(bobs.party.is_none() && bobs.invites.is_empty(), "{bobs:?}");
        expect_error(
            parties
                .server_accept_party_invite()
                .party_id(alices_party)
                .body(ServerActorBody { actor_id: bob.id })
                .await,
            404,
            "NOT_FOUND",
            INVITE_NOT_FOUND,
        );
        expect_error(
            parties
                .server_decline_party_invite()
                .party_id(alices_party)
                .body(ServerActorBody { actor_id: bob.id })
                .await,
            404,
            "NOT_FOUND",
            INVITE_NOT_FOUND,
        );
        expect_error(
            parties
                .server_disband_party()
                .body(ServerActorBody { actor_id: bob.id })
                .await,
            404,
            "NOT_IN_PARTY",
            "The player is not in a party.",
        );
        expect_error(
            parties
                .server_leave_party()
                .body(ServerActorBody { actor_id: bob.id })
                .await,
            404,
            "NOT_IN_PARTY",
            "The player is not in a party.",
        );
        assert_eq!(env.state("/social/party").await, party_before);

        // Everything of alice's is as it was; acting for alice works.
        let mut social_after = env.state("/social").await;
        social_after["party"] = social_before["party"].clone();
        assert_eq!(social_after, social_before, "alice's data unchanged");
        assert_eq!(requests(&c).await, (vec![id], vec![]));
        server
            .server_cancel_friend_request()
            .body(target(&alice, &carol))
            .await
            .expect("acting for alice, the server cancels her request");
        assert_eq!(requests(&c).await, (vec![], vec![]));
    }

    #[tokio::test]
    async fn a_party_and_its_invites_are_private_to_the_party() {
        let env = Env::new().await;
        let (leader, member, invitee, outsider) = (
            env.player("leader").await,
            env.player("member").await,
            env.player("invitee").await,
            env.player("outsider").await,
        );
        let (l, m, i, o) = (
            env.party(&leader),
            env.party(&member),
            env.party(&invitee),
            env.party(&outsider),
        );
        let invite = |to: &CreatedPlayer| InviteBody {
            target_id: Some(to.id),
            target_name: None,
        };
        let party_id = l
            .invite_to_party()
            .body(invite(&member))
            .await
            .expect("invite")
            .party_id
            .expect("party id");
        m.accept_party_invite()
            .party_id(party_id)
            .await
            .expect("joined");
        l.invite_to_party()
            .body(invite(&invitee))
            .await
            .expect("invite");
        let selection = || LobbySelectionBody {
            target_kind: "minigame".into(),
            target_id: "ffa".into(),
            display_name: None,
            server_address: None,
            minigame: None,
            profile_requirement: None,
        };
        let before = env.state("/social/party").await;

        // The outsider sees no party and no invite of anyone else's.
        let seen = o.get_party().await.expect("outsider's view");
        assert!(seen.party.is_none() && seen.invites.is_empty(), "{seen:?}");
        // Nor can he take the invitee's invite.
        expect_error(
            o.accept_party_invite().party_id(party_id).await,
            404,
            "NOT_FOUND",
            INVITE_NOT_FOUND,
        );
        expect_error(
            o.decline_party_invite().party_id(party_id).await,
            404,
            "NOT_FOUND",
            INVITE_NOT_FOUND,
        );
        // Nor act on the party.
        expect_error(
            o.disband_party().await,
            404,
            "NOT_IN_PARTY",
            YOU_ARE_NOT_IN_A_PARTY,
        );
        expect_error(
            o.leave_party().await,
            404,
            "NOT_IN_PARTY",
            YOU_ARE_NOT_IN_A_PARTY,
        );
        expect_error(
            o.set_party_lobby_selection().body(selection()).await,
            404,
            "NOT_IN_PARTY",
            YOU_ARE_NOT_IN_A_PARTY,
        );
        expect_error(
            o.set_party_lobby_selectors()
                .body(SetSelectorsBody {
                    selector_ids: vec![outsider.id],
                })
                .await,
            404,
            "NOT_IN_PARTY",
            YOU_ARE_NOT_IN_A_PARTY,
        );
        // A member who is not the leader may not disband, promote (selectors) or select.
        expect_error(m.disband_party().await, 403, "NOT_LEADER", NOT_LEADER);
        expect_error(
            m.set_party_lobby_selectors()
                .body(SetSelectorsBody {
                    selector_ids: vec![member.id],
                })
                .await,
            403,
            "NOT_LEADER",
            NOT_LEADER,
        );
        expect_error(
            m.set_party_lobby_selection().body(selection()).await,
            403,
            "NOT_SELECTOR",
            NOT_SELECTOR,
        );
        // The server, acting for the member, is held to the same rules.
        expect_error(
            env.party_server()
                .server_disband_party()
                .body(ServerActorBody {
                    actor_id: member.id,
                })
                .await,
            403,
            "NOT_LEADER",
            NOT_LEADER,
        );
        // Inviting into someone else's party is impossible: an invite always comes from the
        // inviter's own party.
        let own = o
            .invite_to_party()
            .body(invite(&invitee))
            .await
            .expect("the outsider's own invite");
        assert_ne!(own.party_id, Some(party_id));

        let after = env.state("/social/party").await;
        for pointer in [
            format!("/parties/{party_id}"),
            format!("/invites/{}/{party_id}", invitee.id),
            format!("/memberOf/{}", leader.id),
            format!("/memberOf/{}", member.id),
        ] {
            assert_eq!(
                after.pointer(&pointer),
                before.pointer(&pointer),
                "{pointer} changed"
            );
            assert!(
                before.pointer(&pointer).is_some(),
                "{pointer} is in the dump"
            );
        }
        let view = i.get_party().await.expect("invitee's view");
        let from_leader: Vec<_> = view
            .invites
            .iter()
            .filter(|inv| inv.party_id == Some(party_id))
            .collect();
        assert_eq!(from_leader.len(), 1, "the invitee's invite is still there");
        let party = l
            .get_party()
            .await
            .expect("leader's view")
            .party
            .expect("a party");
        assert_eq!(party.members.len(), 2);
    }

    #[tokio::test]
    async fn contact_tags_belong_to_their_owner() {
        let env = Env::new().await;
        let (alice, bob, carol) = (
            env.user("alice").await,
            env.user("bob").await,
            env.user("carol").await,
        );
        let (a, b) = (env.contacts(&alice), env.contacts(&bob));
        let tag = |target: &CreatedUser, text: &str| SetUserTagRequest {
            target_user_id: Some(target.user.id),
            user_tag: Some(text.to_owned()),
        };
        let tags = |client: contacts::Client, ids: Vec<i64>| async move {
            client
                .get_user_tags()
                .body(GetUserTagsRequest {
                    target_user_ids: ids,
                })
                .await
                .expect("tags")
                .into_iter()
                .filter_map(|t| Some((t.target_user_id?, t.target_user_tag?)))
                .collect::<Vec<_>>()
        };
        a.set_user_tag()
            .body(tag(&carol, "bestie"))
            .await
            .expect("alice tags carol");
        let before = env.state("/roblox/tags").await;

        assert!(
            tags(b.clone(), vec![carol.user.id, alice.user.id])
                .await
                .is_empty(),
            "bob sees none of alice's tags"
        );
        // Bob's tag of carol, and bob clearing it, are his alone.
        b.set_user_tag()
            .body(tag(&carol, "rival"))
            .await
            .expect("bob tags carol");
        assert_eq!(
            tags(b.clone(), vec![carol.user.id]).await,
            [(carol.user.id, "rival".to_owned())]
        );
        b.set_user_tag()
            .body(tag(&carol, ""))
            .await
            .expect("bob clears his tag");
        assert!(tags(b.clone(), vec![carol.user.id]).await.is_empty());

        assert_eq!(
            env.state("/roblox/tags").await,
            before,
            "alice's tag unchanged"
        );
        assert_eq!(
            tags(a, vec![carol.user.id]).await,
            [(carol.user.id, "bestie".to_owned())]
        );
    }

    #[tokio::test]
    async fn a_roblox_friend_request_is_answered_only_by_its_recipient() {
        let env = Env::new().await;
        let (alice, bob, xavier, carol) = (
            env.user("alice").await,
            env.user("bob").await,
            env.user("xavier").await,
            env.user("carol").await,
        );
        env.world
            .befriend(alice.user.id, carol.user.id, false)
            .await
            .expect("friends");
        let (a, b) = (env.friends(&alice), env.friends(&bob));
        env.friends(&xavier)
            .request_friendship()
            .target_user_id(alice.user.id)
            .body(FriendshipRequest {
                friendship_origin_source_type: None,
            })
            .await
            .expect("xavier asks alice");
        let before = env.state("/roblox").await;

        expect_error(
            b.accept_friend_request()
                .requester_user_id(xavier.user.id)
                .await,
            400,
            10,
            NO_FRIEND_REQUEST,
        );
        expect_error(
            b.decline_friend_request()
                .requester_user_id(xavier.user.id)
                .await,
            400,
            10,
            NO_FRIEND_REQUEST,
        );
        b.decline_all_friend_requests()
            .await
            .expect("bob declines all of his own");
        let mine: Vec<_> = b
            .get_my_friend_requests()
            .stream()
            .try_collect()
            .await
            .expect("bob's requests");
        assert!(mine.is_empty(), "bob sees none of alice's requests");
        let count = b
            .get_pending_friend_requests_count()
            .await
            .expect("bob's count");
        assert_eq!(count.count, Some(0));
        // Unfriending alice's friend as bob does not touch alice's friendship.
        let _ = b.unfriend_user().target_user_id(carol.user.id).await;

        let mut after = env.state("/roblox").await;
        // Bob's own session bookkeeping (CSRF token, "last listed" marker) is his.
        for key in ["csrf", "requests_seen"] {
            after[key] = before[key].clone();
        }
        assert_eq!(after, before, "alice's requests and friends unchanged");
        let pending = a
            .get_pending_friend_requests_count()
            .await
            .expect("alice's count");
        assert_eq!(pending.count, Some(1));
        a.accept_friend_request()
            .requester_user_id(xavier.user.id)
            .await
            .expect("alice, the recipient, accepts");
    }

    #[tokio::test]
    async fn roster_applications_and_blacklists_are_private() {
        let env = Env::new().await;
        let app = env.world.create_roster_app().await.expect("app");
        let other_app = env.world.create_roster_app().await.expect("other app");
        let user = |name: &'static str, mode: i32| {
            let (world, app) = (env.world.clone(), app.app_id.clone());
            async move {
                world
                    .create_roster_user(&app, json!({ "username": name, "authMode": mode }))
                    .await
                    .expect("user")
            }
        };
        let (ann, bob, xan, yves, zoe) = (
            user("ann", 1).await,
            user("bob", 1).await,
            user("xan", 0).await,
            user("yves", 0).await,
            user("zoe", 0).await,
        );
        let client = |u: &CreatedRosterUser| {
            env.config
                .roster(Auth::roster(app.app_id.as_str(), u.token.as_str()))
        };
        let (a, b, x) = (client(&ann), client(&bob), client(&xan));
        x.apply_roster_friend()
            .body_map(|body| body.user_id(ann.user.id))
            .await
            .expect("xan applies to ann");
        a.block_roster_user()
            .user_id(yves.user.id)
            .await
            .expect("ann blocks yves");
        env.world
            .roster_befriend(&app.app_id, ann.user.id, zoe.user.id)
            .await
            .expect("ann and zoe are friends");
        a.update_roster_friend_ext()
            .body(RosterExtUpdateRequest {
                alias: Some("ann's alias".into()),
                ext: Some("ann's notes".into()),
                mute_notification: Some(true),
                user_id: zoe.user.id,
            })
            .await
            .expect("ann's side of the friendship");
        let before = env.state("/roster").await;
        let applications = |c: roster::Client| async move {
            c.list_roster_applications()
                .stream()
                .try_collect::<Vec<_>>()
                .await
        };
        let code = |result: Result<_, Error>, code: i64| {
            let error = result.expect_err("refused");
            assert_eq!(error.status().map(|s| s.as_u16()), Some(200), "{error:?}");
            assert!(
                error.code().is_some_and(|c| *c == code),
                "expected {code}: {error:?}"
            );
        };

        // Bob sees only what is addressed to him, and answers only that.
        assert!(applications(b.clone()).await.expect("bob's").is_empty());
        assert!(b.list_roster_blocked().await.expect("bob's").is_empty());
        code(
            b.accept_roster_application()
                .user_id(xan.user.id)
                .await
                .map(drop),
            NO_APPLICATION,
        );
        code(
            b.accept_roster_application_via_post()
                .user_id(xan.user.id)
                .await
                .map(drop),
            NO_APPLICATION,
        );
        let decline = || RosterDeclineRequest {
            reason: None,
            user_id: xan.user.id,
        };
        code(
            b.decline_roster_application()
                .body(decline())
                .await
                .map(drop),
            NO_APPLICATION,
        );
        // Bob's token naming ann is refused everywhere.
        let as_ann = env.config.roster(
            Auth::roster(app.app_id.as_str(), bob.token.as_str()).acting_as_user(ann.user.id),
        );
        code(applications(as_ann.clone()).await.map(drop), NO_PERMISSION);
        code(as_ann.list_roster_blocked().await.map(drop), NO_PERMISSION);
        code(
            as_ann
                .accept_roster_application()
                .user_id(xan.user.id)
                .await
                .map(drop),
            NO_PERMISSION,
        );
        code(
            as_ann
                .unblock_roster_user()
                .user_id(yves.user.id)
                .await
                .map(drop),
            NO_PERMISSION,
        );
        code(
            b.roster_may_message()
                .user_id(ann.user.id)
                .roster_id(xan.user.id)
                .await
                .map(drop),
            NO_PERMISSION,
        );
        // Looking zoe up, bob sees none of what ann keeps about her.
        let details = b
            .list_roster_friend_details()
            .body(RosterFriendDetailsRequest {
                list: vec![zoe.user.id],
            })
            .await
            .expect("details");
        let by_id = b
            .get_roster_user_by_id()
            .user_id(zoe.user.id)
            .await
            .expect("lookup");
        for info in details.iter().chain([&by_id]) {
            assert_eq!((&info.alias, &info.ext), (&None, &None), "{info:?}");
            assert_eq!(info.mute_notification, Some(false), "{info:?}");
            assert_eq!(info.relation, Some(2), "a stranger to bob: {info:?}");
        }
        // Another app's admin token cannot act as ann.
        let foreign = env.config.roster(
            Auth::roster(app.app_id.as_str(), other_app.admin_token.as_str())
                .acting_as_user(ann.user.id),
        );
        code(applications(foreign.clone()).await.map(drop), INVALID_TOKEN);
        code(foreign.list_roster_blocked().await.map(drop), INVALID_TOKEN);

        assert_eq!(env.state("/roster").await, before, "nothing changed");
        let pending = applications(a.clone()).await.expect("ann's");
        assert_eq!(pending.len(), 1, "{pending:?}");
        assert_eq!(pending[0].user_id, Some(xan.user.id));
        assert_eq!(pending[0].status, Some(0), "still pending");
        assert_eq!(
            a.list_roster_blocked().await.expect("ann's"),
            [yves.user.id]
        );
        // Unblocking someone bob never blocked succeeds for bob, and leaves ann's block.
        b.unblock_roster_user()
            .user_id(yves.user.id)
            .await
            .expect("bob's no-op unblock");
        assert_eq!(
            a.list_roster_blocked().await.expect("ann's"),
            [yves.user.id]
        );
        drop(env);
    }
}
