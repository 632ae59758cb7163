//! Outcomes compared, exchange by exchange: status, which server answered,
//! and for a refusal (401, 429) why. Bytes are not compared — header case, dates
//! and ids differ by nature. A difference passes only when it is one of the
//! [`DECLARED`] simplifications of the simulation, each matched by a rule
//! narrow enough to catch anything else.

use crate::driver::{frame_text, RealConn, RealExchange};
use statelab_sim::{Entry, Exchange, Lane};

/// A simplification the simulation makes on purpose, and why.
pub struct Declared {
    pub code: &'static str,
    pub what: &'static str,
    pub why: &'static str,
}

pub const DECLARED: [Declared; 3] = [
    Declared {
        code: "refused-502",
        what: "a request routed to a crashed server that health checks have not caught yet: the simulation's balancer answers 502 Bad Gateway, HAProxy answers 503 Service Unavailable (termination state SC: connection refused)",
        why: "the simulation answers as nginx and AWS's load balancers do for a refused connection; HAProxy reports the same event as 503. Either way the balancer answers, not a server, and the user is not served",
    },
    Declared {
        code: "random-draw",
        what: "balance random: which server a request goes to (statuses are still compared)",
        why: "the simulation draws from its seeded ChaCha8 stream so that a link replays the same; HAProxy draws from its own generator. No scenario uses random",
    },
    Declared {
        code: "pong-before-recheck",
        what: "a ping on a re-checking connection whose credential no longer holds: the simulation closes with 1008 (or 1011) and sends no pong; the real server sends the pong, then the close",
        why: "tungstenite answers a ping itself as it reads it, before the application sees the frame and can re-check; the simulation re-checks before answering, as a server that handles pings itself would",
    },
];

/// Bytes and timing differ by nature and are not compared, and the twin has
/// limits of its own; listed in the report.
pub const NOT_COMPARED: [&str; 11] = [
    "bytes: header case (hyper writes lower case), header order, Date values, session ids, JWT ids and signatures",
    "latency: the simulation adds modelled costs (balancer 1 ms, server 2 ms, store 4 ms, database 3 ms); the twin measures loopback",
    "TLS: the simulated browser talks to https://shop.example; the twin speaks plain HTTP on loopback, with its cookie jar scoped to the same https origin so Secure cookies behave alike",
    "session cookies: tower-sessions re-sends Set-Cookie with Max-Age on every response to slide the idle timeout; the simulation's session cookie has no Max-Age and slides on the server only",
    "health checks run on HAProxy's real clock: a simulated wait lets them catch up with the processes for at most min(wait, 12 s) of real time",
    "Redis keeps the machine's clock (libfaketime cannot be preloaded into Debian's jemalloc-built redis-server): simulated waits move the servers' clocks only, so keys outlive their TTL in Redis; the servers refuse a session whose expiry has passed on their clock (twin/src/store_clock.rs), and so an opaque or refresh token (its end kept in its value), count rate-limit windows by the end their clock gave them, and a denylisted token is refused as expired first",
    "the driver's cookie jar (cookie_store) judges Max-Age on the machine's clock: a simulated wait expires no cookie (the refresh cookie lives 30 min; no scenario waits that long)",
    "WebSocket frames the client sent (tungstenite masks with its own random keys) and the handshake's bytes; a 101's server is read from the x-served-by header the twin's servers add, since HAProxy logs a tunnel only when it ends",
    "reconnect times: the twin's clients reconnect when the simulation's apps did (their backoff is drawn from the lane's seeded stream); what each attempt got (status, server, welcome) is compared",
    "a server's keepalive ping: the simulated server pings when the step says so; the twin's driver asks its server for one with a text message (PING_ME) that the simulation does not send, then compares the ping the server sent and what followed the browser's pong",
    "idle tunnels: HAProxy closes a WebSocket idle for its timeout tunnel (1 h) on the machine's clock, which a simulated wait does not move; the simulation closes it at the simulated hour, so no scenario waits that long",
];

#[derive(Default)]
pub struct Row {
    pub id: String,
    pub steps: usize,
    pub exchanges: usize,
    pub statuses_equal: usize,
    pub servers_equal: usize,
    /// WebSocket connections compared, and those equal in client, server, close code and every frame the server sent.
    pub connections: usize,
    pub connections_equal: usize,
    pub notes: Vec<String>,
    /// Differences no declared rule explains.
    pub undeclared: usize,
}

