//! Loading an OpenAPI document and reading the project's spec extensions from it.
//!
//! The document is read twice from the same text: once as a `serde_json::Value` (so the
//! `x-…` extensions and our own preprocessing stay simple) and once, after preprocessing, as
//! the typed `openapiv3::OpenAPI` that progenitor wants.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::path::Path;

#[path = "../../server-stub/src/spec/companion.rs"]
pub mod companion;

/// HTTP methods an OpenAPI path item may hold, in document order.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A parsed document.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The document as JSON, extensions and all.
    pub raw: Value,
}

/// One operation of a document.
#[derive(Debug, Clone)]
pub struct Operation<'a> {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template, e.g. `/v1/users/{userId}/friends`.
    pub path: &'a str,
    /// The operation object.
    pub op: &'a Value,
    /// Path-level parameters shared by every method of the path.
    pub path_params: Option<&'a Value>,
}

impl Operation<'_> {
    /// The `operationId`, or an empty string when missing.
    pub fn id(&self) -> &str {
        self.op
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// All parameters (path-level first, then the operation's), `$ref`s left as they are.
    pub fn parameters(&self) -> impl Iterator<Item = &Value> {
        self.path_params
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .chain(
                self.op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            )
    }
}

fn read_yaml(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_yaml_ng::from_str(&text).with_context(|| format!("parsing {} as YAML", path.display()))
}

impl Spec {
    /// Reads and parses a YAML document, merged with its companion `<stem>.live.yaml` when
    /// one lies beside it (the service's WebSocket operations; see [`companion`]).
    pub fn load(path: &Path) -> Result<Self> {
        let mut raw = read_yaml(path)?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let live = path.with_file_name(companion::companion_file(stem));
        if live.exists() {
            companion::merge(&mut raw, stem, read_yaml(&live)?)
                .map_err(|e| anyhow::anyhow!("merging {}: {e}", live.display()))?;
        }
        let version = raw.get("openapi").and_then(Value::as_str).unwrap_or("");
        if !version.starts_with("3.0.") {
            bail!(
                "{}: `openapi: {version}` is not supported; progenitor accepts only 3.0.x",
                path.display()
            );
        }
        Ok(Self { raw })
    }

    /// Every operation, in document order.
    pub fn operations(&self) -> Vec<Operation<'_>> {
        let mut out = Vec::new();
        let Some(paths) = self.raw.get("paths").and_then(Value::as_object) else {
            return out;
        };
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(*method) {
                    out.push(Operation {
                        method: method.to_uppercase(),
                        path,
                        op,
                        path_params: item.get("parameters"),
                    });
                }
            }
        }
        out
    }

    /// Resolves a local `$ref` (`#/components/...`) to its target.
    pub fn resolve<'a>(&'a self, value: &'a Value) -> Result<&'a Value> {
        match value.get("$ref").and_then(Value::as_str) {
            None => Ok(value),
            Some(reference) => {
                let pointer = reference.strip_prefix('#').with_context(|| {
                    format!("only local $refs are supported, found {reference}")
                })?;
                let target = self
                    .raw
                    .pointer(pointer)
                    .with_context(|| format!("dangling $ref {reference}"))?;
                self.resolve(target)
            }
        }
    }

    /// The document as progenitor gets it: every parameter marked `x-sdk-injected: true`
    /// removed (the SDK sets those headers from its configuration, so callers never pass them
    /// per call), and every component schema's `anyOf` beside its `properties` removed.
    ///
    /// Such an `anyOf` states a rule across properties ("`targetId` or `targetName`",
    /// "`ready=true` needs `profilePrepared=true`"); typify would turn the object into an
    /// untagged enum of `Variant0`/`Variant1` structs (each repeating the fields, the rule
    /// spread over their types), so a body that names a target by id or by name would have
    /// to pick a variant to be built at all. The client keeps the plain struct of optional
    /// fields; the stub (which reads the document itself) enforces the `anyOf` and answers
    /// its documented error.
    pub fn for_client(&self) -> Result<openapiv3::OpenAPI> {
        let mut raw = self.raw.clone();
        if let Some(schemas) = raw
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        {
            for schema in schemas.values_mut().filter_map(Value::as_object_mut) {
                if schema.contains_key("properties") {
                    schema.remove("anyOf");
                }
            }
        }
        if let Some(paths) = raw.get_mut("paths").and_then(Value::as_object_mut) {
            for item in paths.values_mut() {
                strip_injected(item.get_mut("parameters"), &self.raw)?;
                for method in METHODS {
                    if let Some(op) = item.get_mut(*method) {
                        strip_injected(op.get_mut("parameters"), &self.raw)?;
                    }
                }
            }
        }
        serde_json::from_value(raw).context("the document is not a valid OpenAPI 3.0 document")
    }
}

fn strip_injected(params: Option<&mut Value>, root: &Value) -> Result<()> {
    let Some(list) = params.and_then(Value::as_array_mut) else {
        return Ok(());
    };
    let mut keep = Vec::with_capacity(list.len());
    for param in list.drain(..) {
        let resolved = match param.get("$ref").and_then(Value::as_str) {
            Some(r) => root
                .pointer(r.trim_start_matches('#'))
                .with_context(|| format!("dangling $ref {r}"))?
                .clone(),
            None => param.clone(),
        };
        if resolved.get("x-sdk-injected").and_then(Value::as_bool) != Some(true) {
            keep.push(param);
        }
    }
    *list = keep;
    Ok(())
}

/// The component name a `$ref` schema points at.
pub fn ref_name(schema: &Value) -> Option<String> {
    schema
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")
        .map(str::to_owned)
}

/// The Rust type progenitor/typify generate for a schema, as source text relative to the
/// generated module: named components, primitives and arrays of those. `None` for anything
/// else (an inline object, whose generated name is typify's choice).
pub fn rust_type(schema: &Value) -> Option<String> {
    use heck::ToUpperCamelCase;
    if let Some(name) = ref_name(schema) {
        return Some(format!("types::{}", name.to_upper_camel_case()));
    }
    let format = schema.get("format").and_then(Value::as_str);
    Some(match (schema.get("type")?.as_str()?, format) {
        ("integer", Some("int32")) => "i32".to_owned(),
        ("integer", _) => "i64".to_owned(),
        ("number", _) => "f64".to_owned(),
        ("string", Some("uuid")) => "::uuid::Uuid".to_owned(),
        ("string", _) => "::std::string::String".to_owned(),
        ("boolean", _) => "bool".to_owned(),
        ("array", _) => format!("::std::vec::Vec<{}>", rust_type(schema.get("items")?)?),
        _ => return None,
    })
}
