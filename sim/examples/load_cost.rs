//! A fixed amount of load, for counting instructions with callgrind (wall
//! clock on a shared machine moves ±20 %; instruction counts do not):
//!
//! ```sh
//! cargo build -p statelab-sim --profile bench --example load_cost [--no-default-features]
//! valgrind --tool=callgrind target/release/examples/load_cost run local
//! ```
//!
//! `page local` times the page's `load=10000x100` on lane B's default design.
//! `load` plays `load 500 20000` after the users log in (what the
//! throughput benchmark times); `run` plays the same through a load run with
//! its chart data. Without default features the engine's tables are sorted
//! vectors, as in the page's main bundle; with them, `BTreeMap`s.

use statelab_sim::load::{Plan, Run};
use statelab_sim::LaneId;
use statelab_sim::{Action, Lane, LaneConfig, Strategy};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let config = match args.get(2).map(String::as_str) {
        Some("local") => LaneConfig::stateful().with_balancer(Strategy::StickyCookie),
        _ => LaneConfig::stateless(),
    };
    let failed = match args.get(1).map(String::as_str) {
        // The page's `load=10000x100` on one lane: 1,000,000 requests.
        Some("page") => {
            let config = if args.get(2).map(String::as_str) == Some("local") { LaneConfig::stateful() } else { config };
            let t = std::time::Instant::now();
            let mut run = Run::new(Plan::new(10_000, 100), config, 1);
            run.step(u64::MAX);
            let r = run.report();
            eprintln!("{:.2} s; {:?}", t.elapsed().as_secs_f64(), r.totals);
            r.totals.failed
        }
        Some("run") => {
            let mut run = Run::new(Plan::new(500, 41), config, 1);
            run.step(u64::MAX);
            run.report().totals.failed
        }
        _ => {
            let mut lane = Lane::new(config, 1, LaneId::A);
            Action::Load { users: 500, requests: 500 }.apply_to(&mut lane, 0);
            Action::Load { users: 500, requests: 20_000 }.apply_to(&mut lane, 1);
            lane.stats().failed
        }
    };
    println!("{failed} failed");
}
