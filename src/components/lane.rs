use crate::components::exchange::{ExchangeView, Shared};
use crate::components::fleet::FleetDiagram;
use crate::components::lane_heading::{heading_id, LaneHeading};
use crate::components::select;
use crate::components::state_panels::StatePanels;
use crate::state::{Msg, Play};
use statelab_sim::config::MAX_SERVERS;
use statelab_sim::export::har;
use statelab_sim::transcript::lane_text;
use statelab_sim::{AuthMode, LaneConfig, Strategy, User};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LaneProps {
    pub lane: usize,
    /// Whose browser the state panel shows.
    pub user: User,
}

#[derive(Clone, Copy)]
enum Export {
    Har,
    Transcript,
}

/// How many of the newest exchanges are shown in full; older ones fold away.
const RECENT: usize = 6;

/// One whole system: its configuration, fleet, state and exchanges.
#[component]
pub fn LanePanel(props: &LaneProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let show_older = use_state(|| false);
    let exported = use_state(String::new);
    let lane = play.playground.lane(props.lane);
    let config = *lane.config();
    let label = ["A", "B"][props.lane];
    let id = |what: &str| format!("lane-{}-{what}", label.to_ascii_lowercase());
    let configure = |f: fn(LaneConfig, &str) -> Option<LaneConfig>| {
        let play = play.clone();
        let i = props.lane;
        Callback::from(move |v: String| {
            if let Some(c) = f(config, &v) {
                play.dispatch(Msg::Configure(i, c));
            }
        })
    };
    // Count, then walk only to what is on screen: a lane can hold thousands.
    let total = lane.exchanges_rc().count();
    let older = total.saturating_sub(RECENT);
    let shown = |skip: usize, take: usize| lane.exchanges_rc().rev().skip(skip).take(take);
    let focus = play.followed().and_then(|(s, step)| step.checked_sub(1).map(|i| s.steps[i].focus)).unwrap_or(&[]);
    let export = |what: Export| {
        let (play, exported, i) = (play.clone(), exported.clone(), props.lane);
        Callback::from(move |_: MouseEvent| {
            let lane = play.playground.lane(i);
            let name = ["a", "b"][i];
            exported.set(match what {
                Export::Har => {
                    match crate::browser::download(&format!("statelab-lane-{name}.har"), "application/json", &har(lane))
                    {
                        Some(()) => "HAR downloaded".into(),
                        None => "Download failed".into(),
                    }
                }
                Export::Transcript if crate::browser::copy(&lane_text(&name.to_ascii_uppercase(), lane)) => {
                    "Transcript copied".into()
                }
                Export::Transcript => "Copying failed".into(),
            })
        })
    };
    let toggle = {
        let show_older = show_older.clone();
        Callback::from(move |_: MouseEvent| show_older.set(!*show_older))
    };
    html! {
        <section class="lane" aria-labelledby={heading_id(props.lane)}>
            <LaneHeading lane={props.lane} {config} />
            <div class="exports" role="group" aria-label={format!("Export lane {label}")}>
                <button type="button" onclick={export(Export::Har)}>{"Download HAR"}</button>
                <button type="button" onclick={export(Export::Transcript)}>{"Copy transcript"}</button>
                <span class="muted" role="status">{(*exported).clone()}</span>
            </div>
            <div class="config">
                { select(&id("auth"), "Auth", &AuthMode::ALL.map(|m| (m.code().to_owned(), m.to_string())), config.auth.code(),
                    configure(|c, v| AuthMode::ALL.into_iter().find(|m| m.code() == v).map(|m| c.with_auth(m)))) }
                { select(&id("balancer"), "Balancer", &Strategy::ALL.map(|s| (s.code().to_owned(), s.label().to_owned())), config.balancer.code(),
                    configure(|c, v| Strategy::ALL.into_iter().find(|s| s.code() == v).map(|s| c.with_balancer(s)))) }
                { select(&id("servers"), "Servers", &(1..=MAX_SERVERS).map(|n| (n.to_string(), n.to_string())).collect::<Vec<_>>(), &config.servers.to_string(),
                    configure(|c, v| v.parse().ok().map(|n| c.with_servers(n)))) }
            </div>
            <FleetDiagram lane={props.lane} />
            <StatePanels lane={props.lane} user={props.user} />
            <h3>{format!("Requests ({total})")}</h3>
            if total == 0 {
                <p class="muted">{"No requests yet: log in from the action bar, or pick a scenario."}</p>
            }
            { for shown(0, RECENT).map(|x| html! { <ExchangeView key={x.seq} exchange={Shared(x.clone())} {focus} /> }) }
            if older > 0 {
                <button type="button" class="link" aria-expanded={show_older.to_string()} onclick={toggle}>
                    {format!("{} {older} older request{}", if *show_older { "Hide" } else { "Show" }, if older == 1 { "" } else { "s" })}
                </button>
                if *show_older {
                    { for shown(RECENT, older).map(|x| html! { <ExchangeView key={x.seq} exchange={Shared(x.clone())} /> }) }
                }
            }
        </section>
    }
}
