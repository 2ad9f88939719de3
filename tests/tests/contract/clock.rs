//! Behaviour that depends on world time: QR sessions and inactive friends.

use contract_tests::prelude::*;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_qr_session_is_open_for_five_minutes() {
    let env = Env::new().await;
    let shower = env.user("shower").await;
    let scanner = env.user("scanner").await;
    let mine = env.friends(&shower);
    let theirs = env.friends_bearer(&scanner);
    let open = || async {
        theirs
            .check_qr_session()
            .user_id(shower.user.id)
            .await
            .expect("check")
    };

    assert!(!open().await, "no session yet");
    let refreshed = mine.refresh_qr_session().await.expect("refresh");
    assert_eq!(refreshed.success, Some(true));
    assert!(open().await);
    assert!(
        !theirs
            .check_qr_session()
            .user_id(scanner.user.id)
            .await
            .expect("check"),
        "only the refreshing user's session is open"
    );

    env.world
        .advance_clock(Duration::from_secs(299))
        .await
        .expect("clock");
    assert!(open().await, "still open just before five minutes");
    // Renewing restarts the five minutes.
    mine.refresh_qr_session().await.expect("renew");
    env.world
        .advance_clock(Duration::from_secs(299))
        .await
        .expect("clock");
    assert!(open().await, "renewed");
    env.world
        .advance_clock(Duration::from_secs(2))
        .await
        .expect("clock");
    assert!(!open().await, "expired 301 s after the last refresh");

    mine.refresh_qr_session().await.expect("reopen");
    assert!(open().await);
    env.world
        .advance_clock(Duration::from_secs(301))
        .await
        .expect("clock");
    assert!(!open().await, "expired");
}

#[tokio::test]
async fn friends_offline_for_thirty_days_become_inactive() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let offline = env.user("a_offline").await;
    let online = env.user("b_online").await;
    let long_gone = env.user("c_long_gone").await;
    let stranger = env.user("stranger").await;
    for f in [&offline, &online, &long_gone] {
        env.befriend(&me, f).await;
    }
    let client = env.friends(&me);
    let inactive = || async {
        client
            .get_user_inactive_friends()
            .user_id(me.user.id)
            .await
            .expect("inactive")
            .data
            .into_iter()
            .map(|u| u.id.expect("id"))
            .collect::<Vec<_>>()
    };

    env.world
        .set_presence(offline.user.id, json!({"presence": "Offline"}))
        .await
        .expect("presence");
    env.world
        .set_presence(online.user.id, json!({"presence": "InGame", "placeId": 5}))
        .await
        .expect("presence");
    let long_ago = chrono::Utc::now() - chrono::Duration::days(40);
    env.world
        .set_presence(
            long_gone.user.id,
            json!({"presence": "Offline", "lastOnline": long_ago}),
        )
        .await
        .expect("presence");
    env.world
        .set_presence(
            stranger.user.id,
            json!({"presence": "Offline", "lastOnline": long_ago}),
        )
        .await
        .expect("presence");

    assert_eq!(
        inactive().await,
        [long_gone.user.id],
        "only the 40-day absence"
    );

    env.world
        .advance_clock(Duration::from_secs(29 * 86_400))
        .await
        .expect("clock");
    assert_eq!(
        inactive().await,
        [long_gone.user.id],
        "29 days is not enough"
    );

    env.world
        .advance_clock(Duration::from_secs(2 * 86_400))
        .await
        .expect("clock");
    assert_eq!(
        inactive().await,
        [offline.user.id, long_gone.user.id],
        "31 days offline; the online friend never"
    );
    let listed = client
        .get_user_inactive_friends()
        .user_id(me.user.id)
        .await
        .expect("inactive");
    assert_eq!(listed.data[0].name.as_deref(), Some("a_offline"));
    // Inactive lists carry no presence (the real capture has no `isOnline`).
    assert_eq!(listed.data[0].friend_frequent_rank, Some(201));

    // Coming back online ends it.
    env.world
        .set_presence(offline.user.id, json!({"presence": "Online"}))
        .await
        .expect("presence");
    assert_eq!(inactive().await, [long_gone.user.id]);
}
