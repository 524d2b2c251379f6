//! Summaries: quantiles over a sliding time window, from a lock-free,
//! mergeable sketch.
//!
//! # The sketch
//!
//! Each series keeps a DDSketch-style histogram of buckets whose largest
//! value is at most `γ = (1 + α) / (1 − α)` times their smallest, each
//! reported as `2·lo·hi / (lo + hi)`, which is within relative error `α` of
//! every value in it. So a quantile estimate is within `α` of the
//! nearest-rank quantile (the ⌈q·n⌉-th smallest value of the window), for
//! any distribution, over the covered range `[1e-6, 1e9]`; values below it
//! (zero included) are reported as exactly `0`, values above it as exactly
//! `1e9` ([`MAX_VALUE`]), each kept in a bucket of its own. A value's bucket
//! comes from its float's exponent bits and two small tables over its
//! mantissa (no logarithm, no float arithmetic: see `enumeter_common::sketch` for the
//! mapping and the proof of the bound). Buckets are dense atomic counters:
//! recording is a few integer operations and three atomic
//! read-modify-writes, with no lock and no allocation.
//!
//! The rank ⌈q·n⌉ is computed exactly, in integers, on the decimal fraction
//! the quantile was declared as (`0.81` is 81/100, not the binary float
//! nearest to it): P81 of 300 values is the 243rd, never the 244th.
//!
//! # The window
//!
//! Quantiles cover the last `max_age` (default 10 minutes), kept as
//! `age_buckets` (default 5) sub-windows that take turns. Every bucket
//! counter carries the number of the sub-window period it counts in its top
//! bits; a write that finds an older period starts the counter afresh, and
//! readers skip counters of periods outside the window. No thread ever
//! clears a sub-window, so no concurrent write can be lost to a reset. The
//! window covers between `max_age − max_age/age_buckets` and `max_age` of
//! history, like Prometheus' Go client.
//!
//! The period tag has as many bits as the period's length needs to stay
//! unambiguous for 100 years of uptime (14 to 39 bits for the periods
//! `#[summary]` accepts, from 7 days in one sub-window to 1 s in 60; 26 at
//! the default 10 minutes in 5; [`SummarySpec::count_bits_for`]): a counter
//! left untouched for any time up to then is never read as current, nor
//! taken for a newer period. The count keeps the other bits, at least 25
//! (for 16 ms periods) — it saturates only past about 2 × 10⁹ observations
//! a second into one bucket of one series, far beyond what atomic
//! increments of one cache line reach.
//!
//! `_sum` and `_count` cover all time, not the window, as in Prometheus' own
//! clients, so that `rate(x_sum[5m]) / rate(x_count[5m])` gives the mean. An
//! observation that would make `_sum` overflow to infinity is refused whole
//! (`enumeter_observations_dropped_total{reason="sum_overflow"}`), so `_sum`
//! stays finite and equal to the sum of what `_count` counts.
//!
//! # Memory
//!
//! `age_buckets × buckets × 8` bytes per series, plus 16; the number of
//! buckets is about `log2(1e15) · ⌈1 / log2 γ⌉ + 3`
//! ([`SummaryRef::buckets`]): 1,747 at the default 1% error, so about 70 KB
//! per series with 5 sub-windows (and 35 KB at 2% error, 7 KB with one
//! sub-window at 5% error).

use core::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::cells::atomic::{add_f64_finite, Tagging};
use crate::cells::clock;
use crate::cells::dropped::{dropped, DropReason};
use enumeter_common::sketch;
pub use enumeter_common::sketch::{MAX_VALUE, MIN_VALUE};

/// One quantile a summary reports: its value, and the decimal fraction it
/// was declared as, from which ranks are computed exactly.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub struct Quantile {
    /// The quantile, in (0, 1), as written in the exposition.
    pub value: f64,
    /// `value` is `numerator / denominator`, the shortest decimal fraction
    /// that reads back as `value` (`0.81` is 81/100).
    pub numerator: u64,
    /// A power of ten.
    pub denominator: u64,
}

