//! Applying under each `auth_mode` (at once, pending and expiring, answer-gated, rejected),
//! accepting and declining by both methods, refusals, applying back, and batch applies.

use super::*;

#[tokio::test]
async fn auth_mode_0_makes_friends_at_once_with_the_applicants_alias() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let (a, b) = (im.client(&ann), im.client(&bob));

    assert!(
        apply_with(&a, &bob, Some("hi"), Some("Bobby"), None)
            .await
            .expect("apply")
    );
    assert_eq!(friend_ids(&a).await, [bob.user.id]);
    assert_eq!(
        friend_ids(&b).await,
        [ann.user.id],
        "friendship is symmetric"
    );
    assert!(applications(&b).await.is_empty(), "no application is left");

    let seen_by_ann = lookup(&a, bob.user.id).await;
    assert_eq!(seen_by_ann.relation, Some(0));
    assert_eq!(seen_by_ann.alias.as_deref(), Some("Bobby"));
    assert_eq!(seen_by_ann.username.as_deref(), Some("bob"));
    let seen_by_bob = lookup(&b, ann.user.id).await;
    assert_eq!(seen_by_bob.relation, Some(0));
    assert_eq!(
        seen_by_bob.alias, None,
        "the alias is the applicant's side only"
    );

    expect_code(apply(&a, &bob).await, ALREADY_FRIENDS);
    expect_code(apply(&b, &ann).await, ALREADY_FRIENDS);
}

#[tokio::test]
async fn auth_mode_1_leaves_an_application_that_expires_after_seven_days() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im
        .user_with(json!({"username": "bob", "authMode": 1}))
        .await;
    let (a, b) = (im.client(&ann), im.client(&bob));

    let before = chrono::Utc::now().timestamp_millis();
    assert!(
        apply_with(&a, &bob, Some("we met at the conference"), None, None)
            .await
            .expect("apply")
    );
    let after = chrono::Utc::now().timestamp_millis();
    assert!(friend_ids(&a).await.is_empty(), "not friends yet");
    let listed = applications(&b).await;
    assert_eq!(listed.len(), 1);
    let application = &listed[0];
    assert_eq!(application.user_id, Some(ann.user.id));
    assert_eq!(application.status, Some(0));
    assert_eq!(
        application.reason.as_deref(),
        Some("we met at the conference")
    );
    let expires = application.expired_time.expect("expired_time");
    let ttl_ms = (SEVEN_DAYS * 1000) as i64;
    assert!(
        (before + ttl_ms..=after + ttl_ms).contains(&expires),
        "expired_time {expires} is sent + 7 days in ms"
    );
    assert!(
        applications(&a).await.is_empty(),
        "the list holds applications addressed to the caller"
    );

    im.advance(SEVEN_DAYS - 10).await;
    assert_eq!(
        applications(&b).await.len(),
        1,
        "open until the 7 days pass"
    );
    im.advance(20).await;
    assert!(applications(&b).await.is_empty(), "expired ones drop out");
    expect_code(
        b.accept_roster_application().user_id(ann.user.id).await,
        NO_APPLICATION,
    );
    expect_code(
        b.decline_roster_application()
            .body(decline_body(ann.user.id, None))
            .await,
        NO_APPLICATION,
    );

    // Applying again opens a new application.
    apply(&a, &bob).await.expect("apply again");
    assert_eq!(applications(&b).await.len(), 1);
    assert!(
        b.accept_roster_application_via_post()
            .user_id(ann.user.id)
            .await
            .expect("accept")
    );
    assert_eq!(friend_ids(&b).await, [ann.user.id]);
}

