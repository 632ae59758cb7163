//! The load run panel: a form, and a container the run fills. Everything
//! else — the workers, the engine run, the charts, their stylesheet, the
//! progress bar and Cancel — is fetched when a run starts
//! (`static/load-run.js`), so the initial load pays only for this form.
//! A link's `load=` starts the run as the page opens.

use crate::page::LoadLink;
use crate::state::{Msg, Play};
use statelab_sim::link::{config_text, encode};
use wasm_bindgen::JsValue;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Fault schedules offered in the form (the link takes any).
const FAULTS: [(&str, &str); 6] = [
    ("", "none"),
    ("30.crash.1", "crash S1 at 30 %"),
    ("30.crash.1~70.restart.1", "crash S1 at 30 %, restart it at 70 %"),
    ("50.store.down~60.store.up", "store outage from 50 % to 60 %"),
    ("80.rotate.drop", "rotate the key at 80 %, old one dropped"),
    ("30.crash.1~50.store.down~60.store.up~70.restart.1~80.rotate.drop", "all of these"),
];
const MIXES: [(&str, &str); 2] =
    [("", "profile, cart, orders in turn"), ("40.30.20.10", "reads, and 10 % add to cart")];

/// Asks the lazily loaded module to run `query` into `host`.
fn start(host: &web_sys::Element, query: &str) {
    let run = js_sys::Function::new_with_args(
        "h,q",
        "import(new URL('load-run.js',document.baseURI).href).then(m=>m.start(h,q),e=>{h.textContent='The load run could not be loaded: '+e})",
    );
    let _ = run.call2(&JsValue::NULL, host, &JsValue::from_str(query));
}

fn options(list: &[(&str, &str)], chosen: &str) -> Html {
    let mut list: Vec<(String, String)> = list.iter().map(|(v, t)| ((*v).into(), (*t).into())).collect();
    if !list.iter().any(|(v, _)| v == chosen) {
        list.push((chosen.into(), format!("as in the link: {chosen}")));
    }
    list.into_iter()
        .map(|(v, t)| {
            let selected = v == chosen;
            html! { <option {selected} value={v}>{t}</option> }
        })
        .collect()
}

#[component]
pub fn LoadPanel() -> Html {
    let play = use_context::<Play>().expect("inside the playground");
    let host = use_node_ref();
    let (clients, requests, faults, mix) = (use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref());
    // Bumped by every Start, so the same plan runs again.
    let runs = use_state(|| 0u32);
    let load = play.page.load.clone();
    {
        let (host, play) = (host.clone(), play.clone());
        use_effect_with((load.clone(), *runs), move |(load, _)| {
            if let (Some(l), Some(h)) = (load, host.cast::<web_sys::Element>()) {
                let mut q = format!(
                    "size={}&faults={}&mix={}&seed={}",
                    encode(&l.size),
                    encode(&l.faults),
                    encode(&l.mix),
                    play.playground.seed()
                );
                for lane in play.page.shown() {
                    let c = config_text(play.playground.lane(lane.index()).config());
                    q.push_str(&format!("&{}={c}", lane.code()));
                }
                start(&h, &q);
            }
        });
    }
    let onsubmit = {
        let (play, runs) = (play.clone(), runs.clone());
        let (clients, requests, faults, mix) = (clients.clone(), requests.clone(), faults.clone(), mix.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let value = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let chosen = |r: &NodeRef| r.cast::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default();
            let size = format!("{}x{}", value(&clients), value(&requests));
            let load = LoadLink { size, faults: chosen(&faults), mix: chosen(&mix) };
            // A new plan starts through the link it writes; the same plan again needs a nudge.
            if play.page.load.as_ref() == Some(&load) {
                runs.set(*runs + 1);
            } else {
                play.dispatch(Msg::Load(load));
            }
        })
    };
    let l = load.unwrap_or_default();
    let (c, r) = l.size.split_once('x').unwrap_or(("1000", "100"));
    html! {
        <section class="load-panel" aria-labelledby="load-title">
            <h2 id="load-title">{"Load run"}</h2>
            <p>{"Many users at once on both lanes — same seed, same traffic, same faults — run in background workers while the page stays usable. Numbers match "}<code>{"statelab load"}</code>{"."}</p>
            <form class="load-form" {onsubmit}>
                <span class="field"><label for="load-clients">{"Users"}</label><input id="load-clients" ref={clients} type="number" min="1" max="10000" required=true value={c.to_owned()} /></span>
                <span class="field"><label for="load-requests">{"Requests per user"}</label><input id="load-requests" ref={requests} type="number" min="1" max="1000" required=true value={r.to_owned()} /></span>
                <span class="field"><label for="load-faults">{"Faults"}</label><select id="load-faults" ref={faults}>{ options(&FAULTS, &l.faults) }</select></span>
                <span class="field"><label for="load-mix">{"Requests"}</label><select id="load-mix" ref={mix}>{ options(&MIXES, &l.mix) }</select></span>
                <button type="submit" class="primary">{"Start load run"}</button>
            </form>
            <div ref={host} class="load-host"></div>
        </section>
    }
}
