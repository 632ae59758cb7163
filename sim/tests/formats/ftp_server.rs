//! The client's half of every simulated FTP control connection, replayed
//! against a real FTP server: pyftpdlib (from PyPI, installed by `cargo
//! xtask setup`), which `pyftpdlib_replay.py` starts on loopback with the
//! simulation's users and files. Its reply codes must be the simulation's,
//! in order, and each RETR must carry the bytes the simulated one did.
//!
//! Declared differences (pyftpdlib's choices, not the simulation's, which
//! follows vsftpd): a transfer whose data connection is already open starts
//! with `125` where vsftpd says `150` (both "positive preliminary"); and a
//! transfer whose data connection never came is answered `150` then, when
//! its passive listener times out, `421`, where vsftpd answers `425`. After
//! that timeout pyftpdlib keeps the transfer queued for the next data
//! connection; the script's listener drops it, as vsftpd does, so the next
//! transfer is not aborted (426) depending on timing.

use serde_json::{json, Value};
use statelab_sim::fleet::{file_content, FtpLine, FtpRole, FILE_TREE};
use statelab_sim::{App, Entry, Lane, Playground, Scenario};
use std::io::Write;
use std::process::{Command as Process, Stdio};

/// One control connection as the simulation recorded it.
pub(super) struct Session {
    /// Its control connection's id in the lane (`ftp#1`).
    pub(super) conn: u32,
    /// The client's source address, which the balancer saw.
    pub(super) client: String,
    /// The server the balancer sent the control connection to.
    pub(super) server: u8,
    pub(super) commands: Vec<String>,
    /// Per PASV: whether its data connection reached the server.
    data: Vec<bool>,
    pub(super) codes: Vec<u16>,
    pub(super) retr: Vec<String>,
    /// What each completed LIST carried.
    pub(super) listings: Vec<String>,
    /// Whether a server's crash closed the control connection.
    pub(super) dropped: bool,
    /// Whether that crash cut its last RETR short (the last of `retr`).
    pub(super) cut: bool,
}

pub(super) fn sessions(lane: &Lane) -> Vec<Session> {
    let conns = lane.ftp_connections();
    let mut out: Vec<(u32, Session)> = Vec::new();
    let at = |id: u32, out: &mut Vec<(u32, Session)>| -> usize {
        match out.iter().position(|(c, _)| *c == id) {
            Some(i) => i,
            None => {
                let c = &conns[id as usize - 1];
                let user = statelab_sim::User::ALL.into_iter().find(|u| u.username() == c.client).unwrap();
                out.push((
                    id,
                    Session {
                        conn: id,
                        client: lane.client(user).addr.clone(),
                        server: c.server,
                        commands: vec![],
                        data: vec![],
                        codes: vec![],
                        retr: vec![],
                        listings: vec![],
                        dropped: c.closed.is_some_and(|(_, why)| why == DIED),
                        cut: false,
                    },
                ));
                out.len() - 1
            }
        }
    };
    for e in lane.entries() {
        let Entry::Ftp(r) = e else { continue };
        for (i, line) in r.lines.iter().enumerate() {
            match line {
                FtpLine::Command { conn, command } => {
                    let s = at(*conn, &mut out);
                    out[s].1.commands.push(command.shown());
                    if command.verb == statelab_sim::wire::ftp::Verb::Pasv {
                        // The data connection, if one was opened, follows the 227.
                        let reached = r.lines.get(i + 2).is_some_and(|l| match l {
                            FtpLine::Data { conn: d, .. } => {
                                let c = &conns[*d as usize - 1];
                                c.role == FtpRole::Data { control: *conn, port: port_of(c.role) }
                                    && c.closed.is_none_or(|(_, why)| why != "refused")
                            }
                            _ => false,
                        });
                        out[s].1.data.push(reached);
                    }
                }
                FtpLine::Reply { conn, reply } => {
                    let s = at(*conn, &mut out);
                    out[s].1.codes.push(reply.code);
                }
                FtpLine::Data { .. } => {}
            }
        }
    }
    // What each RETR carried: the file from the offset, up to where it
    // stopped; and each listing (the tours list no empty directory).
    for (id, s) in &mut out {
        for c in conns.iter().filter(|c| matches!(c.role, FtpRole::Data { control, .. } if control == *id)) {
            let bytes: Vec<u8> = c.wire.iter().flat_map(|k| k.bytes.clone()).collect();
            let text = String::from_utf8(bytes).unwrap();
            if text.starts_with("-rw") || text.starts_with("drw") {
                s.listings.push(text);
            } else if !text.is_empty() {
                s.retr.push(text);
                s.cut = c.closed.is_some_and(|(_, why)| why == DIED);
            }
        }
    }
    out.into_iter().map(|(_, s)| s).collect()
}

/// Why the engine closes a crashed server's connections (`fleet/lane/ftp.rs`).
const DIED: &str = "server died";

fn port_of(role: FtpRole) -> u16 {
    match role {
        FtpRole::Data { port, .. } => port,
        FtpRole::Control => 0,
    }
}

/// pyftpdlib's codes in the simulation's terms (the declared differences).
pub(super) fn as_vsftpd(codes: &[Option<u16>]) -> Vec<u16> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < codes.len() {
        match (codes[i], codes.get(i + 1).copied().flatten()) {
            (Some(150 | 125), Some(421)) => {
                out.push(425);
                i += 2;
                continue;
            }
            (Some(125), _) => out.push(150),
            (Some(c), _) => out.push(c),
            (None, _) => {}
        }
        i += 1;
    }
    out
}

