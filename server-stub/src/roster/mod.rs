//! The IM app world behind the roster API (`openapi/roster.yaml`).
//!
//! - [`state`]: apps, their users and tokens, friendships, applications, the blacklist, the
//!   business codes and the plain lookups over them (no HTTP);
//! - `rules`: the operations that change them (apply, accept, decline, delete, block,
//!   unblock, ext, authentication, control-plane creation and seeding), each refusal with
//!   its business code;
//! - `views`: answers built from the state (a user as a viewer sees them, an application,
//!   the envelope bodies);
//! - `api`: the generated `RosterApi` implemented over them (credentials from the request
//!   headers, business errors as HTTP 200 envelopes);
//! - `control`: the control-plane routes.
//!
//! # Decisions beyond BEHAVIOR.md
//!
//! - **Envelope.** Every answer, success or not, is HTTP 200 with `{code, data, message}`:
//!   success is `{"code":200,"data":…,"message":null}` (plus `cursor`/`version` on the two
//!   paged lists); a business error is `{"code":N,"data":null,"message":"<documented
//!   message>[: detail]"}`. On the four operations whose `data` the document does not mark
//!   nullable (`apply/batch`, `id`, `name`, `mobile`) an error leaves `data` out instead of
//!   sending `null`. Input the document rejects (malformed JSON, a wrong type, a missing
//!   required parameter, a malformed `user_id`/`group_id` header, a non-JSON content type, a
//!   body over 64 KiB) is code 10002, as are `limit` outside 1–100, more than 100 ids or
//!   items, and a forged or stale cursor.
//! - **Order of checks.** `app_id` (missing or unknown: 40000), then `access-token`
//!   (missing or empty: 10003; unknown, or another app's: 10008), then the `user_id` /
//!   `group_id` headers (malformed: 10002; a user token naming another user, or sending
//!   `group_id`: 10010; an admin token naming a user the app does not have: 10000), then the
//!   input (10002), then the rules of the operation. Invalid input is answered after the
//!   auth checks, like every other business error.
//! - **Tokens.** A user token acts as its user; it may send header `user_id` only naming
//!   itself. An admin token acts as the user named by header `user_id` on every operation,
//!   also where the document does not declare that header (`accept`, `block`, `delete`, `id`,
//!   `may_message`, `unblock`, whose query `user_id` is the target); `group_id` is accepted
//!   with an admin token and has no further effect (the roster has no groups). An admin
//!   token without `user_id` may look users up (`id`, `name`, `mobile`, `POST /roster/list`:
//!   every `relation` is then 2 and friend fields are absent) and ask `may_message` about any
//!   pair; everything else needs an acting user (10002).
//! - **`may_message`** with a user token answers only about pairs that include the caller
//!   (10010 otherwise); the same user twice is 10002; unknown users are 10000.
//! - **Applications.** One application per (applicant, invitee) pair: applying again while
//!   one is pending, declined or accepted replaces it (new expiry, moves to the top of the
//!   list). Applying to someone whose own pending application to you is still open accepts
//!   theirs (both become friends, their application gets status 1), whatever your
//!   `auth_mode`. Whenever two users become friends, open applications between them get
//!   status 1. `apply/list` lists the caller's received applications newest first, in every
//!   status, until they expire (`expired_time` = sent + `--roster-application-ttl-secs`,
//!   604800); accepted and declined ones therefore stay visible until then. A block does not
//!   remove applications: accepting one while either side blocks the other is 10006 (the
//!   application stays pending); declining it works.
//! - **`auth_mode` 2** needs `auth_answer` in the request (absent: 10002); it matches when
//!   trimmed and lower-cased it equals the user's configured answer likewise normalised. A
//!   batch item has no `auth_answer`, so it always fails on such a target.
//!   `apply` answers `data: true` whether it made friends or left an application pending.
//! - **Aliases.** The `alias` of `apply`/`apply/batch` becomes the applicant's alias for the
//!   invitee once they are friends. `ext` sets the caller's side only: absent fields stay,
//!   an empty string clears `alias` or `ext`. Friend fields disappear with the friendship;
//!   `mute_notification` is false where there is none.
//! - **Relations** (seen from the caller): 3 if the caller blocks the other, else 0 if
//!   friends, else 1 if the other side ended the friendship (by `delete` or by blocking the
//!   caller) and it was not renewed, else 2. Looking yourself up answers relation 2. A block
//!   by the other side alone is not revealed (2, or 1 if it ended a friendship).
//! - **Lookups.** `name` matches usernames case-insensitively (usernames are unique per app
//!   that way); `mobile` matches exactly; empty strings are 10002. `POST /roster/list` keeps
//!   the order given, drops duplicates and unknown ids.
//! - **Self-targeting** (`apply`, `accept`, `decline`, `delete`, `block`, `unblock`, `ext`)
//!   is 10002; an unknown target is 10000; `delete`/`ext` of a non-friend is 10004; blocking
//!   someone blocked and unblocking someone not blocked succeed.
//! - **`version`** is per user and comes from a per-app sequence: it grows whenever the
//!   user's friends, their side of a friendship, their blacklist or the applications they
//!   sent or received change. It starts at 0.
//! - **Paging.** `GET /roster/list` pages friend ids in ascending id order, `apply/list` by
//!   sending order, newest first; both are keyset-based (`crate::cursor`), so a walk never
//!   repeats or skips an item that stayed in the list throughout. `limit` defaults to 50.

mod api;
pub(crate) mod control;
mod rules;
pub mod state;
#[cfg(test)]
mod tests;
mod views;

pub use api::RosterService;
pub use rules::ApplyArgs;
pub use state::*;
