//! Predict, then see: a step may ask, before it runs, what will happen in
//! one lane or both. There is no stored answer key: once the step has run,
//! the learner's answer is compared with what the engine recorded, so a
//! question stays right when the engine, the seed or a lane changes.

use crate::base::ids::{LaneId, ServerNo};
use crate::fleet::exchange::Exchange;
use crate::fleet::lane::Lane;
use crate::playground::Playground;
use crate::wire::json::ObjectWriter;
use std::borrow::Cow;
use std::fmt;

/// What a question asks about: always the last request the step sends in
/// the lane, which is the one the narration is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Does it succeed (a status below 400: 2xx, or 101 for a WebSocket)?
    Succeeds,
    /// Which class of status does it get (2xx, 4xx, 5xx…)?
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
        match self {
            Outcome::Succeeds if seen.status < 400 => Answer::Yes,
            Outcome::Succeeds => Answer::No,
            Outcome::Status => Answer::Class(u8::try_from(seen.status / 100).unwrap_or(u8::MAX)),
            Outcome::Server => seen.server.map_or(Answer::Balancer, Answer::Server),
        }
    }

    /// The answers offered for `lane` as it is after the step. The actual
    /// answer is always among them, so a learner can be right; the others
    /// come from the lane (its servers, and 1xx only where a connection can
    /// be upgraded), never from the answer.
    pub fn choices(self, lane: &Lane, seen: Option<&Seen>) -> Vec<Answer> {
        let mut out = match self {
            Outcome::Succeeds => vec![Answer::Yes, Answer::No],
            Outcome::Status => {
                let upgrades = lane.config().app.is_connection();
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

/// One possible answer to a [`Question`], for one lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Answer {
    /// It succeeds.
    Yes,
    /// It fails.
    No,
    /// A status class: 1 for 1xx … 5 for 5xx.
    Class(u8),
    /// This server answers.
    Server(ServerNo),
    /// No server: the balancer answers itself (502, 503).
    Balancer,
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Yes => f.write_str("yes"),
            Answer::No => f.write_str("no"),
            Answer::Class(c) => write!(f, "{c}xx"),
            Answer::Server(n) => write!(f, "S{n}"),
            Answer::Balancer => f.write_str("the balancer"),
        }
    }
}

impl Answer {
    /// The answer as a machine reads it: `yes`, `no`, `4xx`, `S2`, `balancer`.
    pub fn key(self) -> String {
        match self {
            Answer::Balancer => "balancer".into(),
            other => other.to_string(),
        }
    }
}

/// What the engine recorded of the step's last request in a lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seen {
    /// The answer's status code.
    pub status: u16,
    /// The server that answered; `None` when the balancer did.
    pub server: Option<ServerNo>,
    /// The exchange's number in its lane (`#5` on screen).
    pub seq: u32,
}

impl Seen {
    fn of(x: &Exchange) -> Seen {
        Seen { status: x.response.status, server: x.server, seq: x.seq }
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
    /// was given) against what `after` recorded since `before`: the state
    /// before the step ran and after.
    pub fn check(&self, before: &Playground, after: &Playground, answers: [Option<Answer>; 2]) -> Verdict {
        self.verdict(last_requests(before, after), answers)
    }

    /// Checks the answers against `seen`, the step's last request in each
    /// lane ([`last_requests`]), for a caller that has read it already.
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
    last_requests_since(last_seqs(before), after)
}

/// Each lane's newest exchange number (0 before the first).
pub(super) fn last_seqs(p: &Playground) -> [u32; 2] {
    LaneId::ALL.map(|id| p.lane(id).exchanges().next_back().map_or(0, |x| x.seq))
}

/// Each lane's newest exchange in `after` if it is newer than `had`.
pub(super) fn last_requests_since(had: [u32; 2], after: &Playground) -> [Option<Seen>; 2] {
    LaneId::ALL.map(|id| after.lane(id).exchanges().next_back().filter(|x| x.seq > had[id.index()]).map(Seen::of))
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
