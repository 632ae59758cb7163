//! Load runs: any split into steps gives the same numbers, faults land at
//! the requested points, a run stopped part-way is consistent, and the
//! command prints what the library computes; live traffic is the same
//! engine at a chosen rate, with faults injected where the visitor clicks.

use statelab_sim::fleet::{RATE_LIMIT, RATE_WINDOW_S};
use statelab_sim::load::{Mix, Plan, Report, Run, ACCESS_TTL_S, LIVE_SECONDS, LIVE_WINDOW, MAX_LIVE_RATE, SECONDS};
use statelab_sim::Action;
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
        refresh(ACCESS_TTL_S),
        LaneConfig::stateless().with_auth(AuthMode::Opaque),
        LaneConfig::stateless().with_auth(AuthMode::ApiKey { limiter: Store::Local }),
        LaneConfig::stateless().with_auth(AuthMode::ApiKey { limiter: Store::Shared }),
    ]
}

fn refresh(access_ttl_s: u32) -> LaneConfig {
    LaneConfig { token_ttl_s: access_ttl_s, ..LaneConfig::stateless().with_auth(AuthMode::Refresh) }
}

fn played(plan: Plan, config: LaneConfig) -> Report {
    let mut run = Run::new(plan, config, 1);
    run.step(u64::MAX);
    run.report()
}

/// The run played whole and in uneven slices of at most `slice` requests
/// (crossing seconds and fault points), which must report the same; and
/// how many slices it took.
fn whole_and_sliced(plan: Plan, config: LaneConfig, seed: u64, slice: u64) -> (Report, u64) {
    let mut whole = Run::new(plan.clone(), config, seed);
    assert!(whole.step(u64::MAX));
    let mut sliced = Run::new(plan, config, seed);
    let mut steps = 0;
    while !sliced.step(1 + steps % slice) {
        steps += 1;
    }
    assert_eq!(whole.report(), sliced.report(), "{config}: any split gives the same run");
    (whole.report(), steps)
}

