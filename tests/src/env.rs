//! One stub booted in-process, one world of its own, and the SDK configured for every
//! service of that world (retries off unless asked): what every suite's environment starts
//! from. Also the world's request log and fault rules.

use serde_json::Value;
use social_sdk::{Config, ConfigBuilder, RetryPolicy, Service};
use social_stub::control::WorldHandle;
use social_stub::world::{FaultRule, LoggedRequest, World};
use social_stub::{RunningStub, StubConfig};
use std::sync::Arc;
use std::time::Duration;

/// One stub, one world of its own, and the SDK configured for it.
pub struct Env {
    /// Kept so the server lives as long as the test.
    stub: RunningStub,
    /// The world the test works in.
    pub world: WorldHandle,
    /// The SDK pointed at every service of [`Env::world`].
    pub config: Config,
    /// A plain HTTP client, for raw requests.
    pub http: reqwest::Client,
}

impl Env {
    /// A default stub, retries off.
    pub async fn new() -> Self {
        Self::with(StubConfig::default()).await
    }

    /// A stub with this configuration, retries off.
    pub async fn with(config: StubConfig) -> Self {
        Self::with_retry(config, RetryPolicy::disabled()).await
    }

    /// A stub with this configuration and the SDK with this retry policy.
    pub async fn with_retry(config: StubConfig, retry: RetryPolicy) -> Self {
        let stub = RunningStub::start_with(config).await.expect("stub starts");
        let world = stub.control().create_world().await.expect("world");
        let config = sdk_config(&world).retry(retry).build().expect("config");
        Self {
            stub,
            world,
            config,
            http: reqwest::Client::new(),
        }
    }

    /// The running stub (its URL, its control plane, its in-process state).
    pub fn stub(&self) -> &RunningStub {
        &self.stub
    }

    /// The world's state in-process, for what the control plane does not offer.
    pub fn in_process(&self) -> Arc<World> {
        self.stub
            .stub()
            .worlds
            .get(&self.world.id)
            .expect("the world exists")
    }

    /// Absolute URL of a path of one service in this world (raw HTTP).
    pub fn url(&self, service: &str, path: &str) -> String {
        format!("{}{path}", self.world.service_url(service))
    }

    /// Registers a game server in this world.
    pub async fn register_server(&self, id: &str) {
        self.world
            .register_server(id)
            .await
            .expect("server registered");
    }

    /// Advances the world's clock.
    pub async fn advance(&self, by: Duration) {
        self.world.advance_clock(by).await.expect("clock");
    }

    /// Arms one fault rule.
    pub async fn fault(&self, rule: FaultRule) {
        self.world.add_faults(&[rule]).await.expect("fault added");
    }

    /// The statuses the stub answered for one operation, oldest first.
    pub async fn statuses(&self, operation: &str) -> Vec<u16> {
        self.logged(operation)
            .await
            .into_iter()
            .map(|r| r.status)
            .collect()
    }

    /// The logged requests of one operation, oldest first.
    pub async fn logged(&self, operation: &str) -> Vec<LoggedRequest> {
        self.world
            .requests()
            .await
            .expect("request log")
            .into_iter()
            .filter(|r| r.operation == operation)
            .collect()
    }

    /// The world's state dump (every service at once).
    pub async fn dump(&self) -> Value {
        self.world.state().await.expect("state dump")
    }
}

/// A config builder with every service of `world` as its base URL (nothing else set).
pub fn sdk_config(world: &WorldHandle) -> ConfigBuilder {
    Config::builder()
        .base_url(Service::Friends, world.service_url("friends"))
        .base_url(Service::Contacts, world.service_url("contacts"))
        .base_url(Service::Roster, world.service_url("roster"))
        .base_url(Service::SocialFriends, world.service_url("social-friends"))
        .base_url(Service::Party, world.service_url("party"))
}

/// A fault rule answering `status` with `body` the next call of `operation`.
pub fn fault(operation: &str, status: u16, body: Value, retry_after: Option<u64>) -> FaultRule {
    FaultRule {
        service: None,
        operation: operation.to_owned(),
        count: 1,
        status: Some(status),
        body: Some(body),
        retry_after,
        delay_ms: None,
        reset: false,
    }
}
