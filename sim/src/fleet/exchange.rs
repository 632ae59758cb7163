//! What a lane records: one [`Exchange`] per request, one [`Event`] per fault
//! or client-side change, in the order they happened.

use crate::base::ids::{LaneId, ServerNo};
use crate::base::time::SimTime;
use crate::fleet::config::{AuthMode, REFRESH_PATH};
use crate::wire::http::{Request, Response};
use serde::{Deserialize, Serialize};
use std::rc::Rc;

/// One request through a lane and its answer: the bytes sent and received,
/// where the balancer sent it and why, what happened inside, and what it cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    /// 1-based, per lane: `#3` on screen and in `Replay { seq }`.
    pub seq: u32,
    /// The lane that recorded it.
    pub lane: LaneId,
    /// Index of the action in the log that caused it.
    pub action: u32,
    /// How the lane authenticated when it was sent: a later redeploy changes
    /// the lane, not how this exchange is read.
    pub auth: AuthMode,
    /// Name of the browser that sent it (`alice`, or a load user).
    pub client: String,
    /// When it was sent, on the lane's true clock (a server's own clock may be skewed).
    pub at: SimTime,
    /// The request as it went out, cookies and credential included.
    pub request: Request,
    /// The server that answered, or `None` when the balancer answered itself.
    pub server: Option<ServerNo>,
    /// Why the balancer sent it there.
    pub balancer_reason: String,
    /// What happened inside, in order.
    pub trace: Vec<String>,
    /// The answer: the server's, or one the balancer wrote itself (502, 503).
    pub response: Response,
    /// Simulated time it took, in milliseconds: 1 at the balancer, 2 at the
    /// server, 3 per database query, the store's latency per round trip.
    pub latency_ms: u32,
    /// Round trips to the shared store this request cost.
    pub store_trips: u32,
    /// Queries to the database this request cost.
    pub db_trips: u32,
    /// The server the balancer sent it to that did not answer (a 502).
    pub tried: Option<ServerNo>,
    /// Size of the request as HTTP/1.1 on the wire, in bytes.
    pub request_bytes: u32,
    /// Size of the response as HTTP/1.1 on the wire, in bytes.
    pub response_bytes: u32,
    /// Bytes of the `Authorization`, `Cookie` and `X-API-Key` request headers: the cost of
    /// carrying identity on every request.
    pub credential_bytes: u32,
    /// Set when the answering server died while sending the body: the
    /// status line arrived, the whole body did not.
    pub cut: Option<BodyCut>,
}

/// A response body that stopped short: its server died mid-transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyCut {
    /// Body bytes that reached the client.
    pub arrived: u64,
    /// Body bytes the response announced.
    pub total: u64,
}

impl std::fmt::Display for BodyCut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cut at {} of {} bytes", self.arrived, self.total)
    }
}

impl Exchange {
    /// Whether the status is below 400.
    pub fn ok(&self) -> bool {
        self.response.status < 400
    }

    /// How it ended, as every view marks it: by its status, unless its
    /// body was cut, which no status says (a 200 whose server died
    /// mid-body is not a success).
    pub fn outcome(&self) -> Outcome {
        if self.cut.is_some() {
            Outcome::Unavailable
        } else {
            Outcome::of(self.response.status)
        }
    }

    /// The bearer token this exchange carries, or else the token or API key
    /// it hands out, if any: a JWT only in the lanes that send one
    /// (`AuthMode::sends_jwt`).
    pub fn token(&self) -> Option<String> {
        self.request.bearer_token().map(str::to_owned).or_else(|| self.response.issued_token())
    }

    /// `200 OK`, or `200 OK · cut at 4000 of 12000 bytes` when the body
    /// stopped short: the status as every view writes it.
    pub fn status_text(&self) -> String {
        let status = format!("{} {}", self.response.status, self.response.reason());
        match self.cut {
            Some(cut) => format!("{status} · {cut}"),
            None => status,
        }
    }

    /// Who answered, as the screen says it: `S2`, or `load balancer`.
    pub fn server_label(&self) -> String {
        self.server.map_or_else(|| "load balancer".to_owned(), |s| format!("S{s}"))
    }
}

/// The three outcomes a learner tells apart, one look everywhere (the page's
/// badges and diagrams, the SVG figures): colour *and* an icon and text, so a
/// 401 never reads like a 200 and colour is never the only cue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx and 3xx: it worked.
    Success,
    /// 4xx: the server refused the request (log in again, bad input…).
    Refused,
    /// 5xx: nobody could answer (a server down, the store down), or the
    /// server died before its answer was whole.
    Unavailable,
}

