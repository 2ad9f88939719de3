//! Contacts v1 on the generated `ContactsApi` trait: private user tags.

use super::auth::Guard;
use crate::generated::contacts::*;
use crate::http::{RequestContext, StubError};
use crate::spec::Invalid;
use axum::http::StatusCode;
use social_sdk::contacts::types;

const SPEC: &str = "contacts";

/// The Contacts v1 service.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContactsService;

fn guard(ctx: &RequestContext) -> Guard<'_> {
    Guard {
        spec: SPEC,
        ctx,
        flood_code: 10,
    }
}

/// What a tag would be answered with: `None` when acceptable.
fn verdict(ctx: &RequestContext, tag: &str) -> Option<&'static str> {
    let config = &ctx.stub.config;
    if tag.chars().count() > config.tag_max_len {
        return Some("TooLong");
    }
    let lower = tag.to_lowercase();
    config
        .moderated_words
        .iter()
        .any(|w| !w.is_empty() && lower.contains(&w.to_lowercase()))
        .then_some("Moderated")
}

impl ContactsApi for ContactsService {
    fn invalid_input(&self, ctx: &RequestContext, problem: &Invalid) -> StubError {
        let mut state = ctx.world.roblox();
        guard(ctx).invalid(&mut state, problem, 4)
    }

    async fn validate_user_tag(
        &self,
        ctx: RequestContext,
        input: ValidateUserTagInput,
    ) -> Result<types::ValidateUserTagResponse, StubError> {
        let mut state = ctx.world.roblox();
        guard(&ctx).caller(&mut state)?;
        let status = match verdict(&ctx, input.alias.as_deref().unwrap_or("")) {
            Some("TooLong") => types::KnownValidateUserTagStatus::TooLong,
            Some(_) => types::KnownValidateUserTagStatus::Moderated,
            None => types::KnownValidateUserTagStatus::Success,
        };
        Ok(types::ValidateUserTagResponse {
            status: Some(status.into()),
        })
    }

    async fn get_user_tags(
        &self,
        ctx: RequestContext,
        input: GetUserTagsInput,
    ) -> Result<Vec<types::UserTagResponse>, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        let ids = input.body.target_user_ids;
        if ids.len() > 200 {
            return Err(guard(&ctx).error(StatusCode::BAD_REQUEST, 8));
        }
        Ok(ids
            .into_iter()
            .filter_map(|id| {
                state.tags.get(&(me, id)).map(|tag| types::UserTagResponse {
                    target_user_id: Some(id),
                    target_user_tag: Some(tag.clone()),
                })
            })
            .collect())
    }

    async fn set_user_tag(
        &self,
        ctx: RequestContext,
        input: SetUserTagInput,
    ) -> Result<types::SetUserTagResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        let (Some(target), Some(tag)) = (input.body.target_user_id, input.body.user_tag) else {
            return Err(guard(&ctx).error(StatusCode::BAD_REQUEST, 4));
        };
        if state.user(target).is_none() {
            return Err(guard(&ctx).error(StatusCode::BAD_REQUEST, 2));
        }
        if target == me {
            return Err(guard(&ctx).error(StatusCode::FORBIDDEN, 5));
        }
        let status = match verdict(&ctx, &tag) {
            Some("TooLong") => return Err(guard(&ctx).error(StatusCode::BAD_REQUEST, 6)),
            Some(_) => types::KnownSetUserTagStatus::Moderated,
            None => {
                if tag.is_empty() {
                    state.tags.remove(&(me, target));
                } else {
                    state.tags.insert((me, target), tag);
                }
                types::KnownSetUserTagStatus::Success
            }
        };
        Ok(types::SetUserTagResponse {
            status: Some(status.into()),
        })
    }
}
