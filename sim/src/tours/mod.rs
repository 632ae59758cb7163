//! The guided tours. Ids are stable: documentation links to them.

use crate::fleet::config::LaneConfig;
use crate::fleet::kind::{carries_tours_of, Kind};
use crate::playground::Action;
use crate::playground::Playground;
use crate::text::{figure_svg, FigureStep};
use std::borrow::Cow;

#[cfg(feature = "authored")]
mod authored;
mod catalog;
mod question;
mod transcript;

#[cfg(feature = "authored")]
pub use authored::{AuthoredError, HEADERS, LIMITS};
pub use question::{last_requests, Answer, LaneVerdict, Outcome, Question, Reply, Seen, Verdict};
pub use transcript::{all_scenarios_text, played_json, played_text, scenario_json, scenario_text};

/// The id an author's tour goes by, where a built-in tour has its own.
pub const AUTHORED_ID: &str = "authored";

/// One step of a tour: some actions, played together, and what to notice.
/// Built-in tours' text is `'static`; an author's tour owns its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The step's actions, in [`crate::text::notation`].
    pub script: Cow<'static, str>,
    /// [`Step::script`] parsed: the actions the step plays, in order.
    pub actions: Vec<Action>,
    /// What to look at, in the learner's words. Plain text.
    pub say: Cow<'static, str>,
    /// Header names worth highlighting at this step (from [`HEADERS`] for
    /// an author's tour).
    pub focus: Cow<'static, [&'static str]>,
    /// A question the learner answers before the step runs.
    pub ask: Option<Question>,
}

/// A guided tour: two lanes set up to contrast, and the steps to play on them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// The stable id links and documentation use (`scenario=sticky-crash`);
    /// one of [`IDS`], or [`AUTHORED_ID`] for an author's tour.
    pub id: &'static str,
    /// The heading shown to the learner.
    pub title: Cow<'static, str>,
    /// The idea, in one sentence.
    pub lesson: Cow<'static, str>,
    /// Lane A's and lane B's configs at the start; a step may change them
    /// (`config a jwt-deny`).
    pub lanes: [LaneConfig; 2],
    /// The steps, played in order; a link's `step=n` plays the first `n`.
    pub steps: Vec<Step>,
}

/// Where one stands in a guided tour: which one, and how many of its steps
/// are played (0 is before the first, at its title). Links carry it, and the
/// page keeps it; the playground is rebuilt from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TourPos {
    /// The tour's id, one of [`IDS`].
    pub tour: &'static str,
    /// How many of its steps are played.
    pub step: usize,
}

impl TourPos {
    /// The tour's script, with the step (`None` for an unknown id).
    pub fn find(self) -> Option<(Scenario, usize)> {
        Some((Scenario::find(self.tour)?, self.step))
    }
}

impl Scenario {
    /// Builds only the scenario asked for; `None` for an unknown id or a
    /// tour of a kind this build leaves out ([`Listing`]).
    pub fn find(id: &str) -> Option<Scenario> {
        listing(id)?.build()
    }

    /// Whether this is an author's tour rather than a built-in one.
    pub fn is_authored(&self) -> bool {
        self.id == AUTHORED_ID
    }

    /// The index in the log of step `step`'s first action (steps count from
    /// 1): the actions of all the steps before it. `None` for step 0.
    pub fn step_start(&self, step: usize) -> Option<u32> {
        let before: usize = self.steps.iter().take(step.checked_sub(1)?).map(|st| st.actions.len()).sum();
        u32::try_from(before).ok()
    }

    /// The file name of step `step`'s figure: `sticky-crash-2.svg`, as
    /// `statelab figure --all`, the site's `figures/` and the page's
    /// Download figure name it.
    pub fn figure_file(&self, step: usize) -> String {
        format!("{}-{step}.svg", self.id)
    }

    /// Step `step` (from 1) as an SVG figure ([`figure_svg`]), drawn from
    /// `played`: this tour with its first `step` steps played. `None` for a
    /// step the tour does not have.
    pub fn figure(&self, step: usize, played: &Playground) -> Option<String> {
        let current = self.steps.get(step.checked_sub(1)?)?;
        Some(figure_svg(&FigureStep {
            tour: self.id,
            title: &self.title,
            step,
            steps: self.steps.len(),
            say: &current.say,
            focus: &current.focus,
            played,
            start: self.step_start(step)?,
        }))
    }
}

impl Playground {
    /// The scenario's lanes with its first `steps` steps played.
    pub fn from_scenario(s: &Scenario, seed: u64, steps: usize) -> Playground {
        let mut p = Playground::new(seed, s.lanes);
        for step in s.steps.iter().take(steps) {
            for a in &step.actions {
                // Scenario actions are written to be valid; a test holds them to it.
                let _ = p.record(a.clone());
            }
        }
        p
    }
}

/// Makes a tour, given its id and title.
type Build = fn(&'static str, &'static str) -> Scenario;

