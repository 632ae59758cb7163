//! `statelab-twin pg`: the database tours' bytes against a real PostgreSQL.
//!
//! Starts Debian's PostgreSQL 15 on loopback (`initdb` into a scratch
//! directory, as the `postgres` user when run as root: it refuses root),
//! creates the shop's `products` and `orders`, then replays each lane of
//! each database tour, each on a fresh database.
//!
//! A session or stateless lane is replayed at its backend connections: every
//! one the engine opened is opened for real, and every chunk of bytes the
//! engine's pool sent is sent as it was, in the order the lane sent them; a
//! connection the engine dropped in a crash is closed with no Terminate.
//!
//! A session or stateless lane is then replayed a second time with a real
//! pool in each app server (`pool.rs`), which chooses the connections
//! instead of following the engine.
//!
//! A transaction-mode lane runs through a real PgBouncer (Debian's 1.18,
//! started for the lane on loopback as the `postgres` user, with its own
//! ini: `pool_mode = transaction`, `default_pool_size` = the engine's
//! `POOL_SIZE`, trust auth). Each app server's client connection is opened
//! to PgBouncer at its first request and kept, as the engine keeps it, and
//! each request sends what the app server's driver sent: the engine records
//! only the server side, so the twin rebuilds the client's messages from the
//! op with the engine's own `driver_messages`, keeping the driver's
//! statement cache per client connection, and checks they are the batch the
//! engine's PgBouncer forwarded last. Which server connection PgBouncer
//! lends, the TimeZone it restores, a prepared statement that is not there
//! (26000) and a client queued until `query_wait_timeout` (08P01, then
//! closed) are real PgBouncer's doing.
//!
//! Each answer is compared with the engine's: the command tags, the
//! SQLSTATEs and texts of errors and warnings and the position an error points at,
//! the counts, a `timestamptz`'s zone
//! offset, the ReadyForQuery status byte, and on a PgBouncer lane whether
//! the client connection stayed open.
//!
//! Declared: the backend's process id, secret, clock and version differ,
//! and PgBouncer's own answer to a client's startup (its ParameterStatus
//! set, its BackendKeyData) is not compared: the engine does not model the
//! client side of PgBouncer. Its `query_wait_timeout` is 1 s here, the
//! engine's 120 s, so a queued client's error comes without the wait.
//! Crashes on a PgBouncer lane are not replayed (no tour has one): a lane
//! where the engine closed a server connection is refused with an error;
//! a crash that closed only an idle client connection is not noticed.

mod pool;
mod tap;

use crate::procs::Proc;
use statelab_sim::fleet::{driver_messages, DbRecord, PgMsg, Pooling, SqlOp};
use statelab_sim::wire::pg::{parse_backend, Backend, Frontend};
use statelab_sim::{App, Entry, Lane, LaneId, Playground, Scenario};
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
        match self.read_answer()? {
            (out, false) => Ok(out),
            (_, true) => Err("the server closed the connection".into()),
        }
    }

    /// Messages up to and including the next ReadyForQuery, or up to the
    /// end of the stream: (messages, whether the other side closed).
    fn read_answer(&mut self) -> Result<(Vec<Backend>, bool), String> {
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
                    return Ok((out, false));
                }
            }
            let mut chunk = [0u8; 8192];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Ok((out, true)),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                // PgBouncer may reset a connection it closes with an error.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return Ok((out, true)),
                Err(e) => return Err(format!("read: {e}")),
            }
        }
    }
}

/// A new connection to `port` on loopback and the answer to its startup message.
fn connect(port: u16, startup: &[u8]) -> Result<(Conn, Vec<Backend>), String> {
    let stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    let mut c = Conn { stream, buf: Vec::new(), pid: 0 };
    let answer = c.send(startup)?;
    match answer.iter().find(|m| matches!(m, Backend::ErrorResponse(_))) {
        Some(e) => Err(format!("startup refused: {e:?}")),
        None => Ok((c, answer)),
    }
}

