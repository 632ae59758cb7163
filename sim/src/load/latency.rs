//! The latency histogram's bins. One bin per millisecond below [`EXACT_MS`],
//! then, as HdrHistogram does, each doubling split into [`SUB_BINS`] bins of
//! equal width: a percentile read from it is exact below 64 ms and within
//! 1/32 of its value above (a 2 s pool wait to 64 ms, a 2 min one to 2 s),
//! up to [`EXACT_MS`] × 2^[`DOUBLINGS`] ms, about 18.6 hours, which no run
//! reaches (a database lane's longest wait is PgBouncer's 120 s timeout);
//! the last bin holds everything from there up. Integer arithmetic only, so
//! wasm and native agree bin for bin.

/// Latencies below this many milliseconds have a bin each.
pub(crate) const EXACT_MS: u32 = 64;
/// Bins per doubling above [`EXACT_MS`].
pub(crate) const SUB_BINS: u32 = 32;
/// Doublings above [`EXACT_MS`] with bins of their own.
pub(crate) const DOUBLINGS: u32 = 20;
/// Bins in all: the exact ones, each doubling's, and the last for the rest.
pub const LATENCY_BINS: usize = (EXACT_MS + SUB_BINS * DOUBLINGS) as usize + 1;
/// Where the last bin starts: 64 ms × 2^20.
const LAST_FROM_MS: u32 = EXACT_MS << DOUBLINGS;

/// The bin a latency of `ms` milliseconds falls in.
pub fn bin_of(ms: u32) -> usize {
    if ms < EXACT_MS {
        return ms as usize;
    }
    if ms >= LAST_FROM_MS {
        return LATENCY_BINS.saturating_sub(1);
    }
    // `ms` is in [2^k, 2^(k+1)), k from 6 (64 ms) to 25: doubling k - 6,
    // in bins 2^k / 32 wide.
    let k = 31u32.saturating_sub(ms.leading_zeros());
    let doubling = k.saturating_sub(EXACT_MS.trailing_zeros());
    let width_log2 = k.saturating_sub(SUB_BINS.trailing_zeros());
    let start = 1u32.checked_shl(k).unwrap_or(0);
    let sub = ms.saturating_sub(start).checked_shr(width_log2).unwrap_or(0);
    let bin = EXACT_MS.saturating_add(doubling.saturating_mul(SUB_BINS)).saturating_add(sub);
    bin as usize
}

/// The milliseconds bin `bin` holds: its first and, but for the last bin,
/// which has no end, its last.
pub fn bin_range(bin: usize) -> (u32, Option<u32>) {
    let b = u32::try_from(bin).unwrap_or(u32::MAX);
    if b < EXACT_MS {
        return (b, Some(b));
    }
    let above = b.saturating_sub(EXACT_MS);
    let doubling = above.checked_div(SUB_BINS).unwrap_or(0);
    if doubling >= DOUBLINGS {
        return (LAST_FROM_MS, None);
    }
    let k = doubling.saturating_add(EXACT_MS.trailing_zeros());
    let width = 1u32.checked_shl(k.saturating_sub(SUB_BINS.trailing_zeros())).unwrap_or(1);
    let start = 1u32.checked_shl(k).unwrap_or(0);
    let first = start.saturating_add(above.checked_rem(SUB_BINS).unwrap_or(0).saturating_mul(width));
    (first, Some(first.saturating_add(width).saturating_sub(1)))
}

/// A latency bin in words: `12 ms`, `2,048–2,111 ms`, `67,108,864 ms or more`.
pub fn bin_label(bin: usize) -> String {
    use crate::base::words::thousands;
    match bin_range(bin) {
        (first, None) => format!("{} ms or more", thousands(u64::from(first))),
        (first, Some(last)) if last == first => format!("{} ms", thousands(u64::from(first))),
        (first, Some(last)) => format!("{}–{} ms", thousands(u64::from(first)), thousands(u64::from(last))),
    }
}

