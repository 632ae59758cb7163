//! The narrator's record of every session id a lane issued and what became
//! of it. Servers know only what they hold; this record knows the history,
//! so a refused id can be explained with the one thing that is true of it:
//! never issued, lost in a crash, held by another server, expired or logged out.

use crate::base::ids::ServerNo;
use crate::base::table::Table;
use crate::base::time::SimTime;

/// How many ids a lane keeps the history of. A load run issues one per user
/// (at most about a thousand), so this is reached only by very long runs;
/// past it, ids are no longer recorded and an unknown id is said to be unknown,
/// never "never issued".
pub(crate) const MAX_RECORDED: usize = 10_000;

/// Where the session behind an id was kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kept {
    /// In the memory of the server that created it.
    Memory(ServerNo),
    /// In the shared store, written by this server.
    Store(ServerNo),
}

/// What took an in-memory session with its server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loss {
    Crashed,
    Restarted,
    Removed,
}

impl Loss {
    pub(crate) fn verb(self) -> &'static str {
        match self {
            Loss::Crashed => "crashed",
            Loss::Restarted => "restarted",
            Loss::Removed => "was removed from the pool",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Still held where it was kept.
    Live,
    Lost(Loss, SimTime),
    LoggedOut(SimTime),
    Expired(SimTime),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Issued {
    pub at: SimTime,
    pub kept: Kept,
    pub fate: Fate,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Ledger {
    issued: Table<Issued>,
    /// Some id went unrecorded because the ledger was full.
    full: bool,
}

impl Ledger {
    pub(crate) fn issue(&mut self, id: &str, kept: Kept, at: SimTime) {
        if self.issued.len() >= MAX_RECORDED {
            self.full = true;
            return;
        }
        self.issued.insert(id.to_owned(), Issued { at, kept, fate: Fate::Live });
    }

    /// Records the end of a live session; a settled fate is never rewritten.
    pub(crate) fn settle(&mut self, id: &str, fate: Fate) {
        if let Some(i) = self.issued.get_mut(id).filter(|i| i.fate == Fate::Live) {
            i.fate = fate;
        }
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Issued> {
        self.issued.get(id)
    }

    /// What became of `id`, told to someone whose request `at` refused it.
    pub(crate) fn story(&self, id: &str, at: ServerNo) -> String {
        let Some(issued) = self.get(id) else {
            return if self.full {
                format!("this lane issued more than {MAX_RECORDED} ids and recorded only the first {MAX_RECORDED}; this one is not among them")
            } else {
                "no server ever issued this id: it was typed, edited or guessed".into()
            };
        };
        match (issued.kept, issued.fate) {
            (Kept::Memory(no), Fate::Live) if no != at => {
                format!("it lives in S{no}'s memory; the balancer sent this request elsewhere")
            }
            (Kept::Memory(no), Fate::Live) => format!("it lives in S{no}'s memory"),
            (Kept::Store(_), Fate::Live) => "it is still in the shared store".into(),
            (Kept::Memory(no) | Kept::Store(no), Fate::Lost(loss, t)) => {
                format!("S{no} held it until it {} at {t}", loss.verb())
            }
            (Kept::Memory(_), Fate::LoggedOut(t)) => format!("it was deleted at logout at {t}"),
            (Kept::Store(_), Fate::LoggedOut(t)) => format!("it was deleted from the shared store at logout at {t}"),
            (Kept::Memory(no), Fate::Expired(t)) => format!("it expired at {t}, idle too long, and S{no} dropped it"),
            (Kept::Store(_), Fate::Expired(t)) => format!("it expired at {t}, idle too long, and the store dropped it"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::time::START;

    #[test]
    fn a_fate_once_settled_stays() {
        let mut l = Ledger::default();
        l.issue("ab", Kept::Memory(1), START);
        l.settle("ab", Fate::LoggedOut(START.plus_ms(1_000)));
        l.settle("ab", Fate::Lost(Loss::Crashed, START.plus_ms(2_000)));
        assert_eq!(l.story("ab", 1), "it was deleted at logout at 09:00:01");
        assert_eq!(l.story("zz", 1), "no server ever issued this id: it was typed, edited or guessed");
    }

    #[test]
    fn a_full_ledger_never_claims_an_id_was_never_issued() {
        let mut l = Ledger::default();
        for n in 0..=MAX_RECORDED {
            l.issue(&format!("{n:08}"), Kept::Store(2), START);
        }
        assert_eq!(l.issued.len(), MAX_RECORDED);
        assert!(!l.story("late", 1).contains("never"), "{}", l.story("late", 1));
    }
}
