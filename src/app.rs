use crate::components::lane_heading::{heading_id, LaneHeading};
use statelab_sim::LaneConfig;
use yew::prelude::*;

/// The shipped page. It shows the shell only: the playground
/// (`crate::playground::PlaygroundView`) is built and tested, but mounting
/// it takes the release bundle past its size budget (see CHANGELOG.md), so
/// it waits for that budget to be settled.
#[component]
pub fn App() -> Html {
    let lanes = [LaneConfig::stateless(), LaneConfig::stateful()];
    html! {
        <>
            <header class="site-header">
                <h1>{"Statelab"}</h1>
                <p>{"Stateless vs stateful systems, side by side: every request, its raw HTTP, and why it worked."}</p>
            </header>
            <main>
                <div class="lanes">
                    { for lanes.into_iter().enumerate().map(|(lane, config)| html! {
                        <section class="lane" aria-labelledby={heading_id(lane)}>
                            <LaneHeading {lane} {config} />
                        </section>
                    }) }
                </div>
            </main>
            <footer class="site-footer">{"A simulation: no real servers are contacted."}</footer>
        </>
    }
}
