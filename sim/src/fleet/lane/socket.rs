//! A lane's WebSocket connections: opening one through the balancer, the
//! frames of a user's chat and game actions, a server's drain, and the
//! reconnects a lost connection sets off, with their backoff drawn from the
//! lane's seeded stream. A connection is pinned to the server that accepted
//! it: nothing here asks the balancer again until the app reconnects.

use super::traffic::Outcome;
use super::Lane;
use crate::base::ids::{ServerNo, User};
use crate::base::time::SimTime;
use crate::fleet::auth;
use crate::fleet::client::Socket;
use crate::fleet::config::{App, AuthMode, Credential, Store, TokenIn, HOST, ORIGIN};
use crate::fleet::connection::{
    backoff_ms, Chunk, Closed, Connection, FrameRecord, Miss, SocketRecord, TUNNEL_TIMEOUT_MS,
};
use crate::fleet::exchange::{Entry, Trace};
use crate::fleet::handling::{Cost, Ctx};
use crate::fleet::socket;
use crate::fleet::socket::handshake::TOKEN_PARAM;
use crate::wire::http::Request;
use crate::wire::json::ObjectWriter;
use crate::wire::ws::{self, Frame};
use std::rc::Rc;

mod load;
use load::room_of as load_room;
pub(crate) use load::LoadTurn;

/// Load users meet in rooms of this many (`u00001`…`u00020` in the first):
/// a message reaches at most this many connections, so a run's work grows
/// with its users, not with their square.
pub const ROOM_USERS: u32 = 20;

/// Where a connection is: its client's index, its room (0: the named users'
/// room; load users' from 1) and the server that holds it.
#[derive(Clone, Copy, Debug)]
pub(in crate::fleet) struct Seat {
    client: u32,
    room: u32,
    server: ServerNo,
}

/// What a user's action sends on an open connection.
pub(crate) enum Send<'a> {
    Say(&'a str),
    Move(i8, i8),
    Ping,
}

impl Lane {
    /// Every WebSocket connection this lane opened, in order (`ws#1` first).
    pub fn connections(&self) -> &[Connection] {
        &self.conns
    }

    /// Connection `ws#id`, if this lane opened it.
    pub fn connection(&self, id: u32) -> Option<&Connection> {
        self.conns.get(usize::try_from(id).ok()?.checked_sub(1)?)
    }

    /// Bytes server `no` holds for the connections open on it: for each, the
    /// user it takes the other end to be, the connection's id in its room's
    /// member list (4 bytes), and on a lane that re-checks, the credential
    /// it re-checks; plus 4 bytes (the tick) for each load room's match it
    /// runs. A real server also keeps a socket and buffers per connection,
    /// which depend on the runtime and are not counted.
    pub fn connection_bytes(&self, no: ServerNo) -> u32 {
        let open = self.room_open.iter().flatten().filter(|&&id| self.seats[id as usize - 1].server == no);
        let held: usize = open
            .map(|&id| {
                let c = &self.conns[id as usize - 1];
                let credential = c.credential.as_ref().filter(|_| self.config.recheck).map_or(0, |(_, v)| v.len());
                c.user.as_ref().map_or(0, String::len) + 4 + credential
            })
            .sum();
        let matches = self.load_matches.range((no, 0)..=(no, u32::MAX)).count() * 4;
        u32::try_from(held + matches).unwrap_or(u32::MAX)
    }

    /// `connect alice`: the app opens its WebSocket.
    pub(crate) fn connect(&mut self, user: User, action_no: u32) {
        let ci = user.index();
        let who = user.username();
        if !self.config.app.is_connection() {
            return self.event(
                action_no,
                format!("{who} has nothing to connect to: this lane's servers run the shop API, where every request stands alone"),
            );
        }
        if let Socket::Open(id) = self.clients[ci].socket {
            let on = self.conns[id as usize - 1].server;
            return self.event(action_no, format!("{who} is already connected: ws#{id} on S{on}"));
        }
        self.unschedule(ci);
        self.open(ci, action_no, None);
    }

