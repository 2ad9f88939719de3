//! The five documents against the seed documents in `../shared/seeds/`, mechanically:
//! every method+path pair the seeds name is an operation of the right document, with every
//! parameter (location, requiredness, valid values), body field, response field, error
//! status and error code the seed lists.

use regex::Regex;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use xtask::spec::Spec;

fn seed(name: &str) -> String {
    let path = xtask::workspace_root().join("../shared/seeds").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (CI clones ../shared beside the project)",
            path.display()
        )
    })
}

fn spec(stem: &str) -> Spec {
    let path: PathBuf = xtask::workspace_root()
        .join("openapi")
        .join(format!("{stem}.yaml"));
    Spec::load(&path).expect("spec loads")
}

/// `(METHOD, path)` → operation.
fn ops(spec: &Spec) -> BTreeMap<(String, String), Value> {
    spec.operations()
        .into_iter()
        .map(|o| {
            let mut op = o.op.clone();
            // Fold path-level parameters into the operation, resolved.
            let params: Vec<Value> = o
                .parameters()
                .map(|p| spec.resolve(p).expect("ref").clone())
                .collect();
            op["parameters"] = Value::Array(params);
            ((o.method.clone(), o.path.to_owned()), op)
        })
        .collect()
}

fn param<'a>(op: &'a Value, name: &str) -> Option<&'a Value> {
    op["parameters"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
}

/// Parses `1: The target user is invalid. 6: Invalid parameters.` into code → message.
fn codes(text: &str) -> BTreeMap<i64, String> {
    let re = Regex::new(r"(?:^|\s)(\d+): ").expect("regex");
    let text = text.trim();
    let starts: Vec<_> = re.captures_iter(text).collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let from = c.get(0).expect("match").end();
            let to = starts
                .get(i + 1)
                .map_or(text.len(), |n| n.get(0).expect("match").start());
            (
                c[1].parse().expect("code"),
                text[from..to].trim().to_owned(),
            )
        })
        .collect()
}

