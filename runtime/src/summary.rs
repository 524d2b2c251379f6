//! Summaries: quantiles over a sliding time window, from a lock-free,
//! mergeable sketch.
//!
//! # The sketch
//!
//! Each series keeps a DDSketch-style log-bucketed histogram: a positive
//! value `v` falls in bucket `k = ⌈ln v / ln γ⌉` with `γ = (1 + α) / (1 − α)`,
//! and bucket `k` is reported as `2γᵏ / (γ + 1)`, which is within relative
//! error `α` of every value in it. So a quantile estimate is within `α` of
//! the nearest-rank quantile (the ⌈q·n⌉-th smallest value of the window),
//! for any distribution, over the covered range
//! `[1e-6, 1e9]`; values below it (zero included) are reported as `0`, values
//! above it as `1e9`. Buckets are dense atomic counters: recording is one
//! logarithm and three atomic read-modify-writes, with no lock and no
//! allocation.
//!
//! # The window
//!
//! Quantiles cover the last `max_age` (default 10 minutes), kept as
//! `age_buckets` (default 5) sub-windows that take turns. Every bucket
//! counter carries the number of the sub-window period it counts in its top
//! 24 bits; a write that finds an older period starts the counter afresh,
//! and readers skip counters of periods outside the window. No thread ever
//! clears a sub-window, so no concurrent write can be lost to a reset. The
//! window covers between `max_age − max_age/age_buckets` and `max_age` of
//! history, like Prometheus' Go client.
//!
//! `_sum` and `_count` cover all time, not the window, as in Prometheus' own
//! clients, so that `rate(x_sum[5m]) / rate(x_count[5m])` gives the mean.
//!
//! # Memory
//!
//! `age_buckets × buckets × 8` bytes per series, plus 16; the number of
//! buckets is `⌈ln 1e9 / ln γ⌉ − ⌈ln 1e-6 / ln γ⌉ + 2`: 1,729 at the
//! default 1% error, so about 69 KB per series with 5 sub-windows (and 35 KB
//! at 2% error, 7 KB with one sub-window at 5% error).

use core::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::clock;
use crate::self_metrics::{dropped, DropReason};

/// The smallest value the sketch resolves; smaller ones count as zero.
pub const MIN_VALUE: f64 = 1e-6;
/// The largest value the sketch resolves; larger ones count as this.
pub const MAX_VALUE: f64 = 1e9;

use crate::atomic::{add_f64, tagged};

/// The static part of a summary metric, computed by `#[summary]`.
#[derive(Debug)]
pub struct SummarySpec {
    /// The quantiles to report, strictly increasing, each in (0, 1).
    pub quantiles: &'static [f64],
    /// How long an observation counts towards the quantiles, in ms.
    pub max_age_ms: u64,
    /// The number of sub-windows the window is kept as.
    pub age_buckets: u64,
    /// The relative error α of every quantile estimate.
    pub relative_error: f64,
    /// `γ = (1 + α) / (1 − α)`, the ratio between neighbouring buckets.
    pub gamma: f64,
    /// `ln γ`.
    pub ln_gamma: f64,
    /// The bucket key of [`MIN_VALUE`], `⌈ln MIN_VALUE / ln γ⌉`.
    pub min_key: i32,
    /// How many of the metric's unit make one second, for durations.
    pub units_per_second: f64,
    /// `skip_non_positive`: zero is dropped too (as `reason="non_positive"`).
    pub skip_non_positive: bool,
}

impl SummarySpec {
    /// The sub-window period that contains `now_ms`.
    #[inline]
    fn period(&self, now_ms: u64) -> u64 {
        now_ms / (self.max_age_ms / self.age_buckets).max(1)
    }

    /// The bucket of `value` (finite, ≥ 0) among `buckets`.
    #[inline]
    fn bucket(&self, value: f64, buckets: usize) -> usize {
        if value < MIN_VALUE {
            return 0;
        }
        let key = (value.ln() / self.ln_gamma).ceil() as i64;
        let slot = key - i64::from(self.min_key) + 1;
        // Values above MAX_VALUE land in the last bucket; `as usize` of a
        // negative slot cannot happen because value >= MIN_VALUE.
        (slot.max(1) as usize).min(buckets - 1)
    }

    /// The value bucket `slot` stands for.
    fn representative(&self, slot: usize) -> f64 {
        if slot == 0 {
            return 0.0;
        }
        let key = self.min_key + slot as i32 - 1;
        2.0 * self.gamma.powi(key) / (self.gamma + 1.0)
    }
}

