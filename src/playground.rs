//! The playground page: both lanes side by side around one action bar.

use crate::components::action_bar::ActionBar;
use crate::components::comparison::ComparisonTable;
use crate::components::lane::LanePanel;
use crate::components::raw_editor::RawEditor;
use crate::components::scenario::ScenarioPanel;
use crate::components::share::{address, ShareBar};
use crate::hooks::embed::use_height_reports;
use crate::hooks::url_state::use_url_state;
use crate::state::Play;
use statelab_sim::link::Shown;
use statelab_sim::User;
use yew::prelude::*;

#[component]
pub fn PlaygroundView() -> Html {
    let play = use_url_state();
    use_height_reports(play.embed);
    let shown: &[usize] = match play.lanes {
        Shown::Both => &[0, 1],
        Shown::A => &[0],
        Shown::B => &[1],
    };
    let user = use_state(|| User::Alice);
    let on_user = {
        let user = user.clone();
        Callback::from(move |u: User| user.set(u))
    };
    html! {
        <ContextProvider<Play> context={play.clone()}>
            if play.embed {
                <p class="embed-bar"><a href={address(&play, false)} target="_blank" rel="noopener">{"Open the full playground ↗"}</a></p>
            }
            <ScenarioPanel />
            <ActionBar user={*user} {on_user} />
            if let Some(notice) = &play.notice {
                <p class="notice bad" role="alert">{notice}</p>
            }
            <div class={classes!("lanes", (shown.len() == 1).then_some("single"))}>
                { for shown.iter().map(|&lane| html! { <LanePanel key={lane} {lane} user={*user} /> }) }
            </div>
            <RawEditor user={*user} />
            <ComparisonTable />
            <ShareBar />
        </ContextProvider<Play>>
    }
}
