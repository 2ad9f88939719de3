//! Contacts v1: private user tags.

use contract_tests::prelude::*;
use serde_json::json;
use social_sdk::contacts;
use social_sdk::contacts::types::{
    GetUserTagsRequest, KnownSetUserTagStatus, KnownValidateUserTagStatus, SetUserTagRequest,
    SetUserTagStatus, UserTagResponse, ValidateUserTagStatus,
};

fn set(target: i64, tag: &str) -> SetUserTagRequest {
    SetUserTagRequest {
        target_user_id: target,
        user_tag: tag.to_owned(),
    }
}

fn set_status(s: KnownSetUserTagStatus) -> Option<SetUserTagStatus> {
    Some(s.into())
}

fn validate_status(s: KnownValidateUserTagStatus) -> Option<ValidateUserTagStatus> {
    Some(s.into())
}

/// The caller's tags for these users, as `(id, tag)` with untagged users left out.
async fn tags(client: &contacts::Client, ids: Vec<i64>) -> Vec<(i64, String)> {
    client
        .get_user_tags()
        .body(GetUserTagsRequest {
            target_user_ids: ids,
        })
        .await
        .expect("get tags")
        .into_iter()
        .filter_map(
            |UserTagResponse {
                 target_user_id,
                 target_user_tag,
             }| { Some((target_user_id?, target_user_tag.filter(|t| !t.is_empty())?)) },
        )
        .collect()
}

#[tokio::test]
async fn tags_are_set_read_cleared_and_private() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let bob = env.user("bob").await;
    let cat = env.user("cat").await;
    let snoop = env.user("snoop").await;
    let mine = env.contacts(&me);

    let answer = mine
        .set_user_tag()
        .body(set(bob.user.id, "Bobby"))
        .await
        .expect("tag bob");
    assert_eq!(answer.status, set_status(KnownSetUserTagStatus::Success));
    mine.set_user_tag()
        .body(set(cat.user.id, "exactly twenty chars"))
        .await
        .expect("20 characters is the maximum, inclusive");
    assert_eq!(
        tags(&mine, vec![bob.user.id, cat.user.id, snoop.user.id]).await,
        [
            (bob.user.id, "Bobby".to_owned()),
            (cat.user.id, "exactly twenty chars".to_owned())
        ]
    );

    // Overwrite, then clear with the empty string.
    mine.set_user_tag()
        .body(set(bob.user.id, "Robert"))
        .await
        .expect("retag");
    assert_eq!(
        tags(&mine, vec![bob.user.id]).await,
        [(bob.user.id, "Robert".to_owned())]
    );
    let cleared = mine
        .set_user_tag()
        .body(set(bob.user.id, ""))
        .await
        .expect("clear");
    assert_eq!(cleared.status, set_status(KnownSetUserTagStatus::Success));
    assert!(tags(&mine, vec![bob.user.id]).await.is_empty());

    // Private to the tagger (bearer sessions work too).
    let theirs = env.contacts_bearer(&snoop);
    assert!(
        tags(&theirs, vec![cat.user.id, bob.user.id])
            .await
            .is_empty()
    );
    theirs
        .set_user_tag()
        .body(set(cat.user.id, "kitty"))
        .await
        .expect("snoop's own tag");
    assert_eq!(
        tags(&mine, vec![cat.user.id]).await,
        [(cat.user.id, "exactly twenty chars".to_owned())]
    );
    assert_eq!(
        tags(&theirs, vec![cat.user.id]).await,
        [(cat.user.id, "kitty".to_owned())]
    );

    // 200 ids is fine.
    let many: Vec<i64> = (1..=200).collect();
    assert_eq!(tags(&mine, many).await.len(), 1);
}

