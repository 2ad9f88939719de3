//! Cursors: forged ones, ones harvested from real pages (of this world and its twin),
//! altered and replayed ones.

use super::*;

/// Integer texts no `int64` parameter accepts (percent-encoded where needed).
pub(super) const NOT_INT64: &[&str] = &[
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999999",
    "1e3",
    "0x1F",
    "1.0",
    "%201",
    "%EF%BC%91",
    "abc",
    "%00",
    "%FF%FE",
    "1%0D%0AX-Injected:%20yes",
];

/// Forged cursors.
pub(super) fn forged_cursors() -> Vec<String> {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = b64.encode(br#"{"world":"default","list":"x","after":0,"sort":"Asc"}"#);
    vec![
        "garbage".into(),
        "AAAA.BBBB".into(),
        format!("{payload}.{}", b64.encode([0u8; 32])),
        payload,
        "%FF%FE".into(),
        "A".repeat(8 * 1024),
        "x%0D%0AX-Injected:%20yes".into(),
        "..%2F..%2F__stub%2Fworlds".into(),
    ]
}

/// Real cursors, one per paged operation: the first page's at the smallest valid `limit`.
#[derive(Debug, Default)]
pub(super) struct Cursors {
    /// From the world under attack (read before its state is taken).
    pub(super) own: BTreeMap<usize, String>,
    /// From the twin world.
    pub(super) twin: BTreeMap<usize, String>,
}

pub(super) async fn harvest(ops: &[Op], seed: &Seed, addr: SocketAddr) -> BTreeMap<usize, String> {
    let mut cursors = BTreeMap::new();
    for (index, op) in ops.iter().enumerate() {
        let Some(next) = &op.cursor_next else {
            continue;
        };
        let mut probe = valid_probe(index, op, seed);
        if let Some(limit) = op.params.iter().find(|p| p.name == "limit") {
            let smallest = (1..=100)
                .find(|v| int_is_valid(*v, &limit.schema, limit.x_limit.as_ref()))
                .expect("some limit is valid");
            probe.set_query("limit", vec![smallest.to_string().into_bytes()]);
        }
        let request = probe.render(ops, seed, addr);
        let answer = tokio::time::timeout(HANG, exchange(addr, &request, false))
            .await
            .expect("a first page within the hang timeout")
            .expect("a first page");
        let body = answer.json().expect("a JSON page");
        let cursor = body[next.as_str()]
            .as_str()
            .unwrap_or_else(|| panic!("{}: the seeded world has a second page: {body}", op.name()));
        cursors.insert(index, cursor.to_owned());
    }
    cursors
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(super) fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte);
        } else {
            let _ = write!(ByteWriter(&mut out), "%{byte:02X}");
        }
    }
    out
}

/// A real cursor with one character changed at `at` (from the end when negative).
pub(super) fn altered(cursor: &str, at: isize) -> String {
    let mut chars: Vec<char> = cursor.chars().collect();
    let i = if at < 0 {
        chars.len() - at.unsigned_abs()
    } else {
        at as usize
    };
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

/// Replayed real cursors: another world's, another list's, altered ones, and one used with
/// the other sort order.
pub(super) fn replayed_cursors(
    ops: &[Op],
    index: usize,
    name: &str,
    valid: &Probe,
    cursors: &Cursors,
    out: &mut Vec<Probe>,
) {
    let op = &ops[index];
    let with_cursor = |label: String, cursor: &str| {
        let mut probe = valid.with(format!("query {name}: {label}"), Expect::Input);
        probe.set_query(name, vec![encode(cursor)]);
        probe
    };
    let own = cursors
        .own
        .get(&index)
        .expect("every paged operation has a cursor");
    let twin = cursors.twin.get(&index).expect("and one in the twin world");
    out.push(with_cursor("real cursor of another world".into(), twin));
    out.push(with_cursor(
        "real cursor, first character altered".into(),
        &altered(own, 0),
    ));
    out.push(with_cursor(
        "real cursor, last character altered".into(),
        &altered(own, -1),
    ));
    out.push(with_cursor(
        "real cursor, truncated".into(),
        &own[..own.len() / 2],
    ));
    for (other, cursor) in &cursors.own {
        if *other != index && ops[*other].service.spec_name == op.service.spec_name {
            out.push(with_cursor(
                format!("real cursor of {}", ops[*other].id),
                cursor,
            ));
        }
    }
    // Cursors are bound to the sort (README, Paging): one from the default order is refused
    // in every other. (`userSort` does not change the order of `find`/`search`, and
    // `friendRequestSort` does not change the order of requests, so those are not sorts.)
    for param in op.params.iter().filter(|p| p.name == "sortOrder") {
        let options = param.schema["enum"]
            .as_array()
            .expect("sortOrder is an enum");
        for option in options.iter().skip(1) {
            let mut probe =
                with_cursor(format!("real cursor, {} {}", param.name, text(option)), own);
            probe.set_query(&param.name, vec![text(option).into_bytes()]);
            out.push(probe);
        }
    }
}
