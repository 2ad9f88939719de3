//! Credentials, and how each operation's document-declared security turns into headers.
//!
//! Secrets are kept in [`Secret`], whose `Debug` never shows the value, and are sent as
//! headers marked sensitive (so `reqwest`/`hyper` keep them out of their own logs and HTTP/2
//! header tables).

use reqwest::header::{AUTHORIZATION, COOKIE, HeaderMap, HeaderName, HeaderValue};
use std::fmt;
use std::sync::Arc;

/// A credential value: a cookie, a token or a shared secret. `Debug` prints `Secret(***)`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(Arc::from(value.into()))
    }

    /// The credential itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    fn header(&self, prefix: &str) -> Result<HeaderValue, String> {
        let mut value = HeaderValue::from_str(&format!("{prefix}{}", self.0)).map_err(|_| {
            "a credential contains characters that cannot be sent in a header".to_owned()
        })?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<&String> for Secret {
    fn from(value: &String) -> Self {
        Self::new(value.as_str())
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

/// The credentials one client sends. Build with the constructors; combine with the `with_`
/// methods (a social client may hold a player token and a server secret).
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Auth {
    /// Roblox `.ROBLOSECURITY` session cookie (Friends, Contacts).
    pub roblox_cookie: Option<Secret>,
    /// `Authorization: Bearer` token: a Roblox bearer session, or a social/party player token.
    pub bearer: Option<Secret>,
    /// Social/party server routes: `CONNECT_SERVER_SECRET` and the registered server id.
    pub server: Option<ServerCredentials>,
    /// Roster `access-token` + `app_id`, and whom an admin token acts as.
    pub roster: Option<RosterCredentials>,
}

/// Credentials of a game server calling the social/party server routes.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ServerCredentials {
    /// `CONNECT_SERVER_SECRET`, sent as `Authorization: Bearer`.
    pub secret: Secret,
    /// Sent as `X-Server-Id`.
    pub server_id: String,
}

/// Roster credentials.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RosterCredentials {
    /// The app, sent as `app_id`.
    pub app_id: String,
    /// A user or admin token, sent as `access-token`.
    pub access_token: Secret,
    /// With an admin token: act as this user (header `user_id`) unless the call sets it.
    pub acting_user_id: Option<i64>,
    /// With an admin token: act in this group (header `group_id`) unless the call sets it.
    pub group_id: Option<i64>,
}

impl Auth {
    /// No credentials (public endpoints only).
    pub fn none() -> Self {
        Self::default()
    }

    /// A Roblox `.ROBLOSECURITY` cookie.
    pub fn roblox_cookie(cookie: impl Into<Secret>) -> Self {
        Self {
            roblox_cookie: Some(cookie.into()),
            ..Self::default()
        }
    }

    /// A bearer token (Roblox bearer session, or a social/party player token).
    pub fn bearer(token: impl Into<Secret>) -> Self {
        Self {
            bearer: Some(token.into()),
            ..Self::default()
        }
    }

    /// A game server's secret and registered id (social/party server routes).
    pub fn server(secret: impl Into<Secret>, server_id: impl Into<String>) -> Self {
        Self::default().with_server(secret, server_id)
    }

    /// A roster app and token.
    pub fn roster(app_id: impl Into<String>, access_token: impl Into<Secret>) -> Self {
        Self {
            roster: Some(RosterCredentials {
                app_id: app_id.into(),
                access_token: access_token.into(),
                acting_user_id: None,
                group_id: None,
            }),
            ..Self::default()
        }
    }

    /// Adds a bearer token.
    pub fn with_bearer(mut self, token: impl Into<Secret>) -> Self {
        self.bearer = Some(token.into());
        self
    }

    /// Adds a Roblox `.ROBLOSECURITY` cookie.
    pub fn with_roblox_cookie(mut self, cookie: impl Into<Secret>) -> Self {
        self.roblox_cookie = Some(cookie.into());
        self
    }

    /// Adds server credentials.
    pub fn with_server(mut self, secret: impl Into<Secret>, server_id: impl Into<String>) -> Self {
        self.server = Some(ServerCredentials {
            secret: secret.into(),
            server_id: server_id.into(),
        });
        self
    }

    /// Roster admin token: act as `user_id` on every call that does not set it itself.
    pub fn acting_as_user(mut self, user_id: i64) -> Self {
        if let Some(roster) = &mut self.roster {
            roster.acting_user_id = Some(user_id);
        }
        self
    }

