use crate::components::badge::Outcome;
use crate::state::{Msg, Play};
use statelab_sim::fleet::{DbRecord, FtpConn, FtpLine, FtpRecord, Kind, PgMsg, SocketRecord};
use statelab_sim::wire::pg::Backend;
use statelab_sim::{Action, App, Entry, Lane, LaneId, ServerNo};
use yew::prelude::*;

const W: i32 = 360;
const ROW: i32 = 34;
/// The servers' right edge, and the bus that joins them to the store and
/// the database.
const SERVER_X: i32 = 170;
const SERVER_END: i32 = 266;
const BUS: i32 = 278;
const BACKEND_X: i32 = 290;

/// The newest thing that crossed a lane, as the diagram draws it: where it
/// went and what it used, read from the engine's record of it.
struct Newest {
    /// Keys the trip, so each new one starts afresh: the entry's place in the record.
    key: usize,
    /// The server that answered, or the dead one a request was sent to (a 502).
    target: Option<ServerNo>,
    /// Whether it reached a server (and so may have gone on to the backends).
    served: bool,
    /// Other servers it reached: where the balancer sent an FTP data
    /// connection that was not the control connection's server.
    also: Vec<ServerNo>,
    store_trips: u32,
    db_trips: u32,
    outcome: Outcome,
    /// At the client: `200` for a request, `ws#2` for frames.
    label: String,
}

impl Newest {
    /// A request, or an action's frames on a connection: they travel its
    /// tunnel through the balancer to the server that holds it, and on to
    /// the store when that server publishes, checkpoints or reads there.
    fn of(lane: &Lane) -> Option<Newest> {
        lane.entries().iter().enumerate().rev().find_map(|(key, e)| match e {
            Entry::Exchange(x) => Some(Newest {
                key,
                target: x.server.or(x.tried),
                served: x.server.is_some(),
                also: Vec::new(),
                store_trips: x.store_trips,
                db_trips: x.db_trips,
                outcome: x.outcome(),
                // A body its server died sending: the status alone would read as whole.
                label: if x.cut.is_some() {
                    format!("{} cut", x.response.status)
                } else {
                    x.response.status.to_string()
                },
            }),
            Entry::Socket(r) => Some(Newest {
                key,
                target: Some(r.server),
                served: true,
                also: Vec::new(),
                store_trips: r.store_trips,
                db_trips: 0,
                outcome: frames_outcome(r),
                label: format!("ws#{}", r.conn),
            }),
            Entry::Ftp(r) if const { Kind::Files.compiled() } => {
                // A transfer whose server died under it: its 150 promised a file that never came whole.
                let cut = data_conns(lane, r).any(FtpConn::died);
                Some(Newest {
                    key,
                    target: r.server,
                    served: r.server.is_some(),
                    also: data_servers(lane, r),
                    store_trips: 0,
                    db_trips: 0,
                    outcome: if cut { Outcome::Unavailable } else { ftp_outcome(r) },
                    label: if cut { "ftp cut" } else { "ftp" }.to_owned(),
                })
            }
            Entry::Db(r) if const { Kind::Db.compiled() } => Some(Newest {
                key,
                target: r.server,
                served: r.server.is_some(),
                also: Vec::new(),
                store_trips: 0,
                db_trips: u32::from(!r.messages.is_empty()),
                outcome: db_outcome(r),
                label: "sql".to_owned(),
            }),
            _ => None,
        })
    }
}

/// The servers an action's FTP data connections went to, other than the
/// control connection's (round robin can send one elsewhere, to be refused),
/// read from the connections the record's data lines name.
fn data_servers(lane: &Lane, r: &FtpRecord) -> Vec<ServerNo> {
    let mut out: Vec<ServerNo> = Vec::new();
    for no in data_conns(lane, r).map(|c| c.server) {
        if Some(no) != r.server && !out.contains(&no) {
            out.push(no);
        }
    }
    out
}

/// The data connections an action's FTP record names, as the lane keeps them.
fn data_conns<'a>(lane: &'a Lane, r: &'a FtpRecord) -> impl Iterator<Item = &'a FtpConn> {
    r.lines.iter().filter_map(move |l| match l {
        FtpLine::Data { conn, .. } => lane.ftp_connections().iter().find(|c| c.id == *conn),
        _ => None,
    })
}

/// How an action's frames ended, by the server's close code if it closed:
/// 1008 (the credential no longer holds) is a refusal, 1011 (the store down)
/// an outage; anything else went through.
fn frames_outcome(r: &SocketRecord) -> Outcome {
    let code = r.frames.iter().filter(|f| !f.from_client).find_map(|f| f.frame.close_code());
    match code {
        Some(1008) => Outcome::Refused,
        Some(1011) => Outcome::Unavailable,
        _ => Outcome::Success,
    }
}

