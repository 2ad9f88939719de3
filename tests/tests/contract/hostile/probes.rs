//! Valid-looking input sampled from the schemas, and the probe: one request rendered byte
//! for byte, valid but for the one change a variant makes.

use super::*;

/// A valid value for a parameter or body field, by name and schema (real ids where the
/// operation looks them up).
pub(super) fn sample(op: &Op, seed: &Seed, name: &str, schema: &Value, loc: Option<Loc>) -> Value {
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    // A combinator beside `properties` states a rule across them (the "`targetId` or
    // `targetName`" `anyOf`); every property sampled satisfies its first branch.
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(first) = schema[key].as_array().and_then(|b| b.first())
            && schema.get("properties").is_none()
        {
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
                "partyId" | "invitingPartyId" => seed.inviting_party.as_str(),
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
pub(super) fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// JSON text, with `"@@raw:X"` strings replaced by the raw text `X` (numbers no
/// `serde_json::Value` can hold).
pub(super) fn json_bytes(value: &Value) -> Vec<u8> {
    let mut text = serde_json::to_string(value).expect("JSON");
    while let Some(start) = text.find(&format!("\"{RAW}")) {
        let end = text[start + 1..].find('"').expect("closing quote") + start + 1;
        let raw = text[start + 1 + RAW.len()..end].to_owned();
        text.replace_range(start..=end, &raw);
    }
    text.into_bytes()
}

pub(super) fn raw_number(text: &str) -> Value {
    json!(format!("{RAW}{text}"))
}

/// Whether an integer fits a parameter's schema and its `x-limit`.
pub(super) fn int_is_valid(value: i128, schema: &Value, x_limit: Option<&Value>) -> bool {
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

/// The answer a hostile request must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Expect {
    /// The operation's documented bad-input answer: `400` (roster: business code 10002).
    Input,
    /// A content type the service does not read: its documented `415` if it has one
    /// (Friends, Contacts), otherwise the bad-input answer.
    MediaType,
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
pub(super) struct Probe {
    pub(super) op: usize,
    pub(super) variant: String,
    pub(super) expect: Expect,
    pub(super) method: String,
    /// Path parameter values, already percent-encoded (raw bytes may be anything).
    pub(super) path: BTreeMap<String, Vec<u8>>,
    /// Appended to the path (unknown route).
    pub(super) suffix: Vec<u8>,
    /// Query pairs, already percent-encoded.
    pub(super) query: Vec<(String, Vec<u8>)>,
    pub(super) headers: Vec<(String, Vec<u8>)>,
    /// Raw header lines (each ending in CRLF), sent as-is.
    pub(super) raw_lines: Vec<u8>,
    pub(super) body: Option<Vec<u8>>,
    /// `Content-Length` to claim instead of the body's length.
    pub(super) claimed_length: Option<usize>,
    /// Send the body with `Transfer-Encoding: chunked` (already framed).
    pub(super) chunked: bool,
    /// Close the write half after sending (the body never completes).
    pub(super) half_close: bool,
    /// Send no `Content-Length` of our own (the raw lines carry one).
    pub(super) omit_length: bool,
}

impl Probe {
    pub(super) fn with(&self, variant: impl Into<String>, expect: Expect) -> Self {
        Self {
            variant: variant.into(),
            expect,
            ..self.clone()
        }
    }

    pub(super) fn set_header(&mut self, name: &str, value: Vec<u8>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value));
    }

    pub(super) fn set_query(&mut self, name: &str, values: Vec<Vec<u8>>) {
        self.query.retain(|(n, _)| n != name);
        for value in values {
            self.query.push((name.to_owned(), value));
        }
    }

    pub(super) fn render(&self, ops: &[Op], seed: &Seed, host: SocketAddr) -> Vec<u8> {
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

pub(super) struct ByteWriter<'a>(pub(super) &'a mut Vec<u8>);

impl std::fmt::Write for ByteWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// The valid request of an operation: credentials, path parameters, required parameters and
/// (where it takes one) a body, all filled with real values of the seeded world.
pub(super) fn valid_probe(index: usize, op: &Op, seed: &Seed) -> Probe {
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