/// The cells of one summary series: `K` sub-windows of `N` bucket counters,
/// and the all-time count and sum.
#[derive(Debug)]
pub struct Summary<const K: usize, const N: usize> {
    windows: [[AtomicU64; N]; K],
    count: AtomicU64,
    sum_bits: AtomicU64,
}

impl<const K: usize, const N: usize> Summary<K, N> {
    /// A summary with no observations.
    pub const fn new() -> Self {
        Self {
            windows: [const { [const { AtomicU64::new(0) }; N] }; K],
            count: AtomicU64::new(0),
            sum_bits: AtomicU64::new(0),
        }
    }

    /// Adds `other`'s sketch, count and sum into this one.
    pub(crate) fn merge(&self, other: &Self) {
        for (mine, theirs) in self.windows.iter().zip(&other.windows) {
            for (m, t) in mine.iter().zip(theirs) {
                crate::merge::merge_tagged(m, t.load(Ordering::Relaxed));
            }
        }
        self.count
            .fetch_add(other.count.load(Ordering::Relaxed), Ordering::Relaxed);
        add_f64(
            &self.sum_bits,
            f64::from_bits(other.sum_bits.load(Ordering::Relaxed)),
        );
    }

    fn record(&self, spec: &SummarySpec, value: f64, now_ms: u64) {
        let period = spec.period(now_ms);
        let window = &self.windows[(period % K as u64) as usize];
        if let Some(counter) = window.get(spec.bucket(value, N)) {
            tagged::bump(counter, period & tagged::PERIOD_MASK);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        add_f64(&self.sum_bits, value);
    }

    /// The count in bucket `slot` over the sub-windows of the window that
    /// ends in `period`.
    fn windowed_count(&self, slot: usize, period: u64) -> u64 {
        self.windows
            .iter()
            .map(|window| {
                let packed = window[slot].load(Ordering::Relaxed);
                let age = tagged::age(period, packed >> tagged::COUNT_BITS);
                if age < K as u64 {
                    packed & tagged::COUNT_MASK
                } else {
                    0
                }
            })
            .sum()
    }

    fn read_into(&self, spec: &SummarySpec, now_ms: u64, snapshot: &mut SummarySnapshot) {
        let period = spec.period(now_ms);
        snapshot.quantiles.clear();
        snapshot.count = self.count.load(Ordering::Relaxed);
        snapshot.sum = f64::from_bits(self.sum_bits.load(Ordering::Relaxed));
        let total: u64 = (0..N).map(|slot| self.windowed_count(slot, period)).sum();
        if total == 0 {
            snapshot
                .quantiles
                .extend(spec.quantiles.iter().map(|&q| (q, f64::NAN)));
            return;
        }
        // One pass over the buckets serves every quantile, as they increase.
        let mut quantiles = spec.quantiles.iter().peekable();
        let mut cumulative = 0u64;
        for slot in 0..N {
            cumulative += self.windowed_count(slot, period);
            while let Some(&&q) = quantiles.peek() {
                // The nearest-rank quantile: the ⌈q·n⌉-th smallest value, so
                // that at least a fraction q of the values are at or below
                // it (the P99 of four latencies is the largest, not the
                // third).
                let rank = ((q * total as f64).ceil() as u64).clamp(1, total) - 1;
                if cumulative <= rank {
                    break;
                }
                snapshot.quantiles.push((q, spec.representative(slot)));
                quantiles.next();
            }
        }
        // Counts read later than `total` can only have grown; any quantile
        // not reached belongs to the last bucket.
        for &q in quantiles {
            snapshot.quantiles.push((q, spec.representative(N - 1)));
        }
    }
}

impl<const K: usize, const N: usize> Default for Summary<K, N> {
    fn default() -> Self {
        Self::new()
    }
}

/// A point-in-time reading of one summary series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SummarySnapshot {
    /// `(quantile, estimate)` pairs over the window, in the declared order;
    /// the estimate is NaN when the window holds no observation.
    pub quantiles: smallvec::SmallVec<[(f64, f64); 8]>,
    /// Observations ever recorded.
    pub count: u64,
    /// The sum of all observations ever recorded.
    pub sum: f64,
}