#[test]
fn any_split_into_steps_gives_the_same_report() {
    for config in lanes() {
        let (_, steps) = whole_and_sliced(plan(37, 23, CHAOS), config, 5, 13);
        assert!(steps > 50);
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

/// Live traffic plays one simulated second per `rate` requests: played for
/// as many seconds as a plan lasts, it is that plan, second by second.
#[test]
fn live_traffic_at_a_plans_rate_is_that_plan() {
    for config in lanes() {
        let mut planned = Run::new(plan(40, 25, ""), config, 3);
        planned.step(u64::MAX);
        let mut live = Run::live(40, 10, Mix::default(), config, 3);
        assert!(!live.step(1000), "live traffic goes on after 1,000 requests");
        let (p, l) = (planned.report(), live.report());
        assert_eq!(p.rate, 10);
        assert_eq!((l.live, l.requests, l.total), (true, 0, 10 * LIVE_SECONDS));
        assert_eq!(l.totals, p.totals, "{config}");
        assert_eq!(l.seconds[..], p.seconds[100 - LIVE_WINDOW..], "{config}: the last {LIVE_WINDOW} seconds");
        assert_eq!(l.first_second, (100 - LIVE_WINDOW) as u64);
    }
}

#[test]
fn live_traffic_is_bounded_and_refuses_what_a_user_does() {
    let fast = Run::live(10, MAX_LIVE_RATE + 1, Mix::default(), LaneConfig::stateless(), 1);
    assert_eq!(fast.total(), u64::from(MAX_LIVE_RATE) * LIVE_SECONDS, "the rate is clamped");
    let mut live = Run::live(10, 3, Mix::default(), LaneConfig::stateless(), 1);
    assert!(live.step(u64::MAX));
    assert_eq!(live.done(), 3 * LIVE_SECONDS);
    assert_eq!(live.report().first_second, LIVE_SECONDS - LIVE_WINDOW as u64);
    let e = live.inject(&Action::Me { user: statelab_sim::User::Alice }).unwrap_err();
    assert!(e.contains("is not a fault"), "{e}");
    assert!(live.report().markers.is_empty());
}

/// The headline demo: crash S1 under live traffic. Both lanes see the same
/// requests and the crash before the same one; sticky sessions die with S1
/// and their users log in again, while the token lane loses no session and
/// only fails over the seconds before health checks take S1 out.
#[test]
fn a_crash_under_live_traffic_costs_the_stateful_lane_its_sessions() {
    let play = |config| {
        let mut run = Run::live(500, 200, Mix::default(), config, 9);
        run.step(200 * 20);
        run.inject(&Action::Crash { server: 1 }).unwrap();
        run.step(200 * 40);
        run.report()
    };
    let (a, b) = (play(LaneConfig::stateless()), play(LaneConfig::stateful().with_balancer(Strategy::StickyCookie)));
    for r in [&a, &b] {
        assert_eq!((r.markers[0].at, r.markers[0].second), (4000, 20));
        assert!(r.markers[0].text.starts_with("S1 crashed"), "{}", r.markers[0].text);
    }
    assert_eq!(a.totals.sessions_lost, 0);
    assert!(b.totals.sessions_lost > 100, "{}", b.totals.sessions_lost);
    let logins = |r: &statelab_sim::load::Report, from: usize, to: usize| -> u64 {
        r.seconds[from - r.first_second as usize..to - r.first_second as usize].iter().map(|s| s.logins).sum()
    };
    assert_eq!(logins(&a, 21, 40), 0, "token holders keep their tokens");
    assert!(logins(&b, 21, 40) > 100, "S1's users log in again elsewhere");
    assert_eq!(a.seconds.len(), LIVE_WINDOW);
}

/// Live traffic takes any fault at any time, including ones that change
/// nothing: what each lane says must still be true.
#[test]
fn faults_that_change_nothing_under_live_traffic_say_so() {
    let mut run = Run::live(30, 10, Mix::default(), LaneConfig::stateful(), 2);
    run.step(50);
    for a in [
        Action::StoreUp,
        Action::Crash { server: 2 },
        Action::Crash { server: 2 },
        Action::RotateKey { keep_old: false },
        Action::StoreDown,
        Action::StoreUp,
    ] {
        run.inject(&a).unwrap();
    }
    run.inject(&Action::AddServer).unwrap();
    run.step(50);
    assert!(run.report().lane.ends_with("· 3 servers, 4 servers now"), "{}", run.report().lane);
    let said: Vec<String> = run.report().markers.iter().map(|m| m.text.clone()).collect();
    assert_eq!(said[0], "the shared session store was already up: nothing changed");
    assert!(said[1].starts_with("S2 crashed"), "{}", said[1]);
    assert_eq!(said[2], "S2 is already down: nothing changed");
    assert!(said[3].contains("this lane signs nothing with it"), "{}", said[3]);
    assert_eq!(said[4], "the shared session store went down: this lane does not use it");
    assert_eq!(said[5], "the shared session store is back: this lane does not use it");
}

/// Each load user logs in in the run's first second and sends a request
/// every 2 s: its app trades the refresh token for a new access token at
/// the first request after each lifetime, so a run of 100 s sees about
/// 100 / lifetime refreshes per user, and none with the default 15 minutes.
#[test]
fn a_refresh_lane_refreshes_as_often_as_its_access_lifetime_implies() {
    let users = 200;
    for ttl in [ACCESS_TTL_S, 25] {
        let r = played(plan(users, 50, ""), refresh(ttl));
        let t = &r.totals;
        let most = u64::from(users) * SECONDS / u64::from(ttl);
        assert!((most - u64::from(users)..=most).contains(&t.refreshes), "{ttl} s: {} refreshes", t.refreshes);
        assert_eq!((t.ok, t.logins), (t.requests, u64::from(users)), "{ttl} s: every refresh worked, no login again");
        assert_eq!(r.seconds.iter().map(|s| s.refreshes).sum::<u64>(), t.refreshes);
        // The first refreshes come at a user's first request a lifetime after
        // its login (in second 0 or 1), not before.
        let first = r.seconds.iter().position(|s| s.refreshes > 0).unwrap();
        assert!((ttl as usize..=ttl as usize + 2).contains(&first), "{ttl} s: first refresh in second {first}");
        // The access token needs no lookup: the store is met at login and refresh only.
        for (i, s) in r.seconds.iter().enumerate() {
            assert_eq!(s.store_trips == 0, s.refreshes + s.logins == 0, "{ttl} s, second {i}: {s:?}");
        }
        assert!(t.store_trips > t.refreshes);
    }
    let long = played(plan(users, 50, ""), refresh(15 * 60));
    assert_eq!(long.totals.refreshes, 0, "a 15-minute access token outlives a run");
}

/// An opaque token is a reference: every request that carries one is looked up.
#[test]
fn an_opaque_lane_meets_the_store_on_every_authenticated_request() {
    let r = played(plan(150, 40, ""), LaneConfig::stateless().with_auth(AuthMode::Opaque));
    let t = &r.totals;
    assert_eq!(t.ok, t.requests);
    assert!(t.store_trips >= t.requests - t.logins, "{t:?}");
    for s in &r.seconds {
        assert!(s.store_trips >= s.requests() - s.logins, "{s:?}");
    }
    let jwt = played(plan(150, 40, ""), LaneConfig::stateless());
    assert_eq!(jwt.totals.store_trips, 0, "a plain JWT lane never does");
}

/// 31 users × 1,000 requests in 100 s: each user sends 10 requests a second,
/// 100 per 10 s window against a limit of 5 per key. Counted in the store,
/// every server enforces the same 5; counted in each server's memory, each
/// of the 3 servers lets 5 through (31 users: round robin moves each
/// user's requests from server to server), so up to 3 × 5 per window.
#[test]
fn api_keys_limited_in_the_store_answer_429_and_limits_in_each_server_let_more_through() {
    let (users, windows) = (31u64, SECONDS / u64::from(RATE_WINDOW_S));
    let limit = u64::from(RATE_LIMIT);
    let run = |limiter| played(plan(31, 1000, ""), LaneConfig::stateless().with_auth(AuthMode::ApiKey { limiter }));
    let (shared, local) = (run(Store::Shared), run(Store::Local));
    for r in [&shared, &local] {
        let t = &r.totals;
        assert_eq!(t.logins, users, "a 429 keeps the key: nobody logs in again");
        assert_eq!(t.failed, t.limited, "the only failures are the limiter's");
        assert_eq!(t.limited, r.seconds.iter().map(|s| s.limited).sum::<u64>());
        assert_eq!(r.seconds.iter().map(|s| s.other).sum::<u64>(), 0, "429s are not counted as other failures");
    }
    let keyed = |r: &Report| r.totals.ok - r.totals.logins;
    assert!(shared.totals.limited > 0);
    assert!(keyed(&shared) <= users * windows * limit, "{}", keyed(&shared));
    assert!(keyed(&local) > keyed(&shared), "{} vs {}", keyed(&local), keyed(&shared));
    assert!(keyed(&local) <= users * windows * limit * 3, "{}", keyed(&local));
    assert!(keyed(&local) > users * windows * limit * 2, "each server lets its own 5 through: {}", keyed(&local));
    assert_eq!(local.totals.store_trips, 0, "each server counts in its own memory");
    assert!(shared.totals.store_trips >= shared.totals.requests - users, "one INCR per keyed request");
}

/// Connection lanes as `statelab load --lane chat-…|game-…` runs them.
fn connection_lane(app: statelab_sim::App) -> LaneConfig {
    LaneConfig::stateless().with_app(app).with_balancer(Strategy::LeastConnections)
}

#[test]
fn connection_runs_give_the_same_numbers_however_they_are_split() {
    use statelab_sim::App;
    let faults = "30.crash.1~50.store.down~60.store.up~70.drain.2~80.restart.1";
    for app in [App::Chat(Store::Local), App::Chat(Store::Shared), App::Game(Store::Local), App::Game(Store::Shared)] {
        let config = connection_lane(app);
        let mut whole = Run::new(plan(97, 30, faults), config, 5);
        assert!(whole.step(u64::MAX));
        let mut sliced = Run::new(plan(97, 30, faults), config, 5);
        let mut steps = 0;
        while !sliced.step(1 + steps % 17) {
            steps += 1;
        }
        assert_eq!(whole.report(), sliced.report(), "{config}");
        let r = whole.report();
        assert_eq!(r.kind, Some(statelab_sim::fleet::Kind::Connections));
        let w = &r.totals.sockets;
        // Each user logged in and connected once, and every connection lost came back.
        assert_eq!(w.counts.opened - w.counts.reconnects, 97, "{config}");
        assert_eq!(
            w.counts.reconnects,
            w.counts.dropped + w.counts.going_away,
            "{config}: every lost connection reconnected"
        );
        assert_eq!(w.open_total(), 97, "{config}: all open at the end");
        assert_eq!(w.sent + w.offline + r.totals.logins + 97, r.total, "{config}: every turn counted once");
        // The seconds add up to the totals; the open connections are looked at every second.
        let delivered: u64 = r.seconds.iter().map(|s| s.sockets.counts.delivered).sum();
        assert_eq!(delivered, w.counts.delivered);
        assert!(r.seconds.iter().skip(3).all(|s| s.sockets.open_total() > 0));
        // Every count the lane keeps reaches the report: one type, no field left behind.
        assert_eq!(w.counts, whole.lane().stats().sockets, "{config}");
        assert_eq!(Run::new(plan(97, 30, faults), config, 5).report().seconds.len(), 0);
    }
}

#[test]
fn a_seconds_socket_counts_stay_flat_in_json() {
    // The worker's charts and saved reports read each count by name at the top level.
    let r = played(plan(20, 10, "5.crash.1"), connection_lane(statelab_sim::App::Chat(Store::Local)));
    let json = serde_json::to_value(&r.totals.sockets).unwrap();
    let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "delivered",
            "dropped",
            "failed_attempts",
            "frame_bytes",
            "frames",
            "going_away",
            "matches_lost",
            "matches_resumed",
            "missed",
            "moves_lost",
            "offline",
            "open",
            "opened",
            "policy_closed",
            "reconnects",
            "sent"
        ]
    );
    assert_eq!(json["missed"], r.totals.sockets.counts.missed);
    assert!(r.totals.sockets.counts.missed > 0);
}

