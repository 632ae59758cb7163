//! Component tests in headless Chromium (`cargo xtask test` runs them with
//! wasm-bindgen-test-runner and chromedriver).
#![cfg(target_arch = "wasm32")]

mod common;

use statelab::components::lane_heading::{LaneHeading, LaneHeadingProps};
use statelab_sim::LaneConfig;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn lane_heading_names_the_lane_and_its_system() {
    let root = common::mount::<LaneHeading>(LaneHeadingProps { lane: 1, config: LaneConfig::stateful() }).await;
    let h2 = common::find(&root, "h2#lane-b-title");
    assert_eq!(common::text(&h2), "Lane B sessions in server memory · round robin · 3 servers");
}
