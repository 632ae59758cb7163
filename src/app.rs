use crate::components::lane::LanePanel;
use statelab_sim::LaneConfig;
use yew::prelude::*;

#[component]
pub fn App() -> Html {
    html! {
        <>
            <header class="site-header">
                <h1>{"Statelab"}</h1>
                <p>{"Stateless vs stateful systems, side by side: every request, its raw HTTP, and why it worked."}</p>
            </header>
            <main>
                <div class="lanes">
                    <LanePanel label="A" config={LaneConfig::stateless()} />
                    <LanePanel label="B" config={LaneConfig::stateful()} />
                </div>
            </main>
            <footer class="site-footer">
                {"A simulation: no real servers are contacted. "}
            </footer>
        </>
    }
}
