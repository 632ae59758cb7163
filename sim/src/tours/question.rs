//! Predict, then see: a step may ask, before it runs, what will happen in
//! one lane or both. There is no stored answer key: once the step has run,
//! the learner's answer is compared with what the engine recorded, so a
//! question stays right when the engine, the seed or a lane changes.

use crate::base::ids::{LaneId, ServerNo};
use crate::fleet::db::DbRecord;
use crate::fleet::exchange::{Entry, Exchange};
use crate::fleet::ftp::{FtpLine, FtpRecord};
use crate::fleet::kind::Kind;
use crate::fleet::lane::Lane;
use crate::playground::Playground;
use crate::wire::json::ObjectWriter;
use std::borrow::Cow;
use std::fmt;

/// What a question asks about: always the last request the step sends in
/// the lane, which is the one the narration is about: an HTTP exchange, an
/// FTP command's last reply, or a database lane's request to its app server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Does it succeed (an HTTP status below 400: 2xx, or 101 for a
    /// WebSocket; an FTP reply below 400, RFC 959's positive 1xx–3xx; a
    /// database request that reached an app server and got no error)?
    Succeeds,
    /// Which class of status does it get: HTTP's 2xx, 4xx, 5xx…; FTP's
    /// 1xx preliminary … 5xx permanent negative; a database error's
    /// SQLSTATE class (42xxx), 00xxx for none.
    Status,
    /// Which server answers it, or does the balancer answer itself?
    Server,
}

impl Outcome {
    /// Every kind, in the order an author is offered them.
    pub const ALL: [Outcome; 3] = [Outcome::Succeeds, Outcome::Status, Outcome::Server];

    /// The word a tour file uses (`"about": "succeeds"`).
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Succeeds => "succeeds",
            Outcome::Status => "status",
            Outcome::Server => "server",
        }
    }

    /// The kind a tour file's word names.
    pub fn from_key(key: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.key() == key)
    }

    /// What the engine's record says, as an answer to this kind of question.
    pub fn answer_of(self, seen: &Seen) -> Answer {
        match (self, seen.reply) {
            (Outcome::Server, _) => seen.server.map_or(Answer::Balancer, Answer::Server),
            (Outcome::Succeeds, Reply::Http(code) | Reply::Ftp(code)) if code < 400 => Answer::Yes,
            (Outcome::Succeeds, Reply::Sql(None)) if seen.server.is_some() => Answer::Yes,
            (Outcome::Succeeds, _) => Answer::No,
            (Outcome::Status, Reply::Refused) => Answer::NoReply,
            (Outcome::Status, Reply::Http(code) | Reply::Ftp(code)) => {
                Answer::Class(u8::try_from(code / 100).unwrap_or(u8::MAX))
            }
            // Nothing reached the database: no SQLSTATE, the balancer answered.
            (Outcome::Status, Reply::Sql(_)) if seen.server.is_none() => Answer::Balancer,
            (Outcome::Status, Reply::Sql(e)) => Answer::Sql(e.map_or(*b"00", |c| [c[0], c[1]])),
        }
    }

    /// The answers offered for `lane` as it is after the step. The actual
    /// answer is always among them, so a learner can be right; the others
    /// come from the lane (its servers, and 1xx only where a connection can
    /// be upgraded; all five of RFC 959's FTP classes, or no reply; the SQLSTATE classes
    /// this lane's database and PgBouncer can answer), never from the answer.
    pub fn choices(self, lane: &Lane, seen: Option<&Seen>) -> Vec<Answer> {
        let app = lane.config().app;
        let mut out = match self {
            Outcome::Succeeds => vec![Answer::Yes, Answer::No],
            Outcome::Status if app.is_db() => SQL_CLASSES.into_iter().map(Answer::Sql).collect(),
            Outcome::Status if app.is_files() && !app.is_http_files() => {
                (1..=5).map(Answer::Class).chain([Answer::NoReply]).collect()
            }
            Outcome::Status => {
                let upgrades = app.is_connection();
                [1, 2, 4, 5].into_iter().filter(|&c| c != 1 || upgrades).map(Answer::Class).collect()
            }
            Outcome::Server => {
                let mut v: Vec<_> = lane.servers().iter().map(|s| Answer::Server(s.no)).collect();
                v.push(Answer::Balancer);
                v
            }
        };
        if let Some(actual) = seen.map(|s| self.answer_of(s)) {
            if !out.contains(&actual) {
                // In order, without a sort: the page's bundle has none to spare.
                let at = out.iter().position(|c| *c > actual).unwrap_or(out.len());
                out.insert(at, actual);
            }
        }
        out
    }
}

