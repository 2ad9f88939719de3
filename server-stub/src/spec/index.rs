//! The one index of the five documents: every operation with its parameters, body,
//! security, documented statuses, error codes and success schema, built once from the
//! embedded YAML. Validation, completion, error messages and the test suites all read it.

use super::{Location, SERVICES};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::LazyLock;

/// One declared parameter of an operation (`x-sdk-injected` ones included: the stub checks
/// them even though the SDK's builders do not show them).
#[derive(Debug)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// Where it goes.
    pub location: Location,
    /// Whether it must be given.
    pub required: bool,
    /// Its schema, `$ref`s resolved.
    pub schema: Value,
    /// Whether the SDK sets it from configuration (`x-sdk-injected`).
    pub injected: bool,
}

/// How a document's service reads request bodies: the top-level
/// `x-request-bodies: {media-types: […], content-type-required: bool}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyMedia {
    /// The media types it parses as JSON (`application/*+json` matches any `+json`).
    /// Without the extension: `application/json` and `application/*+json`.
    pub types: Vec<String>,
    /// Whether an operation that takes a body refuses (`415`) a request without a
    /// `Content-Type` header even when the body is empty (ASP.NET Core's input formatters).
    pub content_type_required: bool,
}

impl BodyMedia {
    fn of(doc: &Value) -> Self {
        let ext = doc.get("x-request-bodies");
        let types = ext
            .and_then(|e| e.get("media-types"))
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_ascii_lowercase)
                    .collect()
            })
            .unwrap_or_else(|| vec!["application/json".into(), "application/*+json".into()]);
        let content_type_required = ext
            .and_then(|e| e.get("content-type-required"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        Self {
            types,
            content_type_required,
        }
    }

    /// Whether the service reads a body of this media type (parameters such as `charset`
    /// already stripped, lower case).
    pub fn accepts(&self, mime: &str) -> bool {
        self.types.iter().any(|t| match t.strip_suffix("*+json") {
            Some(prefix) => mime.starts_with(prefix) && mime.ends_with("+json"),
            None => t == mime,
        })
    }
}

/// One operation of a document, as the stub reads it.
#[derive(Debug)]
pub struct OperationSpec {
    /// File stem of its document (`friends`, `social-friends`, …).
    pub spec: &'static str,
    /// `operationId`.
    pub id: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template, e.g. `/v1/users/{userId}/friends`.
    pub path: String,
    /// Path parameter names in template order (the router passes values in that order).
    pub path_names: Vec<String>,
    /// Parameters, path-level ones first.
    pub params: Vec<Parameter>,
    /// `(required, schema)` of the JSON request body.
    pub body: Option<(bool, Value)>,
    /// How the service reads request bodies (the document's `x-request-bodies`).
    pub body_media: BodyMedia,
    /// Whether `security` asks for credentials.
    pub requires_auth: bool,
    /// `(status, code)` → message, from each response's `x-error-codes`.
    pub error_codes: HashMap<(u16, i64), String>,
    /// `(status, error name)` → message, for documents whose codes are names.
    pub error_names: HashMap<(u16, String), String>,
    /// Every documented response status.
    pub statuses: Vec<u16>,
    /// The success response's JSON schema, resolved.
    pub success_schema: Option<Value>,
    /// The operation's own object in the document, `$ref`s resolved (extensions included).
    pub raw: Value,
}

type Index = HashMap<&'static str, HashMap<String, OperationSpec>>;

static INDEX: LazyLock<Index> = LazyLock::new(build_index);

/// The embedded documents, parsed once: `(spec stem, document)`.
static DOCS: LazyLock<Vec<(&'static str, Value)>> = LazyLock::new(|| {
    SERVICES
        .iter()
        .filter_map(|service| match parse(service) {
            Ok(doc) => Some((service.spec_name, doc)),
            Err(error) => {
                tracing::error!(spec = service.spec_name, %error, "embedded document does not parse");
                None
            }
        })
        .collect()
});

/// A service's document, merged with its companion.
fn parse(service: &super::Service) -> Result<Value, String> {
    let mut doc = serde_yaml_ng::from_str::<Value>(service.spec).map_err(|e| e.to_string())?;
    if let Some(live) = service.live_spec {
        let live = serde_yaml_ng::from_str::<Value>(live).map_err(|e| e.to_string())?;
        super::companion::merge(&mut doc, service.spec_name, live)?;
    }
    Ok(doc)
}

/// Every document's named schemas, resolved: `(spec, component) → schema`.
static COMPONENTS: LazyLock<HashMap<(&'static str, String), Value>> = LazyLock::new(|| {
    let mut components = HashMap::new();
    for (spec_name, doc) in DOCS.iter() {
        for (name, schema) in doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            components.insert((*spec_name, name.clone()), resolve(doc, schema, 0));
        }
    }
    components
});

/// Every operation of every document, in no particular order.
pub fn operations() -> impl Iterator<Item = &'static OperationSpec> {
    INDEX.values().flat_map(HashMap::values)
}

/// One operation by document stem and `operationId`.
pub fn operation(spec: &str, id: &str) -> Option<&'static OperationSpec> {
    INDEX.get(spec)?.get(id)
}

/// A document's named schema (`components/schemas/<name>`), `$ref`s resolved.
pub fn component(spec: &str, name: &str) -> Option<&'static Value> {
    COMPONENTS.get(&(spec_key(spec)?, name.to_owned()))
}

