//! A tour played to the end, as text: the golden transcripts and what
//! `statelab transcript` prints.

use super::Scenario;
use crate::base::ids::LaneId;
use crate::playground::Playground;
use crate::text::transcript::{connections_json, db_connections_json, ftp_connections_json, keys_used, lane_text};
use serde_json::json;
use std::fmt::Write;

/// Both lanes of a scenario played to the end, with the narration first.
pub fn scenario_text(s: &Scenario, seed: u64) -> String {
    let p = Playground::from_scenario(s, seed, s.steps.len());
    let mut out = format!("# {} — {} (seed {seed})\n{}\n", s.id, s.title, s.lesson);
    for (i, step) in s.steps.iter().enumerate() {
        let _ = writeln!(out, "  step {}: {}", i + 1, step.say);
    }
    out.push_str(&lanes_text(&p));
    out
}

/// Both lanes of a free-play log (`statelab transcript --log …`), the log first.
pub fn played_text(p: &Playground, log: &str, seed: u64) -> String {
    format!("# free play (seed {seed})\n  log: {log}\n{}", lanes_text(p))
}

fn lanes_text(p: &Playground) -> String {
    let mut out = String::new();
    for (id, lane) in LaneId::ALL.iter().zip(p.lanes()) {
        out.push('\n');
        out.push_str(&lane_text(id.label(), lane));
    }
    out
}

/// The machine-readable transcript (`--json`).
pub fn scenario_json(s: &Scenario, seed: u64) -> serde_json::Value {
    let p = Playground::from_scenario(s, seed, s.steps.len());
    json!({ "scenario": s.id, "seed": seed, "lanes": lanes_json(&p) })
}

/// A free-play log's machine-readable transcript: the shape of
/// [`scenario_json`], with the log where the scenario's id would be.
pub fn played_json(p: &Playground, log: &str, seed: u64) -> serde_json::Value {
    json!({ "log": log, "seed": seed, "lanes": lanes_json(p) })
}

fn lanes_json(p: &Playground) -> Vec<serde_json::Value> {
    LaneId::ALL
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
            let mut out = json!({
                "label": id.label(),
                "config": lane.config(),
                "jwt_keys": keys_used(lane).iter().map(|k| k.secret.as_str()).collect::<Vec<_>>(),
                "exchanges": exchanges,
                "connections": connections_json(lane),
                "db_connections": db_connections_json(lane),
            });
            // Only file lanes have FTP connections; other transcripts keep their shape.
            if !lane.ftp_connections().is_empty() {
                out["ftp_connections"] = ftp_connections_json(lane);
            }
            out
        })
        .collect()
}

/// Every scenario's text transcript, as compared against the golden file.
pub fn all_scenarios_text(seed: u64) -> String {
    super::all().iter().map(|s| scenario_text(s, seed)).collect::<Vec<_>>().join("\n")
}
