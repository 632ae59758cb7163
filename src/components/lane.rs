use crate::components::copy::CopyButton;
use crate::components::fleet::fleet_diagram;
use crate::components::lane_heading::{heading_id, lane_heading};
use crate::components::select;
use crate::components::state_panels::state_panels;
use crate::state::{Msg, Play};
use statelab_sim::fleet::MAX_SERVERS;
use statelab_sim::fleet::{App, Credential, TokenIn, TOKEN_PARAM};
use statelab_sim::text::config_text;
use statelab_sim::text::har;
use statelab_sim::text::lane_text;
use statelab_sim::{AuthMode, LaneConfig, LaneId, Strategy, User};
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Opens "Run it yourself" (see `lane_panel`); if the module cannot be
/// fetched, the panel says so where its text would be.
const RUN_IT: &str =
    "import('./run-it.js').then(m=>m.show(this),e=>this.lastChild.textContent='The HAProxy configuration did not load: '+e)";

/// One whole system: its configuration, fleet and state (its requests are
/// in the shared history below the lanes). `user`: whose browser the state
/// panel shows; `why`: why it is that user's (a scenario step acts for them).
pub fn lane_panel(play: &Play, lane_id: LaneId, user: User, why: Option<AttrValue>) -> Html {
    let engine = play.playground();
    let lane = engine.lane(lane_id);
    let config = *lane.config();
    let (fleet, down) = (lane.fleet_size(), lane.servers().iter().filter(|s| !s.up).count());
    let id = |what: &str| format!("lane-{}-{what}", lane_id.code());
    let configure = |f: fn(LaneConfig, &str) -> Option<LaneConfig>| {
        let play = play.clone();
        let i = lane_id;
        Callback::from(move |v: String| {
            if let Some(c) = f(config, &v) {
                play.dispatch(Msg::Configure(i, c));
            }
        })
    };
    let har_file = {
        let play = play.clone();
        Callback::from(move |()| har(play.playground().lane(lane_id)))
    };
    let transcript = {
        let (play, l) = (play.clone(), lane_id);
        Callback::from(move |()| lane_text(l.label(), play.playground().lane(l)))
    };
    // The selector shows the fleet as it is (Add/Remove server change it);
    // picking a size asks the engine for that fleet.
    let on_servers = configure(|c, v| v.parse().ok().map(|n| c.with_servers(n)));
    let code = config_text(&config);
    html! {
        <section class="lane" aria-labelledby={heading_id(lane_id)}>
            { lane_heading(lane_id, &config, fleet, down) }
            <div class="exports" role="group" aria-label={format!("Export lane {}", lane_id)}>
                <CopyButton label="Download HAR" done="HAR downloaded" text={har_file} download={AttrValue::from(format!("statelab-lane-{}.har", lane_id.code()))} />
                <CopyButton label="Copy transcript" done="Transcript copied" text={transcript} />
            </div>
            // The HAProxy text is static/run-it.js's, fetched on opening: the
            // attribute, not a Yew listener, imports it, so the bundle carries no
            // code for it. Spelt `onToggle` because the macro takes `ontoggle` for
            // a Rust listener; the browser lowercases an HTML attribute's name, so
            // it is the toggle event's handler all the same.
            <details class="run-it" data-config={code.clone()} onToggle={RUN_IT}>
                <summary>{"Run this lane on real software"}</summary>
                // The twin (twin/ in the repository) starts HAProxy, Redis and real servers on loopback.
                <pre>{run_it(&config, &code)}</pre>
                <div class="run-it-out"></div>
            </details>
            <div class="config">
                { select(&id("app"), "App", &App::ALL.map(|a| (a.code().to_owned(), a.to_string())), config.app.code(),
                    configure(|c, v| App::ALL.into_iter().find(|a| a.code() == v).map(|a| c.with_app(a)))) }
                // A file lane's password travels with FTP's PASS or HTTP's Basic, and a
                // database lane's app sends SQL: the design of its HTTP credential acts on neither.
                if !config.app.is_files() && !config.app.is_db() {
                    { select(&id("auth"), "Auth", &AuthMode::ALL.map(|m| (m.code().to_owned(), m.to_string())), config.auth.code(),
                        configure(|c, v| AuthMode::ALL.into_iter().find(|m| m.code() == v).map(|m| c.switched_to(m)))) }
                }
                { select(&id("balancer"), "Balancer", &Strategy::ALL.map(|s| (s.code().to_owned(), s.label().to_owned())), config.balancer.code(),
                    configure(|c, v| Strategy::ALL.into_iter().find(|s| s.code() == v).map(|s| c.with_balancer(s)))) }
                { select(&id("servers"), "Servers", &(1..=MAX_SERVERS).map(|n| (n.to_string(), n.to_string())).collect::<Vec<_>>(), &fleet.to_string(),
                    on_servers) }
            </div>
            if config.app.is_connection() {
                { connection_options(&id, &config, &configure) }
            }
            { fleet_diagram(play, lane_id) }
            { state_panels(play, lane_id, user, why) }
        </section>
    }
}

