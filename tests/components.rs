//! Component tests in headless Chromium (`cargo xtask test` runs them with
//! wasm-bindgen-test-runner and chromedriver).
#![cfg(target_arch = "wasm32")]

mod common;

use statelab::components::lane_heading::lane_heading;
use statelab::panic_box;
use statelab_sim::{LaneConfig, LaneId};
use wasm_bindgen_test::*;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
struct HeadingProps {
    lane: LaneId,
    config: LaneConfig,
    servers: usize,
    down: usize,
}

/// Mounts the heading alone.
#[component]
fn Heading(p: &HeadingProps) -> Html {
    lane_heading(p.lane, &p.config, p.servers, p.down)
}

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn lane_heading_names_the_lane_and_its_system() {
    let props = HeadingProps { lane: LaneId::B, config: LaneConfig::stateful(), servers: 3, down: 0 };
    let root = common::mount::<Heading>(props).await;
    let h2 = common::find(&root, "h2#lane-b-title");
    assert_eq!(common::text(&h2), "Lane B sessions in server memory · round robin · 3 servers");
}

#[wasm_bindgen_test]
async fn lane_heading_counts_the_fleet_not_the_configured_size() {
    // Configured with 3, the fleet grew to 4 and one is down.
    let props = HeadingProps { lane: LaneId::A, config: LaneConfig::stateless(), servers: 4, down: 1 };
    let root = common::mount::<Heading>(props).await;
    assert_eq!(
        common::text(&common::find(&root, "h2#lane-a-title")),
        "Lane A stateless JWT · round robin · 4 servers (1 down)"
    );
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
