//! The view's state: the engine's playground plus what the page shows
//! around it (the scenario being followed, the last refusal). `reduce` only
//! turns messages into engine calls; effects live in hooks.

use statelab_sim::{Action, LaneConfig, Playground, Scenario};
use std::rc::Rc;
use yew::Reducible;

pub const DEFAULT_SEED: u64 = 1;

#[derive(Clone)]
pub struct PlayState {
    pub playground: Playground,
    /// The scenario being followed and how many of its steps are played.
    pub scenario: Option<(&'static str, usize)>,
    /// Why the last message was refused, shown until the next one.
    pub notice: Option<String>,
    /// Bumped on every change: equality without comparing playgrounds.
    version: u64,
}

pub enum Msg {
    Act(Action),
    Undo,
    Configure(usize, LaneConfig),
    /// Start a scenario from its first step (0 played).
    Follow(&'static str),
    /// Play the followed scenario up to this many steps.
    Step(usize),
    Reset,
}

impl PlayState {
    pub fn new() -> PlayState {
        PlayState {
            playground: Playground::new(DEFAULT_SEED, [LaneConfig::stateless(), LaneConfig::stateful()]),
            scenario: None,
            notice: None,
            version: 0,
        }
    }

    pub fn followed(&self) -> Option<(Scenario, usize)> {
        self.scenario.and_then(|(id, step)| Some((Scenario::find(id)?, step)))
    }
}

impl Default for PlayState {
    fn default() -> Self {
        PlayState::new()
    }
}

impl PartialEq for PlayState {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

impl Reducible for PlayState {
    type Action = Msg;

    fn reduce(self: Rc<Self>, msg: Msg) -> Rc<Self> {
        // Cloning is cheap: exchanges are shared `Rc`s.
        let mut next = Rc::unwrap_or_clone(self);
        next.version += 1;
        next.notice = None;
        match msg {
            Msg::Act(action) => {
                if let Err(e) = next.playground.apply(action) {
                    next.notice = Some(e.to_string());
                }
            }
            Msg::Undo => {
                if next.playground.undo().is_none() {
                    next.notice = Some("nothing to undo".into());
                }
            }
            Msg::Configure(lane, config) => next.playground.set_config(lane, config),
            Msg::Follow(id) => {
                if let Some(s) = Scenario::find(id) {
                    next.playground = Playground::from_scenario(&s, next.playground.seed(), 0);
                    next.scenario = Some((s.id, 0));
                }
            }
            Msg::Step(step) => {
                if let Some((s, _)) = next.followed() {
                    let step = step.min(s.steps.len());
                    next.playground = Playground::from_scenario(&s, next.playground.seed(), step);
                    next.scenario = Some((s.id, step));
                }
            }
            Msg::Reset => {
                let seed = next.playground.seed();
                next.playground = Playground::new(seed, [LaneConfig::stateless(), LaneConfig::stateful()]);
                next.scenario = None;
            }
        }
        Rc::new(next)
    }
}

/// The context every component reads and dispatches to.
pub type Play = yew::UseReducerHandle<PlayState>;
