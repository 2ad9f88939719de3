//! Which named schemas the SDK only ever decodes from a service's answer.
//!
//! The stub server decodes request bodies and parameters into the same generated types the
//! SDK decodes answers into, and the stub must reject what the document rejects. So the
//! tolerant decoding of `codegen` (an undecodable optional field becomes `None`) may only go
//! on types that are reachable from a response (a 2xx or error body, or an `x-live-frame`)
//! and from no request body or parameter. A type reachable from both stays strict.

use crate::spec::{Spec, ref_name};
use anyhow::{Context, Result};
use serde_json::Value;
use std::collections::BTreeSet;

/// The component names, split by where the document uses them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reach {
    /// Reachable from a response (body or live frame).
    pub response: BTreeSet<String>,
    /// Reachable from a request body or a parameter.
    pub request: BTreeSet<String>,
}

impl Reach {
    /// Walks every operation's `$ref`s (transitively through `components/schemas`).
    pub fn of(spec: &Spec) -> Result<Self> {
        let mut reach = Self::default();
        for op in spec.operations() {
            if let Some(body) = op.op.get("requestBody") {
                collect(spec, spec.resolve(body)?, &mut reach.request)?;
            }
            for param in op.parameters() {
                collect(spec, spec.resolve(param)?, &mut reach.request)?;
            }
            for response in op
                .op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                collect(spec, spec.resolve(response.1)?, &mut reach.response)?;
            }
            if let Some(frame) = op.op.get("x-live-frame").and_then(Value::as_str) {
                visit(spec, frame, &mut reach.response)?;
            }
        }
        Ok(reach)
    }

    /// Components only answers use: these get the tolerant decoding.
    pub fn response_only(&self) -> BTreeSet<String> {
        self.response.difference(&self.request).cloned().collect()
    }

    /// Components both answers and requests use: these stay strict.
    pub fn shared(&self) -> BTreeSet<String> {
        self.response.intersection(&self.request).cloned().collect()
    }
}

/// Adds every component a part of the document refers to, directly or through others.
fn collect(spec: &Spec, value: &Value, into: &mut BTreeSet<String>) -> Result<()> {
    match value {
        Value::Object(map) => {
            if let Some(name) = ref_name(value) {
                return visit(spec, &name, into);
            }
            if map.contains_key("$ref") {
                // A `$ref` to a response, parameter or request body: follow it.
                return collect(spec, spec.resolve(value)?, into);
            }
            map.values().try_for_each(|v| collect(spec, v, into))
        }
        Value::Array(items) => items.iter().try_for_each(|v| collect(spec, v, into)),
        _ => Ok(()),
    }
}

/// Adds one component and what it refers to (once: cycles end here).
fn visit(spec: &Spec, name: &str, into: &mut BTreeSet<String>) -> Result<()> {
    if !into.insert(name.to_owned()) {
        return Ok(());
    }
    let schema = spec
        .raw
        .pointer(&format!("/components/schemas/{name}"))
        .with_context(|| format!("dangling schema reference {name}"))?;
    collect(spec, schema, into)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_type_both_sides_use_is_shared_and_the_rest_splits() {
        let schema = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
        let raw = json!({
            "paths": {"/x": {"post": {
                "operationId": "x",
                "parameters": [{"name": "k", "in": "query", "schema": schema("Kind")}],
                "requestBody": {"$ref": "#/components/requestBodies/Body"},
                "responses": {"200": {"content": {"application/json": {"schema": schema("Page")}}}}
            }}},
            "components": {
                "requestBodies": {"Body": {"content": {"application/json": {"schema": schema("Ask")}}}},
                "schemas": {
                    "Ask": {"properties": {"tag": schema("Tag")}},
                    "Page": {"properties": {"items": {"items": schema("Item")}}},
                    "Item": {"properties": {"tag": schema("Tag"), "kind": schema("Kind"), "me": schema("Item")}},
                    "Tag": {"type": "string"},
                    "Kind": {"type": "string"}
                }
            }
        });
        let reach = Reach::of(&Spec { raw }).expect("reach");
        let names = |set: BTreeSet<String>| set.into_iter().collect::<Vec<_>>();
        assert_eq!(names(reach.response_only()), ["Item", "Page"]);
        assert_eq!(names(reach.shared()), ["Kind", "Tag"]);
    }
}
