//! The view's state: the engine's playground plus what the page shows
//! around it (the scenario being followed, the last refusal, how the page
//! is shown). `reduce` only turns messages into engine calls; effects live
//! in hooks.

use crate::address;
use crate::bundle;
use crate::page::Page;
use statelab_sim::link::{self, Link, Notice};
use statelab_sim::text::url_form;
use statelab_sim::tours::AUTHORED_ID;
use statelab_sim::{Action, LaneConfig, LaneId, Playground, Scenario, TourPos, User};
use std::cell::{Ref, RefCell};
use std::rc::Rc;
use yew::Reducible;

#[derive(Clone)]
pub struct PlayState {
    /// The engine, changed in place by `reduce`: copying it for every
    /// message cost more than the message itself (with a 100,000-action
    /// log, ~30 ms to clone and ~15 ms to drop natively, against 0.3 ms for
    /// an undo). Only the newest state is ever shown, so nothing needs the
    /// old copy; read it through [`PlayState::playground`].
    engine: Rc<RefCell<Engine>>,
    /// The scenario being followed, at the step played.
    pub scenario: Option<TourPos>,
    /// The tour and step the user left by acting on their own: offered
    /// back until they pick, reset or open something else.
    pub left: Option<TourPos>,
    /// The author's tour the page holds (from a `tour=` link or made on the
    /// page), with its `tour=` value; `scenario` and `left` name it as
    /// [`AUTHORED_ID`]. Read through [`PlayState::authored`].
    authored: Option<(Rc<Scenario>, Rc<str>)>,
    /// Why the last message was refused, shown until the next one.
    pub notice: Option<String>,
    /// What the last message did when that is not plain to see (a reset
    /// that Undo can take back), shown until the next one.
    pub said: Option<&'static str>,
    /// The state before the last Reset: Undo with nothing left to undo
    /// brings it back.
    before_reset: Option<Rc<PlayState>>,
    /// How the page is shown: set by the link, kept in it.
    pub page: Page,
    /// This change is the user's own step through a scenario: it gets its
    /// own history entry. Everything else (opening or normalising a link,
    /// free play) replaces the current one, so Back always leaves the page.
    pub new_entry: bool,
    /// Bumped on every change: equality without comparing playgrounds.
    version: u64,
    /// The state asked for needs lanes this build does not run (`bundle.rs`):
    /// the query that describes it, which the page moves to in the bundle
    /// that does. The playground shown meanwhile is the one before.
    pub moving: Option<String>,
}

/// The playground and its log as link text, together so that the text
/// always describes this playground.
struct Engine {
    playground: Playground,
    log_text: LogText,
}

impl Engine {
    fn new(playground: Playground) -> Rc<RefCell<Engine>> {
        Rc::new(RefCell::new(Engine { playground, log_text: LogText::default() }))
    }
}

/// A log's `log=` value, kept action by action: an undo cuts its end and a
/// new action adds its own, where writing the whole text of a
/// 100,000-action log took ~8 ms of every change in wasm.
#[derive(Default)]
struct LogText {
    text: String,
    /// Where each action's text ends.
    ends: Vec<usize>,
}

impl LogText {
    /// The text of `actions`, the first of which it already holds unchanged.
    fn of(&mut self, actions: &[Action]) -> &str {
        for action in actions.get(self.ends.len()..).unwrap_or_default() {
            if !self.ends.is_empty() {
                self.text.push('~');
            }
            self.text += &link::encode(&url_form(std::slice::from_ref(action)));
            self.ends.push(self.text.len());
        }
        &self.text
    }

    /// Keeps the text of the first `n` actions only.
    fn cut(&mut self, n: usize) {
        self.ends.truncate(n);
        self.text.truncate(self.ends.last().copied().unwrap_or(0));
    }
}