#[test]
fn what_a_crash_costs_depends_on_where_the_room_lives() {
    use statelab_sim::App;
    let run = |app, faults: &str| played(plan(200, 50, faults), connection_lane(app));
    // Pub/sub reaches every server; a room in memory only the sender's.
    let pubsub = run(App::Chat(Store::Shared), "40.crash.1");
    let memory = run(App::Chat(Store::Local), "40.crash.1");
    assert_eq!(pubsub.totals.sockets.counts.missed, 0);
    assert!(
        memory.totals.sockets.counts.missed > memory.totals.sockets.counts.delivered / 2,
        "{:?}",
        memory.totals.sockets
    );
    assert_eq!(pubsub.totals.sockets.sent, memory.totals.sockets.sent, "the same traffic");
    // A crash drops a third of the connections with no close frame; least
    // connections sends their reconnects to the crashed server (it holds
    // none) until health checks take it out: failed attempts, then 101s.
    assert_eq!(pubsub.totals.sockets.counts.dropped, 67);
    assert!(pubsub.totals.sockets.counts.failed_attempts > 0);
    assert!(pubsub.text().contains("after crash 1 (seconds 40–100)"), "{}", pubsub.text());
    // With the store down, pub/sub carries nothing.
    let down = run(App::Chat(Store::Shared), "40.store.down~60.store.up");
    assert!(down.totals.sockets.counts.missed > 0 && down.totals.store_trips > 0);
    // A match in memory dies with its server; a checkpointed one resumes.
    let game = run(App::Game(Store::Local), "40.crash.1");
    let checkpointed = run(App::Game(Store::Shared), "40.crash.1");
    assert!(game.totals.sockets.counts.moves_lost > 0);
    assert_eq!(checkpointed.totals.sockets.counts.moves_lost, 0);
    // Both lose the crashed server's matches from memory; only checkpoints let another server take them up.
    let lost = |r: &Report| r.totals.sockets.counts.matches_lost;
    let resumed = |r: &Report| r.totals.sockets.counts.matches_resumed;
    assert!(lost(&game) > 0 && lost(&game) == lost(&checkpointed), "{:?}", game.totals.sockets);
    // Least connections spreads a room's players over every server, each
    // running its own copy of the match: the survivors already run one, so
    // nobody takes a checkpoint up.
    assert_eq!((resumed(&game), resumed(&checkpointed)), (0, 0));
    // With the room hashed to one server, the server it moves to runs none.
    let hashed = |app| {
        let config = LaneConfig::stateless().with_app(app).with_balancer(Strategy::RoomHash);
        played(plan(200, 50, "40.crash.1"), config)
    };
    let (game, checkpointed) = (hashed(App::Game(Store::Local)), hashed(App::Game(Store::Shared)));
    assert!(lost(&game) > 0 && lost(&game) == lost(&checkpointed), "{:?}", game.totals.sockets);
    assert_eq!(resumed(&game), 0);
    assert_eq!(resumed(&checkpointed), lost(&checkpointed), "{:?}", checkpointed.totals.sockets);
    assert!(game.text().contains("game moves lost with a server's memory: "));
}