impl Outcome {
    /// The outcome of a response with `status`.
    pub fn of(status: u16) -> Outcome {
        match status {
            500.. => Outcome::Unavailable,
            400.. => Outcome::Refused,
            _ => Outcome::Success,
        }
    }

    /// `✓`, `✕` or `⚠`.
    pub fn icon(self) -> &'static str {
        match self {
            Outcome::Success => "✓",
            Outcome::Refused => "✕",
            Outcome::Unavailable => "⚠",
        }
    }

    /// The CSS class that colours it, in the page's stylesheet and a figure's.
    pub fn class(self) -> &'static str {
        match self {
            Outcome::Success => "s2xx",
            Outcome::Refused => "s4xx",
            Outcome::Unavailable => "s5xx",
        }
    }
}

/// Something that happened in a lane without a request: a fault, an
/// operation, a clock move, a hand edit, a load's summary, or why an
/// action changed nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Index of the action in the log that caused it (0 in a load run, which
    /// has no log).
    pub action: u32,
    /// When it happened, on the lane's true clock.
    pub at: SimTime,
    /// What happened, in a sentence for the reader.
    pub text: String,
}

/// One item of a lane's record, kept in the order things happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// Shared, so callers can keep exchanges without copying them.
    Exchange(Rc<Exchange>),
    /// A change that sent no request.
    Event(Event),
    /// Frames that crossed open WebSocket connections, shared as exchanges are.
    Socket(Rc<crate::fleet::connection::SocketRecord>),
    /// Commands, replies and data that crossed FTP connections (file lanes).
    Ftp(Rc<crate::fleet::ftp::FtpRecord>),
    /// Messages that crossed connections to PostgreSQL for one step of a database lane.
    Db(Rc<crate::fleet::db::DbRecord>),
}

impl Entry {
    /// Index of the action in the log that caused it.
    pub fn action(&self) -> u32 {
        match self {
            Entry::Exchange(x) => x.action,
            Entry::Event(e) => e.action,
            Entry::Socket(r) => r.action,
            Entry::Ftp(r) => r.action,
            Entry::Db(r) => r.action,
        }
    }
}

/// Running totals of a lane, the measured side of the comparison table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests sent, load traffic included.
    pub requests: u64,
    /// Requests answered with a status of 400 or more, whoever answered.
    pub failed: u64,
    /// 401s: the user has to log in again.
    pub unauthorized: u64,
    /// 502/503 answered by the balancer or caused by a store outage.
    pub unavailable: u64,
    /// Sessions destroyed by crashes, restarts and removed servers.
    pub sessions_lost: u64,
    /// Round trips to the shared store, over all requests.
    pub store_trips: u64,
    /// Database queries, over all requests.
    pub db_trips: u64,
    /// Bytes of every request on the wire.
    pub request_bytes: u64,
    /// Bytes of every response on the wire.
    pub response_bytes: u64,
    /// Bytes of the `Authorization`, `Cookie` and `X-API-Key` request
    /// headers, over all requests: what carrying identity costs in all.
    pub credential_bytes: u64,
    /// Requests that carried a credential (`Authorization`, `Cookie` or `X-API-Key`):
    /// every request but a first login. The per-request mean divides by this.
    pub credentialed_requests: u64,
    /// Simulated latency of all requests added up, in milliseconds.
    pub latency_ms: u64,
    /// After the latest logout: how long the logged-out credential still works.
    pub revocation_window_s: Option<u64>,
    /// `POST /token/refresh` requests sent, the app's own and the user's:
    /// what short access tokens cost in traffic.
    pub refreshes: u64,
    /// What happened on WebSocket connections (connection lanes).
    pub sockets: SocketStats,
}

