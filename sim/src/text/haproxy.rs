//! "Run it yourself": a lane's fleet as real software would run it — the
//! HAProxy 2.6 configuration its [`LaneConfig`] means, and the commands that
//! start it: the shop's HTTP lanes (and the files over HTTP) with the
//! real-fleet twin (`twin/`), an FTP lane with pyftpdlib servers behind
//! HAProxy in TCP mode, and for a database lane what the twin runs instead
//! (PostgreSQL, and PgBouncer for transaction pooling, with the
//! configuration [`pgbouncer_ini`] writes). Plain text, no I/O: the
//! `statelab fleet` command prints it and the page can show it.

use crate::base::ids::User;
use crate::fleet::config::{
    App, AuthMode, Credential, LaneConfig, Pooling, Strategy, API_KEY_HEADER, MAX_SERVERS, REFRESH_PATH,
};
use crate::fleet::{Database, FILE_TREE, PASV_PORTS, PASV_PORT_BASE, POOL_SIZE, QUERY_WAIT_TIMEOUT_S};
use crate::fleet::{HEALTH_INTERVAL_MS, UNHEALTHY_AFTER};
use crate::text::config_code::{config_text, parse_config};
use std::fmt::Write;

/// The base port a learner's fleet listens on: HAProxy at `BASE`, S1…S8 at
/// `BASE + 1…8` (see [`config`] for the rest).
pub const BASE_PORT: u16 = 8000;
/// Passing checks in a row that put a server back in rotation (`rise`).
pub const HEALTH_RISE: u64 = 1;
/// Where `statelab-twin fleet` keeps a learner's fleet (configuration, sockets, logs).
pub const LAB_DIR: &str = "/tmp/statelab-fleet-8000";

/// The port an FTP lane's balancer and each of its servers take control
/// connections on: pyftpdlib's default, a port that needs no root.
pub const FTP_CONTROL_PORT: u16 = 2121;
/// Where a learner's FTP fleet keeps its HAProxy configuration and files.
pub const FTP_LAB_DIR: &str = "/tmp/statelab-ftp-2121";

/// Everything "Run it yourself" shows for lane `c`: the commands, then the
/// HAProxy configuration that fleet runs with (for a database lane, what
/// the twin runs instead).
pub fn run_it_yourself(c: &LaneConfig) -> String {
    match c.app {
        App::Ftp => {
            let (balancer, servers) = ftp_lab_addresses(c.servers);
            let at = FtpFleet { balancer: &balancer, servers: &servers, port: FTP_CONTROL_PORT, accept_proxy: false };
            format!("{}\n# {FTP_LAB_DIR}/haproxy.cfg\n{}", ftp_commands(c, &at), ftp_config(c, &at))
        }
        App::Db(pooling) => db_text(c, pooling),
        _ => format!("{}\n# {LAB_DIR}/haproxy.cfg\n{}", commands(c), config(c, BASE_PORT, LAB_DIR)),
    }
}

/// [`run_it_yourself`] for a lane configuration as links write it
/// (`local.sticky.3`). `statelab fleet` prints it and the page's worker
/// answers with it, so the two cannot drift apart.
pub fn run_it_yourself_for(code: &str) -> Result<String, String> {
    let c = parse_config(code).map_err(|e| format!("lane configuration \"{code}\": {e}"))?;
    Ok(run_it_yourself(&c))
}

