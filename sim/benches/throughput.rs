//! Engine throughput under load, without rendering any text: the design asks
//! for ≥ 300,000 requests/s on a JWT lane and ≥ 1,000,000 on a local-session
//! lane. `cargo xtask bench` runs this.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use statelab_sim::load::{Plan, Run};
use statelab_sim::LaneId;
use statelab_sim::{Action, AuthMode, Lane, LaneConfig, Store, Strategy};
use std::hint::black_box;

const USERS: u16 = 500;
const REQUESTS: u32 = 20_000;

fn lanes() -> [(&'static str, LaneConfig); 3] {
    [
        ("jwt_round_robin", LaneConfig::stateless()),
        ("local_sessions_sticky", LaneConfig::stateful().with_balancer(Strategy::StickyCookie)),
        (
            "shared_store_round_robin",
            LaneConfig::stateful().with_auth(AuthMode::ServerSession { store: Store::Shared }),
        ),
    ]
}

fn load(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group.throughput(Throughput::Elements(u64::from(REQUESTS)));
    for (name, config) in lanes() {
        let mut lane = Lane::new(config, 1, LaneId::A);
        // Log every user in first, so the measurement is the steady state.
        Action::Load { users: USERS, requests: u32::from(USERS) }.apply_to(&mut lane, 0);
        assert_eq!(lane.stats().failed, 0, "{name}: every login succeeds");
        let run = Action::Load { users: USERS, requests: REQUESTS };
        group.bench_function(name, |b| b.iter(|| black_box(&run).apply_to(&mut lane, 1)));
        assert_eq!(lane.stats().failed, 0, "{name}: the load itself succeeds");
    }
    group.finish();
}

/// The page's load runs (`statelab_sim::load`): the same requests plus the
/// per-second counts and latency histogram the charts need. 20,000 requests
/// of a 500 × 1,000 run, after every user has logged in.
fn run(c: &mut Criterion) {
    let mut group = c.benchmark_group("run");
    group.throughput(Throughput::Elements(u64::from(REQUESTS)));
    for (name, config) in lanes() {
        let mut run = Run::new(Plan::new(u32::from(USERS), 1_000), config, 1);
        run.step(u64::from(USERS));
        assert_eq!(run.report().totals.failed, 0, "{name}: every login succeeds");
        group.bench_function(name, |b| {
            b.iter(|| {
                if run.finished() {
                    // 500,000 requests in: start over, logged in again.
                    run = Run::new(Plan::new(u32::from(USERS), 1_000), config, 1);
                    run.step(u64::from(USERS));
                }
                run.step(black_box(u64::from(REQUESTS)))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, load, run);
criterion_main!(benches);
