//! Rule (e)'s machinery: the layer of a file ([`crate::LAYERS`]), the crate path a
//! reference names, and the module file that path resolves to.

use crate::scan::{PathRef, scan, tokenize};
use crate::{LAYER_NAMES, LAYERS, ROOT_LAYER};
use std::collections::BTreeSet;

/// Rule (e) over one crate: `files` are `(path relative to src/, text)`. Returns
/// `path:line: …` for each unclassified file and each import of a higher layer.
pub(crate) fn layering_problems(files: &[(&str, &str)]) -> Vec<String> {
    let known: BTreeSet<&str> = files.iter().map(|(path, _)| *path).collect();
    // (path, line, problem): sorted by file, then line.
    let mut problems: BTreeSet<(&str, usize, String)> = BTreeSet::new();
    for (path, text) in files {
        if is_test_file(path) {
            continue;
        }
        let Some(layer) = layer_of(path) else {
            problems.insert((
                *path,
                1,
                "no layer (add a pattern to LAYERS or move the file)".into(),
            ));
            continue;
        };
        if layer >= ROOT_LAYER {
            continue;
        }
        let module = file_module(path);
        let scanned = scan(&tokenize(text));
        for reference in &scanned.paths {
            if reference.scope.first().is_some_and(|m| m == "tests") {
                continue; // unit tests may drive the whole stub
            }
            let Some(target) = resolve(&module, reference, &scanned.declared) else {
                continue;
            };
            let target_file = module_file(&known, &target);
            let Some(target_layer) = layer_of(target_file) else {
                continue; // reported as unclassified on its own
            };
            if target_layer > layer {
                problems.insert((
                    *path,
                    reference.line,
                    format!(
                        "{} is {target_file}, layer {target_layer} ({}), above this file's layer \
                     {layer} ({})",
                        reference.display(),
                        LAYER_NAMES[usize::from(target_layer)],
                        LAYER_NAMES[usize::from(layer)],
                    ),
                ));
            }
        }
    }
    problems
        .into_iter()
        .map(|(path, line, problem)| format!("{path}:{line}: {problem}"))
        .collect()
}

/// Unit-test files (`tests.rs`, anything under a `tests/` directory, as declared by
/// `#[cfg(test)] mod tests;`): like inline `mod tests { … }` blocks, they may use every
/// layer (a unit test may boot the whole stub), so layering does not apply to them.
fn is_test_file(path: &str) -> bool {
    glob_match("**/tests.rs", path) || glob_match("**/tests/**", path)
}

/// The layer of a file under `src/`, from [`LAYERS`].
fn layer_of(path: &str) -> Option<u8> {
    LAYERS
        .iter()
        .find(|(pattern, _)| glob_match(pattern, path))
        .map(|(_, layer)| *layer)
}

/// `*` matches one whole segment, `**` any number of segments (zero included).
pub(crate) fn glob_match(pattern: &str, path: &str) -> bool {
    fn segments(pattern: &[&str], path: &[&str]) -> bool {
        match pattern.split_first() {
            None => path.is_empty(),
            Some((&"**", rest)) => (0..=path.len()).any(|skip| segments(rest, &path[skip..])),
            Some((first, rest)) => path.split_first().is_some_and(|(segment, tail)| {
                (*first == "*" || first == segment) && segments(rest, tail)
            }),
        }
    }
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    segments(&pattern, &path)
}

/// The module path of a file under `src/`: `roblox/state.rs` and `roblox/state/mod.rs` →
/// `[roblox, state]`; `lib.rs` and `main.rs` → `[]`.
fn file_module(path: &str) -> Vec<String> {
    if path == "lib.rs" || path == "main.rs" {
        return Vec::new();
    }
    let stem = path.strip_suffix(".rs").unwrap_or(path);
    let mut module: Vec<String> = stem.split('/').map(str::to_owned).collect();
    if module.last().is_some_and(|last| last == "mod") {
        module.pop();
    }
    module
}