    /// A user's message on the open connection (a chat line, a game move),
    /// or the server's keepalive ping on it and the browser's pong.
    pub(crate) fn send_frame(&mut self, user: User, what: Send, action_no: u32) {
        let who = user.username();
        let app = self.config.app;
        let fits = match what {
            Send::Say(_) => matches!(app, App::Chat(_)),
            Send::Move(..) => matches!(app, App::Game(_)),
            Send::Ping => app.is_connection(),
        };
        if !fits {
            return self
                .event(action_no, format!("{who}'s app sends nothing of the kind: this lane's servers run the {app}"));
        }
        let Some(id) = self.open_conn(user.index()) else {
            return self.event(action_no, format!("{who} has no open connection: {}", self.why_closed(user.index())));
        };
        let json = match what {
            Send::Say(text) => Some(ObjectWriter::new().str("type", "say").str("text", text).finish()),
            Send::Move(dx, dy) => Some(format!("{{\"type\":\"move\",\"dx\":{dx},\"dy\":{dy}}}")),
            Send::Ping => None,
        };
        let mut rec = self.record(id, action_no);
        match json.as_deref() {
            Some(json) => self.client_frame(&mut rec, id, Frame::text(json)),
            None => {
                // Browsers give scripts no ping (RFC 6455 leaves it to the
                // endpoint; the WebSocket API has none): the server sends it,
                // and the browser answers by itself. A re-checking server
                // re-checks on the pong, as on any frame it reads.
                let on = self.conns[id as usize - 1].server;
                self.server_frame(&mut rec, id, Frame::ping(b"ping"));
                self.client_frame(&mut rec, id, Frame::pong(b"ping"));
                rec.trace.push(format!("S{on} pings its connection to keep it alive; {who}'s browser answers pong by itself (a page script can neither send a ping nor see one)"));
            }
        }
        if !self.recheck(id, &mut rec) {
            return self.finish(rec);
        }
        let conn = &self.conns[id as usize - 1];
        let (server, user_name) = (conn.server, conn.user.clone().unwrap_or_default());
        match what {
            Send::Ping => {}
            Send::Say(text) => {
                let said = self.at_server(server, &mut rec, |cx| socket::say(cx, &user_name, text));
                self.pass_on(&mut rec, id, said);
            }
            Send::Move(dx, dy) => {
                let moved = self.at_server(server, &mut rec, |cx| socket::move_player(cx, &user_name, dx, dy));
                self.pass_on(&mut rec, id, moved);
            }
        }
        self.finish(rec);
    }

    /// `frame alice …`: frames the user typed by hand go out exactly as typed
    /// on the open connection, and the server acts on each as it does on the
    /// app's: a say or a move in a text message is handled, any other
    /// message gets its error frame, a ping its pong, and a close the
    /// closing handshake. Fragments are joined into their message first.
    /// The bytes were checked ([`ws::parse_typed_frames`]) before the action
    /// was logged.
    pub(crate) fn typed_frames(&mut self, user: User, bytes: &[u8], action_no: u32) {
        let who = user.username();
        let app = self.config.app;
        if !app.is_connection() {
            return self.event(
                action_no,
                format!("{who} has no connection to type frames on: this lane's servers run the {app}"),
            );
        }
        let Some(id) = self.open_conn(user.index()) else {
            return self.event(action_no, format!("{who} has no open connection: {}", self.why_closed(user.index())));
        };
        let Ok(frames) = ws::parse_typed_frames(bytes) else {
            return self.event(action_no, format!("{who}'s typed bytes are not a client's frames: nothing sent"));
        };
        let mut rec = self.record(id, action_no);
        let no = self.conns[id as usize - 1].server;
        let n = frames.len();
        rec.trace.push(format!(
            "{who} typed {n} frame{} by hand ({} bytes), sent as typed: S{no} reads each as it reads the app's",
            plural(n),
            bytes.len()
        ));
        // The message whose fragments are arriving: its opcode and payload so far.
        let mut message: Option<(ws::Opcode, Vec<u8>)> = None;
        for (i, frame) in frames.into_iter().enumerate() {
            let (opcode, fin, payload) = (frame.opcode, frame.fin, frame.payload.clone());
            self.put(&mut rec, id, true, frame);
            if i == 0 && !self.recheck(id, &mut rec) {
                if n > 1 {
                    rec.trace.push(format!("S{no} closed before reading the other {} typed frames", n - 1));
                }
                break;
            }
            match opcode {
                ws::Opcode::Ping => {
                    rec.trace.push(format!(
                        "a ping: S{no} answers with a pong carrying the same {} bytes (RFC 6455 §5.5.2)",
                        payload.len()
                    ));
                    self.server_frame(&mut rec, id, Frame { fin: true, opcode: ws::Opcode::Pong, mask: None, payload });
                }
                ws::Opcode::Pong => {
                    rec.trace.push(format!("a pong nobody asked for: S{no} ignores it (RFC 6455 §5.5.3 allows one)"));
                }
                ws::Opcode::Close => {
                    let echo = match payload.get(..2) {
                        Some(code) => {
                            Frame { fin: true, opcode: ws::Opcode::Close, mask: None, payload: code.to_vec() }
                        }
                        None => Frame { fin: true, opcode: ws::Opcode::Close, mask: None, payload: Vec::new() },
                    };
                    let code = echo.close_code().unwrap_or(1005);
                    self.server_frame(&mut rec, id, echo);
                    rec.trace.push(format!(
                        "closing handshake: the client sent {}, S{no} echoed its code; the app will not reconnect",
                        if code == 1005 {
                            "a close with no code (each end reports 1005)".to_owned()
                        } else {
                            format!("{code} ({})", ws::close_code_meaning(code))
                        }
                    ));
                    self.close(id, code);
                    break;
                }
                ws::Opcode::Text | ws::Opcode::Binary if !fin => {
                    rec.trace
                        .push(format!("the first fragment of a {} message: S{no} waits for the rest", opcode.name()));
                    message = Some((opcode, payload));
                }
                ws::Opcode::Continuation => {
                    let Some((first, mut so_far)) = message.take() else { continue };
                    so_far.extend_from_slice(&payload);
                    if fin {
                        self.act_on_message(&mut rec, id, first, so_far);
                    } else {
                        message = Some((first, so_far));
                    }
                }
                ws::Opcode::Text | ws::Opcode::Binary => self.act_on_message(&mut rec, id, opcode, payload),
            }
        }
        self.finish(rec);
    }

