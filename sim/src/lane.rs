//! One whole simulated system — browsers, balancer, servers, store,
//! database, clock — driven by [`Action`]s and recording what happened.

use crate::action::{Action, User};
use crate::balancer::{affinity_cookie, own_response, Balancer, Pick};
use crate::client::Client;
use crate::config::{AuthMode, LaneConfig, Store, MAX_SERVERS};
use crate::cookie::cookie_value;
use crate::exchange::{Entry, Event, Exchange, Stats};
use crate::http::{parse_request, Request};
use crate::json::ObjectWriter;
use crate::jwt::{self, Key, TokenEdit};
use crate::rng::SimRng;
use crate::routes::{self, Backend, Ctx, Trace, Work, BALANCER_MS, SESSION_COOKIE, SIGNED_COOKIE};
use crate::server::Server;
use crate::store::{Account, Database, SharedStore};
use crate::time::{human_duration, SimTime, START};
use std::rc::Rc;

/// A user's think time: every action but `Advance` moves the clock this much.
pub const STEP_MS: u64 = 1_000;

const USER_ADDRS: [&str; 3] = ["203.0.113.10", "198.51.100.23", "192.0.2.77"];

#[derive(Clone, Debug)]
pub struct Lane {
    index: u8,
    config: LaneConfig,
    now: SimTime,
    rng: SimRng,
    /// alice, bob, carol, then load users.
    clients: Vec<Client>,
    servers: Vec<Server>,
    balancer: Balancer,
    backend: Backend,
    entries: Vec<Entry>,
    stats: Stats,
    exchanges: u32,
    /// Every key this lane ever signed with, oldest first (for transcripts).
    key_history: Vec<Key>,
}

impl Lane {
    /// Lane `index` (0 = A, 1 = B) draws from its own stream of the seed.
    pub fn new(config: LaneConfig, seed: u64, index: u8) -> Lane {
        let config = config.sanitized();
        let mut rng = SimRng::new(seed, index.into());
        let key = Key::new(jwt::FIRST_KID, &fleet_secret(&mut rng));
        Lane {
            servers: (1..=config.servers).map(Server::new).collect(),
            clients: User::ALL.iter().zip(USER_ADDRS).map(|(u, a)| Client::new(u.username(), a.to_owned())).collect(),
            key_history: vec![key.clone()],
            backend: Backend::new(SharedStore::new(config.store_latency_ms), vec![key]),
            index,
            config,
            now: START,
            rng,
            balancer: Balancer::new(config.balancer),
            entries: Vec::new(),
            stats: Stats::default(),
            exchanges: 0,
        }
    }

    pub fn config(&self) -> &LaneConfig {
        &self.config
    }
    pub fn now(&self) -> SimTime {
        self.now
    }
    pub fn servers(&self) -> &[Server] {
        &self.servers
    }
    pub fn client(&self, user: User) -> &Client {
        &self.clients[user.index()]
    }
    pub fn store(&self) -> &SharedStore {
        &self.backend.store
    }
    pub fn database(&self) -> &Database {
        &self.backend.db
    }
    /// Every key the fleet accepts now; the last one signs.
    pub fn keys(&self) -> &[Key] {
        &self.backend.keys
    }
    pub fn key_history(&self) -> &[Key] {
        &self.key_history
    }
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    pub fn exchanges(&self) -> impl DoubleEndedIterator<Item = &Exchange> {
        self.exchanges_rc().map(|x| &**x)
    }

