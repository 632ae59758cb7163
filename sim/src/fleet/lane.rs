//! One whole simulated system — browsers, balancer, servers, store,
//! database, clock — driven through its operations (the playground's
//! actions call them) and recording what happened.

use crate::base::ids::{LaneId, ServerNo, User};
use crate::base::on_write::OnWrite;
use crate::base::rng::SimRng;
use crate::base::time::{human_duration, SimTime, START};
use crate::fleet::balancer::{affinity_cookie, own_response, Balancer, Pick, NONE_HEALTHY_STATUS, REFUSED_STATUS};
use crate::fleet::client::Client;
use crate::fleet::config::{
    App, AuthMode, LaneConfig, API_KEY_HEADER, MAX_SERVERS, REFRESH_COOKIE, REFRESH_PATH, SESSION_COOKIE,
};
use crate::fleet::exchange::Trace;
use crate::fleet::exchange::{Entry, Event, Exchange, Stats};
use crate::fleet::handling::{Backend, Cost, Ctx, BALANCER_MS};
use crate::fleet::ledger::{Fate, Ledger, Loss};
use crate::fleet::server::Server;
use crate::fleet::shop;
use crate::fleet::shop::path::Route;
use crate::fleet::socket::handshake::TOKEN_PARAM;
use crate::fleet::store::{Database, SharedStore};
use crate::wire::cookie::cookie_value;
use crate::wire::http::{parse_request, Request};
use crate::wire::json::ObjectWriter;
use crate::wire::jwt::{self, Key, TokenEdit};
use std::rc::Rc;

/// A user's think time: every action but `Advance` moves the clock this much.
pub const STEP_MS: u64 = 1_000;

mod db;
mod ftp;
mod reconfigure;
pub(crate) mod snapshot;
mod socket;

pub use db::driver_messages;
pub(crate) use ftp::FileTurn;
pub use ftp::{FileOp, Partial};
pub use socket::ROOM_USERS;
pub(crate) use socket::{LoadTurn, Send};
pub(crate) mod traffic;

use traffic::LoadRoute;

const USER_ADDRS: [&str; 3] = ["203.0.113.10", "198.51.100.23", "192.0.2.77"];

/// One whole simulated system built from a [`LaneConfig`]: browsers,
/// balancer, servers, shared store, database, a clock and a seeded random
/// stream, with the record of everything that happened in it.
#[derive(Clone, Debug)]
pub struct Lane {
    id: LaneId,
    config: LaneConfig,
    /// The configuration the lane started with; `config` changes with redeploys.
    started_as: LaneConfig,
    now: SimTime,
    rng: SimRng,
    /// alice, bob, carol, then load users.
    clients: Vec<Client>,
    servers: Vec<Server>,
    balancer: Balancer,
    backend: Backend,
    entries: Vec<Entry>,
    stats: Stats,
    /// The `seq` of the newest exchange: how many this lane has recorded.
    last_seq: u32,
    /// Every key this lane ever signed with, oldest first (for transcripts).
    key_history: Vec<Key>,
    /// Every session id issued and what became of it, for explaining refusals.
    ledger: Ledger,
    /// Every WebSocket connection opened, in order (`socket.rs`).
    conns: Vec<crate::fleet::connection::Connection>,
    /// Whether connections keep their bytes (a load run keeps counts only).
    keep_wire: bool,
    /// Clients waiting to reconnect, by when their next attempt goes out.
    retries: std::collections::BTreeSet<(SimTime, usize)>,
    /// The last exchange's accepted WebSocket handshake: whom the server took
    /// the client to be (`None` inside: the token is to come in the first message).
    upgraded: Option<Option<String>>,
    /// Where each connection of `conns` is, by the same index: its client's
    /// index, its room and its server (what delivering a message reads).
    seats: Vec<socket::Seat>,
    /// Open connection ids per room, in id order: room 0 is the named users'
    /// (`lobby`, `match1`); load users meet in rooms of `socket::ROOM_USERS`.
    room_open: Vec<Vec<u32>>,
    /// A load run's message, encoded once for all its recipients (reused).
    frame_buf: Vec<u8>,
    /// Load rooms' matches (game lanes): the tick of each match a server runs
    /// in memory, by server and room, and each room's last checkpoint in the store.
    load_matches: std::collections::BTreeMap<(ServerNo, u32), u32>,
    load_checkpoints: Vec<u32>,
    /// File lanes' FTP connections, sessions, clients and transfers (`ftp.rs`).
    files: OnWrite<ftp::FileSide>,
    /// Database lanes: PostgreSQL, its connections and the pools' state (`db.rs`).
    pg: OnWrite<crate::fleet::db::Pg>,
}

