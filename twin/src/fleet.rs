//! One lane's real fleet on loopback: HAProxy (configured by
//! `statelab_sim::text::haproxy_config` from the lane's `LaneConfig`), the servers,
//! Redis as the shared store and another Redis as the shop's database — and
//! the faults done for real: kill, start, stop Redis, rewrite the key file,
//! HAProxy's runtime API, libfaketime clocks.

use crate::procs::Proc;
use statelab_sim::fleet::{LaneConfig, MAX_SERVERS};
use statelab_sim::fleet::{HEALTH_INTERVAL_MS, UNHEALTHY_AFTER};
use statelab_sim::text::config_text;
use statelab_sim::text::HEALTH_RISE;
use statelab_sim::SimTime;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// What HAProxy's log said about one request (`log-format "REQ %s %ST %ts"`).
#[derive(Clone, Debug)]
pub struct LogLine {
    /// `None` for `<NOSRV>`.
    pub server: Option<String>,
    /// Termination state: `--` when the server's answer was passed on.
    pub termination: String,
}

/// One server's health check as HAProxy's runtime API reports it (`show servers state`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckState {
    /// `srv_op_state`: 0 down, 1 starting, 2 up, 3 stopping.
    pub op: u8,
    /// `srv_check_health`: the rise/fall counter, 0 to rise + fall − 1.
    pub health: u32,
    /// `srv_check_state`: a mask; `0x01` while a check is under way.
    pub check: u32,
    /// `srv_check_status`: the last check's code (`L7OK`, `L4CON`, `L7RSP`…).
    pub last: u32,
}

/// The check counter of a server whose last check passed: HAProxy counts
/// from 0 to rise + fall − 1 and takes a server out when the counter falls
/// below `rise`. Only at the top does it take `fall` failures in a row to
/// go out, as the simulation counts them (`UNHEALTHY_AFTER`). HAProxy starts
/// every server at `rise` (one failure from out) until its first check passes.
pub const FULL_HEALTH: u32 = (HEALTH_RISE + UNHEALTHY_AFTER - 1) as u32;

/// How long HAProxy may take to pass a check on a server that answers: its
/// first checks are spread over one interval, and a check that failed is
/// retried one interval later; the rest is slack for a loaded machine.
const CHECK_PASS_LIMIT: Duration = Duration::from_millis(2 * HEALTH_INTERVAL_MS + 2_000);

/// How long HAProxy may take to listen and answer its runtime API.
const HAPROXY_START_LIMIT: Duration = Duration::from_secs(15);

impl CheckState {
    /// Up, its last check passed and none under way: it takes `fall` failed
    /// checks from now on to take it out, and no check that started before
    /// now can still count against it.
    pub fn settled(&self) -> bool {
        self.op == 2 && self.health == FULL_HEALTH && self.check & 1 == 0
    }
}

/// `show servers state fleet`, version 1: each server's name and check state.
pub fn parse_servers_state(text: &str) -> Result<Vec<(String, CheckState)>, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    if lines.next().map(str::trim) != Some("1") {
        return Err(format!("show servers state: not format version 1: {text:?}"));
    }
    let head: Vec<&str> =
        lines.next().and_then(|l| l.strip_prefix("# ")).ok_or("show servers state: no header")?.split(' ').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).ok_or(format!("show servers state: no {name}"));
    let (name, op, health, check, last) = (
        col("srv_name")?,
        col("srv_op_state")?,
        col("srv_check_health")?,
        col("srv_check_state")?,
        col("srv_check_status")?,
    );
    lines
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            let num = |i: usize| {
                f.get(i).and_then(|v| v.parse::<u32>().ok()).ok_or(format!("show servers state: bad line {l:?}"))
            };
            let state = CheckState { op: num(op)? as u8, health: num(health)?, check: num(check)?, last: num(last)? };
            Ok((f.get(name).unwrap_or(&"").to_string(), state))
        })
        .collect()
}

