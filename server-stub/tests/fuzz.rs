//! Property-based fuzzing of the stub's request parsing, through the whole router.
//!
//! Every case is one request built from the documents' own operations: a declared (or, now
//! and then, a wrong) method, path parameters that are valid ids, junk or percent-encoded
//! bytes, query strings mixing declared and unknown keys with arbitrary (also repeated)
//! values, credentials present or not, any content type and a body that is valid JSON,
//! arbitrary JSON, deeply nested JSON or raw bytes. It runs in-process
//! (`tower::ServiceExt::oneshot`), so a handler panic fails the case.
//!
//! The property: every request is answered, below 500, within a hang-detector timeout.
//!
//! Bounded for CI: 2,000 cases by default (a few seconds). Run longer with
//! `PROPTEST_CASES=200000 cargo test -p social-stub --test fuzz`; a failure prints the
//! shrunk (minimal) request that was answered 5xx.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use social_stub::spec::Location;
use social_stub::{SERVICES, Stub, StubConfig, app};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tower::ServiceExt;

/// One operation of one document: where it lives and what it declares.
#[derive(Debug, Clone)]
struct Op {
    method: Method,
    /// `/friends/v1/users/{userId}/friends`: the service prefix and the document's path.
    path: String,
    query: Vec<String>,
    headers: Vec<String>,
}

fn operations() -> &'static [Op] {
    static OPS: OnceLock<Vec<Op>> = OnceLock::new();
    OPS.get_or_init(|| {
        let mut ops: Vec<Op> = social_stub::spec::operations()
            .map(|op| {
                let prefix = SERVICES
                    .iter()
                    .find(|s| s.spec_name == op.spec)
                    .map_or("", |s| s.prefix);
                let params = |place: Location| -> Vec<String> {
                    op.params
                        .iter()
                        .filter(|p| p.location == place)
                        .map(|p| p.name.clone())
                        .collect()
                };
                Op {
                    method: op.method.parse().expect("a method"),
                    path: format!("{prefix}{}", op.path),
                    query: params(Location::Query),
                    headers: params(Location::Header),
                }
            })
            .collect();
        // The index is a map: a fixed order keeps shrinking and seeds reproducible.
        ops.sort_by(|a, b| (&a.path, a.method.as_str()).cmp(&(&b.path, b.method.as_str())));
        ops
    })
}

/// Credentials of one seeded world, made through the control plane.
#[derive(Debug, Clone)]
struct Creds {
    cookie: String,
    player_token: String,
    app_id: String,
    admin_token: String,
    ids: Vec<String>,
}

async fn call(app: &Router, request: Request<Body>) -> (u16, Vec<u8>) {
    let response = tokio::time::timeout(Duration::from_secs(5), app.clone().oneshot(request))
        .await
        .expect("answered within 5 s")
        .expect("infallible");
    let status = response.status().as_u16();
    let body = tokio::time::timeout(
        Duration::from_secs(5),
        axum::body::to_bytes(response.into_body(), 1 << 24),
    )
    .await
    .expect("body within 5 s")
    .expect("body");
    (status, body.to_vec())
}