impl Postgres {
    /// A new connection and the server's answer to its startup message.
    fn connect(&self, startup: &[u8]) -> Result<(Conn, Vec<Backend>), String> {
        connect(self.port, startup)
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

    /// `db` anew with the shop's schema. FORCE: the backends of an earlier
    /// lane's PgBouncer may still be exiting.
    fn fresh_database(&self, db: &str) -> Result<(), String> {
        self.admin(
            "postgres",
            &[&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"), &format!("CREATE DATABASE {db}")],
        )?;
        self.admin(db, &[SCHEMA])
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
                let field = |c: u8| f.iter().find(|(k, _)| *k == c).map(|(_, v)| v.as_str());
                let kind = if matches!(m, Backend::ErrorResponse(_)) { "E" } else { "N" };
                // The position in the statement the error points at, when it points.
                let at = field(b'P').map_or(String::new(), |p| format!(" at {p}"));
                Some(format!("{kind} {}{at}: {}", field(b'C').unwrap_or(""), field(b'M').unwrap_or("")))
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
    pg.fresh_database(db)?;
    let mut real: BTreeMap<u32, Conn> = BTreeMap::new();
    let (mut compared, mut diffs) = (0, Vec::new());
    for r in db_records(lane) {
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
            compared += 1;
            let (a, b) = (outline(&ours), outline(&theirs));
            if a != b {
                diffs.push(format!("{} sql {} on pg#{id}: engine {a:?}, PostgreSQL {b:?}", r.client, r.op));
            }
        }
    }
    Ok((compared, diffs))
}

/// PgBouncer in transaction mode in front of the scratch PostgreSQL, for
/// one lane's database: its own ini in `dir`, on loopback `port`.
struct Bouncer {
    _proc: Proc,
    port: u16,
}

const PGBOUNCER: &str = "/usr/sbin/pgbouncer";

fn start_bouncer(dir: &Path, pg: &Postgres, db: &str, port: u16) -> Result<Bouncer, String> {
    let bin = Path::new(PGBOUNCER);
    if !bin.exists() {
        return Err(format!("{PGBOUNCER} is missing: run `cargo xtask setup` (Debian's pgbouncer)"));
    }
    let dir = &dir.canonicalize().map_err(|e| format!("{}: {e}", dir.display()))?;
    let (ini, users) = (dir.join(format!("pgbouncer-{db}.ini")), dir.join("userlist.txt"));
    let write = |path: &Path, text: String| std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()));
    write(&users, "\"shop\" \"\"\n".into())?;
    // The engine's PgBouncer, as `statelab fleet db-txn:…` shows it: query_wait_timeout is the
    // one figure changed, the engine's 120 s becoming 1 s, so a queued client's error comes
    // without the wait.
    write(&ini, statelab_sim::text::pgbouncer_ini(db, pg.port, port, &users.display().to_string(), 1))?;
    // SAFETY: as in `start`.
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        // PgBouncer refuses to run as root, like PostgreSQL.
        must(Command::new("chown").args(["postgres"]).arg(&ini).arg(&users), "chown PgBouncer's files")?;
    }
    let mut cmd = as_owner(bin, root);
    cmd.arg(&ini);
    let log = dir.join(format!("pgbouncer-{db}.log"));
    let proc = Proc::spawn("pgbouncer", cmd, &log)?;
    let until = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > until {
            return Err(format!("PgBouncer did not listen on {port}: see {}", log.display()));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(Bouncer { _proc: proc, port })
}

/// The engine's answer to the last batch of messages a record sent: the
/// backend messages after its last frontend message, and that batch.
fn last_exchange(r: &DbRecord) -> Option<(Vec<Frontend>, Vec<Backend>)> {
    let last = r.messages.iter().rposition(|m| matches!(m, PgMsg::Front(..)))?;
    let id = r.messages[last].conn();
    let first =
        r.messages[..=last].iter().rposition(|m| !matches!(m, PgMsg::Front(c, _) if *c == id)).map_or(0, |i| i + 1);
    Some((sent_in(&r.messages[first..=last]), answers_in(&r.messages[last + 1..])))
}

/// A lane's database records, in order.
fn db_records(lane: &Lane) -> impl Iterator<Item = &DbRecord> {
    lane.entries().iter().filter_map(|e| if let Entry::Db(r) = e { Some(&**r) } else { None })
}

/// What the app side sent among `msgs`, in order.
fn sent_in(msgs: &[PgMsg]) -> Vec<Frontend> {
    msgs.iter().filter_map(|m| if let PgMsg::Front(_, f) = m { Some(f.clone()) } else { None }).collect()
}

/// What PostgreSQL answered among `msgs`, in order.
fn answers_in(msgs: &[PgMsg]) -> Vec<Backend> {
    msgs.iter().filter_map(|m| if let PgMsg::Back(_, b) = m { Some(b.clone()) } else { None }).collect()
}

