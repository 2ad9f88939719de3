//! `cargo run -p social-stub -- --demo` (see `--help`).

use clap::Parser;
use social_stub::{Stub, StubConfig};
use std::net::SocketAddr;

/// Stub server for the five social-sdk services.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Address to listen on (loopback by default).
    #[arg(long, env = "SOCIAL_STUB_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Seed the default world with demo users, friendships and follows, and print their
    /// credentials.
    #[arg(long)]
    demo: bool,
    #[command(flatten)]
    config: StubConfig,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let args = Args::parse();
    let stub = Stub::new(args.config);
    if args.demo {
        social_stub::demo::seed(&stub);
    }
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "social-stub listening");
    for service in social_stub::SERVICES {
        tracing::info!(
            "{}: http://{addr}{} (openapi/{}.yaml)",
            service.spec_name,
            service.prefix,
            service.spec_name
        );
    }
    axum::serve(listener, social_stub::app(stub))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
