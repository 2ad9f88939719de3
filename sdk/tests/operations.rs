//! Derives the operation list from `openapi/*.yaml` (live companions included) and proves
//! each operation is a method of its service's generated `Client` (read from the generated
//! source with `syn`; the freshness test in `xtask` proves that source matches the documents).

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

const SERVICES: &[(&str, &str, usize)] = &[
    ("friends", "friends", 29),
    ("contacts", "contacts", 3),
    ("roster", "roster", 22),
    ("social-friends", "social_friends", 22),
    ("party", "party", 19),
];

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The operations of `<stem>.yaml` and of its live companion `<stem>.live.yaml`, if any.
fn operation_ids(stem: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for file in [format!("{stem}.yaml"), format!("{stem}.live.yaml")] {
        let Ok(text) = std::fs::read_to_string(root().join("openapi").join(file)) else {
            continue;
        };
        let spec: Value = serde_yaml_ng::from_str(&text).expect("yaml");
        for item in spec["paths"].as_object().expect("paths").values() {
            for (key, op) in item.as_object().expect("path item") {
                if key != "parameters" {
                    ids.push(op["operationId"].as_str().expect("operationId").to_owned());
                }
            }
        }
    }
    ids
}

fn client_methods(module: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join(format!("sdk/src/generated/{module}.rs")))
        .expect("generated");
    let file = syn::parse_file(&text).expect("parses");
    let mut methods = BTreeSet::new();
    for item in file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let is_client = block.trait_.is_none()
            && matches!(&*block.self_ty, syn::Type::Path(p) if p.path.is_ident("Client"));
        if !is_client {
            continue;
        }
        for item in block.items {
            if let syn::ImplItem::Fn(f) = item
                && matches!(f.vis, syn::Visibility::Public(_))
            {
                methods.insert(f.sig.ident.to_string());
            }
        }
    }
    methods
}

#[test]
fn every_operation_is_a_client_method() {
    let mut total = 0;
    for (stem, module, expected) in SERVICES {
        let ids = operation_ids(stem);
        assert_eq!(ids.len(), *expected, "{stem}.yaml operation count");
        let methods = client_methods(module);
        let missing: Vec<_> = ids.iter().filter(|id| !methods.contains(*id)).collect();
        assert!(missing.is_empty(), "{module}::Client lacks {missing:?}");
        total += ids.len();
    }
    assert_eq!(total, 95);
}

/// A compile-time spot check that the generated surface is what the README shows.
#[test]
fn builders_are_typed_and_cloneable() {
    use social_sdk::{ClientContext, friends};
    let client = friends::Client::new("http://127.0.0.1:9", ClientContext::default());
    let builder = client
        .get_user_followers()
        .target_user_id(1)
        .sort_order(friends::types::SortOrder::Desc)
        .limit(25);
    let _again = builder.clone();
    let _stream = builder.stream();
}
