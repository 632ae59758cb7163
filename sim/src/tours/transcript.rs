//! A tour played to the end, as text: the golden transcripts and what
//! `statelab transcript` prints.

use super::Scenario;
use crate::base::ids::LaneId;
use crate::playground::Playground;
use crate::text::transcript::{keys_used, lane_text};
use serde_json::json;
use std::fmt::Write;

/// Both lanes of a scenario played to the end, with the narration first.
pub fn scenario_text(s: &Scenario, seed: u64) -> String {
    let p = Playground::from_scenario(s, seed, s.steps.len());
    let mut out = format!("# {} — {} (seed {seed})\n{}\n", s.id, s.title, s.lesson);
    for (i, step) in s.steps.iter().enumerate() {
        let _ = writeln!(out, "  step {}: {}", i + 1, step.say);
    }
    for (id, lane) in LaneId::ALL.iter().zip(p.lanes()) {
        out.push('\n');
        out.push_str(&lane_text(id.label(), lane));
    }
    out
}

/// The machine-readable transcript (`--json`).
pub fn scenario_json(s: &Scenario, seed: u64) -> serde_json::Value {
    let p = Playground::from_scenario(s, seed, s.steps.len());
    let lanes: Vec<_> = LaneId::ALL
        .iter()
        .zip(p.lanes())
        .map(|(id, lane)| {
            let exchanges: Vec<_> = lane
                .exchanges()
                .map(|x| {
                    json!({
                        "seq": x.seq,
                        "server": x.server.map(|n| format!("S{n}")),
                        "status": x.response.status,
                        "request": x.request.to_wire(),
                        "response": x.response.to_wire(),
                        "trace": x.trace,
                        "latency_ms": x.latency_ms,
                    })
                })
                .collect();
            json!({
                "label": id.label(),
                "config": lane.config(),
                "jwt_keys": keys_used(lane).iter().map(|k| k.secret.as_str()).collect::<Vec<_>>(),
                "exchanges": exchanges,
            })
        })
        .collect();
    json!({ "scenario": s.id, "seed": seed, "lanes": lanes })
}

/// Every scenario's text transcript, as compared against the golden file.
pub fn all_scenarios_text(seed: u64) -> String {
    super::all().iter().map(|s| scenario_text(s, seed)).collect::<Vec<_>>().join("\n")
}
