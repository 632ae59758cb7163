//! The page's load runs, in a Web Worker built as its own wasm module
//! (index.html's worker link) and fetched only when a run starts, so none of
//! it counts against the initial load. `static/load-worker.js` drives it:
//! a lane worker plays one lane's [`Run`] in slices (or, for live traffic,
//! in ticks the page paces) and posts its report as JSON; a render worker
//! turns both lanes' reports into the charts' HTML. A lane's "Run it
//! yourself" text comes from here too (`static/run-it.js`), to keep the
//! HAProxy configuration out of the page's main bundle.

pub mod chart;

use statelab_sim::load::{Mix, Plan, Report, Run};
use statelab_sim::text::parse_config;

/// Live traffic plays a simulated second in this many ticks of the page's
/// clock (static/load-run.js: one tick every 250 ms, so the charts move four
/// times a second and a simulated second takes half a real one).
pub const TICKS_PER_SECOND: u64 = 2;
use statelab_sim::text::parse_actions;
use wasm_bindgen::prelude::*;

/// A plan from the link's texts: `10000x100`, the fault schedule, the mix
/// (empty for the default). The error says what is wrong, for the page.
pub fn plan(size: &str, faults: &str, mix_text: &str) -> Result<Plan, String> {
    let (clients, requests) = Plan::parse_size(size)?;
    Ok(Plan { faults: Plan::parse_faults(faults)?, mix: mix(mix_text)?, ..Plan::new(clients, requests) })
}

fn mix(text: &str) -> Result<Mix, String> {
    if text.is_empty() {
        Ok(Mix::default())
    } else {
        Mix::parse(text)
    }
}

fn parse_seed(text: &str) -> Result<u64, String> {
    text.parse::<u64>().map_err(|_| format!("seed `{text}` is not a whole number"))
}

/// One lane's run, driven from JavaScript.
#[wasm_bindgen]
pub struct LaneRun {
    run: Run,
    /// Live traffic: ticks played.
    ticks: u64,
}

#[wasm_bindgen]
impl LaneRun {
    /// `config` as links write it (`jwt.rr.3`); `seed` as decimal text, since
    /// a JavaScript number cannot hold every u64.
    #[wasm_bindgen(constructor)]
    pub fn new(size: &str, faults: &str, mix: &str, config: &str, seed: &str) -> Result<LaneRun, String> {
        let (plan, config) = (plan(size, faults, mix)?, parse_config(config)?);
        plan.check_fleet(&config)?;
        Ok(LaneRun { run: Run::new(plan, config, parse_seed(seed)?), ticks: 0 })
    }

    /// Live traffic as a link writes it: `1000x500` (users × requests per
    /// simulated second), the mix, the lane's config, the seed.
    pub fn live(size: &str, mix_text: &str, config: &str, seed_text: &str) -> Result<LaneRun, String> {
        let (users, rate) = Plan::parse_live(size)?;
        let run = Run::live(users, rate, mix(mix_text)?, parse_config(config)?, parse_seed(seed_text)?);
        Ok(LaneRun { run, ticks: 0 })
    }

    /// Live traffic: plays the next tick's share of a simulated second;
    /// `true` once live traffic has played its most seconds.
    pub fn tick(&mut self) -> bool {
        self.ticks = self.ticks.saturating_add(1);
        let due = self.run.total().min(self.ticks.saturating_mul(self.run.rate()) / TICKS_PER_SECOND);
        self.run.step(due.saturating_sub(self.run.done()))
    }

    /// Plays at most `max` more requests; `true` when the run is complete.
    pub fn step(&mut self, max: u32) -> bool {
        self.run.step(u64::from(max))
    }

    pub fn done(&self) -> f64 {
        self.run.done() as f64
    }

    pub fn total(&self) -> f64 {
        self.run.total() as f64
    }

    /// The report so far, as JSON for the render worker.
    pub fn report(&self) -> String {
        serde_json::to_string(&self.run.report()).unwrap_or_default()
    }

