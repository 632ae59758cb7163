//! Everything that can happen to a lane: a user's step or a fault. The log of
//! actions, with the seed and the configs, *is* the state.

use crate::config::LaneConfig;
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
    /// With `lane`, only that lane's browser is edited (a credential copied
    /// from one lane's editor means nothing to the other lane).
    Tamper {
        user: User,
        edit: TokenEdit,
        #[serde(default, skip_serializing_if = "Option::is_none", with = "lane_code::optional")]
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
    /// Starts a crashed server again.
    Restart {
        server: ServerNo,
    },
    /// Restarts a running server, as a deploy does: its memory is wiped and
    /// it is back at once.
    Bounce {
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
    /// A redeploy of one lane with another configuration, from this moment
    /// on; the other lane is left as it is.
    Configure {
        #[serde(with = "lane_code")]
        lane: LaneId,
        config: LaneConfig,
    },
    /// A burst of traffic from `users` extra browsers (`user1`…), `requests`
    /// in all, summarised in one event instead of one exchange each.
    Load {
        users: u16,
        requests: u32,
    },
}

/// Units of [`Action::work`] an action of a user costs (it runs in both
/// lanes and keeps its exchanges and traces).
pub const USER_ACTION_WORK: u64 = 3;
/// Units of [`Action::work`] a load's request (or new user) costs, as
/// measured in the page: ~20 µs, where a user's action takes ~5 µs.
pub const LOAD_REQUEST_WORK: u64 = 8;

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

    /// What replaying this action costs, in units of one request of a load
    /// run: what bounds rebuilding a playground from a link.
    pub fn work(&self) -> u64 {
        match self {
            // Creating a load user's account costs about a request.
            Action::Load { users, requests } => {
                u64::from(*requests).saturating_add(u64::from(*users)).saturating_mul(LOAD_REQUEST_WORK).max(1)
            }
            a if a.user().is_some() => USER_ACTION_WORK,
            _ => 1,
        }
    }
}

/// Lanes as `"a"`/`"b"` in serialised recipes, the same codes as in links.
mod lane_code {
    use crate::lane_id::LaneId;
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(lane: &LaneId, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(lane.code())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<LaneId, D::Error> {
        let text = String::deserialize(d)?;
        LaneId::parse(&text).ok_or_else(|| D::Error::custom(format!("lane `{text}` is not a or b")))
    }

    pub mod optional {
        use crate::lane_id::LaneId;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(lane: &Option<LaneId>, s: S) -> Result<S::Ok, S::Error> {
            match lane {
                Some(l) => super::serialize(l, s),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<LaneId>, D::Error> {
            #[derive(Deserialize)]
            struct Code(#[serde(with = "super")] LaneId);
            Ok(Option::<Code>::deserialize(d)?.map(|c| c.0))
        }
    }
}
