//! Roblox Friends v1 races: request races keep friendships symmetric, follow storms keep
//! counts equal to lists.

use super::*;

/// A Roblox user and an SDK client with their cookie (which keeps its CSRF token).
pub(super) struct Rob {
    pub(super) user: CreatedUser,
    pub(super) client: friends::Client,
}

impl Rob {
    pub(super) fn id(&self) -> i64 {
        self.user.user.id
    }
}

pub(super) async fn rob(env: &Env, name: String) -> Rob {
    let user = env
        .world
        .create_roblox_user(&name)
        .await
        .expect("roblox user");
    let client = env
        .config
        .friends(Auth::roblox_cookie(user.cookie.as_str()));
    Rob { user, client }
}

pub(super) fn rob_task(
    client: &friends::Client,
    call: impl FnOnce(friends::Client) -> BoxFuture<'static, Answer>,
) -> BoxFuture<'static, Answer> {
    call(client.clone())
}

/// Friends, pending requests and follows of each user through the API: counts equal list
/// lengths, no duplicates, friendships symmetric, follows seen from both ends, no request
/// between friends.
#[derive(Debug, Default)]
pub(super) struct RobloxView {
    pub(super) friends: BTreeMap<i64, BTreeSet<i64>>,
    /// recipient → senders.
    pub(super) requests: BTreeMap<i64, BTreeSet<i64>>,
    pub(super) followers: BTreeMap<i64, BTreeSet<i64>>,
    pub(super) followings: BTreeMap<i64, BTreeSet<i64>>,
}