/// HAProxy's configuration for lane `c`, everything on 127.0.0.1 from port
/// `base`: the frontend at `base`, S*n* at `base + n`, a frontend that takes
/// the PROXY protocol (so a driver can present the simulated users'
/// addresses to `balance source`) at `base + 9`. `dir` holds the runtime-API
/// and log sockets. Every server slot up to the maximum is declared, the ones
/// past `c.servers` `disabled`: adding or removing a server is then a runtime
/// API call (`set server fleet/S4 state ready`), as the twin does it.
pub fn config(c: &LaneConfig, base: u16, dir: &str) -> String {
    let (balance, sticky) = match c.balancer {
        Strategy::RoundRobin | Strategy::StickyCookie => ("roundrobin", c.balancer == Strategy::StickyCookie),
        Strategy::Random => ("random", false),
        Strategy::LeastConnections => ("leastconn", false),
        // map-based (the default): the source address as a 32-bit number,
        // modulo the servers in rotation, in declaration order.
        Strategy::IpHash => ("source", false),
        // map-based too: sdbm of the parameter's value; no parameter, round robin.
        Strategy::RoomHash => ("url_param room", false),
    };
    let mut s = format!(
        "# HAProxy 2.6 for lane {code}: {c}\n\
global\n\
\x20   # one thread, so round robin turns in one order\n\
\x20   nbthread 1\n\
\x20   stats socket {dir}/haproxy.sock mode 600 level admin\n\
\x20   log {dir}/log.sock len 4096 format raw local0\n\
defaults\n\
\x20   mode http\n\
\x20   log global\n\
\x20   log-format \"REQ %s %ST %ts\"\n\
\x20   timeout connect 1s\n\
\x20   timeout client 10s\n\
\x20   timeout server 10s\n\
\x20   # an upgraded WebSocket connection is a tunnel, closed after this long with no frame either way\n\
\x20   timeout tunnel {tunnel}s\n\
\x20   # one try, as in the simulation: a refused connection is answered, not retried\n\
\x20   retries 0\n\
frontend shop\n\
\x20   bind 127.0.0.1:{base}\n\
\x20   bind 127.0.0.1:{proxy} accept-proxy\n\
\x20   default_backend fleet\n\
backend fleet\n\
\x20   balance {balance}\n",
        code = config_text(c),
        proxy = base + 9,
        tunnel = crate::fleet::TUNNEL_TIMEOUT_MS / 1000,
    );
    if sticky {
        s.push_str("    cookie lb insert indirect httponly\n");
    }
    let _ = write!(
        s,
        "    option httpchk GET /health\n\
\x20   # probe every {}s; out after {UNHEALTHY_AFTER} failures, back after {HEALTH_RISE} success\n\
\x20   default-server inter {}s fall {UNHEALTHY_AFTER} rise {HEALTH_RISE}\n",
        HEALTH_INTERVAL_MS / 1000,
        HEALTH_INTERVAL_MS / 1000
    );
    for n in 1..=MAX_SERVERS {
        let _ = write!(s, "    server S{n} 127.0.0.1:{} check", base + u16::from(n));
        if sticky {
            let _ = write!(s, " cookie S{n}");
        }
        s.push_str(if n > c.servers { " disabled\n" } else { "\n" });
    }
    s
}

/// Where an FTP lane's fleet listens. Each server needs an address of its
/// own: the balancer forwards a passive port to the same port on the server
/// it picks, so every server listens on the same ports.
#[derive(Clone, Copy, Debug)]
pub struct FtpFleet<'a> {
    /// The balancer's address, which every 227 reply names.
    pub balancer: &'a str,
    /// S1's address, S2's, ….
    pub servers: &'a [String],
    /// The control port, the balancer's and each server's.
    pub port: u16,
    /// Whether every connection opens with a PROXY protocol line carrying
    /// the client's address: a driver presenting the simulated users'
    /// addresses (so `balance source` hashes what the simulation's did)
    /// needs it, a learner's FTP client sends none.
    pub accept_proxy: bool,
}

/// A learner's FTP fleet: the balancer on 127.0.0.1, S*n* on 127.0.0.*n+1*
/// (Linux routes all of 127/8 to loopback).
fn ftp_lab_addresses(servers: u8) -> (String, Vec<String>) {
    ("127.0.0.1".into(), (1..=servers).map(|n| format!("127.0.0.{}", u16::from(n) + 1)).collect())
}

