//! "Run it yourself": a lane's fleet as real software would run it — the
//! HAProxy 2.6 configuration its [`LaneConfig`] means, and the commands that
//! start it with the real-fleet twin (`twin/`). Plain text, no I/O: the
//! `statelab fleet` command prints it and the page can show it.

use crate::fleet::config::{AuthMode, Credential, LaneConfig, Strategy, API_KEY_HEADER, MAX_SERVERS, REFRESH_PATH};
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

/// Everything "Run it yourself" shows for lane `c`: the commands, then the
/// HAProxy configuration the twin starts that fleet with.
pub fn run_it_yourself(c: &LaneConfig) -> String {
    format!(
        "{}
# {LAB_DIR}/haproxy.cfg
{}",
        commands(c),
        config(c, BASE_PORT, LAB_DIR)
    )
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
    format!(
        "# HAProxy, {n} server{s}{store} on 127.0.0.1:{BASE_PORT}; Ctrl-C stops them all\n\
cargo xtask twin --fleet {code}\n\
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
    fn commands_name_the_lane_and_its_store() {
        let shared = LaneConfig::stateful().with_auth(AuthMode::ServerSession { store: Store::Shared });
        assert!(commands(&shared).contains("cargo xtask twin --fleet shared.rr.3\n"));
        assert!(commands(&shared).contains("Redis"));
        assert!(!commands(&LaneConfig::stateless()).contains("Redis"));
    }
}
