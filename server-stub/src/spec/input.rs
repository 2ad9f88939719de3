//! Request input checked against the operation's entry in the index: every parameter's
//! location, requiredness, type, format, enum, range, length and item count, and the JSON
//! body against its schema. The checked values become one JSON object that deserialises into
//! the generated `<Op>Input` struct.
//!
//! Array query parameters are accepted repeated (`ids=1&ids=2`), comma-joined (`ids=1,2`)
//! and mixed. A scalar query parameter given twice is invalid. This module sees no HTTP
//! types: the transport hands it a [`RawInput`].

use super::check::check;
use super::{Invalid, Location, Operation, OperationSpec};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Header values by name, as the transport holds them.
pub trait Headers {
    /// Every value of the header `name` (lower case), as raw bytes, in order.
    fn values(&self, name: &str) -> Vec<&[u8]>;
}

/// What a request carries, as plain data.
#[derive(Clone, Copy)]
pub struct RawInput<'a> {
    /// The query string, undecoded, without `?`.
    pub query: Option<&'a str>,
    /// The headers.
    pub headers: &'a dyn Headers,
    /// Path parameters in template order.
    pub path_params: &'a [String],
    /// A path parameter that is not valid UTF-8 once decoded.
    pub bad_path: bool,
    /// The body, or why it could not be read.
    pub body: Result<&'a [u8], &'a Invalid>,
}

impl std::fmt::Debug for RawInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawInput")
            .field("query", &self.query)
            .field("path_params", &self.path_params)
            .finish_non_exhaustive()
    }
}

/// A header value as text, if it is visible ASCII (what HTTP header text may be).
fn header_text(bytes: &[u8]) -> Option<&str> {
    bytes
        .iter()
        .all(|&b| b == b'\t' || (32..127).contains(&b))
        .then(|| std::str::from_utf8(bytes).ok())
        .flatten()
}

/// The operation's own entry in its document.
fn spec_of(op: &Operation) -> Result<&'static OperationSpec, Invalid> {
    super::operation(op.spec, op.id).ok_or_else(|| Invalid::Body {
        reason: format!("operation {} is not in the document", op.id),
    })
}

/// The operation's declared query and header parameters, checked (for a route that reads
/// them outside [`parse`], such as a WebSocket upgrade): name → value.
pub fn query_and_headers(
    op: &Operation,
    query: Option<&str>,
    headers: &dyn Headers,
) -> Result<Map<String, Value>, Invalid> {
    parameters(spec_of(op)?, query, headers, &[], false)
}

/// Every declared parameter, checked against its schema: name → value.
fn parameters(
    spec: &OperationSpec,
    query: Option<&str>,
    headers: &dyn Headers,
    path_params: &[String],
    bad_path: bool,
) -> Result<Map<String, Value>, Invalid> {
    // `None`: a value that is not UTF-8 once decoded (invalid wherever a parameter reads it).
    let query: Vec<(String, Option<String>)> = query
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
    for param in spec.params.iter().filter(|p| !p.injected) {
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
                .values(&param.name.to_ascii_lowercase())
                .into_iter()
                .map(|v| header_text(v).map(str::to_owned))
                .collect::<Option<_>>()
                .ok_or_else(|| Invalid::Parameter {
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
pub fn parse<I: DeserializeOwned>(op: &Operation, raw: RawInput<'_>) -> Result<I, Invalid> {
    let spec = spec_of(op)?;
    let mut out = parameters(spec, raw.query, raw.headers, raw.path_params, raw.bad_path)?;
    if let Some((required, schema)) = &spec.body {
        let bytes = raw.body.map_err(Clone::clone)?;
        let content_type = raw.headers.values("content-type").first().copied();
        let content_type = content_type.and_then(header_text);
        if content_type.is_none() && spec.body_media.content_type_required {
            return Err(Invalid::UnsupportedMediaType { found: "".into() });
        }
        let content_type = content_type.unwrap_or("");
        if bytes.iter().all(u8::is_ascii_whitespace) {
            if *required {
                return Err(Invalid::MissingBody);
            }
        } else {
            let mime = content_type
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if !spec.body_media.accepts(&mime) {
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
pub fn percent_decode(raw: &str, plus_as_space: bool) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::check::check;
    use crate::spec::index::{operation as op_spec, operations};
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
    fn patterns_and_typeless_branches_apply() {
        let schema = json!({
            "type": "object",
            "properties": {"id": {"type": "string", "pattern": "^[0-9a-fA-F]{24}$"}},
            "anyOf": [
                {"required": ["id"]},
                {"required": ["name"], "properties": {"name": {"pattern": "\\S"}}}
            ]
        });
        assert!(check(&json!({"id": "0123456789abcdefABCDEF01"}), &schema, "").is_ok());
        assert!(check(&json!({"id": "xyz"}), &schema, "").is_err());
        assert!(check(&json!({"name": "bob"}), &schema, "").is_ok());
        let unmatched = Invalid::Body {
            reason: check(&json!({"name": " "}), &schema, "").expect_err("blank name"),
        };
        assert!(unmatched.unmatched_shape(), "{unmatched}");
        let plain = Invalid::Body {
            reason: check(&json!({"id": 1}), &schema, "").expect_err("not a string"),
        };
        assert!(
            !plain.unmatched_shape(),
            "a plain keyword is reported first: {plain}"
        );
    }

    /// Every `pattern` of every document compiles (the check ignores one that does not).
    #[test]
    fn every_pattern_of_the_documents_compiles() {
        fn walk(value: &Value, found: &mut Vec<String>) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(p)) = map.get("pattern") {
                        found.push(p.clone());
                    }
                    map.values().for_each(|v| walk(v, found));
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
                _ => {}
            }
        }
        let mut found = Vec::new();
        for service in crate::spec::SERVICES {
            let doc: Value = serde_yaml_ng::from_str(service.spec).expect("yaml");
            walk(&doc, &mut found);
        }
        assert!(!found.is_empty());
        for pattern in found {
            assert!(crate::spec::pattern_compiles(&pattern), "{pattern}");
        }
    }

    #[test]
    fn every_operation_of_every_document_is_indexed() {
        let total = operations().count();
        assert_eq!(total, 95, "operations indexed");
        assert!(op_spec("friends", "get_user_friend_statuses").is_some());
        assert!(crate::spec::requires_auth(
            "friends",
            "get_my_friends_count"
        ));
        assert!(crate::spec::documents_status(
            "party",
            "invite_to_party",
            409
        ));
        assert!(
            crate::spec::error_name_message("party", "invite_to_party", 409, "PARTY_FULL")
                .is_some()
        );
        assert!(!crate::spec::requires_auth(
            "friends",
            "get_user_friends_count"
        ));
        assert_eq!(
            crate::spec::error_message("friends", "follow_user", 400, 8).as_deref(),
            Some("The user cannot follow itself.")
        );
    }

    mod fuzz {
        use super::*;
        use proptest::prelude::*;

        /// Every schema of every parameter and body the documents declare.
        fn schemas() -> Vec<Value> {
            operations()
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