    /// A whole message a client sent by hand, read as the server reads the app's.
    fn act_on_message(&mut self, rec: &mut SocketRecord, id: u32, opcode: ws::Opcode, payload: Vec<u8>) {
        let app = self.config.app;
        let conn = &self.conns[id as usize - 1];
        let (server, user_name) = (conn.server, conn.user.clone().unwrap_or_default());
        let text = match (opcode, String::from_utf8(payload)) {
            (ws::Opcode::Text, Ok(text)) => text,
            _ => {
                let why = format!("S{server} reads JSON in text frames: a binary message means nothing to the {app}");
                return self.pass_on(rec, id, Err(why));
            }
        };
        let json = match crate::wire::json::Json::parse(&text) {
            Ok(v) => v,
            Err(e) => return self.pass_on(rec, id, Err(format!("S{server} could not read the message as JSON: {e}"))),
        };
        let kind = json.get("type").and_then(|t| t.as_str()).unwrap_or_default().to_owned();
        let step = |k: &str| match json.get(k) {
            Some(crate::wire::json::Json::Num(n)) => n.parse::<i8>().ok().filter(|d| (-1..=1).contains(d)),
            _ => None,
        };
        let said = match (app, kind.as_str()) {
            (App::Chat(_), "say") => match json.get("text").and_then(|t| t.as_str()) {
                Some(said) => {
                    let said = said.to_owned();
                    self.at_server(server, rec, |cx| socket::say(cx, &user_name, &said))
                }
                None => Err(format!(
                    "S{server} reads a say as {{\"type\":\"say\",\"text\":\"…\"}}: this one has no text string"
                )),
            },
            (App::Game(_), "move") => match (step("dx"), step("dy")) {
                (Some(dx), Some(dy)) => self.at_server(server, rec, |cx| socket::move_player(cx, &user_name, dx, dy)),
                _ => Err(format!("S{server} reads a move as {{\"type\":\"move\",\"dx\":…,\"dy\":…}}, each -1, 0 or 1")),
            },
            (_, "auth") => {
                Err(format!("this connection is already {user_name}'s: an auth message comes first, and once"))
            }
            _ => {
                let expects = match app {
                    App::Game(_) => r#"{"type":"move",…}"#,
                    _ => r#"{"type":"say",…}"#,
                };
                let kind = if kind.is_empty() {
                    "a message with no type".to_owned()
                } else {
                    format!("type `{}`", crate::base::quote::quoted(&kind))
                };
                Err(format!("S{server}'s {app} does not know {kind}: it reads {expects}"))
            }
        };
        self.pass_on(rec, id, said);
    }

    /// `disconnect alice`: the app closes its connection with 1000, and the
    /// server answers in kind. It does not reconnect.
    pub(crate) fn disconnect(&mut self, user: User, action_no: u32) {
        let ci = user.index();
        let Some(id) = self.open_conn(ci) else {
            let why = self.why_closed(ci);
            self.unschedule(ci);
            self.clients[ci].socket = Socket::Closed;
            return self.event(action_no, format!("{} has no open connection: {why}", user.username()));
        };
        let mut rec = self.record(id, action_no);
        self.client_frame(&mut rec, id, Frame::close(1000, "bye"));
        self.server_frame(&mut rec, id, Frame::close(1000, "bye"));
        rec.trace.push("closing handshake: the client sent 1000 (normal closure), the server echoed it; the app will not reconnect".into());
        self.close(id, 1000);
        self.finish(rec);
    }

    /// `drain 2`: S2 leaves rotation, stays up, and closes each of its
    /// connections with 1001; their apps reconnect elsewhere after a backoff.
    pub(crate) fn drain(&mut self, no: ServerNo, action_no: u32) {
        let Some(slot) = self.servers.iter().position(|s| s.no == no) else {
            return self.event(action_no, format!("there is no S{no}"));
        };
        if !self.servers[slot].up || self.servers[slot].draining {
            return self.event(action_no, format!("S{no} is not in service: nothing to drain"));
        }
        self.servers[slot].draining = true;
        let ids = self.open_on(no);
        for &id in &ids {
            let mut rec = self.record(id, action_no);
            self.server_frame(&mut rec, id, Frame::close(1001, "going away"));
            self.client_frame(&mut rec, id, Frame::close(1001, "going away"));
            self.close(id, 1001);
            self.stats.sockets.going_away += 1;
            let ci = self.client_index(id);
            let at = self.schedule(ci, 0);
            rec.trace.push(format!(
                "S{no} is draining: it said 1001 (going away) and the client echoed it; the app reconnects at {} after its backoff",
                at.clock()
            ));
            self.finish(rec);
        }
        let n = ids.len();
        self.event(
            action_no,
            format!("S{no} drains: out of rotation, still up; {n} connection{} closed with 1001 going away (restart S{no} to put it back)", plural(n)),
        );
    }

