//! The load balancer: picks a server by strategy among those its health
//! checks believe are up, and answers by itself when it cannot forward.

use crate::base::rng::SimRng;
use crate::base::time::SimTime;
use crate::fleet::config::Strategy;
use crate::fleet::exchange::Trace;
use crate::fleet::server::Server;
use crate::wire::cookie::{cookie_value, SetCookie};
use crate::wire::http::{Headers, Request, Response};

pub(super) const AFFINITY_COOKIE: &str = "lb";

pub(super) enum Pick {
    /// Forward to the server at `slot` in the pool (`servers[slot]`); `pin`
    /// asks for an affinity cookie.
    Forward { slot: usize, reason: String, pin: bool },
    /// The server chosen (`reason`) is down, though health checks keep it in
    /// rotation: it refuses the connection, and the balancer answers.
    Refused { slot: usize, reason: String },
    /// Nothing in rotation.
    NoneHealthy { reason: String },
}

/// To the server at `slot`, whom the strategy chose, or refused by it when
/// it is down though health checks have not taken it out yet.
fn to(servers: &[Server], slot: usize, reason: String, pin: bool) -> Pick {
    if servers[slot].up {
        Pick::Forward { slot, reason, pin }
    } else {
        Pick::Refused { slot, reason }
    }
}

/// What the balancer answers itself when the server it chose refuses the
/// connection ([`Pick::Refused`]), as nginx and AWS's balancers do (HAProxy
/// says 503, the twin's declared difference).
pub(super) const REFUSED_STATUS: u16 = 502;
/// What the balancer answers itself when nothing is in rotation ([`Pick::NoneHealthy`]).
pub(super) const NONE_HEALTHY_STATUS: u16 = 503;

impl Pick {
    /// The slot of the server that took the request, or the status the
    /// balancer answers itself when none did: what a load run, which keeps
    /// no trace, needs of a pick.
    pub(super) fn forwarded(&self) -> Result<usize, u16> {
        match self {
            Pick::Forward { slot, .. } => Ok(*slot),
            Pick::Refused { .. } => Err(REFUSED_STATUS),
            Pick::NoneHealthy { .. } => Err(NONE_HEALTHY_STATUS),
        }
    }
}

#[derive(Clone, Debug)]
pub(super) struct Balancer {
    strategy: Strategy,
    /// Round-robin position, kept between requests.
    next: usize,
}

impl Balancer {
    pub(super) fn new(strategy: Strategy) -> Balancer {
        Balancer { strategy, next: 0 }
    }

    /// Where a request from `addr` goes: the strategy's choice among the
    /// servers health checks keep in rotation, refused if that one is down.
    pub(super) fn pick(
        &mut self,
        req: &Request,
        addr: &str,
        servers: &[Server],
        now: SimTime,
        rng: &mut SimRng,
        t: &Trace,
    ) -> Pick {
        let healthy = servers.iter().filter(|s| s.in_rotation(now)).count();
        if healthy == 0 {
            return Pick::NoneHealthy {
                reason: t.text(|| format!("no server in rotation: health checks marked all {} down", servers.len())),
            };
        }
        let forward = |slot: usize, reason: String| to(servers, slot, reason, false);
        match self.strategy {
            Strategy::RoundRobin => {
                let i = self.rotate(servers, now);
                forward(i, t.text(|| format!("round robin: S{} is next in turn", servers[i].no)))
            }
            Strategy::LeastConnections => {
                // A plain request is over before the next arrives, so only
                // WebSocket connections (tunnels, to HAProxy) stay open and count.
                let least = servers.iter().filter(|s| s.in_rotation(now)).map(|s| s.connections).min().unwrap_or(0);
                let i = self.rotate_where(servers, now, |s| s.connections == least);
                let tied = servers.iter().filter(|s| s.in_rotation(now) && s.connections == least).count();
                forward(
                    i,
                    t.text(|| match tied {
                        1 => format!("least connections: S{} holds the fewest open ({least})", servers[i].no),
                        _ => format!(
                            "least connections: {tied} servers at {least} open, tie → S{} in turn",
                            servers[i].no
                        ),
                    }),
                )
            }
            Strategy::Random => {
                let i = nth_healthy(servers, now, rng.below(healthy as u32) as usize);
                forward(i, t.text(|| format!("random: S{} drawn from {healthy} in rotation", servers[i].no)))
            }
            Strategy::IpHash => {
                let h = ipv4_number(addr);
                let i = nth_healthy(servers, now, (h % healthy as u32) as usize);
                forward(i, t.text(|| format!("IP hash: {addr} is {h}, mod {healthy} → S{}", servers[i].no)))
            }
            Strategy::RoomHash => match req.query("room") {
                Some(room) => {
                    let h = sdbm(room);
                    let i = nth_healthy(servers, now, (h % healthy as u32) as usize);
                    forward(
                        i,
                        t.text(|| format!("room hash: sdbm(\"{room}\") is {h}, mod {healthy} → S{}", servers[i].no)),
                    )
                }
                None => {
                    let i = self.rotate(servers, now);
                    forward(i, t.text(|| format!("room hash: no room parameter → round robin, S{}", servers[i].no)))
                }
            },
            Strategy::StickyCookie => {
                let pinned = req.headers.get("Cookie").and_then(|c| cookie_value(c, AFFINITY_COOKIE));
                let target = pinned.and_then(|v| {
                    servers.iter().position(|s| v.strip_prefix('S').and_then(|n| n.parse().ok()) == Some(s.no))
                });
                match (pinned, target) {
                    (_, Some(i)) if servers[i].in_rotation(now) => forward(
                        i,
                        t.text(|| {
                            format!("sticky: cookie {AFFINITY_COOKIE}=S{0} pins this browser to S{0}", servers[i].no)
                        }),
                    ),
                    (Some(v), _) => {
                        let i = self.rotate(servers, now);
                        let reason = t.text(|| format!("sticky: {AFFINITY_COOKIE}={v} is out of rotation → re-pinned to S{} (its memory holds none of this user's state)", servers[i].no));
                        to(servers, i, reason, true)
                    }
                    (None, _) => {
                        let i = self.rotate(servers, now);
                        let reason = t.text(|| {
                            format!(
                                "sticky: no {AFFINITY_COOKIE} cookie yet → S{} in turn, pinned from now on",
                                servers[i].no
                            )
                        });
                        to(servers, i, reason, true)
                    }
                }
            }
        }
    }