/// Why the simulation refused a request, in the twin server's words.
pub fn sim_why(x: &Exchange) -> Option<&'static str> {
    match x.response.status {
        401 => {}
        429 => return Some("rate-limited"),
        _ => return None,
    }
    let t = x.trace.join(" ");
    let has = |s: &str| t.contains(s);
    // Order matters: a missing session's trace goes on to tell its story
    // (expired, lost in a crash), which is the same refusal to the server;
    // the lookups of refresh tokens, opaque tokens and API keys say
    // "expired" and "not in the store" among the causes they cannot tell apart.
    Some(if has("wrong username or password") {
        "password"
    } else if has("reuse detected") {
        "reused"
    } else if has("is revoked (by a logout") {
        "family-revoked"
    } else if has("refresh:") && has("not in the store") {
        "unknown-refresh"
    } else if has("not active") {
        "not-active"
    } else if has("no key whose SHA-256") || has("belongs to no account") {
        "unknown-api-key"
    } else if has("not found on") || has("not in the store") {
        "unknown-session"
    } else if has("denylist") {
        "revoked"
    } else if has("alg \"none\"") {
        "alg-none"
    } else if has("expired") {
        "expired"
    } else if has("does not match") {
        "bad-signature"
    } else if has("no key with kid") {
        "unknown-key"
    } else if has("no `Authorization")
        || has("no `X-API-Key`")
        || has("cookie: not logged in")
        || has("cookie: nothing to refresh")
    {
        "no-credential"
    } else {
        "malformed"
    })
}

/// Compares one lane; adds to `row`.
pub fn lane(row: &mut Row, label: &str, sim: &[&Exchange], real: &[RealExchange]) {
    if sim.len() != real.len() {
        row.undeclared += 1;
        row.notes.push(format!("lane {label}: {} exchanges simulated, {} real", sim.len(), real.len()));
    }
    for (s, r) in sim.iter().zip(real) {
        row.exchanges += 1;
        let at = format!("lane {label} #{}", s.seq);
        let sim_server = s.server.map(|n| format!("S{n}"));
        let status = s.response.status;
        if status == r.status {
            row.statuses_equal += 1;
        } else if status == 502 && s.server.is_none() && r.status == 503 && r.termination.starts_with("SC") {
            row.statuses_equal += 1;
            row.notes.push(format!("{at}: 502 vs 503 (declared: {})", DECLARED[0].code));
        } else {
            row.undeclared += 1;
            row.notes.push(format!("{at}: status {status} simulated, {} real", r.status));
        }
        if sim_server == r.server {
            row.servers_equal += 1;
        } else if s.balancer_reason.starts_with("random:") && s.server.is_some() && r.server.is_some() {
            row.servers_equal += 1;
            row.notes.push(format!("{at}: another server drawn (declared: {})", DECLARED[1].code));
        } else {
            row.undeclared += 1;
            let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "balancer".into());
            row.notes.push(format!("{at}: server {} simulated, {} real", show(&sim_server), show(&r.server)));
        }
        if matches!(status, 401 | 429) && r.status == status {
            let (want, got) = (sim_why(s), r.why.as_deref());
            if want != got {
                row.undeclared += 1;
                row.notes.push(format!("{at}: refused for {want:?} simulated, {got:?} real"));
            }
        }
    }
}

/// A lane's WebSocket connections as the engine recorded them: client,
/// server, close code and the frames each server sent, as [`frame_text`] writes them.
pub fn sim_connections(lane: &Lane) -> Vec<RealConn> {
    let mut out: Vec<RealConn> = lane
        .connections()
        .iter()
        .map(|c| RealConn {
            client: c.client.clone(),
            server: Some(format!("S{}", c.server)),
            handshake: c.handshake,
            close: c.closed.map(|x| x.code),
            frames: Vec::new(),
        })
        .collect();
    for e in lane.entries() {
        if let Entry::Socket(r) = e {
            for f in r.frames.iter().filter(|f| !f.from_client) {
                if let Some(c) = out.get_mut(f.conn as usize - 1) {
                    c.frames.push(frame_text(f.frame.opcode.name(), &f.frame.payload));
                }
            }
        }
    }
    out
}

/// Whether `real` is `sim` with one pong before a re-check's close (declared: pong-before-recheck).
fn pong_before_close(sim: &[String], real: &[String]) -> bool {
    real.len() == sim.len() + 1
        && (0..real.len()).any(|i| {
            real[i] == "pong ping"
                && real.get(i + 1).is_some_and(|n| n.starts_with("close 1008") || n.starts_with("close 1011"))
                && real[..i] == sim[..i]
                && real[i + 1..] == sim[i..]
        })
}

