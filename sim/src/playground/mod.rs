//! Two lanes fed the same actions. State is seed + configs + action log:
//! replaying the log rebuilds every byte, which gives undo, reload and
//! share links for free.

mod action;

pub use action::{Action, LOAD_REQUEST_WORK, USER_ACTION_WORK};

use crate::base::ids::LaneId;
use crate::fleet::config::{LaneConfig, MAX_SERVERS};
use crate::fleet::exchange::{Entry, Exchange};
use crate::fleet::lane::snapshot::Snapshot;
use crate::fleet::lane::Lane;
use crate::wire::http::{parse_request, ParseError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::rc::Rc;

/// Bounds on a load action, so a hand-edited link cannot freeze the page:
/// the largest load is 248,000 units of work, which leaves room under
/// [`MAX_REPLAY_WORK`] for the actions around it.
pub const MAX_LOAD_REQUESTS: u32 = 30_000;
/// Most users in one [`Action::Load`].
pub const MAX_LOAD_USERS: u16 = 1_000;

/// An action refused before it touches the log (so nothing is lost).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionError {
    /// A hand-written request ([`Action::Raw`]) that is not a valid HTTP/1.1 request.
    Request(ParseError),
    /// A hand-typed credential ([`Action::Tamper`]) that cannot travel in a
    /// header or cookie; the text says which character.
    Credential(String),
    /// An [`Action::Load`] above [`MAX_LOAD_USERS`] users or
    /// [`MAX_LOAD_REQUESTS`] requests.
    TooMuchLoad,
    /// The action would change nothing in either lane, e.g. "S1 is already down".
    NoEffect(String),
    /// A chat message or game move an app would not send; the text says why.
    Message(String),
    /// Hand-typed frames ([`Action::Frame`]) a client may not send, and at
    /// which byte.
    Frame(crate::wire::ws::FrameError),
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionError::Request(e) => write!(f, "request not sent — {e}"),
            ActionError::Credential(e) => write!(f, "credential not changed — {e}"),
            ActionError::TooMuchLoad => {
                write!(f, "a load run is limited to {MAX_LOAD_REQUESTS} requests from {MAX_LOAD_USERS} users")
            }
            ActionError::NoEffect(why) => f.write_str(why),
            ActionError::Message(why) => write!(f, "message not sent — {why}"),
            ActionError::Frame(e) => write!(f, "frames not sent — {e}"),
        }
    }
}

impl std::error::Error for ActionError {}

/// The most work ([`Action::work`]) a playground rebuilds from a recipe at
/// once: opening a link must not freeze the page for more than about two
/// seconds in a browser. Measured in the page: 100,000 actions of a user
/// (300,000 units) open in ~1.3 s, most of it the browser reading a 900 KB
/// link; a load of 30,000 requests (248,000 units), ~0.6 s.
pub const MAX_REPLAY_WORK: u64 = 320_000;
/// Work between two checkpoints at first; undo replays at most about this much.
const CHECKPOINT_WORK: u64 = 256;
/// Checkpoints kept; past this every other one is dropped and the spacing
/// doubles, so memory stays bounded however long the log grows. With 256, a
/// link's largest log (`MAX_REPLAY_WORK`) keeps checkpoints about 2,500 units
/// apart, so an undo replays at most that much: measured in the page with
/// 100,000 actions, 64 checkpoints left undo at about 130 ms.
const MAX_CHECKPOINTS: usize = 256;

/// The serialisable part of a playground: everything needed to rebuild it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipe {
    /// Seeds both lanes: lane A draws stream 0 of it, lane B stream 1.
    pub seed: u64,
    /// The lanes' starting configurations, A then B; later changes are
    /// [`Action::Configure`]s in the log.
    pub configs: [LaneConfig; 2],
    /// The action log, in order: replayed on fresh lanes, it rebuilds every byte.
    pub actions: Vec<Action>,
}

/// Both lanes as they were after the first `actions` actions of the log.
#[derive(Clone, Debug)]
struct Checkpoint {
    actions: usize,
    lanes: [Snapshot; 2],
}

/// Two lanes fed the same actions, with the log that rebuilds them and the
/// checkpoints that keep undo cheap.
#[derive(Clone, Debug)]
pub struct Playground {
    recipe: Recipe,
    lanes: [Lane; 2],
    /// Ordered by `actions`; the first, at 0, is never dropped. Shared, so
    /// cloning a playground (the view does on every change) copies no lane.
    checkpoints: Vec<Rc<Checkpoint>>,
    /// Work played since the last checkpoint.
    since_checkpoint: u64,
    checkpoint_work: u64,
}

impl Playground {
    /// Two fresh lanes from `seed`, A with `configs[0]` and B with
    /// `configs[1]` (both sanitized), and an empty log.
    pub fn new(seed: u64, configs: [LaneConfig; 2]) -> Playground {
        let configs = configs.map(LaneConfig::sanitized);
        let mut p = Playground {
            lanes: LaneId::ALL.map(|id| Lane::new(configs[id.index()], seed, id)),
            recipe: Recipe { seed, configs, actions: Vec::new() },
            checkpoints: Vec::new(),
            since_checkpoint: 0,
            checkpoint_work: CHECKPOINT_WORK,
        };
        p.checkpoint();
        p
    }

