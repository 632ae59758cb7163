use statelab_sim::LaneConfig;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LaneHeadingProps {
    /// 0 for lane A, 1 for lane B.
    pub lane: usize,
    pub config: LaneConfig,
}

/// `Lane A stateless JWT · round robin · 3 servers`; its id labels the lane's section.
#[component]
pub fn LaneHeading(props: &LaneHeadingProps) -> Html {
    let label = ["A", "B"][props.lane];
    html! {
        <h2 id={heading_id(props.lane)}>{format!("Lane {label} ")}<span class="kind">{props.config.to_string()}</span></h2>
    }
}

pub fn heading_id(lane: usize) -> String {
    format!("lane-{}-title", ["a", "b"][lane])
}