/// The SQLSTATE classes a database lane can answer: 00 success, 08
/// connection exception (PgBouncer's query_wait_timeout), 23 integrity
/// violation, 25 invalid transaction state, 26 invalid statement name,
/// 42 syntax error or access rule violation (an undefined table).
const SQL_CLASSES: [[u8; 2]; 6] = [*b"00", *b"08", *b"23", *b"25", *b"26", *b"42"];

/// One possible answer to a [`Question`], for one lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Answer {
    /// It succeeds.
    Yes,
    /// It fails.
    No,
    /// A status or FTP reply class: 1 for 1xx … 5 for 5xx.
    Class(u8),
    /// A SQLSTATE class: `42` for 42xxx (42P01 …), `00` for no error.
    Sql([u8; 2]),
    /// This server answers.
    Server(ServerNo),
    /// No server: the balancer answers itself (502, 503), or refuses an
    /// FTP connection.
    Balancer,
    /// No reply at all: the FTP connection was refused.
    NoReply,
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Yes => f.write_str("yes"),
            Answer::No => f.write_str("no"),
            Answer::Class(c) => write!(f, "{c}xx"),
            Answer::Sql([a, b]) => write!(f, "{}{}xxx", char::from(*a), char::from(*b)),
            Answer::Server(n) => write!(f, "S{n}"),
            Answer::Balancer => f.write_str("the balancer"),
            Answer::NoReply => f.write_str("no reply"),
        }
    }
}

impl Answer {
    /// The answer as a machine reads it: `yes`, `no`, `4xx`, `42xxx`, `S2`,
    /// `balancer`, `none` (no reply).
    pub fn key(self) -> String {
        match self {
            Answer::Balancer => "balancer".into(),
            Answer::NoReply => "none".into(),
            other => other.to_string(),
        }
    }
}

/// What answered a request, in its protocol's own terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// An HTTP status.
    Http(u16),
    /// The last FTP reply code on the control connection (RFC 959).
    Ftp(u16),
    /// No FTP reply: the connection was refused (its server is down).
    Refused,
    /// The SQLSTATE of the first error PostgreSQL (or PgBouncer) answered;
    /// `None` for no error.
    Sql(Option<[u8; 5]>),
}

/// What the engine recorded of the step's last request in a lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    /// What answered it.
    pub reply: Reply,
    /// The server that answered (for a database, the app server); `None`
    /// when the balancer did.
    pub server: Option<ServerNo>,
    /// Its number on screen: the exchange's `#5`, the FTP control
    /// connection's `ftp#3`, the last backend connection's `pg#2` (0: none).
    pub seq: u32,
}

impl Seen {
    fn of(x: &Exchange) -> Seen {
        Seen { reply: Reply::Http(x.response.status), server: x.server, seq: x.seq }
    }

    /// With no reply in it, the control connection was refused.
    fn of_ftp(r: &FtpRecord) -> Seen {
        let last = r.lines.iter().rev().find_map(|l| match l {
            FtpLine::Reply { conn, reply } => {
                Some(Seen { reply: Reply::Ftp(reply.code), server: r.server, seq: *conn })
            }
            _ => None,
        });
        last.unwrap_or(Seen { reply: Reply::Refused, server: r.server, seq: 0 })
    }

    fn of_db(r: &DbRecord) -> Seen {
        // An error stays an error whatever its code's length: padded or cut to five.
        let code = |e: &str| {
            let mut c = *b"     ";
            c.iter_mut().zip(e.bytes()).for_each(|(d, b)| *d = b);
            c
        };
        let error = if r.queue_timeout { Some(*b"08P01") } else { r.error().map(code) };
        Seen { reply: Reply::Sql(error), server: r.server, seq: r.conns().last().copied().unwrap_or(0) }
    }

    /// The request an entry records, if it is one.
    fn of_entry(e: &Entry) -> Option<Seen> {
        match e {
            Entry::Exchange(x) => Some(Seen::of(x)),
            // A bundle without the kind never records one: its reading is left out.
            Entry::Ftp(r) if const { Kind::Files.compiled() } => Some(Seen::of_ftp(r)),
            Entry::Db(r) if const { Kind::Db.compiled() } => Some(Seen::of_db(r)),
            Entry::Event(_) | Entry::Socket(_) | Entry::Ftp(_) | Entry::Db(_) => None,
        }
    }
}