#[tokio::test]
async fn accept_and_decline_change_the_status_and_both_methods_work() {
    let im = Im::new().await;
    let host = im
        .user_with(json!({"username": "host", "authMode": 1}))
        .await;
    let guests = [
        im.user("g1").await,
        im.user("g2").await,
        im.user("g3").await,
        im.user("g4").await,
    ];
    let h = im.client(&host);
    for g in &guests {
        apply_with(&im.client(g), &host, Some("let me in"), Some("Host"), None)
            .await
            .expect("apply");
    }

    assert!(
        h.accept_roster_application()
            .user_id(guests[0].user.id)
            .await
            .expect("accept (PUT)")
    );
    assert!(
        h.accept_roster_application_via_post()
            .user_id(guests[1].user.id)
            .await
            .expect("accept (POST)")
    );
    assert!(
        h.decline_roster_application()
            .body(decline_body(guests[2].user.id, Some("no room")))
            .await
            .expect("decline (PUT)")
    );
    assert!(
        h.decline_roster_application_via_post()
            .body(decline_body(guests[3].user.id, None))
            .await
            .expect("decline (POST)")
    );

    let mut friends = friend_ids(&h).await;
    friends.sort_unstable();
    assert_eq!(friends, [guests[0].user.id, guests[1].user.id]);
    let g0 = im.client(&guests[0]);
    assert_eq!(
        lookup(&g0, host.user.id).await.alias.as_deref(),
        Some("Host"),
        "the alias sent with the application applies once accepted"
    );
    let status_of = |list: &[RosterApplication], id: i64| {
        list.iter()
            .find(|a| a.user_id == Some(id))
            .and_then(|a| a.status)
    };
    let listed = applications(&h).await;
    assert_eq!(
        listed.len(),
        4,
        "answered applications stay until they expire"
    );
    assert_eq!(status_of(&listed, guests[0].user.id), Some(1));
    assert_eq!(status_of(&listed, guests[1].user.id), Some(1));
    assert_eq!(status_of(&listed, guests[2].user.id), Some(2));
    assert_eq!(status_of(&listed, guests[3].user.id), Some(2));

    // Only pending applications can be answered.
    expect_code(
        h.accept_roster_application()
            .user_id(guests[2].user.id)
            .await,
        NO_APPLICATION,
    );
    expect_code(
        h.decline_roster_application()
            .body(decline_body(guests[0].user.id, None))
            .await,
        NO_APPLICATION,
    );
    // Nobody answers an application addressed to someone else.
    let g3 = im.client(&guests[3]);
    expect_code(
        g3.accept_roster_application()
            .user_id(guests[2].user.id)
            .await,
        NO_APPLICATION,
    );
    expect_code(
        g3.accept_roster_application().user_id(NO_SUCH_USER).await,
        USER_NOT_FOUND,
    );
    expect_code(
        g3.accept_roster_application()
            .user_id(guests[3].user.id)
            .await,
        BAD_PARAMETER,
    );
    expect_code(
        g3.decline_roster_application()
            .body(decline_body(NO_SUCH_USER, None))
            .await,
        USER_NOT_FOUND,
    );
    expect_code(
        g3.decline_roster_application_via_post()
            .body(decline_body(guests[3].user.id, None))
            .await,
        BAD_PARAMETER,
    );

    // A declined applicant may apply again; the new application replaces the old one.
    apply(&im.client(&guests[2]), &host).await.expect("again");
    let listed = applications(&h).await;
    assert_eq!(listed.len(), 4);
    assert_eq!(listed[0].user_id, Some(guests[2].user.id), "newest first");
    assert_eq!(listed[0].status, Some(0));
}

#[tokio::test]
async fn auth_mode_2_needs_the_answer_trimmed_and_case_insensitive() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let quiz = im
        .user_with(json!({
            "username": "quiz",
            "authMode": 2,
            "authQuestion": "Favourite colour?",
            "authAnswer": "Blue"
        }))
        .await;
    let a = im.client(&ann);
    let seen = lookup(&a, quiz.user.id).await;
    assert_eq!(seen.auth_mode, Some(2));
    assert_eq!(seen.auth_question.as_deref(), Some("Favourite colour?"));

    expect_code(
        apply_with(&a, &quiz, None, None, Some("red")).await,
        BAD_PARAMETER,
    );
    expect_code(apply(&a, &quiz).await, BAD_PARAMETER);
    assert!(friend_ids(&a).await.is_empty());
    assert!(applications(&im.client(&quiz)).await.is_empty());
    assert!(
        apply_with(&a, &quiz, None, None, Some("  bLUE "))
            .await
            .expect("right answer")
    );
    assert_eq!(friend_ids(&a).await, [quiz.user.id]);
}

