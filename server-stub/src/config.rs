//! The stub's settings: limits and TTLs, shared by every world. The CLI sets them
//! (`social-stub --help`; the `cli` feature derives the flags); tests use
//! [`StubConfig::default`].

use std::time::Duration;

/// Limits and TTLs.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
pub struct StubConfig {
    /// Friends v1: most friends a user may have.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 1000))]
    pub friend_limit: usize,
    /// Friends/Contacts: how long a CSRF token lives before it rotates, in seconds.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 1800))]
    pub csrf_ttl_secs: u64,
    /// Friends v1: how long a QR session stays open, in seconds.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 300))]
    pub qr_ttl_secs: u64,
    /// Friends v1: days offline after which a friend counts as inactive.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 30))]
    pub inactive_days: i64,
    /// Contacts: longest tag.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 20))]
    pub tag_max_len: usize,
    /// Contacts: words that make a tag `Moderated` (comma-separated, case-insensitive).
    #[cfg_attr(
        feature = "cli",
        arg(long, value_delimiter = ',', default_value = "badword,moderated")
    )]
    pub moderated_words: Vec<String>,
    /// Friends/Contacts: requests one user may make per service per world minute before
    /// `429` (0: no limit).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 0))]
    pub flood_limit_per_minute: u32,
    /// Social/party: the `CONNECT_SERVER_SECRET` server routes must present.
    #[cfg_attr(
        feature = "cli",
        arg(
            long,
            env = "CONNECT_SERVER_SECRET",
            default_value = "stub-server-secret"
        )
    )]
    pub server_secret: String,
    /// Social friends: default friend limit (`counts.max`).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 250))]
    pub social_friend_limit: usize,
    /// Social friends: how long a friend request lives, in seconds (7 days).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 604_800))]
    pub social_request_ttl_secs: u64,
    /// Party: most members of a party.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 8))]
    pub party_max_size: usize,
    /// Party: how long an invite lives, in seconds.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 300))]
    pub party_invite_ttl_secs: u64,
    /// Roster: how long a pending application lives, in seconds (7 days).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 604_800))]
    pub roster_application_ttl_secs: u64,
    /// Every world's answer cache: how long a stored answer of a pure read may be served, in
    /// milliseconds (0: no cache). A change of the world ends it at once; the bound is for
    /// what changes with real time alone (an expiry), so it is short.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 50))]
    pub answer_cache_max_age_ms: u64,
    /// Live streams: most bytes a subscriber may leave unread on the stub's side (queued
    /// frames, pings and pongs) before it is closed with code 1008; also the largest frame
    /// a stream can carry. 16 MiB.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 16 * 1024 * 1024))]
    pub live_max_unsent_bytes: usize,
    /// Connections: most open at once (live streams not counted). Past it, a new connection
    /// takes the slot of the one idle longest, or gets `503 TOO_MANY_CONNECTIONS` when every
    /// one has a request in progress.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 4096))]
    pub max_connections: usize,
    /// Connections: a request's headers must arrive within this many milliseconds of the
    /// connection's start or the previous response's end (so it is also the idle
    /// keep-alive timeout).
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 10_000))]
    pub header_read_timeout_ms: u64,
    /// Shutdown: how long requests in progress may finish after SIGINT/SIGTERM, in
    /// milliseconds; then (or at a second signal) the stub stops at once.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 5_000))]
    pub shutdown_grace_ms: u64,
    /// Connections: a request (its body included) must be answered within this many
    /// milliseconds, else `408 REQUEST_TIMEOUT` and its connection closes.
    #[cfg_attr(feature = "cli", arg(long, default_value_t = 30_000))]
    pub request_timeout_ms: u64,
    /// Control plane: when set, every `/__stub` request must carry
    /// `Authorization: Bearer <token>` (`401 UNAUTHORIZED` otherwise). Required, with
    /// `--expose`, to listen on a non-loopback address.
    #[cfg_attr(feature = "cli", arg(long, env = "SOCIAL_STUB_CONTROL_TOKEN"))]
    pub control_token: Option<String>,
}

impl Default for StubConfig {
    fn default() -> Self {
        Self {
            friend_limit: 1000,
            csrf_ttl_secs: 1800,
            qr_ttl_secs: 300,
            inactive_days: 30,
            tag_max_len: 20,
            moderated_words: vec!["badword".into(), "moderated".into()],
            flood_limit_per_minute: 0,
            server_secret: "stub-server-secret".into(),
            social_friend_limit: 250,
            social_request_ttl_secs: 604_800,
            party_max_size: 8,
            party_invite_ttl_secs: 300,
            roster_application_ttl_secs: 604_800,
            answer_cache_max_age_ms: 50,
            live_max_unsent_bytes: 16 * 1024 * 1024,
            max_connections: 4096,
            header_read_timeout_ms: 10_000,
            shutdown_grace_ms: 5_000,
            request_timeout_ms: 30_000,
            control_token: None,
        }
    }
}

/// Whole seconds as a world-clock duration (saturating).
fn seconds(secs: u64) -> chrono::Duration {
    chrono::Duration::try_seconds(i64::try_from(secs).unwrap_or(i64::MAX))
        .unwrap_or(chrono::Duration::MAX)
}

impl StubConfig {
    /// How long a Roblox QR session stays open.
    pub fn qr_ttl(&self) -> chrono::Duration {
        seconds(self.qr_ttl_secs)
    }

    /// How long a social friend request lives.
    pub fn social_request_ttl(&self) -> chrono::Duration {
        seconds(self.social_request_ttl_secs)
    }

    /// How long a party invite lives.
    pub fn party_invite_ttl(&self) -> chrono::Duration {
        seconds(self.party_invite_ttl_secs)
    }

    /// How long a cached answer may be served.
    pub fn answer_cache_max_age(&self) -> Duration {
        Duration::from_millis(self.answer_cache_max_age_ms)
    }

    /// The CSRF token lifetime.
    pub fn csrf_ttl(&self) -> Duration {
        Duration::from_secs(self.csrf_ttl_secs)
    }
}