    fn rotate(&mut self, servers: &[Server], now: SimTime) -> usize {
        self.rotate_where(servers, now, |_| true)
    }

    /// The next server in turn that is in rotation and `fits`.
    fn rotate_where(&mut self, servers: &[Server], now: SimTime, fits: impl Fn(&Server) -> bool) -> usize {
        let n = servers.len();
        let i = (0..n)
            .map(|k| (self.next + k) % n)
            .find(|&i| servers[i].in_rotation(now) && fits(&servers[i]))
            .unwrap_or(0);
        self.next = (i + 1) % n;
        i
    }
}

fn nth_healthy(servers: &[Server], now: SimTime, nth: usize) -> usize {
    servers.iter().enumerate().filter(|(_, s)| s.in_rotation(now)).nth(nth).map_or(0, |(i, _)| i)
}

/// What HAProxy's `balance source` hashes (map-based, its default): the
/// IPv4 address as a 32-bit number, taken modulo the servers in rotation in
/// the order they are declared. The real-fleet twin checks this against
/// HAProxy 2.6. Not an address (never from this engine): 0.
fn ipv4_number(addr: &str) -> u32 {
    // By hand rather than `Ipv4Addr::from_str`: its parser would add to the wasm bundle.
    let mut octets = addr.split('.').map(|o| o.parse::<u8>().ok());
    let mut n = 0u32;
    for _ in 0..4 {
        let Some(Some(o)) = octets.next() else { return 0 };
        n = n << 8 | u32::from(o);
    }
    if octets.next().is_some() {
        return 0;
    }
    n
}

/// HAProxy's default string hash for map-based hashing (`hash_sdbm` in its
/// `src/hash.c`), which `balance url_param` applies to the parameter's value.
fn sdbm(key: &str) -> u32 {
    key.bytes().fold(0u32, |h, c| u32::from(c).wrapping_add(h << 6).wrapping_add(h << 16).wrapping_sub(h))
}

/// The affinity cookie: `lb=S2; Path=/; HttpOnly`.
pub(super) fn affinity_cookie(server: &Server) -> String {
    SetCookie { http_only: true, ..SetCookie::new(AFFINITY_COOKIE, server.name()) }.to_string()
}

/// A response the balancer writes itself (502, 503), on the true clock.
pub(super) fn own_response(status: u16, message: &str, now: SimTime) -> Response {
    let mut headers = Headers::default();
    headers.push("Date", now.http_date());
    headers.push("Content-Type", "text/plain; charset=utf-8");
    headers.push("Content-Length", message.len().to_string());
    Response { status, headers, body: message.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_hash_is_sdbm() {
        // sdbm("a") = 97; sdbm("ab") = 98 + 97·2^6 + 97·2^16 − 97.
        assert_eq!(sdbm(""), 0);
        assert_eq!(sdbm("a"), 97);
        assert_eq!(sdbm("ab"), 98 + 97 * 64 + 97 * 65536 - 97);
    }

    #[test]
    fn source_hash_is_the_address_as_a_number() {
        assert_eq!(ipv4_number("203.0.113.10"), 0xcb00_710a);
        assert_eq!(ipv4_number("0.0.0.1"), 1);
        assert_eq!(ipv4_number("not an address"), 0);
        assert_eq!(ipv4_number("1.2.3"), 0);
        assert_eq!(ipv4_number("1.2.3.4.5"), 0);
        assert_eq!(ipv4_number("1.2.3.256"), 0);
    }
}