pub struct Fleet {
    pub dir: PathBuf,
    pub base: u16,
    pub lane: LaneConfig,
    /// Servers in HAProxy's pool (enabled slots), S1…S`pool`.
    pub pool: u8,
    keys: Vec<(String, String)>,
    skew_ms: [i64; MAX_SERVERS as usize],
    now: SimTime,
    /// When the fleet started: the simulated clock's `START`, in real time.
    started: Instant,
    faketime: PathBuf,
    log: UnixDatagram,
    // Declared last so the processes they hold stop after the rest is dropped.
    servers: Vec<Option<Proc>>,
    haproxy: Option<Proc>,
    store: Option<Proc>,
    db: Option<Proc>,
}

/// Debian's multi-threaded libfaketime (the servers run tokio).
pub fn faketime_library() -> Option<PathBuf> {
    let dir = Path::new("/usr/lib");
    let arches = std::fs::read_dir(dir).ok()?;
    arches.filter_map(Result::ok).map(|e| e.path().join("faketime/libfaketimeMT.so.1")).find(|p| p.exists())
}

/// A base port whose twelve ports (see `haproxy::config`) are all free now.
pub fn free_base(start: u16) -> Result<u16, String> {
    (0..400u16)
        .map(|k| start + k * 16)
        .find(|&b| (0..12).all(|i| std::net::TcpListener::bind(("127.0.0.1", b + i)).is_ok()))
        .ok_or_else(|| format!("no block of 12 free loopback ports from {start}"))
}

/// Writes `text` to `path` as one step for its readers: written aside, then
/// renamed over `path`. A process that opens `path` at any moment gets the
/// old file whole or the new one whole, never one truncated or half written
/// (the servers read their clock and key files while the driver rewrites them).
fn replace_file(path: &Path, text: &str) -> Result<(), String> {
    let mut aside = path.as_os_str().to_owned();
    aside.push(".tmp");
    let aside = PathBuf::from(aside);
    std::fs::write(&aside, text).map_err(|e| format!("{}: {e}", aside.display()))?;
    std::fs::rename(&aside, path).map_err(|e| format!("{}: {e}", path.display()))
}

fn wait_until(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if ready() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    ready()
}

/// One HTTP/1.1 request straight to a port, the status line's code.
fn probe_http(port: u16, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_millis(500))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: twin\r\nConnection: close\r\n\r\n").ok()?;
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).ok()?;
    line.split(' ').nth(1)?.parse().ok()
}

fn redis_ping(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    let mut buf = [0u8; 16];
    s.write_all(b"PING\r\n").is_ok() && s.read(&mut buf).is_ok_and(|n| buf[..n].starts_with(b"+PONG"))
}

