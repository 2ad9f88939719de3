//! Live streams whose socket drops (they resume with what changed) or whose reconnect is
//! refused (a `401` ends them).

use super::*;

pub(super) fn fast() -> LiveOptions {
    LiveOptions::default()
        .with_interval(1)
        .with_backoff(Duration::from_millis(10), Duration::from_millis(50))
}

pub(super) async fn next_event<T: std::fmt::Debug>(stream: &mut LiveStream<T>) -> LiveEvent<T> {
    within(stream.next())
        .await
        .expect("the stream goes on")
        .expect("no live error")
}

pub(super) async fn next_snapshot<T: std::fmt::Debug>(stream: &mut LiveStream<T>) -> T {
    match next_event(stream).await {
        LiveEvent::Snapshot(snapshot) => snapshot,
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

#[tokio::test]
async fn a_live_friends_stream_resumes_with_what_changed_while_it_was_down() {
    let env = Faulty::new(RetryPolicy::default()).await;
    let alice = env.player("alice").await;
    let bob = env.player("bob").await;
    let carol = env.player("carol").await;
    env.arm(json!([
        // The first socket drops after its first frame.
        {"operation": "social_friends_live", "reset": true},
        // The next connect is refused outright (not retried by the transport) …
        {"operation": "social_friends_live", "status": 502,
         "body": {"error": "BAD_GATEWAY", "message": "upstream"}},
        // … and the one after it meets two 503s, which the transport retries.
        {"operation": "social_friends_live", "status": 503, "count": 2, "retryAfter": 0},
    ]))
    .await;
    let mut stream = env.social(&alice).live(fast());
    let first = next_snapshot(&mut stream).await;
    assert!(
        first
            .requests
            .as_ref()
            .is_none_or(|r| r.incoming.is_empty())
    );
    assert!(
        matches!(
            next_event(&mut stream).await,
            LiveEvent::Reconnecting { attempt: 1, .. }
        ),
        "the drop is reported"
    );

    // While the stream is down (and not polled): bob asks alice.
    settle(
        env.social(&bob)
            .send_social_friend_request()
            .body(ask(&alice)),
    )
    .await
    .expect("bob asks");
    let refused = next_event(&mut stream).await;
    assert!(
        matches!(&refused, LiveEvent::Reconnecting { attempt: 2, reason, .. } if reason.contains("502")),
        "a 502 on reconnect is one more attempt: {refused:?}"
    );
    // Still down: carol asks too.
    settle(
        env.social(&carol)
            .send_social_friend_request()
            .body(ask(&alice)),
    )
    .await
    .expect("carol asks");

    let resumed = next_snapshot(&mut stream).await;
    let senders: Vec<_> = resumed
        .requests
        .as_ref()
        .map(|r| r.incoming.iter().filter_map(|e| e.sender_id).collect())
        .unwrap_or_default();
    assert_eq!(
        senders.len(),
        2,
        "the first snapshot after resuming has both changes: {resumed:?}"
    );
    assert!(senders.contains(&bob.id) && senders.contains(&carol.id));
    assert_eq!(
        env.statuses("social_friends_live").await,
        [101, 502, 503, 503, 101]
    );
}

#[tokio::test]
async fn a_live_party_stream_resumes_after_drops_and_a_401_on_reconnect_ends_it() {
    let env = Faulty::new(RetryPolicy::default()).await;
    let host = env.player("host").await;
    let guest = env.player("guest").await;
    env.arm(json!([
        {"operation": "party_live", "reset": true, "count": 2},
        {"operation": "party_live", "status": 401,
         "body": {"error": "UNAUTHORIZED", "message": "Missing or invalid bearer token."}},
    ]))
    .await;
    let mut stream = env.party(&guest).live(fast());
    let first = next_snapshot(&mut stream).await;
    assert!(
        first.party.is_none() && first.invites.is_empty(),
        "{first:?}"
    );
    assert!(matches!(
        next_event(&mut stream).await,
        LiveEvent::Reconnecting { .. }
    ));

    // While it is down, the host creates a party and invites the guest.
    settle(env.party(&host).create_party())
        .await
        .expect("party");
    settle(env.party(&host).invite_to_party().body(InviteBody {
        target_id: Some(guest.id),
        target_name: None,
    }))
    .await
    .expect("invite");
    let resumed = next_snapshot(&mut stream).await;
    assert_eq!(resumed.invites.len(), 1, "the invite is there: {resumed:?}");

    // The second socket drops too; reconnecting meets a 401, which ends the stream.
    assert!(matches!(
        next_event(&mut stream).await,
        LiveEvent::Reconnecting { .. }
    ));
    let refused = within(stream.next()).await;
    match refused {
        Some(Err(LiveError::Refused(error))) => {
            assert_status_code(&error, 401, "UNAUTHORIZED");
            assert_eq!(error.message(), Some("Missing or invalid bearer token."));
        }
        other => panic!("expected the typed refusal, got {other:?}"),
    }
    assert!(
        within(stream.next()).await.is_none(),
        "a refusal ends the stream"
    );
    assert_eq!(env.statuses("party_live").await, [101, 101, 401]);
}
