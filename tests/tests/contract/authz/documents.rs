//! The operations of a document as the table needs them, from the stub's spec index: how
//! each is guarded (its `security`, or the document's), which world's ids it takes, whether
//! it is a live stream.

use super::*;

// ---- the documents ------------------------------------------------------------------------

/// How an operation is guarded, read from its `security` (or the document's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Guard {
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
pub(super) enum Family {
    Roblox,
    Social,
    Roster,
}

impl Family {
    pub(super) fn of(spec: &str) -> Self {
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
pub(super) struct Operation {
    pub(super) spec: &'static str,
    pub(super) id: String,
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) guard: Guard,
    pub(super) live: bool,
    pub(super) def: Value,
}

impl Operation {
    /// The `x-error-codes` a response status of this operation documents.
    pub(super) fn documented(&self, status: u16) -> Vec<Value> {
        self.def
            .pointer(&format!("/responses/{status}/x-error-codes"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    pub(super) fn mutating(&self) -> bool {
        self.method != Method::GET
    }

    pub(super) fn label(&self) -> String {
        format!("{} {} {} ({})", self.spec, self.method, self.path, self.id)
    }
}

/// A document, as the stub's spec index holds it.
pub(super) struct Document {
    pub(super) spec: &'static str,
    pub(super) doc: &'static Value,
}

impl Document {
    pub(super) fn load(spec: &str) -> Self {
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
    pub(super) fn resolve<'a>(&'a self, mut value: &'a Value) -> &'a Value {
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
    pub(super) fn operations(&self) -> Vec<Operation> {
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
pub(super) fn guard_of(security: Option<&Value>, operation: &str) -> Guard {
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
