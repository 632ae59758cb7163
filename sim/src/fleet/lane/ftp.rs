//! A file lane's side of the work: FTP control and data connections opened
//! through the balancer, the commands each user action sends, transfers
//! that move at [`RATE_BPS`] as time passes, and what a fault or the idle
//! timeout takes. The HTTP counterpart goes through [`Lane::send`] like any
//! request; only its downloads are followed here, so a crash can cut one.

use super::Lane;
use crate::base::ids::{ServerNo, User};
use crate::base::time::SimTime;
use crate::fleet::config::App;
use crate::fleet::connection::Chunk;
use crate::fleet::exchange::{BodyCut, Entry, Trace};
use crate::fleet::files::{basic, FILES_PREFIX};
use crate::fleet::ftp::server::{self, Answer};
use crate::fleet::ftp::tree::{self, Node};
use crate::fleet::ftp::{FileStats, FtpConn, FtpLine, FtpRecord, FtpSession, Role};
use crate::fleet::ftp::{FILES_HOST, IDLE_TIMEOUT_MS, PASV_PORTS, PASV_PORT_BASE, RATE_BPS, SERVER_DIED};
use crate::wire::ftp::{Command, Reply, Verb};
use crate::wire::http::Request;
use std::rc::Rc;

mod load;
pub(crate) use load::FileTurn;

/// What a user does in a file lane (besides `login`): the same words drive
/// the FTP lane and its HTTP counterpart.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "op", content = "arg")]
pub enum FileOp {
    /// `cd alice /pub`: FTP's `CWD` then `PWD`; over HTTP the client alone
    /// keeps the directory, for the URLs it writes.
    Cd(String),
    /// `ls alice`: `PASV` and `LIST`; over HTTP `GET /files/<dir>/`.
    Ls,
    /// `get alice big.bin`: `TYPE I`, `PASV`, `RETR`; over HTTP a `GET`.
    Get(String),
    /// `resume alice`: the download that was cut, from the byte it reached:
    /// `REST` then `RETR` (after logging in again if the control connection
    /// is gone); over HTTP `Range: bytes=N-`.
    Resume,
    /// `quit alice`: `QUIT` (221) closes the control connection; over HTTP
    /// the client forgets the credentials it was sending.
    Quit,
}

/// What a client of a file lane holds: its control connection, the
/// password it was given, the directory it believes it is in and a
/// download it has not finished.
#[derive(Clone, Debug, Default)]
pub(in crate::fleet) struct FileClient {
    control: Option<u32>,
    password: Option<String>,
    cwd: Option<String>,
    partial: Option<Partial>,
}

/// A download that has not finished: which file and how far it got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partial {
    /// Its absolute path.
    pub path: String,
    /// Bytes the client has, counted from the file's start.
    pub have: u64,
    /// The file's size.
    pub size: u64,
    /// Whether it is still arriving (else it was cut).
    pub moving: bool,
}

/// A download under way.
#[derive(Clone, Debug)]
pub(in crate::fleet) struct Transfer {
    client: usize,
    node: &'static Node,
    /// The byte it started from (a resume's offset).
    from: u64,
    /// The byte it has reached.
    sent: u64,
    started: SimTime,
    via: Via,
}

#[derive(Clone, Copy, Debug)]
enum Via {
    Ftp {
        control: u32,
        data: u32,
        server: ServerNo,
    },
    /// The exchange's index in the lane's entries, and the server sending.
    Http {
        entry: usize,
        server: ServerNo,
    },
}

/// All of a lane's FTP state: connections (control and data, one id space),
/// the sessions servers hold, clients and transfers.
#[derive(Clone, Debug, Default)]
pub(in crate::fleet) struct FileSide {
    conns: Vec<FtpConn>,
    sessions: Vec<FtpSession>,
    clients: Vec<FileClient>,
    transfers: Vec<Transfer>,
    /// Load users' sessions and downloads, counts only (`ftp/load.rs`).
    load: Vec<load::LoadFiler>,
    /// What happened, as it happened: logins, downloads, refusals.
    stats: FileStats,
}

