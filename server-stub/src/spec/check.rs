//! A subset of JSON Schema, the one the documents use, checked against a value.

use regex::Regex;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, PoisonError};

/// How a value that fits no branch of a `oneOf`/`anyOf` is told (after its subject: `value`
/// for the whole body). A service that documents its own answer for such a rule (e.g. "either
/// `targetId` or `targetName`") recognises it with [`crate::spec::Invalid::unmatched_shape`].
pub const NO_SHAPE: &str = "matches none of the allowed shapes";

/// Checks `value` against `schema` (`at`: where the value is, for the message) with the
/// subset of JSON Schema the documents use: type, nullable, enum, format (int32, uuid,
/// date-time), pattern, minimum/maximum, minLength/maxLength, minItems/maxItems, required,
/// properties, items, oneOf/anyOf (some branch), allOf, not. A schema without `type` applies
/// the keywords of the value's kind. The combinators are checked last, so a value that breaks
/// a plain keyword is told so rather than [`NO_SHAPE`].
pub fn check(value: &Value, schema: &Value, at: &str) -> Result<(), String> {
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
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.iter().any(|o| o == value)
    {
        let list: Vec<String> = options.iter().map(Value::to_string).collect();
        return Err(format!("{here} must be one of {}", list.join(", ")));
    }
    // Without `type`, the keywords of the value's own kind still apply (JSON Schema: a
    // `{required: [...]}` branch of an `anyOf` constrains objects only).
    let kind = schema
        .get("type")
        .and_then(Value::as_str)
        .or_else(|| kind_of(value));
    match kind {
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
            if let Some(pattern) = schema.get("pattern").and_then(Value::as_str)
                && !matches(pattern, s)
            {
                return Err(format!("{here} does not match the pattern {pattern:?}"));
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
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = schema.get(key).and_then(Value::as_array)
            && !branches.iter().any(|b| check(value, b, at).is_ok())
        {
            return Err(format!("{here} {NO_SHAPE}"));
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
    Ok(())
}

/// The JSON Schema type of a value (`number` for every number: a schema without `type`
/// applies the numeric keywords to both).
fn kind_of(value: &Value) -> Option<&'static str> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    })
}

/// Whether `text` matches `pattern` (unanchored, as in JSON Schema). Each pattern is compiled
/// once; one that does not compile constrains nothing (`every_pattern_compiles` in the tests
/// keeps the documents from having one).
fn matches(pattern: &str, text: &str) -> bool {
    static CACHE: LazyLock<Mutex<HashMap<String, Option<Regex>>>> = LazyLock::new(Default::default);
    let mut cache = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    cache
        .entry(pattern.to_owned())
        .or_insert_with(|| Regex::new(pattern).ok())
        .as_ref()
        .is_none_or(|re| re.is_match(text))
}

/// Whether `pattern` compiles (the documents' patterns must: [`matches`] ignores one that
/// does not).
pub fn pattern_compiles(pattern: &str) -> bool {
    Regex::new(pattern).is_ok()
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
