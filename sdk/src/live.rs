//! Live snapshot streams: `social_friends::Client::live()` and `party::Client::live()`.
//!
//! Each is a [`Stream`](futures::Stream) of typed snapshots that a bot can follow for days:
//! - it reconnects by itself with exponential backoff and full jitter, and the backoff resets
//!   once a snapshot arrives;
//! - `401`/`403` at the handshake and policy close codes end it with an error (retrying
//!   cannot help);
//! - a connection that stays silent for longer than the keep-alive allows is dropped and
//!   replaced (the server pings every `interval`);
//! - consecutive identical snapshots are dropped, so every item is a change (the first
//!   snapshot after a reconnect is delivered only if it differs);
//! - dropping the stream closes the connection: that is the way to stop.
//!
//! [`diff_friends`] and [`diff_party`] turn two snapshots into the events a bot acts on.

use crate::error::Error;
use futures::future::BoxFuture;
use futures::stream::{self, BoxStream};
use futures::{SinkExt, StreamExt};
use serde::de::DeserializeOwned;
use std::time::Duration;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use uuid::Uuid;

/// How a live stream connects.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LiveOptions {
    /// Seconds between the server's keep-alive pings (and coalescing bound); the server
    /// clamps it to 1–60. `None`: the server's default.
    pub interval: Option<u32>,
    /// Send the token as the `uebliche-bearer.` subprotocol instead of `Authorization`.
    pub subprotocol_auth: bool,
    /// First reconnect backoff ceiling.
    pub initial_backoff: Duration,
    /// Largest reconnect backoff ceiling.
    pub max_backoff: Duration,
    /// A connection silent for this long is considered dead (default: 2 × interval + 5 s).
    pub idle_timeout: Option<Duration>,
}

impl Default for LiveOptions {
    fn default() -> Self {
        Self {
            interval: None,
            subprotocol_auth: false,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(30),
            idle_timeout: None,
        }
    }
}

impl LiveOptions {
    /// Sets the server's ping interval, in seconds.
    pub fn with_interval(mut self, seconds: u32) -> Self {
        self.interval = Some(seconds);
        self
    }

    /// Authenticates with the subprotocol instead of the `Authorization` header.
    pub fn with_subprotocol_auth(mut self) -> Self {
        self.subprotocol_auth = true;
        self
    }

    /// Sets the reconnect backoff range.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    fn idle(&self) -> Duration {
        self.idle_timeout.unwrap_or_else(|| {
            let interval = u64::from(self.interval.unwrap_or(30).clamp(1, 60));
            Duration::from_secs(2 * interval + 5)
        })
    }
}

/// What a live stream yields.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum LiveEvent<T> {
    /// A snapshot different from the previous one.
    Snapshot(T),
    /// The connection was lost; the stream reconnects after `delay`.
    Reconnecting {
        /// Reconnect attempt (1 for the first since the last snapshot).
        attempt: u32,
        /// How long it waits first.
        delay: Duration,
        /// What happened.
        reason: String,
    },
}

/// Why a live stream ended.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LiveError {
    /// The server refused the credentials (401) or the permission (403): not retried.
    #[error("live stream refused: {0}")]
    Refused(#[source] Error),
    /// The server closed the stream for a policy reason (close code 1008 or 4000–4999).
    #[error("live stream closed by the server ({code}): {reason}")]
    Closed {
        /// The close code.
        code: u16,
        /// The close reason.
        reason: String,
    },
}

type Socket = WebSocketStream<reqwest::Upgraded>;
type Connect = Box<dyn Fn() -> BoxFuture<'static, Result<Socket, Error>> + Send + Sync>;

/// A live stream of snapshots of type `T`.
pub type LiveStream<T> = BoxStream<'static, Result<LiveEvent<T>, LiveError>>;

struct Live<T> {
    connect: Connect,
    options: LiveOptions,
    socket: Option<Socket>,
    last: Option<T>,
    attempt: u32,
    pending_delay: Option<Duration>,
    done: bool,
}

