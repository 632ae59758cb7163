//! Everything that can happen to a lane: a user's step or a fault. The log of
//! actions, with the seed and the configs, *is* the state.

use crate::jwt::TokenEdit;
use crate::lane_id::LaneId;
use serde::{Deserialize, Serialize};

/// A browser user of the demo shop. Each has an address (for IP hash).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum User {
    Alice,
    Bob,
    Carol,
}

impl User {
    pub const ALL: [User; 3] = [User::Alice, User::Bob, User::Carol];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn username(self) -> &'static str {
        ["alice", "bob", "carol"][self.index()]
    }
}

/// Server numbers are 1-based, as on screen (S1, S2…).
pub type ServerNo = u8;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "do")]
pub enum Action {
    // What a user does in the shop's single-page app.
    Login {
        user: User,
        #[serde(default)]
        wrong_password: bool,
    },
    Me {
        user: User,
    },
    AddToCart {
        user: User,
        sku: String,
    },
    ViewCart {
        user: User,
    },
    /// Stateless paging: the page number travels in the URL.
    OrdersPage {
        user: User,
        page: u32,
    },
    /// "Next page": who remembers where the user is depends on the lane.
    NextPage {
        user: User,
    },
    Logout {
        user: User,
    },
    /// Edit the stored credential by hand (devtools), keeping its signature.
    Tamper {
        user: User,
        edit: TokenEdit,
        /// The one lane whose browser is edited; `None` edits both.
        #[serde(default)]
        lane: Option<LaneId>,
    },
    /// Re-send an earlier request byte for byte (a copied token or cookie).
    Replay {
        user: User,
        seq: u32,
    },
    /// A request typed by hand, sent as written.
    Raw {
        user: User,
        text: String,
    },

    // Faults and operations.
    Crash {
        server: ServerNo,
    },
    Restart {
        server: ServerNo,
    },
    StoreDown,
    StoreUp,
    /// Moves one server's clock by `ms` (negative: behind).
    Skew {
        server: ServerNo,
        ms: i64,
    },
    /// New signing key; with `keep_old` the previous one still verifies.
    RotateKey {
        keep_old: bool,
    },
    AddServer,
    RemoveServer,
    Advance {
        ms: u64,
    },
    /// A burst of traffic from `users` extra browsers (`user1`…), `requests`
    /// in all, summarised in one event instead of one exchange each.
    Load {
        users: u16,
        requests: u32,
    },
}

impl Action {
    /// The user whose browser acts, for user steps.
    pub fn user(&self) -> Option<User> {
        match self {
            Action::Login { user, .. }
            | Action::Me { user }
            | Action::AddToCart { user, .. }
            | Action::ViewCart { user }
            | Action::OrdersPage { user, .. }
            | Action::NextPage { user }
            | Action::Logout { user }
            | Action::Tamper { user, .. }
            | Action::Replay { user, .. }
            | Action::Raw { user, .. } => Some(*user),
            _ => None,
        }
    }
}
