//! The URL is the state: the playground starts from the page's query, writes
//! every change back, and follows Back/Forward. Reloading or sharing the URL
//! shows the same page.
//!
//! A state whose query outgrows [`LINK_LIMIT`] is not put in the address
//! (browsers cut very long URLs, and a reload then shows an older state):
//! the address becomes `?kept=<key>` and the query is kept in this tab's
//! `sessionStorage` under that key, so a reload restores exactly it and no
//! other link ever picks it up.

use crate::page::Theme;
use crate::state::{read_query, Msg, Play, PlayState};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// The longest query written into the address bar.
pub const LINK_LIMIT: usize = 32 * 1024;
const KEPT: &str = "kept=";
const STORAGE_PREFIX: &str = "statelab:kept:";

fn current_query() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// The key a long query is kept under: a hash of the query itself, so each
/// state has its own and an address never names an older state.
pub fn kept_key(query: &str) -> String {
    // FNV-1a: deterministic and tiny; collisions only ever meet this tab's own states.
    let hash = query.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    format!("{hash:016x}")
}

/// The query the address stands for: itself, or the state kept for it.
fn resolve(query: &str) -> (String, Option<String>) {
    let Some(key) = query.trim_start_matches('?').strip_prefix(KEPT) else { return (query.to_owned(), None) };
    match storage().and_then(|s| s.get_item(&format!("{STORAGE_PREFIX}{key}")).ok().flatten()) {
        Some(kept) if kept_key(&kept) == key => (kept, None),
        _ => (
            String::new(),
            Some("This address names a long state kept in another tab (or a closed one); it is not here, so the playground starts fresh.".to_owned()),
        ),
    }
}

/// The state the address describes, with what was wrong with it.
fn open(query: &str) -> PlayState {
    let (query, lost) = resolve(query);
    let mut state = PlayState::from_query(&query);
    if let Some(lost) = lost {
        state.notice = Some(lost);
    }
    state
}

/// Keeps `query` in this tab, dropping any state kept before (only the
/// current one is ever restored). `false` when storage refused it.
fn keep(key: &str, query: &str) -> bool {
    let Some(s) = storage() else { return false };
    let old: Vec<String> = (0..s.length().unwrap_or(0))
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(STORAGE_PREFIX))
        .collect();
    for k in old {
        let _ = s.remove_item(&k);
    }
    s.set_item(&format!("{STORAGE_PREFIX}{key}"), query).is_ok()
}

/// Where the address bar stands, seen from the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Address {
    /// The state is in the address.
    InLink,
    /// The state is too long for a link (this many KB of query): it is kept
    /// in the tab, or, when `kept` is false, not even there.
    TooLong { kb: usize, kept: bool },
}

pub struct UrlState {
    pub play: Play,
    pub address: Address,
}

#[hook]
pub fn use_url_state() -> UrlState {
    let play = use_reducer(|| open(&current_query()));
    let address = use_state_eq(|| Address::InLink);

    // Write each new state to the address bar. Only a user's own tour
    // moves (starting one, a step, going back to one) add history entries,
    // one per step (Back walks them); opening or normalising a link and free
    // play replace the entry, so Back then leaves the page.
    {
        let (state, address) = (play.clone(), address.clone());
        use_effect_with(play.version(), move |_| {
            apply_theme(state.page.theme);
            crate::components::load_panel::sync(&state);
            let query = state.query();
            let (url, now) = if query.len() > LINK_LIMIT {
                let key = kept_key(&query);
                let kept = keep(&key, &query);
                (format!("?{KEPT}{key}"), Address::TooLong { kb: query.len().div_ceil(1024), kept })
            } else if query.is_empty() {
                (window_path(), Address::InLink)
            } else {
                (format!("?{query}"), Address::InLink)
            };
            address.set(now);
            if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = if state.new_entry && current_query().trim_start_matches('?') != url.trim_start_matches('?') {
                    // Steps skipped on the way (Play to the end) get their entries too.
                    let (from, _, _) = read_query(&current_query());
                    for step in state.steps_between(&from) {
                        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&format!("?{step}")));
                    }
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
                let (query, lost) = resolve(&current_query());
                let (link, page, mut notes) = read_query(&query);
                notes.extend(lost);
                play.dispatch(Msg::Open(link, page, notes));
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
    UrlState { play, address: *address }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_is_kept_under_its_own_key() {
        assert_eq!(kept_key("log=me.alice"), kept_key("log=me.alice"));
        assert_ne!(kept_key("log=me.alice"), kept_key("log=me.bob"));
        assert_eq!(kept_key("").len(), 16);
    }
}
