//! The driver: plays a lane's actions on its real fleet as the simulated
//! browser does — the same users and client addresses (presented to HAProxy
//! with the PROXY protocol, since loopback is all it may use), an RFC 6265
//! cookie jar (`cookie_store`), the app's token storage — and keeps the
//! exact bytes of every request and response.

use crate::fleet::{Fleet, LogLine};
use cookie_store::{CookieStore, RawCookie};
use statelab_sim::base::START;
use statelab_sim::fleet::app_request;
use statelab_sim::fleet::STEP_MS;
use statelab_sim::fleet::{AuthMode, Credential, LaneConfig, TokenIn, REFRESH_COOKIE, REFRESH_PATH, TOKEN_PARAM};
use statelab_sim::wire::http::{parse_request, Headers, Request, Response};
use statelab_sim::wire::jwt::{self, Key, TokenEdit};
use statelab_sim::{Action, User};
use statelab_sim::{Entry, Exchange, LaneConfig as Config, Playground};
use statelab_sim::{LaneId, SimTime};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tungstenite::protocol::{frame::coding::CloseCode, CloseFrame, Role};
use tungstenite::{Message, WebSocket};
use url::Url;

/// How long the driver waits, per action, for the frames and closes the
/// simulation says its connections get (pub/sub hops through Redis).
const FRAMES_LIMIT: Duration = Duration::from_secs(3);
/// How long each open connection is watched after that for frames the simulation did not send.
const EXTRA_WAIT: Duration = Duration::from_millis(40);

/// One real WebSocket connection, as the comparison reads it.
#[derive(Clone, Debug)]
pub struct RealConn {
    pub client: String,
    /// The server that answered 101 (its `x-served-by`).
    pub server: Option<String>,
    /// The handshake exchange's number.
    pub handshake: u32,
    /// The close code the client saw: the server's close frame's, or 1006
    /// when the connection ended with none.
    pub close: Option<u16>,
    /// Every frame the server sent, as [`frame_text`] writes it.
    pub frames: Vec<String>,
}

/// A frame as the comparison reads it: a text frame's payload, `pong <payload>`, `close <code> <reason>`.
pub fn frame_text(opcode: &str, payload: &[u8]) -> String {
    match opcode {
        "text" => String::from_utf8_lossy(payload).into_owned(),
        "close" if payload.len() >= 2 => {
            format!("close {} {}", u16::from_be_bytes([payload[0], payload[1]]), String::from_utf8_lossy(&payload[2..]))
        }
        other => format!("{other} {}", String::from_utf8_lossy(payload)),
    }
}

struct Live {
    conn: usize,
    ws: WebSocket<TcpStream>,
}

/// What the driver sends to make the twin's server ping the connection now,
/// standing in for a server's keepalive timer (declared in `NOT_COMPARED`).
pub const PING_ME: &str = r#"{"type":"ping-me"}"#;

/// The simulation's users' addresses (`sim/src/fleet/lane.rs`), in `User` order.
const USER_ADDRS: [&str; 3] = ["203.0.113.10", "198.51.100.23", "192.0.2.77"];
const HOST: &str = statelab_sim::fleet::HOST;

#[derive(Clone, Debug)]
pub struct RealExchange {
    pub seq: u32,
    /// The server whose answer came back; `None` when HAProxy answered itself.
    pub server: Option<String>,
    /// The server HAProxy tried, whoever answered.
    pub tried: Option<String>,
    pub status: u16,
    pub termination: String,
    /// The server's reason for a 401 or a 429 (`why` in its JSON body).
    pub why: Option<String>,
    pub request: Vec<u8>,
    pub response: Vec<u8>,
    pub latency_ms: u64,
}

impl RealExchange {
    /// Exchange `seq` as HAProxy logged it and the client read it.
    fn of(seq: u32, log: LogLine, parsed: &Parsed, request: Vec<u8>, response: Vec<u8>, latency_ms: u64) -> Self {
        let body: serde_json::Value = serde_json::from_slice(&parsed.body).unwrap_or(serde_json::Value::Null);
        // HAProxy passed a server's answer on only when the stream ended normally.
        let answered = log.termination.starts_with('-');
        RealExchange {
            seq,
            server: if answered { log.server.clone() } else { None },
            tried: log.server,
            status: parsed.status,
            termination: log.termination,
            why: body["why"].as_str().map(str::to_owned),
            request,
            response,
            latency_ms,
        }
    }
}

