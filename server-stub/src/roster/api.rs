//! The roster API on the generated `RosterApi` trait.
//!
//! Every answer is HTTP 200 with the whole envelope. A success is `Ok` with the envelope's
//! `data` (on the two paged lists, the generated `<Op>Output` with `cursor` and `version`),
//! which the generated router wraps as `{"code":200,"data":…,"message":null}`; a business
//! error is `Err` with its whole envelope ([`views::error_envelope`]) as a [`StubError`]
//! (which carries any status and body). Both methods of a dual-method endpoint call the same
//! function.

use super::rules::ApplyArgs;
use super::state::codes::{BAD_PARAMETER, NO_PERMISSION, USER_NOT_FOUND};
use super::state::{App, Business, Caller, Credentials, RosterUser};
use super::views;
use crate::cursor::{self, CursorState};
use crate::generated::roster::*;
use crate::http::{RequestContext, StubError};
use crate::spec::Invalid;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use social_sdk::roster::types;
use std::convert::Infallible;

/// Most ids or items one call takes (`x-limit` of `apply/batch` and `POST /roster/list`),
/// and the largest `limit`.
const MAX_ITEMS: usize = 100;

/// The roster service.
#[derive(Debug, Clone, Copy, Default)]
pub struct RosterService;

/// The HTTP answer to a business error (200; see the `roster` docs).
fn refuse(ctx: &RequestContext, error: Business) -> StubError {
    StubError::new(StatusCode::OK, views::error_envelope(ctx.operation, error))
}

fn credentials(ctx: &RequestContext) -> Credentials {
    // A header given twice reads as its values joined (RFC 9110 §5.3): `1, 2` is no int64,
    // no app and no token, so a duplicate is malformed rather than silently the first value.
    let header = |name: &str| {
        let values: Vec<String> = ctx
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    };
    Credentials {
        app_id: header("app_id"),
        token: header("access-token"),
        user_id: header("user_id"),
        group_id: header("group_id"),
    }
}

/// What an operation answers: its `data` (the router writes the envelope), or a business
/// error's envelope.
type Answer<T> = Result<T, StubError>;

/// World time, and the application TTL in ms.
struct Clock {
    now: DateTime<Utc>,
    ttl_ms: i64,
}

/// Checks the credentials and runs `op` on the caller's app, all under one lock.
fn run<T>(
    ctx: &RequestContext,
    op: impl FnOnce(&mut App, Caller, &Clock) -> Result<T, Business>,
) -> Result<T, StubError> {
    let now = ctx.world.now();
    let outcome = {
        let mut state = ctx.world.roster();
        let clock = Clock {
            now,
            ttl_ms: state.application_ttl_ms(),
        };
        state
            .authenticate(&credentials(ctx))
            .and_then(|(app, caller)| op(app, caller, &clock))
    };
    outcome.map_err(|error| refuse(ctx, error))
}

fn bad(detail: impl AsRef<str>) -> Business {
    Business::new(BAD_PARAMETER, detail)
}

fn check_limit(limit: i32) -> Result<usize, Business> {
    usize::try_from(limit)
        .ok()
        .filter(|l| (1..=MAX_ITEMS).contains(l))
        .ok_or_else(|| bad(format!("limit must be 1-{MAX_ITEMS}, not {limit}")))
}

fn decode_cursor(
    ctx: &RequestContext,
    list: &str,
    cursor: Option<&str>,
) -> Result<Option<CursorState>, Business> {
    match cursor.filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(c) => cursor::decode(cursor::Style::Signed, &ctx.world.secret, list, c)
            .map(Some)
            .ok_or_else(|| bad("cursor is not one this list handed out")),
    }
}

fn accept(ctx: &RequestContext, from: i64) -> Answer<bool> {
    run(ctx, |app, caller, clock| {
        let me = caller.user()?;
        app.accept(me, from, clock.now)?;
        Ok(true)
    })
}

fn apply(ctx: &RequestContext, body: types::RosterApplyRequest) -> Answer<bool> {
    run(ctx, |app, caller, clock| {
        let me = caller.user()?;
        let args = ApplyArgs {
            reason: body.reason,
            alias: body.alias,
            auth_answer: body.auth_answer,
        };
        app.apply(me, body.user_id, args, clock.now, clock.ttl_ms)?;
        Ok(true)
    })
}

