//! Friendships once made: blocks and the blacklist (also while an application is pending),
//! deleting, `ext`, lookups by id, name and mobile, friend details and `may_message`.

use super::*;

#[tokio::test]
async fn block_ends_the_friendship_and_fills_the_blacklist() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let cy = im.user("cy").await;
    im.befriend(&ann, &bob).await;
    im.befriend(&ann, &cy).await;
    let (a, b) = (im.client(&ann), im.client(&bob));
    assert!(
        a.roster_may_message()
            .user_id(ann.user.id)
            .roster_id(bob.user.id)
            .await
            .expect("may")
    );

    assert!(
        a.block_roster_user()
            .user_id(bob.user.id)
            .await
            .expect("block")
    );
    assert!(
        a.block_roster_user_via_post()
            .user_id(cy.user.id)
            .await
            .expect("block (POST)")
    );
    assert!(
        a.block_roster_user()
            .user_id(cy.user.id)
            .await
            .expect("again"),
        "blocking someone blocked succeeds"
    );
    assert!(friend_ids(&a).await.is_empty());
    assert!(friend_ids(&b).await.is_empty(), "both sides");
    assert_eq!(
        a.list_roster_blocked().await.expect("blacklist"),
        [bob.user.id, cy.user.id]
    );
    assert!(b.list_roster_blocked().await.expect("blacklist").is_empty());
    assert_eq!(relation(&a, bob.user.id).await, 3, "you blocked them");
    assert_eq!(
        relation(&b, ann.user.id).await,
        1,
        "they ended the friendship"
    );
    assert!(
        !a.roster_may_message()
            .user_id(ann.user.id)
            .roster_id(bob.user.id)
            .await
            .expect("may")
    );
    assert!(
        !b.roster_may_message()
            .user_id(bob.user.id)
            .roster_id(ann.user.id)
            .await
            .expect("may")
    );

    assert!(
        a.unblock_roster_user()
            .user_id(bob.user.id)
            .await
            .expect("unblock")
    );
    assert!(
        a.unblock_roster_user_via_post()
            .user_id(cy.user.id)
            .await
            .expect("unblock (POST)")
    );
    assert!(
        a.unblock_roster_user()
            .user_id(cy.user.id)
            .await
            .expect("again"),
        "unblocking someone not blocked succeeds"
    );
    assert!(a.list_roster_blocked().await.expect("blacklist").is_empty());
    assert!(
        friend_ids(&a).await.is_empty(),
        "unblock does not restore the friendship"
    );
    assert_eq!(relation(&a, bob.user.id).await, 2);

    for (result, code) in [
        (
            a.block_roster_user().user_id(ann.user.id).await,
            BAD_PARAMETER,
        ),
        (
            a.block_roster_user().user_id(NO_SUCH_USER).await,
            USER_NOT_FOUND,
        ),
        (
            a.unblock_roster_user().user_id(ann.user.id).await,
            BAD_PARAMETER,
        ),
        (
            a.unblock_roster_user_via_post().user_id(NO_SUCH_USER).await,
            USER_NOT_FOUND,
        ),
    ] {
        expect_code(result, code);
    }
}

#[tokio::test]
async fn a_block_while_an_application_is_pending_holds_the_accept() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im
        .user_with(json!({"username": "bob", "authMode": 1}))
        .await;
    let cy = im.user("cy").await;
    let (a, b) = (im.client(&ann), im.client(&bob));
    apply(&a, &bob).await.expect("apply");
    apply(&im.client(&cy), &bob).await.expect("apply");

    b.block_roster_user()
        .user_id(ann.user.id)
        .await
        .expect("block");
    expect_code(
        b.accept_roster_application().user_id(ann.user.id).await,
        BLOCKED,
    );
    assert_eq!(
        applications(&b)
            .await
            .iter()
            .find(|x| x.user_id == Some(ann.user.id))
            .and_then(|x| x.status),
        Some(0),
        "still pending"
    );
    b.unblock_roster_user()
        .user_id(ann.user.id)
        .await
        .expect("unblock");
    // The applicant blocking the invitee holds it too.
    a.block_roster_user()
        .user_id(bob.user.id)
        .await
        .expect("block");
    expect_code(
        b.accept_roster_application_via_post()
            .user_id(ann.user.id)
            .await,
        BLOCKED,
    );
    a.unblock_roster_user()
        .user_id(bob.user.id)
        .await
        .expect("unblock");
    b.accept_roster_application()
        .user_id(ann.user.id)
        .await
        .expect("accept");
    assert_eq!(friend_ids(&a).await, [bob.user.id]);

    // Declining works whatever the blocks.
    b.block_roster_user()
        .user_id(cy.user.id)
        .await
        .expect("block");
    b.decline_roster_application()
        .body(decline_body(cy.user.id, Some("blocked")))
        .await
        .expect("decline");
}

