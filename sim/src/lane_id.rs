//! Which of the playground's two lanes: `A` (index 0) or `B` (index 1).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum LaneId {
    A,
    B,
}

impl LaneId {
    pub const ALL: [LaneId; 2] = [LaneId::A, LaneId::B];

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