/// The file of the longest prefix of `path` that is a module file among `known`
/// (`[roblox, state, User]` → `roblox/state.rs` or `roblox/state/mod.rs`, else
/// `roblox.rs`/`roblox/mod.rs`, else `lib.rs`).
fn module_file<'a>(known: &BTreeSet<&'a str>, path: &[String]) -> &'a str {
    for len in (1..=path.len()).rev() {
        let stem = path[..len].join("/");
        for candidate in [format!("{stem}.rs"), format!("{stem}/mod.rs")] {
            if let Some(found) = known.get(candidate.as_str()) {
                return found;
            }
        }
    }
    "lib.rs"
}

/// The crate-absolute path a reference names, from a file whose module is `module`; `None`
/// for paths into other crates (or local items).
fn resolve(
    module: &[String],
    reference: &PathRef,
    declared: &BTreeSet<Vec<String>>,
) -> Option<Vec<String>> {
    if reference.absolute {
        return None;
    }
    let mut here: Vec<String> = module.to_vec();
    here.extend(reference.scope.iter().cloned());
    let (first, rest) = reference.segments.split_first()?;
    let mut resolved = match first.as_str() {
        "crate" => Vec::new(),
        "self" => here,
        "super" => {
            here.pop()?;
            here
        }
        name => {
            let mut child = reference.scope.clone();
            child.push(name.to_owned());
            if !declared.contains(&child) {
                return None;
            }
            here.push(name.to_owned());
            here
        }
    };
    let mut rest = rest.iter().peekable();
    // `super::super::…`, and `self::super::…`.
    while let Some(segment) = rest.next_if(|s| *s == "super" || *s == "self") {
        if segment == "super" {
            resolved.pop()?;
        }
    }
    resolved.extend(rest.cloned());
    Some(resolved)
}

mod tests {
    use super::*;
    use crate::strings;

    #[test]
    fn relative_paths_resolve_to_crate_paths() {
        let source = "mod child;\nuse super::state::User;\nuse self::child::X;\nuse std::fmt;\n\
                      use crate::http::StubError;\nmod tests { use super::*; use super::super::views::V; }";
        let scanned = scan(&tokenize(source));
        let module = file_module("roblox/rules.rs");
        let resolved: Vec<Option<String>> = scanned
            .paths
            .iter()
            .map(|p| resolve(&module, p, &scanned.declared).map(|r| r.join("::")))
            .collect();
        assert_eq!(
            resolved,
            [
                Some("roblox::state::User".to_owned()),
                Some("roblox::rules::child::X".to_owned()),
                None,
                Some("http::StubError".to_owned()),
                Some("roblox::rules".to_owned()),
                Some("roblox::views::V".to_owned()),
            ]
        );
        let bare = scan(&tokenize("mod child;\nfn f() { child::g(); other::h(); }"));
        let resolved: Vec<Option<Vec<String>>> = bare
            .paths
            .iter()
            .map(|p| resolve(&file_module("world.rs"), p, &bare.declared))
            .collect();
        assert_eq!(resolved, [Some(strings(&["world", "child", "g"])), None]);
        let too_far = scan(&tokenize("use super::super::x;"));
        assert_eq!(resolve(&[], &too_far.paths[0], &too_far.declared), None);
    }

    #[test]
    fn file_modules_and_module_files() {
        assert_eq!(file_module("lib.rs"), Vec::<String>::new());
        assert_eq!(file_module("roblox/mod.rs"), strings(&["roblox"]));
        assert_eq!(
            file_module("roblox/state.rs"),
            strings(&["roblox", "state"])
        );
        assert_eq!(file_module("spec/ops/mod.rs"), strings(&["spec", "ops"]));
        let known: BTreeSet<&str> = ["lib.rs", "roblox/mod.rs", "roblox/state/mod.rs", "http.rs"]
            .into_iter()
            .collect();
        let file =
            |path: &str| module_file(&known, &strings(&path.split("::").collect::<Vec<_>>()));
        assert_eq!(file("roblox::state::users::User"), "roblox/state/mod.rs");
        assert_eq!(file("roblox::NewUser"), "roblox/mod.rs");
        assert_eq!(file("http::StubError"), "http.rs");
        assert_eq!(file("Stub"), "lib.rs");
    }

