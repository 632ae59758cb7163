//! A run as text: what `statelab transcript` prints and the view copies.

use crate::exchange::Entry;
use crate::jwt::Key;
use crate::lane::Lane;
use crate::playground::{Playground, LANE_LABELS};
use crate::scenario::Scenario;
use serde_json::json;
use std::fmt::Write;

/// Raw HTTP of one lane: requests prefixed `> `, responses `< `, trace `· `,
/// events `! `, as `curl -v` readers expect.
pub fn lane_text(label: &str, lane: &Lane) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "== Lane {label}: {}", lane.describe());
    for k in keys_used(lane) {
        let _ = writeln!(out, "   fleet key {}: {}", k.kid, k.secret);
    }
    for entry in lane.entries() {
        match entry {
            Entry::Event(e) => {
                let _ = writeln!(out, "\n! {} {}", e.at, e.text);
            }
            Entry::Exchange(x) => {
                let _ = writeln!(out, "\n#{} {} {} → {} ({})", x.seq, x.at, x.client, x.server_label(), x.route);
                quote(&mut out, "> ", &x.request.to_wire());
                quote(&mut out, "< ", &x.response.to_wire());
                for t in &x.trace {
                    let _ = writeln!(out, "· {t}");
                }
                let _ = writeln!(
                    out,
                    "= {} {} · {} ms · request {} B (credentials {} B) · response {} B",
                    x.response.status,
                    x.response.reason(),
                    x.latency_ms,
                    x.request_bytes,
                    x.credential_bytes,
                    x.response_bytes
                );
            }
        }
    }
    out
}

/// The fleet keys a lane signed with: none for server sessions, which sign nothing.
fn keys_used(lane: &Lane) -> &[Key] {
    if lane.signs_credentials() {
        lane.key_history()
    } else {
        &[]
    }
}

fn quote(out: &mut String, prefix: &str, wire: &str) {
    for line in crate::http::wire_lines(wire) {
        let _ = writeln!(out, "{prefix}{line}");
    }
}

/// Both lanes of a scenario played to the end, with the narration first.
pub fn scenario_text(s: &Scenario, seed: u64) -> String {
    let p = Playground::from_scenario(s, seed, s.steps.len());
    let mut out = format!("# {} — {} (seed {seed})\n{}\n", s.id, s.title, s.lesson);
    for (i, step) in s.steps.iter().enumerate() {
        let _ = writeln!(out, "  step {}: {}", i + 1, step.say);
    }
    for (label, lane) in LANE_LABELS.iter().zip(p.lanes()) {
        out.push('\n');
        out.push_str(&lane_text(label, lane));
    }
    out
}

/// The machine-readable transcript (`--json`).
pub fn scenario_json(s: &Scenario, seed: u64) -> serde_json::Value {
    let p = Playground::from_scenario(s, seed, s.steps.len());
    let lanes: Vec<_> = LANE_LABELS
        .iter()
        .zip(p.lanes())
        .map(|(label, lane)| {
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
                "label": label,
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
    crate::scenario::all().iter().map(|s| scenario_text(s, seed)).collect::<Vec<_>>().join("\n")
}
