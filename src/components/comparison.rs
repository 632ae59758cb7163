use crate::components::lane_heading::kind;
use crate::state::Play;
use statelab_sim::{App, Lane, Stats};
use yew::prelude::*;

/// A row: its stable id (the Learn page links to it), what is measured, the
/// Learn page's row that explains it, and how to read it off a lane.
type Row = (&'static str, &'static str, &'static str, fn(&Lane, &Stats) -> String);

/// The source material's Stateless-vs-Stateful table, filled with what was
/// measured in this run. Each row links to the Learn page's explanation.
pub fn comparison_table(play: &Play) -> Html {
    let engine = play.playground();
    let [a, b] = engine.lanes();

    let rows: [Row; 14] = [
        ("measured-requests", "Requests sent", "./learn.html#compare", |_, s| s.requests.to_string()),
        ("measured-failed", "Requests failed (status 400 or above)", "./learn.html#fault-tolerance", |_, s| {
            s.failed.to_string()
        }),
        ("measured-unauthorized", "Asked to log in again (401)", "./learn.html#memory", |_, s| {
            s.unauthorized.to_string()
        }),
        ("measured-unavailable", "Unavailable (502/503)", "./learn.html#fault-tolerance", |_, s| {
            s.unavailable.to_string()
        }),
        (
            "measured-sessions-lost",
            "Sessions lost to crashes, restarts and removed servers",
            "./learn.html#fault-tolerance",
            |_, s| s.sessions_lost.to_string(),
        ),
        (
            "measured-credential-mean",
            "Credential bytes per request that carried one (mean)",
            "./learn.html#request-size",
            |_, s| one_decimal(s.mean_credential_tenths(), " B"),
        ),
        (
            "measured-credential-total",
            "Credential bytes sent, in total",
            "./learn.html#client-responsibility",
            |_, s| format!("{} B", s.credential_bytes),
        ),
        (
            "measured-state-held",
            "State held now by servers and store (sessions; on connection lanes, connections and rooms too)",
            "./learn.html#server-resources",
            |l, _| format!("{} B", l.state_bytes()),
        ),
        ("measured-store-trips", "Store round trips", "./learn.html#scalability", |_, s| s.store_trips.to_string()),
        ("measured-store-trips-mean", "Store round trips per request (mean)", "./learn.html#scalability", |_, s| {
            one_decimal(tenths(s.store_trips, s.requests), "")
        }),
        (
            "measured-db-trips-mean",
            "Database round trips per request (mean)",
            "./learn.html#server-resources",
            |_, s| one_decimal(tenths(s.db_trips, s.requests), ""),
        ),
        ("measured-refreshes", "Refresh requests sent", "./learn.html#revocation", |_, s| s.refreshes.to_string()),
        (
            "measured-revocation",
            "At the latest logout, a copy of the credential stayed valid for",
            "./learn.html#revocation",
            |_, s| s.revocation_window_s.map_or("—".to_owned(), statelab_sim::base::human_duration),
        ),
        ("measured-latency", "Mean latency per request", "./learn.html#scalability", |_, s| {
            format!("{} ms", s.mean_latency_ms())
        }),
    ];
    // Connection lanes add what happened on their WebSockets; a shop lane has none.
    let sockets = engine.lanes().iter().any(|l| l.config().app.is_connection());
    let socket_rows: [Row; 9] = [
        (
            "measured-ws-opened",
            "WebSocket connections opened (handshakes answered 101)",
            "./learn.html#scalability",
            |_, s| s.sockets.opened.to_string(),
        ),
        (
            "measured-ws-reconnects",
            "Of those, reopened by the app after losing one",
            "./learn.html#fault-tolerance",
            |_, s| s.sockets.reconnects.to_string(),
        ),
        ("measured-ws-failed", "Reconnect attempts that failed", "./learn.html#fault-tolerance", |_, s| {
            s.sockets.failed_attempts.to_string()
        }),
        (
            "measured-ws-dropped",
            "Dropped with no close frame: the client reports 1006, never sent on the wire",
            "./learn.html#fault-tolerance",
            |_, s| s.sockets.dropped.to_string(),
        ),
        (
            "measured-ws-going-away",
            "Closed by a server with 1001 (going away)",
            "./learn.html#fault-tolerance",
            |_, s| s.sockets.going_away.to_string(),
        ),
        (
            "measured-ws-policy",
            "Closed by a server with 1008 (policy violation: the credential no longer held)",
            "./learn.html#revocation",
            |_, s| s.sockets.policy_closed.to_string(),
        ),
        ("measured-ws-frames", "Frames that crossed, both ways", "./learn.html#scalability", |_, s| {
            s.sockets.frames.to_string()
        }),
        ("measured-ws-delivered", "Messages delivered to a connection", "./learn.html#memory", |_, s| {
            s.sockets.delivered.to_string()
        }),
        (
            "measured-ws-missed",
            "Messages a client in the room did not get: its server never heard of them",
            "./learn.html#memory",
            |_, s| s.sockets.missed.to_string(),
        ),
    ];
    // Game lanes add what became of their matches when a server went.
    let games = engine.lanes().iter().any(|l| matches!(l.config().app, App::Game(_)));
    let game_rows: [Row; 2] = [
        (
            "measured-matches-lost",
            "Matches a server's memory held when it crashed, restarted or left",
            "./learn.html#fault-tolerance",
            |_, s| s.sockets.matches_lost.to_string(),
        ),
        (
            "measured-matches-resumed",
            "Matches taken up from the store's checkpoint by a server that ran none",
            "./learn.html#fault-tolerance",
            |_, s| s.sockets.matches_resumed.to_string(),
        ),
    ];

    html! {
        <section class="comparison" aria-labelledby="comparison-title">
            <h2 id="comparison-title">{"Measured in this run"}</h2>
            <table>
                <thead><tr>
                    <th scope="col">{"What"}</th>
                    <th scope="col">{format!("A: {}", kind(a.config(), a.config().design()))}</th>
                    <th scope="col">{format!("B: {}", kind(b.config(), b.config().design()))}</th>
                </tr></thead>
                <tbody>
                    { for rows.iter().map(|(id, what, learn, f)| html! {
                        <tr id={*id}>
                            // The link sits in the row's header cell, so its purpose
                            // is clear from that cell (WCAG 2.4.4, link in context).
                            <th scope="row">{*what}<a class="means" href={*learn}>{"what it means"}</a></th>
                            <td>{f(a, a.stats())}</td>
                            <td>{f(b, b.stats())}</td>
                        </tr>
                    }) }
                    if sockets {
                        { app_rows(&socket_rows, [a, b], App::is_connection) }
                    }
                    if games {
                        { app_rows(&game_rows, [a, b], |app| matches!(app, App::Game(_))) }
                    }
                </tbody>
            </table>
        </section>
    }
}

/// Rows that only some apps' lanes measure: a lane whose app is not one of
/// them says which app it runs instead (`— (shop)`).
fn app_rows(rows: &[Row], lanes: [&Lane; 2], measures: fn(App) -> bool) -> Html {
    let value = |l: &Lane, f: &fn(&Lane, &Stats) -> String| match l.config().app {
        app if measures(app) => f(l, l.stats()),
        App::Shop => "— (shop)".to_owned(),
        App::Chat(_) => "— (chat)".to_owned(),
        App::Game(_) => "— (game)".to_owned(),
        App::Ftp => "— (FTP)".to_owned(),
        App::Files => "— (files)".to_owned(),
        App::Db(_) => "— (database)".to_owned(),
    };
    html! {
        { for rows.iter().map(|(id, what, learn, f)| html! {
            <tr id={*id} class="ws-row">
                <th scope="row">{*what}<a class="means" href={*learn}>{"what it means"}</a></th>
                <td>{value(lanes[0], f)}</td>
                <td>{value(lanes[1], f)}</td>
            </tr>
        }) }
    }
}

/// `total / n` in tenths, rounded to nearest, in integers (as the engine's
/// own means are); `None` before the first request.
fn tenths(total: u64, n: u64) -> Option<u64> {
    total.saturating_mul(10).saturating_add(n / 2).checked_div(n)
}

/// Tenths written with one decimal and `unit` (`12.5 B`), or `—` for none.
fn one_decimal(tenths: Option<u64>, unit: &str) -> String {
    tenths.map_or("—".to_owned(), |t| format!("{}.{}{unit}", t / 10, t % 10))
}
