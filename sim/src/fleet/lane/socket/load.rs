//! Load users on connections (`crate::load` runs of a chat or game lane):
//! each logs in, opens its WebSocket through the balancer like any user,
//! then sends a chat line or a move on each of its turns. Counts only: no
//! frame is built, no byte kept, no trace written, and a message visits the
//! open connections of its own room, never every connection the lane opened.

use super::{Seat, ROOM_USERS};
use crate::base::ids::ServerNo;
use crate::fleet::client::Socket;
use crate::fleet::config::{App, Store};
use crate::fleet::handling::SERVER_MS;
use crate::fleet::lane::traffic::{LoadRoute, Outcome, FIRST};
use crate::fleet::lane::Lane;
use crate::fleet::socket::NOT_SENT;
use crate::wire::json::ObjectWriter;
use crate::wire::ws::Frame;

/// What a load user's turn did on a connection lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LoadTurn {
    /// An HTTP exchange: its login, or its handshake (`status` 101 when it opened).
    Http(Outcome),
    /// A chat line or a move on its open connection: the simulated
    /// milliseconds until the server had passed it on, and the store round
    /// trips that took (a PUBLISH, a checkpoint).
    Sent { latency_ms: u32, store_trips: u32 },
    /// Its connection was lost and the app waits to reconnect: nothing sent.
    Offline,
}

impl Lane {
    /// A load run keeps counts only: connections keep no bytes, servers write no trace.
    pub(crate) fn keep_counts_only(&mut self) {
        self.keep_wire = false;
    }

    /// Load user `user` (0-based) takes turn `k`: logs in if it holds no
    /// credential, opens its connection if it has none, else sends.
    pub(crate) fn socket_traffic(&mut self, user: u32, k: u64) -> LoadTurn {
        let ci = FIRST + user as usize;
        match self.clients[ci].socket {
            Socket::Open(id) => {
                let trips = self.stats.store_trips;
                let latency_ms = self.load_message(id, k);
                let store_trips = u32::try_from(self.stats.store_trips - trips).unwrap_or(u32::MAX);
                LoadTurn::Sent { latency_ms, store_trips }
            }
            Socket::Retrying { .. } => LoadTurn::Offline,
            Socket::Closed => {
                let logged_in = self.clients[ci].credential(self.config.auth.credential(), self.now).is_some();
                if !logged_in {
                    return LoadTurn::Http(self.traffic(user, LoadRoute::Me, 0));
                }
                let o = self.open(ci, 0, None);
                if matches!(o.status, 401 | 403) {
                    // As after any 401: the app sends its user back to log in.
                    let c = &mut self.clients[ci];
                    (c.token, c.token_expires) = (None, None);
                    c.jar = Default::default();
                }
                LoadTurn::Http(o)
            }
        }
    }

    /// The welcome a load user's new connection gets: one frame, and what the
    /// server reads to write it (the store's recent messages, a checkpoint).
    pub(super) fn load_welcome(&mut self, no: ServerNo, room: u32) {
        self.stats.sockets.frames += 1;
        match self.config.app {
            App::Chat(Store::Shared) => {
                self.stats.store_trips += 1;
            }
            App::Game(_) => {
                self.load_match(no, room);
            }
            _ => {}
        }
    }

    /// The tick of the match server `no` runs for `room`, starting one (or,
    /// checkpointed, resuming the store's) if it runs none.
    fn load_match(&mut self, no: ServerNo, room: u32) -> &mut u32 {
        if !self.load_matches.contains_key(&(no, room)) {
            let tick = match self.config.app {
                App::Game(Store::Shared) => {
                    self.stats.store_trips += 1;
                    // A checkpoint is written after a move: tick 0 is none.
                    let saved = self.load_checkpoints.get(room as usize).copied().filter(|_| self.backend.store.up);
                    let saved = saved.unwrap_or(0);
                    self.stats.sockets.matches_resumed += u64::from(saved > 0);
                    saved
                }
                _ => 0,
            };
            self.load_matches.insert((no, room), tick);
        }
        self.load_matches.entry((no, room)).or_insert(0)
    }

