//! The fleet diagram and the action bar in headless Chromium: the diagram
//! marks where the newest request went and how it ended; every control
//! explains itself; Reset asks first.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{all, click, find, text};
use statelab::playground::{PlaygroundProps, PlaygroundView};
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn lane(root: &Element, label: char) -> Element {
    find(root, &format!("section[aria-labelledby='lane-{label}-title']"))
}

/// Mounts the playground on `query` (tests share one page and its address).
async fn playground(query: &str) -> Element {
    let window = web_sys::window().unwrap();
    let path = window.location().pathname().unwrap();
    window
        .history()
        .unwrap()
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("{path}{query}")))
        .unwrap();
    common::mount::<PlaygroundView>(PlaygroundProps::default()).await
}

/// The one server drawn as answering: its button name and its mark.
fn hot_server(root: &Element, l: char) -> (String, String) {
    let hot = all(&lane(root, l), "svg.fleet g.server.hot");
    assert_eq!(hot.len(), 1, "exactly one server is marked in lane {l}");
    (hot[0].get_attribute("aria-label").unwrap_or_default(), text(&find(&hot[0], ".tag")))
}

#[wasm_bindgen_test]
async fn the_answering_server_carries_the_outcome() {
    let root = playground("").await;
    assert!(!find(&root, "svg.fleet path.trip").has_attribute("d"), "no request, no path");
    click(&root, "Log in").await;
    // Logging in looks the account up in the database: that round trip is drawn.
    assert_eq!(text(&find(&lane(&root, 'a'), ".backend.used")), "database ×1");
    click(&root, "GET /api/me").await;
    let (name, tag) = hot_server(&root, 'a');
    assert!(name.starts_with("Crash S2 (up"), "{name}");
    assert_eq!(tag, "✓ 200");
    // Lane B's session lives in S1's memory: S2 refuses it.
    let (name, tag) = hot_server(&root, 'b');
    assert!(name.starts_with("Crash S2"), "{name}");
    assert_eq!(tag, "✕ 401");
    assert!(find(&lane(&root, 'b'), "svg.fleet g.server.hot")
        .get_attribute("class")
        .unwrap_or_default()
        .contains("s4xx"));
}

#[wasm_bindgen_test]
async fn a_502_is_drawn_at_the_dead_server_it_was_sent_to() {
    // sticky-crash step 3: S1 crashed, the balancer still sends Alice there.
    let root = playground("?scenario=sticky-crash&step=3").await;
    for l in ['a', 'b'] {
        let (name, tag) = hot_server(&root, l);
        assert!(name.starts_with("Restart S1 (down"), "{name}");
        assert_eq!(tag, "⚠ 502");
        let s1 = find(&lane(&root, l), "svg.fleet g.server.hot");
        assert!(text(&s1).contains("down"));
        let cross = find(&lane(&root, l), "svg.fleet path.cross").get_attribute("d").unwrap_or_default();
        assert!(cross.starts_with("M132 4l"), "S1, the first row, is crossed out: {cross}");
    }
}

#[wasm_bindgen_test]
async fn a_shared_store_lane_draws_its_store_round_trips() {
    let root = playground("?scenario=shared-store&step=1").await;
    let store = text(&find(&lane(&root, 'b'), ".backend.used"));
    assert!(store.starts_with("store ×"), "{store}");
    let d = find(&lane(&root, 'b'), "svg.fleet path.trip").get_attribute("d").unwrap_or_default();
    assert!(d.contains("H274"), "to the server, and on to the store: {d}");
    // Lane A verifies its token locally: no store trip.
    assert!(all(&lane(&root, 'a'), ".backend.used").is_empty());
}

#[wasm_bindgen_test]
async fn every_control_explains_itself_and_reset_asks_first() {
    let root = playground("").await;
    let bar = find(&root, "section.actions");
    for control in all(&bar, "button, select") {
        let id = control.get_attribute("aria-describedby").unwrap_or_default();
        let about = bar.query_selector(&format!("#{id}")).unwrap().map(|e| text(&e)).unwrap_or_default();
        assert!(!about.is_empty(), "{} has no description", text(&control));
        assert_eq!(control.get_attribute("title").as_deref(), Some(about.as_str()));
    }
    let keep = all(&bar, "button").into_iter().find(|b| text(b) == "Rotate key (keep old)").unwrap();
    assert_eq!(
        keep.get_attribute("title").as_deref(),
        Some("Rotate key (keep old): new tokens are signed with k2; tokens signed with k1 still verify")
    );
    click(&root, "Log in").await;
    click(&root, "Reset").await;
    let ask = find(&bar, ".confirm[role=group]");
    assert_eq!(ask.get_attribute("aria-label").as_deref(), Some("Really reset?"));
    assert_eq!(all(&ask, "button").iter().map(text).collect::<Vec<_>>(), ["Cancel", "Yes"]);
    click(&root, "Cancel").await;
    assert_eq!(all(&lane(&root, 'a'), "article.exchange").len(), 1, "Cancel keeps the state");
    click(&root, "Reset").await;
    click(&root, "Yes").await;
    assert!(all(&lane(&root, 'a'), "article.exchange").is_empty());
}