/// HAProxy's configuration for FTP lane `c`: TCP, one thread (so round
/// robin turns in one order), no retry (a refused connection is closed, as
/// in the simulation), the control port and the passive ports in one
/// frontend sharing the lane's balancing, each connection sent to the port
/// it came to. The simulation's FTP frontend sees only the client's
/// address, so the strategies that read a cookie or a URL balance round
/// robin here, as they do there.
pub fn ftp_config(c: &LaneConfig, at: &FtpFleet<'_>) -> String {
    let balance = match c.balancer {
        Strategy::RoundRobin => "roundrobin",
        Strategy::Random => "random",
        Strategy::LeastConnections => "leastconn",
        // map-based: the source address as a number, modulo the servers in rotation.
        Strategy::IpHash => "source",
        Strategy::StickyCookie => {
            "roundrobin\n    # TCP carries no cookie to pin a client by: each connection goes round robin"
        }
        Strategy::RoomHash => {
            "roundrobin\n    # TCP carries no URL, so no room parameter: each connection goes round robin"
        }
    };
    let (balancer, port) = (at.balancer, at.port);
    let proxy = if at.accept_proxy { " accept-proxy" } else { "" };
    let last = PASV_PORT_BASE + PASV_PORTS - 1;
    let every = HEALTH_INTERVAL_MS / 1000;
    let idle = crate::fleet::IDLE_TIMEOUT_MS / 1000;
    let mut s = format!(
        "# HAProxy 2.6 for lane {code}: {c}\n\
global\n\
\x20   nbthread 1\n\
defaults\n\
\x20   mode tcp\n\
\x20   timeout connect 1s\n\
\x20   # as long as the FTP server keeps an idle session: the balancer must not close it first\n\
\x20   timeout client {idle}s\n\
\x20   timeout server {idle}s\n\
\x20   retries 0\n\
frontend ftp\n\
\x20   bind {balancer}:{port}{proxy}\n\
\x20   # the passive ports: a 227 names the balancer, which forwards the data connection\n\
\x20   bind {balancer}:{PASV_PORT_BASE}-{last}{proxy}\n\
\x20   default_backend fleet\n\
backend fleet\n\
\x20   balance {balance}\n\
\x20   # a TCP connect to the control port every {every}s; out after {UNHEALTHY_AFTER} failures, back after {HEALTH_RISE} success\n\
\x20   default-server check port {port} inter {every}s fall {UNHEALTHY_AFTER} rise {HEALTH_RISE}\n",
        code = config_text(c),
    );
    for (n, addr) in at.servers.iter().enumerate() {
        // No port: each connection goes to the port it came to.
        let _ = writeln!(s, "    server S{} {addr}", n + 1);
    }
    s
}

/// The commands that start FTP lane `c`'s fleet at `at`: the file tree the
/// simulation serves (its sizes), one pyftpdlib server per address whose
/// 227 names the balancer, HAProxy, and a listing through it.
fn ftp_commands(c: &LaneConfig, at: &FtpFleet<'_>) -> String {
    let root = format!("{FTP_LAB_DIR}/root");
    let user = User::ALL[0].username();
    let password = Database::default().password(user).unwrap_or_default().to_owned();
    let last = PASV_PORT_BASE + PASV_PORTS - 1;
    let mut s = format!(
        "# pyftpdlib servers S1…S{n} behind HAProxy (TCP) on {b}:{p}, passive ports {PASV_PORT_BASE}-{last}\n\
# the simulation's files, with its sizes\n",
        n = c.servers,
        b = at.balancer,
        p = at.port
    );
    for node in FILE_TREE.iter().filter(|n| n.dir) {
        let _ = writeln!(s, "mkdir -p {root}{}", node.path);
    }
    for node in FILE_TREE.iter().filter(|n| !n.dir) {
        let _ = writeln!(s, "truncate -s {} {root}{}", node.size, node.path);
    }
    for (n, addr) in at.servers.iter().enumerate() {
        let _ = writeln!(
            s,
            "python3 -m pyftpdlib -i {addr} -p {port} -n {b} -r {PASV_PORT_BASE}-{last} -u {user} -P {password} -d {root} &   # S{}",
            n + 1,
            port = at.port,
            b = at.balancer,
        );
    }
    let _ = write!(
        s,
        "# the configuration below, saved as {FTP_LAB_DIR}/haproxy.cfg; Ctrl-C stops HAProxy, `kill %1 …` the servers\n\
haproxy -f {FTP_LAB_DIR}/haproxy.cfg\n\
# in another terminal: a listing through the balancer (curl uses passive mode)\n\
curl -v ftp://{user}:{password}@{b}:{p}/pub/\n",
        b = at.balancer,
        p = at.port
    );
    s
}

