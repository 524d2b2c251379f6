//! Adding one instance's values into another, so that several sources (one
//! instance each) sum into one: `<Group>Metrics::merge_from`.

use core::sync::atomic::Ordering;

use crate::{Counter, FloatGauge, Gauge, Histogram, Info, ShardedCounter, StateSet, Summary};

/// Adds `other`'s values into `self`. Counters, gauges, histogram buckets
/// and sums add up; summaries merge their sketches bucket by bucket (so
/// quantiles stay within the declared error of the combined data); info
/// metrics and state sets take `other`'s current series or state when it
/// has one.
///
/// Each cell is merged atomically on its own, not the whole group at once:
/// merging while others record gives a sum as of some moment per cell.
pub trait MergeFrom {
    /// Adds `other`'s values into `self`.
    fn merge_from(&self, other: &Self);
}

impl MergeFrom for Counter {
    fn merge_from(&self, other: &Self) {
        self.add(other.get());
    }
}

impl MergeFrom for ShardedCounter {
    fn merge_from(&self, other: &Self) {
        self.add(other.get());
    }
}

impl MergeFrom for Gauge {
    fn merge_from(&self, other: &Self) {
        self.add(other.get());
    }
}

impl MergeFrom for FloatGauge {
    fn merge_from(&self, other: &Self) {
        self.add(other.get());
    }
}

impl<const B: usize> MergeFrom for Histogram<B> {
    fn merge_from(&self, other: &Self) {
        self.merge(other);
    }
}

impl<const K: usize, const N: usize> MergeFrom for Summary<K, N> {
    fn merge_from(&self, other: &Self) {
        self.merge(other);
    }
}

impl MergeFrom for Info {
    fn merge_from(&self, other: &Self) {
        if let Some(current) = other.current() {
            self.set_current(current);
        }
    }
}

impl MergeFrom for StateSet {
    fn merge_from(&self, other: &Self) {
        if let Some(current) = other.current() {
            self.set_current(current);
        }
    }
}

impl<T: MergeFrom, const S: usize> MergeFrom for [T; S] {
    fn merge_from(&self, other: &Self) {
        for (mine, theirs) in self.iter().zip(other) {
            mine.merge_from(theirs);
        }
    }
}

/// Merges one packed summary counter into another; see `tagged`.
pub(crate) fn merge_tagged(mine: &core::sync::atomic::AtomicU64, theirs: u64) {
    use crate::atomic::tagged::{age, COUNT_BITS, COUNT_MASK, PERIOD_MASK};
    let their_count = theirs & COUNT_MASK;
    if their_count == 0 {
        return;
    }
    let their_tag = theirs >> COUNT_BITS;
    let _ = mine.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |packed| {
        let tag = packed >> COUNT_BITS;
        let a = age(their_tag, tag);
        Some(if a == 0 {
            // Same period: add the counts.
            (tag << COUNT_BITS)
                | (packed & COUNT_MASK)
                    .saturating_add(their_count)
                    .min(COUNT_MASK)
        } else if a <= PERIOD_MASK / 2 {
            // Theirs is newer: it replaces ours.
            theirs
        } else {
            // Ours is newer: theirs has aged out of this sub-window.
            packed
        })
    });
}
