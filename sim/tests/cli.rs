//! The `statelab` command as a docs author runs it.

use std::ffi::OsStr;
use std::process::{Command, Stdio};

fn statelab<S: AsRef<OsStr>>(args: &[S]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_statelab")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn help_in_every_usual_spelling_prints_usage_and_succeeds() {
    for args in [&["--help"][..], &["-h"], &["help"], &["help", "transcript"], &["transcript", "--help"]] {
        let (code, out, err) = statelab(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.contains("Usage: statelab"), "{args:?}: {out}");
    }
    let (_, out, _) = statelab(&["--help"]);
    for command in ["scenarios", "transcript", "har", "--seed"] {
        assert!(out.contains(command), "help mentions {command}");
    }
}

#[test]
fn seed_is_accepted_anywhere_in_both_spellings() {
    let reference = statelab(&["transcript", "cart", "--seed", "7"]).1;
    assert!(reference.starts_with("# cart — The cart: database or server memory (seed 7)"));
    for args in [
        &["--seed", "7", "transcript", "cart"][..],
        &["--seed=7", "transcript", "cart"],
        &["transcript", "--seed=7", "cart"],
        &["transcript", "cart", "--seed=7"],
    ] {
        let (code, out, err) = statelab(args);
        assert_eq!((code, err.as_str()), (0, ""), "{args:?}");
        assert_eq!(out, reference, "{args:?}");
    }
}

#[cfg(unix)]
#[test]
fn a_non_utf8_argument_is_a_one_line_error() {
    use std::os::unix::ffi::OsStrExt;
    let bad = OsStr::from_bytes(b"caf\xe9");
    let (code, out, err) = statelab(&[OsStr::new("transcript"), bad]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("statelab: ") && err.contains("UTF-8"), "{err}");
}

#[cfg(unix)]
#[test]
fn a_closed_or_full_stdout_is_a_one_line_error_not_a_panic() {
    let run = |stdout: Stdio| {
        let out = Command::new(env!("CARGO_BIN_EXE_statelab"))
            .args(["transcript", "sticky-crash"])
            .stdout(stdout)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stderr).unwrap())
    };
    // A pipe whose reading end is already closed: every write fails (EPIPE).
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let (code, err) = run(Stdio::from(writer));
    assert_eq!(code, Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("statelab: could not write the output:"), "{err}");
    assert!(!err.contains("panicked"));

    if let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") {
        let (code, err) = run(Stdio::from(full));
        assert_eq!(code, Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("No space left"), "{err}");
    }
}