/// Compares one lane's WebSocket connections, in the order they opened:
/// who, which server, how each ended, and every frame its server sent
/// (welcomes, messages, states, errors, pongs, closes) — so a message
/// delivered on one side and not the other is a difference.
pub fn connections(row: &mut Row, label: &str, lane: &Lane, real: &[RealConn]) {
    let sim = sim_connections(lane);
    if sim.len() != real.len() {
        row.undeclared += 1;
        row.notes.push(format!("lane {label}: {} WebSocket connections simulated, {} real", sim.len(), real.len()));
    }
    let recheck = lane.config().recheck;
    for (i, (s, r)) in sim.iter().zip(real).enumerate() {
        row.connections += 1;
        let at = format!("lane {label} ws#{} ({})", i + 1, s.client);
        let mut equal = true;
        let mut differ = |row: &mut Row, what: String| {
            equal = false;
            row.undeclared += 1;
            row.notes.push(format!("{at}: {what}"));
        };
        if s.client != r.client {
            differ(row, format!("opened by {} simulated, {} real", s.client, r.client));
        }
        if s.server != r.server {
            differ(row, format!("on {:?} simulated, {:?} real", s.server, r.server));
        }
        if s.close != r.close {
            let show = |c: Option<u16>| c.map_or("still open".to_owned(), |c| format!("closed {c}"));
            differ(row, format!("{} simulated, {} real", show(s.close), show(r.close)));
        }
        if s.frames != r.frames {
            if recheck && pong_before_close(&s.frames, &r.frames) {
                row.notes.push(format!("{at}: a pong before the close (declared: {})", DECLARED[2].code));
            } else {
                let k = s.frames.iter().zip(&r.frames).take_while(|(a, b)| a == b).count();
                let show = |f: Option<&String>| f.map_or("nothing".to_owned(), |f| format!("`{f}`"));
                differ(
                    row,
                    format!(
                        "server frame {}: {} simulated, {} real ({} frames simulated, {} real)",
                        k + 1,
                        show(s.frames.get(k)),
                        show(r.frames.get(k)),
                        s.frames.len(),
                        r.frames.len()
                    ),
                );
            }
        }
        if equal {
            row.connections_equal += 1;
        }
    }
}

