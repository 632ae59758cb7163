use crate::components::badge::Outcome;
use crate::state::{Msg, Play};
use statelab_sim::server::Server;
use statelab_sim::{Action, Exchange, LaneId, ServerNo};
use std::fmt::Write;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FleetProps {
    pub lane: LaneId,
}

// The drawing's grid, in viewBox units: client, balancer, servers, then the
// store and database, left to right.
const W: i32 = 360;
const ROW: i32 = 34;
const CLIENT_R: i32 = 52;
const LB_L: i32 = 70;
const LB_R: i32 = 106;
const SRV_L: i32 = 132;
const SRV_W: i32 = 120;
const SRV_R: i32 = SRV_L + SRV_W;
const BUS: i32 = 262;
const BACK_L: i32 = 274;

/// The exchange the diagram draws: where it went and what it cost.
struct Trip<'a> {
    x: &'a Exchange,
    outcome: Outcome,
    /// The server that answered, or that the balancer tried while it was
    /// down; `None` when the balancer answered by itself.
    at: Option<ServerNo>,
    /// That server's row, if it is still in the fleet.
    row: Option<usize>,
    store: u32,
    db: usize,
}

impl<'a> Trip<'a> {
    fn of(x: &'a Exchange, servers: &[Server]) -> Trip<'a> {
        let at = x.server.or_else(|| tried(x));
        Trip {
            x,
            outcome: Outcome::of(x.response.status),
            at,
            row: at.and_then(|no| servers.iter().position(|s| s.no == no)),
            store: x.store_trips,
            // The engine traces every database round trip with this prefix.
            db: x.trace.iter().filter(|l| l.starts_with("database:")).count(),
        }
    }
}

/// A 502's dead server: the balancer's trace line "S1 refused the
/// connection…". Anything else leaves the 502 drawn at the balancer.
fn tried(x: &Exchange) -> Option<ServerNo> {
    x.trace.iter().find_map(|l| l.strip_prefix('S')?.split_once(" refused the connection")?.0.parse().ok())
}

/// Space-separated classes from the parts present: one shared function
/// instead of a `classes!` expansion per element (the bundle is gated).
fn class(parts: &[Option<&'static str>]) -> Classes {
    let mut c = Classes::new();
    for p in parts.iter().flatten() {
        c.push(*p);
    }
    c
}

fn translate(y: i32) -> String {
    format!("translate(0 {y})")
}

/// The vertical centre of server row `i`.
fn cy(i: usize) -> i32 {
    18 + i as i32 * ROW
}

/// Client → balancer → S1..Sn → store / database. The newest request (or
/// the current step's) is drawn as a path in its outcome's colour, a dot
/// travels it (CSS; none under reduced motion), and the server that
/// answered carries its ✓/✕/⚠ and status. Servers are buttons: activate
/// one to crash it, or restart it when it is down. Few elements, built in
/// few places: the diagram is redrawn on every action and each `html!`
/// element costs bundle size.
#[component]
pub fn FleetDiagram(props: &FleetProps) -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let lane = play.playground.lane(props.lane.index());
    let servers = lane.servers();
    // Following a scenario, only the current step's own request is drawn.
    let start = play.step_start();
    let trip =
        lane.exchanges().next_back().filter(|x| start.is_none_or(|s| x.action >= s)).map(|x| Trip::of(x, servers));
    let height = (servers.len().max(3) as i32) * ROW + 4;
    let mid = height / 2;
    let (store_y, db_y) = (mid - 17, mid + 17);
    let last = cy(servers.len().saturating_sub(1));

    // Every cable in one path, every cross over a down node in another.
    let mut wires = format!("M{CLIENT_R} {mid}H{LB_L}");
    let mut crosses = String::new();
    for (i, s) in servers.iter().enumerate() {
        let y = cy(i);
        let _ = write!(wires, "M{LB_R} {mid}L{SRV_L} {y}M{SRV_R} {y}H{BUS}");
        if !s.up {
            let _ = write!(crosses, "M{SRV_L} {}l{SRV_W} 28m0-28l-{SRV_W} 28", y - 14);
        }
    }
    let _ = write!(
        wires,
        "M{BUS} {}V{}M{BUS} {store_y}H{BACK_L}M{BUS} {db_y}H{BACK_L}",
        cy(0).min(store_y),
        last.max(db_y)
    );
    let store = lane.store();
    if !store.up {
        let _ = write!(crosses, "M{BACK_L} {}l84 26m0-26l-84 26", store_y - 13);
    }

    // The request's path: to the server (or only the balancer), then on to
    // each backend it used.
    let path = trip.as_ref().map(|t| {
        let mut d = format!("M{CLIENT_R} {mid}H{LB_R}");
        if let Some(i) = t.row {
            let y = cy(i);
            let _ = write!(d, "L{SRV_L} {y}");
            for (used, to) in [(t.store > 0, store_y), (t.db > 0, db_y)] {
                if used {
                    let _ = write!(d, "M{SRV_R} {y}H{BUS}V{to}H{BACK_L}");
                }
            }
        }
        d
    });
    // The dot's waypoints, read by the `trip` keyframes: the server, then
    // the farthest backend it used (or the server again).
    let dot = trip.as_ref().map(|t| {
        let (sx, sy) = t.row.map_or((88, mid), |i| (SRV_L, cy(i)));
        let (fx, fy) = match (t.row, t.store > 0, t.db > 0) {
            (Some(_), true, _) => (BACK_L, store_y),
            (Some(_), false, true) => (BACK_L, db_y),
            _ => (sx, sy),
        };
        format!("--m:{mid}px;--sx:{sx}px;--sy:{sy}px;--fx:{fx}px;--fy:{fy}px")
    });
    let o = trip.as_ref().map(|t| t.outcome.class());
    let tag = |t: &Trip| format!("{} {}", t.outcome.icon(), t.x.response.status);
    let lb_tag = trip.as_ref().filter(|t| t.at.is_none()).map(tag);
    let uses_store = lane.config().auth.uses_store();
    let (store_trips, db_trips) = trip.as_ref().map_or((0, 0), |t| (t.store as usize, t.db));
    let backend = |y: i32, label: &str, trips: usize, down: bool, idle: bool| {
        let text = match (down, trips) {
            (true, 0) => format!("{label} down"),
            (true, k) => format!("{label} down ×{k}"),
            (false, 0) => label.to_owned(),
            (false, k) => format!("{label} ×{k}"),
        };
        // Translated into place: the children's coordinates stay constant.
        html! {
            <g class={class(&[Some("backend"), down.then_some("down"), idle.then_some("idle"), (trips > 0).then_some("used"), (trips > 0).then_some(o).flatten()])} transform={translate(y - 13)}>
                <rect class="node" x="274" width="84" height="26" rx="5" />
                <text x="316" y="17" text-anchor="middle">{text}</text>
            </g>
        }
    };

    html! {
        <div class="fleet-fig">
            <svg class="fleet" viewBox={format!("0 0 {W} {height}")} role="group" aria-label={format!("Fleet of lane {}", props.lane)}>
                <path class="wire" d={wires} />
                <path class={class(&[Some("trip"), o])} d={path} />
                <g class={class(&[Some("front"), o, o.map(|_| "hot"), lb_tag.as_ref().map(|_| "lb-hot")])} transform={translate(mid - 14)}>
                    <rect class="node client" x="2" width="50" height="28" rx="5" />
                    <text x="27" y="18" text-anchor="middle">{"client"}</text>
                    <rect class="node lb" x="70" width="36" height="28" rx="5" />
                    <text x="88" y="18" text-anchor="middle">{"LB"}</text>
                    <text class="tag" x="88" y="46" text-anchor="middle">{lb_tag}</text>
                </g>
                { for servers.iter().enumerate().map(|(i, s)| {
                    let hot = trip.as_ref().filter(|t| t.row == Some(i));
                    let no = s.no;
                    let (verb, action) = if s.up { ("Crash", Action::Crash { server: no }) } else { ("Restart", Action::Restart { server: no }) };
                    let held = s.sessions.len();
                    let label = format!("{verb} S{no} ({}, {held} session{} held)", if s.up { "up" } else { "down" }, if held == 1 { "" } else { "s" });
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
                    // A down server says so in text, as well as in colour and a cross.
                    let state = if s.up { format!("S{no} ● {held}") } else { format!("S{no} down") };
                    html! {
                        <g key={no} class={class(&[Some("server"), (!s.up).then_some("down"), hot.map(|t| t.outcome.class()), hot.map(|_| "hot")])} transform={translate(cy(i) - 14)} role="button" tabindex="0" aria-label={label} onclick={act} onkeydown={key}>
                            <rect class="node" x="132" width="120" height="28" rx="5" />
                            <text x="138" y="18">{state}</text>
                            <text class="tag" x="246" y="18" text-anchor="end">{hot.map(tag)}</text>
                        </g>
                    }
                }) }
                { backend(store_y, "store", store_trips, !store.up, !uses_store) }
                { backend(db_y, "database", db_trips, false, false) }
                <path class="cross" d={crosses} />
                // Keyed by the exchange: a new request restarts the
                // animation, a re-render for anything else does not.
                <circle key={trip.as_ref().map_or(0, |t| t.x.seq)} class={class(&[Some("dot"), o])} r="5" style={dot} />
            </svg>
            <ul class="fleet-legend" aria-label="Legend">
                { for [
                    (Outcome::Success.class(), Outcome::Success.icon(), "2xx worked"),
                    (Outcome::Refused.class(), Outcome::Refused.icon(), "4xx refused"),
                    (Outcome::Unavailable.class(), Outcome::Unavailable.icon(), "5xx no answer"),
                    ("sw", "", "up"),
                    ("sw down", "", "down"),
                    ("", "●", "n sessions held in memory"),
                    ("", "×", "n round trips"),
                ].map(|(class, mark, what)| html! {
                    <li><span {class} aria-hidden="true">{mark}</span>{what}</li>
                }) }
            </ul>
            <p class="fleet-hint">{"Click a server to crash or restart it."}</p>
        </div>
    }
}