#[derive(Clone)]
pub enum Msg {
    Act(Action),
    Undo,
    Configure(LaneId, LaneConfig),
    /// Start a scenario from its first step (0 played).
    Follow(&'static str),
    /// Play the followed scenario up to this many steps.
    Step(usize),
    /// Go back to the tour step left by acting freely.
    Resume,
    Reset,
    /// Follow an author's tour (just made on the page) from its first step;
    /// with its link's `tour=` value.
    FollowAuthored(Rc<Scenario>, Rc<str>),
    /// Rebuild from a link (Back/Forward landed on another URL).
    Open(Link, Page, Vec<String>),
    /// Show the page in this colour scheme (a host page's `theme` command).
    Theme(crate::page::Theme),
}

/// What went wrong reading a link, as one notice.
pub fn link_notice(notices: &[String]) -> Option<String> {
    (!notices.is_empty()).then(|| format!("This link was partly broken: {}.", notices.join("; ")))
}

/// An address query: the engine's link read, then the page's parameters.
pub fn read_query(query: &str) -> (Link, Page, Vec<String>) {
    let (link, notices, pairs) = Link::read(query);
    let mut notes: Vec<String> = notices.into_iter().map(|Notice(n)| n).collect();
    let page = Page::read(&pairs, &mut notes);
    (link, page, notes)
}

impl PlayState {
    /// The state a link describes; what the link got wrong is the notice.
    pub fn from_link(link: &Link, page: Page, notices: &[String]) -> PlayState {
        if bundle::must_move(link) {
            let moving = Some(address::join_query(link.to_query(), &page));
            return PlayState { moving, ..PlayState::from_link(&Link::default(), page, &[]) };
        }
        let (playground, cut) = link.playground();
        // Only a build out of step with the tour table lands here: say so.
        let unplayed = (!bundle::runs(link)).then(|| "this page's build cannot play what the link asks for".to_owned());
        let notices: Vec<String> = notices.iter().cloned().chain(unplayed).collect();
        let notice = match (link_notice(&notices), cut) {
            (broken, None) => broken,
            (None, Some(Notice(cut))) => Some(format!("This link could not be played in full: {cut}.")),
            (Some(broken), Some(Notice(cut))) => Some(format!("{broken} Nor could it be played in full: {cut}.")),
        };
        PlayState {
            engine: Engine::new(playground),
            scenario: link.scenario,
            left: None,
            authored: link.authored.as_ref().and_then(|a| Some((a.tour.clone()?, a.text.clone()))),
            notice,
            said: None,
            before_reset: None,
            page,
            new_entry: false,
            version: 0,
            moving: None,
        }
    }

    /// The query of this state with lane `lane` switched to `config`, as
    /// [`Playground::set_config`] would switch it: the starting config while
    /// the log is empty, else a `config` action at its end.
    fn query_configured(&self, lane: LaneId, config: LaneConfig) -> String {
        let recipe = self.playground().recipe().clone();
        let mut link = Link {
            seed: recipe.seed,
            scenario: None,
            configs: recipe.configs,
            actions: recipe.actions,
            authored: None,
        };
        if link.actions.is_empty() {
            link.configs[lane.index()] = config;
        } else {
            link.actions.push(Action::Configure { lane, config });
        }
        address::join_query(link.to_query(), &self.page)
    }

    pub fn from_query(query: &str) -> PlayState {
        let (link, page, notes) = read_query(query);
        PlayState::from_link(&link, page, &notes)
    }

    /// The engine's part of the query that rebuilds this state, at `step`
    /// of the followed tour; written from the recipe as it is (a long log
    /// is not copied first).
    fn engine_query(&self, scenario: Option<TourPos>) -> String {
        let Engine { playground, log_text } = &mut *self.engine.borrow_mut();
        let recipe = playground.recipe();
        let log = if scenario.is_some() { "" } else { log_text.of(&recipe.actions) };
        let tour = self.authored().filter(|_| scenario.is_some_and(|at| at.tour == AUTHORED_ID));
        link::query(recipe.seed, scenario, tour.map(|(_, value)| &**value), &recipe.configs, log)
    }

    /// The whole query (without `?`): the engine's state, then the page's.
    pub fn query_with(&self, page: &Page) -> String {
        address::join_query(self.engine_query(self.scenario), page)
    }

    /// The site-relative addresses of the tour steps between the one `from`
    /// names and this one, both left out: a jump forward (Play to the end,
    /// or clicks rendered together) still gives Back one entry per step.
    pub fn steps_between(&self, from: &Link) -> Vec<String> {
        let (Some(to), Some(from)) = (self.scenario, from.scenario) else { return Vec::new() };
        if to.tour != from.tour {
            return Vec::new();
        }
        (from.step + 1..to.step)
            .map(|step| {
                let at = Some(TourPos { step, ..to });
                address::url_of(&self.engine_query(at), at, &self.page)
            })
            .collect()
    }

    /// This state's site-relative address, shown as `page` shows it: a tour
    /// step's own page, or the root with the query (`address::url_of`).
    pub fn url_with(&self, page: &Page) -> String {
        address::url_of(&self.engine_query(self.scenario), self.scenario, page)
    }