/// The series of one summary metric, type-erased for readers.
pub trait SummarySeries: Sync {
    /// How many series there are.
    fn len(&self) -> usize;
    /// Whether there are no series.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Reads series `index` as of `now_ms` into `snapshot` (its buffers are
    /// reused). Does nothing for an index out of range.
    fn read(&self, spec: &SummarySpec, index: usize, now_ms: u64, snapshot: &mut SummarySnapshot);
}

impl<const K: usize, const N: usize, const S: usize> SummarySeries for [Summary<K, N>; S] {
    fn len(&self) -> usize {
        S
    }

    fn read(&self, spec: &SummarySpec, index: usize, now_ms: u64, snapshot: &mut SummarySnapshot) {
        if let Some(cell) = self.get(index) {
            cell.read_into(spec, now_ms, snapshot);
        }
    }
}

/// The time the renderer reads summaries at: the coarse clock, refreshed.
pub(crate) fn render_now_ms() -> u64 {
    clock::refresh()
}

/// The handle a summary's recording function returns.
#[derive(Clone, Copy, Debug)]
pub struct SummaryRef<'a, const K: usize, const N: usize> {
    cell: &'a Summary<K, N>,
    spec: &'static SummarySpec,
}

impl<'a, const K: usize, const N: usize> SummaryRef<'a, K, N> {
    /// Pairs a series' cells with its metric's spec; generated code calls
    /// this with `spec.age_buckets == K` and `N` buckets for its error.
    #[doc(hidden)]
    #[inline]
    pub const fn new(cell: &'a Summary<K, N>, spec: &'static SummarySpec) -> Self {
        Self { cell, spec }
    }

    /// Records `value`.
    ///
    /// NaN, infinities and negative values are not recorded: they are counted
    /// in `enumeter_observations_dropped_total{reason="nan"|"infinite"|"negative"}`
    /// (zero too, as `"non_positive"`, for a metric declared `skip_non_positive`).
    #[inline]
    pub fn observe(&self, value: f64) {
        self.observe_at(value, clock::coarse_now_ms());
    }

    /// Records `value` as observed at `now_ms`, on a millisecond clock of
    /// your own; read it back with [`snapshot_at`](Self::snapshot_at) on the
    /// same clock. For tests and replays; mixing it with
    /// [`observe`](Self::observe) mixes two clocks.
    pub fn observe_at(&self, value: f64, now_ms: u64) {
        let refused = if value.is_nan() {
            Some(DropReason::Nan)
        } else if value.is_infinite() {
            Some(DropReason::Infinite)
        } else if self.spec.skip_non_positive && value <= 0.0 {
            Some(DropReason::NonPositive)
        } else if value < 0.0 {
            Some(DropReason::Negative)
        } else {
            None
        };
        if let Some(reason) = refused {
            dropped(reason);
            return;
        }
        self.cell.record(self.spec, value, now_ms);
    }

    /// Records a duration in the metric's unit (seconds unless the unit is
    /// `milliseconds`, `microseconds` or `nanoseconds`).
    #[inline]
    pub fn observe_duration(&self, duration: Duration) {
        self.observe(duration.as_secs_f64() * self.spec.units_per_second);
    }

    /// Starts a timer that records the time until it is dropped.
    #[inline]
    pub fn start_timer(&self) -> SummaryTimer<'a, K, N> {
        SummaryTimer {
            summary: *self,
            start: Instant::now(),
        }
    }

    /// Reads this series now.
    pub fn snapshot(&self) -> SummarySnapshot {
        self.snapshot_at(clock::refresh())
    }

    /// Reads this series as of `now_ms` on the clock given to
    /// [`observe_at`](Self::observe_at).
    pub fn snapshot_at(&self, now_ms: u64) -> SummarySnapshot {
        let mut snapshot = SummarySnapshot::default();
        self.cell.read_into(self.spec, now_ms, &mut snapshot);
        snapshot
    }
}

/// Records the time from [`SummaryRef::start_timer`] until it is dropped.
#[derive(Debug)]
#[must_use = "the timer records when it is dropped; bind it to a variable"]
pub struct SummaryTimer<'a, const K: usize, const N: usize> {
    summary: SummaryRef<'a, K, N>,
    start: Instant,
}

impl<const K: usize, const N: usize> SummaryTimer<'_, K, N> {
    /// Stops the timer now instead of at the end of the scope.
    pub fn observe(self) {}
}

impl<const K: usize, const N: usize> Drop for SummaryTimer<'_, K, N> {
    fn drop(&mut self) {
        self.summary.observe_duration(self.start.elapsed());
    }
}
