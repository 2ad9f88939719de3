//! The application: every service's generated router mounted under its prefix, in the
//! default world and under `/w/{world}`, the control plane under `/__stub`, the documents
//! under `/openapi`, and [`RunningStub`], the stub on a loopback port for tests.

use crate::control;
use crate::generated;
use crate::http::StubError;
use crate::spec::SERVICES;
use crate::world::Stub;
use crate::{StubConfig, roblox, roster, social};
use axum::Router;
use axum::http::header;
use axum::routing::get;
use std::net::SocketAddr;
use std::sync::Arc;

fn services() -> Router {
    use generated::{contacts, friends, party, social_friends};
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
            generated::roster::router(Arc::new(roster::RosterService)),
        )
        .nest(
            "/social",
            social_friends::router(Arc::new(social::SocialFriendsService)),
        )
        .nest("/party", party::router(Arc::new(social::PartyService)))
        // `Allow` is added by the router; the body says what went wrong, like the 404.
        .method_not_allowed_fallback(|method: axum::http::Method| async move {
            StubError::new(
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
        let documents = [
            (format!("{}.yaml", service.spec_name), Some(service.spec)),
            (
                crate::spec::companion::companion_file(service.spec_name),
                service.live_spec,
            ),
        ];
        for (file, text) in documents {
            if let Some(text) = text {
                router = router.route(
                    &format!("/openapi/{file}"),
                    get(
                        move || async move { ([(header::CONTENT_TYPE, "application/yaml")], text) },
                    ),
                );
            }
        }
    }
    let services = services();
    router
        .nest("/__stub", control::router())
        .nest("/w/{world}", services.clone())
        .merge(services)
        .fallback(|| async {
            StubError::new(
                axum::http::StatusCode::NOT_FOUND,
                serde_json::json!({"error": "NOT_FOUND", "message": "no such route"}),
            )
        })
        .layer(axum::Extension(stub))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// A stub listening on a loopback port, for tests (like `wiremock::MockServer`). Stops when
/// dropped.
///
/// It runs on a thread and a tokio runtime of its own (two workers), never on the caller's:
/// a test that blocks its own thread (a blocking HTTP client, `std::thread::sleep`, a
/// `#[tokio::test]` on the current-thread runtime waiting on something synchronous) cannot
/// stall the stub it is talking to.
#[derive(Debug)]
pub struct RunningStub {
    addr: SocketAddr,
    stub: Arc<Stub>,
    /// Dropping it stops the listener (the stub's thread then ends by itself).
    stop: Option<tokio::sync::watch::Sender<usize>>,
    /// Told when the stub's thread is done.
    done: Option<tokio::sync::oneshot::Receiver<()>>,
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
    /// It serves with the connection limits of `config` ([`crate::serve`]).
    pub async fn start_at(addr: SocketAddr, config: StubConfig) -> std::io::Result<Self> {
        Self::spawn(addr, config)
    }

    /// The process's one shared stub (default settings, `127.0.0.1:0`), started on first use
    /// on its own thread; it lives as long as the process. Tests of one binary share it, each
    /// in a world of its own (`RunningStub::shared()?.control().create_world().await?`), so
    /// the stub starts once per test binary, whatever runtime each test runs on.
    pub fn shared() -> std::io::Result<&'static RunningStub> {
        static SHARED: std::sync::OnceLock<Result<RunningStub, String>> =
            std::sync::OnceLock::new();
        SHARED
            .get_or_init(|| {
                Self::spawn(SocketAddr::from(([127, 0, 0, 1], 0)), StubConfig::default())
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| std::io::Error::other(e.clone()))
    }

    /// Binds `addr` and starts the stub's thread (no runtime needed by the caller).
    fn spawn(addr: SocketAddr, config: StubConfig) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let limits = crate::serve::Limits::of(&config);
        let stub = Stub::new(config);
        let app = app(stub.clone());
        let (stop, signals) = tokio::sync::watch::channel(0);
        let (finished, done) = tokio::sync::oneshot::channel();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("social-stub")
            .enable_all()
            .build()?;
        let closing = stub.clone();
        std::thread::Builder::new()
            .name("social-stub".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let served = match tokio::net::TcpListener::from_std(listener) {
                        Ok(listener) => {
                            crate::serve::serve(listener, app, limits, signals, || {
                                closing.shut_down()
                            })
                            .await
                        }
                        Err(error) => Err(error),
                    };
                    if let Err(error) = served {
                        tracing::error!(%error, "stub server stopped");
                    }
                });
                // The runtime goes with the thread: live streams and connections with it.
                drop(runtime);
                let _ = finished.send(());
            })?;
        Ok(Self {
            addr,
            stub,
            stop: Some(stop),
            done: Some(done),
        })
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
        drop(self.stop.take());
        if let Some(done) = self.done.take() {
            let _ = done.await;
        }
    }

    /// The typed control-plane client.
    pub fn control(&self) -> control::Control {
        control::Control::new(self.url()).with_token(self.stub.config.control_token.clone())
    }
}

impl Drop for RunningStub {
    fn drop(&mut self) {
        self.stub.shut_down();
        // The listener stops when its signal sender goes; the thread ends by itself.
        drop(self.stop.take());
    }
}
