//! A run as text: what `statelab transcript` prints and the view copies.

use crate::fleet::exchange::Entry;
use crate::fleet::kind::Kind;
use crate::fleet::lane::Lane;
use crate::fleet::{Chunk, FtpLine, FtpRole};
use crate::wire::jwt::Key;
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
                let _ =
                    writeln!(out, "\n#{} {} {} → {} ({})", x.seq, x.at, x.client, x.server_label(), x.balancer_reason);
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
            // A build without a kind holds no entry of it: the guards let
            // the compiler leave that kind's text out (`fleet/kind.rs`).
            Entry::Socket(r) if const { Kind::Connections.compiled() } => {
                let _ = writeln!(out, "\n~ ws#{} {} {} ⇄ S{}", r.conn, r.at, r.client, r.server);
                for f in &r.frames {
                    let arrow = if f.from_client { "»" } else { "«" };
                    let _ = writeln!(out, "{arrow} ws#{} {} {}", f.conn, f.client, f.frame.summary());
                    for line in crate::wire::ws::hex(&f.frame.to_wire()).lines() {
                        let _ = writeln!(out, "  {line}");
                    }
                }
                for t in &r.trace {
                    let _ = writeln!(out, "· {t}");
                }
            }
            Entry::Ftp(r) if const { Kind::Files.compiled() } => {
                let on = r.server.map_or(String::new(), |s| format!(" ⇄ S{s}"));
                let _ = writeln!(out, "\n~ ftp {} {}{on}", r.at, r.client);
                for line in &r.lines {
                    match line {
                        FtpLine::Command { conn, command } => {
                            let _ = writeln!(out, "» ftp#{conn} {}", command.shown());
                        }
                        FtpLine::Reply { conn, reply } => {
                            for l in reply.to_wire().trim_end_matches("\r\n").split("\r\n") {
                                let _ = writeln!(out, "« ftp#{conn} {l}");
                            }
                        }
                        FtpLine::Data { conn, note, .. } => {
                            let _ = writeln!(out, "= ftp#{conn} {note}");
                        }
                    }
                }
                for t in &r.trace {
                    let _ = writeln!(out, "· {t}");
                }
            }
            Entry::Db(r) if const { Kind::Db.compiled() } => {
                let on = r.server.map_or_else(|| "no app server".to_owned(), |s| format!("S{s}"));
                let _ = writeln!(out, "\n$ {} {} sql {} → {on}", r.at, r.client, r.op);
                for m in &r.messages {
                    let arrow = if matches!(m, crate::fleet::PgMsg::Front(..)) { "»" } else { "«" };
                    let _ = writeln!(out, "{arrow} pg#{} {}", m.conn(), m.summary());
                }
                for t in &r.trace {
                    let _ = writeln!(out, "· {t}");
                }
            }
            Entry::Socket(_) | Entry::Ftp(_) | Entry::Db(_) => {}
        }
    }
    out
}

/// A file lane's FTP connections, control and data, as `--json` transcripts
/// carry them: the same fields as [`connections_json`]'s, with each
/// connection's `role` (`control`, or `data` with its control connection
/// and passive port) and why it closed.
pub fn ftp_connections_json(lane: &Lane) -> serde_json::Value {
    let conns: Vec<serde_json::Value> = lane
        .ftp_connections()
        .iter()
        .map(|c| {
            let (role, control, port) = match c.role {
                FtpRole::Control => ("control", None, None),
                FtpRole::Data { control, port } => ("data", Some(control), Some(port)),
            };
            serde_json::json!({
                "id": c.id,
                "role": role,
                "control": control,
                "port": port,
                "client": c.client,
                "server": format!("S{}", c.server),
                "opened_ms": c.opened.0,
                "closed_ms": c.closed.map(|x| x.0 .0),
                "closed_why": c.closed.map(|x| x.1),
                "bytes": chunks_json(&c.wire),
            })
        })
        .collect();
    serde_json::Value::Array(conns)
}

fn chunks_json(wire: &[Chunk]) -> Vec<serde_json::Value> {
    wire.iter()
        .map(|chunk| {
            serde_json::json!({
                "dir": if chunk.from_client { "client" } else { "server" },
                "b64": crate::wire::b64::encode_padded(&chunk.bytes),
            })
        })
        .collect()
}

/// A lane's WebSocket connections as `--json` transcripts carry them: each
/// connection's ends and times (the lane's true clock, Unix milliseconds), how
/// it closed (`null` while open), and every chunk of bytes that crossed it in
/// order — the handshake request and its 101 first, then each frame, client
/// frames masked — in standard base64 with padding.
pub fn connections_json(lane: &Lane) -> serde_json::Value {
    let conns: Vec<serde_json::Value> = lane
        .connections()
        .iter()
        .map(|c| {
            let bytes = chunks_json(&c.wire);
            serde_json::json!({
                "id": c.id,
                "client": c.client,
                "server": format!("S{}", c.server),
                "opened_ms": c.opened.0,
                "closed_ms": c.closed.map(|x| x.at.0),
                "close_code": c.closed.map(|x| x.code),
                "bytes": bytes,
            })
        })
        .collect();
    serde_json::Value::Array(conns)
}

/// A database lane's backend connections as `--json` transcripts carry
/// them: each connection's pool (`S1`, or `PgBouncer`), its backend's process
/// id, when it opened and closed (the lane's true clock, Unix milliseconds;
/// `null` while open) and why it closed, and every chunk of bytes that
/// crossed it in order — the startup message and the server's answer first —
/// in standard base64 with padding.
pub fn db_connections_json(lane: &Lane) -> serde_json::Value {
    use crate::fleet::Side;
    let conns: Vec<serde_json::Value> = lane
        .pg()
        .conns
        .iter()
        .map(|c| {
            let bytes: Vec<serde_json::Value> = c
                .wire
                .iter()
                .map(|chunk| {
                    serde_json::json!({
                        "dir": if chunk.from_client { "client" } else { "server" },
                        "b64": crate::wire::b64::encode_padded(&chunk.bytes),
                    })
                })
                .collect();
            serde_json::json!({
                "id": c.id,
                "pid": c.pid,
                "pool": match c.side { Side::Server(no) => format!("S{no}"), Side::Bouncer => "PgBouncer".to_owned() },
                "opened_ms": c.opened.0,
                "closed_ms": c.closed.as_ref().map(|x| x.0 .0),
                "closed": c.closed.as_ref().map(|x| x.1.as_str()),
                "bytes": bytes,
            })
        })
        .collect();
    serde_json::Value::Array(conns)
}

/// The fleet keys a lane signed with: none for server sessions, which sign nothing.
pub(crate) fn keys_used(lane: &Lane) -> &[Key] {
    if lane.signs_credentials() {
        lane.key_history()
    } else {
        &[]
    }
}

fn quote(out: &mut String, prefix: &str, wire: &str) {
    for line in crate::wire::http::wire_lines(wire) {
        let _ = writeln!(out, "{prefix}{line}");
    }
}
