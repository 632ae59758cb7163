//! The FTP tours whose point is the balancer, replayed on a real fleet: two
//! pyftpdlib servers on loopback behind HAProxy in TCP mode, which forwards
//! the control port and the passive ports (each to the same port on the
//! server it picks), balancing as the lane's strategy says. Each simulated
//! client connects as a real one would, through the balancer, presenting
//! the simulated user's address with the PROXY protocol (so `balance
//! source` hashes what the simulation's did); its data connection goes to
//! the address and port the 227 named. The fleet must answer each control
//! connection from the server the simulation's did, with the same reply
//! codes (read as in `ftp_server.rs`: pyftpdlib's `150`, then `421` when the
//! data connection never came, is vsftpd's `425`), and each completed LIST
//! must name the same entries.
//!
//! Skipped, with a message, when `haproxy` or pyftpdlib is missing, unless
//! `CI` is set: then it fails, as everything it needs is installed by
//! `cargo xtask setup`.

use super::ftp_server::{real_codes, replay, sessions};
use serde_json::json;
use statelab_sim::fleet::{PASV_PORTS, PASV_PORT_BASE};
use statelab_sim::text::{ftp_config, FtpFleet, FTP_CONTROL_PORT as CONTROL_PORT};
use statelab_sim::{App, Playground, Scenario};
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

/// Loopback addresses of this process's own: the balancer at `.1`, S*n* at
/// `.1 + n`. The whole of 127/8 is loopback; taking a /24 from the process
/// id keeps two runs (and anything on 127.0.0.1) off each other's ports.
fn addresses(servers: u8) -> (String, Vec<String>) {
    let pid = std::process::id();
    let net = format!("127.{}.{}", 1 + (pid >> 8) % 254, pid % 256);
    (format!("{net}.1"), (1..=servers).map(|n| format!("{net}.{}", 1 + n)).collect())
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

#[test]
fn a_real_fleet_behind_haproxy_answers_the_passive_balancer_tour_as_simulated() {
    if let Err(why) = software() {
        eprintln!("skipped: {why}");
        return;
    }
    let id = "ftp-passive-balancer";
    let s = Scenario::find(id).unwrap();
    let p = Playground::from_scenario(&s, 1, s.steps.len());
    let mut refused = Vec::new();
    for lane in p.lanes() {
        let c = lane.config();
        assert_eq!(c.app, App::Ftp, "{id}: both lanes are FTP");
        let sim = sessions(lane);
        let (balancer, servers) = addresses(c.servers);
        let fleet = json!({
            "balancer": balancer,
            "servers": servers,
            "port": CONTROL_PORT,
            "passive": [PASV_PORT_BASE, PASV_PORT_BASE + PASV_PORTS - 1],
            "haproxy": ftp_config(c, &FtpFleet { balancer: &balancer, servers: &servers, port: CONTROL_PORT, accept_proxy: true }),
        });
        let real = replay(sim.iter(), Some(fleet));
        assert_eq!(real.len(), sim.len());
        let lane_name = lane.describe();
        refused.push(0);
        for (sim, real) in sim.iter().zip(&real) {
            let greeting = real["greeting"].as_str().unwrap();
            assert_eq!(
                greeting,
                format!("220 S{} ready.", sim.server),
                "{id} {lane_name}: the control connection's server"
            );
            let codes = real_codes(real);
            assert_eq!(codes, sim.codes, "{id} {lane_name}: {:?}", sim.commands);
            *refused.last_mut().unwrap() += codes.iter().filter(|&&c| c == 425).count();
            let listings: Vec<&str> =
                real["listings"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
            assert_eq!(listings.len(), sim.listings.len(), "{id} {lane_name}: completed LISTs");
            for (real, sim) in listings.iter().zip(&sim.listings) {
                assert_eq!(entries(real), entries(sim), "{id} {lane_name}: the listing");
            }
            assert!(real["retr"].as_array().unwrap().is_empty() && sim.retr.is_empty(), "{id}: no RETR in this tour");
        }
    }
    // The tour's claim: round robin (lane A) sends one data connection
    // astray, balance source (lane B) none.
    assert_eq!(refused, [1, 0], "{id}: the LISTs answered 425, per lane");
}
