//! Load runs: N load users × M requests each through one lane, with faults
//! at chosen points, counted per simulated second for charts.
//!
//! A run is deterministic and resumable: [`Run::step`] plays at most so many
//! requests and returns, and any split into steps gives the same numbers as
//! one call, so the page can run it in slices in a worker, show progress and
//! stop at any point. Request `k` goes to load user `k mod N`; the route a
//! logged-in user asks for is drawn from the mix by a hash of `k`, not from
//! the lane's random stream, so both lanes of a run see the same traffic.
//!
//! Time: a run lasts [`SECONDS`] simulated seconds whatever its size (the
//! rate is the total over that), so a fault at 30 % lands at 30 s and the
//! balancer's health checks (every 5 s) take the same share of every run.
//! The clock moves once per simulated second.
//!
//! Live traffic is a run without a plan's length: load users send a chosen
//! number of requests every simulated second, up to [`LIVE_SECONDS`], while
//! the visitor injects faults ([`Run::inject`]); its reports carry only the
//! last [`LIVE_WINDOW`] seconds, for rolling charts.
//!
//! What a load user's rate does to an API-key lane: a user sends
//! `requests / SECONDS` requests a simulated second (live traffic: the rate
//! over the users), so `requests / 10` per 10 s window, against the limit of
//! `RATE_LIMIT` (5) per `RATE_WINDOW_S` (10 s) per client. Past 50 requests per
//! user — the panel's default run sends 100, so 10 a window — a lane that
//! counts in the store answers every request past the 5th of a window 429:
//! that is the limit doing its job, each client its share however many servers
//! it meets, and the run counts it apart from failures of the fleet
//! (`Second::limited`). Counted in each server's memory, a client gets up to 5
//! per server per window: what a per-server limit lets through.
//!
//! Links and the command line write plans as text: `10000x100` for the size,
//! `30.crash.1~50.store.down~60.store.up~70.restart.1~80.rotate.drop` for the
//! faults (percent, then the action in `text::notation`), `40.30.20.10`
//! for the mix (weights of /api/me, /api/cart, /api/orders, adding to the cart).
#![deny(clippy::arithmetic_side_effects)]

pub mod designs;
mod latency;
mod plan;
mod report;
mod run;

pub use latency::{bin_label, bin_of, bin_range, LATENCY_BINS};
pub use plan::{Fault, Mix, Plan};
pub use report::{binned_ms, Files, Held, Marker, Pools, Report, Second, Sockets, Totals};
pub use run::Run;
// Numbers in words live at the bottom layer, where the fleet's sentences reach them too.
pub use crate::base::words::{how_many, thousands};

/// Most load users in a run.
pub const MAX_CLIENTS: u32 = 10_000;
/// Most requests per load user.
pub const MAX_REQUESTS: u32 = 1_000;
/// Most faults in a schedule.
pub const MAX_FAULTS: usize = 16;
/// Simulated length of every run.
pub const SECONDS: u64 = 100;
/// Most requests per simulated second of live traffic.
pub const MAX_LIVE_RATE: u32 = 2_000;
/// Live traffic stops after this many simulated seconds (10 minutes): a
/// link or a forgotten tab cannot ask for unbounded work, and at the top
/// rate that is 1,200,000 requests a lane, the size of the largest load run.
pub const LIVE_SECONDS: u64 = 600;
/// Seconds a live report carries, for charts that roll.
pub const LIVE_WINDOW: usize = 60;
/// What servers and the store hold is looked at every this many simulated
/// seconds (and at the end): it visits every session, and a round-robin lane
/// of local sessions piles up hundreds of thousands of them. Looking every
/// second cost more than the requests themselves.
pub const HELD_EVERY: u64 = 5;

