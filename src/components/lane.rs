use crate::components::copy::CopyButton;
use crate::components::fleet::fleet_diagram;
use crate::components::lane_heading::{heading_id, lane_heading};
use crate::components::select;
use crate::components::state_panels::state_panels;
use crate::state::{Msg, Play};
use statelab_sim::fleet::MAX_SERVERS;
use statelab_sim::text::config_text;
use statelab_sim::text::har;
use statelab_sim::text::lane_text;
use statelab_sim::{AuthMode, LaneConfig, LaneId, Strategy, User};
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
                <pre>{format!("cargo xtask twin --fleet {code}\n# the HAProxy configuration it runs:\ncargo run -p statelab-sim -- fleet {code}")}</pre>
                <div class="run-it-out"></div>
            </details>
            <div class="config">
                { select(&id("auth"), "Auth", &AuthMode::ALL.map(|m| (m.code().to_owned(), m.to_string())), config.auth.code(),
                    configure(|c, v| AuthMode::ALL.into_iter().find(|m| m.code() == v).map(|m| c.switched_to(m)))) }
                { select(&id("balancer"), "Balancer", &Strategy::ALL.map(|s| (s.code().to_owned(), s.label().to_owned())), config.balancer.code(),
                    configure(|c, v| Strategy::ALL.into_iter().find(|s| s.code() == v).map(|s| c.with_balancer(s)))) }
                { select(&id("servers"), "Servers", &(1..=MAX_SERVERS).map(|n| (n.to_string(), n.to_string())).collect::<Vec<_>>(), &fleet.to_string(),
                    on_servers) }
            </div>
            { fleet_diagram(play, lane_id) }
            { state_panels(play, lane_id, user, why) }
        </section>
    }
}