struct Browser {
    addr: &'static str,
    jar: CookieStore,
    /// The token or API key the app keeps.
    token: Option<String>,
    /// When the app takes its token to expire, from the `expires_in` it came with.
    token_expires: Option<SimTime>,
    page: u32,
}

/// Cookies are scoped as the simulated browser's are: to https://shop.example
/// (TLS itself is left out on loopback; see the twin's declared differences).
fn url_for(path: &str) -> Url {
    Url::parse(&format!("https://{HOST}{path}")).expect("a fixed host and a request path make a URL")
}

pub struct Driver<'a> {
    fleet: &'a mut Fleet,
    lane: LaneId,
    config: LaneConfig,
    browsers: Vec<Browser>,
    exchanges: Vec<RealExchange>,
    /// Every key this lane's simulation signed with, oldest first: rotations use the same ones.
    keys: Vec<Key>,
    rotations: usize,
    now: SimTime,
    /// The same scenario played by the engine alongside, action by action:
    /// it says when each app reconnects (its backoff comes from the lane's
    /// seeded stream) and what each connection should have received.
    sim: Playground,
    conns: Vec<RealConn>,
    live: Vec<Live>,
    /// Servers drained by the runtime API, to go back to `ready` after their restart.
    drained: Vec<u8>,
    /// Restarted after a drain: `ready` once the engine's balancer takes them back.
    rejoining: Vec<u8>,
}