/// A tour as every build knows it, whether or not it can play it: its id,
/// its title (the picker offers every tour) and the kind of lane it needs.
/// Only the builds that carry it ([`carries_tours_of`]) have the tour's
/// script and texts.
#[derive(Clone, Copy)]
pub struct Listing {
    /// The stable id links and documentation use.
    pub id: &'static str,
    /// The heading shown to the learner.
    pub title: &'static str,
    /// The kind of lane its steps need; `None` for the shop's HTTP lanes.
    pub kind: Option<Kind>,
    /// How to build it, in a build that has its kind.
    build: Option<Build>,
}

impl Listing {
    /// The tour itself; `None` in a build that does not carry it.
    pub fn build(&self) -> Option<Scenario> {
        self.build.map(|build| build(self.id, self.title))
    }

    /// Whether this build carries the tour ([`carries_tours_of`]).
    pub fn here(&self) -> bool {
        self.build.is_some()
    }
}

/// A line of [`TOURS`]. A `const fn`, so that in a build that does not
/// carry the tour ([`carries_tours_of`]) its builder, and every text it
/// holds, is never referenced and not linked in.
const fn listed(id: &'static str, title: &'static str, kind: Option<Kind>, build: Build) -> Listing {
    Listing { id, title, kind, build: if carries_tours_of(kind) { Some(build) } else { None } }
}

/// Every tour, in the order they are offered. The id and title are written
/// here once: [`IDS`] and each scenario's come from it.
pub const TOURS: [Listing; 30] = [
    listed("round-robin-local", "Local sessions behind round robin", None, catalog::round_robin_local),
    listed("sticky-crash", "Sticky sessions and a crash", None, catalog::sticky_crash),
    listed("shared-store", "A shared session store", None, catalog::shared_store),
    listed("signed-cookie", "Signed-cookie sessions", None, catalog::signed_cookie),
    listed("restart", "A restart wipes server memory", None, catalog::restart),
    listed("revocation", "Logging out: revocation", None, catalog::revocation),
    listed("expiry", "Token expiry and idle timeout", None, catalog::expiry),
    listed("tamper", "Tampering with a token", None, catalog::tamper),
    listed("request-size", "What every request carries", None, catalog::request_size),
    listed("pagination", "Pagination: who remembers the page?", None, catalog::pagination),
    listed("cart", "The cart: database or server memory", None, catalog::cart),
    listed("scale-out", "Scaling out", None, catalog::scale_out),
    listed("refresh-rotation", "Short access tokens, refreshed", None, catalog::refresh_rotation),
    listed("refresh-reuse", "A stolen refresh token, reused", None, catalog::refresh_reuse),
    listed("logout-window", "Logout's window with short tokens", None, catalog::logout_window),
    listed("opaque-tokens", "Opaque tokens against JWTs", None, catalog::opaque_tokens),
    listed("api-keys", "API keys and a rate limit across servers", None, catalog::api_keys),
    listed(
        "ws-handshake",
        "A WebSocket: HTTP first, then the connection is the session",
        Some(Kind::Connections),
        catalog::ws_handshake,
    ),
    listed("ws-crash-storm", "A crash and the reconnect storm", Some(Kind::Connections), catalog::ws_crash_storm),
    listed(
        "chat-memory-vs-pubsub",
        "A chat room in memory against pub/sub",
        Some(Kind::Connections),
        catalog::chat_memory_vs_pubsub,
    ),
    listed("ws-expiry", "A credential that expires mid-connection", Some(Kind::Connections), catalog::ws_expiry),
    listed(
        "game-checkpoint",
        "A game room: authoritative in memory, or checkpointed",
        Some(Kind::Connections),
        catalog::game_checkpoint,
    ),
    listed("ftp-session", "FTP: the control connection is the session", Some(Kind::Files), catalog::ftp_session),
    listed("ftp-resume", "A crash mid-download: REST against Range", Some(Kind::Files), catalog::ftp_resume),
    listed(
        "ftp-passive-balancer",
        "FTP behind a balancer: the data connection",
        Some(Kind::Files),
        catalog::ftp_passive_balancer,
    ),
    listed("db-leaky-set", "A pooled connection remembers the last request", Some(Kind::Db), catalog::db_leaky_set),
    listed(
        "db-txn-pooling",
        "PgBouncer's transaction mode and a prepared statement",
        Some(Kind::Db),
        catalog::db_txn_pooling,
    ),
    listed("db-crash-txn", "A crash in the middle of a transaction", Some(Kind::Db), catalog::db_crash_txn),
    listed(
        "db-pool-exhaustion",
        "Open transactions exhaust PgBouncer's pool",
        Some(Kind::Db),
        catalog::db_pool_exhaustion,
    ),
    listed("db-temp-table", "A temporary table on a pooled connection", Some(Kind::Db), catalog::db_temp_table),
];

/// The tours' ids, in order.
pub const IDS: [&str; TOURS.len()] = {
    let mut ids = [""; TOURS.len()];
    let mut i = 0;
    while i < TOURS.len() {
        ids[i] = TOURS[i].id;
        i += 1;
    }
    ids
};

/// A tour's listing, by id; `None` for an unknown id.
pub fn listing(id: &str) -> Option<&'static Listing> {
    TOURS.iter().find(|t| t.id == id)
}

/// Every scenario this build can play, in the order of [`IDS`].
pub fn all() -> Vec<Scenario> {
    TOURS.iter().filter_map(Listing::build).collect()
}