fn file_lane(code: &str) -> LaneConfig {
    statelab_sim::text::parse_config(code).unwrap()
}

#[test]
fn file_runs_hold_ftp_sessions_per_server_and_resume_what_a_crash_cut() {
    use statelab_sim::fleet::Kind;
    let faults = "30.crash.1";
    let run = |code: &str| whole_and_sliced(plan(300, 40, faults), file_lane(code), 3, 13).0;
    let ftp = run("ftp:local.iphash.3");
    let http = run("files:jwt.rr.3");
    for r in [&ftp, &http] {
        assert_eq!(r.kind, Some(Kind::Files));
        let f = &r.totals.files;
        // Every turn is an answer or a wait, and every answer is counted once.
        let answered = f.counts.logins + f.counts.started + f.counts.resumed + f.counts.no_data + f.counts.refused;
        assert_eq!(answered + f.waiting, r.total, "{}", r.config);
        assert_eq!(r.totals.ok + r.totals.failed, answered, "{}", r.config);
        // The seconds add up to the totals.
        let cut: u64 = r.seconds.iter().map(|s| s.files.counts.cut).sum();
        assert_eq!(cut, f.counts.cut);
        assert!(f.counts.cut > 0 && f.counts.resumed > 0 && f.counts.completed > 0, "{}: {f:?}", r.config);
    }
    // FTP: one session per load user, held by the server its control
    // connection reached; the crash takes S1's, and their users log in again.
    let f = &ftp.totals.files;
    let before = &ftp.seconds[29].files;
    assert_eq!(before.held_total(), 300, "every load user logged in once: {:?}", before.held);
    assert_eq!(f.counts.sessions_lost, u64::from(before.held[0]), "the crash took what S1 held");
    assert_eq!(f.counts.logins, 300 + f.counts.sessions_lost, "each lost session logged in again");
    assert_eq!(ftp.totals.sessions_lost, f.counts.sessions_lost);
    assert_eq!(ftp.seconds[31].files.held[0], 0, "S1 holds none after the crash");
    assert!(ftp.markers[0].text.contains(&format!("load users lost {} FTP sessions", f.counts.sessions_lost)));
    // IP hash sends the data connection where the control connection went:
    // no 425 until the crash changes the servers the hash spreads over.
    assert_eq!(ftp.seconds[..30].iter().map(|s| s.files.counts.no_data).sum::<u64>(), 0);
    assert!(ftp.text().contains(&format!("FTP sessions: {} logins", f.counts.logins)), "{}", ftp.text());
    // HTTP: no session anywhere, no login; a cut download goes on with Range on any server.
    let h = &http.totals.files;
    assert_eq!((h.counts.logins, h.held_total(), h.counts.sessions_lost, h.counts.no_data), (0, 0, 0, 0));
    assert!(http.text().contains("resumed (Range)") && ftp.text().contains("resumed (REST)"));
    assert!(!http.text().contains("FTP sessions:"));
    assert!(ftp.totals.credential_bytes < http.totals.credential_bytes, "FTP sends its password once a session");
    // Round robin sends most data connections to another server than PASV's.
    let rr = played(plan(300, 40, ""), file_lane("ftp:local.rr.3"));
    assert!(rr.totals.files.counts.no_data > rr.totals.files.counts.started, "{:?}", rr.totals.files);
}

