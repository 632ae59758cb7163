use crate::state::Play;
use statelab_sim::{Lane, Stats};
use yew::prelude::*;

/// A row: what is measured, and how to read it off a lane.
type Row = (&'static str, fn(&Lane, &Stats) -> String);

/// The source material's Stateless-vs-Stateful table, filled with what was
/// measured in this run.
#[component]
pub fn ComparisonTable() -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let [a, b] = play.playground.lanes();
    let rows: [Row; 10] = [
        ("Requests sent", |_, s| s.requests.to_string()),
        ("Requests failed (status 400 or above)", |_, s| s.failed.to_string()),
        ("Asked to log in again (401)", |_, s| s.unauthorized.to_string()),
        ("Unavailable (502/503)", |_, s| s.unavailable.to_string()),
        ("Sessions lost to crashes, restarts and removed servers", |_, s| s.sessions_lost.to_string()),
        ("Credential bytes per request that carried one (mean)", |_, s| {
            s.mean_credential_tenths().map_or("—".to_owned(), |t| format!("{}.{} B", t / 10, t % 10))
        }),
        ("Credential bytes sent, in total", |_, s| format!("{} B", s.credential_bytes)),
        ("Session state held now by servers and store", |l, _| format!("{} B", l.state_bytes())),
        ("Store round trips", |_, s| s.store_trips.to_string()),
        ("At the latest logout, a copy of the credential stayed valid for", |_, s| {
            s.revocation_window_s.map_or("—".to_owned(), statelab_sim::time::human_duration)
        }),
    ];
    html! {
        <section class="comparison" aria-labelledby="comparison-title">
            <h2 id="comparison-title">{"Measured in this run"}</h2>
            <table>
                <thead><tr>
                    <th scope="col">{"What"}</th>
                    <th scope="col">{format!("A: {}", a.config().auth)}</th>
                    <th scope="col">{format!("B: {}", b.config().auth)}</th>
                </tr></thead>
                <tbody>
                    { for rows.iter().map(|(what, f)| html! {
                        <tr><th scope="row">{*what}</th><td>{f(a, a.stats())}</td><td>{f(b, b.stats())}</td></tr>
                    }) }
                    <tr><th scope="row">{"Mean latency per request"}</th><td>{format!("{} ms", a.stats().mean_latency_ms())}</td><td>{format!("{} ms", b.stats().mean_latency_ms())}</td></tr>
                </tbody>
            </table>
        </section>
    }
}
