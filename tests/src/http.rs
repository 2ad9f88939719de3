//! Raw HTTP to the world's services, for what the SDK deliberately never sends (no CSRF
//! token, foreign cookies, malformed bodies), and reading raw error answers.

use crate::env::Env;
use serde_json::Value;
use social_stub::roblox::CreatedUser;

impl Env {
    /// A raw `POST` with the user's cookie and (optionally) a CSRF token.
    pub async fn raw_post(
        &self,
        service: &str,
        path: &str,
        user: Option<&CreatedUser>,
        csrf: Option<&str>,
        body: Value,
    ) -> reqwest::Response {
        let mut request = self.http.post(self.url(service, path)).json(&body);
        if let Some(user) = user {
            request = request.header("cookie", format!(".ROBLOSECURITY={}", user.cookie));
        }
        if let Some(token) = csrf {
            request = request.header("x-csrf-token", token);
        }
        request.send().await.expect("raw POST sent")
    }

    /// A raw `GET` with the user's cookie, if any.
    pub async fn raw_get(
        &self,
        service: &str,
        path_and_query: &str,
        user: Option<&CreatedUser>,
    ) -> reqwest::Response {
        let mut request = self.http.get(self.url(service, path_and_query));
        if let Some(user) = user {
            request = request.header("cookie", format!(".ROBLOSECURITY={}", user.cookie));
        }
        request.send().await.expect("raw GET sent")
    }
}

impl Env {
    /// A raw `GET` (with the user's cookie, if any) whose answer must be a success: its JSON
    /// body exactly as the service wrote it (no SDK decoding, so nulls and unknown keys stay).
    ///
    /// # Panics
    /// On a non-2xx answer or a body that is not JSON.
    pub async fn raw_get_json(
        &self,
        service: &str,
        path_and_query: &str,
        user: Option<&CreatedUser>,
    ) -> Value {
        let response = self.raw_get(service, path_and_query, user).await;
        let status = response.status();
        let body: Value = response.json().await.expect("a JSON answer");
        assert!(status.is_success(), "{path_and_query}: {status} {body}");
        body
    }
}

/// Reads a raw error response: status, first code and message, and the `x-csrf-token` header.
pub async fn raw_error(response: reqwest::Response) -> (u16, i64, String, Option<String>) {
    let status = response.status().as_u16();
    let csrf = response
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = response.json().await.expect("JSON error body");
    let code = body
        .pointer("/errors/0/code")
        .and_then(Value::as_i64)
        .unwrap_or_else(|| panic!("no errors[0].code in {body}"));
    let message = body
        .pointer("/errors/0/message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    (status, code, message, csrf)
}