/// The access-token lifetime, in seconds, of the refresh lane `statelab load
/// --lane refresh` runs and the load panel suggests: a tenth of a run, so each
/// load user refreshes about nine times in it (the lanes' default, 15 minutes,
/// outlives a run and shows no refresh at all).
pub const ACCESS_TTL_S: u32 = 10;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::config::LaneConfig;
    use crate::fleet::lane::traffic::LoadRoute;
    use crate::playground::Action;

    #[test]
    fn sizes_read_within_bounds_and_say_what_is_wrong() {
        assert_eq!(Plan::parse_size("10000x100"), Ok((10_000, 100)));
        assert_eq!(Plan::parse_size("3X7"), Ok((3, 7)));
        let e = Plan::parse_size("99999999x1").unwrap_err();
        assert_eq!(e, "a load run is limited to 10,000 clients (the link asks for 99999999)");
        let e = Plan::parse_size("10x1001").unwrap_err();
        assert!(e.contains("1,000 requests per client"), "{e}");
        assert_eq!(Plan::parse_size("0x5").unwrap_err(), "a load run cannot have 0 clients");
        assert!(Plan::parse_size("ten").unwrap_err().contains("<clients>x<requests>"));
        assert!(Plan::parse_size("-1x5").unwrap_err().contains("<clients>x<requests>"));
        assert!(Plan::parse_size("1x+5").unwrap_err().contains("<clients>x<requests>"));
        let e = Plan::parse_size(&format!("{}x1", "9".repeat(400))).unwrap_err();
        assert!(e.len() < 200, "{e}");
    }

    #[test]
    fn live_sizes_read_within_their_own_bounds() {
        assert_eq!(Plan::parse_live("1000x500"), Ok((1000, 500)));
        let e = Plan::parse_live("10x2001").unwrap_err();
        assert_eq!(e, "live traffic is limited to 2,000 requests per second (the link asks for 2001)");
        assert!(Plan::parse_live("10").unwrap_err().starts_with("live `10` is not <users>x<requests per second>"));
        assert_eq!(Plan::parse_live("0x5").unwrap_err(), "live traffic cannot have 0 users");
    }

    #[test]
    fn fault_schedules_round_trip_and_refuse_user_actions() {
        let text = "30.crash.1~50.store.down~60.store.up~70.restart.1~80.rotate.drop";
        let faults = Plan::parse_faults(text).unwrap();
        assert_eq!(faults.len(), 5);
        assert_eq!(faults[0], Fault { at: 30, action: Action::Crash { server: 1 } });
        let plan = Plan { faults, ..Plan::new(10, 10) };
        assert_eq!(plan.faults_text(), text);
        assert_eq!(Plan::parse_faults("70.restart 1~30.crash 1").unwrap()[0].at, 30, "sorted by point");
        assert!(Plan::parse_faults("30.me.alice").unwrap_err().contains("not a fault"));
        assert!(Plan::parse_faults("130.crash.1").unwrap_err().contains("percent"));
        assert!(Plan::parse_faults("30.fly").unwrap_err().contains("unknown action"));
        // A fault on a server the lane does not have is refused, counting the schedule's own changes.
        let plan = |text: &str| Plan { faults: Plan::parse_faults(text).unwrap(), ..Plan::new(10, 10) };
        let three = LaneConfig::stateless();
        assert_eq!(
            plan("10.crash.7").check_fleet(&three).unwrap_err(),
            "fault `10.crash.7` names S7, but the lane `jwt.rr.3` has only 3 servers at that point"
        );
        assert!(plan("10.add-server~20.crash.4").check_fleet(&three).is_ok());
        assert!(plan("10.remove-server~20.restart.3").check_fleet(&three).unwrap_err().contains("only 2 servers"));
        assert!(plan("10.crash.3~20.store.down").check_fleet(&three).is_ok());
        assert!(plan("10.crash.7").check_fleet(&three.with_servers(8)).is_ok());
        assert!(Plan::parse_faults(&"1.crash.1~".repeat(17)).unwrap_err().contains("at most 16"));
        assert_eq!(Plan::parse_faults("").unwrap(), vec![]);
    }

    #[test]
    fn mixes_read_and_draw_every_weighted_route() {
        assert_eq!(Mix::parse("40.30.20.10"), Ok(Mix { me: 40, cart: 30, orders: 20, add: 10 }));
        assert!(Mix::parse("0.0.0.0").is_err());
        assert!(Mix::parse("1.2.3").is_err());
        assert!(Mix::parse("101.0.0.0").is_err());
        let mix = Mix { me: 1, cart: 0, orders: 0, add: 3 };
        let adds = (0..4000).filter(|k| mix.route(*k) == LoadRoute::AddToCart).count();
        assert!((2800..3200).contains(&adds), "{adds}");
        assert!((0..4000).all(|k| matches!(mix.route(k), LoadRoute::Me | LoadRoute::AddToCart)));
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}
