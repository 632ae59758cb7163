//! The FTP tours, replayed on a real fleet: two pyftpdlib servers on
//! loopback, a process each, behind HAProxy in TCP mode, which forwards the
//! control port and the passive ports (each to the same port on the server
//! it picks), balancing as the lane's strategy says and checking the
//! servers as the lane's configuration (`ftp_config`) says. Each simulated
//! client connects as a real one would, through the balancer, presenting
//! the simulated user's address with the PROXY protocol (so `balance
//! source` hashes what the simulation's did); its data connection goes to
//! the address and port the 227 named; data flows at the simulation's rate
//! (`RATE_BPS`). The clients' commands go out in the order the simulation's
//! did, whatever the connection; where the tour crashes a server, the
//! replay kills its process (SIGKILL) at that point, and before the first
//! step the simulation's clock places after its health checks took the
//! server out of rotation, waits until HAProxy's runtime socket reports it
//! DOWN (never a fixed sleep: the real checks take their own time).
//!
//! Compared exactly, per control connection: the server that greeted it,
//! its reply codes (read as in `ftp_server.rs`: pyftpdlib's `150`, then
//! `421` when the data connection never came, is vsftpd's `425`), whether
//! the crash closed it unanswered, the entries of each completed LIST, and
//! the bytes of each completed RETR, which are also the engine's file from
//! the offset the session's REST gave (`file_content`).
//!
//! Not compared exactly: where a crash cut a transfer. The simulation cuts
//! it at a byte its clock gives; the real client reads the transfer until it
//! holds at least as many bytes as the simulated one did, and then the
//! server is killed, so the bytes it ends with are the simulated ones and
//! then whatever the real server had sent before the kill landed, a count
//! the scheduler decides. What is compared: those bytes begin with the
//! simulated ones, are the file's first bytes, and are fewer than the
//! file's (the transfer was cut). That last holds because the servers send
//! at the simulation's rate: the rest of `big.bin` needs seconds the kill,
//! issued as soon as the bytes are read, does not leave it.
//!
//! Skipped, with a message, when `haproxy` or pyftpdlib is missing, unless
//! `CI` is set: then it fails, as everything it needs is installed by
//! `cargo xtask setup`.

use super::ftp_server::{real_codes, replay, sessions, Session};
use serde_json::{json, Value};
use statelab_sim::fleet::{file_content, FtpLine, FILE_TREE, PASV_PORTS, PASV_PORT_BASE, RATE_BPS};
use statelab_sim::text::{ftp_config, FtpFleet, FTP_CONTROL_PORT as CONTROL_PORT};
use statelab_sim::{App, Entry, Lane, Playground, Scenario};
use std::process::{Command, Stdio};

/// Whether `haproxy` and pyftpdlib are here; when not, why (under CI, a failure).
fn software() -> Result<(), String> {
    let runs = |cmd: &mut Command| cmd.stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success());
    let mut missing = Vec::new();
    if !runs(Command::new("haproxy").arg("-v")) {
        missing.push("haproxy");
    }
    if !runs(Command::new("python3").args(["-c", "import pyftpdlib"])) {
        missing.push("pyftpdlib (python3)");
    }
    if missing.is_empty() {
        return Ok(());
    }
    let why = format!("{} not installed (`cargo xtask setup` installs haproxy and pyftpdlib)", missing.join(" and "));
    assert!(std::env::var_os("CI").is_none(), "{why}");
    Err(why)
}

/// Loopback addresses of this process's own, for its test number `slot`:
/// the balancer at `.10 slot + 1`, S*n* `n` above it. The whole of 127/8 is
/// loopback; taking a /24 from the process id keeps two runs (and anything
/// on 127.0.0.1) off each other's ports, and the slot the tests of one run.
fn addresses(slot: u8, servers: u8) -> (String, Vec<String>) {
    let pid = std::process::id();
    let net = format!("127.{}.{}", 1 + (pid >> 8) % 254, pid % 256);
    let base = 10 * slot + 1;
    (format!("{net}.{base}"), (1..=servers).map(|n| format!("{net}.{}", base + n)).collect())
}