    /// Every connection on server `no` ends at once with no close frame, as
    /// when its process dies: each client sees 1006 and reconnects after its
    /// backoff. Returns how many there were.
    pub(super) fn drop_connections(&mut self, no: ServerNo) -> usize {
        self.wipe_load_matches(no);
        let ids = self.open_on(no);
        for &id in &ids {
            self.close(id, 1006);
            self.stats.sockets.dropped += 1;
            let ci = self.client_index(id);
            self.schedule(ci, 0);
        }
        ids.len()
    }

    /// The clock moves by `ms`, and every reconnect that falls due on the
    /// way goes out at its time, in time order (ties: the earlier client).
    pub(crate) fn pass_time(&mut self, ms: u64, action_no: u32) {
        self.advance(ms, action_no, true);
    }

    /// [`Lane::pass_time`] for a load run, which sweeps only when it looks
    /// at what is held (a sweep visits every session).
    pub(crate) fn pass_time_unswept(&mut self, ms: u64) {
        self.advance(ms, 0, false);
    }

    fn advance(&mut self, ms: u64, action_no: u32, sweep: bool) {
        let until = self.now.plus_ms(ms);
        loop {
            let retry = self.retries.iter().next().copied().filter(|(at, _)| *at <= until && self.sockets());
            // A load run's users send every second, far inside the tunnel timeout.
            let idle = if sweep { self.next_idle(until) } else { None };
            let (at, ci) = match (retry, idle) {
                (None, None) => break,
                (Some(r), None) => r,
                (Some(r), Some((at, _))) if r.0 < at => r,
                (_, Some((at, id))) => {
                    self.now = self.now.max(at);
                    self.sweep();
                    self.idle_close(id, action_no);
                    continue;
                }
            };
            self.retries.remove(&(at, ci));
            if at > self.now {
                self.now = at;
                if sweep {
                    self.sweep();
                }
            }
            let attempt = match self.clients[ci].socket {
                Socket::Retrying { attempt, .. } => attempt,
                _ => continue,
            };
            self.clients[ci].socket = Socket::Closed;
            self.open(ci, action_no, Some(attempt));
        }
        self.now = until;
        if sweep {
            self.sweep();
            self.file_progress(action_no);
        }
    }

    /// The open connection whose tunnel times out first, by `until`, and when.
    fn next_idle(&self, until: SimTime) -> Option<(SimTime, u32)> {
        if !self.sockets() {
            return None;
        }
        self.conns
            .iter()
            .filter(|c| c.open())
            .map(|c| (c.last_active.plus_ms(TUNNEL_TIMEOUT_MS), c.id))
            .filter(|(at, _)| *at <= until)
            .min()
    }

    /// The balancer closes connection `id`, idle for its whole tunnel
    /// timeout: no close frame, so the client sees 1006 and reconnects.
    fn idle_close(&mut self, id: u32, action_no: u32) {
        let (client, server) = {
            let c = &self.conns[id as usize - 1];
            (c.client.clone(), c.server)
        };
        self.close(id, 1006);
        self.stats.sockets.dropped += 1;
        let ci = self.client_index(id);
        let at = self.schedule(ci, 0);
        self.event(
            action_no,
            format!(
                "the balancer closed ws#{id} ({client} ⇄ S{server}) after {} with no frame either way (HAProxy's timeout tunnel): no close frame, so {client}'s browser sees 1006, and the app reconnects at {}",
                crate::base::time::human_duration(TUNNEL_TIMEOUT_MS / 1000),
                at.clock()
            ),
        );
    }