impl<'a> Driver<'a> {
    pub fn new(fleet: &'a mut Fleet, lane: LaneId, lanes: [Config; 2], seed: u64, keys: Vec<Key>) -> Driver<'a> {
        let config = lanes[lane.index()];
        let browsers = User::ALL
            .iter()
            .zip(USER_ADDRS)
            .map(|(_, addr)| Browser { addr, jar: CookieStore::default(), token: None, token_expires: None, page: 0 })
            .collect();
        Driver {
            fleet,
            lane,
            config,
            browsers,
            exchanges: Vec::new(),
            keys,
            rotations: 0,
            now: START,
            sim: Playground::new(seed, lanes),
            conns: Vec::new(),
            live: Vec::new(),
            drained: Vec::new(),
            rejoining: Vec::new(),
        }
    }

    pub fn finish(mut self) -> (Vec<RealExchange>, Vec<RealConn>) {
        for l in &mut self.live {
            let _ = l.ws.close(None);
            let _ = l.ws.flush();
        }
        (self.exchanges, self.conns)
    }

    /// Plays one action, then moves the clock as the simulation does; the
    /// handshakes the engine's apps made by themselves (reconnects) go out
    /// at the simulated times the engine drew.
    pub fn apply(&mut self, action: &Action) -> Result<(), String> {
        let t0 = self.now;
        self.fleet.set_clock(self.now)?;
        self.rejoin(t0)?;
        let before = self.sim.lane(self.lane).entries().len();
        let _ = self.sim.apply(action.clone());
        let path = self.config.app.socket_path();
        let handshakes: Vec<Rc<Exchange>> = self.sim.lane(self.lane).entries()[before..]
            .iter()
            .filter_map(|e| match e {
                Entry::Exchange(x) if path.is_some() && Some(x.request.path()) == path => Some(Rc::clone(x)),
                _ => None,
            })
            .collect();
        self.act(action)?;
        let end = match action {
            Action::Advance { ms } => t0.plus_ms(*ms),
            _ => t0.plus_ms(STEP_MS),
        };
        for x in &handshakes {
            let user = User::ALL.iter().copied().find(|u| u.username() == x.client).ok_or("a handshake from nobody")?;
            self.now = x.at.max(t0);
            self.fleet.set_clock(self.now)?;
            self.align(x.at);
            self.open(user, x)?;
        }
        self.now = end;
        self.fleet.set_clock(self.now)?;
        if let Action::Advance { ms } = action {
            // Health checks run on HAProxy's real clock: let them catch up
            // with the processes, for no longer than the simulated wait.
            let limit = Duration::from_millis((*ms).min(12_000));
            self.fleet.settle(limit);
        }
        self.pump();
        Ok(())
    }

    /// Before a handshake at simulated time `at`: when the engine's balancer
    /// has taken a crashed server out of rotation by then, HAProxy's checks
    /// must have too (they run on the real clock, which a simulated wait
    /// cannot hurry).
    fn align(&mut self, at: SimTime) {
        let _ = self.rejoin(at);
        let out = self.sim.lane(self.lane).servers().iter().any(|s| !s.up && !s.in_rotation(at));
        if out {
            self.fleet.settle(Duration::from_secs(12));
        }
    }

    /// A drained server restarted goes back into rotation when the engine's
    /// balancer takes it back (at its next health probe, as a server that was
    /// out of rotation): only then is HAProxy told `state ready`, which would
    /// take it back at once.
    fn rejoin(&mut self, at: SimTime) -> Result<(), String> {
        let sim = self.sim.lane(self.lane);
        let back: Vec<u8> = self
            .rejoining
            .iter()
            .copied()
            .filter(|&n| sim.servers().iter().any(|s| s.no == n && s.in_rotation(at)))
            .collect();
        for n in back {
            self.fleet.runtime(&format!("set server fleet/S{n} state ready"))?;
            self.rejoining.retain(|&m| m != n);
        }
        Ok(())
    }

    fn act(&mut self, action: &Action) -> Result<(), String> {
        match action {
            Action::Login { user, wrong_password } => {
                let db = statelab_sim::fleet::Database::default();
                let password = if *wrong_password { "letmein" } else { db.password(user.username()).unwrap_or("") };
                let body = serde_json::json!({ "username": user.username(), "password": password }).to_string();
                self.browse(*user, "POST", "/login".into(), Some(body))?;
            }
            Action::Me { user } => self.browse(*user, "GET", "/api/me".into(), None)?,
            Action::AddToCart { user, sku } => {
                let body = serde_json::json!({ "sku": sku }).to_string();
                self.browse(*user, "POST", "/api/cart/items".into(), Some(body))?;
            }
            Action::ViewCart { user } => self.browse(*user, "GET", "/api/cart".into(), None)?,
            Action::OrdersPage { user, page } => self.browse(*user, "GET", format!("/api/orders?page={page}"), None)?,
            Action::NextPage { user } => {
                let target = if self.config.auth.has_session() {
                    "/api/orders/next".to_owned()
                } else {
                    format!("/api/orders?page={}", self.browsers[user.index()].page + 1)
                };
                self.browse(*user, "GET", target, None)?;
            }
            Action::Logout { user } => self.browse(*user, "POST", "/logout".into(), None)?,
            Action::Refresh { user } => self.browse(*user, "POST", REFRESH_PATH.into(), None)?,
            Action::RotateApiKey { user } => self.browse(*user, "POST", "/keys/rotate".into(), None)?,
            Action::Tamper { user, edit, lane } => {
                if lane.is_none_or(|l| l == self.lane) {
                    self.tamper(*user, edit);
                }
            }
            Action::Replay { user, seq } => {
                if let Some(x) = self.exchanges.iter().find(|x| x.seq == *seq) {
                    let bytes = x.request.clone();
                    self.send(*user, bytes, None)?;
                }
            }
            Action::Raw { user, text } => {
                if let Ok(req) = parse_request(text) {
                    self.send(*user, req.to_wire().into_bytes(), None)?;
                }
            }
            // The handshakes the engine made for this action go out after it (see `apply`).
            Action::Connect { .. } => {}
            Action::File { .. } => {
                return Err("file lanes (FTP and its HTTP counterpart) have no real fleet here yet".into())
            }
            Action::Say { user, text } => {
                let json = format!("{{\"type\":\"say\",\"text\":{}}}", serde_json::Value::from(text.as_str()));
                self.frame(*user, Message::text(json))?;
            }
            Action::Move { user, dx, dy } => {
                self.frame(*user, Message::text(format!("{{\"type\":\"move\",\"dx\":{dx},\"dy\":{dy}}}")))?;
            }
            // The server pings, as the simulated one does; the twin's driver
            // asks its server for one (see PING_ME), and tungstenite answers pong.
            Action::Ping { user } => self.frame(*user, Message::text(PING_ME))?,
            Action::Disconnect { user } => {
                let bye = CloseFrame { code: CloseCode::Normal, reason: "bye".into() };
                self.frame(*user, Message::Close(Some(bye)))?;
            }
            Action::Drain { server } => {
                self.fleet.runtime(&format!("set server fleet/S{server} state drain"))?;
                self.drained.push(*server);
                let port = self.fleet.base + u16::from(*server);
                let req = format!("POST /_twin/drain HTTP/1.1\r\nHost: S{server}\r\nContent-Length: 0\r\n\r\n");
                let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("drain S{server}: {e}"))?;
                s.set_read_timeout(Some(Duration::from_secs(5))).map_err(|e| e.to_string())?;
                s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
                let _ = s.read(&mut [0u8; 512]);
            }
            Action::Crash { server } => self.fleet.crash(*server),
            Action::Restart { server } | Action::Bounce { server } => {
                self.fleet.restart(*server)?;
                if let Some(i) = self.drained.iter().position(|n| n == server) {
                    self.drained.remove(i);
                    self.rejoining.push(*server);
                    self.rejoin(self.now)?;
                }
            }
            Action::StoreDown => self.fleet.store_down(),
            Action::StoreUp => self.fleet.store_up()?,
            Action::Skew { server, ms } => self.fleet.skew(*server, *ms)?,
            Action::RotateKey { keep_old } => {
                self.rotations += 1;
                let key = self.keys.get(self.rotations).ok_or("the simulation has no key for this rotation")?;
                self.fleet.rotate((key.kid.clone(), key.secret.clone()), *keep_old)?;
            }
            Action::AddServer => self.fleet.add_server()?,
            Action::RemoveServer => self.fleet.remove_server()?,
            // The clock moves in `apply`, around the reconnects that fall due on the way.
            Action::Advance { .. } => {}
            Action::Configure { lane, config } => {
                if *lane == self.lane {
                    self.fleet.redeploy(config.sanitized())?;
                    self.config = config.sanitized();
                }
            }
            Action::Load { .. } => return Err("the twin does not replay `load` bursts".into()),
            Action::Sql { .. } => return Err("the twin does not run database lanes yet (issue 21)".into()),
            // Its servers answer the app's messages; what the engine's do with
            // other hand-typed frames (error frames, ignored pongs) is not mirrored.
            Action::Frame { .. } => return Err("the twin does not replay hand-typed frames (`frame`)".into()),
        }
        Ok(())
    }

