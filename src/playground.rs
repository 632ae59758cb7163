//! The playground page: both lanes side by side around one action bar.

use crate::components::action_bar::ActionBar;
use crate::components::comparison::ComparisonTable;
use crate::components::lane::LanePanel;
use crate::components::raw_editor::RawEditor;
use crate::components::scenario::ScenarioPanel;
use crate::hooks::url_state::use_url_state;
use crate::state::Play;
use statelab_sim::User;
use yew::prelude::*;

#[component]
pub fn PlaygroundView() -> Html {
    let play = use_url_state();
    let user = use_state(|| User::Alice);
    let on_user = {
        let user = user.clone();
        Callback::from(move |u: User| user.set(u))
    };
    html! {
        <ContextProvider<Play> context={play.clone()}>
            <ScenarioPanel />
            <ActionBar user={*user} {on_user} />
            if let Some(notice) = &play.notice {
                <p class="notice bad" role="alert">{notice}</p>
            }
            <div class="lanes">
                <LanePanel lane={0} user={*user} />
                <LanePanel lane={1} user={*user} />
            </div>
            <RawEditor user={*user} />
            <ComparisonTable />
        </ContextProvider<Play>>
    }
}
