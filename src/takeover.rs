//! The wasm taking over a prerendered page. Each page of the site is the
//! view rendered at build time (`src/bin/prerender.rs`) into `#app`; here
//! the same view renders the same markup in its place. Yew renders in a
//! microtask, before the browser paints again, so the page never shows an
//! empty or half-built frame; where the reader's keyboard focus and scroll
//! stood is put back once it has.
//!
//! Rendering anew rather than hydrating: a page's address may carry more
//! than its prerendered state (a log, a theme, a kept state), and Yew's
//! hydration panics on any markup that differs.

use crate::playground::{PlaygroundProps, PlaygroundView};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// The element the prerendered page and the app live in.
pub const ROOT_ID: &str = "app";

pub fn start() {
    // A state this bundle cannot run goes to the bundle that can, before
    // anything renders (the loader picks from the address; a kept state or
    // a log that switches a lane needs the app to read it).
    let query = crate::hooks::url_state::address_query();
    if crate::bundle::must_move(&crate::state::read_query(&query).0) {
        return crate::browser::load_bundle(
            &web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default(),
            &query,
            false,
        );
    }
    let window = web_sys::window();
    let document = window.as_ref().and_then(|w| w.document());
    let Some(root) = document.as_ref().and_then(|d| d.get_element_by_id(ROOT_ID).or_else(|| d.body().map(Into::into)))
    else {
        return;
    };
    let focus = document.as_ref().and_then(|d| d.active_element()).and_then(|e| path_to(&root, &e));
    let scroll = window.as_ref().map(|w| (w.scroll_x().unwrap_or(0.0), w.scroll_y().unwrap_or(0.0)));
    root.set_inner_html("");
    yew::Renderer::<PlaygroundView>::with_root_and_props(root.clone(), PlaygroundProps { site: true, start: None })
        .render();
    // Queued after Yew's first render, which finishes before anything after it runs.
    wasm_bindgen_futures::spawn_local(async move {
        if let Some(e) = focus.and_then(|p| follow(&root, &p)).and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
            let _ = e.focus();
        }
        if let (Some(w), Some((x, y))) = (&window, scroll) {
            w.scroll_to_with_x_and_y(x, y);
        }
        // Shown now: the state the address asked for (see `PENDING` in the
        // prerenderer). `data-app="ready"`: the page is the app's from here
        // on, which the end-to-end tests wait for.
        if let Some(html) = window.and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = html.class_list().remove_1("pending");
            let _ = html.set_attribute("data-app", "ready");
        }
    });
}

/// `e`'s place under `root`: the index of each element on the way down.
fn path_to(root: &Element, e: &Element) -> Option<Vec<u32>> {
    let mut path = Vec::new();
    let mut at = e.clone();
    while !at.is_same_node(Some(root)) {
        let mut index = 0;
        let mut sibling = at.previous_element_sibling();
        while let Some(s) = sibling {
            index += 1;
            sibling = s.previous_element_sibling();
        }
        path.push(index);
        at = at.parent_element()?;
    }
    path.reverse();
    Some(path)
}

/// The element at `path` under `root`, if the new markup has one there.
fn follow(root: &Element, path: &[u32]) -> Option<Element> {
    let mut at = root.clone();
    for &index in path {
        let mut child = at.first_element_child();
        for _ in 0..index {
            child = child?.next_element_sibling();
        }
        at = child?;
    }
    Some(at)
}
