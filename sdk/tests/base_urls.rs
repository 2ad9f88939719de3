//! No silent production default: the roster, social friends and party have no public host,
//! so a client of one whose base URL was not given fails at once, naming the setting, with no
//! request sent and no retry. Before, they went to the documents' production hosts.

use futures::StreamExt;
use social_sdk::{Auth, Config, Error, LiveError, LiveOptions, Service};
use std::time::{Duration, Instant};

#[test]
fn only_friends_and_contacts_have_a_default_host() {
    let config = Config::builder().build().expect("config");
    assert_eq!(
        config.base_url(Service::Friends),
        Some("https://friends.roblox.com")
    );
    assert_eq!(
        config.base_url(Service::Contacts),
        Some("https://contacts.roblox.com")
    );
    for service in [Service::Roster, Service::SocialFriends, Service::Party] {
        assert_eq!(config.base_url(service), None, "{service:?}");
        assert_eq!(service.default_base_url(), None, "{service:?}");
    }
}

#[tokio::test]
async fn a_call_without_a_base_url_fails_at_once_naming_the_setting() {
    let config = Config::builder().build().expect("config");
    let started = Instant::now();
    let error = config
        .party(Auth::bearer("token"))
        .get_party()
        .await
        .expect_err("no base URL");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "no network, no retries"
    );
    match &error {
        Error::InvalidRequest { message, .. } => {
            assert!(message.contains("base_url(Service::Party"), "{message}")
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    let error = config
        .roster(Auth::roster("app", "token"))
        .list_roster_friend_ids()
        .await
        .expect_err("no base URL");
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
}

#[tokio::test]
async fn a_live_stream_without_a_base_url_ends_with_the_reason() {
    let config = Config::builder().build().expect("config");
    let mut stream = config
        .social_friends(Auth::bearer("token"))
        .live(LiveOptions::default());
    let first = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("at once");
    assert!(
        matches!(
            first,
            Some(Err(LiveError::Refused(Error::InvalidRequest { .. })))
        ),
        "{first:?}"
    );
    let next = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("at once");
    assert!(
        next.is_none(),
        "the stream ends instead of retrying: {next:?}"
    );
}
