//! Friends v1 and Contacts v1 over HTTP: the generated traits implemented over
//! [`RobloxState`](crate::roblox::RobloxState), with the documents' error shapes.

mod auth;
mod contacts;
mod friends;

pub use contacts::ContactsService;
pub use friends::FriendsService;
