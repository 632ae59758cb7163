//! Load runs: any split into steps gives the same numbers, faults land at
//! the requested points, a run stopped part-way is consistent, and the
//! command prints what the library computes.

use statelab_sim::load::{Plan, Run};
use statelab_sim::{AuthMode, LaneConfig, Store, Strategy};

fn plan(clients: u32, requests: u32, faults: &str) -> Plan {
    Plan { faults: Plan::parse_faults(faults).unwrap(), ..Plan::new(clients, requests) }
}

const CHAOS: &str = "30.crash.1~50.store.down~60.store.up~70.restart.1~80.rotate.drop";

fn lanes() -> Vec<LaneConfig> {
    vec![
        LaneConfig::stateless(),
        LaneConfig::stateful(),
        LaneConfig::stateful().with_balancer(Strategy::StickyCookie),
        LaneConfig::stateful().with_auth(AuthMode::ServerSession { store: Store::Shared }),
        LaneConfig::stateless().with_auth(AuthMode::SignedCookie),
    ]
}

#[test]
fn any_split_into_steps_gives_the_same_report() {
    for config in lanes() {
        let mut whole = Run::new(plan(37, 23, CHAOS), config, 5);
        assert!(whole.step(u64::MAX));
        let mut sliced = Run::new(plan(37, 23, CHAOS), config, 5);
        let mut steps = 0;
        // Uneven slices that cross seconds and fault points.
        while !sliced.step(1 + steps % 13) {
            steps += 1;
        }
        assert!(steps > 50);
        assert_eq!(whole.report(), sliced.report(), "{config}");
    }
}

#[test]
fn faults_land_at_the_requested_points() {
    let mut run = Run::new(plan(100, 10, CHAOS), LaneConfig::stateful().with_balancer(Strategy::StickyCookie), 1);
    run.step(u64::MAX);
    let r = run.report();
    assert_eq!(r.total, 1000);
    assert_eq!(r.rate, 10);
    let at: Vec<(u64, u64, &str)> = r.markers.iter().map(|m| (m.at, m.second, m.action.as_str())).collect();
    assert_eq!(
        at,
        [
            (300, 30, "crash 1"),
            (500, 50, "store down"),
            (600, 60, "store up"),
            (700, 70, "restart 1"),
            (800, 80, "rotate drop")
        ]
    );
    assert!(r.markers[0].text.starts_with("S1 crashed"), "{}", r.markers[0].text);
    // Sticky sessions on S1 die with it: sessions lost, then 502s until health checks act.
    assert!(r.totals.sessions_lost > 0);
    let before: u64 = r.seconds[..30].iter().map(|s| s.unavailable).sum();
    let after: u64 = r.seconds[30..40].iter().map(|s| s.unavailable).sum();
    assert_eq!(before, 0);
    assert!(after > 0, "the crashed server answers nothing until health checks take it out");
    assert_eq!(r.seconds.len(), 100);
    assert_eq!(r.seconds[45].per_server[0], 0, "S1 is out of rotation between 40 s and its restart");
    // What is held is looked at every 5 s: S1 held sessions before the crash and none after.
    assert!(r.seconds[3].held.is_none());
    let held = |i: usize| r.seconds[i].held.as_ref().unwrap();
    assert!(held(29).sessions[0] > 0 && held(34).sessions[0] == 0, "{:?} {:?}", held(29), held(34));
    assert!(held(99).sessions[1] > held(29).sessions[1], "S2 took over some of S1's users");
    // Sticky users were re-pinned elsewhere when S1 left: the restarted S1 gets none of them.
    assert_eq!(r.seconds[90].per_server[0], 0);
}

#[test]
fn a_fault_at_the_end_lands_after_the_last_request() {
    let mut run = Run::new(plan(4, 5, "100.crash.2~0.bounce.1"), LaneConfig::stateful(), 1);
    run.step(u64::MAX);
    let r = run.report();
    assert_eq!(
        r.markers.iter().map(|m| (m.at, m.action.as_str())).collect::<Vec<_>>(),
        [(0, "bounce 1"), (20, "crash 2")]
    );
    assert_eq!(r.totals.requests, 20);
}

#[test]
fn a_run_stopped_part_way_is_consistent_and_can_go_on() {
    let config = LaneConfig::stateless();
    let mut run = Run::new(plan(50, 40, CHAOS), config, 3);
    run.step(1234);
    let r = run.report();
    assert_eq!(r.done, 1234);
    let t = &r.totals;
    assert_eq!(t.requests, 1234);
    assert_eq!(t.ok + t.failed, 1234);
    assert_eq!(t.per_server.iter().sum::<u64>() + t.balancer, 1234);
    assert_eq!(r.seconds.iter().map(|s| s.requests()).sum::<u64>(), 1234);
    assert_eq!(r.latency.iter().sum::<u64>(), 1234);
    assert_eq!(r.markers.len(), 3, "faults at 30 % and 50 % of 2,000 fired, 60 % not yet");
    let mut on = run.clone();
    on.step(u64::MAX);
    let mut whole = Run::new(plan(50, 40, CHAOS), config, 3);
    whole.step(u64::MAX);
    assert_eq!(on.report(), whole.report());
}

#[test]
fn the_same_seed_gives_the_same_numbers_and_another_seed_other_ids() {
    let run = |seed| {
        let mut r = Run::new(plan(31, 10, ""), LaneConfig::stateful(), seed);
        r.step(u64::MAX);
        r.report()
    };
    assert_eq!(run(9), run(9));
    // Round robin over local sessions (31 users, 3 servers): requests land where the session is not.
    let r = run(9);
    assert!(r.totals.unauthorized > r.totals.ok / 2, "{:?}", r.totals);
}

#[test]
fn jwt_lanes_do_not_notice_a_crash_once_health_checks_act() {
    let mut run = Run::new(plan(200, 50, "30.crash.1"), LaneConfig::stateless(), 1);
    run.step(u64::MAX);
    let r = run.report();
    assert_eq!(r.totals.unauthorized, 0);
    assert_eq!(r.totals.sessions_lost, 0);
    assert!(r.seconds[50..].iter().all(|s| s.failed() == 0));
    assert_eq!(r.seconds[45].per_server[0], 0);
    let mut restarted = Run::new(plan(200, 50, "30.crash.1~70.restart.1"), LaneConfig::stateless(), 1);
    restarted.step(u64::MAX);
    assert!(restarted.report().seconds[90].per_server[0] > 0, "round robin sends to S1 again once it is back");
}