impl Quantile {
    /// `numerator / denominator` (`denominator` a power of ten), as
    /// written in the declaration.
    ///
    /// ```
    /// use enumeter::summary::Quantile;
    /// assert_eq!(Quantile::new(0.81, 81, 100).value, 0.81);
    /// ```
    pub const fn new(value: f64, numerator: u64, denominator: u64) -> Self {
        Self {
            value,
            numerator,
            denominator,
        }
    }

    /// The nearest rank among `n` values: `⌈q·n⌉`, in integers, clamped to
    /// `1..=n` (0 when `n` is 0).
    ///
    /// ```
    /// use enumeter::summary::Quantile;
    /// let p81 = Quantile::new(0.81, 81, 100);
    /// assert_eq!(p81.rank(300), 243); // 0.81 * 300.0 is 243.00000000000003
    /// assert_eq!(p81.rank(301), 244);
    /// ```
    pub const fn rank(&self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let denominator = if self.denominator == 0 {
            1
        } else {
            self.denominator as u128
        };
        let rank = (self.numerator as u128 * n as u128).div_ceil(denominator);
        if rank < 1 {
            1
        } else if rank > n as u128 {
            n
        } else {
            rank as u64
        }
    }
}

/// The static part of a summary metric, computed by `#[summary]`. Its
/// sketch's tables are internal: they change with the sketch.
#[derive(Debug)]
#[non_exhaustive]
pub struct SummarySpec {
    /// The quantiles to report, strictly increasing, each in (0, 1).
    pub quantiles: &'static [Quantile],
    /// How long an observation counts towards the quantiles, in ms.
    pub max_age_ms: u64,
    /// The number of sub-windows the window is kept as.
    pub age_buckets: u64,
    /// The length of one sub-window period, in ms: `max_age_ms /
    /// age_buckets`, at least 1.
    pub period_ms: u64,
    /// The bits of each bucket counter that count; the others tag the
    /// sub-window period: [`SummarySpec::count_bits_for`]`(max_age_ms,
    /// age_buckets)`.
    pub(crate) count_bits: u32,
    /// The relative error α of every quantile estimate.
    pub relative_error: f64,
    /// Buckets per octave of the sketch.
    pub(crate) keys_per_octave: u32,
    /// The shift of a mantissa to its cell of `cells`.
    pub(crate) cell_shift: u32,
    /// The bucket each cell of the mantissa range starts in.
    pub(crate) cells: &'static [u16],
    /// The first mantissa of each bucket of an octave, and `2^52` last.
    pub(crate) bounds: &'static [u64],
    /// The key of [`MIN_VALUE`], which bucket 1 holds.
    pub(crate) first_key: u64,
    /// How many of the metric's unit make one second, for durations.
    pub units_per_second: f64,
    /// `skip_non_positive`: zero is dropped too (as `reason="non_positive"`).
    pub skip_non_positive: bool,
}

impl SummarySpec {
    /// The bits of a bucket counter that count, for a window of
    /// `max_age_ms` in `age_buckets` sub-windows: all but those the period
    /// tag needs to stay unambiguous for 100 years of uptime.
    ///
    /// ```
    /// use enumeter::summary::SummarySpec;
    /// // 10 minutes in 5 sub-windows: 2-minute periods, 26 bits of tag.
    /// assert_eq!(SummarySpec::count_bits_for(600_000, 5), 38);
    /// // 1 s in 60: 16 ms periods, 39 bits of tag.
    /// assert_eq!(SummarySpec::count_bits_for(1_000, 60), 25);
    /// ```
    pub const fn count_bits_for(max_age_ms: u64, age_buckets: u64) -> u32 {
        let age_buckets = if age_buckets == 0 { 1 } else { age_buckets };
        Tagging::for_period(max_age_ms / age_buckets).count_bits()
    }

    /// The sub-window period that contains `now_ms`.
    #[inline]
    fn period(&self, now_ms: u64) -> u64 {
        now_ms / self.period_ms.max(1)
    }

