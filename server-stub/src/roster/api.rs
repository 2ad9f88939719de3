//! The roster API on the generated `RosterApi` trait.
//!
//! Every answer is HTTP 200 with the whole envelope. The generated response types leave
//! absent fields out, but the real envelope carries `"message": null` on success (and
//! `"data": null` on an error), so each answer is built as JSON, its `data` from the SDK's
//! types, and handed to the HTTP layer as a [`StubError`] (which carries any status and
//! body): the trait methods always return `Err`. Both methods of a dual-method endpoint call
//! the same function.

use super::rules::ApplyArgs;
use super::state::codes::{BAD_PARAMETER, NO_PERMISSION, USER_NOT_FOUND};
use super::state::{App, Business, Caller, Credentials, RosterUser};
use super::views::{self, Outcome, Success};
use crate::cursor::{self, CursorState};
use crate::generated::roster::*;
use crate::http::{RequestContext, StubError};
use crate::spec::Invalid;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use social_sdk::roster::types;

/// Most ids or items one call takes (`x-limit` of `apply/batch` and `POST /roster/list`),
/// and the largest `limit`.
const MAX_ITEMS: usize = 100;

/// The roster service.
#[derive(Debug, Clone, Copy, Default)]
pub struct RosterService;

/// The HTTP answer to an outcome (always 200; see the `roster` docs).
fn respond(ctx: &RequestContext, outcome: Outcome) -> StubError {
    StubError::new(StatusCode::OK, views::envelope(ctx.operation, outcome))
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

/// World time, and the application TTL in ms.
struct Clock {
    now: DateTime<Utc>,
    ttl_ms: i64,
}

/// Checks the credentials and runs `op` on the caller's app, all under one lock.
fn run(ctx: &RequestContext, op: impl FnOnce(&mut App, Caller, &Clock) -> Outcome) -> StubError {
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
    respond(ctx, outcome)
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
        Some(c) => cursor::decode(&ctx.world.secret, list, c)
            .map(Some)
            .ok_or_else(|| bad("cursor is not one this list handed out")),
    }
}

fn accept(ctx: &RequestContext, from: i64) -> StubError {
    run(ctx, |app, caller, clock| {
        let me = caller.user()?;
        app.accept(me, from, clock.now)?;
        Ok(Success::data(true))
    })
}

fn apply(ctx: &RequestContext, body: types::RosterApplyRequest) -> StubError {
    run(ctx, |app, caller, clock| {
        let me = caller.user()?;
        let args = ApplyArgs {
            reason: body.reason,
            alias: body.alias,
            auth_answer: body.auth_answer,
        };
        app.apply(me, body.user_id, args, clock.now, clock.ttl_ms)?;
        Ok(Success::data(true))
    })
}

fn apply_batch(ctx: &RequestContext, items: Vec<types::RosterApplicationRequest>) -> StubError {
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
        Ok(Success::data(result))
    })
}

fn list_applications(ctx: &RequestContext, cursor: Option<&str>, limit: i32) -> StubError {
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
        Ok(Success {
            cursor: page.next,
            version: Some(app.version(me)),
            ..Success::data(data)
        })
    })
}

fn block(ctx: &RequestContext, target: i64) -> StubError {
    run(ctx, |app, caller, _| {
        app.block(caller.user()?, target)?;
        Ok(Success::data(true))
    })
}

fn blocked_list(ctx: &RequestContext) -> StubError {
    run(ctx, |app, caller, _| {
        Ok(Success::data(app.blocked_by(caller.user()?)))
    })
}

fn decline(ctx: &RequestContext, body: types::RosterDeclineRequest) -> StubError {
    run(ctx, |app, caller, clock| {
        let me = caller.user()?;
        app.decline(me, body.user_id, body.reason, clock.now.timestamp_millis())?;
        Ok(Success::data(true))
    })
}

fn delete(ctx: &RequestContext, friend: i64) -> StubError {
    run(ctx, |app, caller, _| {
        app.delete(caller.user()?, friend)?;
        Ok(Success::data(true))
    })
}