fn apply_batch(
    ctx: &RequestContext,
    items: Vec<types::RosterApplicationRequest>,
) -> Answer<types::RosterApplyBatchResult> {
    run(ctx, |app, caller, clock| {
        let me = caller.user()?;
        if items.len() > MAX_ITEMS {
            return Err(bad(format!(
                "at most {MAX_ITEMS} applications, not {}",
                items.len()
            )));
        }
        let mut result = types::RosterApplyBatchResult {
            fails: Some(Vec::new()),
            success: Some(Vec::new()),
        };
        for item in items {
            let args = ApplyArgs {
                reason: item.reason,
                alias: item.alias,
                auth_answer: None,
            };
            match app.apply(me, item.user_id, args, clock.now, clock.ttl_ms) {
                Ok(()) => result.success.get_or_insert_default().push(item.user_id),
                Err(error) => {
                    result
                        .fails
                        .get_or_insert_default()
                        .push(types::RosterApplyFailure {
                            reason: Some(error.message),
                            user_id: Some(item.user_id),
                        })
                }
            }
        }
        Ok(result)
    })
}

fn list_applications(
    ctx: &RequestContext,
    cursor: Option<&str>,
    limit: i32,
) -> Answer<ListRosterApplicationsOutput> {
    run(ctx, |app, caller, clock| {
        let me = caller.user()?;
        let limit = check_limit(limit)?;
        let list = format!("roster-applications:{}:{me}", app.id);
        let cursor = decode_cursor(ctx, &list, cursor)?;
        let now_ms = clock.now.timestamp_millis();
        let empty = Default::default();
        let inbox = app.inbox(me).unwrap_or(&empty);
        let open = |seq: &i64| {
            app.application(*seq)
                .is_some_and(|a| a.expired_time > now_ms)
        };
        // Newest first: "after" a key means a smaller seq.
        let forward = |after: Option<i64>, n: usize| -> Vec<i64> {
            let end = after.unwrap_or(i64::MAX);
            inbox
                .range(..end)
                .rev()
                .filter(|s| open(s))
                .take(n)
                .copied()
                .collect()
        };
        let backward = |before: i64, n: usize| -> Vec<i64> {
            inbox
                .range(before.saturating_add(1)..)
                .filter(|s| open(s))
                .take(n)
                .copied()
                .collect()
        };
        let page = cursor::page(
            cursor::Style::Signed,
            &ctx.world.secret,
            &list,
            cursor.as_ref(),
            limit,
            |seq| *seq,
            forward,
            backward,
        );
        let data: Vec<types::RosterApplication> = page
            .items
            .iter()
            .filter_map(|seq| app.application(*seq))
            .map(views::application)
            .collect();
        Ok(ListRosterApplicationsOutput {
            data,
            cursor: page.next,
            version: Some(app.version(me)),
        })
    })
}

fn block(ctx: &RequestContext, target: i64) -> Answer<bool> {
    run(ctx, |app, caller, _| {
        app.block(caller.user()?, target)?;
        Ok(true)
    })
}

fn blocked_list(ctx: &RequestContext) -> Answer<Vec<i64>> {
    run(ctx, |app, caller, _| Ok(app.blocked_by(caller.user()?)))
}

fn decline(ctx: &RequestContext, body: types::RosterDeclineRequest) -> Answer<bool> {
    run(ctx, |app, caller, clock| {
        let me = caller.user()?;
        app.decline(me, body.user_id, body.reason, clock.now.timestamp_millis())?;
        Ok(true)
    })
}

fn delete(ctx: &RequestContext, friend: i64) -> Answer<bool> {
    run(ctx, |app, caller, _| {
        app.delete(caller.user()?, friend)?;
        Ok(true)
    })
}

fn update_ext(ctx: &RequestContext, body: types::RosterExtUpdateRequest) -> Answer<bool> {
    run(ctx, |app, caller, _| {
        let me = caller.user()?;
        app.update_ext(
            me,
            body.user_id,
            body.alias,
            body.ext,
            body.mute_notification,
        )?;
        Ok(true)
    })
}

fn lookup(
    ctx: &RequestContext,
    find: impl FnOnce(&App) -> Result<&RosterUser, Business>,
) -> Answer<types::RosterUserInfo> {
    run(ctx, |app, caller, _| {
        let user = find(app)?;
        Ok(views::user_info(app, caller.acting, user))
    })
}

fn by_id(ctx: &RequestContext, id: i64) -> Answer<types::RosterUserInfo> {
    lookup(ctx, |app| app.existing(id))
}

