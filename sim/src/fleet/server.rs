//! One application server: up or down, its clock, and — for in-memory
//! sessions — the session map that dies with it.

use crate::base::ids::ServerNo;
use crate::base::table::Table;
use crate::base::time::SimTime;
use crate::fleet::ledger::{Fate, Ledger, Loss};
use crate::fleet::store::Session;

/// The balancer probes `GET /health` on every server at each multiple of this.
pub const HEALTH_INTERVAL_MS: u64 = 5_000;
/// Failed probes in a row before a server leaves rotation.
pub const UNHEALTHY_AFTER: u64 = 2;

/// One application server of a lane's pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    /// Its number, 1-based: `S1` on screen.
    pub no: ServerNo,
    /// Whether its process runs. A crashed server stays in rotation until
    /// health checks notice ([`Server::in_rotation`]).
    pub up: bool,
    /// This server's clock minus the true time.
    pub skew_ms: i64,
    /// In-memory sessions by id (used only with `Store::Local`): live ones
    /// only, since the lane calls [`Server::expire_sessions`] whenever its clock moves.
    pub sessions: Table<Session>,
    /// Rate-limit counters by API client (the account), with the end of each one's window
    /// (API-key lanes that count in each server): memory like the sessions,
    /// lost with them.
    pub counters: Table<(u32, SimTime)>,
    /// Requests it has handled, whatever their status (on an FTP lane, the
    /// commands it answered); crashes and restarts keep the count.
    pub handled: u64,
    /// WebSocket connections open on it now (what least connections counts).
    pub connections: u32,
    /// Draining: up, finishing with its connections, out of rotation until a restart.
    pub draining: bool,
    /// What its memory holds of the connection apps' rooms: a chat room's
    /// recent messages (`Chat(Local)` lanes) and the matches it runs.
    pub rooms: crate::fleet::connection::Rooms,
    crashed_at: Option<SimTime>,
    /// After a restart from outside rotation: when the next probe lets it back.
    rejoins_at: Option<SimTime>,
}

impl Server {
    /// Server `no`, up and in rotation, its clock true and its memory empty.
    pub fn new(no: ServerNo) -> Server {
        Server {
            no,
            up: true,
            skew_ms: 0,
            sessions: Table::new(),
            counters: Table::new(),
            handled: 0,
            connections: 0,
            draining: false,
            rooms: Default::default(),
            crashed_at: None,
            rejoins_at: None,
        }
    }

    /// `S1`, `S2`…: how the screen and the trace name it.
    pub fn name(&self) -> String {
        format!("S{}", self.no)
    }

    /// What this server's clock reads at true time `now`: `now` plus its skew.
    pub fn clock(&self, now: SimTime) -> SimTime {
        now.offset(self.skew_ms)
    }

    /// Whether the balancer sends it traffic at `now`: a crashed server stays
    /// in rotation until enough probes fail; a restarted one returns at the
    /// next probe.
    pub fn in_rotation(&self, now: SimTime) -> bool {
        match (self.up, self.crashed_at) {
            (true, _) if self.draining => false,
            (true, _) => self.rejoins_at.is_none_or(|t| now >= t),
            (false, Some(c)) => now < removal_time(c),
            (false, None) => false,
        }
    }

    /// When health checks take (or took) this crashed server out of rotation.
    pub fn leaves_rotation_at(&self) -> Option<SimTime> {
        self.crashed_at.filter(|_| !self.up).map(removal_time)
    }

    /// When the health probe after its latest restart lets it back into
    /// rotation; `None` unless it was restarted while out of rotation. It may
    /// lie in the past.
    pub fn rejoins_at(&self) -> Option<SimTime> {
        self.rejoins_at
    }

    /// Empties this server's memory and tells the ledger what became of each
    /// session it held, whatever the cause; returns how many were lost.
    fn wipe(&mut self, loss: Loss, now: SimTime, ledger: &mut Ledger) -> usize {
        for (id, _) in self.sessions.iter() {
            ledger.settle(id, Fate::Lost(loss, now));
        }
        let lost = self.sessions.len();
        self.sessions.clear();
        self.counters.clear();
        self.rooms = Default::default();
        lost
    }

    /// Stops the process. Returns how many in-memory sessions died with it.
    pub(crate) fn crash(&mut self, now: SimTime, ledger: &mut Ledger) -> usize {
        let lost = self.wipe(Loss::Crashed, now, ledger);
        if self.up {
            self.up = false;
            self.crashed_at = Some(now);
            self.rejoins_at = None;
        }
        lost
    }

    /// Starts a fresh process: memory empty, up at once, back in rotation at
    /// once if the balancer never noticed it was gone, else at the next probe.
    pub(crate) fn restart(&mut self, now: SimTime, ledger: &mut Ledger) -> usize {
        let was_out = !self.in_rotation(now);
        let lost = self.wipe(Loss::Restarted, now, ledger);
        self.up = true;
        self.draining = false;
        self.crashed_at = None;
        self.rejoins_at = was_out.then(|| next_probe_after(now));
        lost
    }

    /// Leaves the pool for good, and its sessions with it.
    pub(crate) fn remove(&mut self, now: SimTime, ledger: &mut Ledger) -> usize {
        self.up = false;
        self.wipe(Loss::Removed, now, ledger)
    }