#[tokio::test]
async fn delete_removes_both_sides_and_only_friends() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let cy = im.user("cy").await;
    im.befriend(&ann, &bob).await;
    im.befriend(&ann, &cy).await;
    let (a, b) = (im.client(&ann), im.client(&bob));

    assert!(
        a.delete_roster_friend()
            .user_id(bob.user.id)
            .await
            .expect("delete")
    );
    assert_eq!(friend_ids(&a).await, [cy.user.id]);
    assert!(friend_ids(&b).await.is_empty());
    assert_eq!(
        relation(&b, ann.user.id).await,
        1,
        "the other side deleted you"
    );
    assert_eq!(
        relation(&a, bob.user.id).await,
        2,
        "a stranger to the deleter"
    );
    expect_code(
        a.delete_roster_friend().user_id(bob.user.id).await,
        NOT_A_FRIEND,
    );
    expect_code(
        b.delete_roster_friend_via_post().user_id(ann.user.id).await,
        NOT_A_FRIEND,
    );
    assert!(
        im.client(&cy)
            .delete_roster_friend_via_post()
            .user_id(ann.user.id)
            .await
            .expect("delete (POST)")
    );
    assert!(friend_ids(&a).await.is_empty());
    expect_code(
        a.delete_roster_friend().user_id(ann.user.id).await,
        BAD_PARAMETER,
    );
    expect_code(
        a.delete_roster_friend().user_id(NO_SUCH_USER).await,
        USER_NOT_FOUND,
    );

    // Becoming friends again clears "deleted".
    apply(&b, &ann).await.expect("apply");
    assert_eq!(relation(&b, ann.user.id).await, 0);
}

#[tokio::test]
async fn ext_sets_the_callers_side_of_a_friendship_only() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let cy = im.user("cy").await;
    im.befriend(&ann, &bob).await;
    let (a, b) = (im.client(&ann), im.client(&bob));

    assert!(
        a.update_roster_friend_ext()
            .body(ext_body(
                bob.user.id,
                Some("B"),
                Some("{\"k\":1}"),
                Some(true)
            ))
            .await
            .expect("ext (PUT)")
    );
    let seen = lookup(&a, bob.user.id).await;
    assert_eq!(seen.alias.as_deref(), Some("B"));
    assert_eq!(seen.ext.as_deref(), Some("{\"k\":1}"));
    assert_eq!(seen.mute_notification, Some(true));
    let other_side = lookup(&b, ann.user.id).await;
    assert_eq!((other_side.alias, other_side.ext), (None, None));
    assert_eq!(other_side.mute_notification, Some(false));

    // Absent fields stay; an empty string clears.
    assert!(
        a.update_roster_friend_ext_via_post()
            .body(ext_body(bob.user.id, Some(""), None, None))
            .await
            .expect("ext (POST)")
    );
    let seen = lookup(&a, bob.user.id).await;
    assert_eq!(seen.alias, None);
    assert_eq!(seen.ext.as_deref(), Some("{\"k\":1}"));
    assert_eq!(seen.mute_notification, Some(true));

    expect_code(
        a.update_roster_friend_ext()
            .body(ext_body(cy.user.id, Some("C"), None, None))
            .await,
        NOT_A_FRIEND,
    );
    expect_code(
        a.update_roster_friend_ext_via_post()
            .body(ext_body(NO_SUCH_USER, None, None, None))
            .await,
        USER_NOT_FOUND,
    );
    expect_code(
        a.update_roster_friend_ext()
            .body(ext_body(ann.user.id, None, None, None))
            .await,
        BAD_PARAMETER,
    );

    // The friend fields go with the friendship.
    a.delete_roster_friend()
        .user_id(bob.user.id)
        .await
        .expect("delete");
    im.befriend(&ann, &bob).await;
    let seen = lookup(&a, bob.user.id).await;
    assert_eq!((seen.alias, seen.ext), (None, None));
}