    /// Opens client `ci`'s connection: the handshake through the balancer,
    /// then the first message or the welcome. `retry`: the attempt number
    /// when the app is reconnecting by itself.
    pub(super) fn open(&mut self, ci: usize, action_no: u32, retry: Option<u32>) -> Outcome {
        let path = self.config.app.socket_path().unwrap_or_default();
        let (mut refreshed, mut before_ms, mut before_trips) = (false, 0, 0);
        if let Some(refresh) = self.refresh_request(ci, path) {
            if self.keep_wire {
                self.send(ci, refresh, true, action_no);
            } else {
                let x = self.exchange_for(ci, refresh, true, action_no, false);
                self.stats.count(&x);
                (refreshed, before_ms, before_trips) = (true, x.latency_ms, x.store_trips);
            }
        }
        let req = self.handshake_request(ci);
        let mut x = self.exchange_for(ci, req, true, action_no, self.keep_wire);
        let accepted = self.upgraded.take();
        if let Some(k) = retry {
            x.trace.insert(
                0,
                format!("{}'s app reconnects by itself (attempt {} since the connection was lost)", x.client, k + 1),
            );
        }
        self.stats.count(&x);
        let (status, server, seq) = (x.response.status, x.server, x.seq);
        let outcome = Outcome {
            status,
            server,
            latency_ms: x.latency_ms.saturating_add(before_ms),
            credential_bytes: x.credential_bytes,
            login: false,
            refreshed,
            store_trips: x.store_trips.saturating_add(before_trips),
        };
        let wire = self.keep_wire.then(|| {
            vec![
                Chunk { from_client: true, bytes: x.request.to_wire().into_bytes() },
                Chunk { from_client: false, bytes: x.response.to_wire().into_bytes() },
            ]
        });
        // Only a re-check reads it again; a load run keeps it for nothing else.
        let credential = (self.keep_wire || self.config.recheck).then(|| self.credential_header(&x.request)).flatten();
        if self.keep_wire {
            self.entries.push(Entry::Exchange(Rc::new(x)));
        }
        let (Some(user), Some(no)) = (accepted, server.filter(|_| status == 101)) else {
            self.refused(ci, status, retry);
            return outcome;
        };
        let id = self.conns.len() as u32 + 1;
        self.conns.push(Connection {
            id,
            client: self.clients[ci].name.clone(),
            server: no,
            handshake: seq,
            opened: self.now,
            last_active: self.now,
            user: user.clone(),
            credential,
            closed: None,
            wire: wire.unwrap_or_default(),
        });
        let room = load_room(ci);
        self.seats.push(Seat { client: ci as u32, room, server: no });
        let r = room as usize;
        if self.room_open.len() <= r {
            self.room_open.resize_with(r + 1, Vec::new);
        }
        // Ids only grow: pushing keeps each room in id order.
        self.room_open[r].push(id);
        if let Some(s) = self.servers.iter_mut().find(|s| s.no == no) {
            s.connections += 1;
        }
        self.clients[ci].socket = Socket::Open(id);
        self.stats.sockets.opened += 1;
        self.stats.sockets.reconnects += u64::from(retry.is_some());
        if room > 0 && !self.keep_wire && user.is_some() {
            self.load_welcome(no, room);
            return outcome;
        }
        let mut rec = self.record(id, action_no);
        let user = match user {
            Some(u) => u,
            None => match self.first_message(&mut rec, id, ci) {
                Some(u) => u,
                None => {
                    self.finish(rec);
                    return outcome;
                }
            },
        };
        if room > 0 && !self.keep_wire {
            self.load_welcome(no, room);
            self.finish(rec);
            return outcome;
        }
        let app = self.config.app;
        let (welcome, took_up) = self.at_server(no, &mut rec, |cx| match app {
            App::Game(_) => socket::join_game(cx, &user),
            _ => (socket::chat_welcome(cx, &user), false),
        });
        self.stats.sockets.matches_resumed += u64::from(took_up);
        self.server_frame(&mut rec, id, Frame::text(&welcome));
        self.finish(rec);
        outcome
    }

    /// A handshake that did not end in 101: the app tries again later when
    /// the fleet did not answer (502, 503), and gives up when it was refused.
    fn refused(&mut self, ci: usize, status: u16, retry: Option<u32>) {
        if retry.is_some() {
            self.stats.sockets.failed_attempts += 1;
        }
        if matches!(status, 502..=504) {
            self.schedule(ci, retry.map_or(0, |k| k.saturating_add(1)));
        } else {
            self.clients[ci].socket = Socket::Closed;
        }
    }

    /// The token in the first message (`TokenIn::FirstMessage`): the server
    /// checks it as it would an `Authorization` header, and closes with 1008
    /// if it does not hold. Returns the user it proves.
    fn first_message(&mut self, rec: &mut SocketRecord, id: u32, ci: usize) -> Option<String> {
        let token = self.clients[ci].token.clone().unwrap_or_default();
        let json = ObjectWriter::new().str("type", "auth").str("token", &token).finish();
        self.client_frame(rec, id, Frame::text(&json));
        let no = self.conns[id as usize - 1].server;
        let header = self.bearer_header(&token);
        let req = self.probe(header.clone());
        let who = self.at_server(no, rec, |cx| auth::authenticate(cx, &req, false).map(|p| p.user));
        match who {
            Ok(user) => {
                rec.trace.push(format!(
                    "the first message proves the connection is {user}'s: it is the session from now on"
                ));
                let conn = &mut self.conns[id as usize - 1];
                conn.user = Some(user.clone());
                conn.credential = Some(header);
                Some(user)
            }
            Err(_) => {
                self.server_frame(rec, id, Frame::close(1008, "invalid token"));
                self.client_frame(rec, id, Frame::close(1008, "invalid token"));
                rec.trace.push("the first message's token was refused: closed with 1008 (policy violation); the app does not retry with the same token".into());
                self.stats.sockets.policy_closed += 1;
                self.close(id, 1008);
                None
            }
        }
    }