#[tokio::test]
async fn auth_mode_3_rejects_every_application() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let hermit = im
        .user_with(json!({"username": "hermit", "authMode": 3}))
        .await;
    let a = im.client(&ann);
    expect_code(apply(&a, &hermit).await, REJECTS_ALL);
    let result = a
        .apply_roster_friends_batch()
        .body(vec![batch_item(hermit.user.id)])
        .await
        .expect("batch");
    assert_eq!(result.success, Some(vec![]));
    assert_eq!(result.fails.as_ref().map(Vec::len), Some(1));

    // The control plane changes the mode; applications follow the new one.
    im.world
        .update_roster_user(&im.app.app_id, hermit.user.id, json!({"authMode": 0}))
        .await
        .expect("update");
    apply(&a, &hermit).await.expect("now open");
    assert_eq!(friend_ids(&a).await, [hermit.user.id]);
}

#[tokio::test]
async fn apply_refuses_yourself_unknown_users_and_blocks_either_way() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let cy = im.user("cy").await;
    let a = im.client(&ann);

    expect_code(apply(&a, &ann).await, BAD_PARAMETER);
    expect_code(
        a.apply_roster_friend()
            .body_map(|b| b.user_id(NO_SUCH_USER))
            .await,
        USER_NOT_FOUND,
    );
    a.block_roster_user()
        .user_id(bob.user.id)
        .await
        .expect("block");
    expect_code(apply(&a, &bob).await, BLOCKED);
    expect_code(apply(&im.client(&bob), &ann).await, BLOCKED);
    im.client(&cy)
        .block_roster_user_via_post()
        .user_id(ann.user.id)
        .await
        .expect("block");
    expect_code(apply(&a, &cy).await, BLOCKED);
    assert!(friend_ids(&a).await.is_empty());
}

#[tokio::test]
async fn applying_back_accepts_the_open_application() {
    let im = Im::new().await;
    let ann = im
        .user_with(json!({"username": "ann", "authMode": 1}))
        .await;
    let bob = im
        .user_with(json!({"username": "bob", "authMode": 3}))
        .await;
    apply(&im.client(&bob), &ann).await.expect("bob applies");
    // Bob rejects all applications, but he asked first.
    apply(&im.client(&ann), &bob)
        .await
        .expect("ann applies back");
    assert_eq!(friend_ids(&im.client(&ann)).await, [bob.user.id]);
    let listed = applications(&im.client(&ann)).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].status, Some(1), "bob's application is accepted");
}

#[tokio::test]
async fn batch_apply_reports_each_item_and_takes_at_most_100() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let open = im.user("open").await;
    let consent = im
        .user_with(json!({"username": "consent", "authMode": 1}))
        .await;
    let quiz = im
        .user_with(json!({"username": "quiz", "authMode": 2, "authAnswer": ""}))
        .await;
    let hermit = im
        .user_with(json!({"username": "hermit", "authMode": 3}))
        .await;
    let a = im.client(&ann);

    let ids = [
        open.user.id,
        consent.user.id,
        quiz.user.id,
        hermit.user.id,
        NO_SUCH_USER,
        ann.user.id,
        open.user.id,
    ];
    let result = a
        .apply_roster_friends_batch()
        .body(ids.iter().map(|id| batch_item(*id)).collect::<Vec<_>>())
        .await
        .expect("batch");
    assert_eq!(result.success, Some(vec![open.user.id, consent.user.id]));
    let fails = result.fails.expect("fails");
    let failed: Vec<i64> = fails.iter().filter_map(|f| f.user_id).collect();
    assert_eq!(
        failed,
        [
            quiz.user.id,
            hermit.user.id,
            NO_SUCH_USER,
            ann.user.id,
            open.user.id
        ]
    );
    assert!(
        fails
            .iter()
            .all(|f| f.reason.as_deref().is_some_and(|r| !r.is_empty())),
        "every failure says why: {fails:?}"
    );
    assert!(
        fails[4]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("already a friend")),
        "{fails:?}"
    );
    assert_eq!(friend_ids(&a).await, [open.user.id]);
    let pending = applications(&im.client(&consent)).await;
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].reason.as_deref(), Some("batch"));

    let empty = a
        .apply_roster_friends_batch()
        .body(Vec::<RosterApplicationRequest>::new())
        .await
        .expect("empty batch");
    assert_eq!(empty.success, Some(vec![]));
    let too_many: Vec<_> = (0..101).map(|i| batch_item(10_000 + i)).collect();
    expect_code(
        a.apply_roster_friends_batch().body(too_many).await,
        BAD_PARAMETER,
    );
}