    /// New code on a running server: its memory is wiped as by a restart,
    /// and it stays in rotation.
    pub(crate) fn redeploy(&mut self, now: SimTime, ledger: &mut Ledger) -> usize {
        self.wipe(Loss::Restarted, now, ledger)
    }

    /// Drops the sessions that have expired by this server's clock at `now`
    /// (true time), as Redis drops expired keys, and the rate-limit windows
    /// that have ended; returns the sessions' ids and expiry times.
    pub fn expire_sessions(&mut self, now: SimTime) -> Vec<(String, SimTime)> {
        let now = self.clock(now);
        let expired: Vec<(String, SimTime)> =
            self.sessions.iter().filter(|(_, s)| s.expires <= now).map(|(id, s)| (id.clone(), s.expires)).collect();
        for (id, _) in &expired {
            self.sessions.remove(id);
        }
        let done: Vec<String> =
            self.counters.iter().filter(|(_, (_, ends))| *ends <= now).map(|(k, _)| k.clone()).collect();
        for k in &done {
            self.counters.remove(k);
        }
        expired
    }

    /// Counts one request of API client `client` in this server's own window,
    /// which starts at its first request and ends at `window_end`; returns
    /// the count and when the window ends.
    pub(crate) fn count_request(&mut self, client: &str, now: SimTime, window_end: SimTime) -> (u32, SimTime) {
        match self.counters.get_mut(client).filter(|(_, ends)| *ends > now) {
            Some((n, ends)) => {
                *n = n.saturating_add(1);
                (*n, *ends)
            }
            None => {
                self.counters.insert(client.to_owned(), (1, window_end));
                (1, window_end)
            }
        }
    }

    /// Bytes of state in its memory: each session's id plus its JSON
    /// ([`Session::bytes`]), and each live rate-limit counter's key id and
    /// four bytes of count.
    pub fn session_bytes(&self) -> u32 {
        let counters: usize = self.counters.iter().map(|(k, _)| k.len() + 4).sum();
        self.sessions.iter().map(|(id, s)| s.bytes(id)).sum::<u32>() + counters as u32
    }
}

pub(super) fn next_probe_after(t: SimTime) -> SimTime {
    SimTime((t.0 / HEALTH_INTERVAL_MS + 1) * HEALTH_INTERVAL_MS)
}

fn removal_time(crashed: SimTime) -> SimTime {
    next_probe_after(crashed).plus_ms((UNHEALTHY_AFTER - 1) * HEALTH_INTERVAL_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::time::START;

    #[test]
    fn crashed_server_leaves_after_two_failed_probes_and_rejoins_at_the_next() {
        let (mut s, ledger) = (Server::new(1), &mut Ledger::default());
        let t = START.plus_ms(1_000);
        s.crash(t, ledger);
        assert!(!s.up);
        assert!(s.in_rotation(t), "the balancer has not noticed yet");
        let out = s.leaves_rotation_at().unwrap();
        assert_eq!(out, START.plus_ms(10_000));
        assert!(s.in_rotation(out.plus_ms(0).offset(-1)));
        assert!(!s.in_rotation(out));
        s.restart(out.plus_ms(2_000), ledger);
        assert!(s.up && !s.in_rotation(out.plus_ms(2_000)));
        assert!(s.in_rotation(START.plus_ms(15_000)));
    }

    #[test]
    fn restart_before_detection_is_invisible_to_the_balancer() {
        let (mut s, ledger) = (Server::new(2), &mut Ledger::default());
        s.crash(START, ledger);
        s.restart(START.plus_ms(1_000), ledger);
        assert!(s.in_rotation(START.plus_ms(1_000)));
    }

    /// Whatever wipes a server's memory, the server itself tells the ledger
    /// which sessions went and how.
    #[test]
    fn a_wipe_records_each_lost_session_with_its_cause() {
        use crate::fleet::ledger::Kept;
        let session = |user: &str| Session {
            user: user.into(),
            name: user.into(),
            role: "user".into(),
            cart: Vec::new(),
            cursor: 0,
            expires: START.plus_ms(60_000),
        };
        type Wipe = fn(&mut Server, SimTime, &mut Ledger) -> usize;
        let wipes: [(&str, Wipe); 4] = [
            ("crashed", Server::crash),
            ("restarted", Server::restart),
            ("restarted", Server::redeploy),
            ("was removed from the pool", Server::remove),
        ];
        for (verb, wipe) in wipes {
            let (mut s, mut ledger) = (Server::new(1), Ledger::default());
            for id in ["aaaa1111", "bbbb2222"] {
                ledger.issue(id, Kept::Memory(1), START);
                s.sessions.insert(id.into(), session(id));
            }
            assert_eq!(wipe(&mut s, START.plus_ms(5_000), &mut ledger), 2);
            assert!(s.sessions.is_empty());
            for id in ["aaaa1111", "bbbb2222"] {
                let story = ledger.story(id, 2);
                assert!(story.starts_with(&format!("S1 held it until it {verb} at ")), "{verb}: {story}");
            }
        }
    }
}