    /// With `recheck`, the server checks the connection's credential again
    /// before it acts on a frame, and closes with 1008 if it no longer holds.
    /// Without, it says that it does not, and the narrator says what a
    /// check would have found. Returns whether the frame is acted on.
    fn recheck(&mut self, id: u32, rec: &mut SocketRecord) -> bool {
        let conn = &self.conns[id as usize - 1];
        let (no, opened, credential) = (conn.server, conn.opened, conn.credential.clone());
        let Some(credential) = credential else { return true };
        if !self.config.recheck {
            // Said when it matters: the credential would be refused now.
            if let Some(why) = self.lapsed(&credential.1, no) {
                rec.trace.push(format!(
                    "S{no} does not check the credential again: it was checked once, at the handshake ({}); a fresh request with it would get 401 ({why}), but this connection carries on",
                    opened.clock()
                ));
            }
            return true;
        }
        let req = self.probe(credential);
        let checked = self.at_server(no, rec, |cx| auth::authenticate(cx, &req, false).map(|_| ()));
        match checked {
            Ok(()) => {
                rec.trace.push(format!("S{no} re-checked the credential: it still holds"));
                true
            }
            Err(r) if r.status == 503 => {
                self.server_frame(rec, id, Frame::close(1011, "store unavailable"));
                self.client_frame(rec, id, Frame::close(1011, "store unavailable"));
                self.close(id, 1011);
                let ci = self.client_index(id);
                let at = self.schedule(ci, 0);
                rec.trace.push(format!(
                    "S{no} could not re-check (the store is down): closed with 1011; the app reconnects at {}",
                    at.clock()
                ));
                false
            }
            Err(_) => {
                self.server_frame(rec, id, Frame::close(1008, "credential no longer valid"));
                self.client_frame(rec, id, Frame::close(1008, "credential no longer valid"));
                self.close(id, 1008);
                self.stats.sockets.policy_closed += 1;
                rec.trace.push(format!("S{no} re-checked the credential and it no longer holds: closed with 1008 (policy violation); the frame was not acted on, and the app must log in again"));
                false
            }
        }
    }

    /// The narrator's aside when nobody checks: why a JWT the connection
    /// opened with would be refused now on its server's clock (expired,
    /// its key dropped); `None` while it holds, or for other credentials.
    fn lapsed(&self, header: &str, no: ServerNo) -> Option<String> {
        let token = header.strip_prefix("Bearer ").filter(|_| self.config.auth.sends_jwt())?;
        let now = self.server(no).map_or(self.now, |s| s.clock(self.now));
        crate::wire::jwt::inspect(token, self.keys(), now.secs()).ok()?.verdict.err().map(|e| e.to_string())
    }

    /// Sends `said` (a server's message, or why it could not) to whoever the
    /// server that holds connection `id` can reach, and says who it cannot.
    fn pass_on(&mut self, rec: &mut SocketRecord, id: u32, said: Result<String, String>) {
        let from = self.conns[id as usize - 1].server;
        let message = match said {
            Ok(m) => m,
            Err(why) => {
                let json = ObjectWriter::new().str("type", "error").str("error", &why).finish();
                self.server_frame(rec, id, Frame::text(&json));
                rec.trace.push(why.clone());
                // A message pub/sub could not carry reaches nobody else in the
                // room (other refusals, like an unknown message type, were never
                // meant for them).
                let room = self.seats[id as usize - 1].room as usize;
                let unsent = why == socket::NOT_SENT;
                let others: Vec<(u32, ServerNo)> = self.room_open[room]
                    .iter()
                    .filter(|&&cid| unsent && cid != id)
                    .map(|&cid| (cid, self.seats[cid as usize - 1].server))
                    .collect();
                for (cid, on) in others {
                    self.stats.sockets.missed += 1;
                    if self.keep_wire {
                        let client = self.conns[cid as usize - 1].client.clone();
                        miss(rec, Miss { conn: Some(cid), client, server: Some(on), retry_at: None, why: why.clone() });
                    }
                }
                return;
            }
        };
        // Pub/sub reaches every server that is up (each subscribed when it
        // started); a room in memory, or a match, only its own server.
        let fans_out = self.config.app == App::Chat(Store::Shared);
        let reaches = |s: ServerNo, lane: &Lane| s == from || (fans_out && lane.server(s).is_some_and(|s| s.up));
        let room = self.seats[id as usize - 1].room as usize;
        let open: Vec<(u32, ServerNo)> =
            self.room_open[room].iter().map(|&cid| (cid, self.seats[cid as usize - 1].server)).collect();
        let mut got = Vec::new();
        for (cid, on) in open {
            if reaches(on, self) {
                self.server_frame(rec, cid, Frame::text(&message));
                self.stats.sockets.delivered += 1;
                got.push(self.conns[cid as usize - 1].client.clone());
            } else {
                self.stats.sockets.missed += 1;
                if self.keep_wire {
                    let why = match self.config.app {
                        App::Game(_) => format!(
                            "S{on} runs its own {} in its memory, which never hears of this move",
                            self.config.app.room()
                        ),
                        _ => format!("the room's messages live in S{from}'s memory, and S{on} never hears of them"),
                    };
                    let client = self.conns[cid as usize - 1].client.clone();
                    miss(rec, Miss { conn: Some(cid), client, server: Some(on), retry_at: None, why });
                }
            }
        }
        if self.keep_wire {
            rec.trace.push(format!("delivered to {} connection{}: {}", got.len(), plural(got.len()), got.join(", ")));
            for user in User::ALL {
                if let Socket::Retrying { at, .. } = self.clients[user.index()].socket {
                    let later = if fans_out {
                        "it stays in the store's recent messages, which the welcome will carry"
                    } else {
                        "nothing keeps it for them"
                    };
                    let client = user.username().to_owned();
                    miss(rec, Miss { conn: None, client, server: None, retry_at: Some(at), why: later.into() });
                }
            }
        }
    }

