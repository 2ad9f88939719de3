//! The hostile variants of each operation's valid probe: universal ones (methods, routes,
//! content types, framing), credentials, each parameter and each body field.

use super::*;

pub(super) fn variants(ops: &[Op], seed: &Seed, cursors: &Cursors) -> Vec<Probe> {
    let mut all = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        let valid = valid_probe(index, op, seed);
        universal(op, &valid, &mut all);
        credentials(op, &valid, &mut all);
        let has_input = op.body.is_some() || op.params.iter().any(|p| !p.injected);
        if has_input {
            assert!(
                op.answers_bad_input(),
                "{} takes input but documents no answer to bad input",
                op.name()
            );
        }
        for param in op.params.iter().filter(|p| !p.injected) {
            parameter(op, seed, &valid, param, &mut all);
            if op.cursor.as_deref() == Some(param.name.as_str()) && op.cursor_next.is_some() {
                replayed_cursors(ops, index, &param.name, &valid, cursors, &mut all);
            }
        }
        if let Some(schema) = &op.body {
            body(op, seed, &valid, schema, &mut all);
        }
    }
    all
}

/// What applies to every operation: a wrong method, an unknown route next to it, requests
/// that are not valid HTTP/1.1 (header injection with bare CR, obs-fold, NUL, a non-ASCII
/// request target, a bad `Content-Length`).
pub(super) fn universal(op: &Op, valid: &Probe, out: &mut Vec<Probe>) {
    let wrong = ["DELETE", "PATCH", "PUT", "POST", "GET"]
        .into_iter()
        .find(|m| !op.path_methods.iter().any(|p| p == m))
        .expect("some method is not declared");
    let mut probe = valid.with(format!("wrong method {wrong}"), Expect::MethodNotAllowed);
    probe.method = wrong.into();
    out.push(probe);

    let mut probe = valid.with("unknown route below it", Expect::NotFound);
    probe.suffix = b"/hostile/no/such/route".to_vec();
    out.push(probe);

    let mut probe = valid.with("unknown route: path not UTF-8", Expect::NotFound);
    probe.suffix = b"/hostile/%FF%FE/no/such/route".to_vec();
    out.push(probe);

    for (variant, line) in [
        (
            "header injection: bare CR",
            &b"X-Hostile: a\rX-Injected: yes\r\n"[..],
        ),
        (
            "header injection: obs-fold",
            b"X-Hostile: a\r\n X-Injected: yes\r\n",
        ),
        ("header value with NUL", b"X-Hostile: a\0b\r\n"),
        ("header name with space", b"X Hostile: a\r\n"),
    ] {
        let mut probe = valid.with(variant, Expect::Unparsable);
        probe.raw_lines = line.to_vec();
        out.push(probe);
    }
    for (variant, lines) in [
        (
            "Content-Length not a number",
            &b"Content-Length: abc\r\n"[..],
        ),
        ("Content-Length negative", b"Content-Length: -1\r\n"),
        (
            "two different Content-Lengths",
            b"Content-Length: 1\r\nContent-Length: 2\r\n",
        ),
    ] {
        let mut probe = valid.with(variant, Expect::Unparsable);
        probe.raw_lines = lines.to_vec();
        probe.body = None;
        probe.omit_length = true;
        out.push(probe);
    }
    let mut probe = valid.with("request target not ASCII", Expect::Unparsable);
    probe.suffix = b"/\xff\xfe".to_vec();
    out.push(probe);
}

/// Credentials that are not text.
pub(super) fn credentials(op: &Op, valid: &Probe, out: &mut Vec<Probe>) {
    let garbage = b"\xff\xfe\x80".to_vec();
    match op.credentials {
        Credentials::Public => {}
        Credentials::Cookie => {
            let mut probe = valid.with("session cookie not UTF-8", Expect::Credentials);
            let mut cookie = b".ROBLOSECURITY=".to_vec();
            cookie.extend_from_slice(&garbage);
            probe.set_header("Cookie", cookie);
            out.push(probe);
        }
        Credentials::RosterToken => {
            // Present but not text: an invalid token, not a missing one.
            let mut probe = valid.with("access-token not UTF-8", Expect::Business(10008));
            probe.set_header("access-token", garbage.clone());
            out.push(probe);
            let mut probe = valid.with("app_id not UTF-8", Expect::Business(40000));
            probe.set_header("app_id", garbage);
            out.push(probe);
        }
        Credentials::Player | Credentials::Server => {
            let mut probe = valid.with("bearer token not UTF-8", Expect::Credentials);
            let mut value = b"Bearer ".to_vec();
            value.extend_from_slice(&garbage);
            probe.set_header("Authorization", value);
            out.push(probe);
            if op.credentials == Credentials::Server {
                let mut probe = valid.with("X-Server-Id not UTF-8", Expect::Credentials);
                probe.set_header("X-Server-Id", garbage);
                out.push(probe);
            }
        }
    }
}

