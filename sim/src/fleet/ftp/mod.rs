//! File transfer lanes (issue 21): an FTP server whose control connection
//! is the session ([`App::Ftp`](crate::fleet::App::Ftp)), and the same files
//! over HTTP, where every request carries its full path and credentials
//! ([`App::Files`](crate::fleet::App::Files), served by `fleet/files.rs`). What crosses each FTP
//! connection is recorded byte for byte; the lane's side (`lane/ftp.rs`)
//! opens connections through the balancer and moves transfers as time passes.

pub(crate) mod server;
pub(crate) mod tree;

use crate::base::ids::ServerNo;
use crate::base::time::SimTime;
use crate::fleet::connection::Chunk;
use crate::wire::ftp::{Command, Reply};

/// The address the balancer's FTP frontend listens on, which a 227 reply
/// names: the servers behind it are not reachable from the client.
pub const FTP_ADDR: [u8; 4] = [192, 0, 2, 1];
/// The first of the passive ports the balancer forwards, each to the same
/// port on the server it picks (HAProxy: `bind :50000-50009`).
pub const PASV_PORT_BASE: u16 = 50_000;
/// How many passive ports there are.
pub const PASV_PORTS: u16 = 10;
/// What the simulated link carries, in bytes per second: slow enough that a
/// fault can land in the middle of a download.
pub const RATE_BPS: u64 = 2_000;
/// vsftpd's `idle_session_timeout` (its default, 300 s): a control
/// connection with no command for this long is closed with `421 Timeout.`
pub const IDLE_TIMEOUT_MS: u64 = 300_000;
/// Why a connection closed when its server died (a crash, restart or removal).
pub(crate) const SERVER_DIED: &str = "server died";
/// The HTTP counterpart's host name, in every request's `Host`.
pub const FILES_HOST: &str = "files.example";

/// Running totals of a file lane's logins and downloads, FTP or HTTP: the
/// lane's own record as its users act, and (flattened into
/// [`Files`](crate::load::Files)) a load run's counts per second, so the
/// playground and a load run count the same things the same way.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileStats {
    /// FTP logins the server accepted (`230`): a session opened in its memory.
    pub logins: u64,
    /// Downloads that started from the first byte.
    pub started: u64,
    /// Downloads that went on from where a cut left them (`REST`, `Range`).
    pub resumed: u64,
    /// Downloads whose last byte arrived.
    pub completed: u64,
    /// Downloads a fault stopped part of the way.
    pub cut: u64,
    /// Transfers refused `425`: the data connection reached another server
    /// than the control connection's `PASV`, or none.
    pub no_data: u64,
    /// Connections or requests no server took: the balancer had none in
    /// rotation, or the one it chose was down.
    pub refused: u64,
    /// File bytes that arrived at clients.
    pub bytes: u64,
    /// FTP sessions a fault destroyed with their server's memory.
    pub sessions_lost: u64,
    /// FTP sessions the server closed after [`IDLE_TIMEOUT_MS`] with no command.
    pub idle_closed: u64,
}

impl FileStats {
    /// A download began: a new one, or the resume of one a fault cut
    /// (whatever byte it had reached, the first one included).
    pub(crate) fn count_start(&mut self, resumed: bool) {
        if resumed {
            self.resumed += 1;
        } else {
            self.started += 1;
        }
    }
}

impl crate::base::tally::Tally for FileStats {
    fn places(&mut self) -> Vec<&mut u64> {
        vec![
            &mut self.logins,
            &mut self.started,
            &mut self.resumed,
            &mut self.completed,
            &mut self.cut,
            &mut self.no_data,
            &mut self.refused,
            &mut self.bytes,
            &mut self.sessions_lost,
            &mut self.idle_closed,
        ]
    }
}

/// What an FTP connection is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Commands and replies; the session lives as long as it does.
    Control,
    /// One listing or file, opened after `PASV` to `port` through the
    /// balancer, for the control connection `control`.
    Data {
        /// The control connection's id.
        control: u32,
        /// The passive port the 227 reply named.
        port: u16,
    },
}

