//! The URL is the state: the playground starts from the page's query, writes
//! every change back, and follows Back/Forward. Reloading or sharing the URL
//! shows the same page.
//!
//! A state whose query outgrows [`LINK_LIMIT`] is not put in the address
//! (browsers cut very long URLs, and a reload then shows an older state):
//! the address becomes `?kept=<key>` and the query is kept in this tab's
//! `sessionStorage` under that key, so a reload restores exactly it and no
//! other link ever picks it up.
//!
//! The key names the history entry, not the state: while an entry is
//! replaced, its later states are kept under the same key, so the address
//! stays put. With a 100,000-action state each new address cost ~9 ms in
//! Chromium (it copies the 900 KB link the page was opened from), and
//! rewriting the whole 900 KB in storage ~18 ms; a state is therefore kept
//! in pieces and only the pieces that changed are written.

use crate::address;
use crate::browser;
use crate::state::{read_query, Msg, Play, PlayState};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

/// The longest query written into the address bar.
pub const LINK_LIMIT: usize = 32 * 1024;
const KEPT: &str = "kept=";
const STORAGE_PREFIX: &str = "statelab:kept:";

/// The query the address bar stands for: the tour step its path names,
/// then its own query (`address::query_of`).
fn current_query() -> String {
    address::query_of(&site_path(), &current_search())
}

fn current_search() -> String {
    web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default()
}

/// The page's path relative to the site's root: `tour/cart/2/` on a tour
/// step's page, empty on the root's.
fn site_path() -> String {
    let location = web_sys::window().map(|w| w.location());
    let here = location.and_then(|l| Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))).unwrap_or_default();
    here.strip_prefix(&browser::site_root()).unwrap_or_default().to_owned()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// A key for a history entry's long state; random, so an address never
/// names another entry's state.
fn new_key() -> String {
    format!("{:016x}", (js_sys::Math::random() * 2f64.powi(53)) as u64)
}

/// The query the address stands for: itself, or the state kept for it.
fn resolve(query: &str) -> (String, Option<String>) {
    let Some(key) = query.trim_start_matches('?').strip_prefix(KEPT) else { return (query.to_owned(), None) };
    let mut kept = String::new();
    if let Some(s) = storage() {
        let mut i = 0;
        while let Ok(Some(piece)) = s.get_item(&format!("{STORAGE_PREFIX}{key}:{i}")) {
            kept += &piece;
            i += 1;
        }
    }
    let lost = kept.is_empty().then(|| "This address names a long state kept in another tab (or a closed one); it is not here, so the playground starts fresh.".to_owned());
    (kept, lost)
}

/// The query the address bar stands for now, a kept state read back.
pub fn address_query() -> String {
    resolve(&current_query()).0
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

/// The load panel's form reads a kept state the same way (static/load-run.js,
/// to add its plan to it): a change of this format changes it there too.
///
/// Keeps query `q` in this tab under the storage keys `o0`, `o1`, … (16 KB
/// pieces: storing costs time in proportion to what is written, and a
/// change to a long state, all at its end, touches one piece or two),
/// writing only the pieces that changed, and drops every other key under
/// prefix `p` (only the current state is ever restored); on failure none of
/// it, as half a state would restore as another one. Pieces are read up to
/// the first missing one. In JavaScript, where comparing a piece with what
/// is stored costs no copy. Slicing UTF-16 is safe: a query is ASCII (every
/// value is %-escaped).
const KEEP: &str = "let s=sessionStorage,n=0,P=16384;\
try{for(let x of Object.keys(s))x.startsWith(p)&&!x.startsWith(o)&&s.removeItem(x);\
for(;n*P<q.length;n++){let v=q.substr(n*P,P);s.getItem(o+n)!==v&&s.setItem(o+n,v)}}catch(e){n=0}\
for(let i=n;s.getItem(o+i)!==null;i++)s.removeItem(o+i);return n>0";

/// `false` when storage refused the state; then nothing is kept.
fn keep(key: &str, query: &str) -> bool {
    js_sys::Function::new_with_args("p,o,q", KEEP)
        .call3(&JsValue::NULL, &STORAGE_PREFIX.into(), &format!("{STORAGE_PREFIX}{key}:").into(), &query.into())
        .is_ok_and(|kept| kept.is_truthy())
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

/// `on_state`: what the page does with each new state besides the address,
/// done first. `start`: the query the page opens at; `None` reads it from
/// the address bar (the prerenderer, which has none, passes each page's).
#[hook]
pub fn use_url_state(on_state: fn(&PlayState), start: Option<String>) -> UrlState {
    let play = use_reducer(|| open(&start.unwrap_or_else(current_query)));
    let address = use_state_eq(|| Address::InLink);

    // Write each new state to the address bar. Only a user's own tour
    // moves (starting one, a step, going back to one) add history entries,
    // one per step (Back walks them); opening or normalising a link and free
    // play replace the entry, so Back then leaves the page.
    {
        let (state, address) = (play.clone(), address.clone());
        use_effect_with(play.version(), move |_| {
            if let Some(query) = &state.moving {
                let url = format!("{}?{query}", browser::site_root());
                return browser::load_bundle(&url, query, state.new_entry);
            }
            on_state(&state);
            let (query, url) = state.query_and_url();
            let search = current_search();
            let (url, now) = if query.len() > LINK_LIMIT {
                let key = match search.trim_start_matches('?').strip_prefix(KEPT) {
                    Some(key) if !state.new_entry => key.to_owned(),
                    _ => new_key(),
                };
                let kept = keep(&key, &query);
                (format!("?{KEPT}{key}"), Address::TooLong { kb: query.len().div_ceil(1024), kept })
            } else {
                (url, Address::InLink)
            };
            address.set(now);
            let history = web_sys::window().and_then(|w| w.history().ok());
            if let Some(history) = history.filter(|_| url != format!("{}{search}", site_path())) {
                // Absolute: each address is relative to the site's root, not to this page.
                let root = browser::site_root();
                let _ = if state.new_entry {
                    // Steps skipped on the way (Play to the end) get their entries too.
                    let (from, _, _) = read_query(&current_query());
                    for step in state.steps_between(&from) {
                        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(&format!("{root}{step}")));
                    }
                    history.push_state_with_url(&JsValue::NULL, "", Some(&format!("{root}{url}")))
                } else {
                    history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("{root}{url}")))
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
