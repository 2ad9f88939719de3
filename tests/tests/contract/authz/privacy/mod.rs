//! Privacy, through the SDK: one user never reads or acts on another's friend requests,
//! blocks, reports, party, invites, contact tags, roster applications or blacklist, and a
//! server route acts only for the `actorId` it names. Each case checks the answer and that the
//! owner's data is unchanged.

use super::*;
use contract_tests::assert::party::{
    INVITE_NOT_FOUND, NOT_LEADER, NOT_SELECTOR, YOU_ARE_NOT_IN_A_PARTY,
};
use contract_tests::assert::roster::NO_APPLICATION;
use contract_tests::assert::social_friends::{
    BLOCK_NOT_FOUND, EXPIRED, FRIEND_NOT_FOUND, ONLY_RECIPIENT_ACCEPTS, ONLY_RECIPIENT_DECLINES,
    REQUEST_NOT_FOUND,
};
use contract_tests::env::Env as Harness;
use futures::TryStreamExt;
use social_sdk::contacts::types::{GetUserTagsRequest, SetUserTagRequest};
use social_sdk::friends::types::FriendshipRequest;
use social_sdk::party::types::{InviteBody, LobbySelectionBody, ServerActorBody, SetSelectorsBody};
use social_sdk::roster::types::{
    RosterDeclineRequest, RosterExtUpdateRequest, RosterFriendDetailsRequest,
};
use social_sdk::social_friends::types::{
    BlockBody, ReportBody, ServerTargetBody, UpdateFriendBody,
};
use social_sdk::{contacts, party, roster, social_friends};

mod accounts;
mod party_invites;
mod social_players;

const NO_FRIEND_REQUEST: &str = "The friend request does not exist.";

/// The harness's `Env` with game server `SERVER` registered.
struct Env {
    env: Harness,
}

impl std::ops::Deref for Env {
    type Target = Harness;

    fn deref(&self) -> &Harness {
        &self.env
    }
}

impl Env {
    async fn new() -> Self {
        let env = Harness::new().await;
        env.world.register_server(SERVER).await.expect("server");
        Self { env }
    }

    fn social_server(&self) -> social_friends::Client {
        self.env.social_server(SERVER)
    }

    fn party_server(&self) -> party::Client {
        self.env.party_server(SERVER)
    }

    /// One part of the world's state (a JSON pointer into the dump).
    async fn state(&self, pointer: &str) -> Value {
        let state = self.world.state().await.expect("state dump");
        state
            .pointer(pointer)
            .unwrap_or_else(|| panic!("no {pointer} in the state dump"))
            .clone()
    }
}

fn target(actor: &CreatedPlayer, other: &CreatedPlayer) -> ServerTargetBody {
    ServerTargetBody {
        actor_id: actor.id,
        target_id: Some(other.id),
        target_name: None,
    }
}

/// The ids of a player's pending requests: (incoming, outgoing).
async fn requests(client: &social_friends::Client) -> (Vec<String>, Vec<String>) {
    let list = client
        .list_social_friend_requests()
        .await
        .expect("requests");
    let ids = |entries: Vec<social_friends::types::FriendRequestEntry>| {
        entries.into_iter().filter_map(|e| e.id).collect()
    };
    (ids(list.incoming), ids(list.outgoing))
}

async fn friend_ids(client: &social_friends::Client) -> Vec<Uuid> {
    client
        .get_social_friends()
        .await
        .expect("friends")
        .friends
        .into_iter()
        .filter_map(|f| f.friend_id)
        .collect()
}

async fn blocked_ids(client: &social_friends::Client) -> Vec<Uuid> {
    client
        .list_blocks()
        .await
        .expect("blocks")
        .blocks
        .into_iter()
        .filter_map(|b| b.blocked_user_id)
        .collect()
}