/// What the page says was recorded: `#5 got 401 from S2`, `ftp#1 got 425
/// from S1`, `pg#2 answered ERROR 42P01 via S1`.
impl fmt::Display for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let from = |f: &mut fmt::Formatter<'_>| match self.server {
            Some(n) => write!(f, "S{n}"),
            None => f.write_str("the balancer"),
        };
        match self.reply {
            Reply::Http(code) => write!(f, "#{} got {code} from ", self.seq).and_then(|()| from(f)),
            Reply::Ftp(code) => write!(f, "ftp#{} got {code} from ", self.seq).and_then(|()| from(f)),
            Reply::Refused => f.write_str("the connection was refused: no reply"),
            Reply::Sql(_) if !const { Kind::Db.compiled() } => Ok(()),
            Reply::Sql(_) if self.server.is_none() => {
                f.write_str("the balancer answered: nothing reached the database")
            }
            Reply::Sql(_) if self.seq == 0 => f.write_str("nothing reached the database yet"),
            Reply::Sql(e) => {
                let said = e.map_or("no error".into(), |c| format!("ERROR {}", String::from_utf8_lossy(&c)));
                write!(f, "pg#{} answered {said} via ", self.seq).and_then(|()| from(f))
            }
        }
    }
}

/// A question asked before a step runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// The question in the author's words ("S1 crashes. Will alice's next
    /// request succeed?"). Plain text.
    pub prompt: Cow<'static, str>,
    /// What it asks about.
    pub about: Outcome,
    /// Which lanes it asks about, indexed by [`LaneId::index`]; at least one.
    pub lanes: [bool; 2],
}

impl Question {
    /// The lanes asked about, in order.
    pub fn asked(&self) -> impl Iterator<Item = LaneId> + '_ {
        LaneId::ALL.into_iter().filter(|id| self.lanes[id.index()])
    }

    /// Checks the learner's answers (one per lane asked; `None` where none
    /// was given) against `seen`, the step's last request in each lane
    /// ([`last_requests`]).
    pub fn verdict(&self, seen: [Option<Seen>; 2], answers: [Option<Answer>; 2]) -> Verdict {
        let lanes = LaneId::ALL.map(|id| {
            let i = id.index();
            self.lanes[i].then(|| {
                let actual = seen[i].map(|s| self.about.answer_of(&s));
                LaneVerdict {
                    given: answers[i],
                    actual,
                    seen: seen[i],
                    correct: answers[i].is_some() && answers[i] == actual,
                }
            })
        });
        let correct = lanes.iter().flatten().all(|l| l.correct);
        Verdict { lanes, correct }
    }
}

/// The step's last request in each lane: the newest exchange `after` holds
/// that `before` did not; `None` where the step sent none.
pub fn last_requests(before: &Playground, after: &Playground) -> [Option<Seen>; 2] {
    last_requests_since(entry_counts(before), after)
}

/// How many entries each lane has recorded.
pub(super) fn entry_counts(p: &Playground) -> [usize; 2] {
    LaneId::ALL.map(|id| p.lane(id).entries().len())
}

/// Each lane's last request among the entries `after` recorded past the
/// first `had`: the newest exchange, FTP record or database record; `None`
/// where there is none.
pub(super) fn last_requests_since(had: [usize; 2], after: &Playground) -> [Option<Seen>; 2] {
    LaneId::ALL.map(|id| {
        let entries = after.lane(id).entries();
        entries.get(had[id.index()]..).and_then(|new| new.iter().rev().find_map(Seen::of_entry))
    })
}

impl Verdict {
    /// The `statelab:answer` event's detail for step `step` of `tour`:
    /// `{"tour":…,"step":n,"answers":{"A":"yes",…},"actual":{"A":"no",…},"correct":false}`,
    /// lanes not asked about left out, an unanswered lane `""`.
    pub fn event_json(&self, tour: &str, step: usize) -> String {
        let mut answers = ObjectWriter::new();
        let mut actual = ObjectWriter::new();
        for (id, l) in LaneId::ALL.iter().zip(&self.lanes) {
            if let Some(l) = l {
                answers = answers.str(id.label(), &l.given.map(Answer::key).unwrap_or_default());
                actual = actual.str(id.label(), &l.actual.map(Answer::key).unwrap_or_default());
            }
        }
        ObjectWriter::new()
            .str("tour", tour)
            .num("step", u64::try_from(step).unwrap_or(u64::MAX))
            .raw("answers", &answers.finish())
            .raw("actual", &actual.finish())
            .raw("correct", if self.correct { "true" } else { "false" })
            .finish()
    }
}

/// How one lane's answer compared with the engine's record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LaneVerdict {
    /// What the learner chose.
    pub given: Option<Answer>,
    /// What happened, as an answer; `None` if the step sent no request here.
    pub actual: Option<Answer>,
    /// The record it was read from.
    pub seen: Option<Seen>,
    /// Whether the two agree.
    pub correct: bool,
}

/// A question's outcome: one [`LaneVerdict`] per lane asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Indexed by [`LaneId::index`]; `None` for a lane not asked about.
    pub lanes: [Option<LaneVerdict>; 2],
    /// Every lane asked about was answered as it happened.
    pub correct: bool,
}