/// A parsed document, whole.
pub fn document(spec: &str) -> Option<&'static Value> {
    DOCS.iter().find(|(s, _)| *s == spec).map(|(_, doc)| doc)
}

fn spec_key(spec: &str) -> Option<&'static str> {
    DOCS.iter().find(|(s, _)| *s == spec).map(|(s, _)| *s)
}

/// The message the document gives `code` on `status` of an operation, if it lists it.
pub fn error_message(spec: &str, operation: &str, status: u16, code: i64) -> Option<String> {
    self::operation(spec, operation)?
        .error_codes
        .get(&(status, code))
        .cloned()
}

/// The message the document gives the error name `name` on `status` of an operation (social,
/// party), if it lists it.
pub fn error_name_message(spec: &str, operation: &str, status: u16, name: &str) -> Option<String> {
    self::operation(spec, operation)?
        .error_names
        .get(&(status, name.to_owned()))
        .cloned()
}

/// Whether the operation documents `status`.
pub fn documents_status(spec: &str, operation: &str, status: u16) -> bool {
    self::operation(spec, operation).is_some_and(|op| op.statuses.contains(&status))
}

/// Whether the operation's `security` asks for credentials.
pub fn requires_auth(spec: &str, operation: &str) -> bool {
    self::operation(spec, operation).is_some_and(|op| op.requires_auth)
}

fn build_index() -> Index {
    let mut index = HashMap::new();
    for (spec_name, doc) in DOCS.iter() {
        let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
            continue;
        };
        for (path, item) in paths {
            let path_names: Vec<String> = path
                .split('{')
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
                .collect();
            let shared: Vec<Value> = item
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for method in ["get", "put", "post", "delete", "patch"] {
                let Some(op) = item.get(method) else { continue };
                let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                    continue;
                };
                let own = op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let mut params = Vec::new();
                for param in shared.iter().chain(own.iter()) {
                    let param = resolve(doc, param, 0);
                    let injected =
                        param.get("x-sdk-injected").and_then(Value::as_bool) == Some(true);
                    let location = match param.get("in").and_then(Value::as_str) {
                        Some("path") => Location::Path,
                        Some("query") => Location::Query,
                        Some("header") => Location::Header,
                        _ => continue,
                    };
                    params.push(Parameter {
                        name: param
                            .get("name")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned(),
                        location,
                        required: param
                            .get("required")
                            .and_then(Value::as_bool)
                            .unwrap_or(false),
                        schema: resolve(doc, param.get("schema").unwrap_or(&Value::Null), 0),
                        injected,
                    });
                }
                let body = op.get("requestBody").map(|b| {
                    let b = resolve(doc, b, 0);
                    let schema = b
                        .pointer("/content/application~1json/schema")
                        .cloned()
                        .unwrap_or(Value::Null);
                    (
                        b.get("required").and_then(Value::as_bool).unwrap_or(false),
                        resolve(doc, &schema, 0),
                    )
                });
                let security = op.get("security").or_else(|| doc.get("security"));
                let requires_auth = security
                    .and_then(Value::as_array)
                    .is_some_and(|s| !s.is_empty());
                let mut error_codes = HashMap::new();
                let mut error_names = HashMap::new();
                let success_schema = op
                    .get("responses")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .find(|(status, _)| status.starts_with('2'))
                    .and_then(|(_, r)| {
                        resolve(doc, r, 0)
                            .pointer("/content/application~1json/schema")
                            .cloned()
                    });
                let statuses: Vec<u16> = op
                    .get("responses")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .filter_map(|(s, _)| s.parse().ok())
                    .collect();
                for (status, response) in op
                    .get("responses")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                {
                    let Ok(status) = status.parse::<u16>() else {
                        continue;
                    };
                    let response = resolve(doc, response, 0);
                    for entry in response
                        .get("x-error-codes")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                    {
                        let message = entry
                            .get("message")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_owned();
                        if let Some(code) = entry.get("code").and_then(Value::as_i64) {
                            error_codes.insert((status, code), message);
                        } else if let Some(name) = entry.get("error").and_then(Value::as_str) {
                            // A name listed twice keeps its first message.
                            error_names
                                .entry((status, name.to_owned()))
                                .or_insert(message);
                        }
                    }
                }
                index.entry(*spec_name).or_insert_with(HashMap::new).insert(
                    id.to_owned(),
                    OperationSpec {
                        spec: spec_name,
                        id: id.to_owned(),
                        method: method.to_ascii_uppercase(),
                        path: path.clone(),
                        raw: resolve(doc, op, 0),
                        path_names: path_names.clone(),
                        params,
                        body,
                        body_media: BodyMedia::of(doc),
                        requires_auth,
                        error_codes,
                        error_names,
                        statuses,
                        success_schema,
                    },
                );
            }
        }
    }
    index
}

/// Replaces every `$ref` with its target, recursively (the documents have no cycles; depth
/// is capped anyway).
fn resolve(doc: &Value, value: &Value, depth: usize) -> Value {
    if depth > 32 {
        return Value::Null;
    }
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                let target = reference
                    .strip_prefix('#')
                    .and_then(|p| doc.pointer(p))
                    .cloned()
                    .unwrap_or(Value::Null);
                return resolve(doc, &target, depth + 1);
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), resolve(doc, v, depth + 1)))
                    .collect(),
            )
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| resolve(doc, v, depth + 1)).collect())
        }
        other => other.clone(),
    }
}