    /// Server `no`'s memory is gone: the matches it ran, and the moves of
    /// each that no checkpoint holds.
    pub(super) fn wipe_load_matches(&mut self, no: ServerNo) {
        let held: Vec<(u32, u32)> =
            self.load_matches.range((no, 0)..=(no, u32::MAX)).map(|(&(_, room), &tick)| (room, tick)).collect();
        for (room, tick) in held {
            self.load_matches.remove(&(no, room));
            self.stats.sockets.matches_lost += 1;
            let saved = match self.config.app {
                App::Game(Store::Shared) => self.load_checkpoints.get(room as usize).copied().unwrap_or(0),
                _ => 0,
            };
            self.stats.sockets.moves_lost += u64::from(tick.saturating_sub(saved));
        }
    }

    /// Load user's connection `id` sends its message of turn `k`: the server
    /// takes it (re-checking the credential if the lane does), then passes it
    /// to every open connection of the room it can reach. Returns the
    /// simulated milliseconds that took.
    fn load_message(&mut self, id: u32, k: u64) -> u32 {
        // The client's frame, masked with a key drawn as for any client frame.
        let key = (self.rng.next_u64() as u32).to_be_bytes();
        let (sender, text) = (self.conns[id as usize - 1].client.clone(), format!("turn {k}"));
        let said = match self.config.app {
            App::Game(_) => r#"{"type":"move","dx":1,"dy":0}"#.to_owned(),
            _ => ObjectWriter::new().str("type", "say").str("text", &text).finish(),
        };
        self.stats.sockets.frames += 1;
        self.stats.sockets.frame_bytes += Frame::text(&said).masked(key).wire_len() as u64;
        if self.config.recheck {
            let mut rec = self.record(id, 0);
            if !self.recheck(id, &mut rec) {
                return SERVER_MS;
            }
        }
        let Seat { room, server: from, .. } = self.seats[id as usize - 1];
        let app = self.config.app;
        let mut latency = SERVER_MS;
        let mut store = |lane: &mut Lane| {
            lane.stats.store_trips += 1;
            latency = latency.saturating_add(lane.backend.store.latency_ms);
            lane.backend.store.up
        };
        let passed = match app {
            // PUBLISH (and the history's RPUSH + LTRIM, pipelined): no store, no message.
            App::Chat(Store::Shared) => store(self),
            App::Chat(Store::Local) => true,
            App::Game(s) => {
                let tick = self.load_match(from, room);
                *tick = tick.saturating_add(1);
                let tick = *tick;
                if s == Store::Shared && store(self) {
                    let r = room as usize;
                    if self.load_checkpoints.len() <= r {
                        self.load_checkpoints.resize(r + 1, 0);
                    }
                    self.load_checkpoints[r] = tick;
                }
                // The move stands in the server's memory either way.
                true
            }
            App::Shop | App::Ftp | App::Files | App::Db(_) => false,
        };
        if !passed {
            // The sender hears why; everyone else in the room misses it (the
            // sender is told, not missed, as `pass_on` counts it).
            let why = ObjectWriter::new().str("type", "error").str("error", NOT_SENT).finish();
            self.stats.sockets.frames += 1;
            self.stats.sockets.frame_bytes += Frame::text(&why).wire_len() as u64;
            let others = self.room_open[room as usize].iter().filter(|&&cid| cid != id).count();
            self.stats.sockets.missed += others as u64;
            return latency;
        }
        // What the server passes on, encoded once: every recipient's frame
        // is the same unmasked bytes, as a real server writes them.
        let message = match app {
            App::Game(_) => format!("{{\"type\":\"state\",\"match\":{{\"tick\":{}}}}}", self.load_match(from, room)),
            _ => ObjectWriter::new().str("type", "message").str("from", &sender).str("text", &text).finish(),
        };
        self.frame_buf.clear();
        Frame::text(&message).encode_into(&mut self.frame_buf);
        let frame_len = self.frame_buf.len() as u64;
        let open = &self.room_open[room as usize];
        // Pub/sub reaches every server that is up; a room in memory, or a match, only its own server.
        let fans_out = app == App::Chat(Store::Shared);
        let mut up = [false; 256];
        if fans_out {
            for s in &self.servers {
                up[usize::from(s.no)] = s.up;
            }
        }
        let mut delivered = 0u64;
        for &cid in open {
            let on = self.seats[cid as usize - 1].server;
            delivered += u64::from(on == from || up[usize::from(on)]);
        }
        let missed = open.len() as u64 - delivered;
        self.stats.sockets.delivered += delivered;
        self.stats.sockets.missed += missed;
        self.stats.sockets.frames += delivered;
        self.stats.sockets.frame_bytes += delivered * frame_len;
        latency
    }
}