enum Step<T> {
    Yield(Result<LiveEvent<T>, LiveError>),
    Continue,
}

pub(crate) fn live_stream<T>(connect: Connect, options: LiveOptions) -> LiveStream<T>
where
    T: DeserializeOwned + PartialEq + Clone + Send + 'static,
{
    let state = Live {
        connect,
        options,
        socket: None,
        last: None,
        attempt: 0,
        pending_delay: None,
        done: false,
    };
    stream::unfold(state, |mut live| async move {
        loop {
            if live.done {
                return None;
            }
            match live.step().await {
                Step::Yield(item) => return Some((item, live)),
                Step::Continue => continue,
            }
        }
    })
    .boxed()
}

impl<T: DeserializeOwned + PartialEq + Clone + Send> Live<T> {
    fn lost(&mut self, reason: String) -> Step<T> {
        self.socket = None;
        self.attempt += 1;
        let ceiling = self
            .options
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(self.attempt.saturating_sub(1).min(20)))
            .min(self.options.max_backoff);
        let delay = ceiling.mul_f64(rand::random::<f64>());
        self.pending_delay = Some(delay);
        tracing::debug!(attempt = self.attempt, ?delay, %reason, "live stream reconnecting");
        Step::Yield(Ok(LiveEvent::Reconnecting {
            attempt: self.attempt,
            delay,
            reason,
        }))
    }

    async fn step(&mut self) -> Step<T> {
        let Some(socket) = self.socket.as_mut() else {
            if let Some(delay) = self.pending_delay.take() {
                tokio::time::sleep(delay).await;
            }
            return match (self.connect)().await {
                Ok(socket) => {
                    self.socket = Some(socket);
                    Step::Continue
                }
                // Refused, or never sent (no base URL, a credential that is no header):
                // trying again cannot help.
                Err(error)
                    if matches!(error.status().map(|s| s.as_u16()), Some(401 | 403))
                        || matches!(error, crate::Error::InvalidRequest { .. }) =>
                {
                    self.done = true;
                    Step::Yield(Err(LiveError::Refused(error)))
                }
                Err(error) => self.lost(error.to_string()),
            };
        };
        let message = match tokio::time::timeout(self.options.idle(), socket.next()).await {
            Err(_) => return self.lost("no message or ping within the idle timeout".into()),
            Ok(None) => return self.lost("the connection ended".into()),
            Ok(Some(Err(error))) => return self.lost(error.to_string()),
            Ok(Some(Ok(message))) => message,
        };
        match message {
            Message::Text(text) => match serde_json::from_str::<T>(&text) {
                Ok(snapshot) => {
                    self.attempt = 0;
                    if self.last.as_ref() == Some(&snapshot) {
                        return Step::Continue;
                    }
                    self.last = Some(snapshot.clone());
                    Step::Yield(Ok(LiveEvent::Snapshot(snapshot)))
                }
                Err(error) => {
                    tracing::warn!(%error, "live frame does not decode; skipped");
                    Step::Continue
                }
            },
            Message::Close(frame) => {
                let (code, reason) = frame.map_or((1005, String::new()), |f| {
                    (u16::from(f.code), f.reason.to_string())
                });
                if code == u16::from(CloseCode::Policy) || (4000..5000).contains(&code) {
                    self.done = true;
                    return Step::Yield(Err(LiveError::Closed { code, reason }));
                }
                self.lost(format!("closed by the server ({code}) {reason}"))
            }
            Message::Ping(payload) => {
                // tungstenite queues the pong; flush it now so the server sees us alive.
                if let Some(socket) = self.socket.as_mut() {
                    let _ = socket.send(Message::Pong(payload)).await;
                }
                Step::Continue
            }
            _ => Step::Continue,
        }
    }
}