    /// Rebuilds a playground, skipping actions that would be refused, however
    /// long that takes (see [`Playground::from_recipe_bounded`] for links).
    pub fn from_recipe(recipe: &Recipe) -> Playground {
        let mut p = Playground::new(recipe.seed, recipe.configs);
        for a in &recipe.actions {
            let _ = p.record(a.clone());
        }
        p
    }

    /// Rebuilds a playground, playing actions in order until the next would
    /// take the total past [`MAX_REPLAY_WORK`]. The message, for the reader,
    /// says how many actions were played and why the others were not.
    pub fn from_recipe_bounded(recipe: &Recipe) -> (Playground, Option<String>) {
        let mut p = Playground::new(recipe.seed, recipe.configs);
        let total = recipe.actions.len();
        let mut work = 0u64;
        let mut refused: Vec<String> = Vec::new();
        let mut stop = None;
        for (i, a) in recipe.actions.iter().enumerate() {
            if work.saturating_add(a.work()) > MAX_REPLAY_WORK {
                stop = Some((i, a));
                break;
            }
            match p.record(a.clone()) {
                Ok(()) => work = work.saturating_add(a.work()),
                Err(e) => refused.push(format!("action {} (`{a}`): {e}", i + 1)),
            }
        }
        let played = p.actions().len();
        let mut why = Vec::new();
        if let Some((i, a)) = stop {
            why.push(format!(
                "the last {} were not played: action {} (`{a}`) would take the rebuild past {MAX_REPLAY_WORK} units of work (a user's action counts 3, a load's request 8), the most a page plays at once",
                total - i,
                i + 1
            ));
        }
        if let Some(first) = refused.first() {
            let n = refused.len();
            let (it, they) = if n == 1 { ("1 was", "it") } else { (&*format!("{n} were"), "they") };
            why.push(format!("{it} refused because {they} would do nothing (first: {first})"));
        }
        let message = (!why.is_empty()).then(|| format!("played {played} of {total} actions; {}", why.join("; ")));
        (p, message)
    }

    /// What can be said of an action without any lane: malformed or too big.
    pub fn validate(action: &Action) -> Result<(), ActionError> {
        match action {
            Action::Raw { text, .. } => parse_request(text).map(drop).map_err(ActionError::Request),
            Action::Tamper { edit, .. } => edit.check().map_err(ActionError::Credential),
            Action::Say { text, .. } => crate::fleet::check_chat_text(text).map_err(ActionError::Message),
            Action::Frame { bytes, .. } => {
                crate::wire::ws::parse_typed_frames(bytes).map(drop).map_err(ActionError::Frame)
            }
            Action::Move { dx, dy, .. } if !(-1..=1).contains(dx) || !(-1..=1).contains(dy) => {
                Err(ActionError::Message("a move is -1, 0 or 1 along each axis".into()))
            }
            Action::Load { users, requests } if *users > MAX_LOAD_USERS || *requests > MAX_LOAD_REQUESTS => {
                Err(ActionError::TooMuchLoad)
            }
            _ => Ok(()),
        }
    }

    /// Refuses an operation that would change nothing in either lane, so
    /// the log holds only what happened.
    fn check_effect(&self, action: &Action) -> Result<(), ActionError> {
        let refuse = |why: String| Err(ActionError::NoEffect(why));
        let counts = self.lanes.each_ref().map(|l| l.servers().len());
        match action {
            Action::Crash { server: no } | Action::Restart { server: no } | Action::Bounce { server: no } => {
                let found: Vec<_> =
                    self.lanes.iter().filter_map(|l| l.servers().iter().find(|s| s.no == *no)).collect();
                if found.is_empty() {
                    return refuse(format!("there is no S{no} in either lane"));
                }
                let (all_up, all_down) = (found.iter().all(|s| s.up), found.iter().all(|s| !s.up));
                match action {
                    Action::Crash { .. } if all_down => refuse(format!("S{no} is already down")),
                    Action::Restart { .. } if all_up && !found.iter().any(|s| s.draining) => refuse(format!(
                        "S{no} is already up; to restart a running server as a deploy does, wiping its memory, use Bounce"
                    )),
                    Action::Bounce { .. } if all_down => {
                        refuse(format!("S{no} is down; Restart starts a crashed server again"))
                    }
                    _ => Ok(()),
                }
            }
            Action::Drain { server: no } => {
                let found: Vec<_> =
                    self.lanes.iter().filter_map(|l| l.servers().iter().find(|s| s.no == *no)).collect();
                if found.is_empty() {
                    refuse(format!("there is no S{no} in either lane"))
                } else if found.iter().all(|s| !s.up || s.draining) {
                    refuse(format!("S{no} is not in service in either lane: nothing to drain"))
                } else {
                    Ok(())
                }
            }
            Action::Sql { .. } if !self.lanes.iter().any(|l| l.config().app.is_db()) => {
                refuse("neither lane runs a database app: SQL needs a db-session, db-txn or db-stateless lane".into())
            }
            Action::AddServer if counts.iter().all(|&n| n >= usize::from(MAX_SERVERS)) => {
                refuse(format!("already at the maximum of {MAX_SERVERS} servers"))
            }
            Action::RemoveServer if counts.iter().all(|&n| n <= 1) => {
                refuse("each lane is down to its last server, which cannot be removed".into())
            }
            Action::Configure { lane, config }
                if self.lanes[lane.index()].config() == &config.sanitized()
                    && self.lanes[lane.index()].fleet_size() == usize::from(config.sanitized().servers) =>
            {
                refuse(format!("lane {lane} already runs {config}"))
            }
            _ => Ok(()),
        }
    }

