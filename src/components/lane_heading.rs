use statelab_sim::{LaneConfig, LaneId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LaneHeadingProps {
    pub lane: LaneId,
    pub config: LaneConfig,
    /// The fleet as it is now (Add/Remove server change it), not the
    /// configured starting size.
    pub servers: usize,
    pub down: usize,
}

/// `Lane A stateless JWT · round robin · 3 servers (1 down)`; its id labels
/// the lane's section.
#[component]
pub fn LaneHeading(props: &LaneHeadingProps) -> Html {
    let c = &props.config;
    html! {
        <h2 id={heading_id(props.lane)}>{format!("Lane {} ", props.lane)}
            <span class="kind">{format!("{} · {} · {}", c.auth, c.balancer.label(), fleet(props.servers, props.down))}</span>
        </h2>
    }
}

/// `3 servers`, `1 server`, `3 servers (1 down)`.
pub fn fleet(servers: usize, down: usize) -> String {
    let plural = if servers == 1 { "" } else { "s" };
    match down {
        0 => format!("{servers} server{plural}"),
        _ => format!("{servers} server{plural} ({down} down)"),
    }
}

pub fn heading_id(lane: LaneId) -> String {
    format!("lane-{}-title", lane.code())
}
