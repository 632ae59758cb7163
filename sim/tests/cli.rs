//! The `statelab` command as a docs author runs it.

use std::process::Command;

fn statelab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_statelab")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn lists_scenarios_one_per_line() {
    let (code, out, _) = statelab(&["scenarios"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().collect::<Vec<_>>(), statelab_sim::scenario::IDS);
}

#[test]
fn json_transcript_has_the_documented_shape_and_is_deterministic() {
    let (code, out, _) = statelab(&["transcript", "sticky-crash", "--seed", "7", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["scenario"], "sticky-crash");
    assert_eq!(v["seed"], 7);
    let lanes = v["lanes"].as_array().unwrap();
    assert_eq!(lanes.len(), 2);
    assert_eq!(lanes[0]["label"], "A");
    assert_eq!(lanes[1]["config"]["balancer"], "sticky_cookie");
    assert!(lanes[0]["jwt_keys"][0].as_str().unwrap().starts_with("statelab-"));
    let x = &lanes[1]["exchanges"][0];
    for field in ["seq", "server", "status", "request", "response", "trace", "latency_ms"] {
        assert!(!x[field].is_null(), "{field}");
    }
    assert!(x["request"].as_str().unwrap().starts_with("POST /login HTTP/1.1\r\nHost: shop.example\r\n"));
    assert!(lanes[1]["exchanges"][3]["server"].is_null(), "the balancer answered the 502 itself");
    assert_eq!(statelab(&["transcript", "sticky-crash", "--seed", "7", "--json"]).1, out);
    assert_ne!(statelab(&["transcript", "sticky-crash", "--seed", "8", "--json"]).1, out);
}

#[test]
fn text_transcript_quotes_raw_http() {
    let (code, out, _) = statelab(&["transcript", "round-robin-local"]);
    assert_eq!(code, 0);
    assert!(out.contains("\n> GET /api/me HTTP/1.1\n> Host: shop.example\n"));
    assert!(out.contains("\n< HTTP/1.1 401 Unauthorized\n"));
}

#[test]
fn har_command_prints_one_lane() {
    // `tamper`, not `revocation`: revocation now reconfigures lane A in its last step.
    let (code, out, _) = statelab(&["har", "tamper", "--lane", "a"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["log"]["entries"].as_array().unwrap().len(), 5);
    assert!(v["log"]["comment"].as_str().unwrap().contains("stateless JWT"));
    assert_eq!(statelab(&["har", "tamper", "--lane", "c"]).0, 2);
}

#[test]
fn bad_arguments_explain_themselves() {
    let (code, _, err) = statelab(&["transcript", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no scenario \"nope\""));
    assert!(statelab(&["transcript", "cart", "--seed", "x"]).2.contains("whole number"));
    assert_eq!(statelab(&[]).0, 2);
}
