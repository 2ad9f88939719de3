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
    /// Allow a non-loopback `--addr`: anyone who can reach it can use every service and,
    /// with the `--control-token`, the control plane (tokens, cookies, faults, worlds).
    #[arg(long)]
    expose: bool,
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
    if !args.addr.ip().is_loopback() {
        if !args.expose || args.config.control_token.is_none() {
            eprintln!(
                "social-stub: {} is not a loopback address. The control plane hands out every \
                 token and cookie and can arm faults and delete worlds: to listen there anyway, \
                 pass --expose and a --control-token (or SOCIAL_STUB_CONTROL_TOKEN)",
                args.addr
            );
            std::process::exit(2);
        }
        tracing::warn!(
            addr = %args.addr,
            "listening beyond loopback: every service is open to whoever reaches this address; \
             the control plane (/__stub) needs the control token"
        );
    }
    let limits = social_stub::serve::Limits::of(&args.config);
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
    let signals = social_stub::serve::signals();
    let app = social_stub::app(stub.clone());
    social_stub::serve::serve(listener, app, limits, signals, || stub.shut_down()).await
}