/// The first millisecond of the bin at or below which `p` percent of the
/// requests counted in `bins` fall (the nearest-rank percentile, to the
/// bin); 0 when none were counted.
pub(crate) fn percentile(bins: &[u64], p: u64) -> u32 {
    let n: u64 = bins.iter().fold(0u64, |a, c| a.saturating_add(*c));
    if n == 0 {
        return 0;
    }
    let want = n.saturating_mul(p).div_ceil(100).max(1);
    let mut seen = 0u64;
    for (bin, c) in bins.iter().enumerate() {
        seen = seen.saturating_add(*c);
        if seen >= want {
            return bin_range(bin).0;
        }
    }
    bin_range(bins.len().saturating_sub(1)).0
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_bins_are_exact_to_63_ms_then_a_32nd_of_each_doubling() {
        assert_eq!((bin_of(0), bin_of(63), bin_of(64), bin_of(65), bin_of(66)), (0, 63, 64, 64, 65));
        assert_eq!(bin_range(63), (63, Some(63)));
        assert_eq!(bin_range(64), (64, Some(65)));
        assert_eq!(bin_range(bin_of(127)), (126, Some(127)));
        assert_eq!(bin_range(bin_of(128)), (128, Some(131)));
        assert_eq!(bin_range(bin_of(2_050)), (2_048, Some(2_111)));
        assert_eq!(bin_range(bin_of(120_000)), (118_784, Some(120_831)));
        assert_eq!(bin_of(LAST_FROM_MS - 1), LATENCY_BINS - 2);
        assert_eq!((bin_of(LAST_FROM_MS), bin_of(u32::MAX)), (LATENCY_BINS - 1, LATENCY_BINS - 1));
        assert_eq!(bin_range(LATENCY_BINS - 1), (67_108_864, None));
        assert_eq!(bin_range(usize::MAX), (67_108_864, None));
        assert_eq!(bin_label(12), "12 ms");
        assert_eq!(bin_label(bin_of(2_050)), "2,048–2,111 ms");
        assert_eq!(bin_label(LATENCY_BINS - 1), "67,108,864 ms or more");
    }

    #[test]
    fn percentiles_are_the_first_millisecond_of_their_bin() {
        let mut bins = vec![0u64; LATENCY_BINS];
        bins[3] = 90;
        bins[7] = 9;
        bins[40] = 1;
        assert_eq!((percentile(&bins, 50), percentile(&bins, 95), percentile(&bins, 99)), (3, 7, 7));
        bins[40] = 2;
        assert_eq!(percentile(&bins, 99), 40);
        bins[bin_of(5_000)] = 100;
        assert_eq!(percentile(&bins, 99), 4_992, "a 5 s wait, to its bin's first millisecond");
        assert_eq!(percentile(&[0; 4], 50), 0);
    }

    proptest! {
        /// Every latency is in its bin's range, the bins follow each other
        /// with no gap, and each is at most a 32nd of where it starts.
        #[test]
        fn every_latency_lands_in_a_bin_that_holds_it(ms in prop_oneof![0u32..200, 0u32..200_000, any::<u32>()]) {
            let bin = bin_of(ms);
            prop_assert!(bin < LATENCY_BINS);
            let (first, last) = bin_range(bin);
            prop_assert!(first <= ms && last.is_none_or(|l| ms <= l), "{ms} in {bin}: {first}..{last:?}");
            if let Some(last) = last {
                prop_assert_eq!(bin_range(bin + 1).0, last + 1);
                prop_assert!(u64::from(last - first + 1) * 32 <= u64::from(first.max(32)), "{first}..{last}");
            }
        }

        /// A percentile read from the histogram is within the bin of the
        /// exact one, computed from the sorted latencies.
        #[test]
        fn a_percentile_is_the_exact_one_to_its_bin(
            latencies in prop::collection::vec(prop_oneof![0u32..100, 0u32..300_000], 1..300),
            p in 1u64..=100,
        ) {
            let mut bins = vec![0u64; LATENCY_BINS];
            for ms in &latencies {
                bins[bin_of(*ms)] += 1;
            }
            let mut sorted = latencies.clone();
            sorted.sort_unstable();
            let rank = (sorted.len() as u64 * p).div_ceil(100).max(1) as usize;
            let exact = sorted[rank - 1];
            prop_assert_eq!(percentile(&bins, p), bin_range(bin_of(exact)).0);
        }
    }
}
