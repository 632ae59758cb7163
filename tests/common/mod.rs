//! Mounting and poking components in a real document (headless Chromium).
#![allow(dead_code)] // each test crate uses a subset of these helpers

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// Mounts a component into a fresh element and waits for Yew to render it.
pub async fn mount<C: yew::BaseComponent>(props: C::Properties) -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    settle().await;
    root
}

/// Lets Yew's scheduler run the renders and effects queued so far. It works
/// in 16 ms slices and yields to the event loop between them (debug builds
/// of the playground need several), so one macrotask is not enough.
pub async fn settle() {
    for _ in 0..10 {
        yew::platform::time::sleep(std::time::Duration::ZERO).await;
    }
}

pub fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("nothing matches {selector}"))
}

pub fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()).collect()
}

/// Clicks the first button (within `scope`) whose text is exactly `text`.
pub async fn click(scope: &Element, text: &str) {
    let button = all(scope, "button")
        .into_iter()
        .find(|b| b.text_content().as_deref() == Some(text))
        .unwrap_or_else(|| panic!("no button {text:?}"));
    button.unchecked_into::<HtmlElement>().click();
    settle().await;
}

pub fn text(e: &Element) -> String {
    e.text_content().unwrap_or_default()
}

/// Puts the test page at the root with `query`: a tour step's address
/// (`/tour/<id>/<step>/`) left by an earlier test is not a page's state.
pub fn set_query(query: &str) {
    let window = web_sys::window().unwrap();
    window
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("/{query}")))
        .unwrap();
}