fn by_name(ctx: &RequestContext, username: &str) -> Answer<types::RosterUserInfo> {
    lookup(ctx, |app| {
        if username.trim().is_empty() {
            return Err(bad("username is empty"));
        }
        app.by_username(username)
            .ok_or_else(|| Business::new(USER_NOT_FOUND, format!("no user named {username:?}")))
    })
}

fn by_mobile(ctx: &RequestContext, mobile: &str) -> Answer<types::RosterUserInfo> {
    lookup(ctx, |app| {
        if mobile.trim().is_empty() {
            return Err(bad("mobile is empty"));
        }
        app.by_mobile(mobile)
            .ok_or_else(|| Business::new(USER_NOT_FOUND, format!("no user with mobile {mobile:?}")))
    })
}

fn friend_ids(
    ctx: &RequestContext,
    cursor: Option<&str>,
    limit: i32,
) -> Answer<ListRosterFriendIdsOutput> {
    run(ctx, |app, caller, _| {
        let me = caller.user()?;
        let limit = check_limit(limit)?;
        let list = format!("roster-friends:{}:{me}", app.id);
        let cursor = decode_cursor(ctx, &list, cursor)?;
        let empty = Default::default();
        let friends = app.friends_of(me).unwrap_or(&empty);
        let forward = |after: Option<i64>, n: usize| -> Vec<i64> {
            let start = after.map_or(i64::MIN, |a| a.saturating_add(1));
            friends.range(start..).take(n).map(|(id, _)| *id).collect()
        };
        let backward = |before: i64, n: usize| -> Vec<i64> {
            friends
                .range(..before)
                .rev()
                .take(n)
                .map(|(id, _)| *id)
                .collect()
        };
        let page = cursor::page(
            cursor::Style::Signed,
            &ctx.world.secret,
            &list,
            cursor.as_ref(),
            limit,
            |id| *id,
            forward,
            backward,
        );
        Ok(ListRosterFriendIdsOutput {
            data: page.items,
            cursor: page.next,
            version: Some(app.version(me)),
        })
    })
}

fn friend_details(ctx: &RequestContext, ids: Vec<i64>) -> Answer<Vec<types::RosterUserInfo>> {
    run(ctx, |app, caller, _| {
        if ids.len() > MAX_ITEMS {
            return Err(bad(format!("at most {MAX_ITEMS} ids, not {}", ids.len())));
        }
        let mut seen = std::collections::HashSet::new();
        let users: Vec<types::RosterUserInfo> = ids
            .into_iter()
            .filter(|id| seen.insert(*id))
            .filter_map(|id| app.user(id))
            .map(|user| views::user_info(app, caller.acting, user))
            .collect();
        Ok(users)
    })
}

fn may_message(ctx: &RequestContext, user: i64, roster: i64) -> Answer<bool> {
    run(ctx, |app, caller, _| {
        if !caller.admin && caller.acting != Some(user) && caller.acting != Some(roster) {
            return Err(Business::new(
                NO_PERMISSION,
                "a user token may only ask about its own conversations",
            ));
        }
        app.existing(user)?;
        app.existing(roster)?;
        if user == roster {
            return Err(bad("user_id and roster_id are the same user"));
        }
        Ok(app.may_message(user, roster))
    })
}

fn unblock(ctx: &RequestContext, target: i64) -> Answer<bool> {
    run(ctx, |app, caller, _| {
        app.unblock(caller.user()?, target)?;
        Ok(true)
    })
}

impl RosterApi for RosterService {
    fn invalid_input(&self, ctx: &RequestContext, problem: &Invalid) -> StubError {
        // The credentials are checked first: a refusal of theirs wins over the input's.
        let Err(error) = run(ctx, |_, _, _| {
            Err::<Infallible, _>(bad(problem.to_string()))
        });
        error
    }

    async fn accept_roster_application(
        &self,
        ctx: RequestContext,
        input: AcceptRosterApplicationInput,
    ) -> Result<bool, StubError> {
        accept(&ctx, input.user_id)
    }

    async fn accept_roster_application_via_post(
        &self,
        ctx: RequestContext,
        input: AcceptRosterApplicationViaPostInput,
    ) -> Result<bool, StubError> {
        accept(&ctx, input.user_id)
    }

    async fn apply_roster_friend(
        &self,
        ctx: RequestContext,
        input: ApplyRosterFriendInput,
    ) -> Result<bool, StubError> {
        apply(&ctx, input.body)
    }