impl Lane {
    /// Every FTP connection this lane opened, control and data, in order.
    pub fn ftp_connections(&self) -> &[FtpConn] {
        &self.files.conns
    }

    /// What FTP servers hold now: one session per open control connection.
    pub fn ftp_sessions(&self) -> &[FtpSession] {
        &self.files.sessions
    }

    /// The lane's logins and downloads so far.
    pub fn file_stats(&self) -> &FileStats {
        &self.files.stats
    }

    /// The download `user` has not finished, if any.
    pub fn partial_download(&self, user: User) -> Option<&Partial> {
        self.files.clients.get(user.index())?.partial.as_ref()
    }

    fn file_client(&mut self, ci: usize) -> &mut FileClient {
        if self.files.clients.len() <= ci {
            self.files.clients.resize_with(ci + 1, FileClient::default);
        }
        &mut self.files.clients[ci]
    }

    /// The server that holds `ci`'s control connection, if one is open.
    fn control_server(&self, ci: usize) -> Option<ServerNo> {
        let id = self.files.clients.get(ci)?.control?;
        Some(self.files.conns[id as usize - 1].server)
    }

    fn ftp_record(&self, ci: usize, action_no: u32) -> FtpRecord {
        FtpRecord {
            action: action_no,
            at: self.now,
            client: self.clients[ci].name.clone(),
            server: self.control_server(ci),
            lines: Vec::new(),
            trace: Vec::new(),
        }
    }

    fn push_ftp(&mut self, rec: FtpRecord) {
        self.entries.push(Entry::Ftp(Rc::new(rec)));
    }

    /// `login alice` in a file lane: FTP opens a control connection (if
    /// none is open) and sends `USER` and `PASS`; the HTTP client only keeps
    /// the password, to send with every request.
    pub(crate) fn file_login(&mut self, user: User, wrong_password: bool, action_no: u32) {
        let ci = user.index();
        let password = if wrong_password {
            "letmein".to_owned()
        } else {
            self.backend.db.password(user.username()).unwrap_or_default().to_owned()
        };
        self.file_client(ci).password = Some(password.clone());
        if self.config.app == App::Files {
            return self.event(
                action_no,
                format!(
                    "{} keeps the name and password to send in Authorization: Basic on every request; nothing is sent, there is no session to open",
                    user.username()
                ),
            );
        }
        let mut rec = self.ftp_record(ci, action_no);
        if self.files.clients[ci].control.is_none() && !self.open_control(ci, &mut rec) {
            return self.push_ftp(rec);
        }
        rec.server = self.control_server(ci);
        let control = self.files.clients[ci].control.expect("opened above");
        self.command(&mut rec, control, Verb::User, Some(user.username()));
        self.command(&mut rec, control, Verb::Pass, Some(&password));
        self.file_client(ci).cwd = Some(tree::resolve("/", ""));
        self.push_ftp(rec);
    }