#[test]
fn pyftpdlib_answers_the_simulated_clients_with_the_same_codes() {
    let mut all = Vec::new();
    for id in statelab_sim::tours::IDS {
        let s = Scenario::find(id).unwrap();
        let p = Playground::from_scenario(&s, 1, s.steps.len());
        for lane in p.lanes().iter().filter(|l| l.config().app == App::Ftp) {
            all.extend(sessions(lane).into_iter().map(|s| (id, s)));
        }
    }
    assert!(all.len() >= 5, "the FTP tours open control connections");
    let real = replay(all.iter().map(|(_, s)| s), None);
    assert_eq!(real.len(), all.len());
    for ((id, sim), real) in all.iter().zip(&real) {
        let codes = real_codes(real);
        // A session the simulation's crash cut short ends before the real one does.
        assert!(codes.len() >= sim.codes.len(), "{id}: {:?} against {:?}", codes, sim.codes);
        assert_eq!(codes[..sim.codes.len()], sim.codes[..], "{id}: {:?}", sim.commands);
        let retr: Vec<&str> = real["retr"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
        assert_eq!(retr.len(), sim.retr.len(), "{id}");
        for (real, sim) in retr.iter().zip(&sim.retr) {
            // A cut transfer carried a prefix of what the real server sends whole.
            assert!(real.starts_with(sim.as_str()) && !sim.is_empty(), "{id}: RETR bytes differ");
        }
    }
}

/// Replays `sessions` with `pyftpdlib_replay.py` on the simulation's users
/// and files: against one server, or on `fleet` (see the script). What it
/// answered, one object per session.
pub(super) fn replay<'a>(sessions: impl Iterator<Item = &'a Session>, fleet: Option<Value>) -> Vec<Value> {
    let db = statelab_sim::fleet::Database::default();
    let users: serde_json::Map<String, Value> =
        statelab_sim::User::ALL.iter().map(|u| (u.username().to_owned(), json!(db.password(u.username())))).collect();
    let dirs: Vec<&str> = FILE_TREE.iter().filter(|n| n.dir).map(|n| n.path).collect();
    let files: serde_json::Map<String, Value> =
        FILE_TREE.iter().filter(|n| !n.dir).map(|n| (n.path.to_owned(), json!(file_content(n)))).collect();
    let job = json!({
        "users": users,
        "dirs": dirs,
        "files": files,
        "sessions": sessions
            .map(|s| json!({"commands": s.commands, "data": s.data, "client": s.client}))
            .collect::<Vec<_>>(),
        "fleet": fleet,
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/formats/pyftpdlib_replay.py");
    let mut child = Process::new("python3")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs pyftpdlib (`cargo xtask setup` installs it)");
    child.stdin.take().expect("piped").write_all(job.to_string().as_bytes()).expect("python3 reads the job");
    let out = child.wait_with_output().expect("python3 finishes");
    assert!(out.status.success(), "pyftpdlib_replay.py failed: {} (is pyftpdlib installed?)", out.status);
    serde_json::from_slice(&out.stdout).expect("the script writes JSON")
}

/// A replayed session's reply codes, in the simulation's terms.
pub(super) fn real_codes(real: &Value) -> Vec<u16> {
    let codes: Vec<Option<u16>> =
        real["codes"].as_array().unwrap().iter().map(|c| c.as_u64().map(|c| c as u16)).collect();
    as_vsftpd(&codes)
}

/// `statelab transcript <id> --json` gives each FTP connection, control and
/// data, with its server, times and every chunk each way in base64: the
/// lane's bytes exactly, client chunks one command each and the server's
/// control chunks whole replies, as our parsers (checked against ftplib in
/// `ftp_reader.rs`) read them.
#[test]
fn the_json_transcript_carries_every_ftp_connections_bytes() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    for id in ["ftp-session", "ftp-resume", "ftp-passive-balancer"] {
        let s = Scenario::find(id).unwrap();
        let json = statelab_sim::tours::scenario_json(&s, 1);
        let p = Playground::from_scenario(&s, 1, s.steps.len());
        for (lane, doc) in p.lanes().iter().zip(json["lanes"].as_array().unwrap()) {
            if lane.config().app != App::Ftp {
                assert!(doc.get("ftp_connections").is_none(), "{id}: only FTP lanes carry them");
                continue;
            }
            let conns = doc["ftp_connections"].as_array().unwrap();
            assert_eq!(conns.len(), lane.ftp_connections().len(), "{id}");
            for (c, j) in lane.ftp_connections().iter().zip(conns) {
                assert_eq!(j["server"], format!("S{}", c.server));
                assert_eq!(j["opened_ms"], c.opened.0);
                let chunks = j["bytes"].as_array().unwrap();
                assert_eq!(chunks.len(), c.wire.len());
                let mut replies = String::new();
                for (k, jk) in c.wire.iter().zip(chunks) {
                    let bytes = b64.decode(jk["b64"].as_str().unwrap()).unwrap();
                    assert_eq!(bytes, k.bytes, "{id}: ftp#{}", c.id);
                    assert_eq!(jk["dir"], if k.from_client { "client" } else { "server" });
                    let text = String::from_utf8(bytes).unwrap();
                    match (c.role, k.from_client) {
                        (FtpRole::Control, true) => {
                            statelab_sim::wire::ftp::parse_command(&text).unwrap();
                            assert!(text.ends_with("\r\n"));
                        }
                        (FtpRole::Control, false) => replies.push_str(&text),
                        (FtpRole::Data { .. }, from_client) => assert!(!from_client, "data flows to the client here"),
                    }
                }
                if c.role == FtpRole::Control {
                    let read = statelab_sim::wire::ftp::parse_replies(&replies).unwrap();
                    assert_eq!(read.len(), c.wire.iter().filter(|k| !k.from_client).count(), "{id}: one reply a chunk");
                    assert_eq!(j["role"], "control");
                } else {
                    assert_eq!(j["role"], "data");
                }
            }
        }
    }
}
