//! The bare baseline: axum answering fixed paths with fixed bytes, nothing else (no
//! validation, no state, no log). The bytes are what the stub answered for the same paths.

use anyhow::{Context, Result};
use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::routing::get;
use std::net::SocketAddr;

/// Serves until killed; prints `listening <addr>` once bound.
pub(crate) async fn serve(addr: SocketAddr, routes: &[String]) -> Result<()> {
    let mut app = Router::new();
    for route in routes {
        let (path, file) = route
            .split_once('=')
            .with_context(|| format!("--route {route:?} is not <path>=<file>"))?;
        let body = Bytes::from(std::fs::read(file).with_context(|| format!("reading {file}"))?);
        app = app.route(
            path,
            get(move || {
                let body = body.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], body) }
            }),
        );
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening {}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