    /// Roster admin token: act in `group_id` on every call that does not set it itself.
    pub fn in_group(mut self, group_id: i64) -> Self {
        if let Some(roster) = &mut self.roster {
            roster.group_id = Some(group_id);
        }
        self
    }

    /// Adds the headers `scheme` asks for. Missing credentials add nothing: the service then
    /// answers 401 (or roster code 10003), which is clearer than failing here.
    pub(crate) fn apply(
        &self,
        scheme: crate::meta::AuthScheme,
        headers: &mut HeaderMap,
    ) -> Result<(), String> {
        use crate::meta::AuthScheme;
        match scheme {
            AuthScheme::None => {}
            AuthScheme::RobloxSession => {
                if let Some(cookie) = &self.roblox_cookie {
                    headers.insert(COOKIE, cookie.header(".ROBLOSECURITY=")?);
                } else if let Some(token) = &self.bearer {
                    headers.insert(AUTHORIZATION, token.header("Bearer ")?);
                }
            }
            AuthScheme::Bearer => {
                if let Some(token) = &self.bearer {
                    headers.insert(AUTHORIZATION, token.header("Bearer ")?);
                }
            }
            AuthScheme::ServerSecret => {
                if let Some(server) = &self.server {
                    headers.insert(AUTHORIZATION, server.secret.header("Bearer ")?);
                    let id = HeaderValue::from_str(&server.server_id)
                        .map_err(|_| "the server id cannot be sent in a header".to_owned())?;
                    headers.insert(HeaderName::from_static("x-server-id"), id);
                }
            }
            AuthScheme::RosterToken => {
                if let Some(roster) = &self.roster {
                    headers.insert(
                        HeaderName::from_static("access-token"),
                        roster.access_token.header("")?,
                    );
                    let app = HeaderValue::from_str(&roster.app_id)
                        .map_err(|_| "the app id cannot be sent in a header".to_owned())?;
                    headers.insert(HeaderName::from_static("app_id"), app);
                    for (name, value) in [
                        ("user_id", roster.acting_user_id),
                        ("group_id", roster.group_id),
                    ] {
                        if let Some(value) = value
                            && !headers.contains_key(name)
                        {
                            headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::AuthScheme;

    #[test]
    fn debug_never_shows_a_secret() {
        let auth = Auth::roster("app-1", "roster-token-123")
            .acting_as_user(7)
            .with_server("server-secret-456", "srv-1");
        let auth = auth
            .with_roblox_cookie("cookie-789")
            .with_bearer("bearer-000");
        let debug = format!("{auth:?} {auth:#?}");
        for secret in [
            "roster-token-123",
            "server-secret-456",
            "cookie-789",
            "bearer-000",
        ] {
            assert!(!debug.contains(secret), "{secret} leaked: {debug}");
        }
        assert!(
            debug.contains("app-1") && debug.contains("srv-1"),
            "ids are not secret: {debug}"
        );
    }

    #[test]
    fn headers_per_scheme_are_marked_sensitive() {
        let auth = Auth::roblox_cookie("c").with_server("s", "srv");
        let mut h = HeaderMap::new();
        auth.apply(AuthScheme::RobloxSession, &mut h)
            .expect("applies");
        assert_eq!(h[COOKIE], ".ROBLOSECURITY=c");
        assert!(h[COOKIE].is_sensitive());
        let mut h = HeaderMap::new();
        auth.apply(AuthScheme::ServerSecret, &mut h)
            .expect("applies");
        assert_eq!(h[AUTHORIZATION], "Bearer s");
        assert!(h[AUTHORIZATION].is_sensitive());
        assert_eq!(h["x-server-id"], "srv");
    }

    #[test]
    fn roster_acting_user_does_not_override_the_call() {
        let auth = Auth::roster("app", "t").acting_as_user(5).in_group(9);
        let mut h = HeaderMap::new();
        h.insert("user_id", HeaderValue::from(42));
        auth.apply(AuthScheme::RosterToken, &mut h)
            .expect("applies");
        assert_eq!(h["user_id"], "42");
        assert_eq!(h["group_id"], "9");
        assert_eq!(h["app_id"], "app");
        assert!(h["access-token"].is_sensitive());
    }

    #[test]
    fn a_credential_with_a_newline_is_an_error() {
        let mut h = HeaderMap::new();
        let error = Auth::bearer("a\nb")
            .apply(AuthScheme::Bearer, &mut h)
            .expect_err("rejected");
        assert!(error.contains("cannot be sent"), "{error}");
        assert!(!error.contains("a\nb"));
    }
}