#[tokio::test]
async fn lookups_by_id_name_and_mobile_show_the_profile_and_the_relation() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im
        .user_with(json!({
            "username": "Bob",
            "nickname": "Bobby",
            "mobile": "+15550100",
            "avatar": "https://example.test/bob.png",
            "description": "likes boats",
            "publicInfo": "hello world",
            "authMode": 1,
            "authAnswer": "secret"
        }))
        .await;
    let a = im.client(&ann);

    let by_id = lookup(&a, bob.user.id).await;
    assert_eq!(by_id.user_id, Some(bob.user.id));
    assert_eq!(by_id.username.as_deref(), Some("Bob"));
    assert_eq!(by_id.nick_name.as_deref(), Some("Bobby"));
    assert_eq!(
        by_id.avatar.as_deref(),
        Some("https://example.test/bob.png")
    );
    assert_eq!(by_id.description.as_deref(), Some("likes boats"));
    assert_eq!(by_id.public_info.as_deref(), Some("hello world"));
    assert_eq!(by_id.auth_mode, Some(1));
    assert_eq!(by_id.relation, Some(2), "a stranger");

    let by_name = a
        .get_roster_user_by_name()
        .username("bOB")
        .await
        .expect("by name");
    assert_eq!(by_name, by_id, "usernames match case-insensitively");
    let by_mobile = a
        .get_roster_user_by_mobile()
        .mobile("+15550100")
        .await
        .expect("by mobile");
    assert_eq!(by_mobile, by_id);

    expect_code(
        a.get_roster_user_by_id().user_id(NO_SUCH_USER).await,
        USER_NOT_FOUND,
    );
    expect_code(
        a.get_roster_user_by_name().username("nobody").await,
        USER_NOT_FOUND,
    );
    expect_code(
        a.get_roster_user_by_mobile().mobile("+10000000").await,
        USER_NOT_FOUND,
    );
    expect_code(
        a.get_roster_user_by_name().username("").await,
        BAD_PARAMETER,
    );
    expect_code(
        a.get_roster_user_by_mobile().mobile(" ").await,
        BAD_PARAMETER,
    );

    // Profile changes through the control plane show at once; null clears.
    im.world
        .update_roster_user(
            &im.app.app_id,
            bob.user.id,
            json!({"nickname": null, "mobile": "+15550199"}),
        )
        .await
        .expect("update");
    let changed = a
        .get_roster_user_by_mobile()
        .mobile("+15550199")
        .await
        .expect("new mobile");
    assert_eq!(changed.nick_name, None);
    expect_code(
        a.get_roster_user_by_mobile().mobile("+15550100").await,
        USER_NOT_FOUND,
    );
}

#[tokio::test]
async fn friend_details_keep_the_order_and_leave_out_unknown_ids() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let cy = im.user("cy").await;
    im.befriend(&ann, &bob).await;
    let a = im.client(&ann);
    a.update_roster_friend_ext()
        .body(ext_body(bob.user.id, Some("B"), None, None))
        .await
        .expect("ext");
    a.block_roster_user()
        .user_id(cy.user.id)
        .await
        .expect("block");

    let details = a
        .list_roster_friend_details()
        .body(RosterFriendDetailsRequest {
            list: vec![cy.user.id, NO_SUCH_USER, bob.user.id, cy.user.id],
        })
        .await
        .expect("details");
    let ids: Vec<Option<i64>> = details.iter().map(|u| u.user_id).collect();
    assert_eq!(ids, [Some(cy.user.id), Some(bob.user.id)]);
    assert_eq!(details[0].relation, Some(3));
    assert_eq!(details[1].relation, Some(0));
    assert_eq!(details[1].alias.as_deref(), Some("B"));

    let empty = a
        .list_roster_friend_details()
        .body(RosterFriendDetailsRequest { list: vec![] })
        .await
        .expect("no ids");
    assert!(empty.is_empty());
    expect_code(
        a.list_roster_friend_details()
            .body(RosterFriendDetailsRequest {
                list: (1..=101).collect(),
            })
            .await,
        BAD_PARAMETER,
    );
}

#[tokio::test]
async fn may_message_needs_a_friendship_and_no_block() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let cy = im.user("cy").await;
    im.befriend(&ann, &bob).await;
    let a = im.client(&ann);
    let may = |user: i64, roster: i64| a.roster_may_message().user_id(user).roster_id(roster);

    assert!(may(ann.user.id, bob.user.id).await.expect("friends"));
    assert!(
        may(bob.user.id, ann.user.id)
            .await
            .expect("either way round")
    );
    assert!(!may(ann.user.id, cy.user.id).await.expect("strangers"));
    expect_code(may(bob.user.id, cy.user.id).await, NO_PERMISSION);
    expect_code(may(ann.user.id, NO_SUCH_USER).await, USER_NOT_FOUND);
    expect_code(may(ann.user.id, ann.user.id).await, BAD_PARAMETER);

    // An admin token may ask about any pair.
    let admin = im.admin();
    assert!(
        admin
            .roster_may_message()
            .user_id(bob.user.id)
            .roster_id(ann.user.id)
            .await
            .expect("admin")
    );
    assert!(
        !admin
            .roster_may_message()
            .user_id(bob.user.id)
            .roster_id(cy.user.id)
            .await
            .expect("admin")
    );
}