    /// The handshake as the browser sends it (RFC 6455 §4.1): no
    /// `Authorization` is possible, so a token goes in the URL unless it is
    /// to come in the first message; cookies go as on any request.
    fn handshake_request(&mut self, ci: usize) -> Request {
        let app = self.config.app;
        let path = app.socket_path().unwrap_or_default();
        let c = &self.clients[ci];
        let mut target = match load_room(ci) {
            0 => format!("{path}?room={}", app.room()),
            r => format!("{path}?room={}-{r}", app.room()),
        };
        let bearer = matches!(self.config.auth.credential(), Credential::Bearer | Credential::ApiKey);
        if let (true, TokenIn::Query, Some(t)) = (bearer, self.config.ws_token, c.token.as_deref()) {
            target = format!("{target}&{TOKEN_PARAM}={t}");
        }
        let mut req = Request::new("GET", target);
        req.headers.push("Host", HOST);
        req.headers.push("Upgrade", "websocket");
        req.headers.push("Connection", "Upgrade");
        let mut nonce = [0u8; 16];
        nonce[..8].copy_from_slice(&self.rng.next_u64().to_le_bytes());
        nonce[8..].copy_from_slice(&self.rng.next_u64().to_le_bytes());
        req.headers.push("Sec-WebSocket-Key", ws::key_from_bytes(nonce));
        req.headers.push("Sec-WebSocket-Version", "13");
        req.headers.push("Origin", ORIGIN);
        if let Some(cookies) = c.jar.header_for(HOST, path, true, self.now) {
            req.headers.push("Cookie", cookies);
        }
        req
    }

    /// The credential a connection opened with, as the header a re-check
    /// presents: the URL's token as `Authorization`, or the handshake's
    /// cookies; `None` when the token is to come in the first message.
    fn credential_header(&self, req: &Request) -> Option<(&'static str, String)> {
        match self.config.auth.credential() {
            Credential::Cookie(_) => req.headers.get("Cookie").map(|c| ("Cookie", c.to_owned())),
            Credential::Bearer | Credential::ApiKey => req.query(TOKEN_PARAM).map(|t| self.bearer_header(t)),
        }
    }

    fn bearer_header(&self, token: &str) -> (&'static str, String) {
        match self.config.auth {
            AuthMode::ApiKey { .. } => (crate::fleet::config::API_KEY_HEADER, token.to_owned()),
            _ => ("Authorization", format!("Bearer {token}")),
        }
    }