impl Fleet {
    /// Starts the lane's fleet in `dir` from port `base` with the fleet's first key.
    pub fn start(lane: LaneConfig, dir: &Path, base: u16, first_key: (String, String)) -> Result<Fleet, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let faketime =
            faketime_library().ok_or("libfaketime is not installed (Debian: apt-get install libfaketime)")?;
        let log_path = dir.join("log.sock");
        let _ = std::fs::remove_file(&log_path);
        let log = UnixDatagram::bind(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
        let mut f = Fleet {
            dir: dir.to_owned(),
            base,
            lane,
            pool: lane.servers,
            keys: vec![first_key],
            skew_ms: [0; MAX_SERVERS as usize],
            now: statelab_sim::base::START,
            started: Instant::now(),
            faketime,
            log,
            servers: (0..MAX_SERVERS).map(|_| None).collect(),
            haproxy: None,
            store: None,
            db: None,
        };
        f.write_keys()?;
        f.set_clock(f.now)?;
        f.store = Some(f.start_redis("store", base + 10)?);
        f.db = Some(f.start_redis("db", base + 11)?);
        for n in 1..=lane.servers {
            f.start_server(n)?;
        }
        f.start_haproxy()?;
        Ok(f)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Environment that puts a server on the lane's simulated clock: its
    /// realtime clock runs offset by the seconds in `clock_file` (re-read on
    /// every call); the monotonic clock stays real so timers still run.
    fn faked(&self, cmd: &mut Command, clock_file: &Path) {
        cmd.env("LD_PRELOAD", &self.faketime)
            .env("FAKETIME_TIMESTAMP_FILE", clock_file)
            .env("FAKETIME_NO_CACHE", "1")
            .env("DONT_FAKE_MONOTONIC", "1")
            .env("TZ", "UTC");
    }

    fn start_redis(&self, name: &str, port: u16) -> Result<Proc, String> {
        let data = self.path(name);
        std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
        let conf = self.path(&format!("{name}.conf"));
        // The AOF, fsynced on every write, is what lets an outage end "with its data".
        let text = format!(
            "bind 127.0.0.1\nport {port}\nprotected-mode yes\ndaemonize no\ndir {}\nappendonly yes\nappendfsync always\nsave \"\"\nlogfile \"\"\n",
            data.display()
        );
        std::fs::write(&conf, text).map_err(|e| e.to_string())?;
        // Redis keeps the machine's clock: Debian's redis-server is built with
        // jemalloc, which libfaketime cannot be preloaded into (it aborts at
        // start; libfaketime issue #130). The servers' clocks therefore run
        // at real time plus an offset, so the expiry times they hand Redis
        // (EXAT, EX) mean the same instant to both.
        let mut cmd = Command::new("redis-server");
        cmd.arg(&conf);
        let p = Proc::spawn(&format!("redis {name}"), cmd, &self.path(&format!("{name}.log")))?;
        if !wait_until(Duration::from_secs(5), || redis_ping(port)) {
            return Err(format!("redis {name} did not answer PING on 127.0.0.1:{port} within 5 s"));
        }
        Ok(p)
    }

    fn start_server(&mut self, n: u8) -> Result<(), String> {
        let port = self.base + u16::from(n);
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut cmd = Command::new(exe);
        cmd.args(["server", "--name", &format!("S{n}"), "--port", &port.to_string()])
            .args(["--lane", &config_text(&self.lane)])
            .arg("--keys")
            .arg(self.path("keys"))
            .args(["--store-port", &(self.base + 10).to_string(), "--db-port", &(self.base + 11).to_string()]);
        self.faked(&mut cmd, &self.path(&format!("clock-S{n}")));
        let p = Proc::spawn(&format!("S{n}"), cmd, &self.path(&format!("S{n}.log")))?;
        self.servers[usize::from(n - 1)] = Some(p);
        if !wait_until(Duration::from_secs(10), || probe_http(port, "/health") == Some(200)) {
            return Err(format!("S{n} did not answer GET /health on 127.0.0.1:{port} within 10 s"));
        }
        Ok(())
    }

    fn start_haproxy(&mut self) -> Result<(), String> {
        let cfg = self.path("haproxy.cfg");
        let text = statelab_sim::text::haproxy_config(&self.lane, self.base, &self.dir.display().to_string());
        std::fs::write(&cfg, text).map_err(|e| e.to_string())?;
        let _ = std::fs::remove_file(self.path("haproxy.sock"));
        let mut cmd = Command::new("haproxy");
        cmd.arg("-db").arg("-f").arg(&cfg);
        self.haproxy = Some(Proc::spawn("haproxy", cmd, &self.path("haproxy.log"))?);
        let base = self.base;
        // A bound, not a pause: on a quiet machine HAProxy answers within
        // milliseconds; on a loaded one (four busy loops on two cores) 5 s
        // was once not enough.
        if !wait_until(HAPROXY_START_LIMIT, || {
            TcpStream::connect(("127.0.0.1", base)).is_ok() && self.runtime("show info").is_ok()
        }) {
            return Err(format!(
                "HAProxy did not start on 127.0.0.1:{base} within {} s (see {})",
                HAPROXY_START_LIMIT.as_secs(),
                self.path("haproxy.log").display()
            ));
        }
        // The simulation's fleet has been running: every server in rotation
        // takes two failed checks to go out. HAProxy's starts at one (its
        // counter begins at `rise`), so wait for each server's first check.
        for n in 1..=self.pool {
            self.await_settled(n, "HAProxy started")?;
        }
        Ok(())
    }

    /// HAProxy's health check of S`n`.
    pub fn check_state(&self, n: u8) -> Result<CheckState, String> {
        let name = format!("S{n}");
        parse_servers_state(&self.runtime("show servers state fleet")?)?
            .into_iter()
            .find(|(s, _)| *s == name)
            .map(|(_, st)| st)
            .ok_or(format!("show servers state: no {name}"))
    }

    /// Waits (at most `CHECK_PASS_LIMIT`) until HAProxy reports S`n`
    /// [settled](CheckState::settled). A server HAProxy takes out meanwhile
    /// is an error: it was up and answering the whole time.
    fn await_settled(&self, n: u8, since: &str) -> Result<(), String> {
        let deadline = Instant::now() + CHECK_PASS_LIMIT;
        loop {
            let st = self.check_state(n)?;
            if st.settled() {
                return Ok(());
            }
            if st.op == 0 {
                return Err(format!("HAProxy took S{n} out after {since} while it answered /health ({st:?})"));
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "HAProxy had not passed a check on S{n} {:.0} s after {since} ({st:?})",
                    CHECK_PASS_LIMIT.as_secs_f64()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// One command on HAProxy's runtime API; its answer.
    pub fn runtime(&self, command: &str) -> Result<String, String> {
        let mut s = UnixStream::connect(self.path("haproxy.sock")).map_err(|e| format!("runtime API: {e}"))?;
        s.set_read_timeout(Some(Duration::from_secs(2))).map_err(|e| e.to_string())?;
        s.write_all(format!("{command}\n").as_bytes()).map_err(|e| e.to_string())?;
        let mut out = String::new();
        s.read_to_string(&mut out).map_err(|e| format!("runtime API `{command}`: {e}"))?;
        Ok(out)
    }

    /// HAProxy's view of S1…S8: `UP`, `DOWN`, `MAINT`, `UP 1/2`…
    pub fn server_states(&self) -> Result<Vec<(String, String)>, String> {
        let csv = self.runtime("show stat")?;
        let mut lines = csv.lines();
        let head: Vec<&str> = lines.next().unwrap_or("").trim_start_matches("# ").split(',').collect();
        let col = |name: &str| head.iter().position(|h| *h == name);
        let (sv, st) = (col("svname").ok_or("show stat: no svname")?, col("status").ok_or("show stat: no status")?);
        Ok(lines
            .map(|l| l.split(',').collect::<Vec<_>>())
            .filter(|f| f.first() == Some(&"fleet") && f.get(sv).is_some_and(|s| s.starts_with('S')))
            .map(|f| (f[sv].to_owned(), f.get(st).unwrap_or(&"").to_string()))
            .collect())
    }

    /// Waits (at most `limit`) until HAProxy's health checks agree with the
    /// processes: every pooled server that runs is UP, every one that does
    /// not is DOWN. Real health checks take real time; the simulated clock
    /// cannot hurry them. Returns whether they agreed.
    pub fn settle(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        loop {
            let running: Vec<bool> = (0..self.pool).map(|i| self.running(i + 1)).collect();
            let agree = self.server_states().is_ok_and(|states| {
                states
                    .iter()
                    .take(usize::from(self.pool))
                    .zip(&running)
                    .all(|((_, st), &up)| st.starts_with("UP") == up)
            });
            if agree || Instant::now() >= deadline {
                return agree;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn running(&mut self, n: u8) -> bool {
        self.servers[usize::from(n - 1)].as_mut().is_some_and(Proc::running)
    }

    /// The next request line from HAProxy's log, within two seconds.
    pub fn next_log(&self) -> Option<LogLine> {
        self.log.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        let mut buf = [0u8; 4096];
        // Bounded: alerts (health changes) share the socket; skip at most 64 of them.
        for _ in 0..64 {
            let n = self.log.recv(&mut buf).ok()?;
            let text = String::from_utf8_lossy(&buf[..n]);
            let Some(rest) = text.trim().strip_prefix("REQ ") else { continue };
            let mut it = rest.split(' ');
            let server = it.next()?.to_owned();
            // A WebSocket's line (101) is written when its tunnel ends, long
            // after its handshake: the driver takes a 101's server from the answer.
            if it.next()? == "101" {
                continue;
            }
            return Some(LogLine {
                server: (server != "<NOSRV>").then_some(server),
                termination: it.next().unwrap_or("").to_owned(),
            });
        }
        None
    }

    /// Drops log lines left from earlier (none should be, but a stale line must not be read as the next one's).
    pub fn drain_log(&self) {
        let _ = self.log.set_nonblocking(true);
        let mut buf = [0u8; 4096];
        for _ in 0..256 {
            if self.log.recv(&mut buf).is_err() {
                break;
            }
        }
        let _ = self.log.set_nonblocking(false);
    }

    /// Moves every server's clock to the simulated time `t` (plus its skew):
    /// libfaketime's offset form, the simulated time elapsed minus the real
    /// time elapsed, so between actions the clocks run on in real time.
    pub fn set_clock(&mut self, t: SimTime) -> Result<(), String> {
        self.now = t;
        let real_ms = self.started.elapsed().as_millis() as i64;
        for n in 1..=MAX_SERVERS {
            let sim_ms = t.0.saturating_sub(statelab_sim::base::START.0) as i64 + self.skew_ms[usize::from(n - 1)];
            let text = format!("{:+.3}", (sim_ms - real_ms) as f64 / 1000.0);
            // Replaced, never rewritten in place: libfaketime re-reads this
            // file on every clock call, and one that caught it truncated and
            // not yet written would take the empty file as offset +0 — the
            // real clock, minutes behind the simulated one after a wait.
            replace_file(&self.path(&format!("clock-S{n}")), &text)?;
        }
        Ok(())
    }

    fn write_keys(&self) -> Result<(), String> {
        let text: String = self.keys.iter().map(|(k, s)| format!("{k} {s}\n")).collect();
        // The servers read the key file on every request: never half of it.
        replace_file(&self.path("keys"), &text)
    }

    pub fn rotate(&mut self, key: (String, String), keep_old: bool) -> Result<(), String> {
        if !keep_old {
            self.keys.clear();
        }
        self.keys.push(key);
        self.write_keys()
    }

    pub fn skew(&mut self, n: u8, ms: i64) -> Result<(), String> {
        if let Some(s) = self.skew_ms.get_mut(usize::from(n).wrapping_sub(1)) {
            *s = ms;
        }
        self.set_clock(self.now)
    }

    /// Crash: the process is killed outright.
    pub fn crash(&mut self, n: u8) {
        if let Some(p) = self.servers.get_mut(usize::from(n).wrapping_sub(1)).and_then(Option::take) {
            p.stop(libc::SIGKILL, Duration::ZERO);
        }
    }

    /// A fresh process for S`n`. As in the simulation (`Server::restart`), a
    /// restart HAProxy had not noticed stays unnoticed: a check that ran
    /// while no process listened counts one failure, so before the next
    /// action wait until a check has passed on the new process and the
    /// counter is back at the top (one check interval at most). Otherwise
    /// the gap, wider on a loaded machine, would leave the server one
    /// failure from out, or take it out at once if its first check had not
    /// run yet, and shift round robin's turn.
    pub fn restart(&mut self, n: u8) -> Result<(), String> {
        let in_rotation = n <= self.pool && self.check_state(n)?.op != 0;
        self.crash(n);
        self.start_server(n)?;
        if in_rotation {
            self.await_settled(n, &format!("restarting S{n}"))?;
        }
        Ok(())
    }

    pub fn store_down(&mut self) {
        if let Some(p) = self.store.take() {
            // SIGTERM: Redis closes its clients and exits; the AOF keeps the data.
            p.stop(libc::SIGTERM, Duration::from_secs(5));
        }
    }

    pub fn store_up(&mut self) -> Result<(), String> {
        if self.store.is_none() {
            self.store = Some(self.start_redis("store", self.base + 10)?);
            // The servers' Redis clients reconnect every 20 ms; give them ten
            // tries' time before the next request.
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(())
    }

    /// A new server at the end of the pool: its process, then the runtime
    /// API takes its slot out of maintenance. Waits (bounded) until HAProxy
    /// sends it traffic, as a deploy waits for a new server's first health check.
    pub fn add_server(&mut self) -> Result<(), String> {
        if self.pool >= MAX_SERVERS {
            return Ok(());
        }
        let n = self.pool + 1;
        self.start_server(n)?;
        self.runtime(&format!("set server fleet/S{n} state ready"))?;
        self.pool = n;
        let up = wait_until(Duration::from_secs(7), || {
            self.server_states().is_ok_and(|s| s.get(usize::from(n - 1)).is_some_and(|(_, st)| st.starts_with("UP")))
        });
        if !up {
            return Err(format!("HAProxy did not put S{n} in rotation within 7 s"));
        }
        Ok(())
    }

    /// The last server leaves: maintenance on the runtime API, then its process stops.
    pub fn remove_server(&mut self) -> Result<(), String> {
        if self.pool < 2 {
            return Ok(());
        }
        let n = self.pool;
        self.runtime(&format!("set server fleet/S{n} state maint"))?;
        self.crash(n);
        self.pool = n - 1;
        Ok(())
    }

    /// The lane redeployed with `to`: every server restarts with the new
    /// design (memory wiped); the pool is resized; a new balancing strategy
    /// means a new HAProxy configuration, so HAProxy restarts.
    pub fn redeploy(&mut self, to: LaneConfig) -> Result<(), String> {
        let from = self.lane;
        while self.pool < to.servers {
            self.add_server()?;
        }
        while self.pool > to.servers {
            self.remove_server()?;
        }
        self.lane = LaneConfig { servers: from.servers, ..to };
        if to.auth != from.auth || to.token_ttl_s != from.token_ttl_s || to.session_ttl_s != from.session_ttl_s {
            for n in 1..=self.pool {
                if self.servers[usize::from(n - 1)].is_some() {
                    self.restart(n)?;
                }
            }
        }
        if to.balancer != from.balancer {
            self.lane = to;
            if let Some(p) = self.haproxy.take() {
                p.stop(libc::SIGTERM, Duration::from_secs(2));
            }
            self.start_haproxy()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// HAProxy 2.6.12's answer a moment after starting with no server
    /// listening: S1 and S2 already out after one refused check (status 8,
    /// L4CON), S3 still up at the counter's start (`rise`), S4 disabled.
    const STARTED: &str = "1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 fleet 1 S1 127.0.0.1 0 0 1 1 0 8 2 0 6 0 0 0 - 21001 - 0 0 - - 0
3 fleet 2 S2 127.0.0.1 0 0 1 1 0 8 2 0 6 0 0 0 - 21002 - 0 0 - - 0
3 fleet 3 S3 127.0.0.1 2 0 1 1 0 1 0 1 6 0 0 0 - 21003 - 0 0 - - 0
3 fleet 4 S4 127.0.0.1 0 5 1 1 0 1 0 0 14 0 0 0 - 21004 - 0 0 - - 0

";

    #[test]
    fn a_server_is_settled_only_up_at_the_top_of_its_counter_with_no_check_under_way() {
        let states = parse_servers_state(STARTED).unwrap();
        let names: Vec<&str> = states.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["S1", "S2", "S3", "S4"]);
        assert_eq!(states[0].1, CheckState { op: 0, health: 0, check: 6, last: 8 });
        // Up, but one failed check from out: not settled until a check passes.
        assert_eq!(states[2].1, CheckState { op: 2, health: 1, check: 6, last: 1 });
        assert!(states.iter().all(|(_, s)| !s.settled()));
        assert_eq!(FULL_HEALTH, 2, "rise 1, fall 2");
        assert!(CheckState { op: 2, health: 2, check: 6, last: 15 }.settled());
        assert!(!CheckState { op: 2, health: 2, check: 7, last: 15 }.settled(), "a check under way may still fail");
        assert!(parse_servers_state("2\n# be_id\n").is_err());
    }

    /// What libfaketime relies on when it re-opens a server's clock file: a
    /// reader that opened the file before a rewrite still reads the old
    /// offset whole (the file was replaced, not truncated under it), and the
    /// next open reads the new one. Rewritten in place (`std::fs::write`),
    /// the held handle would read the new text, or nothing in between.
    #[test]
    fn a_replaced_file_is_never_seen_truncated_by_a_reader_that_has_it_open() {
        let dir = std::env::temp_dir().join(format!("statelab-twin-replace-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("clock-S1");
        replace_file(&path, "+0.000").unwrap();
        let mut held = std::fs::File::open(&path).unwrap();
        replace_file(&path, "+121.101").unwrap();
        let mut old = String::new();
        held.read_to_string(&mut old).unwrap();
        assert_eq!(old, "+0.000");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "+121.101");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, ["clock-S1"], "nothing left aside");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