async fn control(app: &Router, path: &str, body: Value) -> Value {
    let request = Request::post(format!("/__stub/worlds/default/{path}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    let (status, body) = call(app, request).await;
    assert!(status < 300, "control {path}: {status}");
    serde_json::from_slice(&body).unwrap_or(Value::Null)
}

async fn seed(app: &Router) -> Creds {
    let user = control(app, "roblox/users", json!({"id": 7, "name": "seven"})).await;
    control(app, "roblox/users", json!({"id": 8, "name": "eight"})).await;
    let player = control(app, "social/players", json!({"name": "fuzz"})).await;
    control(app, "social/players", json!({"name": "other"})).await;
    control(app, "social/servers", json!({"id": "fuzz-server"})).await;
    let roster = control(app, "roster/apps", json!({})).await;
    let app_id = roster["appId"].as_str().expect("appId").to_string();
    control(
        app,
        &format!("roster/apps/{app_id}/users"),
        json!({"username": "fuzz-user"}),
    )
    .await;
    Creds {
        cookie: user["cookie"].as_str().expect("cookie").to_string(),
        player_token: player["token"].as_str().expect("token").to_string(),
        admin_token: roster["adminToken"].as_str().expect("admin").to_string(),
        ids: vec![
            "7".into(),
            "8".into(),
            player["id"].as_str().expect("id").to_string(),
        ],
        app_id,
    }
}

/// Text that is anything: printable, control characters, non-ASCII, percent signs.
fn junk() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,16}",
        "[0-9]{1,30}",
        "-[0-9]{1,20}",
        Just("9223372036854775808".to_string()),
        Just("%FF%FE%00".to_string()),
        Just("a,b,,c".to_string()),
        Just(String::new()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
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

fn body() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop_oneof![
        Just(None),
        json_value().prop_map(|v| Some(v.to_string().into_bytes())),
        prop::collection::vec(any::<u8>(), 0..256).prop_map(Some),
        (1usize..20_000).prop_map(|depth| Some(
            format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes()
        )),
        json_value().prop_map(|v| {
            // Truncated JSON: valid text cut short.
            let text = v.to_string();
            Some(text.as_bytes()[..text.len() / 2].to_vec())
        }),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    op: prop::sample::Index,
    wrong_method: bool,
    path_values: Vec<(bool, prop::sample::Index, String)>,
    query: Vec<(prop::sample::Index, bool, String)>,
    credentials: bool,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        any::<prop::sample::Index>(),
        prop::bool::weighted(0.05),
        prop::collection::vec((any::<bool>(), any::<prop::sample::Index>(), junk()), 4),
        prop::collection::vec((any::<prop::sample::Index>(), any::<bool>(), junk()), 0..5),
        prop::bool::weighted(0.85),
        prop::option::of(prop::sample::select(vec![
            "application/json",
            "application/json; charset=utf-8",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "application/json\u{7f}",
        ])),
        body(),
    )
        .prop_map(
            |(op, wrong_method, path_values, query, credentials, content_type, body)| Case {
                op,
                wrong_method,
                path_values,
                query,
                credentials,
                content_type,
                body,
            },
        )
}

fn percent(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn request(case: &Case, creds: &Creds) -> Request<Body> {
    let op = &operations()[case.op.index(operations().len())];
    // Path: every `{param}` becomes a seeded id or junk.
    let mut path = String::new();
    let mut rest = op.path.as_str();
    let mut values = case.path_values.iter().cycle();
    while let Some(start) = rest.find('{') {
        let end = rest[start..]
            .find('}')
            .map_or(rest.len(), |e| start + e + 1);
        path.push_str(&rest[..start]);
        let (seeded, pick, junk) = values.next().expect("cycle");
        if *seeded {
            path.push_str(&creds.ids[pick.index(creds.ids.len())]);
        } else if junk.contains('%') {
            path.push_str(junk);
        } else {
            path.push_str(&percent(junk));
        }
        rest = &rest[end..];
    }
    path.push_str(rest);
    // Query: declared keys (sometimes twice) and unknown ones.
    let pairs: Vec<String> = case
        .query
        .iter()
        .map(|(pick, declared, value)| {
            let key = if *declared && !op.query.is_empty() {
                op.query[pick.index(op.query.len())].clone()
            } else {
                "unknownKey".to_string()
            };
            format!("{key}={}", percent(value))
        })
        .collect();
    if !pairs.is_empty() {
        path = format!("{path}?{}", pairs.join("&"));
    }
    let method = if case.wrong_method {
        Method::PATCH
    } else {
        op.method.clone()
    };
    let mut builder = Request::builder().method(method).uri(&path);
    if case.credentials {
        builder = if op.path.starts_with("/friends") || op.path.starts_with("/contacts") {
            builder.header("cookie", format!(".ROBLOSECURITY={}", creds.cookie))
        } else if op.path.starts_with("/roster") {
            builder
                .header("access-token", &creds.admin_token)
                .header("app_id", &creds.app_id)
        } else if op.path.contains("/server") {
            builder
                .header("authorization", "Bearer stub-server-secret")
                .header("x-server-id", "fuzz-server")
        } else {
            builder.header("authorization", format!("Bearer {}", creds.player_token))
        };
    }
    for header in &op.headers {
        if let Some((_, _, value)) = case.path_values.first()
            && let Ok(value) = axum::http::HeaderValue::from_str(value)
        {
            builder = builder.header(header.as_str(), value);
        }
    }
    if let Some(content_type) = case.content_type {
        builder = builder.header("content-type", content_type);
    }
    match builder.body(Body::from(case.body.clone().unwrap_or_default())) {
        Ok(request) => request,
        // A URI the `http` crate itself refuses never reaches a server: send the bare path.
        Err(_) => Request::get(op.path.replace(['{', '}'], "x"))
            .body(Body::empty())
            .expect("plain request"),
    }
}

#[test]
fn any_request_to_any_route_is_answered_below_500() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let app = app(Stub::new(StubConfig::default()));
    let creds = runtime.block_on(seed(&app));
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let app = Arc::new(app);
    let statuses = std::cell::RefCell::new(std::collections::BTreeMap::<u16, usize>::new());
    runner
        .run(&case(), |case| {
            let request = request(&case, &creds);
            let (method, uri) = (request.method().clone(), request.uri().clone());
            let (status, body) = runtime.block_on(call(&app, request));
            *statuses.borrow_mut().entry(status).or_default() += 1;
            prop_assert!(
                status < 500,
                "{method} {uri} answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
            Ok(())
        })
        .expect("no request is answered 5xx");
    // The cases must reach the services, not just the router's edges: some succeed, some
    // are refused for their input, and unknown routes are not the bulk of them.
    let statuses = statuses.into_inner();
    println!("statuses over {cases} cases: {statuses:?}");
    let count = |range: std::ops::Range<u16>| -> usize {
        statuses
            .iter()
            .filter(|(s, _)| range.contains(s))
            .map(|(_, n)| n)
            .sum()
    };
    if cases >= 500 {
        assert!(
            count(200..300) * 10 >= cases as usize,
            "too few 2xx: {statuses:?}"
        );
        assert!(
            count(400..500) * 4 >= cases as usize,
            "too few 4xx: {statuses:?}"
        );
        assert!(
            statuses.get(&404).copied().unwrap_or(0) * 2 < cases as usize,
            "mostly 404: {statuses:?}"
        );
    }
}