#[test]
fn database_runs_wait_for_pooled_connections_as_long_as_transactions_hold_them() {
    use statelab_sim::fleet::{Kind, POOL_SIZE};
    // 500 orders a simulated second over 3 app servers with 2 connections each.
    const FAULTS: &str = "50.crash.2~60.restart.2";
    let run = |code: &str| whole_and_sliced(plan(500, 100, FAULTS), file_lane(code), 4, 29).0;
    let session = run("db-session:jwt.rr.3");
    let bouncer = run("db-txn:jwt.rr.3");
    let stateless = run("db-stateless:jwt.rr.3");
    for r in [&session, &bouncer, &stateless] {
        assert_eq!(r.kind, Some(Kind::Db));
        let p = &r.totals.pools.counts;
        assert_eq!(p.checkouts + p.timeouts + p.refused, r.total, "{}: every order counted once", r.config);
        assert_eq!(r.totals.ok, p.checkouts, "{}", r.config);
        assert!(r.text().contains("pool checkouts: "), "{}", r.text());
    }
    let (s, b, l) = (&session.totals.pools, &bouncer.totals.pools, &stateless.totals.pools);
    // One round trip instead of three: the stateless orders free their connection sooner.
    assert!(l.counts.wait_ms < s.counts.wait_ms, "{:?} vs {:?}", l.counts, s.counts);
    // PgBouncer opens its few server connections once, for every app server;
    // each app server's pool opens its own, and again after the crash.
    assert_eq!(b.counts.opened, POOL_SIZE as u64);
    assert_eq!(s.counts.opened, 4 * POOL_SIZE as u64, "{:?}", s.counts);
    // The crash took S2's orders: those under way on its connections, and
    // behind PgBouncer, where the queue is long, those queued too.
    assert!(s.counts.aborted > 0, "{:?}", s.counts);
    assert!(b.counts.dropped > 0, "{:?}", b.counts);
    assert!(
        bouncer
            .text()
            .contains(&format!("queued orders a crash dropped: {}", statelab_sim::load::thousands(b.counts.dropped))),
        "{}",
        bouncer.text()
    );
    assert!(session.markers[0].text.contains("PostgreSQL rolled back"), "{}", session.markers[0].text);
    // Behind PgBouncer the other servers' queue outlives S2: their orders still wait.
    let waited =
        |x: &statelab_sim::load::Second| x.pools.counts.wait_ms.checked_div(x.pools.counts.waited).unwrap_or(0);
    assert!(waited(&bouncer.seconds[49]) > 1_000, "{:?}", bouncer.seconds[49].pools);
    assert!(waited(&bouncer.seconds[51]) >= waited(&bouncer.seconds[49]), "{:?}", bouncer.seconds[51].pools);
    assert!(session.seconds.iter().all(|x| x.pools.open.iter().all(|n| *n as usize <= POOL_SIZE)));
    assert!(bouncer.seconds.iter().all(|x| x.pools.open[1..].iter().all(|n| *n == 0)), "one pool: PgBouncer's");
    // Behind PgBouncer, all orders share two connections: they wait longest.
    assert!(b.counts.wait_ms > s.counts.wait_ms, "{:?} vs {:?}", b.counts, s.counts);
    // Waits of seconds are read to their bin (a 32nd of each doubling), not
    // capped at 63 ms as a histogram of 64 one-millisecond bins had them.
    let t = &bouncer.totals;
    assert!(t.p99_ms > 1_000 && t.p99_ms >= t.p95_ms && t.p95_ms >= t.p50_ms, "{t:?}");
    let (first, last) = statelab_sim::load::bin_range(statelab_sim::load::bin_of(t.p99_ms));
    assert_eq!(first, t.p99_ms);
    assert!(bouncer.text().contains(&format!(
        "p99 {}–{} ms",
        statelab_sim::load::thousands(first.into()),
        statelab_sim::load::thousands(last.unwrap().into())
    )));
    assert_eq!(bouncer.totals.peak_in_use, POOL_SIZE as u64, "saturated: both lent");
    // The command names PgBouncer's pool as PgBouncer's, not as S1's.
    assert!(bouncer.text().contains("open at the end: 2 (PgBouncer 2)"), "{}", bouncer.text());
    assert!(
        session.text().contains("(S1's pool 2, S2's pool 2, S3's pool 2)"),
        "S2 reopened its pool: {}",
        session.text()
    );
}