    #[test]
    fn globs() {
        assert!(glob_match("config.rs", "config.rs"));
        assert!(!glob_match("config.rs", "x/config.rs"));
        assert!(glob_match("**/state.rs", "state.rs"));
        assert!(glob_match("**/state.rs", "roblox/state.rs"));
        assert!(glob_match("**/state/**", "roblox/state/users.rs"));
        assert!(!glob_match("**/state/**", "roblox/statement.rs"));
        assert!(glob_match("*/mod.rs", "roblox/mod.rs"));
        assert!(!glob_match("*/mod.rs", "roblox/state/mod.rs"));
        assert!(!glob_match("*/mod.rs", "mod.rs"));
    }

    #[test]
    fn the_layer_table_classifies_the_planned_layout() {
        let cases: &[(&str, Option<u8>)] = &[
            ("config.rs", Some(0)),
            ("cursor.rs", Some(0)),
            ("spec/mod.rs", Some(0)),
            ("spec/validate.rs", Some(0)),
            ("roblox/state.rs", Some(1)),
            ("social/state/party.rs", Some(1)),
            ("roster/rules.rs", Some(2)),
            ("social/views/mod.rs", Some(2)),
            ("world/mod.rs", Some(3)),
            ("world/faults.rs", Some(3)),
            ("world/state.rs", Some(3)),
            ("http/mod.rs", Some(4)),
            ("http.rs", Some(4)),
            ("generated/party.rs", Some(5)),
            ("roblox/api.rs", Some(5)),
            ("social/api/party.rs", Some(5)),
            ("roster/control.rs", Some(6)),
            ("social/seed.rs", Some(6)),
            ("control/mod.rs", Some(6)),
            ("control/bulk.rs", Some(6)),
            ("control.rs", Some(6)),
            ("demo.rs", Some(6)),
            ("app.rs", Some(7)),
            ("lib.rs", Some(7)),
            ("main.rs", Some(7)),
            ("roblox/mod.rs", Some(7)),
            ("bulk.rs", None),
            ("roblox/friends.rs", None),
            ("roster/service.rs", None),
        ];
        for (path, want) in cases {
            assert_eq!(layer_of(path), *want, "{path}");
        }
        assert!(
            LAYERS
                .iter()
                .all(|(_, l)| usize::from(*l) < LAYER_NAMES.len())
        );
    }

    #[test]
    fn layering_flags_only_imports_of_higher_layers() {
        let files: &[(&str, &str)] = &[
            (
                "lib.rs",
                "pub mod roblox; pub mod http; pub use roblox::api::Api;",
            ),
            (
                "config.rs",
                "use crate::roblox::state::User; // crate::http::X in a comment",
            ),
            (
                "roblox/mod.rs",
                "pub mod api; pub mod rules; pub mod state;\npub use state::User;",
            ),
            (
                "roblox/state.rs",
                "use crate::config::Config;\nuse crate::http::StubError;",
            ),
            (
                "roblox/rules.rs",
                "use super::state::User;\nuse super::User as Again;\n\
                 mod tests { use super::*; }",
            ),
            (
                "roblox/api.rs",
                "use crate::{http::{Ctx, StubError}, roblox::rules};\nfn f() { crate::Stub::new(); }",
            ),
            ("http.rs", "use crate::roblox::api::Api;\n"),
            ("bulk.rs", "use crate::http::X;"),
        ];
        let problems = layering_problems(files);
        let short: Vec<String> = problems
            .iter()
            .map(|p| p.split(" is ").next().unwrap_or(p).to_owned())
            .collect();
        assert_eq!(
            short,
            strings(&[
                "bulk.rs:1: no layer (add a pattern to LAYERS or move the file)",
                "config.rs:1: crate::roblox::state::User",
                "http.rs:1: crate::roblox::api::Api",
                "roblox/api.rs:2: crate::Stub::new",
                "roblox/rules.rs:2: super::User",
                "roblox/state.rs:2: crate::http::StubError",
            ]),
            "{problems:#?}"
        );
        assert!(
            problems.iter().any(|p| p.contains(
                "roblox/state.rs:2: crate::http::StubError is http.rs, layer 4 (http), above \
                 this file's layer 1 (state)"
            )),
            "{problems:#?}"
        );
    }
}