/// `live()` on a service's client: the generated WebSocket operation, upgraded and wrapped,
/// reconnected by [`live_stream`]. Each connection goes through the client's hooks (auth,
/// retries, tracing) like every other call.
macro_rules! live_method {
    ($module:ident, $operation:ident, $frame:ty, $doc:literal) => {
        impl crate::$module::Client {
            #[doc = $doc]
            pub fn live(&self, options: LiveOptions) -> LiveStream<$frame> {
                let context = self.inner.with_live_subprotocol(options.subprotocol_auth);
                let client = Self::new_with_client(&self.baseurl, self.client.clone(), context);
                let interval = options
                    .interval
                    .map(|i| i32::try_from(i).unwrap_or(i32::MAX));
                let connect: Connect = Box::new(move || {
                    let client = client.clone();
                    Box::pin(async move {
                        let mut request = client.$operation();
                        if let Some(interval) = interval {
                            request = request.interval(interval);
                        }
                        let upgraded =
                            crate::call::call(stringify!($operation), request.send()).await?;
                        Ok(WebSocketStream::from_raw_socket(upgraded, Role::Client, None).await)
                    })
                });
                live_stream(connect, options)
            }
        }
    };
}

live_method!(
    social_friends,
    social_friends_live,
    crate::social_friends::types::FriendsLiveFrame,
    "Follows `GET /v1/social/friends/live`: the caller's friends and requests, as \
     [`FriendsLiveFrame`](crate::social_friends::types::FriendsLiveFrame)s. \
     (`social_friends_live()` is the raw generated operation.)"
);

live_method!(
    party,
    party_live,
    crate::party::types::PartyOverview,
    "Follows `GET /v1/social/party/live`: the caller's party and invites, as \
     [`PartyOverview`](crate::party::types::PartyOverview)s. (`party_live()` is the raw \
     generated operation, returning the upgraded connection.)"
);

/// A change between two friends snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FriendsChange {
    /// A new friend.
    FriendAdded(Uuid),
    /// A friend is gone.
    FriendRemoved(Uuid),
    /// A friend came online.
    CameOnline(Uuid),
    /// A friend went offline.
    WentOffline(Uuid),
    /// A request arrived.
    RequestReceived {
        /// Request id.
        id: String,
        /// Sender.
        from: Option<Uuid>,
    },
    /// An incoming request is gone (withdrawn, declined, accepted or expired).
    RequestWithdrawn {
        /// Request id.
        id: String,
    },
    /// An outgoing request is gone (accepted, declined, cancelled or expired).
    OutgoingResolved {
        /// Request id.
        id: String,
    },
}

/// The changes from `old` to `new`, friends first, then requests.
pub fn diff_friends(
    old: &crate::social_friends::types::FriendsLiveFrame,
    new: &crate::social_friends::types::FriendsLiveFrame,
) -> Vec<FriendsChange> {
    use std::collections::BTreeMap;
    let online = |frame: &crate::social_friends::types::FriendsLiveFrame| -> BTreeMap<Uuid, bool> {
        frame
            .friends
            .iter()
            .filter_map(|f| Some((f.friend_id?, f.online.unwrap_or(false))))
            .collect()
    };
    let (before, after) = (online(old), online(new));
    let mut changes = Vec::new();
    for (id, now_online) in &after {
        match before.get(id) {
            None => changes.push(FriendsChange::FriendAdded(*id)),
            Some(was) if !was && *now_online => changes.push(FriendsChange::CameOnline(*id)),
            Some(was) if *was && !now_online => changes.push(FriendsChange::WentOffline(*id)),
            _ => {}
        }
    }
    changes.extend(
        before
            .keys()
            .filter(|id| !after.contains_key(id))
            .map(|id| FriendsChange::FriendRemoved(*id)),
    );
    let ids = |frame: &crate::social_friends::types::FriendsLiveFrame,
               incoming: bool|
     -> BTreeMap<String, Option<Uuid>> {
        frame
            .requests
            .iter()
            .flat_map(|r| if incoming { &r.incoming } else { &r.outgoing })
            .filter_map(|r| Some((r.id.clone()?, r.sender_id)))
            .collect()
    };
    let (was_in, now_in) = (ids(old, true), ids(new, true));
    for (id, from) in &now_in {
        if !was_in.contains_key(id) {
            changes.push(FriendsChange::RequestReceived {
                id: id.clone(),
                from: *from,
            });
        }
    }
    changes.extend(
        was_in
            .keys()
            .filter(|id| !now_in.contains_key(*id))
            .map(|id| FriendsChange::RequestWithdrawn { id: id.clone() }),
    );
    let (was_out, now_out) = (ids(old, false), ids(new, false));
    changes.extend(
        was_out
            .keys()
            .filter(|id| !now_out.contains_key(*id))
            .map(|id| FriendsChange::OutgoingResolved { id: id.clone() }),
    );
    changes
}