/// How a form value changes a lane's configuration (`None`: it does not).
type Reconfigure = fn(LaneConfig, &str) -> Option<LaneConfig>;

/// A connection lane's options: whether the server re-checks the credential
/// on every frame, and, for a bearer token, where the app puts it — each
/// choice with what it exposes.
fn connection_options(
    id: &dyn Fn(&str) -> String,
    config: &LaneConfig,
    configure: &dyn Fn(Reconfigure) -> Callback<String>,
) -> Html {
    let checked = |cb: Callback<String>| {
        Callback::from(move |e: Event| {
            let on = e.target_unchecked_into::<HtmlInputElement>().checked();
            cb.emit(if on { "on" } else { "off" }.to_owned());
        })
    };
    let recheck = checked(configure(|c, v| Some(LaneConfig { recheck: v == "on", ..c })));
    let token = matches!(config.auth.credential(), Credential::Bearer | Credential::ApiKey);
    let choices = [
        (
            TokenIn::Query,
            format!("In the URL (?{TOKEN_PARAM}=…)"),
            "Checked before the upgrade, but the URL and its token land in the access logs and proxy logs.",
        ),
        (
            TokenIn::FirstMessage,
            "In the first message".to_owned(),
            "Kept out of URLs, but the server accepts an anonymous connection first and waits for the token.",
        ),
    ];
    let (recheck_id, token_id) = (id("recheck"), id("ws-token"));
    html! {
        <div class="config connection-options">
            <span class="field check">
                <input type="checkbox" id={recheck_id.clone()} checked={config.recheck} onchange={recheck}
                    aria-describedby={format!("{recheck_id}-note")} />
                <label for={recheck_id.clone()}>{"Re-check the credential on every frame"}</label>
            </span>
            <p class="muted note" id={format!("{recheck_id}-note")}>
                { if config.recheck {
                    "Each frame is checked as a request would be; once the credential no longer holds, the server closes with 1008 (policy violation)."
                } else {
                    "Checked once, at the handshake: an open connection carries on after its token expires or its session is revoked."
                } }
            </p>
            if token {
                <fieldset class="token-in">
                    <legend>{"Where the app puts its token (a browser cannot set Authorization on a WebSocket)"}</legend>
                    { for choices.into_iter().map(|(where_, label, exposes)| {
                        let value = if where_ == TokenIn::Query { "query" } else { "msg" };
                        let input_id = format!("{token_id}-{value}");
                        let onchange = {
                            let cb = configure(|c, v| Some(LaneConfig { ws_token: if v == "msg" { TokenIn::FirstMessage } else { TokenIn::Query }, ..c }));
                            Callback::from(move |_: Event| cb.emit(value.to_owned()))
                        };
                        html! {
                            <p class="choice">
                                <input type="radio" name={token_id.clone()} id={input_id.clone()} value={value}
                                    checked={config.ws_token == where_} {onchange} aria-describedby={format!("{input_id}-note")} />
                                <label for={input_id.clone()}>{label}</label>
                                <span class="muted" id={format!("{input_id}-note")}>{format!(" — {exposes}")}</span>
                            </p>
                        }
                    }) }
                </fieldset>
            } else {
                <p class="muted note">{"This lane's browser sends its session cookie on the handshake, as on any request to the site."}</p>
            }
        </div>
    }
}

/// The commands "Run this lane on real software" shows before its module
/// fetches their output. The twin's `--fleet` starts HTTP servers, which is
/// an FTP or a database lane's software for neither: `statelab fleet` says
/// what is (pyftpdlib behind HAProxy in TCP mode; PostgreSQL and PgBouncer).
fn run_it(config: &LaneConfig, code: &str) -> String {
    let fleet = format!("cargo run -p statelab-sim -- fleet {code}");
    if config.app.is_files() && !config.app.is_http_files() {
        format!("# pyftpdlib servers behind HAProxy in TCP mode: how to start them, and its configuration\n{fleet}")
    } else if config.app.is_db() {
        format!("# what the twin runs for a database lane: PostgreSQL, and PgBouncer for transaction pooling\n{fleet}")
    } else {
        format!("cargo xtask twin --fleet {code}\n# the HAProxy configuration it runs:\n{fleet}")
    }
}