#[test]
fn lists_scenarios_one_per_line() {
    let (code, out, _) = statelab(&["scenarios"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().collect::<Vec<_>>(), statelab_sim::tours::IDS);
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
    assert_eq!(statelab::<&str>(&[]).0, 2);
    let (code, _, err) = statelab(&["fly"]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn fleet_prints_the_commands_and_the_haproxy_configuration_of_a_lane() {
    let (code, out, err) = statelab(&["fleet", "local.sticky.3"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.starts_with("# HAProxy, 3 servers on 127.0.0.1:8000"), "{out}");
    assert!(out.contains("cargo xtask twin --fleet local.sticky.3\n"), "{out}");
    assert!(out.contains("cookie lb insert indirect httponly\n"), "{out}");
    let (code, _, err) = statelab(&["fleet", "nonsense"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("statelab: lane configuration \"nonsense\""), "{err}");
}

#[test]
fn fleet_prints_a_tcp_config_for_an_ftp_lane_and_the_twins_database_for_a_db_lane() {
    let (code, out, err) = statelab(&["fleet", "ftp:local.rr.3"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, statelab_sim::text::run_it_yourself_for("ftp:local.rr.3").unwrap());
    assert!(out.contains("    mode tcp\n") && out.contains("    balance roundrobin\n"), "{out}");
    assert!(!out.contains("mode http") && !out.contains("/api/me"), "{out}");
    assert!(out.contains("python3 -m pyftpdlib -i 127.0.0.2 -p 2121 "), "{out}");
    let (code, out, _) = statelab(&["fleet", "ftp:local.iphash.2"]);
    assert_eq!(code, 0);
    assert!(out.contains("    balance source\n"), "{out}");
    let (code, out, _) = statelab(&["fleet", "db-txn:jwt.rr.3"]);
    assert_eq!(code, 0);
    assert!(out.contains("PgBouncer") && out.contains("#   pool_mode = transaction\n"), "{out}");
    assert!(!out.contains("haproxy.cfg"), "{out}");
}

#[test]
fn load_prints_what_the_library_computes_for_the_same_seed() {
    use statelab_sim::load::{Plan, Run};
    let faults = "30.crash.1~50.store.down~60.store.up~70.restart.1~80.rotate.drop";
    let args = ["load", "--lane", "sticky", "--clients", "300", "--requests", "7", "--seed", "4", "--faults", faults];
    let (code, out, err) = statelab(&[&args[..], &["--json"]].concat());
    assert_eq!((code, err.as_str()), (0, ""));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let plan = Plan { faults: Plan::parse_faults(faults).unwrap(), ..Plan::new(300, 7) };
    let config = statelab_sim::LaneConfig::stateful().with_balancer(statelab_sim::Strategy::StickyCookie);
    let mut run = Run::new(plan, config, 4);
    run.step(u64::MAX);
    let report = run.report();
    assert_eq!(json["totals"], serde_json::to_value(&report.totals).unwrap());
    assert_eq!(json["config"], "local.sticky.3");
    assert_eq!(json["faults"].as_array().unwrap().len(), 5);
    assert!(report.totals.sessions_lost > 0, "the crash costs sessions: the numbers are not all zero");
    let (code, text, _) = statelab(&args);
    assert_eq!(code, 0);
    assert_eq!(text, report.text());
}

#[test]
fn load_runs_the_token_and_key_designs_and_prints_their_refreshes_store_trips_and_429s() {
    use statelab_sim::load::{Plan, Run, ACCESS_TTL_S};
    use statelab_sim::{AuthMode, LaneConfig, Store};
    let refresh = LaneConfig { token_ttl_s: ACCESS_TTL_S, ..LaneConfig::stateless().with_auth(AuthMode::Refresh) };
    for (kind, code, config) in [
        ("refresh", "refresh.rr.3.4.10", refresh),
        ("opaque", "opaque.rr.3", LaneConfig::stateless().with_auth(AuthMode::Opaque)),
        (
            "apikey-local",
            "apikey-local.rr.3",
            LaneConfig::stateless().with_auth(AuthMode::ApiKey { limiter: Store::Local }),
        ),
        ("apikey", "apikey.rr.3", LaneConfig::stateless().with_auth(AuthMode::ApiKey { limiter: Store::Shared })),
    ] {
        let args = ["load", "--lane", kind, "--clients", "100", "--requests", "80", "--seed", "3"];
        let (code_, out, err) = statelab(&[&args[..], &["--json"]].concat());
        assert_eq!((code_, err.as_str()), (0, ""), "{kind}");
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        let mut run = Run::new(Plan::new(100, 80), config, 3);
        run.step(u64::MAX);
        let report = run.report();
        assert_eq!(json["config"], code, "{kind}");
        assert_eq!(json["totals"], serde_json::to_value(&report.totals).unwrap(), "{kind}");
        for k in ["refreshes", "store_trips", "limited"] {
            assert!(json["totals"][k].is_u64(), "{kind}: {k}");
        }
        let (_, text, _) = statelab(&args);
        assert_eq!(text, report.text(), "{kind}");
    }
    let (_, text, _) = statelab(&["load", "--lane", "refresh", "--clients", "1000", "--requests", "60"]);
    let lines: Vec<&str> = text.lines().collect();
    // The lines scripts read keep their places and shapes; the new ones follow them.
    assert_eq!(lines[2], "ok: 60,000; failed: 0 (401: 0, 502/503: 0, other: 0)");
    assert!(lines[7].starts_with("sessions lost: 0; most held at one look (every 5 s): "), "{text}");
    assert_eq!(lines[8], "rate limited (429): 0");
    assert_eq!(lines[9], "refreshes: 9,000 (POST /token/refresh, sent by the app when its access token expired)");
    assert!(lines[10].starts_with("store round trips: "), "{text}");
    let (_, text, _) = statelab(&["load", "--lane", "apikey", "--clients", "1000", "--requests", "60"]);
    assert!(text.contains("\nok: 51,000; failed: 9,000 (401: 0, 502/503: 0, other: 0)\n"), "{text}");
    assert!(text.contains("\nrate limited (429): 9,000\n"), "{text}");
}

#[test]
fn load_refuses_sizes_past_its_bounds_and_bad_schedules() {
    let (code, _, err) = statelab(&["load", "--lane", "jwt", "--clients", "99999999", "--requests", "1"]);
    assert_eq!(code, 2);
    assert!(err.contains("99999999 is not in 1..=10000"), "{err}");
    let (code, _, err) =
        statelab(&["load", "--lane", "jwt", "--clients", "5", "--requests", "5", "--faults", "30.me.alice"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a fault"), "{err}");
}

#[test]
fn load_runs_a_connection_lane_and_transcripts_play_a_free_log() {
    let args = ["load", "--lane", "chat-pubsub", "--clients", "100", "--requests", "20", "--faults", "50.crash.1"];
    let (code, out, err) = statelab(&args);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.contains("connections: 133 opened (33 by apps reconnecting)"), "{out}");
    assert!(out.contains("messages: ") && out.contains("after crash 1 (seconds 50–"), "{out}");
    assert_eq!(statelab(&args).1, out, "same seed, same numbers");
    let (code, json, _) = statelab(&[&args[..], &["--json"]].concat());
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["seconds"].as_array().unwrap().len() >= 20);
    assert_eq!(v["totals"]["sockets"]["dropped"], 33);
    let (code, _, err) =
        statelab(&["load", "--config", "game-memory:jwt.room.3", "--clients", "10", "--requests", "5"]);
    assert_eq!((code, err.as_str()), (0, ""));

    let log = "login alice, connect alice, say alice hello, crash 1, wait 10s";
    let free = ["transcript", "--log", log, "--a", "chat-memory:jwt.rr.3", "--b", "chat-pubsub:jwt.rr.3", "--json"];
    let (code, json, err) = statelab(&free);
    assert_eq!((code, err.as_str()), (0, ""));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let conn = &v["lanes"][0]["connections"][0];
    assert_eq!((conn["id"].as_u64(), conn["client"].as_str()), (Some(1), Some("alice")));
    assert!(conn["bytes"][0]["b64"].as_str().unwrap().starts_with("R0VUIC93cy9jaGF0"), "GET /ws/chat");
    let (code, _, err) = statelab(&["transcript", "--log", "crash 9", "--a", "jwt.rr.3", "--b", "jwt.rr.3"]);
    assert_eq!(code, 2);
    assert!(err.contains("action 1 `crash 9` was refused"), "{err}");
    assert_eq!(statelab(&["transcript", "--log", log]).0, 2, "--log needs --a and --b");
    // Scenario transcripts carry connections too (none in today's tours).
    let (_, json, _) = statelab(&["transcript", "cart", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["lanes"][0]["connections"], serde_json::json!([]));
}

#[test]
fn a_tour_file_is_checked_and_played_like_a_built_in_tour() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tours/example.json");
    let (code, out, err) = statelab(&["tour", "check", example]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert!(out.ends_with("a valid tour, “What a crash takes with it”: 2 steps, 1 asking a question\n"), "{out}");

    let (code, out, _) = statelab(&["transcript", "--tour", example]);
    assert_eq!(code, 0);
    assert!(out.starts_with("# authored — What a crash takes with it (seed 1)\n"), "{out}");
    assert!(out.contains("  step 2: S1 crashes and leaves rotation."), "{out}");
    let (code, json, _) = statelab(&["transcript", "--tour", example, "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let statuses = |lane: usize| {
        v["lanes"][lane]["exchanges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["status"].as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!((statuses(0), statuses(1)), (vec![200, 200, 200], vec![200, 200, 401]));

    let dir = std::env::temp_dir().join(format!("statelab-cli-tour-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.json");
    let text = std::fs::read_to_string(example).unwrap().replace("\"crash 1\"", "\"crash 1\", \"crash 1\"");
    std::fs::write(&bad, text).unwrap();
    let (code, out, err) = statelab(&[OsStr::new("tour"), OsStr::new("check"), bad.as_os_str()]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.ends_with("bad.json: step 2, `do` action 2 (`crash 1`): S1 is already down\n"), "{err}");
    std::fs::write(&bad, "{\"statelab_tour\": 1,\n \"title\": \"x\",,}").unwrap();
    let (code, _, err) = statelab(&[OsStr::new("tour"), OsStr::new("check"), bad.as_os_str()]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.json: line 2, column 15: expected a member name"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn figure_writes_a_step_to_stdout_or_a_file_and_every_step_into_a_directory() {
    use statelab_sim::tours::{self, Scenario};
    let s = Scenario::find("sticky-crash").unwrap();
    let library = s.figure(2, &statelab_sim::Playground::from_scenario(&s, 1, 2)).unwrap();
    let (code, out, err) = statelab(&["figure", "sticky-crash", "2", "--svg"]);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, library);

    let dir = std::env::temp_dir().join(format!("statelab-figures-{}", std::process::id()));
    let file = dir.join("one.svg");
    std::fs::create_dir_all(&dir).unwrap();
    let (code, out, err) = statelab(&[
        OsStr::new("figure"),
        "sticky-crash".as_ref(),
        "2".as_ref(),
        "--svg".as_ref(),
        "-o".as_ref(),
        file.as_os_str(),
    ]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), library);

    let all = dir.join("all");
    let (code, out, err) = statelab(&[OsStr::new("figure"), "--all".as_ref(), "--svg".as_ref(), all.as_os_str()]);
    assert_eq!((code, err.as_str()), (0, ""));
    let steps: usize = tours::all().iter().map(|s| s.steps.len()).sum();
    assert_eq!(out.lines().count(), steps, "{out}");
    assert_eq!(std::fs::read_dir(&all).unwrap().count(), steps);
    assert_eq!(std::fs::read_to_string(all.join("sticky-crash-2.svg")).unwrap(), library);
    assert!(all.join("game-checkpoint-1.svg").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn figure_names_what_is_wrong_with_its_arguments() {
    for (args, says) in [
        (&["figure", "sticky-crush", "2", "--svg"][..], "no tour \"sticky-crush\"; `statelab scenarios` lists them"),
        (&["figure", "sticky-crash", "5", "--svg"], "tour sticky-crash has steps 1 to 4; there is no step \"5\""),
        (&["figure", "sticky-crash", "0", "--svg"], "tour sticky-crash has steps 1 to 4; there is no step \"0\""),
        (&["figure", "sticky-crash", "two", "--svg"], "there is no step \"two\""),
        (&["figure", "sticky-crash", "--svg"], "which step of sticky-crash? Give a number from 1 to 4"),
        (&["figure", "sticky-crash", "2"], "--svg"),
        (&["figure", "--all", "--svg", "dir", "3"], "--all writes every step of every tour into one directory"),
    ] {
        let (code, out, err) = statelab(args);
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}: {err}");
        assert!(err.starts_with("statelab: ") && err.contains(says) && err.lines().count() == 1, "{args:?}: {err}");
    }
    // A file that cannot be written is the output's failure (exit 1), not the arguments'.
    let (code, _, err) = statelab(&["figure", "cart", "1", "--svg", "-o", "/nonexistent-dir/x.svg"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.starts_with("statelab: could not write /nonexistent-dir/x.svg: "), "{err}");
}
