//! The roster's business operations: everything that changes a [`RosterState`] or an
//! [`App`], each with its business code when refused (the module docs of `roster` give the
//! decisions), and the control-plane creation and seeding. No HTTP: `api.rs` calls these
//! under the world's lock.

use super::state::codes::*;
use super::state::{
    App, Application, Business, Caller, ControlProblem, CreatedRosterApp, CreatedRosterUser,
    Credentials, FriendSide, RosterState, RosterUser, RosterUserSpec, TokenOwner, fail,
};
use chrono::{DateTime, Utc};

/// What `apply` carries besides the invitee.
#[derive(Debug, Clone, Default)]
pub struct ApplyArgs {
    /// Request description.
    pub reason: Option<String>,
    /// The alias the applicant gives the invitee.
    pub alias: Option<String>,
    /// Answer to the invitee's question (`auth_mode` 2).
    pub auth_answer: Option<String>,
}
fn blank_to_none(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

impl RosterState {
    fn new_token(&mut self, app: &str, user: Option<i64>) -> String {
        let kind = if user.is_some() { "user" } else { "admin" };
        let token = format!("roster-{kind}-{}", uuid::Uuid::new_v4().simple());
        self.tokens.insert(
            token.clone(),
            TokenOwner {
                app: app.to_owned(),
                user,
            },
        );
        token
    }

    /// Creates an app (a fresh id when none is given) and its admin token.
    pub fn create_app(&mut self, id: Option<String>) -> Result<CreatedRosterApp, ControlProblem> {
        let id = match id {
            Some(id) => id,
            None => loop {
                let candidate = format!("stub-app-{}", self.next_app);
                self.next_app += 1;
                if !self.apps.contains_key(&candidate) {
                    break candidate;
                }
            },
        };
        if id.is_empty()
            || id.len() > 64
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(ControlProblem::Invalid(
                "an app id is 1-64 characters of A-Z, a-z, 0-9, '-' and '_'".into(),
            ));
        }
        if self.apps.contains_key(&id) {
            return Err(ControlProblem::Conflict(format!(
                "app {id:?} exists already"
            )));
        }
        self.apps.insert(
            id.clone(),
            App {
                id: id.clone(),
                ..App::default()
            },
        );
        let admin_token = self.new_token(&id, None);
        Ok(CreatedRosterApp {
            app_id: id,
            admin_token,
        })
    }

    /// Another admin token for an app.
    pub fn create_admin_token(&mut self, app: &str) -> Option<String> {
        self.apps
            .contains_key(app)
            .then(|| self.new_token(app, None))
    }
    /// Creates a user of an app with a token.
    pub fn create_user(
        &mut self,
        app: &str,
        spec: RosterUserSpec,
    ) -> Result<CreatedRosterUser, ControlProblem> {
        let next = self.next_user_id;
        let Some(state) = self.apps.get_mut(app) else {
            return Err(ControlProblem::NotFound(format!("no app {app:?}")));
        };
        let id = match spec.id {
            Some(id) if id <= 0 => {
                return Err(ControlProblem::Invalid("user ids are positive".into()));
            }
            Some(id) if state.users.contains_key(&id) => {
                return Err(ControlProblem::Conflict(format!(
                    "user {id} exists already in app {app:?}"
                )));
            }
            Some(id) => id,
            None => {
                let mut id = next;
                while state.users.contains_key(&id) {
                    id += 1;
                }
                id
            }
        };
        let username = match &spec.username {
            Some(Some(name)) => name.clone(),
            Some(None) => return Err(ControlProblem::Invalid("username cannot be null".into())),
            None => format!("user{id}"),
        };
        let mut user = RosterUser {
            id,
            username,
            nickname: None,
            mobile: None,
            avatar: None,
            description: None,
            public_info: None,
            auth_mode: 0,
            auth_question: None,
            auth_answer: None,
        };
        spec.apply_to(&mut user).map_err(ControlProblem::Invalid)?;
        state
            .check_unique(&user)
            .map_err(ControlProblem::Conflict)?;
        state.users.insert(id, user.clone());
        if spec.id.is_none() {
            self.next_user_id = id + 1;
        }
        let token = self.new_token(app, Some(id));
        Ok(CreatedRosterUser { user, token })
    }

    /// Changes a user's profile (absent fields stay, `null` clears).
    pub fn update_user(
        &mut self,
        app: &str,
        id: i64,
        spec: RosterUserSpec,
    ) -> Result<RosterUser, ControlProblem> {
        let state = self
            .apps
            .get_mut(app)
            .ok_or_else(|| ControlProblem::NotFound(format!("no app {app:?}")))?;
        let mut user = state
            .users
            .get(&id)
            .cloned()
            .ok_or_else(|| ControlProblem::NotFound(format!("no user {id} in app {app:?}")))?;
        if spec.id.is_some_and(|new| new != id) {
            return Err(ControlProblem::Invalid("a user's id cannot change".into()));
        }
        match &spec.username {
            Some(Some(name)) => user.username = name.clone(),
            Some(None) => return Err(ControlProblem::Invalid("username cannot be null".into())),
            None => {}
        }
        spec.apply_to(&mut user).map_err(ControlProblem::Invalid)?;
        state
            .check_unique(&user)
            .map_err(ControlProblem::Conflict)?;
        state.users.insert(id, user.clone());
        Ok(user)
    }

    /// Another token for a user.
    pub fn create_user_token(&mut self, app: &str, id: i64) -> Result<String, String> {
        let exists = self
            .apps
            .get(app)
            .ok_or_else(|| format!("no app {app:?}"))?
            .users
            .contains_key(&id);
        if !exists {
            return Err(format!("no user {id} in app {app:?}"));
        }
        Ok(self.new_token(app, Some(id)))
    }

    /// The app a request addresses and who calls it (see the `roster` docs for the order of
    /// the checks).
    pub fn authenticate(
        &mut self,
        credentials: &Credentials,
    ) -> Result<(&mut App, Caller), Business> {
        let app_id = credentials.app_id.as_deref().unwrap_or_default();
        if app_id.is_empty() {
            return fail(UNKNOWN_APP, "header app_id is missing");
        }
        if !self.apps.contains_key(app_id) {
            return fail(UNKNOWN_APP, format!("no app {app_id:?}"));
        }
        let token = credentials.token.as_deref().unwrap_or_default();
        if token.is_empty() {
            return fail(MISSING_TOKEN, "");
        }
        let owner = match self.tokens.get(token) {
            Some(owner) if owner.app == app_id => owner.clone(),
            Some(_) => return fail(INVALID_TOKEN, "the token belongs to another app"),
            None => return fail(INVALID_TOKEN, ""),
        };
        let header_id = |name: &str, value: &Option<String>| -> Result<Option<i64>, Business> {
            match value {
                None => Ok(None),
                Some(raw) => raw.trim().parse::<i64>().map(Some).map_err(|_| {
                    Business::new(
                        BAD_PARAMETER,
                        format!("header {name} is not an int64: {raw:?}"),
                    )
                }),
            }
        };
        let acting_header = header_id("user_id", &credentials.user_id)?;
        let group = header_id("group_id", &credentials.group_id)?;
        let Some(app) = self.apps.get_mut(app_id) else {
            return fail(UNKNOWN_APP, format!("no app {app_id:?}"));
        };
        let caller = match owner.user {
            Some(me) => {
                if group.is_some() {
                    return fail(NO_PERMISSION, "only an admin token may set group_id");
                }
                if acting_header.is_some_and(|id| id != me) {
                    return fail(NO_PERMISSION, "a user token may only act as its own user");
                }
                Caller {
                    admin: false,
                    acting: Some(me),
                }
            }
            None => {
                if let Some(id) = acting_header {
                    app.existing(id)?;
                }
                Caller {
                    admin: true,
                    acting: acting_header,
                }
            }
        };
        Ok((app, caller))
    }
}