    /// A file action other than `login`.
    pub(crate) fn file_op(&mut self, user: User, op: &FileOp, action_no: u32) {
        let ci = user.index();
        let who = user.username();
        let app = self.config.app;
        if !app.is_files() {
            return self.event(action_no, format!("{who} has no files here: this lane's servers run the {app}"));
        }
        self.file_client(ci);
        let http = app == App::Files;
        match op {
            FileOp::Cd(path) if http => {
                let cwd = self.files.clients[ci].cwd.clone().unwrap_or_else(|| "/".into());
                let to = tree::resolve(&cwd, path);
                self.files.clients[ci].cwd = Some(to.clone());
                self.event(
                    action_no,
                    format!(
                        "{who}'s client now writes {to} into each URL; nothing is sent, the server keeps no directory"
                    ),
                );
            }
            FileOp::Ls if http => {
                let dir = self.files.clients[ci].cwd.clone().unwrap_or_else(|| "/".into());
                let target = if dir == "/" { format!("{FILES_PREFIX}/") } else { format!("{FILES_PREFIX}{dir}/") };
                self.file_request(ci, target, None, action_no);
            }
            FileOp::Get(name) if http => {
                let dir = self.files.clients[ci].cwd.clone().unwrap_or_else(|| "/".into());
                let path = tree::resolve(&dir, name);
                self.file_request(ci, format!("{FILES_PREFIX}{path}"), None, action_no);
            }
            FileOp::Resume if http => {
                let Some(p) = self.files.clients[ci].partial.clone().filter(|p| !p.moving) else {
                    return self.event(action_no, format!("{who} has no cut download to resume"));
                };
                self.file_request(ci, format!("{FILES_PREFIX}{}", p.path), Some(p.have), action_no);
            }
            FileOp::Quit if http => {
                self.files.clients[ci].password = None;
                self.event(
                    action_no,
                    format!("{who}'s client forgets the credentials; the servers had nothing to forget"),
                );
            }
            _ => self.ftp_op(ci, op, action_no),
        }
    }

    /// A request of the HTTP counterpart, with the credentials (if the
    /// client holds any) and, to resume, a `Range`.
    fn file_request(&mut self, ci: usize, target: String, from: Option<u64>, action_no: u32) {
        let mut req = Request::new("GET", target);
        req.headers.push("Host", FILES_HOST);
        if let Some(pw) = self.files.clients[ci].password.clone() {
            req.headers.push("Authorization", basic(&self.clients[ci].name, &pw));
        }
        if let Some(n) = from {
            req.headers.push("Range", format!("bytes={n}-"));
        }
        self.send(ci, req, false, action_no);
        let entry = self.entries.len() - 1;
        let Some(Entry::Exchange(x)) = self.entries.last() else { return };
        if matches!(x.response.status, 502 | 503) {
            self.files.stats.refused += 1;
        }
        let (Some(server), 200 | 206) = (x.server, x.response.status) else { return };
        let path = tree::resolve("/", x.request.path().trim_start_matches(FILES_PREFIX));
        let Some(node) = tree::node(&path).filter(|n| !n.dir) else { return };
        self.files.stats.count_start(from.is_some());
        let from = from.unwrap_or(0);
        self.start_transfer(ci, node, from, Via::Http { entry, server });
    }

    fn start_transfer(&mut self, ci: usize, node: &'static Node, from: u64, via: Via) {
        self.files.clients[ci].partial =
            Some(Partial { path: node.path.into(), have: from, size: node.size, moving: true });
        self.files.transfers.push(Transfer { client: ci, node, from, sent: from, started: self.now, via });
    }

