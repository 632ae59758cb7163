use statelab_sim::{LaneConfig, LaneId};
use yew::prelude::*;

/// `Lane A stateless JWT · round robin · 3 servers (1 down)`; its id labels
/// the lane's section. `servers` is the fleet as it is now (Add/Remove
/// server change it), not the configured starting size.
pub fn lane_heading(lane: LaneId, c: &LaneConfig, servers: usize, down: usize) -> Html {
    html! {
        <h2 id={heading_id(lane)}>{format!("Lane {lane} ")}
            <span class="kind">{format!("{} · {} · {}", kind(c, c.design()), c.balancer.label(), fleet(servers, down))}</span>
        </h2>
    }
}

/// The app and the design, as the engine names a lane (`LaneConfig::kind`).
pub fn kind(c: &LaneConfig, design: impl std::fmt::Display) -> String {
    c.kind(design)
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