impl App {
    fn next_seq(&mut self) -> i64 {
        self.seq += 1;
        self.seq
    }

    /// Bumps the roster version of each user.
    fn touch(&mut self, users: &[i64]) {
        let version = self.next_seq();
        for user in users {
            self.versions.insert(*user, version);
        }
    }
    fn remove_application(&mut self, from: i64, to: i64) {
        if let Some(seq) = self.pairs.remove(&(from, to)) {
            self.applications.remove(&seq);
            if let Some(inbox) = self.inbox.get_mut(&to) {
                inbox.remove(&seq);
            }
        }
    }

    /// Makes `a` and `b` friends; `alias` is what `a` calls `b`. Open applications between
    /// them are accepted.
    fn link(&mut self, a: i64, b: i64, alias: Option<String>, now: DateTime<Utc>, now_ms: i64) {
        let side = |alias| FriendSide {
            since: now,
            alias,
            ext: None,
            mute_notification: false,
        };
        self.friends
            .entry(a)
            .or_default()
            .insert(b, side(blank_to_none(alias)));
        self.friends.entry(b).or_default().insert(a, side(None));
        for (x, y) in [(a, b), (b, a)] {
            if let Some(e) = self.ended.get_mut(&x) {
                e.remove(&y);
            }
            if let Some(seq) = self.open_application(x, y, now_ms)
                && let Some(application) = self.applications.get_mut(&seq)
            {
                application.status = 1;
            }
        }
        self.touch(&[a, b]);
    }