/// Running totals of a lane's WebSocket connections: the lane's own record,
/// and (flattened into [`Sockets`](crate::load::Sockets)) a load run's counts
/// per second, so the two cannot list different things.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SocketStats {
    /// Handshakes answered 101.
    pub opened: u64,
    /// Of those, the ones a client's app opened by itself after losing one.
    pub reconnects: u64,
    /// Reconnect attempts that failed (the balancer's 502/503, a refusal).
    pub failed_attempts: u64,
    /// Connections that dropped with no close frame (1006: a crash).
    pub dropped: u64,
    /// Connections a server closed with 1001 (a drain or deploy).
    pub going_away: u64,
    /// Connections a server closed with 1008 (a credential that no longer holds).
    pub policy_closed: u64,
    /// Frames that crossed, both ways.
    pub frames: u64,
    /// Bytes of the frames that crossed, both ways, headers and masks included.
    #[serde(default)]
    pub frame_bytes: u64,
    /// Messages (chat lines, game states) delivered to a connection.
    pub delivered: u64,
    /// Deliveries that did not happen: a client connected to the room that
    /// the message could not reach (another server's memory, a store outage).
    pub missed: u64,
    /// Game moves a lost server's memory took with it: a match's ticks past
    /// its last checkpoint (all of them when nothing checkpoints). Counted for
    /// load users' matches.
    pub moves_lost: u64,
    /// Matches a server's memory held when it went (a crash, restart or
    /// removal): gone from there, whether or not a checkpoint keeps them.
    #[serde(default)]
    pub matches_lost: u64,
    /// Matches a server that ran none took up from the store's checkpoint.
    #[serde(default)]
    pub matches_resumed: u64,
}

impl crate::base::tally::Tally for SocketStats {
    fn places(&mut self) -> Vec<&mut u64> {
        vec![
            &mut self.opened,
            &mut self.reconnects,
            &mut self.failed_attempts,
            &mut self.dropped,
            &mut self.going_away,
            &mut self.policy_closed,
            &mut self.frames,
            &mut self.frame_bytes,
            &mut self.delivered,
            &mut self.missed,
            &mut self.moves_lost,
            &mut self.matches_lost,
            &mut self.matches_resumed,
        ]
    }
}

impl Stats {
    pub(crate) fn count(&mut self, x: &Exchange) {
        self.requests += 1;
        self.failed += u64::from(!x.ok());
        self.unauthorized += u64::from(x.response.status == 401);
        self.unavailable += u64::from(matches!(x.response.status, 502 | 503));
        self.store_trips += u64::from(x.store_trips);
        self.request_bytes += u64::from(x.request_bytes);
        self.response_bytes += u64::from(x.response_bytes);
        self.credential_bytes += u64::from(x.credential_bytes);
        self.credentialed_requests += u64::from(x.credential_bytes > 0);
        self.latency_ms += u64::from(x.latency_ms);
        self.refreshes += u64::from(x.request.path() == REFRESH_PATH);
    }

    /// A load turn outside the HTTP path sent `bytes` of credentials (an
    /// FTP login's `USER` and `PASS`, a `GET`'s `Authorization`).
    pub(crate) fn count_credential(&mut self, bytes: u64) {
        self.credential_bytes += bytes;
        self.credentialed_requests += u64::from(bytes > 0);
    }

    /// Mean bytes of the credential headers per request that carried
    /// one, in tenths of a byte rounded to nearest (one decimal without
    /// floats); `None` before any.
    pub fn mean_credential_tenths(&self) -> Option<u64> {
        let n = self.credentialed_requests;
        self.credential_bytes.saturating_mul(10).saturating_add(n / 2).checked_div(n)
    }

    /// Mean simulated latency per request, in milliseconds rounded down; 0
    /// before any request.
    pub fn mean_latency_ms(&self) -> u64 {
        self.latency_ms.checked_div(self.requests).unwrap_or(0)
    }
}

/// Trace lines are built only when someone will read them: a load run turns
/// them off and skips the formatting.
pub(crate) struct Trace {
    on: bool,
    pub steps: Vec<String>,
}

impl Trace {
    pub(crate) fn new(on: bool) -> Trace {
        Trace { on, steps: Vec::new() }
    }

    pub(crate) fn say(&mut self, line: impl FnOnce() -> String) {
        if self.on {
            self.steps.push(line());
        }
    }

    pub(crate) fn text(&self, line: impl FnOnce() -> String) -> String {
        if self.on {
            line()
        } else {
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Outcome;

    #[test]
    fn statuses_fall_into_three_outcomes() {
        assert_eq!(Outcome::of(200), Outcome::Success);
        assert_eq!(Outcome::of(201), Outcome::Success);
        assert_eq!(Outcome::of(401), Outcome::Refused);
        assert_eq!(Outcome::of(431), Outcome::Refused);
        assert_eq!(Outcome::of(502), Outcome::Unavailable);
        assert_ne!(Outcome::of(401).icon(), Outcome::of(200).icon());
    }
}
