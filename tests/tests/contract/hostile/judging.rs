//! Sending a probe over a raw `TcpStream` and judging the answer against what the
//! documents (and `server-stub/README.md`) say it must be; the state before and after.

use super::*;

#[derive(Debug)]
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, Vec<u8>)>,
    pub(super) body: Vec<u8>,
}

impl Answer {
    pub(super) fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    pub(super) fn json(&self) -> Result<Value, String> {
        serde_json::from_slice(&self.body).map_err(|e| {
            format!(
                "body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Sends raw bytes and reads one HTTP/1.1 answer (by `Content-Length`, chunked, or to EOF).
pub(super) async fn exchange(
    addr: SocketAddr,
    request: &[u8],
    half_close: bool,
) -> Result<Answer, String> {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    // The server may answer (and stop reading) before the whole request is written: a write
    // error is not the answer, so read whatever came back.
    let written = stream.write_all(request).await;
    if half_close {
        let _ = stream.shutdown().await;
    }
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            break end;
        }
        match stream.read_buf(&mut buf).await {
            Ok(0) | Err(_) if buf.is_empty() => {
                return Err(format!(
                    "connection closed without an answer (write: {written:?})"
                ));
            }
            Ok(0) => {
                return Err(format!(
                    "truncated answer: {:?}",
                    String::from_utf8_lossy(&buf)
                ));
            }
            Err(e) => {
                return Err(format!(
                    "read: {e} after {:?}",
                    String::from_utf8_lossy(&buf)
                ));
            }
            Ok(_) => {}
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers: Vec<(String, Vec<u8>)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().as_bytes().to_vec()))
        .collect();
    let mut body = buf[head_end + 4..].to_vec();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    };
    if status == 101 || status == 204 || status == 304 {
        body.clear();
    } else if let Some(length) = header("content-length") {
        let length: usize = length.parse().map_err(|_| "bad Content-Length")?;
        while body.len() < length {
            if stream
                .read_buf(&mut body)
                .await
                .map_err(|e| e.to_string())?
                == 0
            {
                return Err("answer body cut short".into());
            }
        }
        body.truncate(length);
    } else if header("transfer-encoding").is_some_and(|te| te.contains("chunked")) {
        while find(&body, b"0\r\n\r\n").is_none() {
            if stream
                .read_buf(&mut body)
                .await
                .map_err(|e| e.to_string())?
                == 0
            {
                break;
            }
        }
        let mut decoded = Vec::new();
        let mut rest = &body[..];
        while let Some(end) = find(rest, b"\r\n") {
            let size = usize::from_str_radix(
                String::from_utf8_lossy(&rest[..end])
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim(),
                16,
            )
            .map_err(|_| "bad chunk size")?;
            if size == 0 {
                break;
            }
            decoded.extend_from_slice(&rest[end + 2..end + 2 + size]);
            rest = &rest[end + 2 + size + 2..];
        }
        body = decoded;
    } else {
        let _ = stream.read_to_end(&mut body).await;
    }
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// Messages the stub's request validation writes (`social_stub::http::Invalid`).
pub(super) fn is_validation_message(message: &str) -> bool {
    [
        "path parameter",
        "query parameter",
        "header parameter",
        "a JSON body is required",
        "body:",
        "content type",
        "the body is larger",
    ]
    .iter()
    .any(|prefix| message.starts_with(prefix))
}

/// Whether an answer is the stub rejecting the request's input (rather than the service
/// applying its rules to valid input).
pub(super) fn rejected_as_invalid(op: &Op, answer: &Answer) -> bool {
    let Ok(body) = answer.json() else {
        return answer.status == 400;
    };
    match op.kind {
        Kind::Roblox => body
            .pointer("/errors/0/userFacingMessage")
            .and_then(Value::as_str)
            .is_some_and(is_validation_message),
        Kind::Roster | Kind::Social => body["message"].as_str().is_some_and(is_validation_message),
    }
}

/// Judges one answer against what the probe expects and the operation documents.
pub(super) fn judge(op: &Op, probe: &Probe, answer: &Answer) -> Result<(), String> {
    if answer.status >= 500 {
        return Err(format!("answered {}", answer.status));
    }
    if answer.header("x-injected").is_some() {
        return Err("a header smuggled into the request came back in the answer".into());
    }
    match probe.expect {
        Expect::NotFound => {
            let body = answer.json()?;
            if answer.status != 404 || body["error"] != "NOT_FOUND" || !body["message"].is_string()
            {
                return Err(format!(
                    "expected 404 NOT_FOUND, got {} {body}",
                    answer.status
                ));
            }
        }
        Expect::MethodNotAllowed => {
            let allow = answer
                .header("allow")
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .unwrap_or_default();
            if answer.status != 405 || !allow.split(',').any(|m| m.trim() == op.method) {
                return Err(format!(
                    "expected 405 with Allow listing {}, got {} Allow {allow:?}",
                    op.method, answer.status
                ));
            }
            let body = answer.json()?;
            if body["error"] != "METHOD_NOT_ALLOWED" || !body["message"].is_string() {
                return Err(format!("405 body {body}"));
            }
        }
        Expect::Unparsable => {
            if answer.status != 400 || !answer.body.is_empty() {
                return Err(format!(
                    "expected the HTTP layer's bare 400, got {} {:?}",
                    answer.status,
                    String::from_utf8_lossy(&answer.body)
                ));
            }
        }
        Expect::Input | Expect::MediaType | Expect::Credentials | Expect::Business(_) => {
            documented(op, probe.expect, answer)?;
        }
    }
    Ok(())
}

/// The operation's own documented answer, in the service's error shape.
pub(super) fn documented(op: &Op, expect: Expect, answer: &Answer) -> Result<(), String> {
    let body = answer.json()?;
    if op.kind == Kind::Roster {
        let code = body["code"]
            .as_i64()
            .ok_or_else(|| format!("no business code in {body}"))?;
        let wanted = match expect {
            Expect::Input | Expect::MediaType => 10002,
            Expect::Business(code) => code,
            _ => unreachable!("roster credentials probes name their business code"),
        };
        if answer.status != 200 || code != wanted {
            return Err(format!(
                "expected HTTP 200 code {wanted}, got {} {body}",
                answer.status
            ));
        }
        if !op.business_codes.contains(&code) {
            return Err(format!(
                "code {code} is not in the operation's x-business-codes {:?}",
                op.business_codes
            ));
        }
        if body["message"].as_str().is_none_or(str::is_empty) {
            return Err(format!("no message in {body}"));
        }
        // `data` is null on an error, or absent where the document does not make it nullable.
        let nullable = op.responses["200"]
            .pointer("/content/application~1json/schema/properties/data/nullable")
            .and_then(Value::as_bool)
            == Some(true);
        match body.get("data") {
            Some(Value::Null) => {}
            None if !nullable => {}
            other => return Err(format!("`data` {other:?} on an error: {body}")),
        }
        return Ok(());
    }
    let wanted = match expect {
        Expect::Input => 400,
        // ASP.NET Core's `415` where the document lists it, the bad-input answer elsewhere.
        Expect::MediaType if op.documents(415) => 415,
        Expect::MediaType => 400,
        Expect::Credentials => 401,
        _ => unreachable!("business codes are roster's"),
    };
    if answer.status != wanted {
        return Err(format!("expected {wanted}, got {} {body}", answer.status));
    }
    if !op.documents(wanted) {
        return Err(format!("{wanted} is not documented for the operation"));
    }
    let listed = op.error_codes(wanted);
    match op.kind {
        Kind::Roblox => {
            let code = body
                .pointer("/errors/0/code")
                .and_then(Value::as_i64)
                .ok_or_else(|| format!("not the Roblox error shape: {body}"))?;
            let message = body.pointer("/errors/0/message").and_then(Value::as_str);
            let entry = listed
                .iter()
                .find(|e| e["code"].as_i64() == Some(code))
                .ok_or_else(|| format!("code {code} is not in the {wanted}'s x-error-codes"))?;
            if message != entry["message"].as_str() {
                return Err(format!("message {message:?} is not {}", entry["message"]));
            }
        }
        Kind::Social => {
            let name = body["error"]
                .as_str()
                .ok_or_else(|| format!("not the error shape: {body}"))?;
            if !body["message"].is_string() {
                return Err(format!("no message: {body}"));
            }
            if !listed.iter().any(|e| e["error"].as_str() == Some(name)) {
                return Err(format!(
                    "error {name} is not in the {wanted}'s x-error-codes"
                ));
            }
        }
        Kind::Roster => unreachable!(),
    }
    Ok(())
}

/// The world's state without `now` (the world clock reads real time; it is not state).
pub(super) async fn state(world: &WorldHandle) -> String {
    let mut state = world.state().await.expect("state");
    state
        .as_object_mut()
        .expect("state object")
        .remove("now")
        .expect("the state dump has `now`");
    serde_json::to_string_pretty(&state).expect("state text")
}

/// The first line where two dumps differ, with some context.
pub(super) fn first_difference(before: &str, after: &str) -> String {
    let (b, a): (Vec<_>, Vec<_>) = (before.lines().collect(), after.lines().collect());
    let at = b
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(b.len().min(a.len()));
    let from = at.saturating_sub(6);
    format!(
        "before:\n{}\nafter:\n{}",
        b[from..(at + 3).min(b.len())].join("\n"),
        a[from..(at + 3).min(a.len())].join("\n")
    )
}
