//! Everything that can happen to a lane: a user's step or a fault. The log of
//! actions, with the seed and the configs, *is* the state.

use crate::base::ids::{LaneId, ServerNo, User};
use crate::fleet::config::{LaneConfig, REFRESH_PATH};
use crate::fleet::db::SqlOp;
use crate::fleet::lane::{FileOp, Lane, Send, STEP_MS};
use crate::fleet::ledger::Loss;
use crate::wire::jwt::TokenEdit;
use serde::{Deserialize, Serialize};

/// Something that happens, played through both lanes: a user's step in the
/// shop's app, or a fault or operation on the fleet. Serialised with its kind in `do`
/// (`{"do":"crash","server":1}`); the action notation
/// (`text::notation`) is its text form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "do")]
pub enum Action {
    // What a user does in the shop's single-page app.
    /// `POST /login` from the login form.
    Login {
        /// Whose browser sends it.
        user: User,
        /// Send `letmein` instead of the account's password: a refused login.
        #[serde(default)]
        wrong_password: bool,
    },
    /// `GET /api/me`: who the server takes the user to be.
    Me {
        /// Whose browser sends it.
        user: User,
    },
    /// `POST /api/cart/items` with one SKU.
    AddToCart {
        /// Whose browser sends it.
        user: User,
        /// What to add; anything outside [`CATALOG`](crate::fleet::CATALOG) gets a 400.
        sku: String,
    },
    /// `GET /api/cart`.
    ViewCart {
        /// Whose browser sends it.
        user: User,
    },
    /// Stateless paging: the page number travels in the URL.
    OrdersPage {
        /// Whose browser sends it.
        user: User,
        /// The page asked for, 1-based; 0 gets a 400.
        page: u32,
    },
    /// "Next page": who remembers where the user is depends on the lane.
    NextPage {
        /// Whose browser sends it.
        user: User,
    },
    /// `POST /logout`: the server revokes what it can, and the browser drops
    /// its token or is told to drop its cookie.
    Logout {
        /// Whose browser sends it.
        user: User,
    },
    /// `POST /token/refresh` with the refresh cookie, whether or not the
    /// access token has expired (the app also refreshes by itself when it has).
    Refresh {
        /// Whose browser sends it.
        user: User,
    },
    /// `POST /keys/rotate` with the current API key: a new key, and the old
    /// one revoked at once, as after a leak.
    RotateApiKey {
        /// Whose client sends it.
        user: User,
    },
    /// The app opens its WebSocket (connection lanes): the handshake goes
    /// through the balancer, and the connection stays on the server that accepts it.
    Connect {
        /// Whose app connects.
        user: User,
    },
    /// A chat message on the open connection (chat lanes).
    Say {
        /// Whose app sends it.
        user: User,
        /// Words of letters, digits and `' ! ? - _`, at most
        /// [`MAX_TEXT`](crate::fleet::MAX_TEXT) bytes (the notation checks).
        text: String,
    },
    /// A game move on the open connection (game lanes).
    Move {
        /// Whose app sends it.
        user: User,
        /// Steps along x, −1 to 1.
        dx: i8,
        /// Steps along y, −1 to 1.
        dy: i8,
    },
    /// The server that holds the user's connection pings it (a keepalive),
    /// and the browser answers pong by itself: a page script can neither
    /// send a ping nor see one.
    Ping {
        /// Whose connection is pinged.
        user: User,
    },
    /// The app closes its connection (1000) and does not reconnect.
    Disconnect {
        /// Whose app closes.
        user: User,
    },
    /// Frames typed by hand (in hex), sent exactly as typed on the user's open
    /// connection; the server acts on each as it does on the app's. They
    /// must parse as a client's frames
    /// ([`parse_typed_frames`](crate::wire::ws::parse_typed_frames)), checked by
    /// [`Playground::validate`](crate::playground::Playground::validate).
    Frame {
        /// Whose app's connection carries them.
        user: User,
        /// The bytes, frame after frame, client frames masked.
        bytes: Vec<u8>,
    },
    /// A step in a file lane (`cd`, `ls`, `get`, `resume`, `quit`): FTP
    /// commands on the user's control connection, or the HTTP requests that
    /// do the same without a session.
    File {
        /// Whose client acts.
        user: User,
        /// What it does.
        op: FileOp,
    },
    /// A statement from the user's app on a database lane: one request
    /// through the balancer, run on PostgreSQL the lane's pooling way.
    Sql {
        /// Whose app sends it.
        user: User,
        /// What it asks of the database.
        op: SqlOp,
    },
    /// Edit the stored credential by hand (devtools), keeping its signature.
    /// With `lane`, only that lane's browser is edited (a credential copied
    /// from one lane's editor means nothing to the other lane).
    Tamper {
        /// Whose stored credential is edited.
        user: User,
        /// The edit: one claim changed, the signature dropped, or the whole value
        /// replaced.
        edit: TokenEdit,
        /// The one lane whose browser is edited; `None` edits both.
        #[serde(default, skip_serializing_if = "Option::is_none", with = "lane_code::optional")]
        lane: Option<LaneId>,
    },
    /// Re-send an earlier request byte for byte (a copied token or cookie).
    Replay {
        /// The browser it goes out from: the balancer sees its address, the
        /// request is resent as it was, and nothing from the answer is kept.
        user: User,
        /// The exchange to resend, by its number in each lane (`#3`); a lane that
        /// has no such exchange records that nothing was sent.
        seq: u32,
    },
    /// A request typed by hand, sent as written.
    Raw {
        /// Whose browser sends it: the balancer sees its address, but none of its
        /// cookies are added and nothing from the answer is kept.
        user: User,
        /// The HTTP/1.1 request text; it must parse
        /// ([`Playground::validate`](crate::playground::Playground::validate)).
        text: String,
    },

