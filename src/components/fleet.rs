use crate::components::badge::Outcome;
use crate::state::{Msg, Play};
use statelab_sim::{Action, LaneId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FleetProps {
    pub lane: LaneId,
}

const W: i32 = 360;
const ROW: i32 = 34;

/// Client → balancer → S1..Sn → store / database, with each server's state.
/// The latest request's path is drawn in the accent colour. Servers are
/// buttons: activate one to crash it, or restart it when it is down.
#[component]
pub fn FleetDiagram(props: &FleetProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let lane = play.playground.lane(props.lane.index());
    let servers = lane.servers();
    let newest = lane.exchanges().next_back();
    let last = newest.map(|x| x.server);
    // The newest answer, back at the client: colour, icon and status (never colour alone).
    let outcome = newest.map(|x| (Outcome::of(x.response.status), x.response.status));
    let height = (servers.len() as i32 * ROW).max(3 * ROW) + 8;
    let mid = height / 2;
    let uses_store = lane.config().auth.uses_store();
    let store_label = if lane.store().up { "store" } else { "store ✕" };
    html! {
        <svg class={classes!("fleet", outcome.map(|(o, _)| o.class()))} viewBox={format!("0 0 {W} {height}")} role="group" aria-label={format!("Fleet of lane {}", props.lane)}>
            <rect class="node" x="4" y={(mid - 14).to_string()} width="56" height="28" rx="5" />
            <text x="32" y={(mid + 4).to_string()} text-anchor="middle">{"client"}</text>
            if let Some((o, status)) = outcome {
                <text class="outcome" x="32" y={(mid + 30).to_string()} text-anchor="middle">{format!("{} {status}", o.icon())}</text>
            }
            <line class={classes!("cable", last.is_some().then_some("hot"))} x1="60" y1={mid.to_string()} x2="86" y2={mid.to_string()} />
            <rect class="node" x="86" y={(mid - 14).to_string()} width="44" height="28" rx="5" />
            <text x="108" y={(mid + 4).to_string()} text-anchor="middle">{"LB"}</text>
            { for servers.iter().enumerate().map(|(i, s)| {
                let y = 6 + i as i32 * ROW;
                let hot = last == Some(Some(s.no));
                let no = s.no;
                let (verb, action) = if s.up { ("Crash", Action::Crash { server: no }) } else { ("Restart", Action::Restart { server: no }) };
                let label = format!("{verb} S{no} ({}, {} session{} held)", if s.up { "up" } else { "down" }, s.sessions.len(), if s.sessions.len() == 1 { "" } else { "s" });
                let act = {
                    let play = play.clone();
                    let action = action.clone();
                    Callback::from(move |_: MouseEvent| play.dispatch(Msg::Act(action.clone())))
                };
                let key = {
                    let play = play.clone();
                    Callback::from(move |e: KeyboardEvent| if e.key() == "Enter" || e.key() == " " {
                        e.prevent_default();
                        play.dispatch(Msg::Act(action.clone()));
                    })
                };
                html! {
                    <g key={no} class={classes!("server", (!s.up).then_some("down"), hot.then_some("hot"))} role="button" tabindex="0" aria-label={label} onclick={act} onkeydown={key}>
                        <line class={classes!("cable", hot.then_some("hot"))} x1="130" y1={mid.to_string()} x2="170" y2={(y + 14).to_string()} />
                        <rect class="node" x="170" y={y.to_string()} width="96" height="28" rx="5" />
                        <text x="178" y={(y + 18).to_string()}>{format!("S{no} {}", if s.up { "▲" } else { "▼" })}</text>
                        <text x="258" y={(y + 18).to_string()} text-anchor="end">{format!("{}", s.sessions.len())}</text>
                    </g>
                }
            }) }
            <rect class={classes!("node", (!uses_store).then_some("idle"), (!lane.store().up).then_some("down"))} x="290" y={(mid - 30).to_string()} width="66" height="26" rx="5" />
            <text x="323" y={(mid - 13).to_string()} text-anchor="middle">{store_label}</text>
            <rect class="node" x="290" y={(mid + 4).to_string()} width="66" height="26" rx="5" />
            <text x="323" y={(mid + 21).to_string()} text-anchor="middle">{"database"}</text>
        </svg>
    }
}