#[tokio::test]
async fn moderated_tags_are_not_stored() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let bob = env.user("bob").await;
    let mine = env.contacts(&me);
    mine.set_user_tag()
        .body(set(bob.user.id, "pal"))
        .await
        .expect("tag");
    for word in ["badword", "my BadWord pal", "Moderated"] {
        let answer = mine
            .set_user_tag()
            .body(set(bob.user.id, word))
            .await
            .expect("moderated is a 200");
        assert_eq!(
            answer.status,
            set_status(KnownSetUserTagStatus::Moderated),
            "{word}"
        );
    }
    assert_eq!(
        tags(&mine, vec![bob.user.id]).await,
        [(bob.user.id, "pal".to_owned())],
        "the earlier tag stays"
    );
}

#[tokio::test]
async fn validate_answers_success_moderated_or_too_long() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let client = env.contacts(&me);
    let cases = [
        ("teammate".to_owned(), KnownValidateUserTagStatus::Success),
        (
            "exactly twenty chars".to_owned(),
            KnownValidateUserTagStatus::Success,
        ),
        // The limit counts characters, not bytes.
        ("é".repeat(20), KnownValidateUserTagStatus::Success),
        ("é".repeat(21), KnownValidateUserTagStatus::TooLong),
        (
            "twenty-one characters".to_owned(),
            KnownValidateUserTagStatus::TooLong,
        ),
        ("BADWORD".to_owned(), KnownValidateUserTagStatus::Moderated),
        (
            "so moderated".to_owned(),
            KnownValidateUserTagStatus::Moderated,
        ),
    ];
    for (alias, expected) in cases {
        let answer = client
            .validate_user_tag()
            .alias(alias.as_str())
            .await
            .expect("validate");
        assert_eq!(answer.status, validate_status(expected), "{alias:?}");
    }
    // Validating stores nothing.
    let state = env.world.state().await.expect("state");
    let stored = &state["roblox"]["tags"];
    let empty = stored
        .as_object()
        .map(|m| m.is_empty())
        .or_else(|| stored.as_array().map(Vec::is_empty));
    assert_eq!(empty, Some(true), "no tag stored: {state}");
}

#[tokio::test]
async fn tag_errors() {
    let env = Env::new().await;
    let me = env.user("me").await;
    let bob = env.user("bob").await;
    let client = env.contacts(&me);
    expect_error(
        client
            .set_user_tag()
            .body(set(bob.user.id, "twenty-one characters"))
            .await,
        400,
        6,
        "The userTag is too long.",
    );
    expect_error(
        client.set_user_tag().body(set(me.user.id, "me")).await,
        403,
        5,
        "The user cannot tag themselves.",
    );
    expect_error(
        client.set_user_tag().body(set(NO_SUCH_USER, "ghost")).await,
        400,
        2,
        INVALID_TARGET,
    );
    // A body without `userTag`: the SDK refuses to build it (the field is required), and the
    // stub answers it with the same 400 code 4 as ever.
    let csrf = env.csrf(&me).await;
    let (status, code, message, _) = raw_error(
        env.raw_post(
            "contacts",
            "/v1/user/tag",
            Some(&me),
            Some(&csrf),
            json!({"targetUserId": bob.user.id}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, code, message.as_str()),
        (400, 4, INVALID_PARAMETERS)
    );
    expect_error(
        client
            .get_user_tags()
            .body(GetUserTagsRequest {
                target_user_ids: (1..=201).collect(),
            })
            .await,
        400,
        8,
        "Too many user Tags are requested.",
    );
    assert!(
        tags(&client, vec![bob.user.id, me.user.id])
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn contacts_flood_fault_is_429_code_10() {
    let env = Env::new().await;
    let me = env.user("me").await;
    env.fault(social_stub::world::FaultRule {
        service: Some("contacts".into()),
        ..fault("validate_user_tag", 429, roblox_error(10, FLOOD), Some(3))
    })
    .await;
    let client = env.contacts(&me);
    let error = expect_error(
        client.validate_user_tag().alias("pal").await,
        429,
        10,
        FLOOD,
    );
    assert_eq!(
        error.service_error().and_then(|e| e.retry_after),
        Some(std::time::Duration::from_secs(3))
    );
    let ok = client
        .validate_user_tag()
        .alias("pal")
        .await
        .expect("after the fault");
    assert_eq!(
        ok.status,
        validate_status(KnownValidateUserTagStatus::Success)
    );
}
