//! Request validation straight from the documents the stub serves: every parameter's
//! location, requiredness, type, format, enum, range, length and item count, and the JSON
//! body against its schema. The checked values become one JSON object that deserialises into
//! the generated `<Op>Input` struct.
//!
//! Array query parameters are accepted repeated (`ids=1&ids=2`), comma-joined (`ids=1,2`)
//! and mixed. A scalar query parameter given twice is invalid.

use crate::http::{Invalid, Location, Operation, RawRequest};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Debug)]
struct ParamSpec {
    name: String,
    location: Location,
    required: bool,
    schema: Value,
}

#[derive(Debug)]
struct OpSpec {
    /// Path parameter names in template order (the router passes values in that order).
    path_names: Vec<String>,
    params: Vec<ParamSpec>,
    body: Option<(bool, Value)>,
    /// Whether `security` asks for credentials.
    requires_auth: bool,
    /// `(status, code)` → message, from each response's `x-error-codes`.
    error_codes: HashMap<(u16, i64), String>,
    /// `(status, error name)` → message, for documents whose codes are names.
    error_names: HashMap<(u16, String), String>,
    /// Every documented response status.
    statuses: Vec<u16>,
    /// The success response's JSON schema, resolved.
    success_schema: Option<Value>,
}

type Index = HashMap<&'static str, HashMap<String, OpSpec>>;

static INDEX: LazyLock<Index> = LazyLock::new(build_index);

/// The embedded documents, parsed once: `(spec stem, document)`.
static DOCS: LazyLock<Vec<(&'static str, Value)>> = LazyLock::new(|| {
    crate::SERVICES
        .iter()
        .filter_map(|service| match serde_yaml_ng::from_str::<Value>(service.spec) {
            Ok(doc) => Some((service.spec_name, doc)),
            Err(error) => {
                tracing::error!(spec = service.spec_name, %error, "embedded document does not parse");
                None
            }
        })
        .collect()
});

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