pub(super) fn parameter(op: &Op, seed: &Seed, valid: &Probe, param: &Param, out: &mut Vec<Probe>) {
    let schema = &param.schema;
    let kind = schema["type"].as_str().unwrap_or("string");
    let name = &param.name;
    let mut bad: Vec<(String, Vec<u8>)> = Vec::new();
    let is_cursor = op.cursor.as_deref() == Some(name.as_str());
    if kind == "integer" {
        if op.live {
            // Live `interval`s are clamped, never rejected, when they are `int32`s at all.
            for text in [
                "2147483648",
                "-2147483649",
                "abc",
                "1.5",
                "1e3",
                "%FF%FE",
                "",
                "1%0D%0AX-Injected:%20yes",
            ] {
                bad.push((format!("not an integer {text:?}"), text.into()));
            }
        } else if name == "limit" {
            let candidates: [i128; 8] = [
                -1,
                0,
                101,
                1_000_000,
                2_147_483_647,
                2_147_483_648,
                -2_147_483_649,
                9_223_372_036_854_775_808,
            ];
            let invalid: Vec<i128> = candidates
                .into_iter()
                .filter(|v| !int_is_valid(*v, schema, param.x_limit.as_ref()))
                .collect();
            assert!(
                invalid.len() >= 4,
                "{}: `limit` documents no bounds (only {invalid:?} are invalid)",
                op.name()
            );
            for v in invalid {
                bad.push((format!("limit {v}"), v.to_string().into_bytes()));
            }
            bad.push(("limit not a number".into(), b"ten".to_vec()));
        } else {
            for text in NOT_INT64 {
                if param.loc == Loc::Header && text.contains('%') {
                    continue; // headers are not percent-decoded
                }
                bad.push((format!("not an int64 {text:?}"), text.as_bytes().to_vec()));
            }
            if schema["format"] == "int32" {
                for v in [2_147_483_648i64, -2_147_483_649] {
                    bad.push((format!("int32 overflow {v}"), v.to_string().into_bytes()));
                }
            }
            if let Some(options) = schema["enum"].as_array() {
                let outside = (0..).find(|v| !options.contains(&json!(v))).expect("gap");
                for v in [outside, -1, 2_147_483_647] {
                    bad.push((
                        format!("unknown enum value {v}"),
                        v.to_string().into_bytes(),
                    ));
                }
            }
        }
    } else if kind == "array" {
        let item = &schema["items"];
        let one = text(&sample(op, seed, name, item, Some(param.loc)));
        let mut huge = vec![one.clone(); 6000].join(",");
        huge.push_str(",x");
        bad.push(("huge array with a bad item".into(), huge.into_bytes()));
        for text in ["9223372036854775808", "abc", "%FF%FE"] {
            bad.push((
                format!("bad item {text:?}"),
                format!("{one},{text}").into_bytes(),
            ));
        }
    } else if let Some(options) = schema["enum"].as_array() {
        let lowered = options[0].as_str().unwrap_or("x").to_lowercase();
        for text in ["NotAKnownValue", "", "%FF%FE", &lowered] {
            if options.contains(&json!(text)) {
                continue;
            }
            bad.push((
                format!("unknown enum value {text:?}"),
                text.as_bytes().to_vec(),
            ));
        }
    } else if schema["format"] == "uuid" {
        for text in [
            "not-a-uuid",
            "00000000-0000-0000-0000-00000000000g",
            "%FF%FE",
            "..%2F..%2F__stub",
            "x%0D%0AX-Injected:%20yes",
        ] {
            bad.push((format!("not a uuid {text:?}"), text.as_bytes().to_vec()));
        }
    } else if is_cursor {
        for cursor in forged_cursors() {
            let label = format!("forged cursor {:.24?}", cursor);
            bad.push((label, cursor.into_bytes()));
        }
    } else if op.kind == Kind::Social && param.loc == Loc::Path {
        // A friend request id: 24 hex digits (social-friends.yaml, RequestId).
        for text in [
            "zzzzzzzzzzzzzzzzzzzzzzzz",
            "0123456789abcdef012345678",
            "%FF%FE",
            "..%2F..%2F__stub",
        ] {
            bad.push((
                format!("not a request id {text:?}"),
                text.as_bytes().to_vec(),
            ));
        }
    }
    if kind == "string" && !op.live && param.loc == Loc::Query {
        // Any text is fine, but text it must be.
        if !bad.iter().any(|(_, v)| v.as_slice() == b"%FF%FE") {
            bad.push(("not UTF-8".into(), b"%FF%FE".to_vec()));
        }
    }
    if param.loc == Loc::Header {
        bad.push(("not UTF-8".into(), b"\xff\xfe".to_vec()));
    }
    let valid_value = text(&sample(op, seed, name, schema, Some(param.loc))).into_bytes();
    let place = |probe: &mut Probe, values: Vec<Vec<u8>>| match param.loc {
        Loc::Path => {
            probe.path.insert(name.clone(), values[0].clone());
        }
        Loc::Query => probe.set_query(name, values),
        Loc::Header => {
            probe.headers.retain(|(n, _)| n != name);
            for value in values {
                probe.headers.push((name.clone(), value));
            }
        }
    };
    let loc = match param.loc {
        Loc::Path => "path",
        Loc::Query => "query",
        Loc::Header => "header",
    };
    for (label, value) in bad {
        let mut probe = valid.with(format!("{loc} {name}: {label}"), Expect::Input);
        place(&mut probe, vec![value]);
        out.push(probe);
    }
    if param.loc != Loc::Path && kind != "array" {
        // Given twice (README: a scalar parameter given twice is invalid); for a header this
        // is what a CRLF smuggled into its value turns into.
        let mut probe = valid.with(format!("{loc} {name}: given twice"), Expect::Input);
        place(&mut probe, vec![valid_value.clone(), valid_value.clone()]);
        out.push(probe);
    }
    if param.required && param.loc == Loc::Query {
        let mut probe = valid.with(format!("{loc} {name}: missing"), Expect::Input);
        probe.query.retain(|(n, _)| n != name);
        out.push(probe);
    }
}

