//! Load users on a file lane (`crate::load` runs of an FTP or HTTP files
//! lane). An FTP user logs in once, which opens a session in the memory of
//! the server its control connection reached; then each turn downloads a
//! file, resumes the one a fault cut, or waits for the one still arriving.
//! An HTTP user sends each `GET` with its credentials to whichever server
//! the balancer picks, and resumes with `Range`.
//!
//! Counts only: no connection is recorded, no byte kept, no trace written.
//! The counts are the lane's [`FileStats`](crate::fleet::ftp::FileStats), which the playground's actions
//! add to as well, and the choices are the playground's: the balancer's
//! pick, the `PASV` port drawn from the lane's stream, the transfer rate.

use super::Lane;
use crate::base::ids::ServerNo;
use crate::base::rng::splitmix;
use crate::base::time::SimTime;
use crate::fleet::config::{App, MAX_SERVERS};
use crate::fleet::exchange::Trace;
use crate::fleet::files::{basic, FILES_PREFIX};
use crate::fleet::ftp::tree::{self, Node};
use crate::fleet::ftp::{FILES_HOST, IDLE_TIMEOUT_MS, PASV_PORTS, RATE_BPS};
use crate::fleet::handling::{BALANCER_MS, SERVER_MS};
use crate::fleet::lane::traffic::{Outcome, FIRST};
use crate::wire::ftp::{Command, Verb};
use crate::wire::http::Request;

/// The files load users ask for, turn by turn: two small ones, and one
/// that takes six seconds at [`RATE_BPS`], long enough for a fault to cut.
const LOAD_FILES: [&str; 3] = ["/readme.txt", "/pub/notes.txt", "/pub/big.bin"];

/// A command and its reply, through the balancer to a server and back.
const ROUND_TRIP_MS: u32 = BALANCER_MS + SERVER_MS;

/// What a load user of a file lane holds between its turns.
#[derive(Clone, Debug, Default)]
pub(in crate::fleet) struct LoadFiler {
    /// FTP: the server whose memory holds its session, and when the
    /// session's last command came (the idle timeout counts from it).
    session: Option<(ServerNo, SimTime)>,
    /// The download under way.
    moving: Option<Moving>,
    /// A download a fault cut: the file, and the bytes the client has.
    cut: Option<(&'static Node, u64)>,
}

#[derive(Clone, Copy, Debug)]
struct Moving {
    node: &'static Node,
    /// The byte it started from, and the byte it has reached.
    from: u64,
    sent: u64,
    started: SimTime,
    server: ServerNo,
}

impl Moving {
    /// The byte it has reached at `now`, as the playground's transfers move.
    fn reach(&self, now: SimTime) -> u64 {
        let elapsed = now.0.saturating_sub(self.started.0);
        self.from.saturating_add(RATE_BPS.saturating_mul(elapsed) / 1000).min(self.node.size)
    }
}

/// What a load user's turn on a file lane did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileTurn {
    /// It sent something and was answered: an FTP login (`230`), a transfer
    /// that started (`150`) or was refused (`425`), an HTTP `GET` (`200`,
    /// `206`); `503` when no server took the connection.
    Answered(Outcome),
    /// Its download is still arriving: nothing sent.
    Waiting,
}

impl Lane {
    /// Load user `user` (0-based) takes turn `k`.
    pub(crate) fn file_traffic(&mut self, user: u32, k: u64) -> FileTurn {
        self.file_turn(FIRST + user as usize, k)
    }

    fn load_filer(&mut self, ci: usize) -> &mut LoadFiler {
        let load = &mut self.files.load;
        if load.len() <= ci {
            load.resize_with(ci + 1, LoadFiler::default);
        }
        &mut load[ci]
    }