/// Like [`complete_response`] for a named schema of a document (live frames).
pub(crate) fn complete_component(spec: &'static str, component: &str, value: &mut Value) {
    if let Some(schema) = COMPONENTS.get(&(spec, component.to_owned())) {
        complete(value, schema, 0);
    }
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
                    if param.get("x-sdk-injected").and_then(Value::as_bool) == Some(true) {
                        continue;
                    }
                    let location = match param.get("in").and_then(Value::as_str) {
                        Some("path") => Location::Path,
                        Some("query") => Location::Query,
                        Some("header") => Location::Header,
                        _ => continue,
                    };
                    params.push(ParamSpec {
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
                    OpSpec {
                        path_names: path_names.clone(),
                        params,
                        body,
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

/// The message the document gives `code` on `status` of an operation, if it lists it.
pub(crate) fn error_message(spec: &str, operation: &str, status: u16, code: i64) -> Option<String> {
    op_spec(spec, operation)?
        .error_codes
        .get(&(status, code))
        .cloned()
}

/// The message the document gives the error name `name` on `status` of an operation (social,
/// party), if it lists it.
pub(crate) fn error_name_message(
    spec: &str,
    operation: &str,
    status: u16,
    name: &str,
) -> Option<String> {
    op_spec(spec, operation)?
        .error_names
        .get(&(status, name.to_owned()))
        .cloned()
}

/// Fills in what the generated types leave out when serialising: every property of the
/// success schema that is absent becomes `null` when nullable and `[]` when an array, at any
/// depth, so answers have the real services' full shape (`"party": null`, `"friends": []`).
pub(crate) fn complete_response(spec: &str, operation: &str, value: &mut Value) {
    if let Some(schema) = op_spec(spec, operation).and_then(|op| op.success_schema.as_ref()) {
        complete(value, schema, 0);
    }
}

fn complete(value: &mut Value, schema: &Value, depth: usize) {
    if depth > 16 {
        return;
    }
    match value {
        Value::Object(map) => {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                // An open enum or a oneOf of objects: complete against the branch that fits.
                if let Some(branch) = schema
                    .get("oneOf")
                    .and_then(Value::as_array)
                    .and_then(|b| b.iter().find(|b| b.get("properties").is_some()))
                {
                    complete(value, branch, depth + 1);
                }
                return;
            };
            for (name, property) in properties {
                match map.get_mut(name) {
                    Some(inner) => complete(inner, property, depth + 1),
                    None if property.get("nullable").and_then(Value::as_bool) == Some(true) => {
                        map.insert(name.clone(), Value::Null);
                    }
                    None if property.get("type").and_then(Value::as_str) == Some("array") => {
                        map.insert(name.clone(), Value::Array(Vec::new()));
                    }
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    complete(item, item_schema, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Whether the operation documents `status`.
pub(crate) fn documents_status(spec: &str, operation: &str, status: u16) -> bool {
    op_spec(spec, operation).is_some_and(|op| op.statuses.contains(&status))
}

fn op_spec(spec: &str, operation: &str) -> Option<&'static OpSpec> {
    INDEX.get(spec)?.get(operation)
}

/// Whether the operation's `security` asks for credentials.
pub(crate) fn requires_auth(spec: &str, operation: &str) -> bool {
    op_spec(spec, operation).is_some_and(|op| op.requires_auth)
}

/// The operation's own entry in its document.
fn spec_of(op: &Operation) -> Result<&'static OpSpec, Invalid> {
    op_spec(op.spec, op.id).ok_or_else(|| Invalid::Body {
        reason: format!("operation {} is not in the document", op.id),
    })
}

/// The operation's declared query and header parameters, checked (for a route that reads
/// them outside [`parse`], such as a WebSocket upgrade): name → value.
pub(crate) fn query_and_headers(
    op: &Operation,
    uri: &axum::http::Uri,
    headers: &axum::http::HeaderMap,
) -> Result<Map<String, Value>, Invalid> {
    parameters(spec_of(op)?, uri, headers, &[], false)
}

/// Every declared parameter, checked against its schema: name → value.
fn parameters(
    spec: &OpSpec,
    uri: &axum::http::Uri,
    headers: &axum::http::HeaderMap,
    path_params: &[String],
    bad_path: bool,
) -> Result<Map<String, Value>, Invalid> {
    // `None`: a value that is not UTF-8 once decoded (invalid wherever a parameter reads it).
    let query: Vec<(String, Option<String>)> = uri
        .query()
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(key, true).unwrap_or_default();
            (key, percent_decode(value, true))
        })
        .collect();
    let mut out = Map::new();
    for param in &spec.params {
        let raw_values: Vec<String> = match param.location {
            Location::Path => {
                let position = spec.path_names.iter().position(|n| *n == param.name);
                let value = position.and_then(|i| path_params.get(i)).cloned();
                if bad_path {
                    return Err(Invalid::Parameter {
                        name: param.name.clone(),
                        location: Location::Path,
                        reason: "not valid UTF-8".into(),
                    });
                }
                value.into_iter().collect()
            }
            Location::Query => query
                .iter()
                .filter(|(k, _)| *k == param.name)
                .map(|(_, v)| v.clone())
                .collect::<Option<_>>()
                .ok_or_else(|| Invalid::Parameter {
                    name: param.name.clone(),
                    location: Location::Query,
                    reason: "not valid UTF-8".into(),
                })?,
            Location::Header => headers
                .get_all(param.name.as_str())
                .iter()
                .map(|v| v.to_str().map(str::to_owned))
                .collect::<Result<_, _>>()
                .map_err(|_| Invalid::Parameter {
                    name: param.name.clone(),
                    location: Location::Header,
                    reason: "not visible ASCII".into(),
                })?,
        };
        let problem = |reason: String| Invalid::Parameter {
            name: param.name.clone(),
            location: param.location,
            reason,
        };
        let value = if raw_values.is_empty() {
            match param.schema.get("default") {
                Some(default) => default.clone(),
                None if param.required => {
                    return Err(Invalid::MissingParameter {
                        name: param.name.clone(),
                        location: param.location,
                    });
                }
                None => continue,
            }
        } else if param.schema.get("type").and_then(Value::as_str) == Some("array") {
            let items: Vec<&str> = raw_values
                .iter()
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .collect();
            let item_schema = param.schema.get("items").cloned().unwrap_or(Value::Null);
            let values = items
                .iter()
                .map(|item| scalar(item, &item_schema))
                .collect::<Result<Vec<_>, _>>()
                .map_err(problem)?;
            let value = Value::Array(values);
            check(&value, &param.schema, "").map_err(problem)?;
            value
        } else {
            if raw_values.len() > 1 {
                return Err(problem("given more than once".into()));
            }
            scalar(&raw_values[0], &param.schema).map_err(problem)?
        };
        out.insert(param.name.clone(), value);
    }
    Ok(out)
}

/// Validates the request against the operation and deserialises it into the input struct.
pub(crate) fn parse<I: DeserializeOwned>(op: &Operation, raw: &RawRequest) -> Result<I, Invalid> {
    let spec = spec_of(op)?;
    let mut out = parameters(spec, &raw.uri, &raw.headers, &raw.path_params, raw.bad_path)?;
    if let Some((required, schema)) = &spec.body {
        let bytes = raw.body.as_ref().map_err(Clone::clone)?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            if *required {
                return Err(Invalid::MissingBody);
            }
        } else {
            let content_type = raw
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let mime = content_type
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if mime != "application/json" && !mime.ends_with("+json") {
                return Err(Invalid::UnsupportedMediaType {
                    found: content_type.to_owned(),
                });
            }
            let value: Value = serde_json::from_slice(bytes).map_err(|e| Invalid::Body {
                reason: format!("malformed JSON: {e}"),
            })?;
            check(&value, schema, "").map_err(|reason| Invalid::Body { reason })?;
            out.insert("$body".into(), value);
        }
    }
    serde_json::from_value(Value::Object(out)).map_err(|e| Invalid::Body {
        reason: e.to_string(),
    })
}

/// Percent-decodes a URL component (`+` as a space in a query string); `None` when the
/// result is not UTF-8.
pub(crate) fn percent_decode(raw: &str, plus_as_space: bool) -> Option<String> {
    let spaced;
    let raw = if plus_as_space && raw.contains('+') {
        spaced = raw.replace('+', " ");
        &spaced
    } else {
        raw
    };
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

/// One raw string as the JSON value its schema wants.
fn scalar(raw: &str, schema: &Value) -> Result<Value, String> {
    let value = match schema.get("type").and_then(Value::as_str) {
        Some("integer") => Value::from(
            raw.parse::<i64>()
                .map_err(|_| format!("{raw:?} is not an integer in range"))?,
        ),
        Some("number") => {
            let n: f64 = raw
                .parse()
                .map_err(|_| format!("{raw:?} is not a number"))?;
            serde_json::Number::from_f64(n)
                .map(Value::Number)
                .ok_or_else(|| format!("{raw:?} is not finite"))?
        }
        Some("boolean") => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(format!("{raw:?} is not true or false")),
        },
        _ => Value::String(raw.to_owned()),
    };
    check(&value, schema, "")?;
    Ok(value)
}

/// A subset of JSON Schema (what the documents use): type, nullable, enum, format (int32,
/// uuid, date-time), minimum/maximum, minLength/maxLength, minItems/maxItems, required,
/// properties, items, oneOf/anyOf (some branch), allOf, not.
pub(crate) fn check(value: &Value, schema: &Value, at: &str) -> Result<(), String> {
    let Some(schema) = schema.as_object() else {
        return Ok(());
    };
    let here = if at.is_empty() {
        "value".to_owned()
    } else {
        format!("`{at}`")
    };
    if value.is_null() {
        let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
        // A schema without `type` takes null only if it constrains nothing else either: a
        // `oneOf` of strings (an open enum) does not.
        let open = ["type", "enum", "oneOf", "anyOf", "allOf"]
            .iter()
            .all(|key| schema.get(*key).is_none());
        return if nullable || open {
            Ok(())
        } else {
            Err(format!("{here} must not be null"))
        };
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array)
            && !branches.iter().any(|b| check(value, b, at).is_ok())
        {
            return Err(format!("{here} matches none of the allowed shapes"));
        }
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for branch in all {
            check(value, branch, at)?;
        }
    }
    if let Some(not) = schema.get("not")
        && check(value, not, at).is_ok()
    {
        return Err(format!("{here} is a value that is not allowed here"));
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.iter().any(|o| o == value)
    {
        let list: Vec<String> = options.iter().map(Value::to_string).collect();
        return Err(format!("{here} must be one of {}", list.join(", ")));
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("integer") => {
            let Some(n) = value.as_i64() else {
                return Err(format!("{here} must be an integer"));
            };
            if schema.get("format").and_then(Value::as_str) == Some("int32")
                && i32::try_from(n).is_err()
            {
                return Err(format!("{here} is out of the int32 range"));
            }
            range(n as f64, schema, &here)?;
        }
        Some("number") => {
            let Some(n) = value.as_f64() else {
                return Err(format!("{here} must be a number"));
            };
            range(n, schema, &here)?;
        }
        Some("boolean") if !value.is_boolean() => {
            return Err(format!("{here} must be true or false"));
        }
        Some("string") => {
            let Some(s) = value.as_str() else {
                return Err(format!("{here} must be a string"));
            };
            let len = s.chars().count() as u64;
            if schema
                .get("minLength")
                .and_then(Value::as_u64)
                .is_some_and(|m| len < m)
            {
                return Err(format!("{here} is too short"));
            }
            if schema
                .get("maxLength")
                .and_then(Value::as_u64)
                .is_some_and(|m| len > m)
            {
                return Err(format!("{here} is too long"));
            }
            match schema.get("format").and_then(Value::as_str) {
                Some("uuid") if uuid::Uuid::parse_str(s).is_err() => {
                    return Err(format!("{here} is not a uuid"));
                }
                Some("date-time") if chrono::DateTime::parse_from_rfc3339(s).is_err() => {
                    return Err(format!("{here} is not an RFC 3339 date-time"));
                }
                _ => {}
            }
        }
        Some("array") => {
            let Some(items) = value.as_array() else {
                return Err(format!("{here} must be an array"));
            };
            let len = items.len() as u64;
            if schema
                .get("minItems")
                .and_then(Value::as_u64)
                .is_some_and(|m| len < m)
            {
                return Err(format!("{here} has too few items"));
            }
            if schema
                .get("maxItems")
                .and_then(Value::as_u64)
                .is_some_and(|m| len > m)
            {
                return Err(format!("{here} has too many items"));
            }
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(item, item_schema, &format!("{at}[{i}]"))?;
                }
            }
        }
        Some("object") => {
            let Some(map) = value.as_object() else {
                return Err(format!("{here} must be an object"));
            };
            for name in schema
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if !map.contains_key(name) {
                    let field = if at.is_empty() {
                        name.to_owned()
                    } else {
                        format!("{at}.{name}")
                    };
                    return Err(format!("`{field}` is required"));
                }
            }
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, property) in properties {
                    if let Some(v) = map.get(name) {
                        let field = if at.is_empty() {
                            name.clone()
                        } else {
                            format!("{at}.{name}")
                        };
                        check(v, property, &field)?;
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn range(n: f64, schema: &serde_json::Map<String, Value>, here: &str) -> Result<(), String> {
    let exclusive = |key: &str| schema.get(key).and_then(Value::as_bool) == Some(true);
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
        && (n < min || exclusive("exclusiveMinimum") && n == min)
    {
        return Err(format!("{here} is below the minimum {min}"));
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
        && (n > max || exclusive("exclusiveMaximum") && n == max)
    {
        return Err(format!("{here} is above the maximum {max}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn url_components_decode_to_utf8_or_nothing() {
        let decode = |raw| percent_decode(raw, true);
        assert_eq!(decode("a+b%20c%2B").as_deref(), Some("a b c+"));
        assert_eq!(percent_decode("a+b", false).as_deref(), Some("a+b"));
        assert_eq!(decode("%E2%9C%93").as_deref(), Some("\u{2713}"));
        assert_eq!(decode("100%").as_deref(), Some("100%"), "a lone %");
        assert_eq!(decode("%+1%zz").as_deref(), Some("% 1%zz"), "not escapes");
        assert_eq!(decode("%FF%FE"), None, "not UTF-8");
        assert_eq!(decode("%C3"), None, "cut-off sequence");
    }

    #[test]
    fn null_fits_only_schemas_that_allow_it() {
        let open_enum = json!({"oneOf": [{"type": "string", "enum": ["A"]}, {"type": "string"}]});
        assert!(check(&Value::Null, &open_enum, "").is_err());
        let nullable = json!({"nullable": true, "allOf": [{"type": "object"}]});
        assert!(check(&Value::Null, &nullable, "").is_ok());
        assert!(check(&Value::Null, &json!({"allOf": [{"type": "object"}]}), "").is_err());
        assert!(check(&Value::Null, &json!({}), "").is_ok(), "any value");
    }

    #[test]
    fn scalars_follow_their_schema() {
        let limit = json!({"type": "integer", "format": "int32", "enum": [10, 18, 25, 50, 100]});
        assert_eq!(scalar("25", &limit), Ok(json!(25)));
        assert!(scalar("11", &limit).is_err());
        assert!(
            scalar("99999999999999999999", &json!({"type": "integer"})).is_err(),
            "overflow"
        );
        assert!(scalar("3000000000", &json!({"type": "integer", "format": "int32"})).is_err());
        assert!(scalar("x", &json!({"type": "integer"})).is_err());
        assert!(scalar("nope", &json!({"type": "string", "format": "uuid"})).is_err());
        assert!(scalar("0", &json!({"type": "integer", "minimum": 1})).is_err());
    }

    #[test]
    fn bodies_follow_their_schema() {
        let schema = json!({
            "type": "object",
            "required": ["targetId"],
            "properties": {
                "targetId": {"type": "string", "format": "uuid"},
                "ids": {"type": "array", "maxItems": 2, "items": {"type": "integer"}},
                "visibility": {"oneOf": [{"type": "string", "enum": ["A"]}, {"type": "string", "not": {"enum": ["A"]}}]}
            }
        });
        let id = "6f1f5f2e-3c1a-4b8e-9c1d-2a4b5c6d7e8f";
        assert!(check(&json!({"targetId": id}), &schema, "").is_ok());
        assert!(
            check(
                &json!({"targetId": id, "visibility": "whatever"}),
                &schema,
                ""
            )
            .is_ok(),
            "open enum"
        );
        assert_eq!(
            check(&json!({}), &schema, ""),
            Err("`targetId` is required".into())
        );
        assert!(check(&json!({"targetId": id, "ids": [1, 2, 3]}), &schema, "").is_err());
        assert!(check(&json!({"targetId": id, "ids": ["x"]}), &schema, "").is_err());
        assert!(check(&json!([1]), &schema, "").is_err());
        assert!(check(&json!({"targetId": null}), &schema, "").is_err());
    }

    #[test]
    fn every_operation_of_every_document_is_indexed() {
        let total: usize = INDEX.values().map(HashMap::len).sum();
        assert_eq!(total, 95, "operations indexed");
        assert!(op_spec("friends", "get_user_friend_statuses").is_some());
        assert!(requires_auth("friends", "get_my_friends_count"));
        assert!(documents_status("party", "invite_to_party", 409));
        assert!(error_name_message("party", "invite_to_party", 409, "PARTY_FULL").is_some());
        assert!(!requires_auth("friends", "get_user_friends_count"));
        assert_eq!(
            error_message("friends", "follow_user", 400, 8).as_deref(),
            Some("The user cannot follow itself.")
        );
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        /// Every schema of every parameter and body the documents declare.
        fn schemas() -> Vec<Value> {
            INDEX
                .values()
                .flat_map(HashMap::values)
                .flat_map(|op| {
                    op.params
                        .iter()
                        .map(|p| p.schema.clone())
                        .chain(op.body.iter().map(|(_, s)| s.clone()))
                })
                .collect()
        }

        fn json() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_map(
                    |f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
                ),
                ".{0,24}".prop_map(Value::String),
            ];
            leaf.prop_recursive(4, 64, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                    prop::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..6)
                        .prop_map(|m| Value::Object(m.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(1500))]

            /// Any raw parameter text against any declared schema: a value or a reason,
            /// never a panic.
            #[test]
            fn raw_parameters_never_panic(raw in ".{0,40}", pick in any::<prop::sample::Index>()) {
                let all = schemas();
                let schema = &all[pick.index(all.len())];
                let _ = scalar(&raw, schema);
            }

            /// Any JSON against any declared schema: accepted or a reason, never a panic.
            #[test]
            fn arbitrary_json_never_panics(value in json(), pick in any::<prop::sample::Index>()) {
                let all = schemas();
                let schema = &all[pick.index(all.len())];
                let _ = check(&value, schema, "");
            }
        }
    }
}
