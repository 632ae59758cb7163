//! One component a file; each renders engine data and turns input into
//! `Msg`s. Shared form helpers live here.

pub mod action_bar;
pub mod badge;
pub mod comparison;
pub mod copy;
pub mod exchange;
pub mod fleet;
pub mod intro;
pub mod lane;
pub mod lane_heading;
pub mod raw_editor;
pub mod scenario;
pub mod share;
pub mod state_panels;
pub mod step_view;
pub mod token;

use web_sys::{HtmlElement, HtmlSelectElement};
use yew::prelude::*;

/// A labelled `<select>` whose options are `(value, text)` pairs.
pub fn select(id: &str, label: &str, options: &[(String, String)], selected: &str, onchange: Callback<String>) -> Html {
    let onchange =
        Callback::from(move |e: Event| onchange.emit(e.target_unchecked_into::<HtmlSelectElement>().value()));
    html! {
        // A sibling label, not a wrapping one: a wrapped select's name would
        // absorb the text of its selected option.
        <span class="field">
            <label for={id.to_owned()}>{label}</label>
            <select id={id.to_owned()} {onchange}>
                { for options.iter().map(|(v, t)| html! { <option value={v.clone()} selected={v == selected}>{t}</option> }) }
            </select>
        </span>
    }
}

/// Moves keyboard focus to `selector` once it is rendered: for a control
/// that replaces the one just pressed (which disappears with its panel), so
/// focus does not fall back to the top of the page.
pub fn focus_soon(selector: &'static str) {
    yew::platform::spawn_local(async move {
        // Yew renders in slices; a few turns of the event loop are enough.
        for _ in 0..20 {
            yew::platform::time::sleep(std::time::Duration::ZERO).await;
            let found = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.query_selector(selector).ok().flatten())
                .and_then(|e| wasm_bindgen::JsCast::dyn_into::<HtmlElement>(e).ok());
            if let Some(e) = found {
                let _ = e.focus();
                return;
            }
        }
    });
}
