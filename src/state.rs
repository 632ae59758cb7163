//! The view's state: the engine's playground plus what the page shows
//! around it (the scenario being followed, the last refusal). `reduce` only
//! turns messages into engine calls; effects live in hooks.

use statelab_sim::link::{Link, Notice, Shown, Theme};
use statelab_sim::{Action, LaneConfig, Playground, Scenario};
use std::rc::Rc;
use yew::Reducible;

#[derive(Clone)]
pub struct PlayState {
    pub playground: Playground,
    /// The scenario being followed and how many of its steps are played.
    pub scenario: Option<(&'static str, usize)>,
    /// Why the last message was refused, shown until the next one.
    pub notice: Option<String>,
    /// How the page is shown: set by the link, kept in it.
    pub embed: bool,
    pub theme: Theme,
    pub lanes: Shown,
    /// Bumped on every change: equality without comparing playgrounds.
    version: u64,
}

#[derive(Clone)]
pub enum Msg {
    Act(Action),
    Undo,
    Configure(usize, LaneConfig),
    /// Start a scenario from its first step (0 played).
    Follow(&'static str),
    /// Play the followed scenario up to this many steps.
    Step(usize),
    Reset,
    /// Rebuild from a link (Back/Forward landed on another URL).
    Open(Link, Vec<Notice>),
}

impl PlayState {
    /// The state a link describes; what the link got wrong is the notice.
    pub fn from_link(link: &Link, notices: &[Notice]) -> PlayState {
        let notice = (!notices.is_empty()).then(|| {
            let all: Vec<&str> = notices.iter().map(|n| n.0.as_str()).collect();
            format!("This link was partly broken: {}.", all.join("; "))
        });
        PlayState {
            playground: link.playground(),
            scenario: link.scenario,
            notice,
            embed: link.embed,
            theme: link.theme,
            lanes: link.lanes,
            version: 0,
        }
    }

    /// The link that rebuilds this state, view preferences included.
    pub fn link(&self) -> Link {
        let recipe = self.playground.recipe();
        Link {
            seed: recipe.seed,
            scenario: self.scenario,
            configs: recipe.configs,
            actions: if self.scenario.is_some() { Vec::new() } else { recipe.actions.clone() },
            embed: self.embed,
            theme: self.theme,
            lanes: self.lanes,
        }
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn followed(&self) -> Option<(Scenario, usize)> {
        self.scenario.and_then(|(id, step)| Some((Scenario::find(id)?, step)))
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
            Msg::Act(action) => match next.playground.apply(action) {
                // Acting freely leaves the scenario's script; the log now tells the story.
                Ok(_) => next.scenario = None,
                Err(e) => next.notice = Some(e.to_string()),
            },
            Msg::Undo => {
                if next.playground.undo().is_none() {
                    next.notice = Some("nothing to undo".into());
                }
                next.scenario = None;
            }
            Msg::Configure(lane, config) => {
                next.playground.set_config(lane, config);
                next.scenario = None;
            }
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
            Msg::Open(link, notices) => {
                let version = next.version;
                next = PlayState { version, ..PlayState::from_link(&link, &notices) };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_rebuild_the_state_and_say_what_was_wrong() {
        let (link, notices) = Link::from_query("scenario=cart&step=9");
        let state = PlayState::from_link(&link, &notices);
        assert_eq!(state.scenario, Some(("cart", 3)));
        assert_eq!(state.playground.lane(0).exchanges().count(), 7);
        assert!(state.notice.as_deref().unwrap().contains("step 9 is past the end of `cart`"));
        assert_eq!(state.link().to_query(), "scenario=cart&step=3");
    }

    #[test]
    fn acting_freely_turns_the_scenario_into_a_log() {
        let (link, _) = Link::from_query("scenario=cart&step=1");
        let state =
            Rc::new(PlayState::from_link(&link, &[])).reduce(Msg::Act(Action::Me { user: statelab_sim::User::Alice }));
        assert_eq!(state.scenario, None);
        let q = state.link().to_query();
        assert_eq!(q, "b=local.sticky.3&log=login.alice~add.alice.mug~add.alice.tee~cart.alice~me.alice");
        let (back, notices) = Link::from_query(&q);
        assert!(notices.is_empty());
        assert_eq!(
            statelab_sim::transcript::lane_text("B", back.playground().lane(1)),
            statelab_sim::transcript::lane_text("B", state.playground.lane(1))
        );
    }
}