    /// The whole query (as [`PlayState::query`]) and the address (as
    /// [`PlayState::url_with`] the page's own parameters), from one writing
    /// of the engine's query: the address bar needs both on every change,
    /// and with a long log that writing is the costly part.
    pub fn query_and_url(&self) -> (String, String) {
        let engine = self.engine_query(self.scenario);
        let url = address::url_of(&engine, self.scenario, &self.page);
        (address::join_query(engine, &self.page), url)
    }

    pub fn query(&self) -> String {
        self.query_with(&self.page)
    }

    /// Acting on one's own ends the tour; remember where, to offer it back.
    fn leave_tour(&mut self) {
        if let Some(at) = self.scenario.take() {
            self.left = Some(at);
        }
    }

    /// Plays tour `s` up to `step` on a playground of its own (the one
    /// replaced stays with the previous state), with the same seed. Starting,
    /// resuming or stepping a tour is the user's own move: it gets a history
    /// entry, so Back returns to where they were.
    fn go_to_step(&mut self, s: &Scenario, step: usize) {
        let seed = self.playground().seed();
        self.set(Playground::from_scenario(s, seed, step));
        self.scenario = Some(TourPos { tour: s.id, step });
        self.new_entry = true;
    }

    pub fn playground(&self) -> Ref<'_, Playground> {
        Ref::map(self.engine.borrow(), |e| &e.playground)
    }

