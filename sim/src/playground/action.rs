//! Everything that can happen to a lane: a user's step or a fault. The log of
//! actions, with the seed and the configs, *is* the state.

use crate::base::ids::{LaneId, ServerNo, User};
use crate::fleet::config::LaneConfig;
use crate::fleet::lane::{Lane, STEP_MS};
use crate::fleet::ledger::Loss;
use crate::wire::jwt::TokenEdit;
use serde::{Deserialize, Serialize};

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

    /// Applies this action, which has index `index` in the playground's log,
    /// to one lane; every action but a clock move is followed by a second of
    /// the user's think time.
    pub fn apply_to(&self, lane: &mut Lane, index: u32) {
        self.act_on(lane, index);
        if !matches!(self, Action::Advance { .. }) {
            lane.tick(STEP_MS);
        }
    }

    /// Does what the action says without the think time: a load run
    /// (`crate::load`) keeps its own clock.
    pub(crate) fn act_on(&self, lane: &mut Lane, index: u32) {
        match self {
            Action::Advance { ms } => lane.advance(*ms, index),
            Action::Login { user, wrong_password } => lane.login(*user, *wrong_password, index),
            Action::Me { user } => lane.browse(*user, "GET", "/api/me".into(), None, index),
            Action::AddToCart { user, sku } => lane.add_to_cart(*user, sku, index),
            Action::ViewCart { user } => lane.browse(*user, "GET", "/api/cart".into(), None, index),
            Action::OrdersPage { user, page } => {
                lane.browse(*user, "GET", format!("/api/orders?page={page}"), None, index)
            }
            Action::NextPage { user } => lane.next_page(*user, index),
            Action::Logout { user } => lane.browse(*user, "POST", "/logout".into(), None, index),
            Action::Tamper { user, edit, lane: target } => lane.tamper_in(*target, *user, edit, index),
            Action::Replay { user, seq } => lane.replay(*user, *seq, index),
            Action::Raw { user, text } => lane.raw(*user, text, index),
            Action::Crash { server } => lane.fault(*server, Loss::Crashed, index),
            Action::Restart { server } | Action::Bounce { server } => lane.fault(*server, Loss::Restarted, index),
            Action::StoreDown => lane.store_down(index),
            Action::StoreUp => lane.store_up(index),
            Action::Skew { server, ms } => lane.skew(*server, *ms, index),
            Action::RotateKey { keep_old } => lane.rotate_key(*keep_old, index),
            Action::AddServer => lane.add_server(index),
            Action::RemoveServer => lane.remove_server(index),
            Action::Load { users, requests } => lane.load(*users, *requests, index),
            Action::Configure { lane: target, config } => lane.reconfigure(*target, config, index),
        }
    }
}

/// Lanes as `"a"`/`"b"` in serialised recipes, the same codes as in links.
mod lane_code {
    use crate::base::ids::LaneId;
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(lane: &LaneId, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(lane.code())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<LaneId, D::Error> {
        let text = String::deserialize(d)?;
        LaneId::parse(&text).ok_or_else(|| D::Error::custom(format!("lane `{text}` is not a or b")))
    }

    pub(super) mod optional {
        use crate::base::ids::LaneId;
        use serde::{Deserialize, Deserializer, Serializer};

        pub(crate) fn serialize<S: Serializer>(lane: &Option<LaneId>, s: S) -> Result<S::Ok, S::Error> {
            match lane {
                Some(l) => super::serialize(l, s),
                None => s.serialize_none(),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<LaneId>, D::Error> {
            #[derive(Deserialize)]
            struct Code(#[serde(with = "super")] LaneId);
            Ok(Option::<Code>::deserialize(d)?.map(|c| c.0))
        }
    }
}