impl Lane {
    /// Each lane draws from its own stream of the seed, numbered by its id
    /// (a load run plays both lanes as `A`, so they see the same traffic).
    pub fn new(config: LaneConfig, seed: u64, id: LaneId) -> Lane {
        let config = config.sanitized();
        let mut rng = SimRng::new(seed, id.index() as u64);
        let key = Key::new(jwt::FIRST_KID, &fleet_secret(&mut rng));
        Lane {
            servers: (1..=config.servers).map(Server::new).collect(),
            clients: User::ALL.iter().zip(USER_ADDRS).map(|(u, a)| Client::new(u.username(), a.to_owned())).collect(),
            key_history: vec![key.clone()],
            backend: Backend::new(SharedStore::new(config.store_latency_ms), vec![key]),
            id,
            config,
            started_as: config,
            now: START,
            rng,
            balancer: Balancer::new(config.balancer),
            entries: Vec::new(),
            stats: Stats::default(),
            last_seq: 0,
            ledger: Ledger::default(),
            conns: Vec::new(),
            keep_wire: true,
            retries: Default::default(),
            upgraded: None,
            seats: Vec::new(),
            room_open: vec![Vec::new()],
            frame_buf: Vec::new(),
            load_matches: Default::default(),
            load_checkpoints: Vec::new(),
            files: Default::default(),
            pg: Default::default(),
        }
    }

    /// The configuration it runs now (a redeploy changes it). Its `servers` is
    /// the configured size: adding or removing a server changes the pool
    /// ([`Lane::fleet_size`]), not this.
    pub fn config(&self) -> &LaneConfig {
        &self.config
    }

    /// `stateless JWT · round robin · 3 servers`, and what it became if it was redeployed.
    pub fn describe(&self) -> String {
        if self.config == self.started_as {
            self.config.to_string()
        } else {
            format!("{}, redeployed as {}", self.started_as, self.config)
        }
    }
    /// The lane's true time; each server reads it shifted by its own skew.
    pub fn now(&self) -> SimTime {
        self.now
    }
    /// The pool in order, S1 first, up or down.
    pub fn servers(&self) -> &[Server] {
        &self.servers
    }
    /// Server `no` (1-based, as on screen), up or down; `None` if the pool has no such server.
    pub fn server(&self, no: ServerNo) -> Option<&Server> {
        self.servers.iter().find(|s| s.no == no)
    }
    /// How many servers are in the pool, up or down.
    pub fn fleet_size(&self) -> usize {
        self.servers.len()
    }
    /// Whether this lane's credentials are signed with the fleet key (JWT,
    /// access tokens, signed cookies); session ids, opaque tokens and API keys
    /// are looked up and sign nothing.
    pub fn signs_credentials(&self) -> bool {
        // File lanes send a password (FTP's PASS, HTTP's Basic): nothing is signed.
        self.config.auth.signs() && !self.config.app.is_files()
    }
    /// The browser of one of the three named users.
    pub fn client(&self, user: User) -> &Client {
        &self.clients[user.index()]
    }
    /// The shared store: sessions or the JWT denylist, in the modes that use it
    /// ([`AuthMode::uses_store`]).
    pub fn store(&self) -> &SharedStore {
        &self.backend.store
    }
    /// The shop's database: accounts, and the carts of JWT lanes.
    pub fn database(&self) -> &Database {
        &self.backend.db
    }
    /// Every key the fleet accepts now; the last one signs.
    pub fn keys(&self) -> &[Key] {
        &self.backend.keys
    }
    /// Every key this lane ever signed with, oldest first, dropped ones
    /// included (for transcripts).
    pub fn key_history(&self) -> &[Key] {
        &self.key_history
    }
    /// Everything recorded, in order: one exchange per request a user's action
    /// sent, one event per other change. A load's requests are summed up in one
    /// event, not kept.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
    /// Running totals over every request, load traffic included.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The recorded exchanges alone, in order.
    pub fn exchanges(&self) -> impl DoubleEndedIterator<Item = &Exchange> {
        self.exchanges_rc().map(|x| &**x)
    }