    async fn apply_roster_friends_batch(
        &self,
        ctx: RequestContext,
        input: ApplyRosterFriendsBatchInput,
    ) -> Result<types::RosterApplyBatchResult, StubError> {
        apply_batch(&ctx, input.body)
    }

    async fn list_roster_applications(
        &self,
        ctx: RequestContext,
        input: ListRosterApplicationsInput,
    ) -> Result<ListRosterApplicationsOutput, StubError> {
        list_applications(&ctx, input.cursor.as_deref(), input.limit)
    }

    async fn block_roster_user(
        &self,
        ctx: RequestContext,
        input: BlockRosterUserInput,
    ) -> Result<bool, StubError> {
        block(&ctx, input.user_id)
    }

    async fn block_roster_user_via_post(
        &self,
        ctx: RequestContext,
        input: BlockRosterUserViaPostInput,
    ) -> Result<bool, StubError> {
        block(&ctx, input.user_id)
    }

    async fn list_roster_blocked(
        &self,
        ctx: RequestContext,
        _input: ListRosterBlockedInput,
    ) -> Result<Vec<i64>, StubError> {
        blocked_list(&ctx)
    }

    async fn decline_roster_application(
        &self,
        ctx: RequestContext,
        input: DeclineRosterApplicationInput,
    ) -> Result<bool, StubError> {
        decline(&ctx, input.body)
    }

    async fn decline_roster_application_via_post(
        &self,
        ctx: RequestContext,
        input: DeclineRosterApplicationViaPostInput,
    ) -> Result<bool, StubError> {
        decline(&ctx, input.body)
    }

    async fn delete_roster_friend_via_post(
        &self,
        ctx: RequestContext,
        input: DeleteRosterFriendViaPostInput,
    ) -> Result<bool, StubError> {
        delete(&ctx, input.user_id)
    }

    async fn delete_roster_friend(
        &self,
        ctx: RequestContext,
        input: DeleteRosterFriendInput,
    ) -> Result<bool, StubError> {
        delete(&ctx, input.user_id)
    }

    async fn update_roster_friend_ext(
        &self,
        ctx: RequestContext,
        input: UpdateRosterFriendExtInput,
    ) -> Result<bool, StubError> {
        update_ext(&ctx, input.body)
    }

    async fn update_roster_friend_ext_via_post(
        &self,
        ctx: RequestContext,
        input: UpdateRosterFriendExtViaPostInput,
    ) -> Result<bool, StubError> {
        update_ext(&ctx, input.body)
    }

    async fn get_roster_user_by_id(
        &self,
        ctx: RequestContext,
        input: GetRosterUserByIdInput,
    ) -> Result<types::RosterUserInfo, StubError> {
        by_id(&ctx, input.user_id)
    }

    async fn list_roster_friend_ids(
        &self,
        ctx: RequestContext,
        input: ListRosterFriendIdsInput,
    ) -> Result<ListRosterFriendIdsOutput, StubError> {
        friend_ids(&ctx, input.cursor.as_deref(), input.limit)
    }

    async fn list_roster_friend_details(
        &self,
        ctx: RequestContext,
        input: ListRosterFriendDetailsInput,
    ) -> Result<Vec<types::RosterUserInfo>, StubError> {
        friend_details(&ctx, input.body.list)
    }

    async fn roster_may_message(
        &self,
        ctx: RequestContext,
        input: RosterMayMessageInput,
    ) -> Result<bool, StubError> {
        may_message(&ctx, input.user_id, input.roster_id)
    }

    async fn get_roster_user_by_mobile(
        &self,
        ctx: RequestContext,
        input: GetRosterUserByMobileInput,
    ) -> Result<types::RosterUserInfo, StubError> {
        by_mobile(&ctx, &input.mobile)
    }

    async fn get_roster_user_by_name(
        &self,
        ctx: RequestContext,
        input: GetRosterUserByNameInput,
    ) -> Result<types::RosterUserInfo, StubError> {
        by_name(&ctx, &input.username)
    }

    async fn unblock_roster_user_via_post(
        &self,
        ctx: RequestContext,
        input: UnblockRosterUserViaPostInput,
    ) -> Result<bool, StubError> {
        unblock(&ctx, input.user_id)
    }

    async fn unblock_roster_user(
        &self,
        ctx: RequestContext,
        input: UnblockRosterUserInput,
    ) -> Result<bool, StubError> {
        unblock(&ctx, input.user_id)
    }
}