    // Faults and operations.
    /// Kills a server's process: its in-memory sessions die, and the balancer
    /// keeps sending it requests (answered 502) until health checks take it
    /// out of rotation.
    Crash {
        /// The server's number (`1` for S1).
        server: ServerNo,
    },
    /// Starts a crashed server again.
    Restart {
        /// The server's number (`1` for S1).
        server: ServerNo,
    },
    /// Takes a server out of rotation and closes each of its WebSocket
    /// connections with 1001 (going away), as before a deploy; it stays up,
    /// and `restart` puts it back.
    Drain {
        /// The server's number (`1` for S1).
        server: ServerNo,
    },
    /// Restarts a running server, as a deploy does: its memory is wiped and
    /// it is back at once.
    Bounce {
        /// The server's number (`1` for S1).
        server: ServerNo,
    },
    /// The shared store stops answering: requests that need it fail with 503.
    /// Its data is kept.
    StoreDown,
    /// The shared store answers again, with the data it had.
    StoreUp,
    /// Moves one server's clock by `ms` (negative: behind).
    Skew {
        /// The server's number (`1` for S1).
        server: ServerNo,
        /// Its clock's offset from true time, in milliseconds; this replaces any
        /// earlier skew rather than adding to it.
        ms: i64,
    },
    /// New signing key; with `keep_old` the previous one still verifies.
    RotateKey {
        /// Whether the older keys keep verifying; if not, every token and signed
        /// cookie they signed is refused.
        keep_old: bool,
    },
    /// A new server joins the end of the pool with empty memory, up to
    /// [`MAX_SERVERS`](crate::fleet::MAX_SERVERS).
    AddServer,
    /// The last server leaves the pool, with the sessions in its memory; a
    /// lane's only server stays.
    RemoveServer,
    /// Moves the clock forward and nothing else; unlike every other action, it
    /// adds no think time. Written `wait 10s` in the notation (the lane's
    /// `wait`); `advance` is its tag in serialised recipes, kept so that saved
    /// recipes still read.
    Advance {
        /// How far, in milliseconds.
        ms: u64,
    },
    /// A redeploy of one lane with another configuration, from this moment
    /// on; the other lane is left as it is.
    Configure {
        /// The lane redeployed.
        #[serde(with = "lane_code")]
        lane: LaneId,
        /// Its new configuration, sanitized when applied.
        config: LaneConfig,
    },
    /// A burst of traffic from `users` extra browsers (`u00001`…), `requests`
    /// in all, summarised in one event instead of one exchange each.
    Load {
        /// How many load browsers send (0 counts as 1), at most
        /// [`MAX_LOAD_USERS`](crate::playground::MAX_LOAD_USERS); each has an
        /// account made for it.
        users: u16,
        /// Requests in all, from the users in turn, at most
        /// [`MAX_LOAD_REQUESTS`](crate::playground::MAX_LOAD_REQUESTS). Each is a
        /// login if its user holds no credential, else `/api/me`, `/api/cart` or
        /// `/api/orders?page=1` in turn.
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
            | Action::Refresh { user }
            | Action::RotateApiKey { user }
            | Action::Connect { user }
            | Action::Say { user, .. }
            | Action::Move { user, .. }
            | Action::Ping { user }
            | Action::Disconnect { user }
            | Action::Frame { user, .. }
            | Action::File { user, .. }
            | Action::Sql { user, .. }
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

    /// Applies this action, number `action_no` in the playground's log (0-based),
    /// to one lane; every action but a clock move is followed by a second of
    /// the user's think time.
    pub fn apply_to(&self, lane: &mut Lane, action_no: u32) {
        self.act_on(lane, action_no);
        if !matches!(self, Action::Advance { .. }) {
            lane.pass_time(STEP_MS, action_no);
        }
    }

    /// Does what the action says without the think time: a load run
    /// (`crate::load`) keeps its own clock.
    pub(crate) fn act_on(&self, lane: &mut Lane, action_no: u32) {
        match self {
            Action::Advance { ms } => lane.wait(*ms, action_no),
            Action::Login { user, wrong_password } => lane.login(*user, *wrong_password, action_no),
            Action::Me { user } => lane.browse(*user, "GET", "/api/me".into(), None, action_no),
            Action::AddToCart { user, sku } => lane.add_to_cart(*user, sku, action_no),
            Action::ViewCart { user } => lane.browse(*user, "GET", "/api/cart".into(), None, action_no),
            Action::OrdersPage { user, page } => {
                lane.browse(*user, "GET", format!("/api/orders?page={page}"), None, action_no)
            }
            Action::NextPage { user } => lane.next_page(*user, action_no),
            Action::Logout { user } => lane.browse(*user, "POST", "/logout".into(), None, action_no),
            Action::Refresh { user } => lane.browse(*user, "POST", REFRESH_PATH.into(), None, action_no),
            Action::RotateApiKey { user } => lane.browse(*user, "POST", "/keys/rotate".into(), None, action_no),
            Action::Connect { user } => lane.connect(*user, action_no),
            Action::Say { user, text } => lane.send_frame(*user, Send::Say(text), action_no),
            Action::Move { user, dx, dy } => lane.send_frame(*user, Send::Move(*dx, *dy), action_no),
            Action::Ping { user } => lane.send_frame(*user, Send::Ping, action_no),
            Action::Disconnect { user } => lane.disconnect(*user, action_no),
            Action::Frame { user, bytes } => lane.typed_frames(*user, bytes, action_no),
            Action::File { user, op } => lane.file_op(*user, op, action_no),
            Action::Sql { user, op } => lane.sql(*user, op, action_no),
            Action::Drain { server } => lane.drain(*server, action_no),
            Action::Tamper { user, edit, lane: target } => lane.tamper_in(*target, *user, edit, action_no),
            Action::Replay { user, seq } => lane.replay(*user, *seq, action_no),
            Action::Raw { user, text } => lane.raw(*user, text, action_no),
            Action::Crash { server } => lane.fault(*server, Loss::Crashed, action_no),
            Action::Restart { server } | Action::Bounce { server } => lane.fault(*server, Loss::Restarted, action_no),
            Action::StoreDown => lane.store_down(action_no),
            Action::StoreUp => lane.store_up(action_no),
            Action::Skew { server, ms } => lane.skew(*server, *ms, action_no),
            Action::RotateKey { keep_old } => lane.rotate_key(*keep_old, action_no),
            Action::AddServer => lane.add_server(action_no),
            Action::RemoveServer => lane.remove_server(action_no),
            Action::Load { users, requests } => lane.load(*users, *requests, action_no),
            Action::Configure { lane: target, config } => lane.reconfigure(*target, config, action_no),
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
