//! The playground page: a first-visit intro, the tour's current step with
//! its evidence, then both lanes side by side around one action bar.

use crate::browser;
use crate::components::action_bar::ActionBar;
use crate::components::comparison::comparison_table;
use crate::components::history::{self, history};
use crate::components::intro::intro;
use crate::components::lane::lane_panel;
use crate::components::load_panel::{load_panel, run_query};
use crate::components::raw_editor::RawEditor;
use crate::components::scenario::scenario_panel;
use crate::components::share::{share_bar, too_long_notice};
use crate::components::step_view::StepView;
use crate::hooks::embed::use_host_bridge;
use crate::hooks::linked_row::use_linked_row;
use crate::hooks::url_state::{use_url_state, Address};
use crate::state::{Play, PlayState};
use statelab_sim::User;
use yew::prelude::*;

#[derive(Properties, PartialEq, Default)]
pub struct PlaygroundProps {
    /// The shipped page: with the site's header and footer (left out when
    /// embedded, and in component tests).
    #[prop_or_default]
    pub site: bool,
    /// The query the page opens at; `None` (the default) reads the address
    /// bar. The prerenderer (`src/bin/prerender.rs`) renders each page from
    /// its own.
    #[prop_or_default]
    pub start: Option<String>,
}

#[component]
pub fn PlaygroundView(props: &PlaygroundProps) -> Html {
    // First: its effect reads the address's `#row` before the address
    // bar's effect writes the state's address, which has none.
    use_linked_row();
    let url = use_url_state(follow, props.start.clone());
    let play = url.play;
    let embed = play.page.embed;
    // Held here, not in the step view: a host page's `play` and `pause` set it too.
    let playing = use_state(|| false);
    use_host_bridge(&play, &playing);
    let picked = use_state(|| User::Alice);
    // An embedded tour shows its step alone until the reader asks for the rest.
    let details = use_state(|| false);
    let intro_dismissed = use_state(|| false);
    let history_limit = use_state(|| history::PAGE);
    let too_long = match url.address {
        Address::InLink => None,
        Address::TooLong { kb, kept } => Some(too_long_notice(kb, kept)),
    };
    let compact = embed && play.scenario.is_some() && !*details;
    // In a tour, what was wrong with its link comes before the tour (the step
    // below it can be a screen long); in free play, next to the actions it
    // is about.
    let alert = play.notice.as_ref().map(|n| html! { <p class="notice bad" role="alert">{n}</p> });
    let (alert_above, alert_below) = if play.scenario.is_some() { (alert, None) } else { (None, alert) };
    let site = props.site && !embed;
    html! {
        <ContextProvider<Play> context={play.clone()}>
            if site {
                { site_header() }
            }
            <main>
                if embed {
                    { embed_bar(&play, &details) }
                } else {
                    { intro(&play, &intro_dismissed) }
                }
                if let Some(alert) = alert_above {
                    {alert}
                }
                { scenario_panel(&play) }
                <StepView playing={playing.clone()} />
                if let Some(alert) = alert_below {
                    {alert}
                }
                if let Some(said) = play.said {
                    <p class="notice info" role="status">{said}</p>
                }
                if let Some(notice) = too_long {
                    <p class="notice" role="status">{notice}</p>
                }
                if !compact {
                    { details_panel(&play, &picked, &history_limit) }
                } else if !play.page.load.is_empty() {
                    // A compact embed whose link asks for a run shows the run.
                    { load_panel() }
                }
            </main>
            if site {
                <footer class="site-footer">{"A simulation: no real servers are contacted."}</footer>
            }
        </ContextProvider<Play>>
    }
}

/// What the page keeps in step with each new state besides the address: the
/// colour scheme, the title and the load run its link asks for, done by the address
/// bar's effect just before it writes the address, so that everything a
/// state changes outside the view changes in one place.
fn follow(state: &PlayState) {
    browser::set_theme(state.page.theme);
    // The tab, its bookmark and its history entry name the state shown.
    browser::set_title(&crate::meta::title(state.scenario));
    if let Some(query) = run_query(state) {
        browser::sync_load_run(&query);
    }
}

/// The shipped page's title and its link to the Learn page.
fn site_header() -> Html {
    html! {
        <header class="site-header">
            <div>
                <h1>{"Statelab"}</h1>
                <p>{"Stateless vs stateful, side by side: two simulated server fleets get the same clicks; see every request's raw HTTP, which server took it, and why it worked or failed."}</p>
            </div>
            <nav aria-label="Site"><a href="./learn.html">{"Learn the ideas"}</a></nav>
        </header>
    }
}

/// An embed's own line: in a tour, the switch that shows the rest of the
/// page (`details`), and always the way out to the full playground.
fn embed_bar(play: &Play, details: &UseStateHandle<bool>) -> Html {
    let toggle = {
        let details = details.clone();
        Callback::from(move |_: MouseEvent| details.set(!*details))
    };
    html! {
        <p class="embed-bar">
            if play.scenario.is_some() {
                <button type="button" class="link" aria-expanded={details.to_string()} onclick={toggle}>
                    { if **details { "Hide details" } else { "Show details" } }
                </button>
            }
            // Relative to the site's root (the page's base URL), so the
            // prerendered page carries the same link.
            <a href={full_page(play)} target="_blank" rel="noopener">{"Open the full playground ↗"}</a>
        </p>
    }
}

/// This state's address on the full page, relative to the site's root.
fn full_page(play: &PlayState) -> String {
    let url = play.url_with(&crate::page::Page { embed: false, ..play.page.clone() });
    if url.is_empty() {
        "./".to_owned()
    } else {
        url
    }
}

/// Everything below the tour: the actions, the lanes, the history, the
/// hand-written request, the measurements, load runs and sharing. `picked`:
/// the user the action bar acts as; `history_limit`: how many actions the
/// history shows (kept by the page, so it survives every change of state).
fn details_panel(play: &Play, picked: &UseStateHandle<User>, history_limit: &UseStateHandle<usize>) -> Html {
    let on_user = {
        let picked = picked.clone();
        Callback::from(move |u: User| picked.set(u))
    };
    // Following a scenario, the browser shown is the one the step acts for.
    let step_user = play.step_user();
    let user = step_user.unwrap_or(**picked);
    let why: Option<AttrValue> = step_user
        .map(|u| format!("Shown because this scenario step acts for {} (its last user action).", u.username()).into());
    html! {
        <div id="details" class="details">
            <ActionBar user={**picked} {on_user} />
            <div class={classes!("lanes", (play.page.shown().len() == 1).then_some("single"))}>
                { for play.page.shown().into_iter().map(|lane| lane_panel(play, lane, user, why.clone())) }
            </div>
            { history(play, history_limit) }
            // An FTP lane's servers answer no HTTP: with nothing but FTP lanes, no editor.
            if play.playground().lanes().iter().any(|l| l.config().app != statelab_sim::App::Ftp) {
                <RawEditor user={**picked} />
            }
            if play.playground().lanes().iter().any(|l| l.config().app.is_connection()) {
                { crate::components::frame_editor(**picked) }
            }
            { comparison_table(play) }
            { load_panel() }
            { share_bar(play) }
            if play.scenario.is_none() && !play.page.embed && !play.playground().actions().is_empty() {
                { crate::components::make_tour(play) }
            }
        </div>
    }
}
