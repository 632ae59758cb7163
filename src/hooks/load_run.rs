//! The load run or live traffic the link asks for, started by
//! `static/load-run.js` (see `components/load_panel.rs`): whichever way the
//! address came to ask for it (opened, the panel's form, Back/Forward), the
//! page answers each new state by handing the run to the module.

use crate::state::{Play, PlayState};
use statelab_sim::link::config_text;
use wasm_bindgen::JsValue;
use yew::prelude::*;

#[hook]
pub fn use_load_run(play: &Play) {
    let state = play.clone();
    use_effect_with(play.version(), move |_| sync(&state));
}

/// Hands the run `state`'s link asks for (`load=` or `live=`) to `load-run.js`, which
/// starts it unless it is the run already shown: a new plan, seed, lane
/// configuration or choice of lanes is a new run.
fn sync(state: &PlayState) {
    if state.page.load.is_empty() {
        return;
    }
    let mut q = format!("{}&seed={}", state.page.load, state.playground().seed());
    for lane in state.page.shown() {
        q += "&";
        q += lane.code();
        q += "=";
        q += &config_text(state.playground().lane(lane.index()).config());
    }
    let run = js_sys::Function::new_with_args(
        "q",
        "import('./load-run.js').then(m=>m.sync(q),e=>document.getElementById('load-host').append(e))",
    );
    let _ = run.call1(&JsValue::NULL, &JsValue::from_str(&q));
}
