//! Delta temporality: what each counter and histogram series held at the
//! previous sampling, so that each sampling sends what was added since.
//!
//! A sampling's deltas are taken from the values the previous sampling
//! read, whether or not its request has been delivered yet: a request
//! that fails is retried from the queue, so no increment is lost across a
//! failed push; only a request the full queue drops (counted) loses what
//! it carried.

use std::collections::HashMap;

use crate::cells::native::NativeSnapshot;
use crate::read::{Family, SeriesRead};

/// The previous sampling of every counter and histogram series.
#[derive(Default)]
pub(crate) struct Delta {
    previous: HashMap<Box<[u8]>, Previous>,
    /// When the previous sampling was taken (ns since the epoch).
    pub(super) previous_ns: Option<u64>,
    /// The key of the series at hand.
    key: Vec<u8>,
}

enum Previous {
    Int(u64),
    Float(f64),
    Histogram {
        cumulative: Vec<u64>,
        sum: f64,
    },
    Native {
        buckets: NativeSnapshot,
        count: u64,
        sum: f64,
    },
}

/// What the previous sampling said of a series: `None` for a series not
/// seen before (its delta counts from its start).
type Seen<'a> = Option<&'a mut Previous>;

impl Delta {
    /// The previous sampling of `series`, with its key made.
    fn seen(&mut self, family: &Family<'_>, series: &SeriesRead<'_>) -> Seen<'_> {
        self.key.clear();
        self.key.extend_from_slice(family.desc.name.as_bytes());
        for (_, value) in series.labels(family) {
            // 0xff is in no UTF-8 text: the values cannot run together.
            self.key.push(0xff);
            self.key.extend_from_slice(value.as_bytes());
        }
        self.previous.get_mut(&self.key[..])
    }

    fn remember(&mut self, previous: Previous) {
        self.previous
            .insert(self.key.clone().into_boxed_slice(), previous);
    }

    /// The start of a delta: the previous sampling for a series seen
    /// before, `None` (its own start) otherwise.
    fn start(&self, seen: bool) -> Option<u64> {
        if seen {
            self.previous_ns
        } else {
            None
        }
    }

    /// An integer counter's increase since the previous sampling (all of
    /// it after a reset), and the delta's start when not the series' own.
    pub(super) fn int(
        &mut self,
        family: &Family<'_>,
        series: &SeriesRead<'_>,
        now: u64,
    ) -> (u64, Option<u64>) {
        let (delta, seen) = match self.seen(family, series) {
            Some(Previous::Int(before)) => {
                let delta = now.checked_sub(*before).unwrap_or(now);
                *before = now;
                (delta, true)
            }
            _ => {
                self.remember(Previous::Int(now));
                (now, false)
            }
        };
        (delta, self.start(seen))
    }

    /// A float counter's increase, as [`int`](Self::int).
    pub(super) fn float(
        &mut self,
        family: &Family<'_>,
        series: &SeriesRead<'_>,
        now: f64,
    ) -> (f64, Option<u64>) {
        let (delta, seen) = match self.seen(family, series) {
            Some(Previous::Float(before)) => {
                let delta = if now >= *before { now - *before } else { now };
                *before = now;
                (delta, true)
            }
            _ => {
                self.remember(Previous::Float(now));
                (now, false)
            }
        };
        (delta, self.start(seen))
    }

    /// A classic histogram's observations since the previous sampling:
    /// `cumulative` (counts at or below each bound) and `sum` become the
    /// added ones.
    pub(super) fn histogram(
        &mut self,
        family: &Family<'_>,
        series: &SeriesRead<'_>,
        cumulative: &mut [u64],
        sum: &mut f64,
    ) -> Option<u64> {
        let count = cumulative.last().copied().unwrap_or(0);
        let seen = match self.seen(family, series) {
            Some(Previous::Histogram {
                cumulative: before,
                sum: before_sum,
            }) if before.len() == cumulative.len()
                && before.last().copied().unwrap_or(0) <= count =>
            {
                for (now, before) in cumulative.iter_mut().zip(before.iter_mut()) {
                    let was = *before;
                    *before = *now;
                    *now = now.saturating_sub(was);
                }
                let was = *before_sum;
                *before_sum = *sum;
                *sum -= was;
                true
            }
            _ => {
                self.remember(Previous::Histogram {
                    cumulative: cumulative.to_vec(),
                    sum: *sum,
                });
                false
            }
        };
        self.start(seen)
    }

    /// A native histogram's observations since the previous sampling:
    /// `buckets`, `count` and `sum` become the added ones, at the coarser
    /// of the two samplings' schemas.
    pub(super) fn native(
        &mut self,
        family: &Family<'_>,
        series: &SeriesRead<'_>,
        buckets: &mut NativeSnapshot,
        count: &mut u64,
        sum: &mut f64,
    ) -> Option<u64> {
        let seen = match self.seen(family, series) {
            Some(Previous::Native {
                buckets: before,
                count: before_count,
                sum: before_sum,
            }) if *before_count <= *count => {
                let schema = before.schema.min(buckets.schema);
                downscale(before, schema);
                downscale(buckets, schema);
                let now = buckets.clone();
                subtract(&mut buckets.positive, &before.positive);
                subtract(&mut buckets.negative, &before.negative);
                buckets.zero = buckets.zero.saturating_sub(before.zero);
                let (was_count, was_sum) = (*before_count, *before_sum);
                (*before, *before_count, *before_sum) = (now, *count, *sum);
                *count -= was_count;
                *sum -= was_sum;
                true
            }
            _ => {
                self.remember(Previous::Native {
                    buckets: buckets.clone(),
                    count: *count,
                    sum: *sum,
                });
                false
            }
        };
        self.start(seen)
    }
}