/// What the twin runs for database lane `c`: no hand-run fleet (`cargo
/// xtask twin --fleet` starts HTTP app servers with no PostgreSQL), but the
/// database tours replayed on PostgreSQL 15, and for transaction pooling
/// through PgBouncer configured as [`pgbouncer_ini`] writes.
fn db_text(c: &LaneConfig, pooling: Pooling) -> String {
    let code = config_text(c);
    let how = match pooling {
        Pooling::Session | Pooling::Stateless => format!(
            "# Each app server's pool ({POOL_SIZE} connections) is replayed at its backend connections: every\n\
# connection the engine opened is opened to PostgreSQL and sent the bytes the engine's pool sent.\n"
        ),
        Pooling::Transaction => format!(
            "# Each app server's client connection goes to PgBouncer 1.18 on loopback, configured as below\n\
# (on the first free pair of ports from 55432; query_wait_timeout 1 s there, so a queued client's\n\
# error comes without the engine's {QUERY_WAIT_TIMEOUT_S} s wait):\n\
{}",
            pgbouncer_ini("shop_a", 55_432, 55_433, "userlist.txt", 1)
                .lines()
                .map(|l| if l.is_empty() { "#\n".to_owned() } else { format!("#   {l}\n") })
                .collect::<String>()
        ),
    };
    format!(
        "# Lane {code}: {c}\n\
# The twin has no hand-run fleet for a database lane: `cargo xtask twin --fleet` starts HTTP app\n\
# servers with no PostgreSQL behind them. What it runs is the database tours' bytes on a real\n\
# PostgreSQL 15 on loopback (twin/src/pg.rs), each lane on a fresh database, compared with the engine's.\n\
{how}\
cargo run -p statelab-twin -- pg   # every database tour; or name tours: pg db-leaky-set\n"
    )
}

/// PgBouncer's configuration for a transaction-pooling lane: database `db`
/// on PostgreSQL at 127.0.0.1:`pg_port`, PgBouncer listening on
/// 127.0.0.1:`port`, trust auth with `auth_file`, transaction mode, a pool
/// of the engine's [`POOL_SIZE`] server connections, TimeZone among the
/// parameters it tracks per client (its default), and a queued client
/// answered after `query_wait_s` seconds. The twin starts PgBouncer with it.
pub fn pgbouncer_ini(db: &str, pg_port: u16, port: u16, auth_file: &str, query_wait_s: u32) -> String {
    format!(
        "[databases]\n{db} = host=127.0.0.1 port={pg_port} dbname={db}\n\n\
         [pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
         auth_type = trust\nauth_file = {auth_file}\npool_mode = transaction\n\
         default_pool_size = {POOL_SIZE}\nmax_client_conn = 100\nquery_wait_timeout = {query_wait_s}\n"
    )
}