/// A permanent negative reply (5xx: not logged in, no such file) was
/// refused; a transient one (4xx: no data connection, service closing)
/// found nobody able to serve it (RFC 959 §4.2.1).
fn ftp_outcome(r: &FtpRecord) -> Outcome {
    let codes = r.codes();
    if codes.iter().any(|c| *c >= 500) {
        Outcome::Refused
    } else if codes.iter().any(|c| *c >= 400) {
        Outcome::Unavailable
    } else {
        Outcome::Success
    }
}

/// An ErrorResponse was refused; a statement no app server took found
/// nobody to serve it.
fn db_outcome(r: &DbRecord) -> Outcome {
    let error = r.messages.iter().any(|m| matches!(m, PgMsg::Back(_, Backend::ErrorResponse(_))));
    match (r.server, error) {
        (None, _) => Outcome::Unavailable,
        (_, true) => Outcome::Refused,
        _ => Outcome::Success,
    }
}

/// Client → balancer → S1..Sn → store / database, with each server's state.
/// The newest request (or a connection's newest frames) travels as a dot
/// along the path it took (out and back, turning the outcome's colour on
/// the way back) and its path stays drawn in that colour, with the
/// outcome's icon and status (or connection) at the client.
/// Servers are buttons: activate one to crash it, or restart it when down.
pub fn fleet_diagram(play: &Play, id: LaneId) -> Html {
    let engine = play.playground();
    let lane = engine.lane(id);
    let servers = lane.servers();
    let newest = Newest::of(lane);
    let newest = newest.as_ref();
    let height = (servers.len() as i32 * ROW).max(3 * ROW) + 8;
    let mid = height / 2;
    let (store_y, db_y) = (mid - 17, mid + 17);
    let target = newest.and_then(|x| x.target);
    let row_of = |no| servers.iter().position(|s| s.no == no).map(|i| 6 + i as i32 * ROW + 14);
    let to_store = newest.is_some_and(|x| x.store_trips > 0);
    let to_db = newest.is_some_and(|x| x.db_trips > 0);
    let outcome = newest.map(|x| x.outcome);
    // "down" would overrun the box: the ✕ and the box's down style say it here, the state panel
    // ("Shared store (down)") in words.
    let store_label = if lane.store().up { "store" } else { "store ✕" };
    // A connection lane's servers show the WebSocket connections they hold.
    let sockets = lane.config().app.is_connection();
    // A file lane's servers hold FTP sessions, each its control connection's
    // state, where a shop lane's hold HTTP sessions.
    let files = lane.config().app.is_files();
    let held =
        |no, http: usize| if files { lane.ftp_sessions().iter().filter(|f| f.server == no).count() } else { http };
    html! {
        <figure class="fleet-figure">
            <svg class={classes!("fleet", outcome.map(Outcome::class))} viewBox={format!("0 0 {W} {height}")} role="group" aria-label={format!("Fleet of lane {}", id)}>
                <rect class="node" x="4" y={(mid - 14).to_string()} width="56" height="28" rx="5" />
                <text x="32" y={(mid + 4).to_string()} text-anchor="middle">{"client"}</text>
                if let (Some(o), Some(x)) = (outcome, newest) {
                    <text class="outcome" x="32" y={(mid + 30).to_string()} text-anchor="middle">{format!("{} {}", o.icon(), x.label)}</text>
                }
                <line class={classes!("cable", newest.is_some().then_some("hot"))} x1="60" y1={mid.to_string()} x2="86" y2={mid.to_string()} />
                <rect class="node" x="86" y={(mid - 14).to_string()} width="44" height="28" rx="5" />
                <text x="108" y={(mid + 4).to_string()} text-anchor="middle">{"LB"}</text>
                <line class="cable" x1={BUS.to_string()} y1="20" x2={BUS.to_string()} y2={(height - 20).to_string()} />
                { for servers.iter().enumerate().map(|(i, s)| {
                    let y = 6 + i as i32 * ROW;
                    let data = newest.is_some_and(|x| x.also.contains(&s.no));
                    let hot = target == Some(s.no) || data;
                    let backend = target == Some(s.no) && newest.is_some_and(|x| x.served) && (to_store || to_db);
                    let (verb, action) = if s.up { ("Crash", Action::Crash { server: s.no }) } else { ("Restart", Action::Restart { server: s.no }) };
                    let sessions = held(s.no, s.sessions.len());
                    let mut label = format!("{verb} S{} ({}, {sessions} session{} held", s.no, if s.up { "up" } else { "down" }, if sessions == 1 { "" } else { "s" });
                    if data {
                        label.push_str(", reached by the newest data connection");
                    }
                    if sockets {
                        label.push_str(&format!(", {} WebSocket connection{} open{}", s.connections, if s.connections == 1 { "" } else { "s" }, if s.draining { ", draining" } else { "" }));
                    }
                    label.push(')');
                    let name = match (s.up, s.draining) {
                        (false, _) => format!("S{} ✕ down", s.no),
                        (true, true) => format!("S{} draining", s.no),
                        (true, false) => format!("S{}", s.no),
                    };
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
                        <g key={s.no} class={classes!("server", (!s.up).then_some("down"), s.draining.then_some("draining"), hot.then_some("hot"))} role="button" tabindex="0" aria-label={label} onclick={act} onkeydown={key}>
                            <line class={classes!("cable", hot.then_some("hot"))} x1="130" y1={mid.to_string()} x2={SERVER_X.to_string()} y2={(y + 14).to_string()} />
                            <line class={classes!("cable", backend.then_some("hot"))} x1={SERVER_END.to_string()} y1={(y + 14).to_string()} x2={BUS.to_string()} y2={(y + 14).to_string()} />
                            <rect class="node" x={SERVER_X.to_string()} y={y.to_string()} width="96" height="28" rx="5" />
                            <text x="178" y={(y + 18).to_string()}>{name}</text>
                            if s.up && sockets {
                                <text class="held" x="258" y={(y + 18).to_string()} text-anchor="end">{format!("⇄{}", s.connections)}</text>
                            } else if s.up {
                                <text class="held" x="258" y={(y + 18).to_string()} text-anchor="end">{sessions.to_string()}</text>
                            }
                        </g>
                    }
                }) }
                <line class={classes!("cable", "to-store", to_store.then_some("hot"))} x1={BUS.to_string()} y1={store_y.to_string()} x2={BACKEND_X.to_string()} y2={store_y.to_string()} />
                <line class={classes!("cable", to_db.then_some("hot"))} x1={BUS.to_string()} y1={db_y.to_string()} x2={BACKEND_X.to_string()} y2={db_y.to_string()} />
                <rect class={classes!("node", (!lane.config().uses_store()).then_some("idle"), (!lane.store().up).then_some("down"))} x={BACKEND_X.to_string()} y={(store_y - 13).to_string()} width="66" height="26" rx="5" />
                <text x="323" y={(store_y + 4).to_string()} text-anchor="middle">{store_label}</text>
                <rect class="node" x={BACKEND_X.to_string()} y={(db_y - 13).to_string()} width="66" height="26" rx="5" />
                <text x="323" y={(db_y + 4).to_string()} text-anchor="middle">{"database"}</text>
                if let Some(x) = newest.filter(|x| x.store_trips > 1) {
                    <text class="trips" x={(BACKEND_X + 66).to_string()} y={(store_y - 17).to_string()} text-anchor="end">{format!("×{} round trips", x.store_trips)}</text>
                }
                if let Some(x) = newest {
                    // Keyed by the request, so each new one starts its trip afresh.
                    <path key={x.key.to_string()} class="trip" d={trip(mid, target.and_then(row_of), (to_store || to_db).then_some(if to_store { store_y } else { db_y }))} pathLength="100" />
                }
            </svg>
            <figcaption class="legend">
                { format!("Lit path: {}; dashed: not used by this lane; ", lit_path(lane.config().app)) }
                { if sockets { "⇄N in a server: the WebSocket connections open on it (its sessions: in the state panel below). " } else { "a server's number: sessions it holds. " } }
                <strong class="needs-script">{"Click a server to crash or restart it."}</strong>
            </figcaption>
        </figure>
    }
}