    /// Ends the friendship of `a` and `b` on both sides (`a` ended it); false if there was
    /// none.
    fn unlink(&mut self, a: i64, b: i64) -> bool {
        let was = self
            .friends
            .get_mut(&a)
            .and_then(|f| f.remove(&b))
            .is_some();
        let other = self
            .friends
            .get_mut(&b)
            .and_then(|f| f.remove(&a))
            .is_some();
        if was || other {
            self.ended.entry(a).or_default().insert(b);
            self.touch(&[a, b]);
        }
        was || other
    }

    /// The checks every operation on another user starts with.
    fn other(&self, me: i64, target: i64, what: &str) -> Result<(), Business> {
        self.existing(target)?;
        if me == target {
            return fail(BAD_PARAMETER, format!("cannot {what} yourself"));
        }
        Ok(())
    }

    /// `me` applies to become friends with `target`.
    pub fn apply(
        &mut self,
        me: i64,
        target: i64,
        args: ApplyArgs,
        now: DateTime<Utc>,
        ttl_ms: i64,
    ) -> Result<(), Business> {
        let now_ms = now.timestamp_millis();
        self.other(me, target, "apply to")?;
        if self.blocked_either_way(me, target) {
            return fail(BLOCKED, "one of you blocks the other");
        }
        if self.are_friends(me, target) {
            return fail(ALREADY_FRIENDS, "");
        }
        if self.open_application(target, me, now_ms).is_some() {
            self.link(me, target, args.alias, now, now_ms);
            return Ok(());
        }
        let invitee = self.existing(target)?.clone();
        match invitee.auth_mode {
            0 => {
                self.link(me, target, args.alias, now, now_ms);
                Ok(())
            }
            1 => {
                self.remove_application(me, target);
                let seq = self.next_seq();
                self.applications.insert(
                    seq,
                    Application {
                        seq,
                        from: me,
                        to: target,
                        reason: args.reason,
                        alias: blank_to_none(args.alias),
                        status: 0,
                        expired_time: now_ms.saturating_add(ttl_ms),
                        decline_reason: None,
                    },
                );
                self.pairs.insert((me, target), seq);
                self.inbox.entry(target).or_default().insert(seq);
                self.touch(&[me, target]);
                Ok(())
            }
            2 => {
                let normalise = |s: &str| s.trim().to_lowercase();
                let Some(answer) = args.auth_answer.as_deref() else {
                    return fail(BAD_PARAMETER, "auth_answer is required by this user");
                };
                let expected = invitee.auth_answer.as_deref().unwrap_or_default();
                if normalise(answer) != normalise(expected) {
                    return fail(BAD_PARAMETER, "wrong auth_answer");
                }
                self.link(me, target, args.alias, now, now_ms);
                Ok(())
            }
            _ => fail(REJECTS_ALL, ""),
        }
    }

    /// `me` accepts the open application `from` sent them.
    pub fn accept(&mut self, me: i64, from: i64, now: DateTime<Utc>) -> Result<(), Business> {
        let now_ms = now.timestamp_millis();
        self.other(me, from, "accept")?;
        let Some(seq) = self.open_application(from, me, now_ms) else {
            return fail(NO_APPLICATION, format!("no open application from {from}"));
        };
        if self.blocked_either_way(me, from) {
            return fail(BLOCKED, "one of you blocks the other");
        }
        let alias = self.applications.get(&seq).and_then(|a| a.alias.clone());
        self.link(from, me, alias, now, now_ms);
        Ok(())
    }