    fn ftp_op(&mut self, ci: usize, op: &FileOp, action_no: u32) {
        let who = self.clients[ci].name.clone();
        let mut rec = self.ftp_record(ci, action_no);
        if matches!(op, FileOp::Resume) {
            let Some(p) = self.files.clients[ci].partial.clone().filter(|p| !p.moving) else {
                return self.event(action_no, format!("{who} has no cut download to resume"));
            };
            if self.files.clients[ci].control.is_none() {
                // ftplib's way: a new connection, log in, go back, then REST.
                let Some(pw) = self.files.clients[ci].password.clone() else {
                    return self.event(action_no, format!("{who} has no password to log in again with"));
                };
                rec.trace
                    .push(format!("{who}'s client logs in again on a new control connection: the old session is gone"));
                if !self.open_control(ci, &mut rec) {
                    return self.push_ftp(rec);
                }
                rec.server = self.control_server(ci);
                let control = self.files.clients[ci].control.expect("opened above");
                self.command(&mut rec, control, Verb::User, Some(&who));
                self.command(&mut rec, control, Verb::Pass, Some(&pw));
                let dir = p.path.rsplit_once('/').map_or("/", |(d, _)| if d.is_empty() { "/" } else { d }).to_owned();
                if dir != "/" {
                    self.command(&mut rec, control, Verb::Cwd, Some(&dir));
                }
            }
            let control = self.files.clients[ci].control.expect("open");
            self.command(&mut rec, control, Verb::Type, Some("I"));
            self.passive(&mut rec, ci, control, Some(p.have), Verb::Retr, Some(tree::name(&p.path)));
            return self.push_ftp(rec);
        }
        let Some(control) = self.files.clients[ci].control else {
            return self.event(
                action_no,
                format!("{who} has no control connection: log in first (an FTP session lives on its connection)"),
            );
        };
        match op {
            FileOp::Cd(path) => {
                self.command(&mut rec, control, Verb::Cwd, Some(path));
                self.command(&mut rec, control, Verb::Pwd, None);
                let cwd = self.session(control).map(|s| s.cwd.clone());
                self.file_client(ci).cwd = cwd;
            }
            FileOp::Ls => self.passive(&mut rec, ci, control, None, Verb::List, None),
            FileOp::Get(name) => {
                self.command(&mut rec, control, Verb::Type, Some("I"));
                self.passive(&mut rec, ci, control, None, Verb::Retr, Some(name));
            }
            FileOp::Quit => {
                self.command(&mut rec, control, Verb::Quit, None);
            }
            FileOp::Resume => unreachable!("handled above"),
        }
        self.push_ftp(rec);
    }

    fn session(&self, control: u32) -> Option<&FtpSession> {
        self.files.sessions.iter().find(|s| s.conn == control)
    }

    /// A TCP connection through the balancer: the server it picked, or why
    /// none took it (written to the record).
    fn tcp_pick(&mut self, ci: usize, rec: &mut FtpRecord) -> Option<usize> {
        let (slot, said) = self.tcp_route(ci);
        rec.trace.extend(said);
        slot
    }

    /// Where a TCP connection from client `ci` lands: the slot of the server
    /// the balancer chose, if it is up, and what the balancer did, in words.
    fn tcp_route(&mut self, ci: usize) -> (Option<usize>, Vec<String>) {
        let trace = Trace::new(true);
        // The FTP frontend is TCP: no cookie or URL to read, only the address.
        let probe = Request::new("GET", "/");
        let pick = self.balancer.pick(&probe, &self.clients[ci].addr, &self.servers, self.now, &mut self.rng, &trace);
        match pick {
            crate::fleet::balancer::Pick::NoneHealthy { reason } => {
                (None, vec![format!("the balancer refused the connection: {reason}")])
            }
            crate::fleet::balancer::Pick::Forward { slot, reason, .. } => {
                (Some(slot), vec![format!("balancer: {reason}")])
            }
            crate::fleet::balancer::Pick::Refused { slot, reason } => (
                None,
                vec![
                    format!("balancer: {reason}"),
                    format!("S{} is down: the connection was refused", self.servers[slot].no),
                ],
            ),
        }
    }

    fn new_conn(&mut self, ci: usize, role: Role, server: ServerNo) -> u32 {
        let id = self.files.conns.len() as u32 + 1;
        let client = self.clients[ci].name.clone();
        self.files.conns.push(FtpConn { id, role, client, server, opened: self.now, closed: None, wire: Vec::new() });
        id
    }

    fn close_conn(&mut self, id: u32, at: SimTime, why: &'static str) {
        let c = &mut self.files.conns[id as usize - 1];
        if c.closed.is_none() {
            c.closed = Some((at, why));
        }
    }