    /// A frame on `user`'s open connection; none open, nothing is sent (the engine says why in an event).
    fn frame(&mut self, user: User, m: Message) -> Result<(), String> {
        let name = user.username();
        let Some(l) = self.live.iter_mut().find(|l| self.conns[l.conn].client == name) else { return Ok(()) };
        // A connection the server already dropped fails to send: the read side reports how it ended.
        let _ = l.ws.send(m);
        Ok(())
    }

    /// Opens `user`'s connection as the engine's app did in `x`: a refresh
    /// first when its token has expired, then the handshake through HAProxy
    /// (the same request, the same `Sec-WebSocket-Key`, this browser's own
    /// credential), then with `_msg` the token in the first message.
    fn open(&mut self, user: User, x: &Exchange) -> Result<(), String> {
        let path = self.config.app.socket_path().unwrap_or("/ws/chat");
        if self.refresh_due(user, path) {
            self.request(user, "POST", REFRESH_PATH.into(), None)?;
        }
        let b = &self.browsers[user.index()];
        let bearer = matches!(self.config.auth.credential(), Credential::Bearer | Credential::ApiKey);
        let mut target = format!("{path}?room={}", self.config.app.room());
        if let (true, TokenIn::Query, Some(t)) = (bearer, self.config.ws_token, b.token.as_deref()) {
            target = format!("{target}&{TOKEN_PARAM}={t}");
        }
        let mut req = Request::new("GET", target);
        for (name, value) in x.request.headers.0.iter() {
            if !name.eq_ignore_ascii_case("Cookie") {
                req.headers.push(name.to_string(), value.to_string());
            }
        }
        let cookies: Vec<String> = b.jar.get_request_values(&url_for(path)).map(|(n, v)| format!("{n}={v}")).collect();
        if !cookies.is_empty() {
            req.headers.push("Cookie", cookies.join("; "));
        }
        let bytes = req.to_wire().into_bytes();
        self.fleet.drain_log();
        let started = Instant::now();
        let port = self.fleet.base + 9;
        let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect 127.0.0.1:{port}: {e}"))?;
        s.set_read_timeout(Some(Duration::from_secs(5))).map_err(|e| e.to_string())?;
        let proxy = format!("PROXY TCP4 {} 127.0.0.1 40000 {port}\r\n", b.addr);
        s.write_all(proxy.as_bytes()).and_then(|()| s.write_all(&bytes)).map_err(|e| e.to_string())?;
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        let head = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = s.read(&mut chunk).map_err(|e| format!("reading the handshake's answer: {e}"))?;
            if n == 0 || buf.len() > 1 << 16 {
                return Err(format!("the handshake's answer ended early: {:?}", String::from_utf8_lossy(&buf)));
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let (status, set_cookies) = parse_response(&buf[..head]).map(|p| (p.status, p.set_cookies)).unwrap_or_default();
        // The browser keeps what the answer sets, as on any response (a
        // refused session's cookie is cleared with Max-Age=0).
        let url = url_for(path);
        for c in &set_cookies {
            let _ = self.browsers[user.index()].jar.parse(c, &url);
        }
        let seq = self.exchanges.len() as u32 + 1;
        if status == 101 {
            let served = served_by(&buf[..head]);
            let rest = buf.split_off(head);
            self.exchanges.push(RealExchange {
                seq,
                server: served.clone(),
                tried: served.clone(),
                status,
                termination: "--".into(),
                why: None,
                request: bytes,
                response: buf,
                latency_ms: started.elapsed().as_millis() as u64,
            });
            let mut ws = WebSocket::from_partially_read(s, rest, Role::Client, None);
            let first = bearer && self.config.ws_token == TokenIn::FirstMessage;
            if first {
                let token = self.browsers[user.index()].token.clone().unwrap_or_default();
                let json = format!("{{\"type\":\"auth\",\"token\":{}}}", serde_json::Value::from(token));
                let _ = ws.send(Message::text(json));
            }
            self.conns.push(RealConn {
                client: user.username().to_owned(),
                server: served,
                handshake: seq,
                close: None,
                frames: Vec::new(),
            });
            self.live.push(Live { conn: self.conns.len() - 1, ws });
            return Ok(());
        }
        // Refused: read the body to its length, then HAProxy's log line.
        while complete_length(&buf).is_none() && buf.len() < 1 << 20 {
            match s.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        if let Some(end) = complete_length(&buf) {
            buf.truncate(end);
        }
        let log = self.fleet.next_log().ok_or("HAProxy logged nothing for the handshake within 2 s")?;
        let parsed = parse_response(&buf)?;
        let latency_ms = started.elapsed().as_millis() as u64;
        self.exchanges.push(RealExchange::of(seq, log, &parsed, bytes, buf, latency_ms));
        Ok(())
    }

    /// Reads what the open connections were sent, until each has what the
    /// engine's has (frames, and its close) or [`FRAMES_LIMIT`] passes; then
    /// watches each a moment more for anything the engine did not send.
    fn pump(&mut self) {
        let sim = self.sim.lane(self.lane);
        let want: Vec<(usize, bool)> = self
            .conns
            .iter()
            .enumerate()
            .map(|(i, _)| {
                let id = i as u32 + 1;
                let frames = sim
                    .entries()
                    .iter()
                    .filter_map(|e| match e {
                        Entry::Socket(r) => Some(r.frames.iter().filter(|f| f.conn == id && !f.from_client).count()),
                        _ => None,
                    })
                    .sum();
                (frames, sim.connection(id).is_some_and(|c| c.closed.is_some()))
            })
            .collect();
        let deadline = Instant::now() + FRAMES_LIMIT;
        let mut k = 0;
        while k < self.live.len() {
            let i = self.live[k].conn;
            let (frames, closed) = want.get(i).copied().unwrap_or((0, false));
            let mut ended = false;
            loop {
                let c = &self.conns[i];
                let done = c.frames.len() >= frames && (!closed || c.close.is_some());
                let now = Instant::now();
                let wait = if done { EXTRA_WAIT } else { deadline.saturating_duration_since(now) };
                if wait.is_zero() && !done {
                    break;
                }
                match read_one(&mut self.live[k].ws, wait.max(Duration::from_millis(1))) {
                    Got::Nothing => break,
                    Got::Frame(text, close) => {
                        let c = &mut self.conns[i];
                        c.frames.push(text);
                        if let Some(code) = close {
                            c.close.get_or_insert(code);
                        }
                    }
                    Got::Ended => {
                        self.conns[i].close.get_or_insert(1006);
                        ended = true;
                        break;
                    }
                }
            }
            if ended {
                self.live.remove(k);
            } else {
                k += 1;
            }
        }
    }

    /// A request as the app's `fetch` sends it (the simulation's
    /// `Lane::browse`), after the refresh the app makes first when its
    /// access token has expired.
    fn browse(&mut self, user: User, method: &str, target: String, body: Option<String>) -> Result<(), String> {
        if self.refresh_due(user, &target) {
            self.request(user, "POST", REFRESH_PATH.into(), None)?;
        }
        self.request(user, method, target, body)
    }

    /// Whether a refresh lane's app refreshes before a request to `target`:
    /// the rule of the simulation's `Lane::refresh_request` and
    /// `Client::refresh_due` — it holds an access token it takes to have
    /// expired, and a refresh cookie to trade.
    fn refresh_due(&self, user: User, target: &str) -> bool {
        let b = &self.browsers[user.index()];
        self.config.auth == AuthMode::Refresh
            && !matches!(target, "/login" | REFRESH_PATH)
            && b.token.is_some()
            && b.token_expires.is_some_and(|t| t <= self.now)
            && b.jar.get(HOST, REFRESH_PATH, REFRESH_COOKIE).is_some()
    }

    /// One request of the app's (the simulation's `Client::request`).
    fn request(&mut self, user: User, method: &str, target: String, body: Option<String>) -> Result<(), String> {
        let b = &self.browsers[user.index()];
        let credential = b.token.as_deref().map(|t| (self.config.auth.credential(), t));
        let mut req = app_request(method, target, body, credential);
        let url = url_for(req.path());
        let cookies: Vec<String> = b.jar.get_request_values(&url).map(|(n, v)| format!("{n}={v}")).collect();
        if !cookies.is_empty() {
            req.headers.push("Cookie", cookies.join("; "));
        }
        let path = req.path().to_owned();
        let query_page = req.query("page").and_then(|p| p.parse::<u32>().ok());
        self.send(user, req.to_wire().into_bytes(), Some((path, query_page)))
    }

    /// Sends `bytes` through HAProxy from the user's address; with `absorb`
    /// (the request's path and page), the browser keeps what the answer gives.
    fn send(&mut self, user: User, bytes: Vec<u8>, absorb: Option<(String, Option<u32>)>) -> Result<(), String> {
        self.fleet.drain_log();
        let started = Instant::now();
        let b = &self.browsers[user.index()];
        let response = exchange(self.fleet.base + 9, b.addr, &bytes)?;
        let latency_ms = started.elapsed().as_millis() as u64;
        let log = self.fleet.next_log().ok_or("HAProxy logged nothing for the request within 2 s")?;
        let parsed = parse_response(&response)?;
        let seq = self.exchanges.len() as u32 + 1;
        self.exchanges.push(RealExchange::of(seq, log, &parsed, bytes, response, latency_ms));
        if let Some((path, page)) = absorb {
            let b = &mut self.browsers[user.index()];
            let url = url_for(&path);
            for c in &parsed.set_cookies {
                let _ = b.jar.parse(c, &url);
            }
            match (path.as_str(), parsed.status) {
                ("/login" | REFRESH_PATH | "/keys/rotate", 200) if !self.config.uses_session_cookie() => {
                    let answer = Response {
                        status: parsed.status,
                        headers: Headers(Vec::new()),
                        body: String::from_utf8_lossy(&parsed.body).into_owned(),
                    };
                    let issued = answer.issued();
                    b.token_expires = issued.as_ref().and_then(|(_, s)| s.map(|s| self.now.plus_ms(s * 1000)));
                    b.token = issued.map(|(t, _)| t);
                }
                ("/logout", 200) => (b.token, b.token_expires) = (None, None),
                ("/api/orders", 200) => b.page = page.unwrap_or(b.page),
                _ => {}
            }
        }
        Ok(())
    }

    /// A hand edit of the stored credential, as the simulation's `tamper` makes it.
    fn tamper(&mut self, user: User, edit: &TokenEdit) {
        let auth = self.config.auth;
        let b = &mut self.browsers[user.index()];
        if let TokenEdit::SetRefresh { value } = edit {
            // Only a refresh lane's browser holds the cookie; elsewhere the edit changes nothing.
            if let Some(old) = b.jar.get(HOST, REFRESH_PATH, REFRESH_COOKIE).map(|c| RawCookie::from(c.clone())) {
                let mut edited = old.into_owned();
                edited.set_value(value.clone());
                let _ = b.jar.insert_raw(&edited, &url_for(REFRESH_PATH));
            }
            return;
        }
        if !self.config.uses_session_cookie() {
            let edited = b.token.as_deref().and_then(|t| match edit {
                TokenEdit::Set { value } => Some(value.clone()),
                _ if auth.sends_jwt() => jwt::tamper(t, edit).ok(),
                // An opaque token or key holds no claims: all an attacker can do is guess another one.
                _ => Some(flip_last(t)),
            });
            // As in the simulation, an edit that cannot be made leaves the token as it was.
            if edited.is_some() {
                b.token = edited;
            }
            return;
        }
        let name = if matches!(auth, AuthMode::SignedCookie) { "session" } else { "session_id" };
        let Some(old) = b.jar.get(HOST, "/", name).map(|c| RawCookie::from(c.clone())) else { return };
        let value = old.value().to_owned();
        let new = match (auth, edit) {
            (_, TokenEdit::Set { value }) => value.clone(),
            (AuthMode::ServerSession { .. }, _) => flip_last(&value),
            // The signed jar's value: the HMAC in base64 (percent-encoded in
            // the cookie, so it ends in `%3D`), then the payload as written.
            (_, TokenEdit::Claim { name, value: v }) => {
                let (sig, payload) = value.split_at(signature_end(&value));
                match jwt::set_field(payload, name, v) {
                    Some(p) => format!("{sig}{p}"),
                    None => return,
                }
            }
            (_, TokenEdit::AlgNone) => value[signature_end(&value)..].to_owned(),
            (_, TokenEdit::SetRefresh { .. }) => unreachable!("refresh edits return above"),
        };
        let mut edited = old.into_owned();
        edited.set_value(new);
        let _ = b.jar.insert_raw(&edited, &url_for("/"));
    }
}

enum Got {
    Nothing,
    /// A frame, and its close code if it was a close frame.
    Frame(String, Option<u16>),
    /// The connection is over (after a close handshake, or dropped with none).
    Ended,
}

/// The next frame on `ws` within `wait`.
fn read_one(ws: &mut WebSocket<TcpStream>, wait: Duration) -> Got {
    let _ = ws.get_mut().set_read_timeout(Some(wait));
    match ws.read() {
        Ok(Message::Text(t)) => Got::Frame(frame_text("text", t.as_bytes()), None),
        Ok(Message::Pong(p)) => Got::Frame(frame_text("pong", &p), None),
        Ok(Message::Ping(p)) => Got::Frame(frame_text("ping", &p), None),
        Ok(Message::Binary(p)) => Got::Frame(frame_text("binary", &p), None),
        Ok(Message::Close(f)) => {
            // The echo goes out with the next write or flush.
            let _ = ws.flush();
            let code = f.as_ref().map_or(1005, |f| u16::from(f.code));
            let reason = f.as_ref().map(|f| f.reason.to_string()).unwrap_or_default();
            Got::Frame(format!("close {code} {reason}"), Some(code))
        }
        Ok(Message::Frame(_)) => Got::Nothing,
        Err(tungstenite::Error::Io(e))
            if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
        {
            Got::Nothing
        }
        Err(_) => Got::Ended,
    }
}

/// The server a 101 names (`x-served-by`).
fn served_by(head: &[u8]) -> Option<String> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut r = httparse::Response::new(&mut headers);
    r.parse(head).ok()?;
    r.headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(crate::server::SERVER_HEADER))
        .map(|h| String::from_utf8_lossy(h.value).into_owned())
}

