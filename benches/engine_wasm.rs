//! The engine under load in wasm32, in headless Chromium: the design asks
//! for at least half the native throughput. `cargo xtask bench` runs this
//! after the native benchmarks and converts the times to requests/s.
#![cfg(target_arch = "wasm32")]

use statelab_sim::load::{Plan, Run};
use statelab_sim::{Action, Lane, LaneConfig, LaneId, Strategy};
use wasm_bindgen_test::{wasm_bindgen_bench, wasm_bindgen_test_configure, Criterion};

wasm_bindgen_test_configure!(run_in_browser);

/// Requests per iteration; xtask divides by the measured time.
const REQUESTS: u32 = 20_000;
const USERS: u16 = 500;

fn bench_lane(c: &mut Criterion, name: &str, config: LaneConfig) {
    let mut lane = Lane::new(config, 1, LaneId::A);
    Action::Load { users: USERS, requests: u32::from(USERS) }.apply_to(&mut lane, 0);
    let run = Action::Load { users: USERS, requests: REQUESTS };
    c.bench_function(name, |b| b.iter(|| std::hint::black_box(&run).apply_to(&mut lane, 1)));
    assert_eq!(lane.stats().failed, 0, "{name}: the load succeeds");
}

#[wasm_bindgen_bench]
fn jwt_round_robin(c: &mut Criterion) {
    bench_lane(c, "load/jwt_round_robin (20000 requests)", LaneConfig::stateless());
}

#[wasm_bindgen_bench]
fn local_sessions_sticky(c: &mut Criterion) {
    bench_lane(
        c,
        "load/local_sessions_sticky (20000 requests)",
        LaneConfig::stateful().with_balancer(Strategy::StickyCookie),
    );
}

/// The page's load runs as the worker plays them (with the chart data);
/// the same plan as `sim/benches/throughput.rs`'s `run` group.
fn bench_run(c: &mut Criterion, name: &str, config: LaneConfig) {
    let fresh = || {
        let mut run = Run::new(Plan::new(u32::from(USERS), 1_000), config, 1);
        run.step(u64::from(USERS));
        run
    };
    let mut run = fresh();
    c.bench_function(name, |b| {
        b.iter(|| {
            if run.finished() {
                run = fresh();
            }
            run.step(std::hint::black_box(u64::from(REQUESTS)))
        })
    });
    assert_eq!(run.report().totals.failed, 0, "{name}: the run succeeds");
}

#[wasm_bindgen_bench]
fn run_jwt_round_robin(c: &mut Criterion) {
    bench_run(c, "run/jwt_round_robin (20000 requests)", LaneConfig::stateless());
}

#[wasm_bindgen_bench]
fn run_local_sessions_sticky(c: &mut Criterion) {
    bench_run(
        c,
        "run/local_sessions_sticky (20000 requests)",
        LaneConfig::stateful().with_balancer(Strategy::StickyCookie),
    );
}