    /// Client `ci`'s turn `k`: wait, log in, or download.
    fn file_turn(&mut self, ci: usize, k: u64) -> FileTurn {
        let f = self.load_filer(ci).clone();
        if f.moving.is_some() {
            return FileTurn::Waiting;
        }
        let ftp = self.config.app == App::Ftp;
        // `from`: the byte to resume from, when a fault cut the last download.
        let (node, from) = match f.cut {
            Some((node, have)) => (node, Some(have)),
            None => {
                let path = LOAD_FILES[(splitmix(k) % LOAD_FILES.len() as u64) as usize];
                (tree::node(path).expect("a file of the tree"), None)
            }
        };
        FileTurn::Answered(match f.session {
            None if ftp => self.load_login(ci),
            Some((home, _)) if ftp => self.load_retr(ci, home, node, from),
            _ => self.load_get(ci, node, from),
        })
    }

    fn load_password(&self, ci: usize) -> String {
        self.backend.db.password(&self.clients[ci].name).unwrap_or_default().to_owned()
    }

    /// A control connection, the greeting, `USER` and `PASS`: the session
    /// now lives in the memory of the server the balancer chose.
    fn load_login(&mut self, ci: usize) -> Outcome {
        let (slot, _) = self.tcp_route(ci);
        let Some(slot) = slot else {
            self.files.stats.refused += 1;
            return refused();
        };
        let no = self.servers[slot].no;
        let now = self.now;
        let name = self.clients[ci].name.clone();
        let password = self.load_password(ci);
        let sent = Command::new(Verb::User, Some(&name)).to_wire().len()
            + Command::new(Verb::Pass, Some(&password)).to_wire().len();
        self.load_filer(ci).session = Some((no, now));
        self.files.stats.logins += 1;
        self.stats.count_credential(sent as u64);
        Outcome { login: true, ..Outcome::answer(230, Some(no), 3 * ROUND_TRIP_MS).carrying(sent as u32) }
    }

    /// `TYPE I`, `PASV` and the data connection it asks for, `REST` to
    /// resume, then `RETR`: the transfer starts only if the data connection
    /// reached `home`, the server whose `PASV` is listening.
    fn load_retr(&mut self, ci: usize, home: ServerNo, node: &'static Node, from: Option<u64>) -> Outcome {
        let now = self.now;
        self.load_filer(ci).session = Some((home, now));
        // As the playground's PASV: the port is drawn, then the data connection is balanced.
        let _port = self.rng.below(u32::from(PASV_PORTS));
        let (slot, _) = self.tcp_route(ci);
        let reached = slot.map(|s| self.servers[s].no);
        let trips = if from.is_some() { 4 } else { 3 };
        if reached != Some(home) {
            self.files.stats.no_data += 1;
            return Outcome::answer(425, Some(home), trips * ROUND_TRIP_MS);
        }
        self.start_load_transfer(ci, node, from, home);
        Outcome::answer(150, Some(home), trips * ROUND_TRIP_MS)
    }

    /// A `GET` with the credentials, and `Range` to resume, to any server.
    fn load_get(&mut self, ci: usize, node: &'static Node, from: Option<u64>) -> Outcome {
        let mut req = Request::new("GET", format!("{FILES_PREFIX}{}", node.path));
        req.headers.push("Host", FILES_HOST);
        req.headers.push("Authorization", basic(&self.clients[ci].name, &self.load_password(ci)));
        if let Some(n) = from {
            req.headers.push("Range", format!("bytes={n}-"));
        }
        let credential_bytes = req.headers.wire_len_of("Authorization") as u32;
        self.stats.count_credential(u64::from(credential_bytes));
        let trace = Trace::new(false);
        let pick = self.balancer.pick(&req, &self.clients[ci].addr, &self.servers, self.now, &mut self.rng, &trace);
        let slot = match pick.forwarded() {
            Ok(slot) => slot,
            Err(status) => {
                self.files.stats.refused += 1;
                return Outcome { status, ..refused() }.carrying(credential_bytes);
            }
        };
        let no = self.servers[slot].no;
        self.start_load_transfer(ci, node, from, no);
        Outcome::answer(if from.is_some() { 206 } else { 200 }, Some(no), ROUND_TRIP_MS).carrying(credential_bytes)
    }