/// An opaque value with its last hex digit changed, as the simulation's
/// tamper guesses another one.
fn flip_last(value: &str) -> String {
    let mut v = value.to_owned();
    let last = v.pop().unwrap_or('0');
    v.push(if last == '0' { '1' } else { '0' });
    v
}

/// Where the signature ends in axum-extra's signed cookie value: after the
/// base64 of the 32-byte HMAC, whose one `=` of padding is written `%3D`.
fn signature_end(value: &str) -> usize {
    value.find("%3D").map_or(value.len().min(44), |i| i + 3)
}

struct Parsed {
    status: u16,
    set_cookies: Vec<String>,
    body: Vec<u8>,
}

fn parse_response(bytes: &[u8]) -> Result<Parsed, String> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut r = httparse::Response::new(&mut headers);
    let head = match r.parse(bytes) {
        Ok(httparse::Status::Complete(n)) => n,
        _ => return Err(format!("an incomplete or malformed response: {:?}", String::from_utf8_lossy(bytes))),
    };
    let set_cookies = r
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case("set-cookie"))
        .map(|h| String::from_utf8_lossy(h.value).into_owned())
        .collect();
    Ok(Parsed { status: r.code.unwrap_or(0), set_cookies, body: bytes[head..].to_vec() })
}

/// One request on its own connection to HAProxy's PROXY-protocol frontend,
/// as if from `addr`; the response's bytes, read to its `Content-Length`.
fn exchange(port: u16, addr: &str, request: &[u8]) -> Result<Vec<u8>, String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect 127.0.0.1:{port}: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(5))).map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(Duration::from_secs(5))).map_err(|e| e.to_string())?;
    let proxy = format!("PROXY TCP4 {addr} 127.0.0.1 40000 {port}\r\n");
    s.write_all(proxy.as_bytes()).and_then(|()| s.write_all(request)).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    // Bounded: a response past 1 MiB is not the shop's.
    while buf.len() < 1 << 20 {
        let n = s.read(&mut chunk).map_err(|e| format!("reading the response: {e}"))?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = complete_length(&buf) {
            buf.truncate(end);
            break;
        }
    }
    Ok(buf)
}

