//! Long-lived connections, as a lane records them: the WebSocket
//! connections its clients opened and the bytes that crossed each one, the
//! frames each action sent, and what a server's memory holds of the
//! connection apps' rooms. The servers' side of them is in `socket/`.
//!
//! A connection is the session here: after the handshake, every frame goes
//! to the server that accepted it, whatever the balancer would pick now.

use crate::base::ids::ServerNo;
use crate::base::time::SimTime;
use crate::wire::ws::Frame;

/// HAProxy's `timeout tunnel` in the fleet's configuration: a connection
/// that carries no frame either way for this long is closed by the
/// balancer, with no close frame. An app that pings keeps its connection.
pub const TUNNEL_TIMEOUT_MS: u64 = 3_600_000;
/// Reconnect delays start at this and double with each failed attempt…
pub const BACKOFF_BASE_MS: u64 = 500;
/// …up to this.
pub const BACKOFF_CAP_MS: u64 = 30_000;
/// Recent chat messages a room keeps (in a server's memory, or in the store's list).
pub const HISTORY: usize = 10;
/// The longest chat message a client sends, in bytes.
pub const MAX_TEXT: usize = 200;
/// A match's board: positions run from 0 to this on each axis.
pub const BOARD_MAX: i32 = 9;

/// One WebSocket connection a lane's client opened: where it is, how it
/// ended, and every byte that crossed it each way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// 1-based, per lane: `ws#2` on screen.
    pub id: u32,
    /// The browser that opened it.
    pub client: String,
    /// The server that accepted the handshake and holds it.
    pub server: ServerNo,
    /// The handshake exchange's number (`#5`).
    pub handshake: u32,
    /// When the server answered 101.
    pub opened: SimTime,
    /// Who the server takes the other end to be: the handshake's user, or,
    /// when the token comes in the first message, `None` until it has.
    pub user: Option<String>,
    /// The credential the connection was opened with, as the header a
    /// re-check presents it: (`Authorization`, `Bearer …`) or (`Cookie`, `session_id=…`).
    pub credential: Option<(&'static str, String)>,
    /// When the last frame crossed it, either way (the handshake at first):
    /// the balancer closes it [`TUNNEL_TIMEOUT_MS`] after that.
    pub last_active: SimTime,
    /// How it ended, once it has.
    pub closed: Option<Closed>,
    /// The bytes each way, in order: the handshake request and its 101, then
    /// every frame. Empty in load runs, which keep counts only.
    pub wire: Vec<Chunk>,
}

impl Connection {
    /// Whether it is still open.
    pub fn open(&self) -> bool {
        self.closed.is_none()
    }
}

/// How a connection ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Closed {
    /// On the lane's true clock.
    pub at: SimTime,
    /// The status code the client reports: the close frame's, or 1006 when
    /// the connection dropped with no close frame (a crash).
    pub code: u16,
}

/// Bytes that crossed a connection in one direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// Sent by the client (masked frames, the handshake request), or by the server.
    pub from_client: bool,
    /// Exactly as they crossed the wire.
    pub bytes: Vec<u8>,
}

/// One frame as a lane recorded it, on the connection it crossed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameRecord {
    /// The connection it crossed.
    pub conn: u32,
    /// The client at the other end.
    pub client: String,
    /// Sent by the client; else by the server.
    pub from_client: bool,
    /// The frame, masked as it was sent.
    pub frame: Frame,
}

/// What one action did on connections: the frames that crossed, in order,
/// and why, as the servers did it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SocketRecord {
    /// Index of the action in the log that caused it.
    pub action: u32,
    /// When, on the lane's true clock.
    pub at: SimTime,
    /// The connection the action used.
    pub conn: u32,
    /// Whose connection.
    pub client: String,
    /// The server that holds it.
    pub server: ServerNo,
    /// What crossed, in wire order.
    pub frames: Vec<FrameRecord>,
    /// What happened inside, in order, and who did not get a message and why.
    pub trace: Vec<String>,
    /// Who did not get the message this action sent, and why, in the order
    /// the trace says so: each is also a line of `trace`, written as
    /// [`Miss`]'s `Display` writes it.
    pub missed: Vec<Miss>,
    /// Round trips the server made to the shared store while acting on
    /// these frames (a PUBLISH, a checkpoint, the history for a welcome, a
    /// re-checked session), answered or not: the diagram lights the store by it.
    pub store_trips: u32,
}

/// Someone a message did not reach: a connection open on a server the
/// room cannot reach, or a user whose app is between connections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Miss {
    /// The open connection that did not get it; `None` while the user's app
    /// is reconnecting and has none.
    pub conn: Option<u32>,
    /// Whose.
    pub client: String,
    /// The server that holds that connection; `None` while reconnecting.
    pub server: Option<ServerNo>,
    /// When the app's next attempt goes out, while it is reconnecting.
    pub retry_at: Option<SimTime>,
    /// Why, in words: what kept it from them.
    pub why: String,
}

