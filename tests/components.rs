//! Component tests in headless Chromium (`cargo xtask test` runs them with
//! wasm-bindgen-test-runner and chromedriver).
#![cfg(target_arch = "wasm32")]

use statelab::components::lane::{LanePanel, LaneProps};
use statelab_sim::LaneConfig;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts a component into a fresh element and waits for Yew to render it.
async fn mount<C: yew::BaseComponent>(props: C::Properties) -> web_sys::Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    yew::platform::time::sleep(std::time::Duration::ZERO).await;
    root
}

#[wasm_bindgen_test]
async fn lane_panel_renders_its_heading() {
    let root = mount::<LanePanel>(LaneProps { label: "B".into(), config: LaneConfig::stateful() }).await;
    let h2 = root.query_selector("section[aria-labelledby='lane-b-title'] h2").unwrap().expect("heading");
    assert_eq!(h2.text_content().unwrap(), "Lane B sessions in server memory · round robin · 3 servers");
}
