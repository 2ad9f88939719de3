//! Contacts v1 on the generated `ContactsApi` trait: private user tags. Each operation
//! guarded, then the rules (`roblox::rules`) and views (`roblox::views`), refusals answered
//! by `refusal::into_error`.

use super::auth::Guard;
use super::refusal::into_error;
use crate::generated::contacts::*;
use crate::http::{RequestContext, StubError};
use crate::roblox::rules::{self, Refusal, TagVerdict, Tagged};
use crate::roblox::views;
use crate::spec::Invalid;
use social_sdk::contacts::types;

const SPEC: &str = "contacts";

/// Most tags one `getUserTags` call asks for.
const MAX_TAGS: usize = 200;

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

/// Answers a refusal of this operation.
fn refused(ctx: &RequestContext) -> impl Fn(Refusal) -> StubError + '_ {
    move |refusal| into_error(&guard(ctx), refusal)
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
        let config = &ctx.stub.config;
        let tag = input.alias.as_deref().unwrap_or("");
        let status = match rules::tag_verdict(tag, config.tag_max_len, &config.moderated_words) {
            TagVerdict::TooLong => types::KnownValidateUserTagStatus::TooLong,
            TagVerdict::Moderated => types::KnownValidateUserTagStatus::Moderated,
            TagVerdict::Acceptable => types::KnownValidateUserTagStatus::Success,
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
        rules::check_id_count(&ids, MAX_TAGS).map_err(refused(&ctx))?;
        Ok(views::user_tags(&state, me, ids))
    }

    async fn set_user_tag(
        &self,
        ctx: RequestContext,
        input: SetUserTagInput,
    ) -> Result<types::SetUserTagResponse, StubError> {
        let mut state = ctx.world.roblox();
        let me = guard(&ctx).caller(&mut state)?;
        // Both fields are required by the schema: a body without either never gets here
        // (`invalid_input`: 400 code 4).
        let (target, tag) = (input.body.target_user_id, input.body.user_tag);
        let config = &ctx.stub.config;
        let verdict = rules::set_user_tag(
            &mut state,
            me,
            target,
            tag,
            config.tag_max_len,
            &config.moderated_words,
        )
        .map_err(refused(&ctx))?;
        let status = match verdict {
            Tagged::Set => types::KnownSetUserTagStatus::Success,
            Tagged::Moderated => types::KnownSetUserTagStatus::Moderated,
        };
        Ok(types::SetUserTagResponse {
            status: Some(status.into()),
        })
    }
}
