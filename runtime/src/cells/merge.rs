//! Adding one instance's values into another, so that several sources (one
//! instance each) sum into one: `<Group>Metrics::merge_from`.

use crate::cells::counter::Counter;
use crate::cells::gauge::{FloatGauge, Gauge};
use crate::cells::histogram::Histogram;
use crate::cells::info::Info;
use crate::cells::sharded::ShardedCounters;

/// Adds `other`'s values into `self`. Counters, gauges, histogram buckets
/// and sums add up; info metrics and state sets take `other`'s current
/// series or state when it has one. (Summaries merge their sketches bucket
/// by bucket, so that quantiles stay within the declared error of the
/// combined data; they need their metric's spec for it, which the generated
/// `merge_from` passes.)
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

impl<const S: usize, const R: usize> MergeFrom for ShardedCounters<S, R> {
    fn merge_from(&self, other: &Self) {
        self.merge(other);
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

/// Info metrics and state sets (both [`Choice`](crate::Choice)).
impl MergeFrom for Info {
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