/// `buckets` at `schema` (not above its own): each key k becomes
/// ⌈k / 2^d⌉, merging the buckets that fall together.
fn downscale(buckets: &mut NativeSnapshot, schema: i32) {
    let d = buckets.schema - schema;
    if d <= 0 {
        return;
    }
    for side in [&mut buckets.positive, &mut buckets.negative] {
        let mut merged: Vec<(i32, u64)> = Vec::with_capacity(side.len());
        for &(key, n) in side.iter() {
            let key = (key + (1 << d) - 1) >> d;
            match merged.last_mut() {
                Some((last, total)) if *last == key => *total += n,
                _ => merged.push((key, n)),
            }
        }
        *side = merged;
    }
    buckets.schema = schema;
}

/// `now` minus `before`, key by key (both increasing); empty buckets left
/// out.
fn subtract(now: &mut Vec<(i32, u64)>, before: &[(i32, u64)]) {
    let mut before = before.iter().peekable();
    now.retain_mut(|(key, n)| {
        while before.next_if(|(k, _)| k < key).is_some() {}
        if let Some((_, was)) = before.next_if(|(k, _)| k == key) {
            *n = n.saturating_sub(*was);
        }
        *n > 0
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downscaling_merges_keys_into_their_coarser_buckets() {
        let mut b = NativeSnapshot {
            zero: 0,
            positive: vec![(-3, 1), (-2, 1), (1, 1), (2, 2), (3, 4), (4, 8)],
            negative: vec![],
            schema: 2,
        };
        downscale(&mut b, 1);
        // ⌈k/2⌉: -3 → -1, -2 → -1, 1 → 1, 2 → 1, 3 → 2, 4 → 2.
        assert_eq!(b.positive, [(-1, 2), (1, 3), (2, 12)]);
        assert_eq!(b.schema, 1);
        downscale(&mut b, -1);
        // ⌈k/4⌉: -1 → 0, 1 → 1, 2 → 1.
        assert_eq!(b.positive, [(0, 2), (1, 15)]);
    }

    #[test]
    fn subtracting_keeps_only_buckets_that_grew() {
        let mut now = vec![(1, 5), (2, 3), (4, 1), (7, 2)];
        subtract(&mut now, &[(0, 9), (1, 2), (2, 3), (7, 1)]);
        assert_eq!(now, [(1, 3), (4, 1), (7, 1)]);
    }
}