/// Every leaf of a body schema: `(JSON path, schema)`, nested objects included.
pub(super) fn fields(schema: &Value, at: &[String], out: &mut Vec<(Vec<String>, Value)>) {
    for (name, property) in schema["properties"].as_object().into_iter().flatten() {
        let mut path = at.to_vec();
        path.push(name.clone());
        out.push((path.clone(), property.clone()));
        if property.get("properties").is_some() && path.len() < 4 {
            fields(property, &path, out);
        }
    }
}

pub(super) fn set_at(value: &mut Value, path: &[String], new: Value) {
    let mut target = value;
    for key in &path[..path.len() - 1] {
        if !target[key.as_str()].is_object() {
            target[key.as_str()] = json!({});
        }
        target = &mut target[key.as_str()];
    }
    target[path[path.len() - 1].as_str()] = new;
}

pub(super) fn body(op: &Op, seed: &Seed, valid: &Probe, schema: &Value, out: &mut Vec<Probe>) {
    let template = sample(op, seed, "", schema, None);
    let good = json_bytes(&template);
    let with_body = |label: String, bytes: Vec<u8>| {
        let mut probe = valid.with(format!("body: {label}"), Expect::Input);
        probe.body = Some(bytes);
        probe
    };
    for (label, bytes) in [
        ("malformed JSON `{\"a\":`", br#"{"a":"#.to_vec()),
        ("malformed JSON `{,}`", b"{,}".to_vec()),
        ("malformed JSON `nul`", b"nul".to_vec()),
        ("malformed JSON: leading zero", br#"{"n": 01}"#.to_vec()),
        (
            "malformed JSON: trailing garbage",
            [&good[..], b"}}"].concat(),
        ),
        ("malformed JSON: single quotes", b"{'a': 1}".to_vec()),
        ("truncated JSON", good[..good.len() / 2].to_vec()),
        ("JSON null", b"null".to_vec()),
        ("JSON string", br#""hostile""#.to_vec()),
        ("JSON number", b"42".to_vec()),
        ("JSON true", b"true".to_vec()),
        (
            "wrong top-level type",
            if schema["type"] == "array" {
                b"{}".to_vec()
            } else {
                b"[]".to_vec()
            },
        ),
        ("huge array of the wrong type", {
            let mut v = b"[0".to_vec();
            v.extend(std::iter::repeat_n(&b",0"[..], 10_000).flatten());
            v.push(b']');
            v
        }),
        ("deeply nested arrays", {
            let depth = 30_000;
            [vec![b'['; depth], vec![b']'; depth]].concat()
        }),
        ("deeply nested objects", {
            let depth = 10_000;
            let mut v = br#"{"a":"#.repeat(depth);
            v.push(b'1');
            v.extend(std::iter::repeat_n(b'}', depth));
            v
        }),
        ("just over the size limit", {
            let pad = "a".repeat(BODY_LIMIT);
            json_bytes(&json!({"pad": pad}))
        }),
        ("over the size limit (1 MiB)", {
            let pad = "a".repeat(1024 * 1024);
            json_bytes(&json!({"pad": pad}))
        }),
        ("not UTF-8", {
            let mut v = if schema["type"] == "array" {
                b"[".to_vec()
            } else {
                br#"{"hostile":"#.to_vec()
            };
            v.extend_from_slice(b"\"\xff\xfe\x80\"");
            let rest = &good[1..];
            if rest.len() > 1 {
                v.push(b',');
            }
            v.extend_from_slice(rest);
            v
        }),
        ("not UTF-8 at all", b"\xff\xfe\x00{\x00}".to_vec()),
    ] {
        out.push(with_body(label.to_owned(), bytes));
    }
    if op.body_required {
        out.push(with_body("empty".into(), Vec::new()));
        out.push(with_body("whitespace only".into(), b" \r\n\t ".to_vec()));
    }
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/jsonx"),
        Some("json"),
        Some("application/xml"),
        None,
    ] {
        let mut probe = valid.with(
            format!("body: content type {content_type:?}"),
            Expect::MediaType,
        );
        match content_type {
            Some(ct) => probe.set_header("Content-Type", ct.as_bytes().to_vec()),
            None => probe.headers.retain(|(n, _)| n != "Content-Type"),
        }
        out.push(probe);
    }
    let mut probe = valid.with("body: content type not UTF-8", Expect::MediaType);
    probe.set_header("Content-Type", b"application/\xffjson".to_vec());
    out.push(probe);

    // The body never completes: a lying Content-Length, or a chunk that never ends, and then
    // the client closes its side.
    let mut probe = valid.with("body: Content-Length larger than the body", Expect::Input);
    probe.claimed_length = Some(good.len() + 100);
    probe.half_close = true;
    out.push(probe);
    let mut probe = valid.with("body: chunked, cut off mid-chunk", Expect::Input);
    probe.chunked = true;
    let mut framed = format!("{:x}\r\n", good.len() + 100).into_bytes();
    framed.extend_from_slice(&good);
    probe.body = Some(framed);
    probe.half_close = true;
    out.push(probe);

    // One field at a time.
    let mut leaves = Vec::new();
    if schema["type"] == "array" {
        array_field(op, seed, valid, &template, &[], schema, out);
    } else {
        fields(schema, &[], &mut leaves);
    }
    for (path, field) in leaves {
        let dotted = path.join(".");
        let mut mutate = |label: String, value: Value| {
            let mut body = template.clone();
            set_at(&mut body, &path, value);
            let mut probe = valid.with(format!("body `{dotted}`: {label}"), Expect::Input);
            probe.body = Some(json_bytes(&body));
            out.push(probe);
        };
        let kind = field["type"].as_str();
        match kind {
            Some("integer") => {
                mutate("int64 overflow".into(), raw_number("9223372036854775808"));
                mutate("int64 underflow".into(), raw_number("-9223372036854775809"));
                mutate("huge".into(), raw_number("1e400"));
                mutate("fraction".into(), raw_number("1.5"));
                mutate("a string".into(), json!("1"));
                if field["format"] == "int32" {
                    mutate("int32 overflow".into(), json!(2_147_483_648i64));
                }
            }
            Some("boolean") => mutate("a string".into(), json!("true")),
            Some("string") => {
                mutate("a number".into(), json!(123));
                mutate("an object".into(), json!({"$ne": null}));
                if field["format"] == "uuid" {
                    mutate("not a uuid".into(), json!("not-a-uuid"));
                    mutate("header injection".into(), json!("x\r\nX-Injected: yes"));
                }
                if field.get("enum").is_some() {
                    mutate("unknown enum value".into(), json!("NOT_A_KNOWN_VALUE"));
                    mutate("enum value, wrong case".into(), {
                        let first = field["enum"][0].as_str().unwrap_or("x");
                        json!(first.to_lowercase())
                    });
                }
                if let Some(max) = field
                    .pointer("/x-limit/maxLength")
                    .and_then(Value::as_u64)
                    .filter(|_| field.pointer("/x-limit/errorCode").is_some())
                {
                    mutate(
                        format!("longer than x-limit {max}"),
                        json!("a".repeat(max as usize + 1)),
                    );
                }
            }
            Some("array") => {
                mutate("an object".into(), json!({}));
                array_field(op, seed, valid, &template, &path, &field, out);
            }
            Some("object") => mutate("an array".into(), json!([])),
            None if field.get("oneOf").is_some() => {
                mutate("no branch fits".into(), json!({"hostile": true}));
                mutate("int32 overflow".into(), json!(2_147_483_648i64));
            }
            _ => {}
        }
        if field.get("nullable") != Some(&json!(true))
            && (kind.is_some() || field.get("oneOf").is_some())
        {
            let mut body = template.clone();
            set_at(&mut body, &path, Value::Null);
            let mut probe = valid.with(format!("body `{dotted}`: null"), Expect::Input);
            probe.body = Some(json_bytes(&body));
            out.push(probe);
        }
    }
    for required in schema["required"].as_array().into_iter().flatten() {
        let name = required.as_str().expect("required name");
        let mut body = template.clone();
        body.as_object_mut().expect("object body").remove(name);
        let mut probe = valid.with(format!("body `{name}`: missing"), Expect::Input);
        probe.body = Some(json_bytes(&body));
        out.push(probe);
    }
}

/// Whether a schema rejects anything at all.
pub(super) fn constrains(schema: &Value) -> bool {
    schema.as_object().is_some_and(|map| {
        ["type", "enum", "oneOf", "anyOf", "allOf", "properties"]
            .iter()
            .any(|key| map.contains_key(*key))
    })
}

/// A huge array in a body (at `path`; empty: the body itself): more items than a documented
/// limit allows, or, without one, thousands of valid items and one bad one at the end.
pub(super) fn array_field(
    op: &Op,
    seed: &Seed,
    valid: &Probe,
    template: &Value,
    path: &[String],
    schema: &Value,
    out: &mut Vec<Probe>,
) {
    if !constrains(&schema["items"]) {
        return; // any item is valid (`items: {}`), and the body limit bounds how many
    }
    let item = sample(
        op,
        seed,
        path.last().map_or("", String::as_str),
        &schema["items"],
        None,
    );
    let item_len = json_bytes(&item).len() + 1;
    let limit = schema["maxItems"]
        .as_u64()
        .or_else(|| schema.pointer("/x-limit/maxItems").and_then(Value::as_u64));
    let room = (40 * 1024 / item_len).min(10_000);
    let mut items = vec![item; room];
    let label = match limit {
        Some(limit) => {
            assert!(room as u64 > limit, "{}: room for a huge array", op.name());
            format!("{room} items, limit {limit}")
        }
        None => {
            items.push(json!({"hostile": [true]}));
            format!("{room} items and a bad one")
        }
    };
    let mut body = template.clone();
    if path.is_empty() {
        body = Value::Array(items);
    } else {
        set_at(&mut body, path, Value::Array(items));
    }
    let dotted = if path.is_empty() {
        "(body)".to_owned()
    } else {
        path.join(".")
    };
    let mut probe = valid.with(
        format!("body `{dotted}`: huge array, {label}"),
        Expect::Input,
    );
    probe.body = Some(json_bytes(&body));
    out.push(probe);
    let mut body = template.clone();
    let bad_item = Value::Array(vec![json!({"hostile": [true]})]);
    if path.is_empty() {
        body = bad_item;
    } else {
        set_at(&mut body, path, bad_item);
    }
    let mut probe = valid.with(
        format!("body `{dotted}`: item of the wrong type"),
        Expect::Input,
    );
    probe.body = Some(json_bytes(&body));
    out.push(probe);
}