    /// The exchanges as shared handles (cheap to keep, compared by pointer).
    pub fn exchanges_rc(&self) -> impl DoubleEndedIterator<Item = &Rc<Exchange>> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Exchange(x) => Some(x),
            Entry::Event(_) | Entry::Socket(_) | Entry::Ftp(_) | Entry::Db(_) => None,
        })
    }

    /// Exchange number `seq` (1-based, `#3` on screen), if this lane recorded it.
    pub fn exchange(&self, seq: u32) -> Option<&Exchange> {
        self.exchanges().find(|x| x.seq == seq)
    }

    /// Bytes of state held by servers and the store: what "stateful" costs in memory.
    pub fn state_bytes(&self) -> u32 {
        self.servers.iter().map(|s| self.server_bytes(s)).fold(self.backend.store.bytes(self.now), u32::saturating_add)
    }

    /// Bytes of state in server `s`'s memory: its sessions and counters
    /// ([`Server::session_bytes`]), what it holds for each connection open
    /// on it ([`Lane::connection_bytes`]) and its rooms ([`Rooms::bytes`](crate::fleet::Rooms::bytes)).
    pub fn server_bytes(&self, s: &Server) -> u32 {
        s.session_bytes().saturating_add(self.connection_bytes(s.no)).saturating_add(s.rooms.bytes())
    }

    /// Drops what has expired by now from every server's memory and the store.
    pub(crate) fn sweep(&mut self) {
        for s in &mut self.servers {
            for (id, at) in s.expire_sessions(self.now) {
                self.ledger.settle(&id, Fate::Expired(at));
            }
        }
        for (id, at) in self.backend.store.expire(self.now) {
            self.ledger.settle(&id, Fate::Expired(at));
        }
    }

    /// The clock moved by hand (`wait 10s`): time elapses, and an event says so.
    pub(crate) fn wait(&mut self, ms: u64, action_no: u32) {
        self.pass_time(ms, action_no);
        let to = self.now;
        self.event(action_no, format!("clock moved forward {} → {to}", human_duration(ms / 1000)));
    }

    pub(crate) fn login(&mut self, user: User, wrong_password: bool, action_no: u32) {
        if self.config.app.is_files() {
            return self.file_login(user, wrong_password, action_no);
        }
        let password =
            if wrong_password { "letmein" } else { self.backend.db.password(user.username()).unwrap_or_default() };
        let body = login_body(user.username(), password);
        self.browse(user, "POST", "/login".into(), Some(body), action_no);
    }

    pub(crate) fn add_to_cart(&mut self, user: User, sku: &str, action_no: u32) {
        let body = ObjectWriter::new().str("sku", sku).finish();
        self.browse(user, "POST", "/api/cart/items".into(), Some(body), action_no);
    }

    pub(crate) fn next_page(&mut self, user: User, action_no: u32) {
        let target = if self.config.auth.has_session() {
            "/api/orders/next".to_owned()
        } else {
            // No session to remember the cursor: the app asks for the page after the one it shows.
            format!("/api/orders?page={}", self.clients[user.index()].page + 1)
        };
        self.browse(user, "GET", target, None, action_no);
    }

    pub(crate) fn replay(&mut self, user: User, seq: u32, action_no: u32) {
        match self.exchange(seq) {
            Some(x) => {
                let req = x.request.clone();
                self.send(user.index(), req, false, action_no);
            }
            None => self.event(action_no, format!("no request #{seq} in this lane to replay")),
        }
    }

    pub(crate) fn raw(&mut self, user: User, text: &str, action_no: u32) {
        if self.config.app == App::Ftp {
            // Its servers speak FTP on their port: an HTTP request there has nobody to answer it.
            return self.event(
                action_no,
                "hand-written request not sent: this lane's servers speak FTP, not HTTP (its files over HTTP are the files lane's)"
                    .into(),
            );
        }
        match parse_request(text) {
            Ok(req) => self.send(user.index(), req, false, action_no),
            Err(e) => self.event(action_no, format!("hand-written request not sent: {e}")),
        }
    }

    pub(crate) fn store_down(&mut self, action_no: u32) {
        self.backend.store.up = false;
        let users = if self.config.auth.uses_store() {
            "every request that needs it now fails with 503"
        } else if self.config.uses_store() {
            match self.config.app {
                App::Game(_) => "matches are no longer checkpointed",
                _ => "no message can be published, and no history read",
            }
        } else {
            "this lane does not use it"
        };
        self.event(action_no, format!("the shared session store went down: {users}"));
    }

    pub(crate) fn store_up(&mut self, action_no: u32) {
        let text = if self.backend.store.up {
            "the shared session store was already up: nothing changed"
        } else if self.config.uses_store() {
            "the shared session store is back, with its data"
        } else {
            "the shared session store is back: this lane does not use it"
        };
        self.backend.store.up = true;
        self.event(action_no, text.into());
    }

    pub(crate) fn skew(&mut self, server: u8, ms: i64, action_no: u32) {
        let Some(s) = self.servers.iter_mut().find(|s| s.no == server) else {
            return self.event(action_no, format!("there is no S{server}"));
        };
        s.skew_ms = ms;
        let dir = if ms >= 0 { "ahead" } else { "behind" };
        let text = format!("S{server}'s clock now runs {} {dir}", human_duration(ms.unsigned_abs() / 1000));
        self.event(action_no, text);
    }

    pub(crate) fn rotate_key(&mut self, keep_old: bool, action_no: u32) {
        let kid = format!("k{}", self.backend.keys.last().map_or(1, |k| k.kid[1..].parse::<u32>().unwrap_or(1)) + 1);
        let key = Key::new(&kid, &fleet_secret(&mut self.rng));
        self.key_history.push(key.clone());
        if !keep_old {
            self.backend.keys.clear();
        }
        self.backend.keys.push(key);
        self.backend.rotated = true;
        let text = match self.config.auth {
            // Looked-up credentials are not verified: a key changes nothing for them.
            auth if !auth.signs() => {
                format!("fleet key rotated to {kid}: this lane signs nothing with it (its {}s are looked up), so nothing changes", auth.credential_name())
            }
            _ if keep_old => format!("fleet key rotated: new tokens are signed with {kid}; older keys still verify"),
            _ => format!("fleet key rotated: new tokens are signed with {kid}; older keys are dropped: every token and signed cookie they signed is now refused"),
        };
        self.event(action_no, text);
    }

    pub(crate) fn add_server(&mut self, action_no: u32) {
        if self.servers.len() < usize::from(MAX_SERVERS) {
            self.join_server(action_no);
        } else {
            self.event(action_no, format!("already at the maximum of {MAX_SERVERS} servers"));
        }
    }

    pub(crate) fn remove_server(&mut self, action_no: u32) {
        if self.servers.len() < 2 {
            return self.event(action_no, "the last server cannot be removed".into());
        }
        self.drop_last_server(action_no);
    }

    /// A new server at the end of the pool. Callers keep the pool within `MAX_SERVERS`.
    fn join_server(&mut self, action_no: u32) {
        let no = self.servers.len() as u8 + 1;
        self.servers.push(Server::new(no));
        let open: u32 = self.servers.iter().map(|s| s.connections).sum();
        let stay = match open {
            0 => String::new(),
            1 => "; the 1 open connection stays where it is: nothing moves an open connection".into(),
            n => format!("; the {n} open connections stay where they are: nothing moves an open connection"),
        };
        self.event(action_no, format!("S{no} joined the pool, with empty memory{stay}"));
    }

    /// The last server leaves the pool, and the sessions in its memory with it.
    fn drop_last_server(&mut self, action_no: u32) {
        let Some(no) = self.servers.last().map(|s| s.no) else { return };
        let dropped = self.drop_connections(no);
        let Some(mut gone) = self.servers.pop() else { return };
        let ran = gone.rooms.game.as_ref().map(|m| m.tick);
        let lost = gone.remove(self.now, &mut self.ledger);
        self.stats.sessions_lost += lost as u64;
        self.stats.sockets.matches_lost += u64::from(ran.is_some());
        let sockets = connections_gone(dropped, ran, self.config.app.uses_store());
        let files = self.files_lost(gone.no);
        let db = self.drop_db(gone.no);
        self.event(
            action_no,
            format!("S{} removed from the pool{}{sockets}{files}{db}", gone.no, sessions_gone(lost, ": ", "its")),
        );
    }

    fn event(&mut self, action: u32, text: String) {
        self.entries.push(Entry::Event(Event { action, at: self.now, text }));
    }

    pub(crate) fn fault(&mut self, no: u8, loss: Loss, action_no: u32) {
        let now = self.now;
        let Some(s) = self.servers.iter_mut().find(|s| s.no == no) else {
            return self.event(action_no, format!("there is no S{no}"));
        };
        if loss == Loss::Crashed && !s.up {
            return self.event(action_no, format!("S{no} is already down: nothing changed"));
        }
        let ran = s.rooms.game.as_ref().map(|m| m.tick);
        let lost = match loss {
            Loss::Restarted => s.restart(now, &mut self.ledger),
            Loss::Crashed => s.crash(now, &mut self.ledger),
            Loss::Removed => s.remove(now, &mut self.ledger),
        };
        let when = match (s.leaves_rotation_at(), s.rejoins_at()) {
            (Some(t), _) if t > now => format!("; health checks take it out of rotation at {t}"),
            (_, Some(t)) if t > now => format!("; it rejoins rotation at the next health check, {t}"),
            _ => String::new(),
        };
        self.stats.sessions_lost += lost as u64;
        self.stats.sockets.matches_lost += u64::from(ran.is_some());
        let dropped = self.drop_connections(no);
        let sockets = connections_gone(dropped, ran, self.config.app.uses_store());
        let files = self.files_lost(no);
        let db = self.drop_db(no);
        self.event(
            action_no,
            format!("S{no} {}{}{sockets}{files}{db}{when}", loss.verb(), sessions_gone(lost, ": ", "its")),
        );
    }

    /// A request made by the user's browser through the app, after the
    /// refresh the app makes first when its access token has expired.
    pub(crate) fn browse(&mut self, user: User, method: &str, target: String, body: Option<String>, action_no: u32) {
        let ci = user.index();
        if let Some(refresh) = self.refresh_request(ci, &target) {
            self.send(ci, refresh, true, action_no);
        }
        let req = self.clients[ci].request(self.config.auth.credential(), method, target, body, self.now);
        self.send(ci, req, true, action_no);
    }

    /// The `POST /token/refresh` a refresh lane's app sends before a request
    /// to `target` when the access token it holds has expired by its reckoning.
    fn refresh_request(&self, client: usize, target: &str) -> Option<Request> {
        let c = &self.clients[client];
        let due = self.config.auth == AuthMode::Refresh
            && !matches!(target, "/login" | REFRESH_PATH)
            && c.refresh_due(self.now);
        due.then(|| c.request(self.config.auth.credential(), "POST", REFRESH_PATH.into(), None, self.now))
    }

    /// Sends one request through the balancer and records the exchange.
    /// `absorb`: the browser keeps cookies and tokens from the answer
    /// (replays and hand-written requests go out like `curl`, and it does not).
    fn send(&mut self, client: usize, req: Request, absorb: bool, action_no: u32) {
        let x = self.exchange_for(client, req, absorb, action_no, true);
        self.stats.count(&x);
        self.entries.push(Entry::Exchange(Rc::new(x)));
    }

    fn exchange_for(&mut self, client: usize, req: Request, absorb: bool, action_no: u32, traced: bool) -> Exchange {
        let mut trace = Trace::new(traced);
        let now = self.now;
        let pick = self.balancer.pick(&req, &self.clients[client].addr, &self.servers, now, &mut self.rng, &trace);
        let mut cost = Cost { latency_ms: BALANCER_MS, ..Cost::default() };
        let mut tried = None;
        self.upgraded = None;
        let (server, reason, response) = match pick {
            Pick::NoneHealthy { reason } => (None, reason, own_response(NONE_HEALTHY_STATUS, "no healthy server", now)),
            Pick::Refused { slot: i, reason } => {
                let s = &self.servers[i];
                tried = Some(s.no);
                let until = s.leaves_rotation_at().map_or_else(String::new, |t| t.clock());
                // The twin's declared difference, said where it shows: real HAProxy
                // reports this refused connection as 503.
                trace.say(|| {
                    format!(
                        "S{} refused the connection: it is down, but health checks keep it in rotation until {until} (answered {REFUSED_STATUS} as nginx does; HAProxy answers 503)",
                        s.no
                    )
                });
                (None, reason, own_response(REFUSED_STATUS, &format!("S{} did not answer", s.no), now))
            }
            Pick::Forward { slot: i, reason, pin } => {
                let server = &mut self.servers[i];
                let mut cx = Ctx {
                    now: server.clock(now),
                    server,
                    backend: &mut self.backend,
                    config: &self.config,
                    rng: &mut self.rng,
                    trace: &mut trace,
                    cost,
                    ledger: &mut self.ledger,
                    upgraded: None,
                };
                let mut response = if self.config.app.is_http_files() {
                    crate::fleet::files::handle(&mut cx, &req)
                } else {
                    shop::handle(&mut cx, &req)
                };
                cost = cx.cost;
                self.upgraded = cx.upgraded.take();
                if pin {
                    response.headers.push("Set-Cookie", affinity_cookie(&self.servers[i]));
                }
                if traced && response.status == 401 {
                    self.explain_missing_session(&req, i, &mut trace);
                }
                (Some(self.servers[i].no), reason, response)
            }
        };
        if let Some(w) = cost.revocation_window_s {
            self.stats.revocation_window_s = Some(w);
        }
        self.stats.db_trips += u64::from(cost.db_trips);
        if absorb {
            let c = &mut self.clients[client];
            c.absorb(&req, &response, &self.config, now);
        }
        self.last_seq += 1;
        Exchange {
            seq: self.last_seq,
            lane: self.id,
            action: action_no,
            auth: self.config.auth,
            client: self.clients[client].name.clone(),
            at: now,
            // A WebSocket handshake's token rides in the URL (`access_token=…`).
            credential_bytes: (req.headers.wire_len_of("Authorization")
                + req.headers.wire_len_of("Cookie")
                + req.headers.wire_len_of(API_KEY_HEADER)
                + req.query(TOKEN_PARAM).map_or(0, |t| TOKEN_PARAM.len() + 1 + t.len()))
                as u32,
            request_bytes: req.wire_len() as u32,
            response_bytes: response.wire_len() as u32,
            request: req,
            server,
            balancer_reason: reason,
            trace: trace.steps,
            response,
            latency_ms: cost.latency_ms,
            store_trips: cost.store_trips,
            db_trips: cost.db_trips,
            tried,
            cut: None,
        }
    }

    /// The omniscient narrator: what became of the session id a server refused.
    fn explain_missing_session(&self, req: &Request, at: usize, trace: &mut Trace) {
        // A failed login's 401 is about the password, not the cookie it happens to carry.
        let authenticated = matches!(Route::parse(req.path()), Some(Route::User(_)));
        if !authenticated || !matches!(self.config.auth, AuthMode::ServerSession { .. }) {
            return;
        }
        let Some(id) = req.headers.get("Cookie").and_then(|c| cookie_value(c, SESSION_COOKIE)) else { return };
        trace.say(|| format!("({})", self.ledger.story(id, self.servers[at].no)));
    }

    /// The credential this lane's browser carries for `user`: the stored
    /// token, or the session cookie's value.
    pub fn credential(&self, user: User) -> Option<String> {
        self.clients[user.index()].credential(self.config.auth.credential(), self.now).map(str::to_owned)
    }

    /// A hand edit of the stored credential, as in devtools: the signature
    /// (if any) is kept, so the servers can tell.
    pub(crate) fn tamper(&mut self, user: User, edit: &TokenEdit, action_no: u32) {
        let who = user.username();
        if let TokenEdit::SetRefresh { value } = edit {
            return self.edit_refresh(user, value.clone(), action_no);
        }
        let what = self.config.auth.credential_name();
        let Some(old) = self.credential(user) else {
            return self.event(action_no, format!("{who} has no {what} to edit"));
        };
        let edited = match (self.config.auth, edit) {
            (_, TokenEdit::Set { value }) => {
                Ok((value.clone(), format!("{who} replaced the {what} with text typed by hand")))
            }
            (AuthMode::Jwt { .. } | AuthMode::Refresh, TokenEdit::Claim { name, value }) => jwt::tamper(&old, edit)
                .map(|t| {
                    (t, format!("{who} edited the token's payload: {name} → {value}; the signature is unchanged"))
                }),
            (AuthMode::Jwt { .. } | AuthMode::Refresh, TokenEdit::AlgNone) => jwt::tamper(&old, edit)
                .map(|t| (t, format!("{who} rewrote the token header to alg \"none\" and dropped the signature"))),
            (AuthMode::ServerSession { .. } | AuthMode::Opaque | AuthMode::ApiKey { .. }, _) => {
                // An opaque value holds no claims; all an attacker can do is guess another one.
                let guess = flip_last_hex(&old);
                let tail = guess[guess.len().saturating_sub(6)..].to_owned();
                Ok((guess, format!("{who}'s {what} is an opaque random value with no role inside to edit; changed it to …{tail} (guessing another)")))
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
            (_, TokenEdit::SetRefresh { .. }) => unreachable!("refresh edits return above"),
        };
        let text = match edited {
            Ok((value, text)) => {
                self.clients[user.index()].set_credential(self.config.auth.credential(), value);
                text
            }
            Err(e) => format!("{who}'s {what} could not be edited: {e}"),
        };
        self.event(action_no, text);
    }

    /// A hand edit of the refresh cookie (devtools can edit an `HttpOnly`
    /// cookie, which page scripts cannot read).
    fn edit_refresh(&mut self, user: User, value: String, action_no: u32) {
        let who = user.username();
        let text = if self.config.auth != AuthMode::Refresh {
            format!("{who}'s refresh cookie was not changed: a lane of {} issues no refresh tokens", self.config.auth)
        } else if self.clients[user.index()].jar.edit(REFRESH_COOKIE, value) {
            format!("{who} replaced the refresh token in its cookie with text typed by hand; the app's next refresh sends it")
        } else {
            format!("{who} has no refresh cookie to edit: log in first")
        };
        self.event(action_no, text);
    }

    /// A burst of traffic from load users, told in one event: the same users
    /// and requests as a load run's (`traffic.rs`), cycling through the
    /// profile, the cart and the first orders page.
    ///
    /// A connection lane refuses it, and says why: its load users would hold
    /// connections whose bytes the playground does not keep (a burst is
    /// counted, never recorded), yet whose reconnects after a crash would be
    /// recorded like anyone's; the load panel and `statelab load` run the
    /// same users on connections, apart from what the learner plays.
    pub(crate) fn load(&mut self, users: u16, requests: u32, action_no: u32) {
        let app = self.config.app;
        if app.is_connection() {
            let what = if matches!(app, App::Game(_)) { "moves" } else { "chat lines" };
            return self.event(
                action_no,
                format!(
                    "load: not run here. This lane's servers run the {app}, so its load users would each hold a WebSocket and send {what}, not shop requests; the history keeps every byte of every connection, which a burst of {users} connections would not. The load panel (or `statelab load --config` with this lane's code) opens them, sends {what} and counts deliveries, misses and reconnects"
                ),
            );
        }
        let users = u32::from(users.max(1));
        self.add_load_users(users);
        let before = self.stats.clone();
        let handled: Vec<u64> = self.servers.iter().map(|s| s.handled).collect();
        for k in 0..requests {
            let route = [LoadRoute::Me, LoadRoute::Cart, LoadRoute::Orders][((k / users) % 3) as usize];
            self.traffic(k % users, route, action_no);
        }
        let ok = (self.stats.requests - before.requests) - (self.stats.failed - before.failed);
        let failed = self.stats.failed - before.failed;
        let spread: Vec<String> =
            self.servers.iter().zip(&handled).map(|(s, h)| format!("S{} {}", s.no, s.handled - h)).collect();
        self.event(
            action_no,
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

/// An event's clause on the sessions a wipe took, after `lead`; empty when
/// there were none. `whose` memory: "its" for one server, "server" for all.
fn sessions_gone(n: usize, lead: &str, whose: &str) -> String {
    match n {
        0 => String::new(),
        1 => format!("{lead}1 session in {whose} memory is gone"),
        n => format!("{lead}{n} sessions in {whose} memory are gone"),
    }
}

/// An event's clause on the connections a dead process took and the match
/// it ran; empty when there were none.
fn connections_gone(n: usize, match_tick: Option<u32>, checkpointed: bool) -> String {
    let mut out = match n {
        0 => String::new(),
        1 => "; 1 WebSocket connection dropped with no close frame (its client sees 1006 and reconnects after a backoff)".into(),
        n => format!("; {n} WebSocket connections dropped with no close frame (their clients see 1006 and reconnect after a backoff)"),
    };
    match (match_tick, checkpointed) {
        (Some(tick), false) => out.push_str(&format!("; the match it ran in memory, at tick {tick}, is gone")),
        (Some(tick), true) => out.push_str(&format!(
            "; the match it ran, at tick {tick}, is gone from its memory (the store holds its last checkpoint)"
        )),
        (None, _) => {}
    }
    out
}

fn flip_last_hex(id: &str) -> String {
    let mut s = id.to_owned();
    if let Some(last) = s.pop() {
        s.push(if last == '0' { '1' } else { '0' });
    }
    s
}
