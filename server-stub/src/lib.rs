//! The stub server: the five services on one listener, each under its prefix, generated from
//! the same documents as the SDK and behaving as `../shared/BEHAVIOR.md` (refined in
//! `server-stub/README.md`) says.
//!
//! - `/friends`, `/contacts`, `/roster`, `/social`, `/party`: the default world;
//!   `/w/{world}/friends`, …: any other world.
//! - `/__stub/…`: the control plane (worlds, users, tokens, presence, clock, faults, request
//!   log, state dump); [`control::Control`] is its typed client.
//! - `/healthz`, `/openapi/<name>.yaml`.
//!
//! [`RunningStub::start`] boots it on `127.0.0.1:0` for tests.

pub mod config;
pub mod control;
pub mod cursor;
pub mod demo;
pub mod http;
pub mod live;
pub mod roblox;
pub mod roster;
pub mod social;
mod validate;
pub mod world;

/// Generated from `openapi/*.yaml` by `cargo xtask codegen`: one trait, input structs and a
/// router per document. Never edited by hand.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod generated {
    #[path = "friends.rs"]
    #[rustfmt::skip] // formatted by prettyplease at generation time
    pub mod friends;
    #[path = "contacts.rs"]
    #[rustfmt::skip]
    pub mod contacts;
    #[path = "roster.rs"]
    #[rustfmt::skip]
    pub mod roster;
    #[path = "social_friends.rs"]
    #[rustfmt::skip]
    pub mod social_friends;
    #[path = "party.rs"]
    #[rustfmt::skip]
    pub mod party;
}

pub use config::StubConfig;

use axum::Router;
use axum::http::header;
use axum::routing::get;
use std::net::SocketAddr;
use std::sync::Arc;
use world::Worlds;

/// A service the stub serves, with its URL prefix and its OpenAPI document.
#[derive(Debug, Clone, Copy)]
pub struct Service {
    /// URL prefix, e.g. `/friends`.
    pub prefix: &'static str,
    /// File stem under `openapi/`.
    pub spec_name: &'static str,
    /// The document's text.
    pub spec: &'static str,
}

/// The five services, in README order.
pub const SERVICES: &[Service] = &[
    Service {
        prefix: "/friends",
        spec_name: "friends",
        spec: include_str!("../../openapi/friends.yaml"),
    },
    Service {
        prefix: "/contacts",
        spec_name: "contacts",
        spec: include_str!("../../openapi/contacts.yaml"),
    },
    Service {
        prefix: "/roster",
        spec_name: "roster",
        spec: include_str!("../../openapi/roster.yaml"),
    },
    Service {
        prefix: "/social",
        spec_name: "social-friends",
        spec: include_str!("../../openapi/social-friends.yaml"),
    },
    Service {
        prefix: "/party",
        spec_name: "party",
        spec: include_str!("../../openapi/party.yaml"),
    },
];

/// The stub's shared state: settings and worlds.
#[derive(Debug)]
pub struct Stub {
    /// Limits and TTLs.
    pub config: Arc<StubConfig>,
    /// Every world.
    pub worlds: Worlds,
    /// Set when the stub shuts down: open live connections close.
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl Stub {
    /// A stub with these settings and an empty default world.
    pub fn new(config: StubConfig) -> Arc<Self> {
        let config = Arc::new(config);
        Arc::new(Self {
            worlds: Worlds::new(config.clone()),
            config,
            shutdown: tokio::sync::watch::Sender::new(false),
        })
    }

    /// Closes every open live connection (the listener is the caller's to stop).
    pub fn shut_down(&self) {
        self.shutdown.send_replace(true);
    }

    pub(crate) fn shutting_down(&self) -> tokio::sync::watch::Receiver<bool> {
        self.shutdown.subscribe()
    }
}

fn services() -> Router {
    use generated::*;
    Router::new()
        .nest(
            "/friends",
            friends::router(Arc::new(roblox::FriendsService)),
        )
        .nest(
            "/contacts",
            contacts::router(Arc::new(roblox::ContactsService)),
        )
        .nest(
            "/roster",
            roster::router(Arc::new(crate::roster::RosterService)),
        )
        .nest(
            "/social",
            social_friends::router(Arc::new(social::SocialFriendsService)),
        )
        .nest("/party", party::router(Arc::new(social::PartyService)))
        // `Allow` is added by the router; the body says what went wrong, like the 404.
        .method_not_allowed_fallback(|method: axum::http::Method| async move {
            http::StubError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                serde_json::json!({
                    "error": "METHOD_NOT_ALLOWED",
                    "message": format!("{method} is not allowed here; see the Allow header"),
                }),
            )
        })
}

/// The whole application.
pub fn app(stub: Arc<Stub>) -> Router {
    let mut router = Router::new().route("/healthz", get(|| async { "ok" }));
    for service in SERVICES {
        let spec = service.spec;
        router = router.route(
            &format!("/openapi/{}.yaml", service.spec_name),
            get(move || async move { ([(header::CONTENT_TYPE, "application/yaml")], spec) }),
        );
    }
    let services = services();
    router
        .nest("/__stub", control::router())
        .nest("/w/{world}", services.clone())
        .merge(services)
        .fallback(|| async {
            http::StubError::new(
                axum::http::StatusCode::NOT_FOUND,
                serde_json::json!({"error": "NOT_FOUND", "message": "no such route"}),
            )
        })
        .layer(axum::Extension(stub))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// A stub listening on a loopback port, for tests (like `wiremock::MockServer`). Stops when
/// dropped.
#[derive(Debug)]
pub struct RunningStub {
    addr: SocketAddr,
    stub: Arc<Stub>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningStub {
    /// Starts the stub on `127.0.0.1:0` with default settings.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(StubConfig::default()).await
    }

    /// Starts the stub on `127.0.0.1:0` with these settings.
    pub async fn start_with(config: StubConfig) -> std::io::Result<Self> {
        Self::start_at(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Starts the stub on a given (loopback) address, e.g. to restart one on the same port.
    pub async fn start_at(addr: SocketAddr, config: StubConfig) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let stub = Stub::new(config);
        let app = app(stub.clone());
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app).await {
                tracing::error!(%error, "stub server stopped");
            }
        });
        Ok(Self { addr, stub, task })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The stub's state, for in-process inspection.
    pub fn stub(&self) -> &Arc<Stub> {
        &self.stub
    }

    /// Base URL of one service in the default world, e.g. `http://127.0.0.1:4000/friends`.
    pub fn service_url(&self, spec_name: &str) -> Option<String> {
        SERVICES
            .iter()
            .find(|s| s.spec_name == spec_name)
            .map(|s| format!("{}{}", self.url(), s.prefix))
    }

    /// Stops the stub and waits until its listener is closed (so the port can be bound
    /// again at once); open live connections close.
    pub async fn stop(mut self) {
        self.stub.shut_down();
        self.task.abort();
        let _ = (&mut self.task).await;
    }

    /// The typed control-plane client.
    pub fn control(&self) -> control::Control {
        control::Control::new(self.url())
    }
}

impl Drop for RunningStub {
    fn drop(&mut self) {
        self.stub.shut_down();
        self.task.abort();
    }
}