/// Each chat message or game state, and the clients it reached, in the order first sent.
pub fn deliveries(conns: &[RealConn]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for c in conns {
        for f in
            c.frames.iter().filter(|f| f.starts_with("{\"type\":\"message\"") || f.starts_with("{\"type\":\"state\""))
        {
            match out.iter_mut().find(|(m, _)| m == f) {
                Some((_, who)) => who.push(c.client.clone()),
                None => out.push((f.clone(), vec![c.client.clone()])),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use statelab_sim::tours::Scenario;
    use statelab_sim::{LaneId, Playground};

    fn real_like(x: &Exchange) -> RealExchange {
        RealExchange {
            seq: x.seq,
            server: x.server.map(|n| format!("S{n}")),
            tried: x.server.map(|n| format!("S{n}")),
            status: x.response.status,
            termination: "--".into(),
            why: sim_why(x).map(str::to_owned),
            request: Vec::new(),
            response: Vec::new(),
            latency_ms: 0,
        }
    }

    fn played(id: &str) -> Playground {
        let s = Scenario::find(id).unwrap();
        Playground::from_scenario(&s, 1, s.steps.len())
    }

    #[test]
    fn a_real_run_equal_to_the_simulation_agrees() {
        let p = played("tamper");
        let sim: Vec<&Exchange> = p.lane(LaneId::B).exchanges().collect();
        let real: Vec<RealExchange> = sim.iter().map(|x| real_like(x)).collect();
        let mut row = Row::default();
        lane(&mut row, "B", &sim, &real);
        assert_eq!((row.undeclared, row.statuses_equal, row.servers_equal), (0, sim.len(), sim.len()));
    }

    #[test]
    fn another_status_server_or_reason_is_a_disagreement() {
        let p = played("tamper");
        let sim: Vec<&Exchange> = p.lane(LaneId::A).exchanges().collect();
        let mut real: Vec<RealExchange> = sim.iter().map(|x| real_like(x)).collect();
        real[0].status = 500;
        real[1].server = Some("S9".into());
        let refused = real.iter().position(|x| x.status == 401).expect("the tamper scenario refuses a token");
        real[refused].why = Some("expired".into());
        let mut row = Row::default();
        lane(&mut row, "A", &sim, &real);
        assert_eq!(row.undeclared, 3, "{:?}", row.notes);
        real.pop();
        let mut short = Row::default();
        lane(&mut short, "A", &sim, &real);
        assert!(short.notes[0].contains("exchanges simulated"));
    }

    #[test]
    fn only_a_refused_connection_may_answer_503_for_502() {
        let p = played("sticky-crash");
        let sim: Vec<&Exchange> = p.lane(LaneId::B).exchanges().collect();
        let i = sim.iter().position(|x| x.response.status == 502).expect("sticky-crash has a 502");
        let mut real: Vec<RealExchange> = sim.iter().map(|x| real_like(x)).collect();
        real[i].status = 503;
        real[i].termination = "SC".into();
        let mut row = Row::default();
        lane(&mut row, "B", &sim, &real);
        assert_eq!(row.undeclared, 0, "{:?}", row.notes);
        real[i].termination = "--".into();
        let mut row = Row::default();
        lane(&mut row, "B", &sim, &real);
        assert_eq!(row.undeclared, 1, "a 503 a server sent is not the declared case");
    }

    #[test]
    fn only_a_random_draw_may_pick_another_server() {
        use statelab_sim::{Action, LaneConfig, Strategy, User};
        let mut p =
            Playground::new(1, [LaneConfig::stateless().with_balancer(Strategy::Random), LaneConfig::stateless()]);
        for a in [Action::Login { user: User::Alice, wrong_password: false }, Action::Me { user: User::Alice }] {
            p.apply(a).unwrap();
        }
        for (id, declared) in [(LaneId::A, true), (LaneId::B, false)] {
            let sim: Vec<&Exchange> = p.lane(id).exchanges().collect();
            let mut real: Vec<RealExchange> = sim.iter().map(|x| real_like(x)).collect();
            real[1].server = Some(if sim[1].server == Some(1) { "S2".into() } else { "S1".into() });
            let mut row = Row::default();
            lane(&mut row, "A", &sim, &real);
            assert_eq!(row.undeclared == 0, declared, "{:?}", row.notes);
            real[1].status = 401;
            let mut row = Row::default();
            lane(&mut row, "A", &sim, &real);
            assert!(row.undeclared > 0, "a status is compared even after a random draw");
        }
    }

    #[test]
    fn reasons_read_from_the_simulation_traces() {
        let p = played("expiry");
        let whys: Vec<_> = p.lane(LaneId::A).exchanges().filter_map(sim_why).collect();
        assert_eq!(whys, ["expired", "expired"]);
        let p = played("revocation");
        assert!(p.lane(LaneId::A).exchanges().filter_map(sim_why).any(|w| w == "revoked"));
    }

    /// The new designs' refusals, each named as the twin's servers name them.
    #[test]
    fn reasons_of_refresh_opaque_and_api_key_refusals() {
        let whys = |id: &str, lane: LaneId| -> Vec<&'static str> {
            played(id).lane(lane).exchanges().filter_map(sim_why).collect()
        };
        assert_eq!(whys("refresh-reuse", LaneId::B), ["reused", "family-revoked"]);
        assert_eq!(whys("refresh-rotation", LaneId::B), ["expired"]);
        assert_eq!(whys("opaque-tokens", LaneId::B), ["not-active"]);
        assert_eq!(whys("api-keys", LaneId::A), ["unknown-api-key"]);
        assert_eq!(whys("api-keys", LaneId::B), ["rate-limited", "unknown-api-key"]);

        use statelab_sim::text::parse_actions;
        use statelab_sim::{AuthMode, LaneConfig, Store};
        let forged = statelab_sim::wire::b64::encode(
            b"POST /token/refresh HTTP/1.1\r\nHost: shop.example\r\nCookie: refresh_token=0123abcd\r\n\r\n",
        );
        let mut p = Playground::new(
            1,
            [
                LaneConfig::stateless().with_auth(AuthMode::Refresh),
                LaneConfig::stateless().with_auth(AuthMode::ApiKey { limiter: Store::Local }),
            ],
        );
        for a in parse_actions(&format!("refresh alice, me alice, raw alice {forged}")).unwrap() {
            p.apply(a).unwrap();
        }
        let lane = |id| p.lane(id).exchanges().map(sim_why).collect::<Vec<_>>();
        assert_eq!(lane(LaneId::A), [Some("no-credential"), Some("no-credential"), Some("unknown-refresh")]);
        assert_eq!(lane(LaneId::B)[..2], [None, Some("no-credential")], "an API-key lane has no refresh route: 404");
    }

    #[test]
    fn a_rate_limited_request_is_compared_for_its_reason() {
        let p = played("api-keys");
        let sim: Vec<&Exchange> = p.lane(LaneId::B).exchanges().collect();
        let limited = sim.iter().position(|x| x.response.status == 429).expect("api-keys rate-limits lane B");
        let mut real: Vec<RealExchange> = sim.iter().map(|x| real_like(x)).collect();
        let mut row = Row::default();
        lane(&mut row, "B", &sim, &real);
        assert_eq!(row.undeclared, 0, "{:?}", row.notes);
        real[limited].why = None;
        let mut row = Row::default();
        lane(&mut row, "B", &sim, &real);
        assert_eq!(row.undeclared, 1, "{:?}", row.notes);
    }
}
