//! Completion of answers: what the generated types leave out when serialising (absent
//! nullable properties, absent arrays) is written as the real services write it, and
//! timestamps get the fractional digits the service writes (`x-fraction-digits`).

use serde_json::Value;

/// Like [`complete_response`] for a named schema of a document (live frames).
pub fn complete_component(spec: &str, component: &str, value: &mut Value) {
    if let Some(schema) = super::component(spec, component) {
        complete(value, schema, 0);
    }
}

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
/// (truncating, in UTC with `Z`), as the service writes it: chrono writes 0, 3, 6 or 9 digits
/// depending on the value, .NET services a fixed number.
fn fraction_digits(text: &mut String, property: &Value) {
    let Some(digits) = property.get("x-fraction-digits").and_then(Value::as_u64) else {
        return;
    };
    let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) else {
        return;
    };
    let time = time.with_timezone(&chrono::Utc);
    let mut out = time.format("%Y-%m-%dT%H:%M:%S").to_string();
    let digits = usize::try_from(digits.min(9)).unwrap_or(9);
    if digits > 0 {
        let nanos = format!("{:09}", chrono::Timelike::nanosecond(&time) % 1_000_000_000);
        out.push('.');
        out.push_str(&nanos[..digits]);
    }
    out.push('Z');
    *text = out;
}

#[cfg(test)]
mod tests {
    use super::fraction_digits;
    use serde_json::json;

    #[test]
    fn timestamps_get_the_documented_fractional_digits() {
        let cases = [
            ("0001-01-01T05:51:00Z", 3, "0001-01-01T05:51:00.000Z"),
            (
                "2024-03-24T02:25:33.095123456Z",
                3,
                "2024-03-24T02:25:33.095Z",
            ),
            ("2024-03-24T02:25:33.9Z", 0, "2024-03-24T02:25:33Z"),
            ("2024-03-24T04:25:33.5+02:00", 1, "2024-03-24T02:25:33.5Z"),
        ];
        for (given, digits, written) in cases {
            let mut text = given.to_owned();
            fraction_digits(&mut text, &json!({"x-fraction-digits": digits}));
            assert_eq!(text, written, "{given} with {digits} digits");
        }
        let mut untouched = "not a time".to_owned();
        fraction_digits(&mut untouched, &json!({"x-fraction-digits": 3}));
        assert_eq!(untouched, "not a time");
    }
}
