//! Live push latency: `subscribers` players follow `GET /v1/social/friends/live`, all friends
//! of one hub player. Each mutation is the hub creating or disbanding a party through REST
//! (`POST`/`DELETE /v1/social/party`), which changes the hub's `partyId` in every
//! subscriber's snapshot, so every subscriber gets one frame per mutation. Latency is the
//! arrival of each frame minus the arrival of the mutation's response (negative when the
//! frame overtook the response: the stub pushes before it answers), and also minus the
//! moment the request was sent.
//!
//! Then the sparse case: each of up to 50 mutations is one subscriber sending a friend request
//! to another (two subscribers whose only common relation is the hub), which reaches those two
//! frames only; the other subscribers' frames are neither rendered nor pushed.

use crate::stats::Summary;
use anyhow::{Context, Result, bail, ensure};
use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use social_stub::control::Control;
use social_stub::control::bulk::{Hub, SocialBulk};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct LiveResult {
    pub(crate) subscribers: usize,
    pub(crate) mutations: usize,
    /// Frame arrival minus the mutation response's arrival.
    pub(crate) from_response: Summary,
    /// Frame arrival minus the moment the mutation was sent.
    pub(crate) from_request: Summary,
    /// The mutations' own response times.
    pub(crate) mutation: Summary,
    /// Seconds to open every subscription.
    #[serde(with = "crate::results::nan")]
    pub(crate) connect_seconds: f64,
    /// Mutations that reach two subscribers only (absent from older reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) sparse: Option<Sparse>,
}

/// A change that reaches two of the subscribers: a friend request between two of them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Sparse {
    pub(crate) mutations: usize,
    /// Frame arrival (the two reached subscribers) minus the mutation response's arrival.
    pub(crate) from_response: Summary,
    /// The mutations' own response times.
    pub(crate) mutation: Summary,
}

/// Opens one friends-live subscription per token and reads each first frame (the
/// snapshot), `concurrency` handshakes at a time.
pub(crate) async fn subscribe_all(
    social_url: &str,
    tokens: &[String],
    concurrency: usize,
) -> Result<Vec<Socket>> {
    let url = format!(
        "{}/v1/social/friends/live",
        social_url.replacen("http://", "ws://", 1)
    );
    futures::stream::iter(tokens.iter().cloned())
        .map(|token| {
            let url = url.clone();
            async move {
                let mut request = url.into_client_request()?;
                request
                    .headers_mut()
                    .insert("authorization", format!("Bearer {token}").parse()?);
                let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
                match tokio::time::timeout(Duration::from_secs(30), socket.next()).await {
                    Ok(Some(Ok(Message::Text(_)))) => Ok(socket),
                    other => bail!("no first frame: {other:?}"),
                }
            }
        })
        .buffer_unordered(concurrency)
        .try_collect()
        .await
}

pub(crate) async fn run(stub: &str, subscribers: usize, mutations: usize) -> Result<LiveResult> {
    let world = Control::new(stub).create_world().await?;
    let hub = world
        .create_player(serde_json::json!({
            "name": "live-hub",
            "presence": "ONLINE",
            "permissions": {(format!("social:friends.limit.{subscribers}")): true},
        }))
        .await?;
    let seeded = world
        .bulk_social(&SocialBulk {
            players: subscribers as u64,
            friends_of: Some(Hub {
                id: hub.id,
                count: subscribers as u64,
            }),
        })
        .await?;
    let ids: Vec<String> = seeded.players.iter().map(|p| p.id.to_string()).collect();
    let tokens: Vec<String> = seeded.players.into_iter().map(|p| p.token).collect();
    eprintln!("live: opening {subscribers} subscriptions");
    let start = Instant::now();
    let sockets = subscribe_all(&world.service_url("social-friends"), &tokens, 32).await?;
    let connect_seconds = start.elapsed().as_secs_f64();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|mut socket| {
            let tx = tx.clone();
            tokio::spawn(async move {
                while let Some(Ok(message)) = socket.next().await {
                    if let Message::Text(_) = message
                        && tx.send(Instant::now()).is_err()
                    {
                        break;
                    }
                }
            })
        })
        .collect();
    let http = crate::http()?;
    let party = format!("{}/v1/social/party", world.service_url("party"));
    let (mut from_response, mut from_request, mut mutation) = (Vec::new(), Vec::new(), Vec::new());
    eprintln!("live: {mutations} mutations");
    for k in 0..=mutations {
        let request = if k % 2 == 0 {
            http.post(&party)
        } else {
            http.delete(&party)
        };
        let sent = Instant::now();
        let response = request.bearer_auth(&hub.token).send().await?;
        let status = response.status();
        response.bytes().await?;
        let answered = Instant::now();
        ensure!(status.is_success(), "mutation {k}: {status}");
        let mut frames = Vec::with_capacity(subscribers);
        while frames.len() < subscribers {
            let frame = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await
                .with_context(|| {
                    format!(
                        "mutation {k}: {} of {subscribers} frames after 30 s",
                        frames.len()
                    )
                })?
                .context("readers gone")?;
            frames.push(frame);
        }
        if k == 0 {
            continue; // warm-up
        }
        mutation.push((answered - sent).as_secs_f64() * 1e6);
        for frame in frames {
            from_response.push(signed_us(frame, answered));
            from_request.push(signed_us(frame, sent));
        }
    }
    let sparse = sparse(&http, &world, &tokens, &ids, mutations, &mut rx).await?;
    for reader in readers {
        reader.abort();
    }
    Ok(LiveResult {
        subscribers,
        mutations,
        from_response: Summary::of_us(from_response),
        from_request: Summary::of_us(from_request),
        mutation: Summary::of_us(mutation),
        connect_seconds,
        sparse: Some(sparse),
    })
}

/// Subscriber `2k` sends subscriber `2k + 1` a friend request: two frames each, and no other.
async fn sparse(
    http: &reqwest::Client,
    world: &social_stub::control::WorldHandle,
    tokens: &[String],
    ids: &[String],
    mutations: usize,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<Instant>,
) -> Result<Sparse> {
    let requests = format!(
        "{}/v1/social/friends/requests",
        world.service_url("social-friends")
    );
    let count = mutations.min(tokens.len() / 2);
    let (mut from_response, mut mutation) = (Vec::new(), Vec::new());
    for k in 0..count {
        let sent = Instant::now();
        let response = http
            .post(&requests)
            .bearer_auth(&tokens[2 * k])
            .json(&serde_json::json!({"targetId": ids[2 * k + 1]}))
            .send()
            .await?;
        let status = response.status();
        response.bytes().await?;
        let answered = Instant::now();
        ensure!(status.is_success(), "friend request {k}: {status}");
        mutation.push((answered - sent).as_secs_f64() * 1e6);
        for _ in 0..2 {
            let frame = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await
                .with_context(|| format!("friend request {k}: a frame after 30 s"))?
                .context("readers gone")?;
            from_response.push(signed_us(frame, answered));
        }
    }
    // Nothing else may arrive: the change reached the two players only.
    if let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(200), rx.recv()).await {
        bail!("a frame reached a subscriber the friend requests do not concern");
    }
    Ok(Sparse {
        mutations: count,
        from_response: Summary::of_us(from_response),
        mutation: Summary::of_us(mutation),
    })
}

/// `a − b` in microseconds, negative when `a` came first.
fn signed_us(a: Instant, b: Instant) -> f64 {
    match a.checked_duration_since(b) {
        Some(d) => d.as_secs_f64() * 1e6,
        None => -(b - a).as_secs_f64() * 1e6,
    }
}