/// One TCP connection of an FTP lane: where the balancer sent it and every
/// byte that crossed it each way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FtpConn {
    /// 1-based, per lane, control and data alike: `ftp#2` on screen.
    pub id: u32,
    /// What it carries.
    pub role: Role,
    /// The client that opened it.
    pub client: String,
    /// The server the balancer sent it to.
    pub server: ServerNo,
    /// When it opened.
    pub opened: SimTime,
    /// When and why it closed, once it has.
    pub closed: Option<(SimTime, &'static str)>,
    /// The bytes each way, in order (the data a file carries in the pieces
    /// the link delivered).
    pub wire: Vec<Chunk>,
}

impl FtpConn {
    /// Whether it is still open.
    pub fn open(&self) -> bool {
        self.closed.is_none()
    }

    /// Whether its server died while it was open: on a data connection,
    /// whatever it was carrying stopped short.
    pub fn died(&self) -> bool {
        matches!(self.closed, Some((_, why)) if why == SERVER_DIED)
    }
}

/// What an FTP server holds for one control connection, in its memory only:
/// gone with the connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FtpSession {
    /// The control connection it belongs to.
    pub conn: u32,
    /// The server whose memory holds it.
    pub server: ServerNo,
    /// The name `USER` gave, before and after `PASS`.
    pub user: Option<String>,
    /// Whether `PASS` was accepted for it.
    pub logged_in: bool,
    /// The working directory, changed by `CWD`.
    pub cwd: String,
    /// `TYPE I` was sent: files go as their bytes (else ASCII).
    pub binary: bool,
    /// The offset `REST` set for the next `RETR` (0 when none).
    pub rest: u64,
    /// The port `PASV` opened and is listening on, until a transfer uses it.
    pub passive: Option<u16>,
    /// When the last command came (the idle timeout counts from it).
    pub last_command: SimTime,
}

impl FtpSession {
    /// A session just greeted: nobody logged in, at the root, ASCII.
    pub fn new(conn: u32, server: ServerNo, now: SimTime) -> FtpSession {
        FtpSession {
            conn,
            server,
            user: None,
            logged_in: false,
            cwd: "/".into(),
            binary: false,
            rest: 0,
            passive: None,
            last_command: now,
        }
    }
}

/// One line that crossed an FTP connection, as an action's record keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FtpLine {
    /// A command the client sent on control connection `conn`.
    Command {
        /// The control connection.
        conn: u32,
        /// What was sent.
        command: Command,
    },
    /// A reply the server sent on control connection `conn`.
    Reply {
        /// The control connection.
        conn: u32,
        /// What was sent, one or more lines.
        reply: Reply,
    },
    /// A data connection opened, refused, carried bytes or closed; in words.
    Data {
        /// The data connection.
        conn: u32,
        /// What happened on it: `S1 accepted it on port 50004`.
        note: String,
        /// The bytes it carried in this piece (0 for opening or closing).
        bytes: u64,
    },
}

/// What one action did on a lane's FTP connections, in wire order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FtpRecord {
    /// Index of the action in the log that caused it.
    pub action: u32,
    /// When, on the lane's true clock.
    pub at: SimTime,
    /// Whose client.
    pub client: String,
    /// The server that holds the control connection, when there is one.
    pub server: Option<ServerNo>,
    /// What crossed, in order.
    pub lines: Vec<FtpLine>,
    /// What happened inside, in the engine's words.
    pub trace: Vec<String>,
}

impl FtpRecord {
    /// The reply codes, in order: what tests and the twin compare.
    pub fn codes(&self) -> Vec<u16> {
        self.lines
            .iter()
            .filter_map(|l| match l {
                FtpLine::Reply { reply, .. } => Some(reply.code),
                _ => None,
            })
            .collect()
    }
}