    /// `me` declines the open application `from` sent them.
    pub fn decline(
        &mut self,
        me: i64,
        from: i64,
        reason: Option<String>,
        now_ms: i64,
    ) -> Result<(), Business> {
        self.other(me, from, "decline")?;
        let Some(seq) = self.open_application(from, me, now_ms) else {
            return fail(NO_APPLICATION, format!("no open application from {from}"));
        };
        if let Some(application) = self.applications.get_mut(&seq) {
            application.status = 2;
            application.decline_reason = reason;
        }
        self.touch(&[me, from]);
        Ok(())
    }

    /// `me` ends the friendship with `friend`, on both sides.
    pub fn delete(&mut self, me: i64, friend: i64) -> Result<(), Business> {
        self.other(me, friend, "delete")?;
        if !self.unlink(me, friend) {
            return fail(NOT_A_FRIEND, "");
        }
        Ok(())
    }

    /// `me` blocks `target` (ending a friendship between them).
    pub fn block(&mut self, me: i64, target: i64) -> Result<(), Business> {
        self.other(me, target, "block")?;
        self.unlink(me, target);
        if self.blocks.entry(me).or_default().insert(target) {
            self.touch(&[me]);
        }
        Ok(())
    }

    /// `me` unblocks `target`.
    pub fn unblock(&mut self, me: i64, target: i64) -> Result<(), Business> {
        self.other(me, target, "unblock")?;
        if self.blocks.get_mut(&me).is_some_and(|b| b.remove(&target)) {
            self.touch(&[me]);
        }
        Ok(())
    }

    /// `me` changes their side of the friendship with `friend`.
    pub fn update_ext(
        &mut self,
        me: i64,
        friend: i64,
        alias: Option<String>,
        ext: Option<String>,
        mute_notification: Option<bool>,
    ) -> Result<(), Business> {
        self.other(me, friend, "update the friend data of")?;
        let Some(side) = self.friends.get_mut(&me).and_then(|f| f.get_mut(&friend)) else {
            return fail(NOT_A_FRIEND, "");
        };
        if let Some(alias) = alias {
            side.alias = blank_to_none(Some(alias));
        }
        if let Some(ext) = ext {
            side.ext = blank_to_none(Some(ext));
        }
        if let Some(mute) = mute_notification {
            side.mute_notification = mute;
        }
        self.touch(&[me]);
        Ok(())
    }

    /// Control plane: makes two users friends directly.
    pub fn seed_friendship(&mut self, a: i64, b: i64, now: DateTime<Utc>) -> Result<(), String> {
        if a == b || self.user(a).is_none() || self.user(b).is_none() {
            return Err("two different existing users are needed".into());
        }
        if self.blocked_either_way(a, b) {
            return Err("one of them blocks the other".into());
        }
        if !self.are_friends(a, b) {
            self.link(a, b, None, now, now.timestamp_millis());
        }
        Ok(())
    }

    /// Control plane: `blocker` blocks `blocked` (as `block` does).
    pub fn seed_block(&mut self, blocker: i64, blocked: i64) -> Result<(), String> {
        self.block(blocker, blocked).map_err(|e| e.message)
    }
}

impl RosterUserSpec {
    /// Applies every field but `id` and `username`.
    fn apply_to(&self, user: &mut RosterUser) -> Result<(), String> {
        if let Some(mode) = self.auth_mode {
            if !(0..=3).contains(&mode) {
                return Err("authMode is 0, 1, 2 or 3".into());
            }
            user.auth_mode = mode;
        }
        if matches!(&self.username, Some(Some(name)) if name.trim().is_empty()) {
            return Err("username cannot be empty".into());
        }
        if matches!(&self.mobile, Some(Some(mobile)) if mobile.is_empty()) {
            return Err("mobile cannot be empty (null clears it)".into());
        }
        for (field, value) in [
            (&mut user.nickname, &self.nickname),
            (&mut user.mobile, &self.mobile),
            (&mut user.avatar, &self.avatar),
            (&mut user.description, &self.description),
            (&mut user.public_info, &self.public_info),
            (&mut user.auth_question, &self.auth_question),
            (&mut user.auth_answer, &self.auth_answer),
        ] {
            if let Some(value) = value {
                *field = value.clone();
            }
        }
        Ok(())
    }
}
