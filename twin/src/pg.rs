//! `statelab-twin pg`: the database tours' bytes against a real PostgreSQL.
//!
//! Starts Debian's PostgreSQL 15 on loopback (`initdb` into a scratch
//! directory, as the `postgres` user when run as root: it refuses root),
//! creates the shop's `products` and `orders`, then replays each lane of
//! each database tour: every backend connection the engine opened is opened
//! for real, and every chunk of bytes the engine's pool (or PgBouncer) sent
//! is sent as it was, in the order the lane sent them; a connection the
//! engine dropped in a crash is closed with no Terminate. Each answer is
//! compared with the engine's: the command tags, the SQLSTATEs of errors and
//! warnings, the counts, a `timestamptz`'s zone offset, and the
//! ReadyForQuery status byte.
//!
//! Declared: PgBouncer itself does not run here — the transaction-mode lane
//! is replayed at its server connections, the bytes PgBouncer would send
//! PostgreSQL; the backend's process id, secret, clock and version differ.

use crate::procs::Proc;
use statelab_sim::fleet::{DbRecord, PgMsg};
use statelab_sim::wire::pg::{parse_backend, Backend, Frontend};
use statelab_sim::{Entry, Lane, LaneId, Playground, Scenario};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SCHEMA: &str = "CREATE TABLE products (sku text PRIMARY KEY); \
    INSERT INTO products VALUES ('mug'), ('tee'), ('sticker'), ('hoodie'), ('socks'); \
    CREATE TABLE orders (id serial PRIMARY KEY, owner text NOT NULL, sku text NOT NULL REFERENCES products)";

/// The running server and where it listens.
struct Postgres {
    _proc: Proc,
    port: u16,
}

fn bin_dir() -> Result<PathBuf, String> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "PostgreSQL is not installed: run `cargo xtask setup` (Debian's postgresql)".to_owned())?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("postgres").exists())
        .collect();
    found.sort();
    found.pop().ok_or_else(|| "no /usr/lib/postgresql/*/bin/postgres".into())
}

