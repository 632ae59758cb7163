//! The page's load runs, in a Web Worker built as its own wasm module
//! (index.html's worker link) and fetched only when a run starts, so none of
//! it counts against the initial load. `static/load-worker.js` drives it:
//! a lane worker plays one lane's [`Run`] in slices and posts its report as
//! JSON; a render worker turns both lanes' reports into the charts' HTML.
//! A lane's "Run it yourself" text comes from here too (`static/run-it.js`),
//! to keep the HAProxy configuration out of the page's main bundle.

pub mod chart;

use statelab_sim::link::parse_config;
use statelab_sim::load::{Mix, Plan, Report, Run};
use statelab_sim::notation::parse_actions;
use wasm_bindgen::prelude::*;

/// A plan from the link's texts: `10000x100`, the fault schedule, the mix
/// (empty for the default). The error says what is wrong, for the page.
pub fn plan(size: &str, faults: &str, mix: &str) -> Result<Plan, String> {
    let (clients, requests) = Plan::parse_size(size)?;
    let mix = if mix.is_empty() { Mix::default() } else { Mix::parse(mix)? };
    Ok(Plan { faults: Plan::parse_faults(faults)?, mix, ..Plan::new(clients, requests) })
}

/// One lane's run, driven from JavaScript.
#[wasm_bindgen]
pub struct LaneRun {
    run: Run,
}

#[wasm_bindgen]
impl LaneRun {
    /// `config` as links write it (`jwt.rr.3`); `seed` as decimal text, since
    /// a JavaScript number cannot hold every u64.
    #[wasm_bindgen(constructor)]
    pub fn new(size: &str, faults: &str, mix: &str, config: &str, seed: &str) -> Result<LaneRun, String> {
        let plan = plan(size, faults, mix)?;
        let config = parse_config(config)?;
        let seed = seed.parse::<u64>().map_err(|_| format!("seed `{seed}` is not a whole number"))?;
        Ok(LaneRun { run: Run::new(plan, config, seed) })
    }

    /// Plays at most `max` more requests; `true` when the run is complete.
    pub fn step(&mut self, max: u32) -> bool {
        self.run.step(u64::from(max))
    }

    pub fn done(&self) -> f64 {
        self.run.done() as f64
    }

    pub fn total(&self) -> f64 {
        self.run.plan().total() as f64
    }

    /// The report so far, as JSON for the render worker.
    pub fn report(&self) -> String {
        serde_json::to_string(&self.run.report()).unwrap_or_default()
    }

    /// A fault now (live traffic), in the action notation: `crash 1`.
    pub fn inject(&mut self, action: &str) -> Result<(), String> {
        let actions = parse_actions(action).map_err(|e| e.to_string())?;
        for a in &actions {
            self.run.inject(a);
        }
        Ok(())
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
    statelab_sim::haproxy::run_it_yourself_for(config)
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
    fn run_it_yourself_is_the_engines_text_for_the_lane_and_refuses_bad_codes() {
        for code in ["local.sticky.3", "jwt.rr.2", "shared.iphash.8"] {
            let c = parse_config(code).unwrap();
            assert_eq!(run_it_yourself(code).unwrap(), statelab_sim::haproxy::run_it_yourself(&c), "{code}");
        }
        assert!(run_it_yourself("local.sticky.3").unwrap().contains("cookie lb insert"));
        for bad in ["", "nope", "local.sticky.99", "local.teleport.3"] {
            assert!(run_it_yourself(bad).unwrap_err().starts_with(&format!("lane configuration \"{bad}\": ")), "{bad}");
        }
    }
}
