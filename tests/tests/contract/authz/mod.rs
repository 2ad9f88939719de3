//! Authorization (issue 8). Two halves:
//!
//! - **The table**, driven by the documents themselves: every operation of every document whose
//!   `security` (its own, or the document's global one) asks for credentials is sent with
//!   missing, forged, misplaced and foreign credentials, and must answer the documented refusal
//!   (`401`, the CSRF `403`, or for roster HTTP 200 with the business code of its
//!   `x-business-codes`), never a 2xx; the world is unchanged afterwards. The same requests
//!   with the right credentials are then not refused (so the refusals came from the
//!   credentials), and every public operation answers without any.
//! - **Privacy**, through the SDK: one user never reads or acts on another's friend requests,
//!   blocks, reports, party, invites, contact tags, roster applications or blacklist, and a
//!   server route acts only for the `actorId` it names. Each case checks the answer and that
//!   the owner's data is unchanged.

use base64::Engine;
use contract_tests::assert::expect_error;
use contract_tests::assert::roster::{INVALID_TOKEN, MISSING_TOKEN, NO_PERMISSION, UNKNOWN_APP};
use contract_tests::env::Env;
use reqwest::Method;
use serde_json::{Value, json};
use social_sdk::{Auth, Error};
use social_stub::StubConfig;
use social_stub::control::WorldHandle;
use social_stub::roblox::CreatedUser;
use social_stub::roster::{CreatedRosterApp, CreatedRosterUser};
use social_stub::social::CreatedPlayer;
use social_stub::spec::OperationSpec;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::time::Duration;
use uuid::Uuid;

mod documents;
mod fixture;
mod privacy;
mod table;

use self::documents::*;
use self::fixture::*;
use self::table::*;

/// The registered game server of the world under test.
const SERVER: &str = "srv-authz";
/// A game server registered only in another world.
const ELSEWHERE: &str = "srv-elsewhere";
/// Headers that make a `GET` a WebSocket handshake (the live operations).
const HANDSHAKE: [(&str, &str); 4] = [
    ("connection", "upgrade"),
    ("upgrade", "websocket"),
    ("sec-websocket-version", "13"),
    ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
];