impl Miss {
    /// Who, as the trace names them: `bob (ws#2 on S1) does not get it`, or
    /// `alice is reconnecting (next attempt at 09:00:05)`.
    pub fn who(&self) -> String {
        match (self.conn, self.server) {
            (Some(id), Some(no)) => format!("{} (ws#{id} on S{no}) does not get it", self.client),
            _ => match self.retry_at {
                Some(at) => format!("{} is reconnecting (next attempt at {})", self.client, at.clock()),
                None => format!("{} has no connection", self.client),
            },
        }
    }
}

impl std::fmt::Display for Miss {
    /// The trace's line: who, then why.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.who(), self.why)
    }
}

/// What a server's memory holds of the connection apps' rooms, wiped with it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rooms {
    /// The chat room's recent messages (chat in server memory only).
    pub chat: Vec<ChatLine>,
    /// The match this server runs, if it runs one.
    pub game: Option<Match>,
}

impl Rooms {
    /// Bytes of room state in a server's memory: each recent chat message's
    /// sender and text, and the match as its JSON (what a checkpoint stores).
    pub fn bytes(&self) -> u32 {
        let chat: usize = self.chat.iter().map(|l| l.from.len() + l.text.len()).sum();
        let game = self.game.as_ref().map_or(0, |m| m.to_json().len());
        u32::try_from(chat + game).unwrap_or(u32::MAX)
    }
}

/// One chat message as a room keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatLine {
    /// Who said it.
    pub from: String,
    /// What they said.
    pub text: String,
}

/// A match's authoritative state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Match {
    /// Moves applied since the match began.
    pub tick: u32,
    /// Each player's position, by name in order.
    pub players: Vec<(String, (i32, i32))>,
}

impl Match {
    /// `{"tick":3,"players":{"alice":[1,0],"bob":[0,0]}}`: what a state
    /// message and a checkpoint carry.
    pub fn to_json(&self) -> String {
        use std::fmt::Write;
        let mut out = format!("{{\"tick\":{},\"players\":{{", self.tick);
        for (i, (name, (x, y))) in self.players.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            crate::wire::json::write_str(&mut out, name);
            let _ = write!(out, ":[{x},{y}]");
        }
        out.push_str("}}");
        out
    }
}

/// Whether an app would send `text` as a chat message: words of letters,
/// digits and `' ! ? - _` separated by single spaces (what the notation
/// can carry in a link), at most [`MAX_TEXT`] bytes. The error says why not.
pub fn check_chat_text(text: &str) -> Result<(), String> {
    if text.is_empty() {
        return Err("the message is empty".into());
    }
    if text.len() > MAX_TEXT {
        return Err(format!("a chat message is at most {MAX_TEXT} bytes; this one is {}", text.len()));
    }
    if text.contains("  ") || text.starts_with(' ') || text.ends_with(' ') {
        return Err("words are one space apart, with none before or after".into());
    }
    if let Some(c) = text.chars().find(|&c| c != ' ' && !(c.is_alphanumeric() || "'!?-_".contains(c))) {
        // The message travels in the page's link, whose notation cuts at
        // punctuation: only what it can carry is sent.
        return Err(format!(
            "“{}” cannot be sent: a message here holds letters, digits, spaces and ' ! ? - _ only, as it travels in the page's link",
            crate::base::quote::quoted(&c.to_string())
        ));
    }
    Ok(())
}

/// The reconnect delay for attempt `k` (0-based) before jitter: 500 ms
/// doubled per attempt, capped at 30 s. The delay drawn is its upper half
/// plus a uniform draw from its lower half ("equal jitter"), so clients that
/// lost their connection together spread out.
pub fn backoff_ms(k: u32) -> u64 {
    BACKOFF_BASE_MS.saturating_mul(1u64.checked_shl(k.min(16)).unwrap_or(u64::MAX)).min(BACKOFF_CAP_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_its_cap() {
        assert_eq!(backoff_ms(0), 500);
        assert_eq!(backoff_ms(1), 1_000);
        assert_eq!(backoff_ms(5), 16_000);
        assert_eq!(backoff_ms(6), BACKOFF_CAP_MS);
        assert_eq!(backoff_ms(u32::MAX), BACKOFF_CAP_MS);
    }

    #[test]
    fn a_match_writes_its_players_in_order() {
        let m = Match { tick: 2, players: vec![("alice".into(), (1, 0)), ("bob".into(), (0, -1))] };
        assert_eq!(m.to_json(), r#"{"tick":2,"players":{"alice":[1,0],"bob":[0,-1]}}"#);
    }
}
