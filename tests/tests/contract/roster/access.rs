//! Credentials: an admin token acting as the user it names, and tokens and app ids checked
//! before anything else.

use super::*;

#[tokio::test]
async fn an_admin_token_acts_as_the_user_it_names() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im
        .user_with(json!({"username": "bob", "authMode": 1}))
        .await;
    let as_ann = im.admin_as(&ann);
    let as_bob = im.admin_as(&bob);

    apply(&as_ann, &bob).await.expect("apply as ann");
    let listed = applications(&as_bob).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].user_id, Some(ann.user.id));
    as_bob
        .accept_roster_application()
        .user_id(ann.user.id)
        .await
        .expect("accept as bob");
    assert_eq!(friend_ids(&im.client(&ann)).await, [bob.user.id]);
    assert_eq!(relation(&as_bob, ann.user.id).await, 0);

    // `group_id` is accepted with an admin token.
    let in_group = im.config.roster(
        Auth::roster(im.app.app_id.as_str(), im.app.admin_token.as_str())
            .acting_as_user(ann.user.id)
            .in_group(77),
    );
    assert_eq!(friend_ids(&in_group).await, [bob.user.id]);

    // Without an acting user an admin looks users up as nobody…
    let admin = im.admin();
    assert_eq!(relation(&admin, bob.user.id).await, 2);
    // …but cannot act as one.
    expect_code(apply(&admin, &bob).await, BAD_PARAMETER);
    expect_code(admin.list_roster_friend_ids().await, BAD_PARAMETER);
    // Acting as a user the app does not have.
    let ghost = im.config.roster(
        Auth::roster(im.app.app_id.as_str(), im.app.admin_token.as_str())
            .acting_as_user(NO_SUCH_USER),
    );
    expect_code(ghost.list_roster_blocked().await, USER_NOT_FOUND);
    // Another admin token of the app works the same.
    let second = im
        .world
        .create_roster_admin_token(&im.app.app_id)
        .await
        .expect("admin token");
    let second = im
        .config
        .roster(Auth::roster(im.app.app_id.as_str(), second.as_str()).acting_as_user(bob.user.id));
    assert_eq!(friend_ids(&second).await, [ann.user.id]);
}

#[tokio::test]
async fn tokens_and_app_ids_are_checked_first() {
    let im = Im::new().await;
    let ann = im.user("ann").await;
    let bob = im.user("bob").await;
    let other_app = im.world.create_roster_app().await.expect("app");
    let stranger = im
        .world
        .create_roster_user(&other_app.app_id, json!({"username": "ann"}))
        .await
        .expect("same username, other app");
    let app = im.app.app_id.as_str();
    let with = |auth: Auth| im.config.roster(auth);

    expect_code(
        friend_ids_result(&with(Auth::roster(app, ""))).await,
        MISSING_TOKEN,
    );
    expect_code(friend_ids_result(&with(Auth::none())).await, UNKNOWN_APP);
    expect_code(
        friend_ids_result(&with(Auth::roster(app, "not-a-token"))).await,
        INVALID_TOKEN,
    );
    expect_code(
        friend_ids_result(&with(Auth::roster("no-such-app", ann.token.as_str()))).await,
        UNKNOWN_APP,
    );
    expect_code(
        friend_ids_result(&with(Auth::roster(app, stranger.token.as_str()))).await,
        INVALID_TOKEN,
    );
    // A user token may not act as someone else, nor in a group.
    let a = im.client(&ann);
    expect_code(
        a.list_roster_friend_ids().user_id(bob.user.id).await,
        NO_PERMISSION,
    );
    assert!(
        a.list_roster_friend_ids()
            .user_id(ann.user.id)
            .await
            .expect("naming yourself is fine")
            .is_empty()
    );
    expect_code(a.list_roster_blocked().group_id(5).await, NO_PERMISSION);
    expect_code(
        with(Auth::roster(app, ann.token.as_str()).acting_as_user(bob.user.id))
            .block_roster_user()
            .user_id(bob.user.id)
            .await,
        NO_PERMISSION,
    );
    // A second token of a user acts as that user.
    let second = im
        .world
        .create_roster_token(app, ann.user.id)
        .await
        .expect("token");
    apply(&with(Auth::roster(app, second.as_str())), &bob)
        .await
        .expect("second token");
    assert_eq!(friend_ids(&a).await, [bob.user.id]);
}
