//! Engine throughput under load, without rendering any text: the design asks
//! for ≥ 300,000 requests/s on a JWT lane and ≥ 1,000,000 on a local-session
//! lane, and ≥ 1,000,000 WebSocket frames delivered per second on a pub/sub
//! chat lane; and the load runs of file and database lanes, turns per second.
//! `cargo xtask bench` runs this.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use statelab_sim::fleet::ROOM_USERS;
use statelab_sim::load::{Plan, Run, ACCESS_TTL_S};
use statelab_sim::LaneId;
use statelab_sim::{Action, App, AuthMode, Lane, LaneConfig, Store, Strategy};
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
    // File and database lanes: turns of their own load paths (an FTP login,
    // a download or a wait; an order through a pool), no failure asserted:
    // 500 users at 5,000 orders a second is more than two connections a pool
    // serve, and timeouts are part of what a pool's load run computes.
    for (name, code) in [
        ("ftp_ip_hash", "ftp:local.iphash.3"),
        ("files_http_round_robin", "files:jwt.rr.3"),
        ("db_session_pools", "db-session:jwt.rr.3"),
        ("db_pgbouncer", "db-txn:jwt.rr.3"),
        ("db_stateless", "db-stateless:jwt.rr.3"),
    ] {
        let config = statelab_sim::text::parse_config(code).expect("a lane code");
        let fresh = || Run::new(Plan::new(u32::from(USERS), 1_000), config, 1);
        let mut run = fresh();
        group.bench_function(name, |b| {
            b.iter(|| {
                if run.finished() {
                    run = fresh();
                }
                run.step(black_box(u64::from(REQUESTS)))
            })
        });
    }
    group.finish();
}

/// Open connections in the frames benchmark: one per load user.
const CONNECTIONS: u32 = 10_000;
/// Chat messages per iteration; each reaches the [`ROOM_USERS`] connections of its room.
const MESSAGES: u64 = 20_000;
/// Frames delivered per iteration: what `cargo xtask bench` divides by the time.
const FRAMES: u64 = MESSAGES * ROOM_USERS as u64;

/// A load run of a connection lane: 10,000 load users each holding a
/// WebSocket (least connections over 3 servers), every one of them logged in
/// and connected first, then chat messages, each passed to every open
/// connection of its sender's room of 20. Measured: frames delivered to
/// connections per second of wall time.
fn frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("frames");
    group.throughput(Throughput::Elements(FRAMES));
    // Pub/sub alone: in memory, a message reaches only part of its room, and
    // the frames delivered would not be FRAMES.
    {
        let (name, app) = ("chat_pubsub_least_connections", App::Chat(Store::Shared));
        let config = LaneConfig::stateless().with_app(app).with_balancer(Strategy::LeastConnections);
        let fresh = || {
            let mut run = Run::new(Plan::new(CONNECTIONS, 1_000), config, 1);
            // A login, then a handshake, for every user.
            run.step(2 * u64::from(CONNECTIONS));
            let s = run.lane().stats();
            assert_eq!((s.sockets.opened, s.failed), (u64::from(CONNECTIONS), 0), "{name}: everyone is connected");
            run
        };
        let mut run = fresh();
        group.bench_function(name, |b| {
            b.iter(|| {
                if run.done() + MESSAGES > run.total() {
                    run = fresh();
                }
                run.step(black_box(MESSAGES))
            })
        });
        // Every message met its whole room, all connected: what was counted is what was measured.
        let r = run.report();
        let (sent, w) = (r.seconds.iter().map(|s| s.sockets.sent).sum::<u64>(), &run.lane().stats().sockets);
        assert_eq!((w.delivered, w.missed), (sent * u64::from(ROOM_USERS), 0), "{name}");
    }
    group.finish();
}

criterion_group!(benches, load, run, frames);
criterion_main!(benches);