/// The room of client `ci`: 0 for the named users, then one per
/// [`ROOM_USERS`] load users.
pub(super) fn room_of(ci: usize) -> u32 {
    match ci.checked_sub(FIRST) {
        None => 0,
        Some(i) => 1 + (i as u32) / ROOM_USERS,
    }
}

// Connection lanes run only where the kind is compiled in (`fleet/kind.rs`);
// the page's `core` engine, tested without default features, has none.
#[cfg(all(test, feature = "connections"))]
mod tests {
    //! The load path counts what the playground's `pass_on` does, without
    //! building a frame per recipient: the same scenario through both must
    //! give the same counts, or one of them is wrong.

    use super::super::Send;
    use crate::base::ids::{LaneId, User};
    use crate::fleet::config::{App, LaneConfig, Store};
    use crate::fleet::lane::Lane;
    use crate::fleet::ledger::Loss;
    use crate::fleet::Strategy;

    /// Delivered, missed, opened, reconnects, dropped, failed attempts.
    fn counts(lane: &Lane) -> [u64; 6] {
        let s = &lane.stats().sockets;
        [s.delivered, s.missed, s.opened, s.reconnects, s.dropped, s.failed_attempts]
    }

    /// Every user with an open connection sends once: through the
    /// playground's action, or through the load path on the same connection.
    fn everyone_sends(lane: &mut Lane, load: bool, k: u64) {
        for user in User::ALL {
            let Some(id) = lane.open_conn(user.index()) else { continue };
            let text = format!("turn {k}");
            match (load, lane.config.app) {
                (true, _) => {
                    lane.load_message(id, k);
                }
                (false, App::Game(_)) => lane.send_frame(user, Send::Move(1, 0), 0),
                (false, _) => lane.send_frame(user, Send::Say(&text), 0),
            }
        }
    }

    #[test]
    fn the_load_path_counts_what_the_playground_delivers() {
        for app in
            [App::Chat(Store::Local), App::Chat(Store::Shared), App::Game(Store::Local), App::Game(Store::Shared)]
        {
            let config = LaneConfig::stateless().with_app(app).with_balancer(Strategy::RoundRobin);
            let mut lanes = [Lane::new(config, 7, LaneId::A), Lane::new(config, 7, LaneId::A)];
            let mut seen = Vec::new();
            for (i, lane) in lanes.iter_mut().enumerate() {
                let load = i == 1;
                let mut look = Vec::new();
                for user in User::ALL {
                    lane.login(user, false, 0);
                    lane.connect(user, 0);
                }
                everyone_sends(lane, load, 1);
                look.push(counts(lane));
                // S1's connection drops; the others talk while it waits to reconnect.
                lane.fault(1, Loss::Crashed, 0);
                everyone_sends(lane, load, 2);
                look.push(counts(lane));
                // The store goes down: pub/sub cannot carry a message, a checkpoint is not written.
                lane.store_down(0);
                everyone_sends(lane, load, 3);
                look.push(counts(lane));
                lane.store_up(0);
                lane.pass_time(60_000, 0);
                everyone_sends(lane, load, 4);
                look.push(counts(lane));
                seen.push(look);
            }
            assert_eq!(seen[0], seen[1], "{config}: playground, then load path, after each step");
            let last = seen[0][3];
            assert!(last[0] > 0 && last[3] > 0, "{config}: the scenario delivers and reconnects: {last:?}");
        }
    }
}
