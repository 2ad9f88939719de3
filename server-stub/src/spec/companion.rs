//! Companion documents: `openapi/<stem>.live.yaml` holds a service's WebSocket operations
//! (HTTP tools cannot send them; see `openapi/README.md`, "Companion documents"), with
//! `$ref`s into `<stem>.yaml`. The project's tools read the two as one document.
//!
//! This file is also compiled into the xtask (`#[path]`), so the code generator and the stub
//! merge the same way: it uses nothing but `serde_json`.

use serde_json::Value;

/// File name of the companion of the document `<stem>.yaml`.
pub fn companion_file(stem: &str) -> String {
    format!("{stem}.live.yaml")
}

/// Merges the companion `live` of the document `main` (file stem `stem`) into it: its `paths`
/// (an operation already in `main` is an error) and the `tags` `main` does not have, every
/// `$ref` of the form `<stem>.yaml#/...` turned into the local `#/...`. Its `info`, `servers`
/// and `components` are the main document's and are not merged.
pub fn merge(main: &mut Value, stem: &str, mut live: Value) -> Result<(), String> {
    localize_refs(&mut live, &format!("{stem}.yaml#"));
    let paths = main
        .as_object_mut()
        .ok_or("the document is not a mapping")?
        .entry("paths")
        .or_insert_with(|| Value::Object(Default::default()));
    let paths = paths.as_object_mut().ok_or("`paths` is not a mapping")?;
    if let Some(Value::Object(live_paths)) = live.get_mut("paths").map(Value::take) {
        for (path, item) in live_paths {
            if paths.contains_key(&path) {
                return Err(format!("`{path}` is in both {stem}.yaml and its companion"));
            }
            paths.insert(path, item);
        }
    }
    let tags = main
        .as_object_mut()
        .ok_or("the document is not a mapping")?
        .entry("tags")
        .or_insert_with(|| Value::Array(Vec::new()));
    let tags = tags.as_array_mut().ok_or("`tags` is not a list")?;
    if let Some(Value::Array(live_tags)) = live.get_mut("tags").map(Value::take) {
        for tag in live_tags {
            if !tags.iter().any(|t| t.get("name") == tag.get("name")) {
                tags.push(tag);
            }
        }
    }
    Ok(())
}

fn localize_refs(value: &mut Value, prefix: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(target) if key == "$ref" => {
                        if let Some(rest) = target.strip_prefix(prefix) {
                            *target = format!("#{rest}");
                        }
                    }
                    _ => localize_refs(v, prefix),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| localize_refs(v, prefix)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merges_paths_and_new_tags_with_local_refs() {
        let mut main = json!({"paths": {"/a": {}}, "tags": [{"name": "a"}]});
        let live = json!({
            "paths": {"/live": {"get": {"schema": {"$ref": "x.yaml#/components/schemas/E"}}}},
            "tags": [{"name": "a"}, {"name": "live"}],
            "components": {"securitySchemes": {}},
        });
        merge(&mut main, "x", live).expect("merges");
        assert_eq!(
            main,
            json!({
                "paths": {"/a": {}, "/live": {"get": {"schema": {"$ref": "#/components/schemas/E"}}}},
                "tags": [{"name": "a"}, {"name": "live"}],
            })
        );
    }

    #[test]
    fn a_path_in_both_is_an_error() {
        let mut main = json!({"paths": {"/a": {}}});
        let error =
            merge(&mut main, "x", json!({"paths": {"/a": {}}})).expect_err("a path in both");
        assert!(error.contains("/a"), "{error}");
    }
}
