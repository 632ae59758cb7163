//! Running totals that a load run reads per simulated second: the lane keeps
//! one set of counts as it goes, and a run takes the difference from its last
//! look. Each kind of lane lists its counts once, in [`Tally::places`], and
//! adding and subtracting walk that list, so the two cannot disagree.

/// A set of `u64` counts, added and subtracted count by count.
pub(crate) trait Tally: Clone {
    /// Each count as a place, always in the same order.
    fn places(&mut self) -> Vec<&mut u64>;

    /// Adds `other`'s counts to these.
    fn add(&mut self, other: &Self) {
        let mut other = other.clone();
        for (a, b) in self.places().into_iter().zip(other.places()) {
            *a = a.saturating_add(*b);
        }
    }

    /// What happened since `earlier`, a look at the same running totals.
    fn since(&self, earlier: &Self) -> Self {
        let mut d = self.clone();
        let mut earlier = earlier.clone();
        for (a, b) in d.places().into_iter().zip(earlier.places()) {
            *a = a.saturating_sub(*b);
        }
        d
    }
}
