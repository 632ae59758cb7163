use crate::components::copy::CopyButton;
use crate::components::exchange::{ExchangeView, Shared};
use crate::components::fleet::FleetDiagram;
use crate::components::lane_heading::{heading_id, LaneHeading};
use crate::components::select;
use crate::components::state_panels::StatePanels;
use crate::state::{Msg, Play};
use statelab_sim::config::MAX_SERVERS;
use statelab_sim::export::har;
use statelab_sim::transcript::lane_text;
use statelab_sim::{AuthMode, Entry, LaneConfig, LaneId, Strategy, User};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LaneProps {
    pub lane: LaneId,
    /// Whose browser the state panel shows.
    pub user: User,
    /// Why it is that user's (a scenario step acts for them).
    #[prop_or_default]
    pub why: Option<AttrValue>,
}

/// How many of the newest exchanges are shown in full; older ones fold away.
const RECENT: usize = 6;

/// One whole system: its configuration, fleet, state and exchanges.
#[component]
pub fn LanePanel(props: &LaneProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let show_older = use_state(|| false);
    let downloaded = use_state(String::new);
    let lane = play.playground.lane(props.lane.index());
    let config = *lane.config();
    let (fleet, down) = (lane.fleet_size(), lane.servers().iter().filter(|s| !s.up).count());
    let id = |what: &str| format!("lane-{}-{what}", props.lane.code());
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
    // Only the exchanges the current step made carry its highlights.
    let step_focus = play.followed().and_then(|(s, step)| step.checked_sub(1).map(|i| s.steps[i].focus)).unwrap_or(&[]);
    let step_start = play.step_start();
    let focus = |x: &statelab_sim::Exchange| match step_start {
        Some(start) if x.action >= start => step_focus,
        _ => &[],
    };
    // Newest first, requests `skip..skip + take` and, between them, the faults
    // and clock moves that happened, in the engine's own words. Walks only as
    // far back as it shows.
    let rows = |skip: usize, take: usize| {
        let end = if skip.saturating_add(take) >= total { usize::MAX } else { skip + take };
        let mut out = Vec::new();
        let mut n = 0;
        for (i, e) in lane.entries().iter().enumerate().rev() {
            if n >= end {
                break;
            }
            let here = n >= skip;
            match e {
                Entry::Exchange(x) => {
                    n += 1;
                    if here {
                        out.push(html! { <ExchangeView key={x.seq} exchange={Shared(x.clone())} focus={focus(x)} /> });
                    }
                }
                Entry::Event(ev) if here => out.push(html! {
                    <p key={format!("e{i}")} class="event"><time>{ev.at.clock()}</time>{" "}{&ev.text}</p>
                }),
                Entry::Event(_) => {}
            }
        }
        out
    };
    let download = {
        let (play, downloaded, l) = (play.clone(), downloaded.clone(), props.lane);
        Callback::from(move |_: MouseEvent| {
            let har = har(play.playground.lane(l.index()));
            downloaded.set(
                match crate::browser::download(&format!("statelab-lane-{}.har", l.code()), "application/json", &har) {
                    Some(()) => "HAR downloaded".into(),
                    None => "Download failed".into(),
                },
            )
        })
    };
    let transcript = {
        let (play, l) = (play.clone(), props.lane);
        Callback::from(move |()| lane_text(l.label(), play.playground.lane(l.index())))
    };
    // The selector shows the fleet as it is (Add/Remove server change it);
    // picking a size asks the engine for that fleet.
    let on_servers = configure(|c, v| v.parse().ok().map(|n| c.with_servers(n)));
    let toggle = {
        let show_older = show_older.clone();
        Callback::from(move |_: MouseEvent| show_older.set(!*show_older))
    };
    html! {
        <section class="lane" aria-labelledby={heading_id(props.lane)}>
            <LaneHeading lane={props.lane} {config} servers={fleet} {down} />
            <div class="exports" role="group" aria-label={format!("Export lane {}", props.lane)}>
                <button type="button" onclick={download}>{"Download HAR"}</button>
                <span class="muted" role="status">{(*downloaded).clone()}</span>
                <CopyButton label="Copy transcript" done="Transcript copied" text={transcript} />
            </div>
            <div class="config">
                { select(&id("auth"), "Auth", &AuthMode::ALL.map(|m| (m.code().to_owned(), m.to_string())), config.auth.code(),
                    configure(|c, v| AuthMode::ALL.into_iter().find(|m| m.code() == v).map(|m| c.with_auth(m)))) }
                { select(&id("balancer"), "Balancer", &Strategy::ALL.map(|s| (s.code().to_owned(), s.label().to_owned())), config.balancer.code(),
                    configure(|c, v| Strategy::ALL.into_iter().find(|s| s.code() == v).map(|s| c.with_balancer(s)))) }
                { select(&id("servers"), "Servers", &(1..=MAX_SERVERS).map(|n| (n.to_string(), n.to_string())).collect::<Vec<_>>(), &fleet.to_string(),
                    on_servers) }
            </div>
            <FleetDiagram lane={props.lane} />
            <StatePanels lane={props.lane} user={props.user} why={props.why.clone()} />
            <h3>{format!("Requests ({total})")}</h3>
            if lane.entries().is_empty() {
                <p class="muted">{"No requests yet: log in from the action bar, or pick a scenario."}</p>
            }
            // Its own element: a keyed list among unkeyed siblings made Yew rebuild them.
            <div class="history">{ for rows(0, RECENT) }</div>
            if older > 0 {
                <button type="button" class="link" aria-expanded={show_older.to_string()} onclick={toggle}>
                    {format!("{} {older} older request{}", if *show_older { "Hide" } else { "Show" }, if older == 1 { "" } else { "s" })}
                </button>
                if *show_older {
                    <div class="history">{ for rows(RECENT, older) }</div>
                }
            }
        </section>
    }
}
