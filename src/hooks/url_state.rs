//! The URL is the state: the playground starts from the page's query, writes
//! every change back, and follows Back/Forward. Reloading or sharing the URL
//! shows the same page.

use crate::state::{Msg, Play, PlayState};
use statelab_sim::link::{Link, Theme};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

fn current_query() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

#[hook]
pub fn use_url_state() -> Play {
    let play = use_reducer(|| {
        let (link, notices) = Link::from_query(&current_query());
        PlayState::from_link(&link, &notices)
    });

    // Write each new state to the address bar: scenario steps get their own
    // history entry (Back steps back); everything else replaces the entry.
    {
        let state = play.clone();
        use_effect_with(play.version(), move |_| {
            apply_theme(state.theme);
            let query = state.link().to_query();
            let url = if query.is_empty() { window_path() } else { format!("?{query}") };
            if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                let here = current_query();
                let new_step =
                    state.scenario.is_some() && here.trim_start_matches('?') != query && here.contains("scenario=");
                let _ = if new_step {
                    history.push_state_with_url(&JsValue::NULL, "", Some(&url))
                } else {
                    history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
                };
            }
        });
    }

    // Back and Forward: rebuild from the URL they land on.
    {
        let play = play.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || {
                let (link, notices) = Link::from_query(&current_query());
                play.dispatch(Msg::Open(link, notices));
            });
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback("popstate", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback("popstate", listener.as_ref().unchecked_ref());
                }
            }
        });
    }
    play
}

/// `theme=light|dark` pins the colour scheme on `<html>`; `auto` follows the system.
fn apply_theme(theme: Theme) {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else { return };
    let _ = match theme {
        Theme::Auto => root.remove_attribute("data-theme"),
        Theme::Light => root.set_attribute("data-theme", "light"),
        Theme::Dark => root.set_attribute("data-theme", "dark"),
    };
}

fn window_path() -> String {
    web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_else(|| "./".into())
}
