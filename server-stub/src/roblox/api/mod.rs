//! Friends v1 and Contacts v1 over HTTP: the generated traits implemented over
//! [`RobloxState`](crate::roblox::RobloxState): each operation is guarded (`auth`), decodes
//! its input, calls the rules and views, and answers a refusal with the document's status
//! and code (`refusal`, the one mapping).

mod auth;
mod contacts;
mod friends;
mod refusal;

pub use contacts::ContactsService;
pub use friends::FriendsService;
