//! Engine throughput under load, without rendering any text: the design asks
//! for ≥ 300,000 requests/s on a JWT lane and ≥ 1,000,000 on a local-session
//! lane. `cargo xtask bench` runs this.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use statelab_sim::load::{Plan, Run, ACCESS_TTL_S};
use statelab_sim::LaneId;
use statelab_sim::{Action, AuthMode, Lane, LaneConfig, Store, Strategy};
use std::hint::black_box;

const USERS: u16 = 500;
const REQUESTS: u32 = 20_000;

/// The API-key lanes answer most of this traffic 429 (500 users sending 40
/// requests each at one instant, or 10 a second in a run, against 5 per 10 s
/// per key): what is measured there is the lookup and the limiter.
fn lanes() -> [(&'static str, LaneConfig); 7] {
    let stateless = LaneConfig::stateless();
    [
        ("jwt_round_robin", stateless),
        ("local_sessions_sticky", LaneConfig::stateful().with_balancer(Strategy::StickyCookie)),
        (
            "shared_store_round_robin",
            LaneConfig::stateful().with_auth(AuthMode::ServerSession { store: Store::Shared }),
        ),
        // Short access tokens, so a run's clock brings refreshes into the measurement.
        ("refresh_round_robin", LaneConfig { token_ttl_s: ACCESS_TTL_S, ..stateless.with_auth(AuthMode::Refresh) }),
        ("opaque_round_robin", stateless.with_auth(AuthMode::Opaque)),
        ("api_key_local_limit_round_robin", stateless.with_auth(AuthMode::ApiKey { limiter: Store::Local })),
        ("api_key_shared_limit_round_robin", stateless.with_auth(AuthMode::ApiKey { limiter: Store::Shared })),
    ]
}

/// Whether a lane's only failures may be its rate limit's 429s.
fn limited(config: &LaneConfig) -> bool {
    matches!(config.auth, AuthMode::ApiKey { .. })
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
        let s = lane.stats();
        let refused = if limited(&config) { s.unauthorized + s.unavailable } else { s.failed };
        assert_eq!(refused, 0, "{name}: the load itself succeeds");
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