    /// Runs one action through both lanes, logs it, and returns each lane's
    /// new exchanges.
    pub fn apply(&mut self, action: Action) -> Result<[Vec<Rc<Exchange>>; 2], ActionError> {
        let before = self.lanes.each_ref().map(|l| l.entries().len());
        self.record(action)?;
        let mut i = 0;
        Ok(self.lanes.each_ref().map(|lane| {
            let new = lane.entries()[before[i]..]
                .iter()
                .filter_map(|e| match e {
                    Entry::Exchange(x) => Some(Rc::clone(x)),
                    Entry::Event(_) | Entry::Socket(_) | Entry::Ftp(_) | Entry::Db(_) => None,
                })
                .collect();
            i += 1;
            new
        }))
    }

    /// Runs one action through both lanes and logs it; for rebuilding,
    /// which has no use for the new exchanges [`Playground::apply`] returns.
    pub(crate) fn record(&mut self, action: Action) -> Result<(), ActionError> {
        Playground::validate(&action)?;
        self.check_effect(&action)?;
        self.recipe.actions.push(action);
        self.play(self.recipe.actions.len() - 1);
        Ok(())
    }

    /// Plays logged action `i` through both lanes, checkpointing as work accrues.
    fn play(&mut self, i: usize) {
        let action = &self.recipe.actions[i];
        for lane in &mut self.lanes {
            action.apply_to(lane, i as u32);
        }
        self.since_checkpoint = self.since_checkpoint.saturating_add(action.work());
        if self.since_checkpoint >= self.checkpoint_work {
            self.checkpoint();
        }
    }

    fn checkpoint(&mut self) {
        let lanes = self.lanes.each_mut().map(Lane::snapshot);
        self.checkpoints.push(Rc::new(Checkpoint { actions: self.recipe.actions.len(), lanes }));
        self.since_checkpoint = 0;
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            let mut k = 0;
            self.checkpoints.retain(|_| {
                k += 1;
                k % 2 == 1
            });
            self.checkpoint_work = self.checkpoint_work.saturating_mul(2);
        }
    }

    /// Takes back the last action: back to the latest checkpoint before it,
    /// then replays the few actions after that checkpoint.
    pub fn undo(&mut self) -> Option<Action> {
        let last = self.recipe.actions.pop()?;
        let to = self.recipe.actions.len();
        // Checkpoints past `to` describe a future that no longer exists.
        while self.checkpoints.len() > 1 && self.checkpoints.last().is_some_and(|c| c.actions > to) {
            self.checkpoints.pop();
        }
        let Some(c) = self.checkpoints.last().cloned() else {
            // Unreachable while the first checkpoint is kept; a full replay is still right.
            *self = Playground::from_recipe(&self.recipe);
            return Some(last);
        };
        for (lane, s) in self.lanes.iter_mut().zip(&c.lanes) {
            lane.restore(s);
        }
        self.since_checkpoint = 0;
        for i in c.actions..to {
            self.play(i);
        }
        Some(last)
    }

    /// With an empty log, sets the lane's starting configuration. Otherwise
    /// the change is logged as [`Action::Configure`] and applies from now on,
    /// like a redeploy (cheap: nothing is replayed). An unchanged config or a
    /// lane index other than 0 and 1 does nothing.
    pub fn set_config(&mut self, id: LaneId, config: LaneConfig) {
        if self.recipe.actions.is_empty() {
            let mut configs = self.recipe.configs;
            configs[id.index()] = config;
            *self = Playground::new(self.recipe.seed, configs);
        } else {
            // Refused only when the lane already runs this config: nothing to do.
            let _ = self.apply(Action::Configure { lane: id, config });
        }
    }

    /// Everything needed to rebuild this playground: seed, starting configs, log.
    pub fn recipe(&self) -> &Recipe {
        &self.recipe
    }
    /// The seed both lanes draw from.
    pub fn seed(&self) -> u64 {
        self.recipe.seed
    }
    /// The log: every action accepted so far, in order.
    pub fn actions(&self) -> &[Action] {
        &self.recipe.actions
    }
    /// Lane A, then lane B.
    pub fn lanes(&self) -> &[Lane; 2] {
        &self.lanes
    }
    /// The lane `id`.
    pub fn lane(&self, id: LaneId) -> &Lane {
        &self.lanes[id.index()]
    }
}