    fn start_load_transfer(&mut self, ci: usize, node: &'static Node, resume: Option<u64>, server: ServerNo) {
        let from = resume.unwrap_or(0);
        let now = self.now;
        let f = self.load_filer(ci);
        f.cut = None;
        f.moving = Some(Moving { node, from, sent: from, started: now, server });
        self.files.stats.count_start(resume.is_some());
    }

    /// As the clock moves: load users' downloads move on and finish, and
    /// FTP sessions idle past [`IDLE_TIMEOUT_MS`] are closed.
    pub(crate) fn file_load_tick(&mut self) {
        let now = self.now;
        let files = &mut *self.files;
        let stats = &mut files.stats;
        for f in files.load.iter_mut() {
            if let Some(m) = f.moving.as_mut() {
                let reach = m.reach(now);
                stats.bytes += reach - m.sent;
                m.sent = reach;
                if reach == m.node.size {
                    stats.completed += 1;
                    f.moving = None;
                }
            }
            if let (Some((_, last)), None) = (f.session, f.moving) {
                if last.plus_ms(IDLE_TIMEOUT_MS) <= now {
                    f.session = None;
                    stats.idle_closed += 1;
                }
            }
        }
    }

    /// FTP sessions each server holds now (index 0 = S1): the named users'
    /// and the load users'.
    pub(crate) fn ftp_sessions_held(&self) -> [u32; MAX_SERVERS as usize] {
        let mut held = [0u32; MAX_SERVERS as usize];
        let servers = self.files.sessions.iter().map(|s| s.server);
        let load = self.files.load.iter().filter_map(|f| f.session.map(|(no, _)| no));
        for no in servers.chain(load) {
            if let Some(n) = held.get_mut(usize::from(no).saturating_sub(1)) {
                *n = n.saturating_add(1);
            }
        }
        held
    }

    /// Server `no` died: the load users' sessions in its memory are gone,
    /// and the downloads it was sending stop where they are. What the
    /// fault's event says of them, if anything was lost.
    pub(super) fn load_files_lost(&mut self, no: ServerNo) -> Option<String> {
        let (mut sessions, mut cut) = (0u64, 0u64);
        let files = &mut *self.files;
        let stats = &mut files.stats;
        for f in files.load.iter_mut() {
            if f.session.is_some_and(|(s, _)| s == no) {
                f.session = None;
                sessions += 1;
            }
            // As the playground's: the download stops where the clock last moved it.
            if let Some(m) = f.moving.filter(|m| m.server == no) {
                f.moving = None;
                f.cut = Some((m.node, m.sent));
                cut += 1;
            }
        }
        stats.sessions_lost += sessions;
        stats.cut += cut;
        self.stats.sessions_lost += sessions;
        let lost: Vec<String> =
            [(sessions, "FTP session", "FTP sessions"), (cut, "download under way", "downloads under way")]
                .into_iter()
                .filter(|(n, _, _)| *n > 0)
                .map(|(n, one, many)| crate::base::words::how_many(n, one, many))
                .collect();
        (!lost.is_empty()).then(|| format!("load users lost {} with it", lost.join(" and ")))
    }
}

/// No server took the connection or the request: the balancer answered.
fn refused() -> Outcome {
    Outcome::answer(503, None, BALANCER_MS)
}

// File lanes run only where the kind is compiled in (`fleet/kind.rs`).
#[cfg(all(test, feature = "files"))]
mod tests {
    //! The load path counts what the playground's actions count, without
    //! recording a line: the same scenario through both must give the same
    //! [`FileStats`](crate::fleet::ftp::FileStats) after every step, or one of them is wrong.

