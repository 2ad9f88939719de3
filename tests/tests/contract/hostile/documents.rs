//! The operations of every document the stub serves, from its spec index: parameters,
//! bodies, documented responses and error codes, credentials, cursors.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Friends, Contacts: `{"errors":[{"code","message"}]}`.
    Roblox,
    /// Roster: HTTP 200 `{code, data, message}`.
    Roster,
    /// Social friends, party: `{"error","message"}`.
    Social,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Credentials {
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
pub(super) enum Loc {
    Path,
    Query,
    Header,
}

impl Loc {
    /// The parameter's `in`.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Self::Path => "path",
            Self::Query => "query",
            Self::Header => "header",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Param {
    pub(super) name: String,
    pub(super) loc: Loc,
    pub(super) required: bool,
    pub(super) schema: Value,
    /// `x-sdk-injected`: set by the SDK from its configuration (credentials, server id).
    pub(super) injected: bool,
    pub(super) x_limit: Option<Value>,
}

#[derive(Debug, Clone)]
pub(super) struct Op {
    pub(super) service: &'static Service,
    pub(super) kind: Kind,
    pub(super) id: String,
    pub(super) method: String,
    pub(super) path: String,
    /// Every method the path declares (for the wrong-method variant).
    pub(super) path_methods: Vec<String>,
    pub(super) params: Vec<Param>,
    pub(super) body: Option<Value>,
    pub(super) body_required: bool,
    pub(super) responses: Map<String, Value>,
    pub(super) credentials: Credentials,
    pub(super) live: bool,
    /// Roster: the operation's `x-business-codes`.
    pub(super) business_codes: Vec<i64>,
    pub(super) cursor: Option<String>,
    /// `x-cursor.next`: the answer's field with the next page's cursor.
    pub(super) cursor_next: Option<String>,
}

impl Op {
    pub(super) fn name(&self) -> String {
        format!("{}.{}", self.service.spec_name, self.id)
    }

    pub(super) fn documents(&self, status: u16) -> bool {
        self.responses.contains_key(&status.to_string())
    }

    /// The `x-error-codes` entries of one documented response.
    pub(super) fn error_codes(&self, status: u16) -> Vec<Value> {
        self.responses
            .get(&status.to_string())
            .and_then(|r| r.get("x-error-codes"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    /// Whether bad input has a documented answer: `400`, or a roster business code.
    pub(super) fn answers_bad_input(&self) -> bool {
        self.kind == Kind::Roster || self.documents(400)
    }
}

/// Every operation of every document the stub serves, from the stub's spec index (`$ref`s
/// resolved), in document order: document, path, then `get`, `put`, `post`, `delete`,
/// `patch`.
pub(super) fn operations() -> Vec<Op> {
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
