//! The engine computes the same bytes on wasm32 as on x86-64: every
//! scenario's transcript, computed here in Chromium, equals the golden file
//! the native tests pin.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const GOLDEN: &str = include_str!("../sim/tests/golden/transcripts.txt");

#[wasm_bindgen_test]
fn every_scenario_transcript_matches_the_native_golden_file() {
    let here = statelab_sim::tours::all_scenarios_text(1);
    if here != GOLDEN {
        let line = here.lines().zip(GOLDEN.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!("wasm32 differs at line {}: {:?} vs {:?}", line + 1, here.lines().nth(line), GOLDEN.lines().nth(line));
    }
}
