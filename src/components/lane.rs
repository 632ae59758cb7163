use statelab_sim::LaneConfig;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LaneProps {
    /// "A" or "B".
    pub label: AttrValue,
    pub config: LaneConfig,
}

/// One simulated system: its heading now; its fleet and exchanges later.
#[component]
pub fn LanePanel(props: &LaneProps) -> Html {
    let heading_id = format!("lane-{}-title", props.label.to_lowercase());
    html! {
        <section class="lane" aria-labelledby={heading_id.clone()}>
            <h2 id={heading_id}>
                {format!("Lane {} ", props.label)}
                <span class="kind">{props.config.to_string()}</span>
            </h2>
        </section>
    }
}