    /// Opens a control connection and reads the greeting.
    fn open_control(&mut self, ci: usize, rec: &mut FtpRecord) -> bool {
        let Some(slot) = self.tcp_pick(ci, rec) else {
            self.files.stats.refused += 1;
            return false;
        };
        let no = self.servers[slot].no;
        let id = self.new_conn(ci, Role::Control, no);
        self.files.sessions.push(FtpSession::new(id, no, self.now));
        self.file_client(ci).control = Some(id);
        rec.trace
            .push(format!("ftp#{id} to S{no}: the session will live in S{no}'s memory as long as this connection"));
        self.reply(rec, id, server::greeting(no));
        true
    }

    fn reply(&mut self, rec: &mut FtpRecord, conn: u32, reply: Reply) {
        self.files.conns[conn as usize - 1]
            .wire
            .push(Chunk { from_client: false, bytes: reply.to_wire().into_bytes() });
        rec.lines.push(FtpLine::Reply { conn, reply });
    }

    /// Sends one command on the control connection and writes down the
    /// server's answer; a transfer's answer comes back for the caller.
    fn command(&mut self, rec: &mut FtpRecord, conn: u32, verb: Verb, arg: Option<&str>) -> Option<Answer> {
        let command = Command::new(verb, arg);
        self.files.conns[conn as usize - 1]
            .wire
            .push(Chunk { from_client: true, bytes: command.to_wire().into_bytes() });
        rec.lines.push(FtpLine::Command { conn, command: command.clone() });
        // Only PASV draws from the lane's stream: the port it will listen on.
        let port = match verb {
            Verb::Pasv | Verb::Epsv => PASV_PORT_BASE + self.rng.below(u32::from(PASV_PORTS)) as u16,
            _ => 0,
        };
        let db = &self.backend.db;
        let now = self.now;
        let s = self.files.sessions.iter_mut().find(|s| s.conn == conn)?;
        s.last_command = now;
        let answer = server::answer(s, &command, |u, p| db.password(u) == Some(p), port);
        let no = s.server;
        // What an FTP server handles is commands, as a web server's is requests.
        if let Some(server) = self.servers.iter_mut().find(|x| x.no == no) {
            server.handled += 1;
        }
        match answer {
            Answer::Reply(r) => {
                self.files.stats.logins += u64::from(verb == Verb::Pass && r.code == 230);
                self.reply(rec, conn, r);
                None
            }
            Answer::Quit(r) => {
                self.reply(rec, conn, r);
                self.end_session(conn, now, "QUIT");
                None
            }
            t @ Answer::Transfer { .. } => Some(t),
        }
    }

    fn end_session(&mut self, control: u32, at: SimTime, why: &'static str) {
        self.close_conn(control, at, why);
        self.files.sessions.retain(|s| s.conn != control);
        for c in &mut self.files.clients {
            if c.control == Some(control) {
                c.control = None;
            }
        }
    }