/// What the lit path is on a lane running `app`, and what its icons mean
/// there: the same outcomes as `frames_outcome`, `ftp_outcome` and
/// `db_outcome` (FTP's 5xx is the refusal, its 4xx the ⚠), and a body or
/// download its server died sending.
fn lit_path(app: App) -> &'static str {
    if app.is_connection() {
        "the newest request, or a connection's newest frames (✓ 2xx, frames · ✕ 4xx, 1008 · ⚠ 5xx, 1011)"
    } else if app.is_files() && app == App::Ftp {
        "the newest FTP command's connections, data connections included (✓ 1xx–3xx replies · ✕ a 5xx reply · ⚠ a 4xx reply, or a download its server died sending)"
    } else if app.is_http_files() {
        "the newest request (✓ 2xx · ✕ 4xx · ⚠ 5xx, or a body its server died sending)"
    } else if app.is_db() {
        "the newest request or statement (✓ 2xx, answered · ✕ 4xx, an ErrorResponse · ⚠ 5xx, no app server took it)"
    } else {
        "the newest request (✓ 2xx · ✕ 4xx · ⚠ 5xx)"
    }
}

/// The newest request's trip as one path, out and back: client, balancer,
/// the server (if it got that far), the store or database (if used), then
/// the same way home.
fn trip(mid: i32, server_y: Option<i32>, backend_y: Option<i32>) -> String {
    let mut out = vec![(32, mid), (108, mid)];
    if let Some(y) = server_y {
        out.extend([(SERVER_X, y), (SERVER_END, y)]);
        if let Some(b) = backend_y {
            out.extend([(BUS, y), (BUS, b), (BACKEND_X + 10, b)]);
        }
    }
    let back = out.iter().rev().skip(1);
    let mut d = format!("M{},{}", out[0].0, out[0].1);
    for (x, y) in out.iter().skip(1).chain(back) {
        d.push_str(&format!("L{x},{y}"));
    }
    d
}