    /// The exchanges as shared handles (cheap to keep, compared by pointer).
    pub fn exchanges_rc(&self) -> impl DoubleEndedIterator<Item = &Rc<Exchange>> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Exchange(x) => Some(x),
            Entry::Event(_) => None,
        })
    }

    pub fn exchange(&self, seq: u32) -> Option<&Exchange> {
        self.exchanges().find(|x| x.seq == seq)
    }

    /// Bytes of session state held by servers and the store: what "stateful" costs in memory.
    pub fn state_bytes(&self) -> u32 {
        self.servers.iter().map(Server::session_bytes).sum::<u32>() + self.backend.store.bytes(self.now)
    }

    /// Applies the action that has index `index` in the playground's log.
    pub fn apply(&mut self, action: &Action, index: u32) {
        match action {
            Action::Advance { ms } => {
                self.now = self.now.plus_ms(*ms);
                let to = self.now;
                self.event(index, format!("clock moved forward {} → {to}", human_duration(ms / 1000)));
                return;
            }
            Action::Login { user, wrong_password } => {
                let password = if *wrong_password {
                    "letmein"
                } else {
                    self.backend.db.password(user.username()).unwrap_or_default()
                };
                let body = login_body(user.username(), password);
                self.browse(*user, "POST", "/login".into(), Some(body), index);
            }
            Action::Me { user } => self.browse(*user, "GET", "/api/me".into(), None, index),
            Action::AddToCart { user, sku } => {
                let body = ObjectWriter::new().str("sku", sku).finish();
                self.browse(*user, "POST", "/api/cart/items".into(), Some(body), index);
            }
            Action::ViewCart { user } => self.browse(*user, "GET", "/api/cart".into(), None, index),
            Action::OrdersPage { user, page } => {
                self.browse(*user, "GET", format!("/api/orders?page={page}"), None, index)
            }
            Action::NextPage { user } => {
                let target = match self.config.auth {
                    // No session to remember the cursor: the app asks for the page after the one it shows.
                    AuthMode::Jwt { .. } => format!("/api/orders?page={}", self.clients[user.index()].page + 1),
                    _ => "/api/orders/next".to_owned(),
                };
                self.browse(*user, "GET", target, None, index);
            }
            Action::Logout { user } => self.browse(*user, "POST", "/logout".into(), None, index),
            Action::Tamper { user, edit, lane: Some(other) } if other.index() != usize::from(self.index) => {
                self.event(index, format!("{}'s credential was edited in lane {other} only", user.username()))
            }
            Action::Tamper { user, edit, .. } => self.tamper(*user, edit, index),
            Action::Replay { user, seq } => match self.exchange(*seq) {
                Some(x) => {
                    let req = x.request.clone();
                    self.send(user.index(), req, false, index);
                }
                None => self.event(index, format!("no request #{seq} in this lane to replay")),
            },
            Action::Raw { user, text } => match parse_request(text) {
                Ok(req) => self.send(user.index(), req, false, index),
                Err(e) => self.event(index, format!("hand-written request not sent: {e}")),
            },
            Action::Crash { server } => self.fault(*server, index, |s, now| (s.crash(now), "crashed")),
            Action::Restart { server } => self.fault(*server, index, |s, now| (s.restart(now), "restarted")),
            Action::StoreDown => {
                self.backend.store.up = false;
                let users = if self.config.auth.uses_store() {
                    "every request that needs it now fails with 503"
                } else {
                    "this lane does not use it"
                };
                self.event(index, format!("the shared session store went down: {users}"));
            }
            Action::StoreUp => {
                self.backend.store.up = true;
                self.event(index, "the shared session store is back, with its data".into());
            }
            Action::Skew { server, ms } => match self.servers.iter_mut().find(|s| s.no == *server) {
                Some(s) => {
                    s.skew_ms = *ms;
                    let dir = if *ms >= 0 { "ahead" } else { "behind" };
                    let text = format!("S{server}'s clock now runs {} {dir}", human_duration(ms.unsigned_abs() / 1000));
                    self.event(index, text);
                }
                None => self.event(index, format!("there is no S{server}")),
            },
            Action::RotateKey { keep_old } => {
                let kid =
                    format!("k{}", self.backend.keys.last().map_or(1, |k| k.kid[1..].parse::<u32>().unwrap_or(1)) + 1);
                let key = Key::new(&kid, &fleet_secret(&mut self.rng));
                self.key_history.push(key.clone());
                if !keep_old {
                    self.backend.keys.clear();
                }
                self.backend.keys.push(key);
                self.backend.rotated = true;
                let old = if *keep_old {
                    "older keys still verify"
                } else {
                    "older keys are dropped: every token and signed cookie they signed is now refused"
                };
                self.event(index, format!("fleet key rotated: new tokens are signed with {kid}; {old}"));
            }
            Action::AddServer => {
                let n = self.servers.len() as u8;
                if n < MAX_SERVERS {
                    self.servers.push(Server::new(n + 1));
                    self.event(index, format!("S{} joined the pool, with empty memory", n + 1));
                } else {
                    self.event(index, format!("already at the maximum of {MAX_SERVERS} servers"));
                }
            }
            Action::RemoveServer => {
                if self.servers.len() > 1 {
                    let mut gone = self.servers.pop().expect("more than one server");
                    let lost = gone.crash(self.now);
                    self.stats.sessions_lost += lost as u64;
                    self.event(index, format!("S{} removed from the pool{}", gone.no, lost_sessions(lost)));
                } else {
                    self.event(index, "the last server cannot be removed".into());
                }
            }
            Action::Load { users, requests } => self.load(*users, *requests, index),
        }
        self.now = self.now.plus_ms(STEP_MS);
    }

    fn event(&mut self, action: u32, text: String) {
        self.entries.push(Entry::Event(Event { action, at: self.now, text }));
    }

    fn fault(&mut self, no: u8, index: u32, f: impl FnOnce(&mut Server, SimTime) -> (usize, &'static str)) {
        let now = self.now;
        let Some(s) = self.servers.iter_mut().find(|s| s.no == no) else {
            return self.event(index, format!("there is no S{no}"));
        };
        let (lost, what) = f(s, now);
        let when = match (s.leaves_rotation_at(), s.rejoins_at()) {
            (Some(t), _) if t > now => format!("; health checks take it out of rotation at {t}"),
            (_, Some(t)) if t > now => format!("; it rejoins rotation at the next health check, {t}"),
            _ => String::new(),
        };
        self.stats.sessions_lost += lost as u64;
        self.event(index, format!("S{no} {what}{}{when}", lost_sessions(lost)));
    }

    /// A request made by the user's browser through the app.
    fn browse(&mut self, user: User, method: &str, target: String, body: Option<String>, index: u32) {
        let req = self.clients[user.index()].request(method, target, body, self.now);
        self.send(user.index(), req, true, index);
    }

    /// Sends one request through the balancer and records the exchange.
    /// `absorb`: the browser keeps cookies and tokens from the answer
    /// (replays and hand-written requests go out like `curl`, and it does not).
    fn send(&mut self, client: usize, req: Request, absorb: bool, index: u32) {
        let x = self.exchange_for(client, req, absorb, index, true);
        self.stats.count(&x);
        self.entries.push(Entry::Exchange(Rc::new(x)));
    }

    fn exchange_for(&mut self, client: usize, req: Request, absorb: bool, index: u32, traced: bool) -> Exchange {
        let mut trace = Trace::new(traced);
        let now = self.now;
        let pick = self.balancer.pick(&req, &self.clients[client].addr, &self.servers, now, &mut self.rng, &trace);
        let mut work = Work { latency_ms: BALANCER_MS, ..Work::default() };
        let (server, route, response) = match pick {
            Pick::NoneHealthy { reason } => (None, reason, own_response(503, "no healthy server", now)),
            Pick::Forward { index: i, reason, .. } if !self.servers[i].up => {
                let s = &self.servers[i];
                let until = s.leaves_rotation_at().map_or_else(String::new, |t| t.clock());
                trace.say(|| {
                    format!(
                        "S{} refused the connection: it is down, but health checks keep it in rotation until {until}",
                        s.no
                    )
                });
                (None, reason, own_response(502, &format!("S{} did not answer", s.no), now))
            }
            Pick::Forward { index: i, reason, pin } => {
                let server = &mut self.servers[i];
                let mut cx = Ctx {
                    now: server.clock(now),
                    server,
                    backend: &mut self.backend,
                    config: &self.config,
                    rng: &mut self.rng,
                    trace: &mut trace,
                    work,
                };
                let mut response = routes::handle(&mut cx, &req);
                work = cx.work;
                if pin {
                    response.headers.push("Set-Cookie", affinity_cookie(&self.servers[i]));
                }
                if traced && response.status == 401 {
                    self.explain_missing_session(&req, i, &mut trace);
                }
                (Some(self.servers[i].no), reason, response)
            }
        };
        if let Some(w) = work.revocation_window_s {
            self.stats.revocation_window_s = Some(w);
        }
        self.stats.db_trips += u64::from(work.db_trips);
        if absorb {
            let c = &mut self.clients[client];
            c.absorb(&req, &response, &self.config, now);
        }
        self.exchanges += 1;
        Exchange {
            seq: self.exchanges,
            lane: self.index,
            action: index,
            client: self.clients[client].name.clone(),
            at: now,
            credential_bytes: (req.headers.wire_len_of("Authorization") + req.headers.wire_len_of("Cookie")) as u32,
            request_bytes: req.wire_len() as u32,
            response_bytes: response.wire_len() as u32,
            request: req,
            server,
            route,
            trace: trace.steps,
            response,
            latency_ms: work.latency_ms,
            store_trips: work.store_trips,
        }
    }

    /// The omniscient narrator: where the session a server could not find actually is.
    fn explain_missing_session(&self, req: &Request, at: usize, trace: &mut Trace) {
        if self.config.auth != (AuthMode::ServerSession { store: Store::Local }) {
            return;
        }
        let Some(id) = req.headers.get("Cookie").and_then(|c| cookie_value(c, SESSION_COOKIE)) else { return };
        let holder = self.servers.iter().enumerate().find(|(i, s)| *i != at && s.sessions.contains_key(id));
        trace.say(|| match holder {
            Some((_, s)) => format!("(it lives in S{}'s memory; the balancer sent this request elsewhere)", s.no),
            None => "(no server holds it any more: it died with a crash, restart or logout)".into(),
        });
    }

    /// The credential this lane's browser carries for `user`: the stored
    /// token, or the session cookie's value.
    pub fn credential(&self, user: User) -> Option<String> {
        let c = &self.clients[user.index()];
        match self.config.auth {
            AuthMode::Jwt { .. } => c.token.clone(),
            AuthMode::ServerSession { .. } => c.jar.get(SESSION_COOKIE, self.now).map(|k| k.value.clone()),
            AuthMode::SignedCookie => c.jar.get(SIGNED_COOKIE, self.now).map(|k| k.value.clone()),
        }
    }

    /// A hand edit of the stored credential, as in devtools: the signature
    /// (if any) is kept, so the servers can tell.
    fn tamper(&mut self, user: User, edit: &TokenEdit, index: u32) {
        let who = user.username();
        let what = self.config.auth.credential_name();
        let Some(old) = self.credential(user) else {
            return self.event(index, format!("{who} has no {what} to edit"));
        };
        let edited = match (self.config.auth, edit) {
            (_, TokenEdit::Set { value }) => {
                Ok((value.clone(), format!("{who} replaced the {what} with text typed by hand")))
            }
            (AuthMode::Jwt { .. }, TokenEdit::Claim { name, value }) => jwt::tamper(&old, edit).map(|t| {
                (t, format!("{who} edited the token's payload: {name} → {value}; the signature is unchanged"))
            }),
            (AuthMode::Jwt { .. }, TokenEdit::AlgNone) => jwt::tamper(&old, edit)
                .map(|t| (t, format!("{who} rewrote the token header to alg \"none\" and dropped the signature"))),
            (AuthMode::ServerSession { .. }, _) => {
                // An opaque id holds no claims; all an attacker can do is guess another id.
                let guess = flip_last_hex(&old);
                let tail = guess[guess.len().saturating_sub(6)..].to_owned();
                Ok((guess, format!("{who}'s session_id is an opaque random id with no role inside to edit; changed it to …{tail} (guessing another id)")))
            }
            (AuthMode::SignedCookie, TokenEdit::Claim { name, value }) => {
                let (payload, sig) = old.split_once('.').unwrap_or((&old, ""));
                jwt::set_field(payload, name, value)
                    .map(|p| {
                        (
                            format!("{p}.{sig}"),
                            format!(
                                "{who} edited the signed cookie's payload: {name} → {value}; the HMAC is unchanged"
                            ),
                        )
                    })
                    .ok_or(jwt::Rejection::Malformed("the cookie's payload is not a JSON object"))
            }
            (AuthMode::SignedCookie, TokenEdit::AlgNone) => {
                let payload = old.split_once('.').map_or(old.as_str(), |(p, _)| p);
                Ok((format!("{payload}."), format!("{who} stripped the signed cookie's HMAC")))
            }
        };
        let text = match edited {
            Ok((value, text)) => {
                let c = &mut self.clients[user.index()];
                match self.config.auth {
                    AuthMode::Jwt { .. } => c.token = Some(value),
                    AuthMode::ServerSession { .. } => drop(c.jar.edit(SESSION_COOKIE, value)),
                    AuthMode::SignedCookie => drop(c.jar.edit(SIGNED_COOKIE, value)),
                }
                text
            }
            Err(e) => format!("{who}'s {what} could not be edited: {e}"),
        };
        self.event(index, text);
    }

    fn load(&mut self, users: u16, requests: u32, index: u32) {
        let users = u32::from(users.max(1));
        while (self.clients.len() as u32) < 3 + users {
            let n = self.clients.len() as u32 - 2;
            let name = format!("user{n}");
            let account = Account { password: format!("pw-{n}"), name: format!("User {n}"), role: "user".into() };
            self.backend.db.add_account(name.clone(), account);
            // RFC 2544's benchmarking range: plainly not real users' addresses.
            self.clients.push(Client::new(&name, format!("198.18.{}.{}", n / 250, n % 250 + 1)));
        }
        let before = self.stats.clone();
        let handled: Vec<u64> = self.servers.iter().map(|s| s.handled).collect();
        for k in 0..requests {
            let ci = 3 + (k % users) as usize;
            let c = &self.clients[ci];
            let logged_in = c.token.is_some() || c.jar.cookies(self.now).next().is_some();
            let (method, target, body) = if !logged_in {
                let body = login_body(&c.name, &format!("pw-{}", ci - 2));
                ("POST", "/login".to_owned(), Some(body))
            } else {
                match (k / users) % 3 {
                    0 => ("GET", "/api/me".to_owned(), None),
                    1 => ("GET", "/api/cart".to_owned(), None),
                    _ => ("GET", "/api/orders?page=1".to_owned(), None),
                }
            };
            let req = c.request(method, target, body, self.now);
            let x = self.exchange_for(ci, req, true, index, false);
            self.stats.count(&x);
        }
        let ok = (self.stats.requests - before.requests) - (self.stats.failed - before.failed);
        let failed = self.stats.failed - before.failed;
        let spread: Vec<String> =
            self.servers.iter().zip(&handled).map(|(s, h)| format!("S{} {}", s.no, s.handled - h)).collect();
        self.event(
            index,
            format!("load: {requests} requests from {users} users → {ok} OK, {failed} failed; {}", spread.join(", ")),
        );
    }
}

/// What the shop's login form posts.
fn login_body(username: &str, password: &str) -> String {
    ObjectWriter::new().str("username", username).str("password", password).finish()
}

fn fleet_secret(rng: &mut SimRng) -> String {
    format!("statelab-{}", rng.hex128())
}

fn lost_sessions(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => ": 1 session in its memory is gone".into(),
        n => format!(": {n} sessions in its memory are gone"),
    }
}

fn flip_last_hex(id: &str) -> String {
    let mut s = id.to_owned();
    if let Some(last) = s.pop() {
        s.push(if last == '0' { '1' } else { '0' });
    }
    s
}
