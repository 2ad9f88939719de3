//! The stub server: one HTTP listener serving the five services under their prefixes.
//!
//! This is the skeleton of issue #2: it answers `/healthz`, serves the OpenAPI documents
//! as-is under `/openapi/<name>.yaml`, and answers every service route with `501 Not
//! Implemented` until the generated routers and the service worlds land.

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use std::net::SocketAddr;

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

/// The whole application.
pub fn app() -> Router {
    let mut router = Router::new().route("/healthz", get(|| async { "ok" }));
    for service in SERVICES {
        let spec = service.spec;
        router = router
            .route(
                &format!("/openapi/{}.yaml", service.spec_name),
                get(move || async move { ([(header::CONTENT_TYPE, "application/yaml")], spec) }),
            )
            .nest(service.prefix, Router::new().fallback(not_implemented));
    }
    router
}

async fn not_implemented() -> impl IntoResponse {
    (
        StatusCode::NOT_IMPLEMENTED,
        axum::Json(serde_json::json!({
            "error": "NOT_IMPLEMENTED",
            "message": "this service is not implemented by the stub yet"
        })),
    )
}

/// A stub listening on a loopback port, for tests (like `wiremock::MockServer`).
#[derive(Debug)]
pub struct RunningStub {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl RunningStub {
    /// Starts the stub on `127.0.0.1:0`.
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, app()).await {
                tracing::error!(%error, "stub server stopped");
            }
        });
        Ok(Self { addr, task })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Base URL of one service, e.g. `http://127.0.0.1:4000/friends`.
    pub fn service_url(&self, spec_name: &str) -> Option<String> {
        SERVICES
            .iter()
            .find(|s| s.spec_name == spec_name)
            .map(|s| format!("{}{}", self.url(), s.prefix))
    }
}

impl Drop for RunningStub {
    fn drop(&mut self) {
        self.task.abort();
    }
}