/// `cmd` as the `postgres` user when we are root (PostgreSQL refuses root).
fn as_owner(program: &Path, root: bool) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn start(dir: &Path, port: u16) -> Result<Postgres, String> {
    let bin = bin_dir()?;
    // SAFETY: geteuid(2) reads the process's user id and touches no memory.
    let root = unsafe { libc::geteuid() } == 0;
    // A scratch cluster: whatever an earlier run left there goes.
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    // Absolute: PostgreSQL runs from its data directory, so a relative
    // socket directory (`-k`) would name a place that is not there.
    let dir = &dir.canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?;
    if root {
        must(Command::new("chown").args(["-R", "postgres"]).arg(dir), "chown the scratch directory")?;
    }
    let data = dir.join("data");
    must(
        as_owner(&bin.join("initdb"), root).arg("-D").arg(&data).args([
            "-U",
            "shop",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ]),
        "initdb",
    )?;
    let mut cmd = as_owner(&bin.join("postgres"), root);
    cmd.arg("-D").arg(&data).arg("-p").arg(port.to_string()).arg("-k").arg(dir);
    cmd.args(["-c", "listen_addresses=127.0.0.1", "-c", "timezone=UTC"]);
    let proc = Proc::spawn("postgres", cmd, &dir.join("postgres.log"))?;
    let until = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > until {
            return Err(format!("PostgreSQL did not listen on {port}: see {}", dir.join("postgres.log").display()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let pg = Postgres { _proc: proc, port };
    // A moment after it listens it may still be starting up: retry the first session.
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        match pg.session("postgres") {
            Ok(_) => return Ok(pg),
            Err(e) if Instant::now() > until => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// One real connection: what it sent and read, message by message.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    pid: u32,
}

impl Conn {
    fn send(&mut self, bytes: &[u8]) -> Result<Vec<Backend>, String> {
        self.stream.write_all(bytes).map_err(|e| format!("send: {e}"))?;
        self.read_until_ready()
    }

    /// Messages up to and including the next ReadyForQuery.
    fn read_until_ready(&mut self) -> Result<Vec<Backend>, String> {
        let mut out = Vec::new();
        loop {
            while let Ok((m, used)) = parse_backend(&self.buf) {
                self.buf.drain(..used);
                if let Backend::BackendKeyData { pid, .. } = m {
                    self.pid = pid;
                }
                let done = matches!(m, Backend::ReadyForQuery(_));
                out.push(m);
                if done {
                    return Ok(out);
                }
            }
            let mut chunk = [0u8; 8192];
            let n = self.stream.read(&mut chunk).map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                return Err("the server closed the connection".into());
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

impl Postgres {
    /// A new connection and the server's answer to its startup message.
    fn connect(&self, startup: &[u8]) -> Result<(Conn, Vec<Backend>), String> {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).map_err(|e| format!("connect: {e}"))?;
        stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
        let mut c = Conn { stream, buf: Vec::new(), pid: 0 };
        let answer = c.send(startup)?;
        match answer.iter().find(|m| matches!(m, Backend::ErrorResponse(_))) {
            Some(e) => Err(format!("startup refused: {e:?}")),
            None => Ok((c, answer)),
        }
    }

    fn session(&self, database: &str) -> Result<Conn, String> {
        let startup = Frontend::Startup { user: "shop".into(), database: database.into(), params: vec![] };
        self.connect(&startup.to_wire()).map(|(c, _)| c)
    }

    /// Simple queries on a fresh session; an error is an error.
    fn admin(&self, database: &str, sql: &[&str]) -> Result<(), String> {
        let mut c = self.session(database)?;
        for q in sql {
            let answer = c.send(&Frontend::Query((*q).into()).to_wire())?;
            if let Some(Backend::ErrorResponse(f)) = answer.iter().find(|m| matches!(m, Backend::ErrorResponse(_))) {
                return Err(format!("{q}: {f:?}"));
            }
        }
        c.stream.write_all(&Frontend::Terminate.to_wire()).map_err(|e| e.to_string())
    }

    /// Waits until backend `pid` has gone: a closed socket is noticed, and
    /// its transaction rolled back, by the backend in its own time.
    fn await_exit(&self, pid: u32) -> Result<(), String> {
        let mut c = self.session("postgres")?;
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let q = format!("SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}");
            let gone = c
                .send(&Frontend::Query(q).to_wire())?
                .iter()
                .any(|m| matches!(m, Backend::DataRow(v) if v[0].as_deref() == Some("0")));
            if gone {
                return Ok(());
            }
            if Instant::now() > until {
                return Err(format!("backend {pid} did not exit"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// What an answer says that both sides must agree on.
fn outline(answer: &[Backend]) -> Vec<String> {
    answer
        .iter()
        .filter_map(|m| match m {
            Backend::CommandComplete(tag) => Some(format!("C {tag}")),
            Backend::ReadyForQuery(s) => Some(format!("Z {}", char::from(s.byte()))),
            Backend::ParameterStatus { name, value } if name == "TimeZone" => Some(format!("S TimeZone={value}")),
            Backend::ErrorResponse(f) | Backend::NoticeResponse(f) => {
                let code = f.iter().find(|(k, _)| *k == b'C').map_or("", |(_, v)| v.as_str());
                Some(format!("{} {code}", if matches!(m, Backend::ErrorResponse(_)) { "E" } else { "N" }))
            }
            Backend::DataRow(values) => {
                let shown: Vec<String> = values
                    .iter()
                    .map(|v| {
                        let v = v.as_deref().unwrap_or("NULL");
                        // A timestamp (`2026-01-15 18:00:03.5+09`): the clocks
                        // differ, so only its zone offset, or that it has none, compares.
                        match v.get(19..).filter(|_| v.as_bytes().get(4) == Some(&b'-')) {
                            Some(rest) => match rest.trim_start_matches(|c: char| c == '.' || c.is_ascii_digit()) {
                                "" => "timestamp".into(),
                                offset => format!("offset {offset}"),
                            },
                            None => v.to_owned(),
                        }
                    })
                    .collect();
                Some(format!("D {}", shown.join(",")))
            }
            _ => None,
        })
        .collect()
}

/// One lane replayed: (answers compared, differences).
fn replay_lane(pg: &Postgres, lane: &Lane, db: &str) -> Result<(usize, Vec<String>), String> {
    pg.admin("postgres", &[&format!("DROP DATABASE IF EXISTS {db}"), &format!("CREATE DATABASE {db}")])?;
    pg.admin(db, &[SCHEMA])?;
    let mut real: BTreeMap<u32, Conn> = BTreeMap::new();
    let mut sent: BTreeMap<u32, usize> = BTreeMap::new();
    let (mut compared, mut diffs) = (0, Vec::new());
    let records: Vec<&DbRecord> =
        lane.entries().iter().filter_map(|e| if let Entry::Db(r) = e { Some(&**r) } else { None }).collect();
    for r in records {
        // Connections the engine dropped before this step: closed with no Terminate.
        for c in lane.pg().conns.iter().filter(|c| c.closed.as_ref().is_some_and(|(at, _)| *at <= r.at)) {
            if let Some(conn) = real.remove(&c.id) {
                let pid = conn.pid;
                drop(conn);
                pg.await_exit(pid)?;
            }
        }
        let mut i = 0;
        while i < r.messages.len() {
            let id = r.messages[i].conn();
            let mut bytes = Vec::new();
            let mut startup = false;
            while let Some(PgMsg::Front(c, m)) = r.messages.get(i).filter(|m| m.conn() == id) {
                startup |= matches!(m, Frontend::Startup { .. });
                bytes.extend(PgMsg::Front(*c, m.clone()).to_wire());
                i += 1;
            }
            let mut ours = Vec::new();
            while let Some(PgMsg::Back(_, m)) = r.messages.get(i).filter(|m| m.conn() == id) {
                ours.push(m.clone());
                i += 1;
                if matches!(m, Backend::ReadyForQuery(_)) {
                    break;
                }
            }
            // The database name is the lane's own on the real server.
            let theirs = if startup {
                let Some(Frontend::Startup { user, params, .. }) = r.messages.iter().find_map(|m| match m {
                    PgMsg::Front(c, f @ Frontend::Startup { .. }) if *c == id => Some(f.clone()),
                    _ => None,
                }) else {
                    return Err("a startup without its message".into());
                };
                let (c, answer) = pg.connect(&Frontend::Startup { user, database: db.into(), params }.to_wire())?;
                real.insert(id, c);
                answer
            } else {
                let c = real.get_mut(&id).ok_or_else(|| format!("pg#{id} is not open"))?;
                c.send(&bytes)?
            };
            *sent.entry(id).or_default() += 1;
            compared += 1;
            let (a, b) = (outline(&ours), outline(&theirs));
            if a != b {
                diffs.push(format!("{} sql {} on pg#{id}: engine {a:?}, PostgreSQL {b:?}", r.client, r.op));
            }
        }
    }
    Ok((compared, diffs))
}

/// Runs a setup command to its end; its output is in the error when it fails.
fn must(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

/// Every database tour (or those named), both lanes; prints the agreement
/// table and returns whether every answer agreed.
pub fn run(ids: &[String], out: &Path) -> Result<bool, String> {
    let tours: Vec<Scenario> = match ids {
        [] => statelab_sim::tours::all().into_iter().filter(|s| s.lanes.iter().any(|l| l.app.is_db())).collect(),
        _ => ids
            .iter()
            .map(|id| Scenario::find(id).ok_or_else(|| format!("no tour `{id}`")))
            .collect::<Result<_, _>>()?,
    };
    let port = crate::fleet::free_base(55_432)?;
    let pg = start(&out.join("postgres"), port)?;
    println!("PostgreSQL on 127.0.0.1:{port}. Declared: PgBouncer does not run here; a db-txn lane is replayed at its server connections (the bytes PgBouncer sends).");
    println!("\n{:<20} {:<5} {:<14} {:>8}  differences", "tour", "lane", "pooling", "answers");
    let mut all_agree = true;
    for s in &tours {
        let p = Playground::from_scenario(s, 1, s.steps.len());
        for id in LaneId::ALL {
            let lane = p.lane(id);
            let (n, diffs) = replay_lane(&pg, lane, &format!("shop_{}", id.code()))?;
            all_agree &= diffs.is_empty();
            println!("{:<20} {:<5} {:<14} {:>8}  {}", s.id, id.label(), lane.config().app.code(), n, diffs.len());
            for d in diffs {
                println!("    {d}");
            }
        }
    }
    Ok(all_agree)
}
