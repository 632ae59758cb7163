//! The load run panel, as little of it as the initial load can carry: a
//! heading and two buttons (a load run, live traffic), as static markup. Everything else —
//! the form, the workers, the engine run, the charts, their stylesheet, the
//! progress bar and Cancel — is `static/load-run.js` and what it fetches
//! when the button is pressed or a run starts.
//!
//! The button's own `onclick` attribute imports that module, so the bundle
//! has no code for it. The form the module builds puts its plan into the
//! address and signals `popstate`, which the address bar's hook already
//! answers by reading the address (`hooks/url_state.rs`); on every change
//! the page (`playground.rs`) then hands the run the address asks for,
//! [`run_query`], to the module.

use crate::state::PlayState;
use statelab_sim::text::config_text;
use yew::prelude::*;

/// What `load-run.js` is handed for the run `state`'s link asks for
/// (`load=` or `live=`), if any. The module starts it unless it is the run
/// already shown: a new plan, seed, lane configuration or choice of lanes is
/// a new run.
pub fn run_query(state: &PlayState) -> Option<String> {
    if state.page.load.is_empty() {
        return None;
    }
    let mut q = format!("{}&seed={}", state.page.load, state.playground().seed());
    for lane in state.page.shown() {
        q += "&";
        q += lane.code();
        q += "=";
        q += &config_text(state.playground().lane(lane).config());
    }
    Some(q)
}

/// The panel before its code is fetched.
const MARKUP: &str = r#"<h2 id="load-title">Load runs and live traffic</h2><form id="load-form"><button type="button" class="primary" id="load-go" onclick="import('./load-run.js').then(m=>m.form())">Set up a run: thousands of users on both lanes</button> <button type="button" id="live-go" onclick="import('./load-run.js').then(m=>m.form('live='))">Live traffic: crash a server under load</button></form>"#;

pub fn load_panel() -> Html {
    html! {
        <section id="load-host" class="load-panel" aria-labelledby="load-title">
            { Html::from_html_unchecked(AttrValue::Static(MARKUP)) }
        </section>
    }
}
