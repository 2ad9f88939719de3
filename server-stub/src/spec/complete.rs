//! Completion of answers over a `serde_json::Value`: what the generated types leave out when
//! serialising (absent nullable properties, absent arrays) is written as the real services
//! write it, and timestamps get the fractional digits the service writes
//! (`x-fraction-digits`). Answers themselves are written by [`super::write`], which does the
//! same while serialising; this is its reference (the two are compared in its tests) and the
//! completion of values that are already JSON.

use serde_json::Value;

/// Fills in what the generated types leave out when serialising: every property of the
/// success schema that is absent becomes `null` when nullable and `[]` when an array, at any
/// depth, so answers have the real services' full shape (`"party": null`, `"friends": []`).
pub fn complete_response(spec: &str, operation: &str, value: &mut Value) {
    if let Some(schema) =
        super::operation(spec, operation).and_then(|op| op.success_schema.as_ref())
    {
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
                // An open enum or a oneOf of objects, or a nullable object wrapped in `allOf`
                // (`nullable: true, allOf: [$ref]`): complete against the branch that fits.
                if let Some(branch) = schema
                    .get("oneOf")
                    .or_else(|| schema.get("allOf"))
                    .and_then(Value::as_array)
                    .and_then(|b| b.iter().find(|b| b.get("properties").is_some()))
                {
                    complete(value, branch, depth + 1);
                }
                return;
            };
            for (name, property) in properties {
                match map.get_mut(name) {
                    Some(Value::String(text)) => fraction_digits(text, property),
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

/// A `date-time` string rewritten with exactly the `x-fraction-digits` its property gives
/// (as [`super::write`] writes it).
fn fraction_digits(text: &mut String, property: &Value) {
    let Some(digits) = property.get("x-fraction-digits").and_then(Value::as_u64) else {
        return;
    };
    let digits = usize::try_from(digits.min(9)).unwrap_or(9);
    if let Some(written) = super::write::with_fraction(text, digits) {
        *text = written;
    }
}
