//! One place to build clients for all five services with shared settings: base URLs,
//! timeouts, user agent, retry policy and one connection pool.

use crate::auth::Auth;
use crate::context::ClientContext;
use crate::meta::Service;
use crate::retry::{Clock, RetryPolicy, SharedClock, TokioClock};
use crate::{contacts, friends, party, roster, social_friends};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Shared settings; makes a client per service.
///
/// ```no_run
/// use social_sdk::{Auth, Config, RetryPolicy};
/// # fn main() -> Result<(), social_sdk::ConfigError> {
/// let config = Config::builder()
///     .user_agent("my-bot/1.0")
///     .retry(RetryPolicy::default().with_max_attempts(5))
///     .build()?;
/// let friends = config.friends(Auth::roblox_cookie("…cookie…"));
/// let party = config.party(Auth::bearer("…player token…"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    http: reqwest::Client,
    base_urls: BTreeMap<Service, String>,
    retry: RetryPolicy,
    clock: SharedClock,
    drift_reporting: bool,
}

/// Builds a [`Config`].
#[derive(Debug)]
pub struct ConfigBuilder {
    base_urls: BTreeMap<Service, String>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
    clock: SharedClock,
    http: Option<reqwest::Client>,
    drift_reporting: bool,
}

/// A [`ConfigBuilder`] setting that cannot work.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A base URL does not parse or is not http(s).
    #[error("base URL {url:?} for {service:?} is not usable: {reason}")]
    BaseUrl {
        /// The service.
        service: Service,
        /// The URL given.
        url: String,
        /// Why not.
        reason: String,
    },
    /// The HTTP client could not be built (TLS backend, for example).
    #[error("the HTTP client cannot be built: {0}")]
    Http(#[from] reqwest::Error),
}

impl Default for ConfigBuilder {
    fn default() -> Self {
        Self {
            base_urls: BTreeMap::new(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            user_agent: format!("social-sdk/{}", env!("CARGO_PKG_VERSION")),
            retry: RetryPolicy::default(),
            clock: Arc::new(TokioClock),
            http: None,
            drift_reporting: true,
        }
    }
}

impl ConfigBuilder {
    /// The base URL of one service (default: [`Service::default_base_url`]).
    pub fn base_url(mut self, service: Service, url: impl Into<String>) -> Self {
        self.base_urls.insert(service, url.into());
        self
    }

    /// Timeout of a whole request, connection to last byte (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Timeout of establishing a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header (default `social-sdk/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The retry policy ([`RetryPolicy::disabled`] turns retries off).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The clock retries wait on (tests can substitute one that does not really wait).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Whether clients report drift (on by default; see the crate docs, "What the SDK
    /// tolerates, and how it tells you"). Off saves the second decode of every answer; the
    /// answers are decoded as tolerantly either way.
    pub fn drift_reporting(mut self, on: bool) -> Self {
        self.drift_reporting = on;
        self
    }

    /// Use this `reqwest::Client` (its own timeouts and user agent then apply).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Checks the settings and builds the connection pool.
    pub fn build(self) -> Result<Config, ConfigError> {
        let mut base_urls = BTreeMap::new();
        for service in Service::ALL {
            let Some(url) = self
                .base_urls
                .get(&service)
                .cloned()
                .or_else(|| service.default_base_url().map(str::to_owned))
            else {
                continue; // no public host: its calls say so (`UNSET_BASE_URL`)
            };
            let parsed = url::Url::parse(&url).map_err(|e| ConfigError::BaseUrl {
                service,
                url: url.clone(),
                reason: e.to_string(),
            })?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(ConfigError::BaseUrl {
                    service,
                    url,
                    reason: "not http or https".into(),
                });
            }
            base_urls.insert(service, url.trim_end_matches('/').to_owned());
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                .build()?,
        };
        Ok(Config {
            http,
            base_urls,
            retry: self.retry,
            clock: self.clock,
            drift_reporting: self.drift_reporting,
        })
    }
}

/// The base URL of a client whose service has no public host and was given none: a reserved
/// name (`.invalid` never resolves) that the transport refuses before sending anything.
pub(crate) const UNSET_BASE_URL: &str = "http://base-url-not-set.invalid";

impl Config {
    /// Starts a builder.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// The base URL a service's clients use; `None` for a service without a public host
    /// whose URL was not given (its calls fail at once, saying so).
    pub fn base_url(&self, service: Service) -> Option<&str> {
        self.base_urls.get(&service).map(String::as_str)
    }

    /// A context with these credentials and this config's retry policy and clock.
    pub fn context(&self, auth: Auth) -> ClientContext {
        ClientContext::with_parts(auth, self.retry.clone(), self.clock.clone())
            .with_drift_reporting(self.drift_reporting)
    }

    fn client<C>(
        &self,
        service: Service,
        auth: Auth,
        new: fn(&str, reqwest::Client, ClientContext) -> C,
    ) -> C {
        new(
            self.base_url(service).unwrap_or(UNSET_BASE_URL),
            self.http.clone(),
            self.context(auth),
        )
    }

    /// A Friends v1 client.
    pub fn friends(&self, auth: Auth) -> friends::Client {
        self.client(Service::Friends, auth, friends::Client::new_with_client)
    }

    /// A Contacts v1 client.
    pub fn contacts(&self, auth: Auth) -> contacts::Client {
        self.client(Service::Contacts, auth, contacts::Client::new_with_client)
    }

    /// A roster client.
    pub fn roster(&self, auth: Auth) -> roster::Client {
        self.client(Service::Roster, auth, roster::Client::new_with_client)
    }

    /// A social friends client.
    pub fn social_friends(&self, auth: Auth) -> social_friends::Client {
        self.client(
            Service::SocialFriends,
            auth,
            social_friends::Client::new_with_client,
        )
    }

    /// A party client.
    pub fn party(&self, auth: Auth) -> party::Client {
        self.client(Service::Party, auth, party::Client::new_with_client)
    }
}