pub(super) async fn roblox_view(round: usize, users: &[&Rob]) -> RobloxView {
    let mut view = RobloxView::default();
    for rob in users {
        let (c, id) = (&rob.client, rob.id());
        let friends: Vec<i64> = c
            .get_user_friends()
            .user_id(id)
            .await
            .expect("friends")
            .data
            .iter()
            .map(|u| u.id.expect("id"))
            .collect();
        assert_unique(round, "friends", &friends);
        let count = c.get_my_friends_count().await.expect("count").count;
        assert_eq!(
            count,
            Some(friends.len() as i32),
            "round {round}: friends count"
        );
        let counted = c
            .get_user_friends_count()
            .user_id(id)
            .await
            .expect("count")
            .count;
        assert_eq!(counted, count, "round {round}: both friend counts agree");

        let senders: Vec<i64> = c
            .get_my_friend_requests()
            .limit(100u32)
            .stream()
            .map_ok(|r| r.id.expect("id"))
            .try_collect()
            .await
            .expect("requests");
        assert_unique(round, "requests", &senders);
        let pending = c
            .get_pending_friend_requests_count()
            .await
            .expect("pending")
            .count;
        assert_eq!(
            pending,
            Some(senders.len() as i32),
            "round {round}: pending count"
        );

        let followers: Vec<i64> = c
            .get_user_followers()
            .target_user_id(id)
            .limit(100)
            .stream()
            .map_ok(|u| u.id.expect("id"))
            .try_collect()
            .await
            .expect("followers");
        assert_unique(round, "followers", &followers);
        let count = c
            .get_user_followers_count()
            .target_user_id(id)
            .await
            .expect("count")
            .count;
        assert_eq!(
            count,
            Some(followers.len() as i32),
            "round {round}: followers count"
        );
        let followings: Vec<i64> = c
            .get_user_followings()
            .target_user_id(id)
            .limit(100)
            .stream()
            .map_ok(|u| u.id.expect("id"))
            .try_collect()
            .await
            .expect("followings");
        assert_unique(round, "followings", &followings);
        let count = c
            .get_user_followings_count()
            .target_user_id(id)
            .await
            .expect("count")
            .count;
        assert_eq!(
            count,
            Some(followings.len() as i32),
            "round {round}: followings count"
        );

        view.friends.insert(id, friends.into_iter().collect());
        view.requests.insert(id, senders.into_iter().collect());
        view.followers.insert(id, followers.into_iter().collect());
        view.followings.insert(id, followings.into_iter().collect());
    }
    for (user, friends) in &view.friends {
        for friend in friends {
            if let Some(theirs) = view.friends.get(friend) {
                assert!(
                    theirs.contains(user),
                    "round {round}: {user} ↔ {friend} asymmetric"
                );
            }
            assert!(
                !view.requests[user].contains(friend),
                "round {round}: a request between friends {friend} → {user}"
            );
        }
        for follower in &view.followers[user] {
            if let Some(theirs) = view.followings.get(follower) {
                assert!(
                    theirs.contains(user),
                    "round {round}: {follower} follows {user} on one side only"
                );
            }
        }
    }
    view
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn roblox_request_races_keep_friendships_symmetric() {
    let env = Env::new().await;
    for round in 0..ROUNDS {
        let mut users = Vec::new();
        for name in ["a", "b", "c", "d", "e", "f"] {
            users.push(rob(&env, format!("r{round}{name}")).await);
        }
        let [a, b, c, d, e, f] = &users[..] else {
            unreachable!()
        };
        // c asked d; e and f are friends.
        c.client
            .request_friendship()
            .target_user_id(d.id())
            .await
            .expect("c asks d");
        env.world
            .befriend(e.id(), f.id(), false)
            .await
            .expect("befriend");
        let (ids, cid) = ([a.id(), b.id(), e.id(), f.id()], c.id());
        let answers = race(vec![
            // a and b ask each other at once.
            rob_task(&a.client, move |c| {
                async move { answer!(c.request_friendship().target_user_id(ids[1]).await) }.boxed()
            }),
            rob_task(&b.client, move |c| {
                async move { answer!(c.request_friendship().target_user_id(ids[0]).await) }.boxed()
            }),
            // d accepts and declines c's request at once.
            rob_task(&d.client, move |c| {
                async move { answer!(c.accept_friend_request().requester_user_id(cid).await) }
                    .boxed()
            }),
            rob_task(&d.client, move |c| {
                async move { answer!(c.decline_friend_request().requester_user_id(cid).await) }
                    .boxed()
            }),
            // e and f unfriend each other while e asks f.
            rob_task(&e.client, move |c| {
                async move { answer!(c.unfriend_user().target_user_id(ids[3]).await) }.boxed()
            }),
            rob_task(&f.client, move |c| {
                async move { answer!(c.unfriend_user().target_user_id(ids[2]).await) }.boxed()
            }),
            rob_task(&e.client, move |c| {
                async move { answer!(c.request_friendship().target_user_id(ids[3]).await) }.boxed()
            }),
        ])
        .await;
        let got = verdicts(&answers);
        assert_eq!(&got[..2], ["ok", "ok"], "round {round}: crossed requests");
        assert_eq!(
            sorted(got[2..4].to_vec()),
            ["400 10", "ok"],
            "round {round}: accept vs decline, one wins"
        );
        assert_eq!(
            &got[4..6],
            ["ok", "ok"],
            "round {round}: unfriend is idempotent"
        );
        // Already friends (code 5) before the unfriends, a new request after.
        assert_one_of(round, "e asks f", &answers[6], &["ok", "400 5"]);

        let all: Vec<&Rob> = users.iter().collect();
        let view = roblox_view(round, &all).await;
        assert_eq!(
            view.friends[&a.id()],
            BTreeSet::from([b.id()]),
            "round {round}"
        );
        assert!(view.requests[&a.id()].is_empty() && view.requests[&b.id()].is_empty());
        let accepted = got[2] == "ok";
        assert_eq!(
            view.friends[&c.id()].contains(&d.id()),
            accepted,
            "round {round}: the accept won = friends"
        );
        assert!(
            view.requests[&d.id()].is_empty(),
            "round {round}: request answered"
        );
        assert!(
            view.friends[&e.id()].is_empty(),
            "round {round}: unfriended"
        );
        assert_eq!(
            view.requests[&f.id()].contains(&e.id()),
            got[6] == "ok",
            "round {round}: e's request after the unfriend is kept"
        );
        env.check_dump(round).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn roblox_follow_storms_keep_counts_equal_to_lists() {
    const FANS: usize = 8;
    let env = Env::new().await;
    for round in 0..ROUNDS / 2 {
        let star = rob(&env, format!("r{round}star")).await;
        let mut fans = Vec::new();
        for i in 0..FANS {
            fans.push(rob(&env, format!("r{round}fan{i}")).await);
        }
        // The first half already follows the star.
        for fan in &fans[..FANS / 2] {
            env.world.follow(fan.id(), star.id()).await.expect("follow");
        }
        let star_id = star.id();
        let mut tasks = Vec::new();
        for (i, fan) in fans.iter().enumerate() {
            // Everyone follows twice; the first half also unfollows.
            for _ in 0..2 {
                tasks.push(rob_task(&fan.client, move |c| {
                    async move { answer!(c.follow_user().target_user_id(star_id).await) }.boxed()
                }));
            }
            if i < FANS / 2 {
                tasks.push(rob_task(&fan.client, move |c| {
                    async move { answer!(c.unfollow_user().target_user_id(star_id).await) }.boxed()
                }));
            }
            // The star follows every fan back.
            let fan_id = fan.id();
            tasks.push(rob_task(&star.client, move |c| {
                async move { answer!(c.follow_user().target_user_id(fan_id).await) }.boxed()
            }));
        }
        let answers = race(tasks).await;
        let got = verdicts(&answers);
        assert!(
            got.iter().all(|v| v == "ok"),
            "round {round}: follow and unfollow always succeed: {got:?}"
        );

        let mut all: Vec<&Rob> = fans.iter().collect();
        all.push(&star);
        let view = roblox_view(round, &all).await;
        let followers = &view.followers[&star.id()];
        for fan in &fans[FANS / 2..] {
            assert!(
                followers.contains(&fan.id()),
                "round {round}: a follow was lost"
            );
        }
        assert_eq!(
            view.followings[&star.id()],
            fans.iter().map(Rob::id).collect::<BTreeSet<_>>(),
            "round {round}: the star follows every fan"
        );
        // Whatever won each follow/unfollow race, following-exists agrees with the lists.
        let exists = star
            .client
            .get_following_exists()
            .body(social_sdk::friends::types::FollowingExistsRequest {
                target_user_ids: fans.iter().map(Rob::id).collect(),
            })
            .await
            .expect("following exists");
        for entry in exists.followings {
            let fan = entry.user_id.expect("userId");
            assert_eq!(
                entry.is_followed,
                Some(followers.contains(&fan)),
                "round {round}: following-exists vs the followers list of {fan}"
            );
            assert_eq!(entry.is_following, Some(true), "round {round}");
        }
        env.check_dump(round).await;
    }
}
