//! Roster races: batch applies racing single applies and answers.

use super::*;

/// Roster codes (`info.x-business-codes` of `openapi/roster.yaml`) as verdicts.
pub(super) const NO_APPLICATION: &str = "200 10007";

pub(super) struct Im<'a> {
    pub(super) env: &'a Env,
    pub(super) app: CreatedRosterApp,
}

impl Im<'_> {
    /// A user whose consent is needed (`auth_mode` 1).
    pub(super) async fn user(&self, name: String) -> CreatedRosterUser {
        self.env
            .world
            .create_roster_user(&self.app.app_id, json!({"username": name, "authMode": 1}))
            .await
            .expect("roster user")
    }

    pub(super) fn client(&self, user: &CreatedRosterUser) -> roster::Client {
        self.env
            .config
            .roster(Auth::roster(self.app.app_id.as_str(), user.token.as_str()))
    }
}

pub(super) fn batch_task(client: roster::Client, to: Vec<i64>) -> BoxFuture<'static, Answer> {
    let items = to
        .into_iter()
        .map(|user_id| RosterApplicationRequest {
            alias: None,
            reason: Some("race".into()),
            user_id,
        })
        .collect::<Vec<_>>();
    async move { answer!(client.apply_roster_friends_batch().body(items).await) }.boxed()
}

pub(super) fn roster_apply_task(client: roster::Client, to: i64) -> BoxFuture<'static, Answer> {
    async move {
        answer!(
            client
                .apply_roster_friend()
                .body_map(|b| b.user_id(to))
                .await,
        )
    }
    .boxed()
}

pub(super) fn roster_accept_task(client: roster::Client, from: i64) -> BoxFuture<'static, Answer> {
    async move { answer!(client.accept_roster_application().user_id(from).await) }.boxed()
}

/// What the roster API shows: friend ids and received applications (applicant → status).
#[derive(Debug, Default)]
pub(super) struct RosterView {
    pub(super) friends: BTreeMap<i64, BTreeSet<i64>>,
    pub(super) received: BTreeMap<i64, BTreeMap<i64, i32>>,
}

impl RosterView {
    pub(super) fn are_friends(&self, a: &CreatedRosterUser, b: &CreatedRosterUser) -> bool {
        self.friends[&a.user.id].contains(&b.user.id)
    }

    /// The status of the application `from` sent `to`, if any.
    pub(super) fn application(
        &self,
        from: &CreatedRosterUser,
        to: &CreatedRosterUser,
    ) -> Option<i32> {
        self.received[&to.user.id].get(&from.user.id).copied()
    }
}