    /// Replaces the engine: a fresh one, so the previous state keeps its own.
    fn set(&mut self, playground: Playground) {
        self.engine = Engine::new(playground);
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    /// The author's tour the page holds, with its `tour=` value. Always
    /// `None` where author tours are not read (the gated bundles move such a
    /// page on), which lets the compiler leave out what follows from one.
    pub fn authored(&self) -> Option<&(Rc<Scenario>, Rc<str>)> {
        if cfg!(feature = "authoring") {
            self.authored.as_ref()
        } else {
            None
        }
    }

    pub fn followed(&self) -> Option<(Scenario, usize)> {
        self.find(self.scenario?)
    }

    /// The tour `at` names, built-in or the author's the page holds.
    pub fn find(&self, at: TourPos) -> Option<(Scenario, usize)> {
        match self.authored() {
            Some((s, _)) if at.tour == AUTHORED_ID => Some((Scenario::clone(s), at.step)),
            _ => at.find(),
        }
    }

    /// Log indices from which the exchanges belong to the current scenario
    /// step (`None` before the first step or in free play): the step's
    /// actions are those after all the earlier steps' actions.
    pub fn step_start(&self) -> Option<u32> {
        let (s, step) = self.followed()?;
        s.step_start(step)
    }

    /// Whom the current scenario step is about: the user of its last user
    /// action (a step of faults only has none).
    pub fn step_user(&self) -> Option<User> {
        let (s, step) = self.followed()?;
        s.steps.get(step.checked_sub(1)?)?.actions.iter().rev().find_map(Action::user)
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
        // Cheap: the engine is shared, not copied.
        let mut next = Rc::unwrap_or_clone(self);
        next.version += 1;
        next.notice = None;
        next.said = None;
        next.new_entry = false;
        next.moving = None;
        match msg {
            // A lane of a kind this bundle leaves out: the page moves to one that has it.
            Msg::Act(Action::Configure { lane, config }) | Msg::Configure(lane, config)
                if !bundle::runs_app(config.app) =>
            {
                next.moving = Some(next.query_configured(lane, config));
                next.said = Some("Loading the code for this kind of lane…");
            }
            Msg::Act(action) => {
                let applied = next.engine.borrow_mut().playground.apply(action).map(drop);
                match applied {
                    // Acting freely leaves the scenario's script; the log now tells the story.
                    Ok(()) => next.leave_tour(),
                    Err(e) => next.notice = Some(e.to_string()),
                }
            }
            Msg::Undo => {
                let undone = {
                    let Engine { playground, log_text } = &mut *next.engine.borrow_mut();
                    let undone = playground.undo().is_some();
                    // Cut now: another action may follow before the text is read.
                    log_text.cut(playground.actions().len());
                    undone
                };
                if undone {
                    next.leave_tour();
                } else if let Some(before) = next.before_reset.take() {
                    let version = next.version;
                    next = PlayState { version, said: Some("Reset undone."), ..Rc::unwrap_or_clone(before) };
                } else {
                    next.notice = Some("nothing to undo".into());
                }
            }
            Msg::Configure(lane, config) => {
                next.engine.borrow_mut().playground.set_config(lane, config);
                next.leave_tour();
            }
            Msg::Follow(id) => match Scenario::find(id) {
                Some(s) => {
                    next.go_to_step(&s, 0);
                    next.left = None;
                }
                // A tour of a kind this bundle leaves out: the page moves to one that has it.
                None => {
                    let seed = next.playground().recipe().seed;
                    let link = Link { seed, scenario: Some(TourPos { tour: id, step: 0 }), ..Link::default() };
                    next.moving = Some(address::join_query(link.to_query(), &next.page));
                    next.said = Some("Loading the code for this tour…");
                    // As starting a tour in this bundle does: Back returns here.
                    next.new_entry = true;
                }
            },
            Msg::Resume => {
                if let Some((s, step)) = next.left.take().and_then(|at| next.find(at)) {
                    next.go_to_step(&s, step);
                }
            }
            Msg::Step(step) => {
                if let Some((s, _)) = next.followed() {
                    next.go_to_step(&s, step.min(s.steps.len()));
                }
            }
            Msg::FollowAuthored(s, value) => {
                next.authored = Some((s.clone(), value));
                // The editor that `make=1` opened has done its work.
                next.page.make = false;
                next.go_to_step(&s, 0);
                next.left = None;
                next.said = Some("Your tour is made. Step through it above; the link, the embed code and the tour file are under Share.");
            }
            Msg::Open(link, page, notices) => {
                let version = next.version;
                next = PlayState { version, ..PlayState::from_link(&link, page, &notices) };
            }
            Msg::Theme(theme) => next.page.theme = theme,
            Msg::Reset => {
                let seed = next.playground().seed();
                let before = PlayState { before_reset: None, ..next.clone() };
                next.set(Playground::new(seed, [LaneConfig::stateless(), LaneConfig::stateful()]));
                next.scenario = None;
                next.left = None;
                next.before_reset = Some(Rc::new(before));
                next.said = Some("Started over. Undo brings back what you had.");
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
        let state = PlayState::from_query("scenario=cart&step=9&theme=pink");
        assert_eq!(state.scenario, Some(TourPos { tour: "cart", step: 3 }));
        assert_eq!(state.playground().lane(LaneId::A).exchanges().count(), 7);
        let notice = state.notice.as_deref().unwrap();
        assert!(notice.contains("step 9 is past the end of `cart`"), "{notice}");
        assert!(notice.contains("theme `pink`"), "{notice}");
        assert_eq!(state.query(), "scenario=cart&step=3");
    }

    #[test]
    fn acting_freely_turns_the_scenario_into_a_log() {
        let state = Rc::new(PlayState::from_query("scenario=cart&step=1&lanes=b"))
            .reduce(Msg::Act(Action::Me { user: statelab_sim::User::Alice }));
        assert_eq!(state.scenario, None);
        let q = state.query();
        assert_eq!(q, "b=local.sticky.3&log=login.alice~add.alice.mug~add.alice.tee~cart.alice~me.alice&lanes=b");
        let back = PlayState::from_query(&q);
        assert_eq!(back.notice, None);
        assert_eq!(
            statelab_sim::text::lane_text("B", back.playground().lane(LaneId::B)),
            statelab_sim::text::lane_text("B", state.playground().lane(LaneId::B))
        );
    }

    /// The query a core page moves to when a lane is switched to a kind it
    /// lacks is the state the bundle that has it reaches by the same switch.
    #[test]
    fn a_switch_written_for_another_bundle_is_the_switch_this_one_makes() {
        let chat = LaneConfig { app: statelab_sim::App::Chat(statelab_sim::Store::Shared), ..LaneConfig::stateless() };
        for start in ["", "log=login.alice&lanes=b", "scenario=cart&step=2"] {
            let state = Rc::new(PlayState::from_query(start));
            let written = state.query_configured(LaneId::B, chat);
            let switched = state.reduce(Msg::Configure(LaneId::B, chat));
            assert_eq!(switched.moving, None, "this build runs chat lanes");
            assert_eq!(written, switched.query(), "from `{start}`");
            assert_eq!(PlayState::from_query(&written).moving, None);
        }
    }

    #[test]
    fn only_a_users_own_step_asks_for_a_new_history_entry() {
        let opened = Rc::new(PlayState::from_query("scenario=revocation"));
        assert!(!opened.new_entry, "opening (and normalising) a link replaces the entry");
        let stepped = opened.reduce(Msg::Step(1));
        assert!(stepped.new_entry);
        let acted = stepped.reduce(Msg::Act(Action::Me { user: User::Alice }));
        assert!(!acted.new_entry);
    }

    #[test]
    fn a_step_points_at_its_own_exchanges_and_its_own_user() {
        // restart: step 1 is Alice's, step 3 Bob's (see the scenario's script).
        let s = Scenario::find("restart").unwrap();
        for step in 1..=s.steps.len() {
            let state = PlayState::from_query(&format!("scenario=restart&step={step}"));
            let start = state.step_start().unwrap();
            let before: usize = s.steps[..step - 1].iter().map(|st| st.actions.len()).sum();
            assert_eq!(start as usize, before);
            let mine = state.playground().lane(LaneId::A).exchanges().filter(|x| x.action >= start).count();
            let all = state.playground().lane(LaneId::A).exchanges().count();
            if step > 1 {
                assert!(mine < all, "step {step}: earlier steps' exchanges are not this step's");
            }
            assert_eq!(state.step_user(), s.steps[step - 1].actions.iter().rev().find_map(Action::user));
        }
        assert_eq!(PlayState::from_query("scenario=restart").step_start(), None);
    }

    #[test]
    fn acting_in_a_tour_offers_the_way_back_to_its_step() {
        let state = Rc::new(PlayState::from_query("scenario=cart&step=2"))
            .reduce(Msg::Act(Action::Me { user: User::Bob }))
            .reduce(Msg::Act(Action::Me { user: User::Alice }));
        let cart_2 = TourPos { tour: "cart", step: 2 };
        assert_eq!((state.scenario, state.left), (None, Some(cart_2)), "free play remembers the step left");
        let back = state.reduce(Msg::Resume);
        assert_eq!((back.scenario, back.left), (Some(cart_2), None));
        assert!(back.new_entry);
        let fresh = PlayState::from_query("scenario=cart&step=2");
        assert_eq!(
            statelab_sim::text::lane_text("B", back.playground().lane(LaneId::B)),
            statelab_sim::text::lane_text("B", fresh.playground().lane(LaneId::B)),
            "the tour's state, not the free actions"
        );
        assert_eq!(back.reduce(Msg::Reset).left, None);
    }

    #[test]
    fn a_jump_forward_names_every_step_it_passes() {
        let at_end = PlayState::from_query("scenario=revocation&step=4&lanes=b");
        let (from, _, _) = read_query("scenario=revocation&step=1");
        assert_eq!(at_end.steps_between(&from), vec!["tour/revocation/2/?lanes=b", "tour/revocation/3/?lanes=b"]);
        let (other, _, _) = read_query("scenario=cart&step=1");
        assert!(at_end.steps_between(&other).is_empty(), "another tour: nothing in between");
        let (later, _, _) = read_query("scenario=revocation&step=4");
        assert!(at_end.steps_between(&later).is_empty());
    }

    #[test]
    fn undo_takes_back_a_reset() {
        let state = Rc::new(PlayState::from_query("scenario=cart&step=2"));
        let transcript = |s: &PlayState| statelab_sim::text::lane_text("B", s.playground().lane(LaneId::B));
        let reset = state.clone().reduce(Msg::Reset);
        assert!(reset.playground().actions().is_empty());
        assert!(reset.said.is_some(), "a reset says Undo can take it back");
        // Acting after the reset: Undo first takes back that action, then the reset.
        let acted = reset.reduce(Msg::Act(Action::Me { user: User::Alice }));
        let undone = acted.reduce(Msg::Undo);
        assert!(undone.playground().actions().is_empty());
        let back = undone.reduce(Msg::Undo);
        assert_eq!(back.scenario, Some(TourPos { tour: "cart", step: 2 }));
        assert_eq!(transcript(&back), transcript(&state));
    }

    #[test]
    fn the_link_follows_every_change_also_when_not_read_between_them() {
        let me = |user| Msg::Act(Action::Me { user });
        let state = Rc::new(PlayState::from_query("log=login.alice~me.alice&b=local.sticky.3"));
        assert_eq!(state.query(), "b=local.sticky.3&log=login.alice~me.alice");
        let state = state.reduce(Msg::Undo).reduce(me(User::Bob)).reduce(me(User::Carol));
        assert_eq!(state.query(), "b=local.sticky.3&log=login.alice~me.bob~me.carol");
        let state = state.reduce(Msg::Undo).reduce(Msg::Undo).reduce(Msg::Undo).reduce(me(User::Bob));
        assert_eq!(state.query(), "b=local.sticky.3&log=me.bob");
        let reset = state.reduce(Msg::Reset).reduce(me(User::Alice));
        assert_eq!(reset.query(), "log=me.alice");
        assert_eq!(reset.reduce(Msg::Undo).reduce(Msg::Undo).query(), "b=local.sticky.3&log=me.bob");
    }
}
