//! Component tests in headless Chromium (`cargo xtask test` runs them with
//! wasm-bindgen-test-runner and chromedriver).
#![cfg(target_arch = "wasm32")]

mod common;

use statelab::components::lane_heading::{LaneHeading, LaneHeadingProps};
use statelab::panic_box;
use statelab_sim::LaneConfig;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn lane_heading_names_the_lane_and_its_system() {
    let root = common::mount::<LaneHeading>(LaneHeadingProps { lane: 1, config: LaneConfig::stateful() }).await;
    let h2 = common::find(&root, "h2#lane-b-title");
    assert_eq!(common::text(&h2), "Lane B sessions in server memory · round robin · 3 servers");
}

#[wasm_bindgen_test]
fn a_panic_leaves_a_readable_box_once() {
    let document = web_sys::window().unwrap().document().unwrap();
    panic_box::show("panicked at src/state.rs:1:1: <b>not html</b>");
    panic_box::show("a second panic");
    let boxes = document.query_selector_all("#panic-box").unwrap();
    assert_eq!(boxes.length(), 1);
    let b = document.get_element_by_id("panic-box").unwrap();
    assert_eq!(b.get_attribute("role").as_deref(), Some("alert"));
    let text = b.text_content().unwrap();
    assert!(text.starts_with("Statelab stopped because of a bug."));
    assert!(text.contains("panicked at src/state.rs:1:1: <b>not html</b>"), "shown as text, not markup");
    assert!(b.query_selector("b").unwrap().is_none());
}
