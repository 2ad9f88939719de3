//! The world the table runs in: a stub and a world holding a bit of everything (the victim's
//! data included, so a request that slipped through would act on something real), a second
//! world for foreign credentials, and requests prepared from the documents with the ids it
//! knows.

use super::*;

// ---- the world the table runs in ----------------------------------------------------------

/// A stub and a world holding a bit of everything, the victim's data included, so that a
/// request that slipped through would act on something real.
pub(super) struct Fixture {
    /// The stub, the victim's world, the SDK and a plain HTTP client.
    pub(super) env: Env,
    pub(super) secret: String,
    // Roblox: alice is the victim, bob the other user; mallory lives in another world.
    pub(super) alice: CreatedUser,
    pub(super) bob: CreatedUser,
    pub(super) mallory: CreatedUser,
    pub(super) alice_csrf: String,
    pub(super) bob_csrf: String,
    pub(super) anonymous_csrf: String,
    // Social: pa is the victim, friends with pc, blocking pd, asking pe; pb is invited to
    // pa's party; stranger lives in another world.
    pub(super) pa: CreatedPlayer,
    pub(super) pc: CreatedPlayer,
    pub(super) pd: CreatedPlayer,
    pub(super) stranger: CreatedPlayer,
    pub(super) request_id: String,
    pub(super) party_id: Uuid,
    // Roster: ra (victim) and rb in the app; ro in another app; the other world has an app
    // with the same id.
    pub(super) app: CreatedRosterApp,
    pub(super) other_app: CreatedRosterApp,
    pub(super) ra: CreatedRosterUser,
    pub(super) rb: CreatedRosterUser,
    pub(super) ro: CreatedRosterUser,
    pub(super) foreign_admin: String,
}

impl std::ops::Deref for Fixture {
    type Target = Env;

    fn deref(&self) -> &Env {
        &self.env
    }
}

impl Fixture {
    pub(super) async fn new() -> Self {
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
    pub(super) fn known(
        &self,
        family: Family,
        name: &str,
        location: &str,
        schema: &Value,
    ) -> Option<Value> {
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
                ("partyId" | "invitingPartyId", _) => Some(json!(self.party_id)),
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
    pub(super) fn sample(
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
    pub(super) fn prepare(&self, doc: &Document, op: &Operation) -> Prepared {
        self.prepare_as(doc, op, false)
            .expect("a valid request can always be made")
    }

    /// The same request with input the document rejects (path and query ids that are not
    /// ids, a body that is not JSON), if the operation takes any input.
    pub(super) fn malformed(&self, doc: &Document, op: &Operation) -> Option<Prepared> {
        self.prepare_as(doc, op, true)
    }

    pub(super) fn prepare_as(
        &self,
        doc: &Document,
        op: &Operation,
        malformed: bool,
    ) -> Option<Prepared> {
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
    pub(super) fn variants(&self, op: &Operation) -> Vec<Variant> {
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
    pub(super) fn valid(&self, op: &Operation) -> Vec<(&'static str, String)> {
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

    pub(super) async fn send(
        &self,
        prepared: &Prepared,
        headers: &[(&'static str, String)],
    ) -> Answer {
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
    pub(super) async fn state(&self) -> Value {
        let mut state = self.world.state().await.expect("state dump");
        if let Some(object) = state.as_object_mut() {
            object.remove("now");
        }
        state
    }

    /// Checks one refused answer against what the document and the variant say.
    pub(super) fn judge(
        &self,
        op: &Operation,
        variant: &Variant,
        answer: &Answer,
    ) -> Result<(), String> {
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
