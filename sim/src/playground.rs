//! Two lanes fed the same actions. State is seed + configs + action log:
//! replaying the log rebuilds every byte, which gives undo, reload and
//! share links for free.

use crate::action::Action;
use crate::config::LaneConfig;
use crate::exchange::Exchange;
use crate::http::{parse_request, ParseError};
use crate::lane::Lane;
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::rc::Rc;

pub const LANE_LABELS: [&str; 2] = ["A", "B"];
/// Bounds on a load action, so a hand-edited link cannot freeze the page.
pub const MAX_LOAD_REQUESTS: u32 = 100_000;
pub const MAX_LOAD_USERS: u16 = 1_000;

/// An action refused before it touches the log (so nothing is lost).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionError {
    Request(ParseError),
    Credential(String),
    TooMuchLoad,
}

impl fmt::Display for ActionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionError::Request(e) => write!(f, "request not sent — {e}"),
            ActionError::Credential(e) => write!(f, "credential not changed — {e}"),
            ActionError::TooMuchLoad => {
                write!(f, "a load run is limited to {MAX_LOAD_REQUESTS} requests from {MAX_LOAD_USERS} users")
            }
        }
    }
}

impl std::error::Error for ActionError {}

/// The serialisable part of a playground: everything needed to rebuild it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipe {
    pub seed: u64,
    pub configs: [LaneConfig; 2],
    pub actions: Vec<Action>,
}

#[derive(Clone, Debug)]
pub struct Playground {
    recipe: Recipe,
    lanes: [Lane; 2],
}

impl Playground {
    pub fn new(seed: u64, configs: [LaneConfig; 2]) -> Playground {
        let configs = configs.map(LaneConfig::sanitized);
        Playground {
            lanes: [Lane::new(configs[0], seed, 0), Lane::new(configs[1], seed, 1)],
            recipe: Recipe { seed, configs, actions: Vec::new() },
        }
    }

    /// Rebuilds a playground, skipping actions that would be refused.
    pub fn from_recipe(recipe: &Recipe) -> Playground {
        let mut p = Playground::new(recipe.seed, recipe.configs);
        for a in &recipe.actions {
            let _ = p.apply(a.clone());
        }
        p
    }

    /// The scenario's lanes with its first `steps` steps played.
    pub fn from_scenario(s: &Scenario, seed: u64, steps: usize) -> Playground {
        let mut p = Playground::new(seed, s.lanes);
        for step in s.steps.iter().take(steps) {
            for a in &step.actions {
                // Scenario actions are written to be valid; a test holds them to it.
                let _ = p.apply(a.clone());
            }
        }
        p
    }

    pub fn validate(action: &Action) -> Result<(), ActionError> {
        match action {
            Action::Raw { text, .. } => parse_request(text).map(drop).map_err(ActionError::Request),
            Action::Tamper { edit, .. } => edit.check().map_err(ActionError::Credential),
            Action::Load { users, requests } if *users > MAX_LOAD_USERS || *requests > MAX_LOAD_REQUESTS => {
                Err(ActionError::TooMuchLoad)
            }
            _ => Ok(()),
        }
    }

    /// Runs one action through both lanes, logs it, and returns each lane's
    /// new exchanges.
    pub fn apply(&mut self, action: Action) -> Result<[Vec<Rc<Exchange>>; 2], ActionError> {
        Playground::validate(&action)?;
        let index = self.recipe.actions.len() as u32;
        let new = self.lanes.each_mut().map(|lane| {
            let before = lane.exchanges_rc().count();
            lane.apply(&action, index);
            lane.exchanges_rc().skip(before).cloned().collect()
        });
        self.recipe.actions.push(action);
        Ok(new)
    }

    /// Takes back the last action by replaying all the others.
    pub fn undo(&mut self) -> Option<Action> {
        let mut recipe = self.recipe.clone();
        let last = recipe.actions.pop()?;
        *self = Playground::from_recipe(&recipe);
        Some(last)
    }

    /// Reconfigures one lane and replays the same actions through it.
    pub fn set_config(&mut self, lane: usize, config: LaneConfig) {
        let mut recipe = self.recipe.clone();
        recipe.configs[lane] = config;
        *self = Playground::from_recipe(&recipe);
    }

    pub fn recipe(&self) -> &Recipe {
        &self.recipe
    }
    pub fn seed(&self) -> u64 {
        self.recipe.seed
    }
    pub fn actions(&self) -> &[Action] {
        &self.recipe.actions
    }
    pub fn lanes(&self) -> &[Lane; 2] {
        &self.lanes
    }
    pub fn lane(&self, i: usize) -> &Lane {
        &self.lanes[i]
    }
}