/// A listing's entries as (kind, name, size), sorted by name: what vsftpd's
/// and pyftpdlib's lines share (owners and dates are each server's own,
/// and a directory's size is the filesystem's).
fn entries(listing: &str) -> Vec<(char, String, Option<u64>)> {
    let mut out: Vec<_> = listing
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert!(f.len() >= 9, "a LIST line has nine fields: {l:?}");
            let kind = f[0].chars().next().unwrap();
            let size = (kind == '-').then(|| f[4].parse().unwrap());
            (kind, f[8..].join(" "), size)
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

/// What a server-fault event does to Sn, read from its words (`fleet/lane.rs`
/// writes `S1 crashed…`, `S1 restarted…`, `S1 was removed from the pool…`).
fn fault(text: &str) -> Option<(u8, &str)> {
    let (n, rest) = text.strip_prefix('S')?.split_once(' ')?;
    let verb = ["crashed", "restarted", "was removed"].into_iter().find(|v| rest.starts_with(v))?;
    Some((n.parse().ok()?, verb))
}

/// The lane's clock time (`09:00:10`) its health checks take a crashed
/// server out of rotation at, as the crash event says; none said means at once.
fn out_of_rotation(text: &str) -> Option<&str> {
    text.split_once("health checks take it out of rotation at ").map(|(_, t)| &t[..8])
}

/// The replay's steps (see `pyftpdlib_replay.py`), in the order the lane's
/// record gives: each command of each session, each crash, and a wait for
/// HAProxy's DOWN before the first command the lane's clock places at or
/// after the time its health checks took the crashed server out.
fn steps(id: &str, lane: &Lane, sim: &[Session]) -> Vec<Value> {
    let mut out = Vec::new();
    let mut sent = vec![0; sim.len()];
    // Crashed servers the checks have not yet taken out: (Sn, clock time).
    let mut leaving: Vec<(u8, String)> = Vec::new();
    for e in lane.entries() {
        match e {
            Entry::Event(ev) => match fault(&ev.text) {
                Some((n, "crashed")) => {
                    out.push(json!({"crash": n}));
                    match out_of_rotation(&ev.text) {
                        Some(t) => leaving.push((n, t.to_owned())),
                        None => out.push(json!({"down": n})),
                    }
                }
                Some((n, verb)) => panic!("{id}: S{n} {verb}: not replayed on the fleet (no tour here does it)"),
                None => {}
            },
            Entry::Ftp(r) => {
                // `HH:MM:SS` strings order as the times do: a tour spans minutes of one day.
                let clock = r.at.clock();
                let commands = r.lines.iter().filter(|l| matches!(l, FtpLine::Command { .. })).count();
                leaving.retain(|(n, t)| {
                    let out_by_now = clock.as_str() >= t.as_str();
                    // Between the crash and the checks, which server a new
                    // connection reaches is the real checks' timing.
                    assert!(
                        out_by_now || commands == 0,
                        "{id}: a command at {clock}, before S{n} leaves rotation at {t}"
                    );
                    if out_by_now {
                        out.push(json!({"down": n}));
                    }
                    !out_by_now
                });
                for line in &r.lines {
                    let FtpLine::Command { conn, .. } = line else { continue };
                    let i = sim.iter().position(|s| s.conn == *conn).unwrap();
                    sent[i] += 1;
                    let s = &sim[i];
                    if s.cut && sent[i] == s.commands.len() {
                        // The transfer the crash that follows cuts: read what the simulated client got.
                        assert!(
                            s.commands[sent[i] - 1].starts_with("RETR "),
                            "{id}: the cut transfer is the last RETR"
                        );
                        out.push(json!({"session": i, "hold": s.retr.last().unwrap().len()}));
                    } else {
                        out.push(json!({"session": i}));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// What each RETR of a session's commands fetched: the engine's file, from
/// the offset of the REST before it (the tours name files from `CWD`).
fn fetched(commands: &[String]) -> Vec<String> {
    let (mut cwd, mut rest, mut out) = ("/".to_owned(), 0, Vec::new());
    for c in commands {
        let (verb, arg) = c.split_once(' ').unwrap_or((c, ""));
        match verb {
            "CWD" if arg.starts_with('/') => cwd = arg.to_owned(),
            "CWD" => cwd = format!("{}/{arg}", cwd.trim_end_matches('/')),
            "REST" => rest = arg.parse().unwrap(),
            "RETR" => {
                let path = format!("{}/{arg}", cwd.trim_end_matches('/'));
                let node = FILE_TREE.iter().find(|n| n.path == path).unwrap();
                out.push(file_content(node)[rest..].to_owned());
                rest = 0;
            }
            _ => {}
        }
    }
    out
}

/// Plays tour `id` on a real fleet per FTP lane, comparing each control
/// connection with the simulated one (see the top); returns, per FTP lane,
/// the simulated sessions and the real ones.
fn play(id: &str, slot: u8) -> Vec<(Vec<Session>, Vec<Value>)> {
    let s = Scenario::find(id).unwrap();
    let p = Playground::from_scenario(&s, 1, s.steps.len());
    let mut lanes = Vec::new();
    for lane in p.lanes().iter().filter(|l| l.config().app == App::Ftp) {
        let c = lane.config();
        let sim = sessions(lane);
        let (balancer, servers) = addresses(slot, c.servers);
        let fleet = json!({
            "balancer": balancer,
            "servers": servers,
            "port": CONTROL_PORT,
            "passive": [PASV_PORT_BASE, PASV_PORT_BASE + PASV_PORTS - 1],
            "haproxy": ftp_config(c, &FtpFleet { balancer: &balancer, servers: &servers, port: CONTROL_PORT, accept_proxy: true }),
            "rate": RATE_BPS,
            "steps": steps(id, lane, &sim),
        });
        let real = replay(sim.iter(), Some(fleet));
        assert_eq!(real.len(), sim.len());
        let lane_name = lane.describe();
        for (sim, real) in sim.iter().zip(&real) {
            let at = format!("{id} {lane_name} ftp#{}", sim.conn);
            let greeting = real["greeting"].as_str().unwrap();
            assert_eq!(greeting, format!("220 S{} ready.", sim.server), "{at}: the control connection's server");
            assert_eq!(real_codes(real), sim.codes, "{at}: {:?}", sim.commands);
            assert_eq!(real["dropped"], sim.dropped, "{at}: the crash closed the control connection");
            let listings: Vec<&str> =
                real["listings"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
            assert_eq!(listings.len(), sim.listings.len(), "{at}: completed LISTs");
            for (real, sim) in listings.iter().zip(&sim.listings) {
                assert_eq!(entries(real), entries(sim), "{at}: the listing");
            }
            let retr: Vec<&str> = real["retr"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
            let files = fetched(&sim.commands);
            assert_eq!((retr.len(), sim.retr.len()), (files.len(), files.len()), "{at}: RETRs");
            for (k, ((real, sim_bytes), file)) in retr.iter().zip(&sim.retr).zip(&files).enumerate() {
                if sim.cut && k == files.len() - 1 {
                    assert!(real.starts_with(sim_bytes.as_str()), "{at}: the cut RETR begins with the simulated bytes");
                    assert!(file.starts_with(real), "{at}: the cut RETR carried the file's first bytes");
                    assert!(
                        real.len() < file.len(),
                        "{at}: the crash cut the RETR ({} bytes of {})",
                        real.len(),
                        file.len()
                    );
                } else {
                    assert_eq!(sim_bytes, file, "{at}: the simulated RETR carried the file from its offset");
                    assert!(
                        real == file,
                        "{at}: the real RETR carried {} bytes, not the file's {}",
                        real.len(),
                        file.len()
                    );
                }
            }
        }
        lanes.push((sim, real));
    }
    lanes
}

#[test]
fn a_real_fleet_behind_haproxy_answers_the_passive_balancer_tour_as_simulated() {
    if let Err(why) = software() {
        eprintln!("skipped: {why}");
        return;
    }
    let id = "ftp-passive-balancer";
    let refused: Vec<usize> = play(id, 0)
        .iter()
        .map(|(_, real)| real.iter().map(|r| real_codes(r).iter().filter(|&&c| c == 425).count()).sum())
        .collect();
    // The tour's claim: round robin (lane A) sends one data connection
    // astray, balance source (lane B) none.
    assert_eq!(refused, [1, 0], "{id}: the LISTs answered 425, per lane");
}

#[test]
fn a_real_fleet_loses_the_ftp_session_with_the_killed_server_as_simulated() {
    if let Err(why) = software() {
        eprintln!("skipped: {why}");
        return;
    }
    let id = "ftp-session";
    let lanes = play(id, 1);
    let [(sim, real)] = &lanes[..] else { panic!("{id}: one FTP lane") };
    // The tour's claim: the login on S1 dies with it, and the new one on S2
    // starts at / (its listing is the root's, not /pub's).
    assert_eq!(sim.iter().map(|s| (s.server, s.dropped)).collect::<Vec<_>>(), [(1, true), (2, false)], "{id}");
    let names_pub = |r: &Value| entries(r["listings"][0].as_str().unwrap()).iter().any(|e| e.1 == "pub");
    assert_eq!(real.iter().map(names_pub).collect::<Vec<_>>(), [false, true], "{id}: which listing is the root's");
}

#[test]
fn a_real_fleet_resumes_the_cut_download_from_the_rest_offset_as_simulated() {
    if let Err(why) = software() {
        eprintln!("skipped: {why}");
        return;
    }
    let id = "ftp-resume";
    let lanes = play(id, 2);
    let [(sim, real)] = &lanes[..] else { panic!("{id}: one FTP lane") };
    // The tour's claim: the download S1's death cut resumes on S2 from
    // byte 4000, and the two pieces are the whole file.
    assert!(sim[0].cut && sim[0].dropped && sim[1].commands.contains(&"REST 4000".to_owned()), "{id}");
    let cut = real[0]["retr"][0].as_str().unwrap();
    let resumed = real[1]["retr"][0].as_str().unwrap();
    let big = file_content(FILE_TREE.iter().find(|n| n.path == "/pub/big.bin").unwrap());
    assert_eq!(resumed, &big[4000..], "{id}: REST 4000, RETR");
    assert!(big.starts_with(cut) && cut.len() >= 4000, "{id}: the cut download held the first 4000 bytes");
}