    #[inline]
    fn tagging(&self) -> Tagging {
        Tagging::with_count_bits(self.count_bits)
    }

    /// The number of buckets a sketch of relative error `relative_error`
    /// has: one below [`MIN_VALUE`], one per key up to [`MAX_VALUE`]'s, and
    /// one above it. What `#[summary]` sizes each sub-window with.
    ///
    /// ```
    /// use enumeter::summary::SummarySpec;
    /// assert_eq!(SummarySpec::buckets_for(0.01), 1747);
    /// ```
    pub fn buckets_for(relative_error: f64) -> usize {
        sketch::buckets_for(relative_error)
    }

    /// The bucket of `value` among `buckets`: 0 below [`MIN_VALUE`] (zero
    /// included), the last above [`MAX_VALUE`], a key's own between.
    fn bucket(&self, value: f64, buckets: usize) -> usize {
        if value < MIN_VALUE {
            0
        } else if value > MAX_VALUE {
            buckets - 1
        } else {
            self.keyed_bucket(value)
        }
    }

    /// The bucket of `value`, which is within `[MIN_VALUE, MAX_VALUE]`:
    /// from 1 to `buckets - 2` (the key is increasing in the value).
    #[inline]
    fn keyed_bucket(&self, value: f64) -> usize {
        let key = sketch::key(
            value,
            self.keys_per_octave,
            self.cell_shift,
            self.cells,
            self.bounds,
        );
        (key.wrapping_sub(self.first_key) as usize).wrapping_add(1)
    }

    /// The value bucket `slot` of `buckets` stands for: `2·lo·hi / (lo +
    /// hi)` of its bounds, within the relative error of both.
    fn representative(&self, slot: usize, buckets: usize) -> f64 {
        if slot == 0 {
            return 0.0;
        }
        if slot == buckets - 1 {
            return MAX_VALUE;
        }
        let key = self.first_key + slot as u64 - 1;
        let (lo, hi) = sketch::key_bounds(key, self.keys_per_octave, self.bounds);
        2.0 * lo * hi / (lo + hi)
    }
}

/// The cells of one summary series: `K` sub-windows of `N` bucket counters,
/// and the all-time count and sum.
///
/// A `#[summary]` metric has one per series; its recording function
/// returns a [`SummaryRef`] to it:
///
/// ```
/// use enumeter::metrics;
///
/// /// Speech.
/// #[metrics(namespace = "tts")]
/// pub enum Tts {
///     /// Time to first byte over the last minute.
///     #[summary(unit = "seconds", quantiles = [0.5, 0.99], max_age_secs = 60)]
///     FirstByte,
/// }
///
/// let tts = TtsMetrics::new();
/// for ms in 1..=1000 {
///     tts.first_byte().observe(f64::from(ms) / 1000.0);
/// }
/// let snapshot = tts.first_byte().snapshot();
/// assert_eq!(snapshot.count, 1000);
/// let (_, p99) = snapshot.quantiles[1];
/// assert!((p99 - 0.990).abs() <= 0.990 * 0.01, "within 1% of the 990th value");
/// ```
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

    /// Adds `other`'s sketch, count and sum into this one; if the sum would
    /// overflow, none of it (counted as dropped, like so many observations).
    pub(crate) fn merge(&self, other: &Self, spec: &SummarySpec) {
        let count = other.count.load(Ordering::Relaxed);
        let sum = f64::from_bits(other.sum_bits.load(Ordering::Relaxed));
        if !add_f64_finite(&self.sum_bits, sum) {
            crate::cells::dropped::dropped_many(DropReason::SumOverflow, count);
            return;
        }
        let tagging = spec.tagging();
        for (mine, theirs) in self.windows.iter().zip(&other.windows) {
            for (m, t) in mine.iter().zip(theirs) {
                tagging.merge(m, t.load(Ordering::Relaxed));
            }
        }
        self.count.fetch_add(count, Ordering::Relaxed);
    }

    /// Records `value` (finite, not negative) in bucket `slot`, at
    /// `given_ms` or, without one, at the coarse clock's time.
    #[inline]
    fn record(&self, spec: &SummarySpec, value: f64, slot: usize, given_ms: Option<u64>) {
        // Counted first: the count it had says when to read the real clock.
        let seen = self.count.fetch_add(1, Ordering::Relaxed);
        let now_ms = match given_ms {
            Some(now_ms) => now_ms,
            None => clock::coarse_now_ms(seen),
        };
        if !add_f64_finite(&self.sum_bits, value) {
            self.count.fetch_sub(1, Ordering::Relaxed);
            dropped(DropReason::SumOverflow);
            return;
        }
        let period = spec.period(now_ms);
        let window = &self.windows[(period % K as u64) as usize];
        if let Some(counter) = window.get(slot) {
            spec.tagging().bump(counter, period);
        }
    }

    /// Adds this series' bucket counts over the window as of `now_ms`, its
    /// count and its sum into `acc`.
    fn accumulate(&self, spec: &SummarySpec, now_ms: u64, acc: &mut SummaryAccumulator) {
        let tagging = spec.tagging();
        let (period, window) = (spec.period(now_ms), K as u64);
        if acc.counts.len() < N {
            acc.counts.resize(N, 0);
        }
        for sub_window in &self.windows {
            for (total, counter) in acc.counts.iter_mut().zip(sub_window) {
                let packed = counter.load(Ordering::Relaxed);
                *total += tagging.count_within(packed, period, window);
            }
        }
        acc.count = acc.count.wrapping_add(self.count.load(Ordering::Relaxed));
        acc.sum = finite_sum(
            acc.sum,
            f64::from_bits(self.sum_bits.load(Ordering::Relaxed)),
        );
    }
}