fn update_ext(ctx: &RequestContext, body: types::RosterExtUpdateRequest) -> StubError {
    run(ctx, |app, caller, _| {
        let me = caller.user()?;
        app.update_ext(
            me,
            body.user_id,
            body.alias,
            body.ext,
            body.mute_notification,
        )?;
        Ok(Success::data(true))
    })
}

fn lookup(
    ctx: &RequestContext,
    find: impl FnOnce(&App) -> Result<&RosterUser, Business>,
) -> StubError {
    run(ctx, |app, caller, _| {
        let user = find(app)?;
        Ok(Success::data(views::user_info(app, caller.acting, user)))
    })
}

fn by_id(ctx: &RequestContext, id: i64) -> StubError {
    lookup(ctx, |app| app.existing(id))
}

fn by_name(ctx: &RequestContext, username: &str) -> StubError {
    lookup(ctx, |app| {
        if username.trim().is_empty() {
            return Err(bad("username is empty"));
        }
        app.by_username(username)
            .ok_or_else(|| Business::new(USER_NOT_FOUND, format!("no user named {username:?}")))
    })
}

fn by_mobile(ctx: &RequestContext, mobile: &str) -> StubError {
    lookup(ctx, |app| {
        if mobile.trim().is_empty() {
            return Err(bad("mobile is empty"));
        }
        app.by_mobile(mobile)
            .ok_or_else(|| Business::new(USER_NOT_FOUND, format!("no user with mobile {mobile:?}")))
    })
}

fn friend_ids(ctx: &RequestContext, cursor: Option<&str>, limit: i32) -> StubError {
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
            &ctx.world.secret,
            &list,
            cursor.as_ref(),
            limit,
            |id| *id,
            forward,
            backward,
        );
        Ok(Success {
            cursor: page.next,
            version: Some(app.version(me)),
            ..Success::data(page.items)
        })
    })
}

fn friend_details(ctx: &RequestContext, ids: Vec<i64>) -> StubError {
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
        Ok(Success::data(users))
    })
}

fn may_message(ctx: &RequestContext, user: i64, roster: i64) -> StubError {
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
        Ok(Success::data(app.may_message(user, roster)))
    })
}

fn unblock(ctx: &RequestContext, target: i64) -> StubError {
    run(ctx, |app, caller, _| {
        app.unblock(caller.user()?, target)?;
        Ok(Success::data(true))
    })
}

impl RosterApi for RosterService {
    fn invalid_input(&self, ctx: &RequestContext, problem: &Invalid) -> StubError {
        run(ctx, |_, _, _| Err(bad(problem.to_string())))
    }

    async fn accept_roster_application(
        &self,
        ctx: RequestContext,
        input: AcceptRosterApplicationInput,
    ) -> Result<types::RosterBoolResponse, StubError> {
        Err(accept(&ctx, input.user_id))
    }

    async fn accept_roster_application_via_post(
        &self,
        ctx: RequestContext,
        input: AcceptRosterApplicationViaPostInput,
    ) -> Result<types::RosterBoolResponse, StubError> {
        Err(accept(&ctx, input.user_id))
    }

    async fn apply_roster_friend(
        &self,
        ctx: RequestContext,
        input: ApplyRosterFriendInput,
    ) -> Result<types::RosterBoolResponse, StubError> {
        Err(apply(&ctx, input.body))
    }

    async fn apply_roster_friends_batch(
        &self,
        ctx: RequestContext,
        input: ApplyRosterFriendsBatchInput,
    ) -> Result<types::RosterApplyBatchResponse, StubError> {
        Err(apply_batch(&ctx, input.body))
    }

    async fn list_roster_applications(
        &self,
        ctx: RequestContext,
        input: ListRosterApplicationsInput,
    ) -> Result<types::RosterApplicationListResponse, StubError> {
        Err(list_applications(
            &ctx,
            input.cursor.as_deref(),
            input.limit,
        ))
    }

    async fn block_roster_user(
        &self,
        ctx: RequestContext,
        input: BlockRosterUserInput,
    ) -> Result<types::RosterBoolResponse, StubError> {
        Err(block(&ctx, input.user_id))
    }

