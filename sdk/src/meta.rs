//! What the hand-written layer knows about each operation, generated from the documents
//! (`OPERATIONS` in every service module): how it authenticates and whether it takes the
//! Roblox CSRF token.

/// The five services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Service {
    /// Roblox Friends v1.
    Friends,
    /// Roblox Contacts v1.
    Contacts,
    /// IM roster.
    Roster,
    /// Social friends.
    SocialFriends,
    /// Parties.
    Party,
}

impl Service {
    /// Every service.
    pub const ALL: [Service; 5] = [
        Self::Friends,
        Self::Contacts,
        Self::Roster,
        Self::SocialFriends,
        Self::Party,
    ];

    /// Short name, as in the module path and the tracing spans.
    pub fn name(self) -> &'static str {
        match self {
            Self::Friends => "friends",
            Self::Contacts => "contacts",
            Self::Roster => "roster",
            Self::SocialFriends => "social_friends",
            Self::Party => "party",
        }
    }

    /// The service's one public host, where it has one: Friends and Contacts
    /// (`https://friends.roblox.com`, `https://contacts.roblox.com`). The roster (your app's
    /// API server), social friends and party (your deployment) have none: name their base
    /// URL with [`ConfigBuilder::base_url`](crate::ConfigBuilder::base_url), or their calls
    /// fail at once with [`Error::InvalidRequest`](crate::Error::InvalidRequest) saying so.
    pub fn default_base_url(self) -> Option<&'static str> {
        match self {
            Self::Friends => Some(crate::friends::DEFAULT_BASE_URL),
            Self::Contacts => Some(crate::contacts::DEFAULT_BASE_URL),
            Self::Roster | Self::SocialFriends | Self::Party => None,
        }
    }

    /// The operations of this service's document.
    pub fn operations(self) -> &'static [OperationMeta] {
        match self {
            Self::Friends => crate::friends::OPERATIONS,
            Self::Contacts => crate::contacts::OPERATIONS,
            Self::Roster => crate::roster::OPERATIONS,
            Self::SocialFriends => crate::social_friends::OPERATIONS,
            Self::Party => crate::party::OPERATIONS,
        }
    }

    /// One operation by `operationId`.
    pub fn operation(self, operation_id: &str) -> Option<&'static OperationMeta> {
        let ops = self.operations();
        ops.binary_search_by(|op| op.id.cmp(operation_id))
            .ok()
            .map(|i| &ops[i])
    }
}

/// How an operation authenticates, from its document's `security`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthScheme {
    /// Public.
    None,
    /// Roblox session: `.ROBLOSECURITY` cookie, or bearer token.
    RobloxSession,
    /// `Authorization: Bearer <player token>`.
    Bearer,
    /// `Authorization: Bearer <CONNECT_SERVER_SECRET>` + `X-Server-Id`.
    ServerSecret,
    /// Roster `access-token` + `app_id` headers.
    RosterToken,
}

/// One operation of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationMeta {
    /// `operationId`, also the client method's name.
    pub id: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Path template.
    pub path: &'static str,
    /// How it authenticates.
    pub auth: AuthScheme,
    /// Whether it takes the Roblox `x-csrf-token` (its `403` declares that header).
    pub csrf: bool,
    /// Whether it upgrades to a WebSocket (`x-dropshot-websocket`).
    pub websocket: bool,
}