/// `a + b`, held at `±f64::MAX` rather than overflowing to an infinity.
pub(crate) fn finite_sum(a: f64, b: f64) -> f64 {
    (a + b).clamp(f64::MIN, f64::MAX)
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

/// Summary series read and added up: the sketch's bucket counts over the
/// window, and the all-time counts and sums. One series read alone gives
/// its own quantiles; several series of the same spec give the quantiles of
/// their combined observations (the sketch merges exactly).
///
/// Reuse one across reads: it allocates only when it first grows.
#[derive(Clone, Debug, Default)]
pub struct SummaryAccumulator {
    counts: Vec<u64>,
    count: u64,
    sum: f64,
}

impl SummaryAccumulator {
    /// Forgets what was added, keeping the buffer.
    pub fn clear(&mut self) {
        self.counts.iter_mut().for_each(|c| *c = 0);
        self.count = 0;
        self.sum = 0.0;
    }

    /// The quantiles, count and sum of what was added, into `snapshot`.
    pub fn finish(&self, spec: &SummarySpec, snapshot: &mut SummarySnapshot) {
        snapshot.count = self.count;
        snapshot.sum = self.sum;
        let quantiles = &mut snapshot.quantiles;
        quantiles.clear();
        let total: u64 = self.counts.iter().sum();
        if total == 0 {
            quantiles.extend(spec.quantiles.iter().map(|q| (q.value, f64::NAN)));
            return;
        }
        // One pass over the buckets serves every quantile, as they increase.
        let mut wanted = spec.quantiles.iter().peekable();
        let mut cumulative = 0u64;
        for (slot, &count) in self.counts.iter().enumerate() {
            cumulative += count;
            // The nearest-rank quantile: the ⌈q·n⌉-th smallest value, so
            // that at least a fraction q of the values are at or below it
            // (the P99 of four latencies is the largest, not the third).
            while let Some(q) = wanted.next_if(|q| q.rank(total) <= cumulative) {
                quantiles.push((q.value, spec.representative(slot, self.counts.len())));
            }
        }
    }
}

/// The series of one summary metric, type-erased for readers.
pub trait SummarySeries: Sync {
    /// How many series there are.
    fn len(&self) -> usize;
    /// Whether there are no series.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Adds series `index` as of `now_ms` into `acc`. Does nothing for an
    /// index out of range.
    fn accumulate(
        &self,
        spec: &SummarySpec,
        index: usize,
        now_ms: u64,
        acc: &mut SummaryAccumulator,
    );
    /// Reads series `index` as of `now_ms` into `snapshot`.
    fn read(&self, spec: &SummarySpec, index: usize, now_ms: u64, snapshot: &mut SummarySnapshot) {
        let mut acc = SummaryAccumulator::default();
        self.accumulate(spec, index, now_ms, &mut acc);
        acc.finish(spec, snapshot);
    }
}

impl<const K: usize, const N: usize, const S: usize> SummarySeries for [Summary<K, N>; S] {
    fn len(&self) -> usize {
        S
    }

    fn accumulate(
        &self,
        spec: &SummarySpec,
        index: usize,
        now_ms: u64,
        acc: &mut SummaryAccumulator,
    ) {
        if let Some(cell) = self.get(index) {
            cell.accumulate(spec, now_ms, acc);
        }
    }
}

/// Merges every series of `theirs` into `mine`, with their metric's spec;
/// what `<Group>Metrics::merge_from` calls for a summary.
#[doc(hidden)]
pub fn merge_series<const K: usize, const N: usize, const S: usize>(
    mine: &[Summary<K, N>; S],
    theirs: &[Summary<K, N>; S],
    spec: &SummarySpec,
) {
    for (m, t) in mine.iter().zip(theirs) {
        m.merge(t, spec);
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
    #[inline]
    pub(crate) const fn new(cell: &'a Summary<K, N>, spec: &'static SummarySpec) -> Self {
        Self { cell, spec }
    }

    /// Records `value`.
    ///
    /// NaN, infinities and negative values are not recorded: they are counted
    /// in `enumeter_observations_dropped_total{reason="nan"|"infinite"|"negative"}`
    /// (zero too, as `"non_positive"`, for a metric declared `skip_non_positive`),
    /// and so is a value that would make `_sum` overflow (`"sum_overflow"`).
    #[inline]
    pub fn observe(&self, value: f64) {
        self.observe_at_or_now(value, None);
    }

    /// Records `value` as observed at `now_ms`, on a millisecond clock of
    /// your own; read it back with [`snapshot_at`](Self::snapshot_at) on the
    /// same clock. For tests and replays; mixing it with
    /// [`observe`](Self::observe) mixes two clocks.
    // Inlined, so that the metric's spec, a constant, folds into the code:
    // the period's division, the mapping's factors, the tag's shifts.
    #[inline]
    pub fn observe_at(&self, value: f64, now_ms: u64) {
        self.observe_at_or_now(value, Some(now_ms));
    }

    /// Records `value` at `given_ms`, or at the coarse clock's time.
    #[inline]
    fn observe_at_or_now(&self, value: f64, given_ms: Option<u64>) {
        // One test for the common case, a value in the sketch's range (NaN
        // fails both comparisons); the rest is out of line.
        if (MIN_VALUE..=MAX_VALUE).contains(&value) {
            let slot = self.spec.keyed_bucket(value);
            self.cell.record(self.spec, value, slot, given_ms);
        } else {
            self.observe_outside_range(value, given_ms);
        }
    }

    /// Zero, tiny and huge values (kept in the end buckets), and the values
    /// a summary refuses.
    #[cold]
    #[inline(never)]
    fn observe_outside_range(&self, value: f64, given_ms: Option<u64>) {
        let skipped = self.spec.skip_non_positive && value <= 0.0;
        if value.is_nan() || value.is_infinite() || value < 0.0 || skipped {
            refuse(value, self.spec.skip_non_positive);
        } else {
            let slot = self.spec.bucket(value, N);
            self.cell.record(self.spec, value, slot, given_ms);
        }
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

    /// The metric's spec: its quantiles, window and sketch.
    pub fn spec(&self) -> &'static SummarySpec {
        self.spec
    }

    /// The number of buckets of this metric's sketch: each series takes
    /// `age_buckets × buckets × 8` bytes, plus 16.
    pub fn buckets(&self) -> usize {
        N
    }

    /// Reads this series now.
    pub fn snapshot(&self) -> SummarySnapshot {
        self.snapshot_at(clock::refresh())
    }

    /// Reads this series as of `now_ms` on the clock given to
    /// [`observe_at`](Self::observe_at).
    pub fn snapshot_at(&self, now_ms: u64) -> SummarySnapshot {
        let mut acc = SummaryAccumulator::default();
        self.cell.accumulate(self.spec, now_ms, &mut acc);
        let mut snapshot = SummarySnapshot::default();
        acc.finish(self.spec, &mut snapshot);
        snapshot
    }
}

/// Counts a value a summary does not record, under its reason.
#[cold]
#[inline(never)]
fn refuse(value: f64, skip_non_positive: bool) {
    dropped(if value.is_nan() {
        DropReason::Nan
    } else if value.is_infinite() {
        DropReason::Infinite
    } else if skip_non_positive && value <= 0.0 {
        DropReason::NonPositive
    } else {
        DropReason::Negative
    });
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

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(relative_error: f64) -> SummarySpec {
        let t = sketch::Tables::for_error(relative_error);
        let cells: &'static [u16] = Box::leak(t.cells.into_boxed_slice());
        let bounds: &'static [u64] = Box::leak(t.bounds.into_boxed_slice());
        let first_key = sketch::key(MIN_VALUE, t.keys_per_octave, t.cell_shift, cells, bounds);
        SummarySpec {
            quantiles: &[],
            max_age_ms: 1_000,
            age_buckets: 1,
            period_ms: 1_000,
            count_bits: SummarySpec::count_bits_for(1_000, 1),
            relative_error,
            keys_per_octave: t.keys_per_octave,
            cell_shift: t.cell_shift,
            cells,
            bounds,
            first_key,
            units_per_second: 1.0,
            skip_non_positive: false,
        }
    }

    #[test]
    fn every_value_in_range_is_reported_within_the_relative_error() {
        for relative_error in [0.001, 0.01, 0.02, 0.05, 0.1, 0.25, 0.49] {
            let spec = spec(relative_error);
            let buckets = SummarySpec::buckets_for(relative_error);
            let mut worst = 0f64;
            // Log-uniform over the range, 10 steps per 1% and the bounds.
            let mut v = MIN_VALUE;
            let mut values = vec![MIN_VALUE, MAX_VALUE];
            while v < MAX_VALUE {
                values.push(v);
                v *= 1.001;
            }
            for v in values {
                let slot = spec.bucket(v, buckets);
                assert!(
                    (1..buckets).contains(&slot),
                    "{v}: slot {slot} of {buckets}"
                );
                let reported = spec.representative(slot, buckets);
                worst = worst.max((reported - v).abs() / v);
            }
            assert!(worst <= relative_error, "α {relative_error}: worst {worst}");
            // And the buckets are no narrower than whole buckets per octave
            // make them: the worst error is that of a bucket 2^(1/k) wide.
            let ratio = 2f64.powf(1.0 / f64::from(spec.keys_per_octave));
            let widest = (ratio - 1.0) / (ratio + 1.0);
            assert!(
                worst >= widest * 0.99,
                "α {relative_error}: worst {worst}, buckets allow {widest}"
            );
        }
    }

    #[test]
    fn values_outside_the_range_are_reported_as_its_ends() {
        let spec = spec(0.01);
        let buckets = SummarySpec::buckets_for(0.01);
        for (v, reported) in [(0.0, 0.0), (1e-7, 0.0), (1e9 * 1.0001, 1e9), (1e300, 1e9)] {
            assert_eq!(
                spec.representative(spec.bucket(v, buckets), buckets),
                reported
            );
        }
    }
}
