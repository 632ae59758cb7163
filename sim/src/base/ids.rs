//! The names things go by: the playground's two lanes, the servers of a
//! lane's fleet, and the shop's three named users.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which of the playground's two lanes: `A` (index 0) or `B` (index 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LaneId {
    /// The left lane, index 0.
    A,
    /// The right lane, index 1.
    B,
}

impl LaneId {
    /// Both lanes, in index order.
    pub const ALL: [LaneId; 2] = [LaneId::A, LaneId::B];

    /// 0 for `A`, 1 for `B`: the lane's place in per-lane arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// `Some` for 0 and 1.
    pub fn from_index(i: usize) -> Option<LaneId> {
        LaneId::ALL.get(i).copied()
    }

    /// `A` or `B`, as on screen.
    pub fn label(self) -> &'static str {
        ["A", "B"][self.index()]
    }

    /// `a` or `b`, as in links, ids and file names.
    pub fn code(self) -> &'static str {
        ["a", "b"][self.index()]
    }

    /// Reads `a`/`A` or `b`/`B`.
    pub fn parse(s: &str) -> Option<LaneId> {
        LaneId::ALL.into_iter().find(|l| l.code().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for LaneId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A browser user of the demo shop. Each has an address (for IP hash).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum User {
    /// Logs in as `alice`; index 0.
    Alice,
    /// Logs in as `bob`; index 1.
    Bob,
    /// Logs in as `carol`; index 2.
    Carol,
}

impl User {
    /// All three users, in index order.
    pub const ALL: [User; 3] = [User::Alice, User::Bob, User::Carol];

    /// 0, 1 or 2: the user's place in per-user arrays (a lane's browsers).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The lowercase login name (`alice`, `bob`, `carol`): what the shop's
    /// database knows and what action notation writes.
    pub fn username(self) -> &'static str {
        ["alice", "bob", "carol"][self.index()]
    }
}

/// Server numbers are 1-based, as on screen (S1, S2…).
pub type ServerNo = u8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for l in LaneId::ALL {
            assert_eq!(LaneId::from_index(l.index()), Some(l));
            assert_eq!(LaneId::parse(l.code()), Some(l));
            assert_eq!(LaneId::parse(l.label()), Some(l));
        }
        assert_eq!(LaneId::from_index(2), None);
        assert_eq!(LaneId::parse("c"), None);
    }
}