/// A transaction-mode lane through a real PgBouncer: each app server's
/// client connection is opened to PgBouncer, and each request sends what
/// that app server's driver sent (`driver_messages`, from the op the engine
/// recorded and the statement cache the twin keeps per client connection,
/// as the driver does). The engine records the server side, so its answer
/// is the one to the last batch it forwarded — which must be the driver's
/// messages — and a request it recorded nothing for is one its PgBouncer
/// queued until query_wait_timeout: ERROR 08P01, and the client closed.
fn replay_bouncer_lane(
    pg: &Postgres,
    port: u16,
    out: &Path,
    lane: &Lane,
    db: &str,
) -> Result<(usize, Vec<String>), String> {
    if lane.pg().conns.iter().any(|c| c.closed.is_some()) {
        return Err(format!("{db}: a PgBouncer lane whose server connections closed (a crash) is not replayed here"));
    }
    pg.fresh_database(db)?;
    let bouncer = start_bouncer(out, pg, db, port)?;
    // Per app server: its client connection to PgBouncer and whether its
    // driver has prepared the statement on it.
    let mut clients: BTreeMap<u8, (Conn, bool)> = BTreeMap::new();
    let (mut compared, mut diffs) = (0, Vec::new());
    for r in db_records(lane) {
        // A 502 or 503: the request reached no app server, so no PgBouncer.
        let Some(no) = r.server else { continue };
        let words: Vec<&str> = r.op.split(' ').collect();
        let op = SqlOp::parse(&words).map_err(|e| format!("{} sql {}: {e}", r.client, r.op))?;
        let cached = clients.get(&no).is_some_and(|c| c.1);
        let msgs = driver_messages(&op, &r.client, cached);
        if msgs.is_empty() {
            continue;
        }
        let ours = match last_exchange(r) {
            Some((sent, answer)) if sent == msgs => {
                let mut o = outline(&answer);
                o.push("open".into());
                o
            }
            Some((sent, _)) => {
                diffs.push(format!(
                    "{} sql {}: the engine forwarded {sent:?}, the driver sends {msgs:?}",
                    r.client, r.op
                ));
                continue;
            }
            None if r.queue_timeout => vec!["E 08P01: query_wait_timeout".into(), "closed".into()],
            None => return Err(format!("{} sql {}: the engine sent nothing and says no queue", r.client, r.op)),
        };
        let client = match clients.entry(no) {
            std::collections::btree_map::Entry::Occupied(c) => c.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => {
                let startup = Frontend::Startup { user: "shop".into(), database: db.into(), params: vec![] };
                v.insert((connect(bouncer.port, &startup.to_wire())?.0, false))
            }
        };
        let bytes: Vec<u8> = msgs.iter().flat_map(Frontend::to_wire).collect();
        client.0.stream.write_all(&bytes).map_err(|e| format!("send: {e}"))?;
        let (answer, closed) = client.0.read_answer()?;
        client.1 |= msgs.iter().any(|m| matches!(m, Frontend::Parse { .. }));
        if closed {
            clients.remove(&no);
        }
        let mut theirs = outline(&answer);
        theirs.push(if closed { "closed" } else { "open" }.into());
        compared += 1;
        if ours != theirs {
            diffs.push(format!("{} sql {} via S{no}: engine {ours:?}, PgBouncer {theirs:?}", r.client, r.op));
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
    let dir = out.join("postgres");
    let pg = start(&dir, port)?;
    println!("PostgreSQL on 127.0.0.1:{port}; each db-txn lane through PgBouncer on 127.0.0.1:{}, the others straight to PostgreSQL.", port + 1);
    println!("\n{:<20} {:<5} {:<14} {:<10} {:>8}  differences", "tour", "lane", "pooling", "replayed", "answers");
    let mut all_agree = true;
    for s in &tours {
        let p = Playground::from_scenario(s, 1, s.steps.len());
        for id in LaneId::ALL {
            let lane = p.lane(id);
            let db = format!("shop_{}", id.code());
            // A PgBouncer lane has one replay, through PgBouncer; a lane with
            // its pools in the app servers has two: the engine's bytes on the
            // engine's connections, then real pools choosing the connections.
            let replays = match lane.config().app {
                App::Db(Pooling::Transaction) => {
                    vec![("PgBouncer", replay_bouncer_lane(&pg, port + 1, &dir, lane, &db)?)]
                }
                _ => vec![("bytes", replay_lane(&pg, lane, &db)?), ("deadpool", pool::replay(&pg, lane, &db)?)],
            };
            for (how, (n, diffs)) in replays {
                all_agree &= diffs.is_empty();
                println!(
                    "{:<20} {:<5} {:<14} {:<10} {:>8}  {}",
                    s.id,
                    id.label(),
                    lane.config().app.code(),
                    how,
                    n,
                    diffs.len()
                );
                for d in diffs {
                    println!("    {d}");
                }
            }
        }
    }
    Ok(all_agree)
}

#[cfg(test)]
mod tests {
    use super::outline;
    use statelab_sim::wire::pg::{Backend, TxStatus};

    /// An error compares by its SQLSTATE, its text and where it points, so
    /// the same code with another text or position is a difference.
    #[test]
    fn an_error_is_outlined_with_its_text_and_position() {
        let error = |p: Option<&str>| {
            let mut f = vec![
                (b'S', "ERROR".to_owned()),
                (b'C', "42P01".to_owned()),
                (b'M', "relation \"cart\" does not exist".to_owned()),
            ];
            f.extend(p.map(|p| (b'P', p.to_owned())));
            vec![Backend::ErrorResponse(f), Backend::ReadyForQuery(TxStatus::Idle)]
        };
        assert_eq!(outline(&error(Some("13"))), ["E 42P01 at 13: relation \"cart\" does not exist", "Z I"]);
        assert_ne!(outline(&error(Some("13"))), outline(&error(Some("14"))));
        assert_ne!(outline(&error(Some("13"))), outline(&error(None)));
        assert_eq!(outline(&[Backend::error("25P02", "x")]), ["E 25P02: x"]);
    }
}