    /// A fault now (live traffic), in the action notation: `crash 1`.
    pub fn inject(&mut self, action: &str) -> Result<(), String> {
        let actions = parse_actions(action).map_err(|e| e.to_string())?;
        actions.iter().try_for_each(|a| self.run.inject(a))
    }
}

/// The charts and tables for lane A's and lane B's reports (JSON; either
/// may be empty when that lane is not shown).
#[wasm_bindgen]
pub fn render(a: &str, b: &str) -> String {
    let parse = |s: &str| serde_json::from_str::<Report>(s).ok();
    let (a, b) = (parse(a), parse(b));
    let lanes: Vec<(&str, &Report)> =
        [("A", a.as_ref()), ("B", b.as_ref())].into_iter().filter_map(|(l, r)| Some((l, r?))).collect();
    chart::render(&lanes)
}

/// "Run it yourself" for the lane `config` (as links write it): its commands
/// and HAProxy configuration, exactly as `statelab fleet <config>` prints them.
#[wasm_bindgen]
pub fn run_it_yourself(config: &str) -> Result<String, String> {
    statelab_sim::text::run_it_yourself_for(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_from_link_text_say_what_is_wrong() {
        assert!(plan("99999999x1", "", "").unwrap_err().contains("limited to 10,000 clients"));
        assert!(plan("10x10", "30.me.alice", "").unwrap_err().contains("not a fault"));
        let p = plan("10x10", "30.crash.1", "1.0.0.1").unwrap();
        assert_eq!((p.clients, p.requests, p.faults.len(), p.mix.add), (10, 10, 1, 1));
        let err = LaneRun::new("10x10", "10.crash.7", "", "jwt.rr.3", "1").err().unwrap();
        assert!(err.contains("names S7, but the lane `jwt.rr.3` has only 3 servers"), "{err}");
    }

    #[test]
    fn a_report_survives_its_json_trip_to_the_render_worker() {
        let mut run = LaneRun::new("50x20", "40.crash.2", "", "local.sticky.3", "7").unwrap();
        while !run.step(77) {}
        let json = run.report();
        let back: Report = serde_json::from_str(&json).unwrap();
        assert_eq!(back, run.run.report());
        assert!(render(&json, "").contains("lane A"));
        assert!(LaneRun::new("5x5", "", "", "nope", "1").is_err());
    }

    #[test]
    fn live_traffic_plays_half_a_second_a_tick_and_its_charts_roll() {
        let mut live = LaneRun::live("100x11", "", "local.sticky.3", "1").unwrap();
        live.tick();
        assert_eq!(live.done(), 5.0, "half of 11 requests, rounded down");
        live.tick();
        assert_eq!(live.done(), 11.0, "a whole second after two ticks");
        for _ in 0..18 {
            live.tick();
        }
        live.inject("crash 1").unwrap();
        assert!(live.inject("me alice").unwrap_err().contains("not a fault"));
        assert!(live.inject("crash").is_err());
        for _ in 0..180 {
            live.tick();
        }
        let report: Report = serde_json::from_str(&live.report()).unwrap();
        assert_eq!((report.first_second, report.seconds.len()), (40, 60));
        let html = render(&live.report(), "");
        assert!(
            html.contains("text-anchor=\"start\">40 s<") && html.contains("text-anchor=\"end\">100 s<"),
            "the axis says which seconds it shows"
        );
        assert!(!html.contains("<g class=\"fault\">"), "the crash at 10 s has rolled out of the window");
        assert!(html.contains("<li>10 s, before request 110: S1 crashed"), "but the table still lists it");
        assert!(html.contains("<th scope=\"row\">40–50 s</th>"));
        assert!(LaneRun::live("100x2001", "", "jwt.rr.3", "1").err().unwrap().contains("limited to 2,000"));
    }

    #[test]
    fn a_connection_lane_s_run_draws_its_connections_and_messages() {
        let mut run = LaneRun::new("200x20", "40.crash.1", "", "chat-memory:jwt.leastconn.3", "1").unwrap();
        while !run.step(500) {}
        let report = run.run.report();
        assert!(
            report.kind == Some(statelab_sim::fleet::Kind::Connections) && report.totals.sockets.counts.missed > 0,
            "memory rooms miss across servers"
        );
        let html = render(&run.report(), "");
        assert!(
            html.contains("<h3>Connections open per server</h3>")
                && html.contains("<h3>Messages per simulated second</h3>")
        );
        for server in 1..=3 {
            assert!(html.contains(&format!("<polyline class=\"line srv{server}\"")), "S{server}'s line");
        }
        assert!(
            html.contains("<polyline class=\"line delivered\"") && html.contains("<polyline class=\"line missed\"")
        );
        assert!(html.contains(
            "<figcaption id=\"messages-per-simulated-second-a-cap\">Lane A: messages per second</figcaption>"
        ));
        // The crash marker is drawn on both; the table names it.
        let open = &html[html.find("connections-open-per-server-a").unwrap()
            ..html.find("messages-per-simulated-second-a").unwrap()];
        assert!(open.contains("<g class=\"fault\">"), "the crash marker on the connections chart");
        assert!(html.contains("<li>40 s: S1 crashed"), "{}", &html[html.find("load-faults").unwrap_or(0)..][..300]);
        // A shop lane's report draws neither.
        let mut shop = LaneRun::new("20x10", "", "", "jwt.rr.3", "1").unwrap();
        while !shop.step(500) {}
        assert!(!render(&shop.report(), "").contains("Connections open per server"));
    }

    fn finished(size: &str, config: &str, faults: &str) -> String {
        let mut run = LaneRun::new(size, faults, "", config, "1").unwrap();
        while !run.step(700) {}
        run.report()
    }

    #[test]
    fn file_lanes_draw_ftp_sessions_per_server_and_downloads() {
        let (ftp, http) = (
            finished("300x40", "ftp:local.iphash.3", "30.crash.1"),
            finished("300x40", "files:jwt.rr.3", "30.crash.1"),
        );
        let html = render(&ftp, &http);
        assert!(html.contains("<h3>FTP sessions held per server</h3>"));
        assert!(html.contains("<h3>Downloads per simulated second</h3>"));
        // Sessions are lane A's alone: the HTTP lane holds none and gets no chart of them.
        assert!(html.contains("ftp-sessions-held-per-server-a") && !html.contains("ftp-sessions-held-per-server-b"));
        let sessions = &html[html.find("ftp-sessions-held-per-server-a").unwrap()
            ..html.find("downloads-per-simulated-second-a").unwrap()];
        assert!(sessions.contains("<g class=\"fault\">"), "the crash marker on the sessions chart");
        assert!(sessions.contains("<td class=\"all\">300</td>"), "every load user holds one session");
        for line in ["completed", "resumed", "cut"] {
            assert!(html.contains(&format!("<polyline class=\"line {line}\"")), "{line}");
        }
        let ftp: Report = serde_json::from_str(&ftp).unwrap();
        // The downloads table's "cut" column (the fourth) adds up to the run's cut downloads.
        let table = &html[html.find("downloads-per-simulated-second-a-details").unwrap()..];
        let table = &table[..table.find("</table>").unwrap()];
        let cut: u64 = table
            .split("<tr><th scope=\"row\">")
            .skip(1)
            .map(|row| {
                row.split("<td>").nth(4).unwrap().split('<').next().unwrap().replace(',', "").parse::<u64>().unwrap()
            })
            .sum();
        assert_eq!(cut, ftp.totals.files.counts.cut, "{table}");
        assert!(cut > 0);
        // Neither file nor shop lanes draw pools.
        assert!(!html.contains("Database connections lent per pool"));
    }

    #[test]
    fn database_lanes_draw_the_connections_each_pool_lent_and_the_waits() {
        // 1,000 orders a second: more than three pools of two hold for three round trips.
        let (session, bouncer) =
            (finished("1000x100", "db-session:jwt.rr.3", "50.crash.2"), finished("1000x100", "db-txn:jwt.rr.3", ""));
        let html = render(&session, &bouncer);
        assert!(html.contains("<h3>Database connections lent per pool</h3>"));
        assert!(html.contains("<h3>Pool waits per simulated second</h3>"));
        assert!(html.contains("<th scope=\"col\">pool 1</th>"));
        assert!(html.contains("<polyline class=\"line waited\"") && html.contains("<polyline class=\"line timeouts\""));
        assert!(!html.contains("FTP sessions held per server"));
        let lent = |lane: &str| {
            let from = &html[html.find(&format!("database-connections-lent-per-pool-{lane}")).unwrap()..];
            from[..from.find("</figure>").unwrap()].to_owned()
        };
        let (a, b) = (lent("a"), lent("b"));
        assert!(a.contains("<th scope=\"col\">pool 3</th>") && !b.contains("pool 2"), "PgBouncer's lane has one pool");
        let rows = b.matches("<tr><th scope=\"row\">").count();
        assert!(rows >= 9, "{b}");
        assert_eq!(
            b.matches("<td class=\"all\">2</td>").count(),
            rows,
            "both of PgBouncer's connections lent, row after row: {b}"
        );
        assert!(a.contains("<g class=\"fault\">"), "the crash marker");
    }

    #[test]
    fn live_traffic_on_file_and_database_lanes_counts_what_a_crash_clicked_in_costs() {
        let second = |run: &mut LaneRun, n: usize| {
            for _ in 0..n * TICKS_PER_SECOND as usize {
                run.tick();
            }
            serde_json::from_str::<Report>(&run.report()).unwrap()
        };
        let mut ftp = LaneRun::live("300x100", "", "ftp:local.iphash.3", "1").unwrap();
        let before = second(&mut ftp, 10);
        let held = before.seconds.last().unwrap().files.held;
        assert_eq!(held.iter().sum::<u32>(), 300, "every load user holds a session: {held:?}");
        ftp.inject("crash 1").unwrap();
        let after = second(&mut ftp, 1);
        assert_eq!(after.seconds.last().unwrap().files.held[0], 0, "S1's sessions went with it");
        assert_eq!(after.totals.files.counts.sessions_lost, u64::from(held[0]));
        let mut db = LaneRun::live("300x1000", "", "db-session:jwt.rr.3", "1").unwrap();
        second(&mut db, 5);
        db.inject("crash 2").unwrap();
        let after = second(&mut db, 2);
        assert!(after.seconds.last().unwrap().pools.open[1] == 0, "S2's pool closed with its process");
        assert!(after.markers[0].text.contains("S2's pool of 2 load connections closed"), "{}", after.markers[0].text);
    }

    #[test]
    fn live_traffic_on_a_connection_lane_holds_ten_thousand_connections() {
        let mut live = LaneRun::live("10000x2000", "", "chat-pubsub:jwt.leastconn.3", "1").unwrap();
        // Each load user logs in, then opens its connection: 20,000 turns, 10 simulated seconds.
        for _ in 0..2 * 12 {
            live.tick();
        }
        let report: Report = serde_json::from_str(&live.report()).unwrap();
        let last = &report.seconds.last().unwrap().sockets;
        assert_eq!(last.open_total(), 10_000, "{:?}", last.open);
        assert!(
            last.open[..3].iter().all(|n| (3_333..=3_334).contains(n)),
            "least connections spreads them: {:?}",
            last.open
        );
        assert!(last.counts.delivered > 0);
        let html = render(&live.report(), "");
        assert!(html.contains("<td class=\"all\">10,000</td>"), "the table says so");
    }

    #[test]
    fn run_it_yourself_is_the_engines_text_for_the_lane_and_refuses_bad_codes() {
        for code in ["local.sticky.3", "jwt.rr.2", "shared.iphash.8"] {
            let c = parse_config(code).unwrap();
            assert_eq!(run_it_yourself(code).unwrap(), statelab_sim::text::run_it_yourself(&c), "{code}");
        }
        assert!(run_it_yourself("local.sticky.3").unwrap().contains("cookie lb insert"));
        for bad in ["", "nope", "local.sticky.99", "local.teleport.3"] {
            assert!(run_it_yourself(bad).unwrap_err().starts_with(&format!("lane configuration \"{bad}\": ")), "{bad}");
        }
    }
}