    /// A request that presents `credential` to the app's socket path: what
    /// authentication reads when a server checks a connection.
    fn probe(&self, (name, value): (&'static str, String)) -> Request {
        let mut req = Request::new("GET", self.config.app.socket_path().unwrap_or_default());
        req.headers.push("Host", HOST);
        req.headers.push(name, value);
        req
    }

    /// Runs `f` on server `no` as it handles a frame, its trace lines and
    /// store round trips added to `rec`.
    fn at_server<R>(&mut self, no: ServerNo, rec: &mut SocketRecord, f: impl FnOnce(&mut Ctx) -> R) -> R {
        let slot = self.servers.iter().position(|s| s.no == no).unwrap_or(0);
        let mut t = Trace::new(self.keep_wire);
        let server = &mut self.servers[slot];
        let mut cx = Ctx {
            now: server.clock(self.now),
            server,
            backend: &mut self.backend,
            config: &self.config,
            rng: &mut self.rng,
            trace: &mut t,
            cost: Cost::default(),
            ledger: &mut self.ledger,
            upgraded: None,
        };
        let r = f(&mut cx);
        let cost = cx.cost;
        self.stats.store_trips += u64::from(cost.store_trips);
        self.stats.db_trips += u64::from(cost.db_trips);
        rec.store_trips = rec.store_trips.saturating_add(cost.store_trips);
        rec.trace.extend(t.steps);
        r
    }

    fn record(&self, id: u32, action_no: u32) -> SocketRecord {
        let conn = &self.conns[id as usize - 1];
        SocketRecord {
            action: action_no,
            at: self.now,
            conn: id,
            client: conn.client.clone(),
            server: conn.server,
            frames: Vec::new(),
            trace: Vec::new(),
            missed: Vec::new(),
            store_trips: 0,
        }
    }

    fn finish(&mut self, rec: SocketRecord) {
        if self.keep_wire {
            self.entries.push(Entry::Socket(Rc::new(rec)));
        }
    }

    fn client_frame(&mut self, rec: &mut SocketRecord, id: u32, frame: Frame) {
        let key = (self.rng.next_u64() as u32).to_be_bytes();
        self.put(rec, id, true, frame.masked(key));
    }

    fn server_frame(&mut self, rec: &mut SocketRecord, id: u32, frame: Frame) {
        self.put(rec, id, false, frame);
    }

    fn put(&mut self, rec: &mut SocketRecord, id: u32, from_client: bool, frame: Frame) {
        self.conns[id as usize - 1].last_active = self.now;
        self.stats.sockets.frames += 1;
        self.stats.sockets.frame_bytes += frame.wire_len() as u64;
        if !self.keep_wire {
            return;
        }
        let conn = &mut self.conns[id as usize - 1];
        conn.wire.push(Chunk { from_client, bytes: frame.to_wire() });
        rec.frames.push(FrameRecord { conn: id, client: conn.client.clone(), from_client, frame });
    }

    /// Ends connection `id` with `code`; the server holds it no more.
    fn close(&mut self, id: u32, code: u16) {
        let now = self.now;
        let conn = &mut self.conns[id as usize - 1];
        if conn.closed.is_some() {
            return;
        }
        conn.closed = Some(Closed { at: now, code });
        let no = conn.server;
        let open = &mut self.room_open[self.seats[id as usize - 1].room as usize];
        if let Ok(at) = open.binary_search(&id) {
            open.remove(at);
        }
        if let Some(s) = self.servers.iter_mut().find(|s| s.no == no) {
            s.connections = s.connections.saturating_sub(1);
        }
        let ci = self.client_index(id);
        if self.clients[ci].socket == Socket::Open(id) {
            self.clients[ci].socket = Socket::Closed;
        }
    }

    /// The app's next attempt after `attempt` failures: its backoff with
    /// equal jitter, drawn from the lane's stream. Returns when it goes out.
    fn schedule(&mut self, ci: usize, attempt: u32) -> SimTime {
        self.unschedule(ci);
        let d = backoff_ms(attempt);
        let half = d / 2;
        let at = self.now.plus_ms(half + u64::from(self.rng.below(half as u32)));
        self.clients[ci].socket = Socket::Retrying { at, attempt };
        self.retries.insert((at, ci));
        at
    }

    fn unschedule(&mut self, ci: usize) {
        if let Socket::Retrying { at, .. } = self.clients[ci].socket {
            self.retries.remove(&(at, ci));
        }
    }

    fn open_conn(&self, ci: usize) -> Option<u32> {
        match self.clients[ci].socket {
            Socket::Open(id) if self.sockets() => Some(id),
            _ => None,
        }
    }

    fn open_on(&self, no: ServerNo) -> Vec<u32> {
        if !self.sockets() {
            return Vec::new();
        }
        self.conns.iter().filter(|c| c.open() && c.server == no).map(|c| c.id).collect()
    }

    /// Whether this lane's clients hold connections: the one test every
    /// path into the rest of this file passes, constant in a build without
    /// the kind (`fleet/kind.rs`), which thereby leaves that code out.
    fn sockets(&self) -> bool {
        self.config.app.is_connection()
    }

    fn client_index(&self, id: u32) -> usize {
        self.seats[id as usize - 1].client as usize
    }

    /// Why client `ci` has no open connection, in words.
    fn why_closed(&self, ci: usize) -> String {
        match self.clients[ci].socket {
            Socket::Retrying { at, attempt } => format!(
                "it was lost, and the app tries again at {} (attempt {})",
                at.clock(),
                attempt.saturating_add(1)
            ),
            _ => match self.conns.iter().rev().find(|c| c.client == self.clients[ci].name) {
                Some(c) => {
                    let code = c.closed.map_or(0, |x| x.code);
                    format!("ws#{} closed with {code} ({}); connect again", c.id, ws::close_code_meaning(code))
                }
                None => "connect first".into(),
            },
        }
    }
}

/// Notes that `m` did not get the message, in the record and in its trace.
fn miss(rec: &mut SocketRecord, m: Miss) {
    rec.trace.push(m.to_string());
    rec.missed.push(m);
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