    /// `PASV`, the data connection it opens through the balancer, an
    /// optional `REST`, then `verb` (LIST or RETR) and what it sends.
    fn passive(
        &mut self,
        rec: &mut FtpRecord,
        ci: usize,
        control: u32,
        rest: Option<u64>,
        verb: Verb,
        arg: Option<&str>,
    ) {
        self.command(rec, control, Verb::Pasv, None);
        let Some(port) = self.session(control).and_then(|s| s.passive) else { return };
        let home = self.files.conns[control as usize - 1].server;
        // The client connects to the address the 227 named: the balancer's.
        let data = match self.tcp_pick(ci, rec) {
            Some(slot) if self.servers[slot].no == home => {
                let id = self.new_conn(ci, Role::Data { control, port }, home);
                rec.lines.push(FtpLine::Data {
                    conn: id,
                    note: format!("S{home} accepted it on port {port}, where its PASV listens"),
                    bytes: 0,
                });
                Some(id)
            }
            Some(slot) => {
                let no = self.servers[slot].no;
                let id = self.new_conn(ci, Role::Data { control, port }, no);
                self.close_conn(id, self.now, "refused");
                rec.lines.push(FtpLine::Data {
                    conn: id,
                    note: format!("sent to S{no}, which has no listener on port {port} (S{home}'s PASV opened it): refused, and the balancer closed it"),
                    bytes: 0,
                });
                None
            }
            None => None,
        };
        if let Some(n) = rest {
            self.command(rec, control, Verb::Rest, Some(&n.to_string()));
        }
        let Some(Answer::Transfer { start, file, listing, .. }) = self.command(rec, control, verb, arg) else {
            if let Some(id) = data {
                self.close_conn(id, self.now, "unused");
            }
            return;
        };
        let Some(data) = data else {
            self.files.stats.no_data += 1;
            rec.trace.push(format!("S{home} waited on port {port} and no data connection came"));
            return self.reply(rec, control, server::no_data_connection());
        };
        self.reply(rec, control, start);
        match file {
            None => {
                let n = listing.len() as u64;
                self.files.conns[data as usize - 1]
                    .wire
                    .push(Chunk { from_client: false, bytes: listing.into_bytes() });
                rec.lines.push(FtpLine::Data {
                    conn: data,
                    note: format!("the listing, {n} bytes; S{home} closed it"),
                    bytes: n,
                });
                self.close_conn(data, self.now, "sent");
                self.reply(rec, control, server::transfer_done(true));
            }
            Some((node, from)) => {
                if from > 0 {
                    rec.trace
                        .push(format!("S{home} starts at byte {from}: REST told it, on this connection, just now"));
                }
                self.files.stats.count_start(rest.is_some());
                self.start_transfer(ci, node, from, Via::Ftp { control, data, server: home });
            }
        }
    }

    /// Moves every transfer to where the clock is and closes control
    /// connections idle past [`IDLE_TIMEOUT_MS`]. Called as time passes.
    pub(super) fn file_progress(&mut self, action_no: u32) {
        if !self.config.app.is_files() || self.files.transfers.is_empty() && self.files.sessions.is_empty() {
            return;
        }
        let now = self.now;
        let mut done = Vec::new();
        let files = &mut *self.files;
        for (i, t) in files.transfers.iter_mut().enumerate() {
            let elapsed = now.0.saturating_sub(t.started.0);
            let reach = (t.from + RATE_BPS * elapsed / 1000).min(t.node.size);
            if reach > t.sent {
                if let Via::Ftp { data, .. } = t.via {
                    let bytes = tree::content(t.node).as_bytes()[t.sent as usize..reach as usize].to_vec();
                    files.conns[data as usize - 1].wire.push(Chunk { from_client: false, bytes });
                }
                files.stats.bytes += reach - t.sent;
                t.sent = reach;
                if let Some(p) = files.clients[t.client].partial.as_mut() {
                    p.have = reach;
                }
            }
            if t.sent == t.node.size {
                done.push(i);
            }
        }
        for i in done.into_iter().rev() {
            let t = self.files.transfers.remove(i);
            self.files.stats.completed += 1;
            self.files.clients[t.client].partial = None;
            if let Via::Ftp { control, data, server } = t.via {
                let mut rec = self.ftp_record(t.client, action_no);
                let n = t.node.size - t.from;
                rec.lines.push(FtpLine::Data {
                    conn: data,
                    note: format!("{n} bytes of {}; S{server} closed it", tree::name(t.node.path)),
                    bytes: n,
                });
                self.close_conn(data, now, "sent");
                self.reply(&mut rec, control, server::transfer_done(false));
                self.push_ftp(rec);
            }
        }
        let busy: Vec<u32> = self
            .files
            .transfers
            .iter()
            .filter_map(|t| match t.via {
                Via::Ftp { control, .. } => Some(control),
                Via::Http { .. } => None,
            })
            .collect();
        let idle: Vec<(u32, SimTime)> = self
            .files
            .sessions
            .iter()
            .filter(|s| !busy.contains(&s.conn) && s.last_command.plus_ms(IDLE_TIMEOUT_MS) <= now)
            .map(|s| (s.conn, s.last_command.plus_ms(IDLE_TIMEOUT_MS)))
            .collect();
        for (conn, at) in idle {
            let ci =
                self.clients.iter().position(|c| c.name == self.files.conns[conn as usize - 1].client).unwrap_or(0);
            let mut rec = self.ftp_record(ci, action_no);
            rec.at = at;
            rec.trace.push(format!(
                "no command for {} s: the server closes the control connection, and the login and directory it held with it",
                IDLE_TIMEOUT_MS / 1000
            ));
            self.reply(&mut rec, conn, server::timed_out());
            self.files.stats.idle_closed += 1;
            self.end_session(conn, at, "idle timeout");
            self.push_ftp(rec);
        }
    }

