//! One component a file; each renders engine data and turns input into
//! `Msg`s. Shared form helpers live here.

pub mod action_bar;
pub mod badge;
pub mod comparison;
pub mod copy;
pub mod db_view;
pub mod exchange;
pub mod fleet;
pub mod frame_editor;
pub mod frames;
pub mod history;
pub mod intro;
pub mod lane;
pub mod lane_heading;
pub mod load_panel;
pub mod raw_editor;
pub mod scenario;
pub mod share;
pub mod state_panels;
pub mod step_view;
pub mod token;

use web_sys::HtmlSelectElement;
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

/// The first `max` characters of `s`, then `…` if there were more: ids and
/// tokens are long, and their start is enough to tell them apart.
pub fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}