/// The shell commands that start lane `c`'s fleet on this machine with the
/// twin, then send it a request, as a learner would type them.
pub(super) fn commands(c: &LaneConfig) -> String {
    let code = config_text(c);
    let store = if c.auth.uses_store() { " and Redis for the shared store" } else { "" };
    let url = format!("http://127.0.0.1:{BASE_PORT}");
    // A token lane's app sends the token the login returned, an API client its key; the others
    // let curl's jar carry cookies (and a refresh lane's jar carries its refresh cookie).
    let me = match c.auth.credential() {
        Credential::Cookie(_) => format!("curl -i -b jar.txt -c jar.txt {url}/api/me"),
        Credential::Bearer => {
            format!("curl -i -H \"Authorization: Bearer $TOKEN\" {url}/api/me   # TOKEN: the login's \"token\"")
        }
        Credential::ApiKey => {
            format!("curl -i -H \"{API_KEY_HEADER}: $KEY\" {url}/api/me   # KEY: the login's \"api_key\"")
        }
    };
    let refresh = if c.auth == AuthMode::Refresh {
        format!("curl -i -b jar.txt -c jar.txt -X POST {url}{REFRESH_PATH}   # a new access token, the refresh cookie rotated\n")
    } else {
        String::new()
    };
    // The twin's app servers run the shop: a files lane's balancing is real, its routes are not.
    let files = if c.app == App::Files {
        "# the twin's servers answer the shop's API, not the lane's files (GET /files/…, Range): the\n\
# balancing below is the lane's, the answers are the shop's\n"
    } else {
        ""
    };
    format!(
        "# HAProxy, {n} server{s}{store} on 127.0.0.1:{BASE_PORT}; Ctrl-C stops them all\n\
{files}cargo xtask twin --fleet {code}\n\
# in another terminal\n\
curl -i -c jar.txt -H 'Content-Type: application/json' -d '{{\"username\":\"alice\",\"password\":\"wonderland\"}}' {url}/login\n\
{me}\n{refresh}",
        n = c.servers,
        s = if c.servers == 1 { "" } else { "s" },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::config::{AuthMode, Store};

    #[test]
    fn sticky_lanes_insert_the_lb_cookie_and_name_each_server() {
        let c = LaneConfig::stateful().with_balancer(Strategy::StickyCookie);
        let text = config(&c, 9000, "/run/x");
        assert!(text.contains("balance roundrobin\n    cookie lb insert indirect httponly\n"));
        assert!(text.contains("server S1 127.0.0.1:9001 check cookie S1\n"));
        assert!(text.contains("server S3 127.0.0.1:9003 check cookie S3\n"));
        assert!(text.contains("server S4 127.0.0.1:9004 check cookie S4 disabled\n"));
        assert!(text.contains("bind 127.0.0.1:9009 accept-proxy"));
        assert!(text.contains("default-server inter 5s fall 2 rise 1"));
    }

    #[test]
    fn each_strategy_has_its_balance_line() {
        for (strategy, line) in [
            (Strategy::RoundRobin, "balance roundrobin\n    option"),
            (Strategy::Random, "balance random\n"),
            (Strategy::LeastConnections, "balance leastconn\n"),
            (Strategy::IpHash, "balance source\n"),
        ] {
            let text = config(&LaneConfig::stateless().with_balancer(strategy).with_servers(2), BASE_PORT, "/d");
            assert!(text.contains(line), "{strategy:?}: {text}");
            assert!(!text.contains("cookie"), "{strategy:?} is not sticky");
            assert!(text.contains("server S2 127.0.0.1:8002 check\n    server S3 127.0.0.1:8003 check disabled\n"));
        }
    }

    #[test]
    fn run_it_yourself_is_the_commands_then_the_configuration_the_twin_uses() {
        let text = run_it_yourself(&LaneConfig::stateful());
        let (cmds, cfg) = text.split_once("\n# /tmp/statelab-fleet-8000/haproxy.cfg\n").unwrap();
        assert_eq!(cmds, commands(&LaneConfig::stateful()));
        assert_eq!(cfg, config(&LaneConfig::stateful(), BASE_PORT, LAB_DIR));
    }

    #[test]
    fn a_link_code_gives_its_lanes_text_or_says_what_is_wrong() {
        let c = LaneConfig::stateful().with_balancer(Strategy::StickyCookie);
        assert_eq!(run_it_yourself_for("local.sticky.3").unwrap(), run_it_yourself(&c));
        assert!(run_it_yourself_for("nope").unwrap_err().starts_with("lane configuration \"nope\": "));
    }

    #[test]
    fn an_ftp_lane_gets_a_tcp_config_balancing_as_its_strategy() {
        let servers = ["10.0.0.2".to_owned(), "10.0.0.3".to_owned()];
        for (strategy, line) in [
            (Strategy::RoundRobin, "    balance roundrobin\n    # a TCP connect"),
            (Strategy::Random, "    balance random\n"),
            (Strategy::LeastConnections, "    balance leastconn\n"),
            (Strategy::IpHash, "    balance source\n"),
            (Strategy::StickyCookie, "    balance roundrobin\n    # TCP carries no cookie"),
            (Strategy::RoomHash, "    balance roundrobin\n    # TCP carries no URL"),
        ] {
            let c = LaneConfig::stateful().with_app(App::Ftp).with_balancer(strategy).with_servers(2);
            for accept_proxy in [false, true] {
                let at = FtpFleet { balancer: "10.0.0.1", servers: &servers, port: 2121, accept_proxy };
                let text = ftp_config(&c, &at);
                assert!(text.contains("defaults\n    mode tcp\n"), "{strategy:?}: {text}");
                assert!(!text.contains("mode http") && !text.contains("httpchk"), "{strategy:?}: {text}");
                assert_eq!(text.matches("    balance ").count(), 1, "{strategy:?}: {text}");
                assert!(text.contains(line), "{strategy:?}: {text}");
                let proxy = if accept_proxy { " accept-proxy" } else { "" };
                assert!(text.contains(&format!("    bind 10.0.0.1:2121{proxy}\n")), "{text}");
                assert!(text.contains(&format!("    bind 10.0.0.1:50000-50009{proxy}\n")), "{text}");
                assert!(text.ends_with("    server S1 10.0.0.2\n    server S2 10.0.0.3\n"), "{text}");
                // An idle control connection lives as long as the FTP server keeps its session.
                let idle = crate::fleet::IDLE_TIMEOUT_MS / 1000;
                assert!(text.contains(&format!("timeout client {idle}s\n    timeout server {idle}s\n")), "{text}");
            }
        }
    }

    #[test]
    fn run_it_yourself_for_an_ftp_lane_starts_pyftpdlib_behind_the_tcp_config() {
        let text = run_it_yourself_for("ftp:local.iphash.2").unwrap();
        let (cmds, cfg) = text.split_once("\n# /tmp/statelab-ftp-2121/haproxy.cfg\n").unwrap();
        assert!(cfg.contains("mode tcp") && cfg.contains("balance source\n"), "{cfg}");
        assert!(!text.contains("cargo xtask twin") && !text.contains("/api/me"), "{text}");
        assert!(cmds.contains(
            "python3 -m pyftpdlib -i 127.0.0.3 -p 2121 -n 127.0.0.1 -r 50000-50009 -u alice -P wonderland -d /tmp/statelab-ftp-2121/root &   # S2\n"
        ), "{cmds}");
        assert!(!cmds.contains("127.0.0.4"), "two servers: {cmds}");
        assert!(cmds.contains("truncate -s 12000 /tmp/statelab-ftp-2121/root/pub/big.bin\n"), "{cmds}");
        assert!(cmds.contains("curl -v ftp://alice:wonderland@127.0.0.1:2121/pub/\n"), "{cmds}");
    }

    #[test]
    fn a_database_lane_says_what_the_twin_runs_not_a_shop_fleet() {
        let txn = run_it_yourself_for("db-txn:jwt.rr.3").unwrap();
        assert!(txn.contains("PgBouncer 1.18") && txn.contains("#   pool_mode = transaction\n"), "{txn}");
        assert!(txn.contains(&format!("#   default_pool_size = {POOL_SIZE}\n")), "{txn}");
        for code in ["db-txn:jwt.rr.3", "db-session:jwt.rr.3", "db-stateless:local.sticky.2"] {
            let text = run_it_yourself_for(code).unwrap();
            assert!(text.contains("PostgreSQL 15") && text.contains("cargo run -p statelab-twin -- pg"), "{text}");
            assert!(!text.contains("haproxy.cfg") && !text.contains("balance ") && !text.contains("/api/me"), "{text}");
            assert_eq!(text.contains("PgBouncer"), code.starts_with("db-txn"), "{text}");
        }
    }

    #[test]
    fn a_files_lane_keeps_the_http_config_and_says_the_twin_serves_the_shop() {
        let c = LaneConfig::stateless().with_app(App::Files);
        let text = run_it_yourself(&c);
        assert!(text.ends_with(&config(&c, BASE_PORT, LAB_DIR)));
        assert!(text.contains("mode http") && text.contains("not the lane's files"), "{text}");
        assert!(!run_it_yourself(&LaneConfig::stateless()).contains("not the lane's files"));
    }

    #[test]
    fn commands_name_the_lane_and_its_store() {
        let shared = LaneConfig::stateful().with_auth(AuthMode::ServerSession { store: Store::Shared });
        assert!(commands(&shared).contains("cargo xtask twin --fleet shared.rr.3\n"));
        assert!(commands(&shared).contains("Redis"));
        assert!(!commands(&LaneConfig::stateless()).contains("Redis"));
    }
}