fn spec_codes(spec: &Spec, op: &Value, status: &str) -> BTreeMap<i64, String> {
    let response = spec.resolve(&op["responses"][status]).expect("ref");
    response["x-error-codes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| Some((c["code"].as_i64()?, c["message"].as_str()?.to_owned())))
        .collect()
}

/// The two Roblox seeds share one markdown layout.
fn check_roblox_seed(seed_text: &str, spec: &Spec, expected_ops: usize) -> Vec<String> {
    let ops = ops(spec);
    let mut problems = Vec::new();
    let heading = Regex::new(r"(?m)^### (GET|POST|PUT|PATCH|DELETE) `([^`]+)`").expect("regex");
    let starts: Vec<_> = heading.captures_iter(seed_text).collect();
    assert_eq!(starts.len(), expected_ops, "seed endpoint count");
    let row =
        Regex::new(r"^\| `([^`]+)` \| (\w+) \| `([^`]+)` \| (Yes|No) \| (.*)\|$").expect("regex");
    let response = Regex::new(r"^- `(\d{3})`: (.*)$").expect("regex");
    let valid = Regex::new(r"Valid values: ((?:`[^`]+`(?:, )?)+)").expect("regex");
    for (i, cap) in starts.iter().enumerate() {
        let (method, path) = (cap[1].to_owned(), cap[2].to_owned());
        let start = cap.get(0).expect("match").start();
        let end = starts
            .get(i + 1)
            .map_or(seed_text.len(), |c| c.get(0).expect("m").start());
        let section = &seed_text[start..end];
        let Some(op) = ops.get(&(method.clone(), path.clone())) else {
            problems.push(format!("{method} {path}: missing"));
            continue;
        };
        let at = format!("{method} {path}");
        for line in section.lines() {
            if let Some(r) = row.captures(line) {
                let (name, location, required) = (&r[1], &r[2], &r[4] == "Yes");
                match param(op, name) {
                    None => problems.push(format!("{at}: parameter `{name}` missing")),
                    Some(p) => {
                        if p["in"] != location {
                            problems
                                .push(format!("{at}: `{name}` is in {} not {location}", p["in"]));
                        }
                        if p["required"].as_bool().unwrap_or(false) != required {
                            problems.push(format!("{at}: `{name}` required should be {required}"));
                        }
                        if let Some(v) = valid.captures(&r[5]) {
                            let want: BTreeSet<String> = v[1]
                                .split(", ")
                                .map(|s| s.trim_matches('`').to_owned())
                                .collect();
                            let schema = spec.resolve(&p["schema"]).expect("ref");
                            let got: BTreeSet<String> = schema["enum"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .map(|v| v.to_string().trim_matches('"').to_owned())
                                .collect();
                            if got != want {
                                problems.push(format!(
                                    "{at}: `{name}` valid values {got:?}, seed says {want:?}"
                                ));
                            }
                        }
                    }
                }
            }
            if let Some(r) = response.captures(line) {
                let status = &r[1];
                if op["responses"].get(status).is_none() {
                    problems.push(format!("{at}: response {status} missing"));
                } else if status != "200" {
                    let want = codes(&r[2]);
                    let got = spec_codes(spec, op, status);
                    for (code, message) in &want {
                        if got.get(code) != Some(message) {
                            problems.push(format!(
                                "{at}: {status} code {code} {message:?} missing from x-error-codes"
                            ));
                        }
                    }
                }
            }
            if line.starts_with("**Request Body:**") && op.get("requestBody").is_none() {
                problems.push(format!("{at}: request body missing"));
            }
        }
    }
    problems
}

#[test]
fn friends_covers_seed_000() {
    let problems = check_roblox_seed(&seed("000_88657f66f6ba14c7.txt"), &spec("friends"), 24);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn contacts_covers_seed_004() {
    let problems = check_roblox_seed(&seed("004_b8ec2cb6f5058bce.txt"), &spec("contacts"), 3);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn friends_has_the_behavior_request_endpoints() {
    let ops = ops(&spec("friends"));
    for path in [
        "/v1/users/{targetUserId}/request-friendship",
        "/v1/users/{requesterUserId}/accept-friend-request",
        "/v1/users/{requesterUserId}/decline-friend-request",
        "/v1/user/friend-requests/decline-all",
        "/v1/users/{targetUserId}/unfriend",
    ] {
        let op = ops.get(&("POST".to_owned(), path.to_owned()));
        let op = op.unwrap_or_else(|| panic!("POST {path} missing"));
        assert_eq!(
            op["x-source"], "behavior",
            "POST {path} is marked as an addition"
        );
    }
}

#[test]
fn roster_covers_seed_003() {
    let text = seed("003_d520a661bdb28e66.txt");
    let spec = spec("roster");
    let ops = ops(&spec);
    let mut problems = Vec::new();
    let mut pairs = 0;
    let method_line = Regex::new(r"(?m)^> (GET|POST|PUT|DELETE) (/\S+)").expect("regex");
    for section in text.split("\n## ").skip(1) {
        let methods: Vec<(String, String)> = method_line
            .captures_iter(section)
            .map(|c| (c[1].to_owned(), c[2].to_owned()))
            .collect();
        pairs += methods.len();
        // table name → rows (name, type, required, nested)
        let mut tables: BTreeMap<&str, Vec<(String, bool, bool)>> = BTreeMap::new();
        let mut current = "";
        for line in section.lines() {
            if let Some(t) = line.strip_prefix("#### ") {
                current = t.trim();
                continue;
            }
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            if cells.len() < 4
                || cells[1].starts_with("Parameter")
                || cells[1].starts_with("---")
                || cells[1].is_empty()
            {
                continue;
            }
            let nested = cells[1].starts_with('⇥');
            let name = cells[1].trim_start_matches('⇥').trim().to_owned();
            let required = cells[3] == "true";
            tables
                .entry(current)
                .or_default()
                .push((name, required, nested));
        }
        for (method, path) in &methods {
            let at = format!("{method} {path}");
            let Some(op) = ops.get(&(method.clone(), path.clone())) else {
                problems.push(format!("{at}: missing"));
                continue;
            };
            if !op["operationId"].as_str().unwrap_or("").contains("roster") {
                problems.push(format!("{at}: operationId should contain `roster`"));
            }
            for (table, location) in [("Request Header", "header"), ("Query Param", "query")] {
                for (name, required, _) in tables.get(table).into_iter().flatten() {
                    match param(op, name) {
                        Some(p) if p["in"] == location => {
                            if p["required"].as_bool().unwrap_or(false) != *required {
                                problems
                                    .push(format!("{at}: `{name}` required should be {required}"));
                            }
                        }
                        Some(p) => problems
                            .push(format!("{at}: `{name}` is in {} not {location}", p["in"])),
                        None => {
                            problems.push(format!("{at}: {location} parameter `{name}` missing"))
                        }
                    }
                }
            }
            if let Some(rows) = tables.get("Request Body") {
                let schema = spec
                    .resolve(&op["requestBody"]["content"]["application/json"]["schema"])
                    .expect("ref");
                let object = if schema["type"] == "array" {
                    spec.resolve(&schema["items"]).expect("ref")
                } else {
                    schema
                };
                for (name, required, _) in rows.iter().filter(|r| !r.0.is_empty()) {
                    if object["properties"].get(name).is_none() {
                        problems.push(format!("{at}: body field `{name}` missing"));
                    }
                    let is_required = object["required"]
                        .as_array()
                        .is_some_and(|r| r.iter().any(|v| v == name));
                    if is_required != *required {
                        problems.push(format!(
                            "{at}: body field `{name}` required should be {required}"
                        ));
                    }
                }
            }
            let response = spec
                .resolve(&op["responses"]["200"]["content"]["application/json"]["schema"])
                .expect("ref");
            for (name, _, nested) in tables.get("Response Body").into_iter().flatten() {
                let found = if *nested {
                    let data = spec.resolve(&response["properties"]["data"]).expect("ref");
                    let item = if data["type"] == "array" {
                        spec.resolve(&data["items"]).expect("ref")
                    } else {
                        data
                    };
                    let direct = item["properties"].get(name).is_some();
                    // second level (`fails[].reason`): look one level further down
                    direct
                        || item["properties"]
                            .as_object()
                            .into_iter()
                            .flatten()
                            .any(|(_, p)| {
                                let p = spec.resolve(p).expect("ref");
                                let inner = if p["type"] == "array" {
                                    spec.resolve(&p["items"]).expect("ref")
                                } else {
                                    p
                                };
                                inner["properties"].get(name).is_some()
                            })
                } else {
                    response["properties"].get(name).is_some()
                };
                if !found {
                    problems.push(format!("{at}: response field `{name}` missing"));
                }
            }
        }
    }
    assert_eq!(pairs, 22, "seed method+path pairs");
    let ids: BTreeSet<&str> = ops
        .values()
        .filter_map(|o| o["operationId"].as_str())
        .collect();
    assert_eq!(ids.len(), 22, "one operation per method+path, distinct ids");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Seeds 001 and 002 are prose: every `METHOD /path` they mention is an operation of
/// `social-friends.yaml` or (paths under `/v1/social/party`) `party.yaml`.
#[test]
fn social_and_party_cover_seeds_001_and_002() {
    let re = Regex::new(r"(?m)^\s*(?:•\s*)?(GET|POST|PUT|PATCH|DELETE) (/v1/[A-Za-z0-9/{}_.-]+)")
        .expect("regex");
    // Paths compare by shape: a document may name a path parameter more precisely than the
    // seed (`{invitingPartyId}` for the seed's `{partyId}`: the URL is the same).
    let template = Regex::new(r"\{[^}]*\}").expect("regex");
    let shape = |path: &str| template.replace_all(path, "{}").into_owned();
    let shapes = |stem: &str| -> BTreeSet<(String, String)> {
        ops(&spec(stem))
            .into_keys()
            .map(|(method, path)| (method, shape(&path)))
            .collect()
    };
    let social = shapes("social-friends");
    let party = shapes("party");
    let mut wanted = BTreeSet::new();
    for name in ["001_4c670be115039551.txt", "002_20176287b187bf46.txt"] {
        for c in re.captures_iter(&seed(name)) {
            wanted.insert((c[1].to_owned(), shape(&c[2])));
        }
    }
    let mut problems = Vec::new();
    let (mut in_social, mut in_party) = (0, 0);
    for key in &wanted {
        let (table, count) = if key.1.starts_with("/v1/social/party") {
            (&party, &mut in_party)
        } else {
            (&social, &mut in_social)
        };
        *count += 1;
        if !table.contains(key) {
            problems.push(format!("{} {}: missing", key.0, key.1));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!((in_social, in_party), (20, 19), "seed pairs per document");
    for path in ["/v1/profile/settings"] {
        for method in ["GET", "PATCH"] {
            let all = ops(&spec("social-friends"));
            let op = all.get(&(method.to_owned(), path.to_owned()));
            let op = op.unwrap_or_else(|| panic!("{method} {path} missing"));
            assert_eq!(op["x-source"], "behavior");
        }
    }
}

/// Operation ids are unique across all five documents and every operation has the
/// tags, `x-source` and one-error-schema shape the conventions ask for.
#[test]
fn operation_ids_are_unique_and_well_formed() {
    let mut seen = BTreeMap::new();
    let mut problems = Vec::new();
    let snake = Regex::new(r"^[a-z][a-z0-9_]*$").expect("regex");
    let mut total = 0;
    for file in xtask::SPECS {
        let spec = spec(file.stem);
        for op in spec.operations() {
            total += 1;
            let id = op.id().to_owned();
            let at = format!("{}: {} {}", file.stem, op.method, op.path);
            if !snake.is_match(&id) {
                problems.push(format!("{at}: operationId {id:?} is not snake_case"));
            }
            if let Some(other) = seen.insert(id.clone(), at.clone()) {
                problems.push(format!("{at}: operationId {id} also used by {other}"));
            }
            if op.op["tags"].as_array().is_none_or(Vec::is_empty) {
                problems.push(format!("{at}: no tag"));
            }
            if op.op["x-source"].as_str().is_none() {
                problems.push(format!("{at}: no x-source"));
            }
            let responses = op.op["responses"].as_object().expect("responses");
            if responses.contains_key("default") {
                problems.push(format!("{at}: `default` response"));
            }
            let errors: BTreeSet<String> = responses
                .iter()
                .filter(|(s, _)| s.starts_with('4') || s.starts_with('5'))
                .filter_map(|(_, r)| {
                    let r = spec.resolve(r).ok()?;
                    Some(r.pointer("/content/application~1json/schema")?.to_string())
                })
                .collect();
            if errors.len() > 1 {
                problems.push(format!("{at}: {} error schemas", errors.len()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(
        total,
        88 + 5 + 2,
        "88 seed operations + 5 friends requests + 2 profile settings"
    );
}
