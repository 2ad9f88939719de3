//! `cargo run -p social-stub -- --addr 127.0.0.1:8080`

use clap::Parser;
use std::net::SocketAddr;

/// Stub server for the five social-sdk services.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "SOCIAL_STUB_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    tracing::info!(addr = %listener.local_addr()?, "social-stub listening");
    for service in social_stub::SERVICES {
        tracing::info!(prefix = service.prefix, spec = service.spec_name, "serving");
    }
    axum::serve(listener, social_stub::app())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
