//! The guided tours. Ids are stable: documentation links to them.

use crate::fleet::config::LaneConfig;
use crate::playground::Action;
use crate::playground::Playground;
use crate::text::{figure_svg, FigureStep};
use std::borrow::Cow;

mod authored;
mod catalog;
mod question;
mod transcript;

pub use authored::{AuthoredError, AUTHORED_ID, HEADERS, LIMITS};
pub use question::{last_requests, Answer, LaneVerdict, Outcome, Question, Seen, Verdict};
pub use transcript::{all_scenarios_text, played_json, played_text, scenario_json, scenario_text};

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
    /// Builds only the scenario asked for; `None` for an unknown id.
    pub fn find(id: &str) -> Option<Scenario> {
        TOURS.iter().find(|(known, _)| *known == id).map(|(id, build)| build(id))
    }

    /// Both lanes just before step `step` (1-based) runs and just after: what
    /// a question about that step is checked on. `None` past the last step.
    pub fn around(&self, seed: u64, step: usize) -> Option<(Playground, Playground)> {
        let before = step.checked_sub(1).filter(|&b| b < self.steps.len())?;
        Some((Playground::from_scenario(self, seed, before), Playground::from_scenario(self, seed, step)))
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

/// Makes a tour, given its id.
type Build = fn(&'static str) -> Scenario;

/// Every tour's id and how to build it, in the order they are offered. The
/// id is written here once: [`IDS`] and each scenario's `id` come from it.
const TOURS: [(&str, Build); 29] = [
    ("round-robin-local", catalog::round_robin_local),
    ("sticky-crash", catalog::sticky_crash),
    ("shared-store", catalog::shared_store),
    ("signed-cookie", catalog::signed_cookie),
    ("restart", catalog::restart),
    ("revocation", catalog::revocation),
    ("expiry", catalog::expiry),
    ("tamper", catalog::tamper),
    ("request-size", catalog::request_size),
    ("pagination", catalog::pagination),
    ("cart", catalog::cart),
    ("scale-out", catalog::scale_out),
    ("refresh-rotation", catalog::refresh_rotation),
    ("refresh-reuse", catalog::refresh_reuse),
    ("logout-window", catalog::logout_window),
    ("opaque-tokens", catalog::opaque_tokens),
    ("api-keys", catalog::api_keys),
    ("ws-handshake", catalog::ws_handshake),
    ("ws-crash-storm", catalog::ws_crash_storm),
    ("chat-memory-vs-pubsub", catalog::chat_memory_vs_pubsub),
    ("ws-expiry", catalog::ws_expiry),
    ("game-checkpoint", catalog::game_checkpoint),
    ("ftp-session", catalog::ftp_session),
    ("ftp-resume", catalog::ftp_resume),
    ("ftp-passive-balancer", catalog::ftp_passive_balancer),
    ("db-leaky-set", catalog::db_leaky_set),
    ("db-txn-pooling", catalog::db_txn_pooling),
    ("db-crash-txn", catalog::db_crash_txn),
    ("db-pool-exhaustion", catalog::db_pool_exhaustion),
];

/// The tours' ids, in order.
pub const IDS: [&str; TOURS.len()] = {
    let mut ids = [""; TOURS.len()];
    let mut i = 0;
    while i < TOURS.len() {
        ids[i] = TOURS[i].0;
        i += 1;
    }
    ids
};

/// Every scenario, in the order of [`IDS`].
pub fn all() -> Vec<Scenario> {
    TOURS.iter().map(|(id, build)| build(id)).collect()
}