    /// Server `no` died (crash, restart, removal): its FTP connections drop
    /// with no reply, the sessions they carried are gone, and downloads it
    /// was sending, over FTP or HTTP, stop where they are. The event's clause.
    pub(super) fn files_lost(&mut self, no: ServerNo) -> String {
        if !self.config.app.is_files() {
            return String::new();
        }
        let now = self.now;
        let mut told = Vec::new();
        let gone: Vec<FtpSession> = self.files.sessions.iter().filter(|s| s.server == no).cloned().collect();
        // An FTP session is server memory a fault destroys, as an HTTP session is.
        self.stats.sessions_lost += gone.len() as u64;
        self.files.stats.sessions_lost += gone.len() as u64;
        for s in &gone {
            let who = self.files.conns[s.conn as usize - 1].client.clone();
            let user =
                s.user.as_deref().filter(|_| s.logged_in).map_or("no login".to_owned(), |u| format!("{u}'s login"));
            told.push(format!("{who}'s FTP control connection dropped: {user} and the directory {} are gone", s.cwd));
            self.end_session(s.conn, now, SERVER_DIED);
        }
        for c in &mut self.files.conns {
            if c.server == no && c.closed.is_none() {
                c.closed = Some((now, SERVER_DIED));
            }
        }
        let mut cut = Vec::new();
        self.files.transfers.retain(|t| {
            let server = match t.via {
                Via::Ftp { server, .. } | Via::Http { server, .. } => server,
            };
            let stays = server != no;
            if !stays {
                cut.push(t.clone());
            }
            stays
        });
        self.files.stats.cut += cut.len() as u64;
        for t in cut {
            let who = self.clients[t.client].name.clone();
            if let Some(p) = self.files.clients[t.client].partial.as_mut() {
                p.moving = false;
            }
            let how = match t.via {
                Via::Ftp { .. } => "FTP",
                Via::Http { entry, .. } => {
                    self.cut_exchange(entry, t.sent - t.from, no);
                    "HTTP"
                }
            };
            told.push(format!(
                "{who}'s {how} download of {} stopped at {} of {} bytes",
                tree::name(t.node.path),
                t.sent,
                t.node.size
            ));
        }
        told.extend(self.load_files_lost(no));
        told.iter().map(|t| format!("; {t}")).collect()
    }

    /// The HTTP exchange whose body was cut: its response keeps only the
    /// bytes that arrived, and its trace says why.
    fn cut_exchange(&mut self, entry: usize, arrived: u64, no: ServerNo) {
        let Some(Entry::Exchange(x)) = self.entries.get(entry) else { return };
        let mut x = (**x).clone();
        let total = x.response.body.len() as u64;
        x.response.body.truncate(arrived as usize);
        x.cut = Some(BodyCut { arrived, total });
        x.trace.push(format!(
            "S{no} died after {arrived} of {total} body bytes: the connection dropped, the rest never came"
        ));
        x.response_bytes = x.response.wire_len() as u32;
        self.entries[entry] = Entry::Exchange(Rc::new(x));
    }
}