/// Friend ids and received applications of each user through the API: no duplicates,
/// friendships symmetric, no pending application between friends.
pub(super) async fn roster_view(
    im: &Im<'_>,
    round: usize,
    users: &[&CreatedRosterUser],
) -> RosterView {
    let mut view = RosterView::default();
    for user in users {
        let client = im.client(user);
        let ids: Vec<i64> = client
            .list_roster_friend_ids()
            .stream()
            .try_collect()
            .await
            .expect("friend ids");
        assert_unique(round, &format!("{}'s friends", user.user.username), &ids);
        let applications: Vec<_> = client
            .list_roster_applications()
            .stream()
            .try_collect()
            .await
            .expect("applications");
        let applicants: Vec<i64> = applications
            .iter()
            .map(|a| a.user_id.expect("user_id"))
            .collect();
        assert_unique(round, "applications (one per pair)", &applicants);
        view.friends.insert(user.user.id, ids.into_iter().collect());
        view.received.insert(
            user.user.id,
            applications
                .iter()
                .map(|a| (a.user_id.expect("user_id"), a.status.expect("status")))
                .collect(),
        );
    }
    for (user, friends) in &view.friends {
        for friend in friends {
            if let Some(theirs) = view.friends.get(friend) {
                assert!(
                    theirs.contains(user),
                    "round {round}: {user} lists {friend}, not the other way round"
                );
            }
        }
        for (from, status) in &view.received[user] {
            assert!(
                !(*status == 0 && friends.contains(from)),
                "round {round}: a pending application between friends {from} → {user}"
            );
        }
    }
    view
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn roster_batch_apply_racing_applies_and_answers_stays_consistent() {
    let env = Env::new().await;
    let im = Im {
        app: env.world.create_roster_app().await.expect("app"),
        env: &env,
    };
    for round in 0..ROUNDS {
        let mut users = Vec::new();
        for name in ["a", "b", "c", "d", "e", "f", "g", "h"] {
            users.push(im.user(format!("r{round}{name}")).await);
        }
        let [a, b, c, d, e, f, g, h] = &users[..] else {
            unreachable!()
        };
        let id = |u: &CreatedRosterUser| u.user.id;
        // g applied to h before the race; h accepts it twice at once.
        roster_apply_task(im.client(g), id(h))
            .await
            .expect("g applies to h");
        let (dc, fc) = (im.client(d), im.client(f));
        let (a_id, a_id2) = (id(a), id(a));
        let answers = race(vec![
            batch_task(im.client(a), vec![id(b), id(c), id(d), id(e), id(f)]),
            roster_apply_task(im.client(b), id(a)),
            roster_accept_task(im.client(c), id(a)),
            async move {
                answer!(
                    dc.decline_roster_application()
                        .body(RosterDeclineRequest {
                            reason: None,
                            user_id: a_id,
                        })
                        .await,
                )
            }
            .boxed(),
            batch_task(im.client(e), vec![id(a)]),
            async move { answer!(fc.block_roster_user().user_id(a_id2).await) }.boxed(),
            roster_accept_task(im.client(h), id(g)),
            roster_accept_task(im.client(h), id(g)),
        ])
        .await;
        let got = verdicts(&answers);
        assert_eq!(got[0], "ok", "round {round}: a's batch");
        let batch = answers[0].as_ref().expect("batch");
        let succeeded: BTreeSet<i64> = batch["success"]
            .as_array()
            .expect("success")
            .iter()
            .filter_map(Value::as_i64)
            .collect();
        let failed: Vec<i64> = batch["fails"]
            .as_array()
            .expect("fails")
            .iter()
            .filter_map(|f| f["user_id"].as_i64())
            .collect();
        for u in [b, c, d, e] {
            assert!(
                succeeded.contains(&id(u)),
                "round {round}: applying to {} can only succeed: {batch}",
                u.user.username
            );
        }
        // f's block may come first (10006 in `fails`) or after.
        assert_eq!(
            succeeded.len() + failed.len(),
            5,
            "round {round}: every item answered once: {batch}"
        );
        assert!(
            failed.iter().all(|u| *u == id(f)),
            "round {round}: only f can fail: {batch}"
        );
        assert_eq!(got[1], "ok", "round {round}: b applies back");
        assert_one_of(round, "c accepts", &answers[2], &["ok", NO_APPLICATION]);
        assert_one_of(round, "d declines", &answers[3], &["ok", NO_APPLICATION]);
        assert_eq!(got[4], "ok", "round {round}: e's batch");
        let e_batch = answers[4].as_ref().expect("batch");
        assert_eq!(
            e_batch["success"],
            json!([id(a)]),
            "round {round}: {e_batch}"
        );
        assert_eq!(got[5], "ok", "round {round}: f blocks a");
        assert_eq!(
            sorted(got[6..].to_vec()),
            [NO_APPLICATION, "ok"],
            "round {round}: two accepts of one application make one friendship"
        );

        let all: Vec<&CreatedRosterUser> = users.iter().collect();
        let view = roster_view(&im, round, &all).await;
        assert!(
            view.are_friends(a, b),
            "round {round}: a and b applied both ways"
        );
        assert!(
            view.are_friends(a, e),
            "round {round}: a and e applied both ways"
        );
        assert_eq!(
            view.are_friends(a, c),
            got[2] == "ok",
            "round {round}: c's accept"
        );
        assert!(
            !view.are_friends(a, d) && !view.are_friends(a, f),
            "round {round}"
        );
        assert!(view.are_friends(g, h), "round {round}: g and h");
        assert_eq!(
            view.application(a, d),
            Some(if got[3] == "ok" { 2 } else { 0 }),
            "round {round}: d's decline is recorded, or the application waits"
        );
        assert_eq!(
            view.application(a, c),
            Some(if got[2] == "ok" { 1 } else { 0 }),
            "round {round}: c's application"
        );
        assert_eq!(
            view.friends[&id(a)].len(),
            2 + usize::from(got[2] == "ok"),
            "round {round}: a's friends: {:?}",
            view.friends[&id(a)]
        );
        env.check_dump(round).await;
    }
}