/// The full length of the response in `buf` once its head and body are in.
fn complete_length(buf: &[u8]) -> Option<usize> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut r = httparse::Response::new(&mut headers);
    let httparse::Status::Complete(head) = r.parse(buf).ok()? else { return None };
    let len = r
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse::<usize>().ok())?;
    (buf.len() >= head + len).then_some(head + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_is_complete_only_with_its_whole_body() {
        let full = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello";
        assert_eq!(complete_length(full), Some(full.len()));
        assert_eq!(complete_length(&full[..full.len() - 1]), None);
        assert_eq!(complete_length(b"HTTP/1.1 200 OK\r\ncontent-le"), None);
        let parsed =
            parse_response(b"HTTP/1.1 401 Unauthorized\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n\r\n{}").unwrap();
        assert_eq!((parsed.status, parsed.set_cookies.len(), parsed.body.as_slice()), (401, 2, &b"{}"[..]));
    }

    #[test]
    fn the_signed_jars_signature_ends_after_its_encoded_padding() {
        let value = "lwr7C2OPya0ym9dF+ybb2pUH8Osj04E4791a+Bo%2FKTI%3DeyJ1c2VyIjoiYWxpY2UifQ";
        assert_eq!(&value[signature_end(value)..], "eyJ1c2VyIjoiYWxpY2UifQ");
    }
}