    use super::FileTurn;
    use crate::base::ids::{LaneId, User};
    use crate::fleet::config::{App, LaneConfig};
    use crate::fleet::lane::{FileOp, Lane};
    use crate::fleet::ledger::Loss;
    use crate::fleet::Strategy;

    /// A turn on which a load user's new download is `/pub/big.bin`.
    const BIG: u64 = 1;

    fn counts(lane: &Lane) -> [u64; 10] {
        let s = lane.file_stats();
        [
            s.logins,
            s.started,
            s.resumed,
            s.completed,
            s.cut,
            s.no_data,
            s.refused,
            s.bytes,
            s.sessions_lost,
            s.idle_closed,
        ]
    }

    fn turn(lane: &mut Lane, user: User) -> FileTurn {
        assert_eq!(super::LOAD_FILES[(crate::base::rng::splitmix(BIG) % 3) as usize], "/pub/big.bin");
        lane.file_turn(user.index(), BIG)
    }

    /// Whether `user` holds a download a fault cut, in the lane's own terms.
    fn has_cut(lane: &Lane, user: User, load: bool) -> bool {
        if load {
            lane.files.load.get(user.index()).is_some_and(|f| f.cut.is_some())
        } else {
            lane.partial_download(user).is_some_and(|p| !p.moving)
        }
    }

    fn has_session(lane: &Lane, user: User) -> bool {
        lane.files.load.get(user.index()).is_some_and(|f| f.session.is_some())
    }

    #[test]
    fn the_load_path_counts_what_the_playground_counts() {
        for (app, balancer) in
            [(App::Ftp, Strategy::RoundRobin), (App::Ftp, Strategy::IpHash), (App::Files, Strategy::RoundRobin)]
        {
            let config = LaneConfig::stateless().with_app(app).with_balancer(balancer);
            let ftp = app == App::Ftp;
            let mut seen = Vec::new();
            for load in [false, true] {
                let mut lane = Lane::new(config, 7, LaneId::A);
                let mut look = Vec::new();
                for user in User::ALL {
                    match load {
                        false => lane.login(user, false, 0),
                        true if ftp => assert!(matches!(turn(&mut lane, user), FileTurn::Answered(_))),
                        true => {}
                    }
                }
                look.push(counts(&lane));
                for user in User::ALL {
                    match load {
                        false => lane.file_op(user, &FileOp::Get("/pub/big.bin".into()), 0),
                        true => drop(turn(&mut lane, user)),
                    }
                }
                look.push(counts(&lane));
                let pass = |lane: &mut Lane, ms: u64| match load {
                    false => lane.pass_time(ms, 0),
                    true => {
                        lane.elapse_unswept(ms);
                        lane.file_load_tick();
                    }
                };
                pass(&mut lane, 2_000);
                look.push(counts(&lane));
                lane.fault(1, Loss::Crashed, 0);
                look.push(counts(&lane));
                pass(&mut lane, 11_000);
                let cut: Vec<User> = User::ALL.into_iter().filter(|u| has_cut(&lane, *u, load)).collect();
                for user in cut {
                    match load {
                        false => lane.file_op(user, &FileOp::Resume, 0),
                        true => {
                            // The playground's resume logs in again first, in the same action.
                            if ftp && !has_session(&lane, user) {
                                turn(&mut lane, user);
                            }
                            turn(&mut lane, user);
                        }
                    }
                }
                look.push(counts(&lane));
                pass(&mut lane, 10_000);
                look.push(counts(&lane));
                seen.push(look);
            }
            assert_eq!(seen[0], seen[1], "{config}: playground, then load path, after each step");
            let last = seen[0][5];
            assert!(last[3] > 0 && last[4] > 0, "{config}: downloads completed and cut: {last:?}");
            assert_eq!(last[2] > 0, !ftp || balancer == Strategy::IpHash, "{config}: resumed: {last:?}");
            assert_eq!(last[5] > 0, ftp && balancer == Strategy::RoundRobin, "{config}: 425s: {last:?}");
        }
    }
}