/// A change between two party snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PartyChange {
    /// The caller is in a party now (or another one).
    JoinedParty(Option<Uuid>),
    /// The caller is in no party any more.
    LeftParty,
    /// A member joined.
    MemberJoined(Uuid),
    /// A member left.
    MemberLeft(Uuid),
    /// Leadership passed.
    LeaderChanged(Option<Uuid>),
    /// A member's ready flag changed.
    ReadyChanged {
        /// The member.
        player: Uuid,
        /// Now ready?
        ready: bool,
    },
    /// A launch signal was issued: go.
    Launch {
        /// Signal id.
        id: Option<String>,
    },
    /// An invite arrived.
    InviteReceived(Option<Uuid>),
    /// An invite is gone (accepted, declined or expired).
    InviteGone(Option<Uuid>),
}

/// The changes from `old` to `new`.
pub fn diff_party(
    old: &crate::party::types::PartyOverview,
    new: &crate::party::types::PartyOverview,
) -> Vec<PartyChange> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut changes = Vec::new();
    let party_id = |o: &crate::party::types::PartyOverview| o.party.as_ref().map(|p| p.id);
    match (party_id(old), party_id(new)) {
        (Some(_), None) => changes.push(PartyChange::LeftParty),
        (a, Some(b)) if a != Some(b) => changes.push(PartyChange::JoinedParty(b)),
        _ => {}
    }
    let members = |o: &crate::party::types::PartyOverview| -> BTreeSet<Uuid> {
        o.party
            .iter()
            .flat_map(|p| &p.members)
            .filter_map(|m| m.id)
            .collect()
    };
    let same_party = party_id(old) == party_id(new) && party_id(new).is_some();
    if same_party {
        let (before, after) = (members(old), members(new));
        changes.extend(
            after
                .difference(&before)
                .map(|id| PartyChange::MemberJoined(*id)),
        );
        changes.extend(
            before
                .difference(&after)
                .map(|id| PartyChange::MemberLeft(*id)),
        );
        let leader =
            |o: &crate::party::types::PartyOverview| o.party.as_ref().and_then(|p| p.leader_id);
        if leader(old) != leader(new) {
            changes.push(PartyChange::LeaderChanged(leader(new)));
        }
    }
    let ready = |o: &crate::party::types::PartyOverview| -> BTreeMap<Uuid, bool> {
        o.party
            .iter()
            .filter_map(|p| p.lobby.as_ref())
            .flat_map(|l| &l.ready)
            .filter_map(|r| Some((r.player_id?, r.ready.unwrap_or(false))))
            .collect()
    };
    let (was_ready, now_ready) = (ready(old), ready(new));
    for (player, ready) in &now_ready {
        if was_ready.get(player).copied().unwrap_or(false) != *ready {
            changes.push(PartyChange::ReadyChanged {
                player: *player,
                ready: *ready,
            });
        }
    }
    for (player, was) in &was_ready {
        if *was && !now_ready.contains_key(player) && members(new).contains(player) {
            changes.push(PartyChange::ReadyChanged {
                player: *player,
                ready: false,
            });
        }
    }
    let signal = |o: &crate::party::types::PartyOverview| {
        o.party
            .as_ref()
            .and_then(|p| p.lobby.as_ref())
            .and_then(|l| l.launch_signal.as_ref())
            .map(|s| s.id.clone())
    };
    if let Some(id) = signal(new)
        && signal(old) != Some(id.clone())
    {
        changes.push(PartyChange::Launch { id });
    }
    let invites = |o: &crate::party::types::PartyOverview| -> BTreeSet<Option<Uuid>> {
        o.invites.iter().map(|i| i.party_id).collect()
    };
    let (was_invited, now_invited) = (invites(old), invites(new));
    changes.extend(
        now_invited
            .difference(&was_invited)
            .map(|p| PartyChange::InviteReceived(*p)),
    );
    changes.extend(
        was_invited
            .difference(&now_invited)
            .map(|p| PartyChange::InviteGone(*p)),
    );
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn friends_diff_names_every_change() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let c = Uuid::from_u128(3);
        let old: crate::social_friends::types::FriendsLiveFrame = serde_json::from_value(json!({
            "type": "friends_snapshot",
            "friends": [{"friendId": a, "online": false}, {"friendId": b, "online": true}],
            "requests": {"incoming": [{"id": "r1", "senderId": c}], "outgoing": [{"id": "o1"}]}
        }))
        .expect("frame");
        let new: crate::social_friends::types::FriendsLiveFrame = serde_json::from_value(json!({
            "type": "friends_snapshot",
            "friends": [{"friendId": a, "online": true}, {"friendId": c, "online": false}],
            "requests": {"incoming": [{"id": "r2", "senderId": b}], "outgoing": []}
        }))
        .expect("frame");
        assert_eq!(
            diff_friends(&old, &new),
            vec![
                FriendsChange::CameOnline(a),
                FriendsChange::FriendAdded(c),
                FriendsChange::FriendRemoved(b),
                FriendsChange::RequestReceived {
                    id: "r2".into(),
                    from: Some(b)
                },
                FriendsChange::RequestWithdrawn { id: "r1".into() },
                FriendsChange::OutgoingResolved { id: "o1".into() },
            ]
        );
        assert!(diff_friends(&new, &new).is_empty());
    }

    #[test]
    fn party_diff_names_every_change() {
        let (p, a, b, c) = (
            Uuid::from_u128(9),
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
        );
        let old: crate::party::types::PartyOverview = serde_json::from_value(json!({
            "party": {"id": p, "leaderId": a, "members": [{"id": a}, {"id": b}],
                      "lobby": {"ready": [{"playerId": a, "ready": false}], "selectorIds": [a], "launchSignal": null}},
            "invites": [{"partyId": Uuid::from_u128(7)}]
        }))
        .expect("overview");
        let new: crate::party::types::PartyOverview = serde_json::from_value(json!({
            "party": {"id": p, "leaderId": b, "members": [{"id": b}, {"id": c}],
                      "lobby": {"ready": [{"playerId": b, "ready": true}], "selectorIds": [b],
                                "launchSignal": {"id": "go-1", "revision": 3}}},
            "invites": []
        }))
        .expect("overview");
        let changes = diff_party(&old, &new);
        assert!(changes.contains(&PartyChange::MemberJoined(c)));
        assert!(changes.contains(&PartyChange::MemberLeft(a)));
        assert!(changes.contains(&PartyChange::LeaderChanged(Some(b))));
        assert!(changes.contains(&PartyChange::ReadyChanged {
            player: b,
            ready: true
        }));
        assert!(changes.contains(&PartyChange::Launch {
            id: Some("go-1".into())
        }));
        assert!(changes.contains(&PartyChange::InviteGone(Some(Uuid::from_u128(7)))));
        let gone: crate::party::types::PartyOverview =
            serde_json::from_value(json!({"party": null, "invites": []})).expect("overview");
        assert_eq!(diff_party(&new, &gone), vec![PartyChange::LeftParty]);
    }
}