    async fn block_roster_user_via_post(
        &self,
        ctx: RequestContext,
        input: BlockRosterUserViaPostInput,
    ) -> Result<types::RosterBoolResponse, StubError> {
        Err(block(&ctx, input.user_id))
    }

    async fn list_roster_blocked(
        &self,
        ctx: RequestContext,
        _input: ListRosterBlockedInput,
    ) -> Result<types::RosterIdListResponse, StubError> {
        Err(blocked_list(&ctx))
    }

    async fn decline_roster_application(
        &self,
        ctx: RequestContext,
        input: DeclineRosterApplicationInput,
    ) -> Result<types::RosterBoolResponse, StubError> {
        Err(decline(&ctx, input.body))
    }

    async fn decline_roster_application_via_post(
        &self,
        ctx: RequestContext,
        input: DeclineRosterApplicationViaPostInput,
    ) -> Result<types::RosterBoolResponse, StubError> {
        Err(decline(&ctx, input.body))
    }

    async fn delete_roster_friend_via_post(
        &self,
        ctx: RequestContext,
        input: DeleteRosterFriendViaPostInput,
    ) -> Result<types::RosterBoolResponse, StubError> {
        Err(delete(&ctx, input.user_id))
    }

    async fn delete_roster_friend(
        &self,
        ctx: RequestContext,
        input: DeleteRosterFriendInput,
    ) -> Result<types::RosterBoolResponse, StubError> {
        Err(delete(&ctx, input.user_id))
    }

    async fn update_roster_friend_ext(
        &self,
        ctx: RequestContext,
        input: UpdateRosterFriendExtInput,
    ) -> Result<types::RosterBoolResponse, StubError> {
        Err(update_ext(&ctx, input.body))
    }

    async fn update_roster_friend_ext_via_post(
        &self,
        ctx: RequestContext,
        input: UpdateRosterFriendExtViaPostInput,
    ) -> Result<types::RosterBoolResponse, StubError> {
        Err(update_ext(&ctx, input.body))
    }

    async fn get_roster_user_by_id(
        &self,
        ctx: RequestContext,
        input: GetRosterUserByIdInput,
    ) -> Result<types::RosterUserInfoResponse, StubError> {
        Err(by_id(&ctx, input.user_id))
    }

    async fn list_roster_friend_ids(
        &self,
        ctx: RequestContext,
        input: ListRosterFriendIdsInput,
    ) -> Result<types::RosterFriendIdPage, StubError> {
        Err(friend_ids(&ctx, input.cursor.as_deref(), input.limit))
    }

    async fn list_roster_friend_details(
        &self,
        ctx: RequestContext,
        input: ListRosterFriendDetailsInput,
    ) -> Result<types::RosterUserInfoListResponse, StubError> {
        Err(friend_details(&ctx, input.body.list))
    }

    async fn roster_may_message(
        &self,
        ctx: RequestContext,
        input: RosterMayMessageInput,
    ) -> Result<types::RosterBoolResponse, StubError> {
        Err(may_message(&ctx, input.user_id, input.roster_id))
    }

    async fn get_roster_user_by_mobile(
        &self,
        ctx: RequestContext,
        input: GetRosterUserByMobileInput,
    ) -> Result<types::RosterUserInfoResponse, StubError> {
        Err(by_mobile(&ctx, &input.mobile))
    }

    async fn get_roster_user_by_name(
        &self,
        ctx: RequestContext,
        input: GetRosterUserByNameInput,
    ) -> Result<types::RosterUserInfoResponse, StubError> {
        Err(by_name(&ctx, &input.username))
    }

    async fn unblock_roster_user_via_post(
        &self,
        ctx: RequestContext,
        input: UnblockRosterUserViaPostInput,
    ) -> Result<types::RosterBoolResponse, StubError> {
        Err(unblock(&ctx, input.user_id))
    }

    async fn unblock_roster_user(
        &self,
        ctx: RequestContext,
        input: UnblockRosterUserInput,
    ) -> Result<types::RosterBoolResponse, StubError> {
        Err(unblock(&ctx, input.user_id))
    }
}
