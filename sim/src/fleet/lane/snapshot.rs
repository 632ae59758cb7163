//! Cheap checkpoints of a lane for undo. A lane's entries only ever grow, so
//! a snapshot keeps everything else plus how many entries there were, and
//! restoring truncates the live entries instead of copying them.

use super::Lane;

/// A lane as it was, without its entries.
#[derive(Clone, Debug)]
pub(crate) struct Snapshot {
    lane: Lane,
    entries: usize,
}

impl Lane {
    /// Copies everything but the entries: the cost is the lane's state
    /// (servers, store, clients), not the length of its history.
    pub(crate) fn snapshot(&mut self) -> Snapshot {
        let entries = std::mem::take(&mut self.entries);
        let snapshot = Snapshot { lane: self.clone(), entries: entries.len() };
        self.entries = entries;
        snapshot
    }

    /// Goes back to `s`, which must have been taken from this lane's past.
    pub(crate) fn restore(&mut self, s: &Snapshot) {
        let mut entries = std::mem::take(&mut self.entries);
        entries.truncate(s.entries);
        *self = s.lane.clone();
        self.entries = entries;
    }
}
