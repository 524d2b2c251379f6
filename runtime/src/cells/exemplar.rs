//! Exemplars (`#[counter(exemplars)]`, `#[histogram(..., exemplars)]`): the
//! latest exemplar of each series (counters) or bucket (histograms), with
//! its labels, value and time, rendered in OpenMetrics text and in the
//! protobuf exposition (the Prometheus text format has no place for them).
//!
//! ```
//! use enumeter::{metrics, Format, Registry};
//!
//! /// Requests.
//! #[metrics(namespace = "api", register = false)]
//! pub enum Api {
//!     /// Request time.
//!     #[histogram(unit = "seconds", buckets = [0.1, 1], exemplars)]
//!     Latency,
//! }
//!
//! let api = ApiMetrics::new();
//! api.latency().observe_with_exemplar(0.25, &[("trace_id", "4bf92f3577b34da6")]);
//! let text = Registry::new().with(&api).render(Format::OpenMetrics);
//! assert!(text.contains(
//!     "api_latency_seconds_bucket{le=\"1.0\"} 1 # {trace_id=\"4bf92f3577b34da6\"} 0.25 "
//! ));
//! ```
//!
//! Each exemplar slot takes 544 bytes (room for the 128 UTF-8 characters
//! OpenMetrics allows in an exemplar's labels, at 4 bytes each): a counter
//! series has one, a histogram series one per bucket. A metric declared
//! without `exemplars` has none and pays nothing.
//!
//! Recording is lock-free: a slot is a sequence lock over atomics. An
//! exemplar whose labels exceed 128 characters, whose names are not label
//! names, or whose values hold `"`, `\` or a newline, is refused and
//! counted in `enumeter_exemplars_dropped_total{reason}` (shown once one
//! is; the first of each reason is logged); the observation itself is
//! always recorded. The last reason is a choice: OpenMetrics escapes such
//! values, but its Python reference parser then rejects the whole
//! exposition and Prometheus 2.42 stores the backslashes as written, so
//! an escaped exemplar would break one consumer and be misread by the
//! other. Trace and span ids, what exemplars carry, never hold them. Two threads storing an exemplar
//! in one slot at the same instant keep one of the two.

use std::sync::atomic::{fence, AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::cells::merge::MergeFrom;
use crate::cells::own::{FirstTime, ShownOnceStarted};
use enumeter_macros::metrics;
use enumeter_macros::LabelValue;

/// The most UTF-8 characters of an exemplar's label names and values
/// together, as OpenMetrics requires.
pub const MAX_EXEMPLAR_CHARS: usize = 128;

/// The packed label set's words. Names are ASCII, a value's characters
/// take up to 4 bytes, and each label adds two separators but has a name of
/// at least one character: at most 3 × names + 4 × values ≤ 4 × 128 bytes.
const WORDS: usize = MAX_EXEMPLAR_CHARS * 4 / 8;

/// Why an exemplar was refused (its observation was recorded all the same).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, LabelValue)]
#[label(rename_all = "snake_case")]
pub(crate) enum ExemplarDrop {
    /// Its label names and values had more than 128 characters.
    TooLong,
    /// A label name was not `[a-zA-Z_][a-zA-Z0-9_]*`, or a value held a NUL.
    Invalid,
    /// A value held `"`, `\` or a newline. OpenMetrics escapes them, but
    /// the Python reference parser rejects the whole exposition for it and
    /// Prometheus 2.42 keeps the backslashes: refused, so that every
    /// consumer reads the exemplars it is given as they were recorded.
    #[label(name = "needs_escaping")]
    NeedsEscaping,
}

/// enumeter's count of refused exemplars; shown once one was refused.
#[metrics(namespace = "enumeter", register = false)]
pub(crate) enum ExemplarSelf {
    /// Exemplars refused, by reason; their observations were recorded.
    #[counter]
    ExemplarsDroppedTotal {
        /// Why the exemplar was refused.
        reason: ExemplarDrop,
    },
}

/// What the default registry shows of [`ExemplarSelf`].
pub(crate) static EXEMPLAR_METRICS: ShownOnceStarted =
    ShownOnceStarted::new(30, || ExemplarSelfMetrics::global());

#[cold]
fn refused(reason: ExemplarDrop, labels: &[(&str, &str)]) {
    EXEMPLAR_METRICS.start();
    ExemplarSelf::exemplars_dropped_total(reason).inc();
    static LOGGED: [FirstTime; 3] = [const { FirstTime::new() }; 3];
    if !LOGGED.get(reason.index()).is_some_and(FirstTime::first) {
        return;
    }
    // The names only: values may be anything a caller passed.
    let names: Vec<&str> = labels.iter().map(|(name, _)| *name).collect();
    let why = match reason {
        ExemplarDrop::TooLong => "its label names and values have more than 128 characters",
        ExemplarDrop::Invalid => {
            "a label name is not [a-zA-Z_][a-zA-Z0-9_]*, or a value holds a NUL"
        }
        ExemplarDrop::NeedsEscaping => {
            "a value holds `\"`, `\\` or a newline, which \
                                        consumers of OpenMetrics read differently"
        }
    };
    log::warn!(
        target: "enumeter",
        "an exemplar with labels {names:?} was refused: {why}; its observation was recorded; \
         counted in enumeter_exemplars_dropped_total{{reason=\"{}\"}}, not logged again",
        reason.as_str()
    );
}

/// The latest exemplar of one series or bucket.
pub struct ExemplarSlot {
    /// Even when stable; odd while a writer stores. Zero: never written.
    seq: AtomicU64,
    value: AtomicU64,
    timestamp_ms: AtomicU64,
    /// Bytes used in `words`.
    len: AtomicU64,
    /// `name \0 value \0 ...`, packed little-endian.
    words: [AtomicU64; WORDS],
}

impl core::fmt::Debug for ExemplarSlot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ExemplarSlot")
    }
}

impl Default for ExemplarSlot {
    fn default() -> Self {
        Self::new()
    }
}

/// An exemplar as read from a slot, into buffers the reader reuses.
#[derive(Debug, Default)]
pub struct ExemplarRead {
    bytes: Vec<u8>,
    /// The exemplar's value.
    pub value: f64,
    /// When it was recorded, in milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
}

impl ExemplarRead {
    /// The exemplar's labels, in the order they were given.
    pub fn labels(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut parts = self
            .bytes
            .split(|&b| b == 0)
            .map(|p| core::str::from_utf8(p).unwrap_or(""));
        core::iter::from_fn(move || {
            let name = parts.next().filter(|n| !n.is_empty())?;
            Some((name, parts.next().unwrap_or("")))
        })
    }
}

impl ExemplarSlot {
    /// An empty slot.
    pub const fn new() -> Self {
        Self {
            seq: AtomicU64::new(0),
            value: AtomicU64::new(0),
            timestamp_ms: AtomicU64::new(0),
            len: AtomicU64::new(0),
            words: [const { AtomicU64::new(0) }; WORDS],
        }
    }

    /// Stores an exemplar of `value` with `labels`, timestamped now; counts
    /// and skips one that OpenMetrics would refuse.
    pub fn record(&self, labels: &[(&str, &str)], value: f64) {
        if let Err(reason) = check(labels) {
            refused(reason, labels);
            return;
        }
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let seq = self.seq.load(Ordering::Relaxed);
        // Another writer is storing: keep its exemplar rather than wait.
        if seq % 2 == 1
            || self
                .seq
                .compare_exchange(seq, seq + 1, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        fence(Ordering::Release);
        self.value.store(value.to_bits(), Ordering::Relaxed);
        self.timestamp_ms.store(now_ms, Ordering::Relaxed);
        let mut word = 0u64;
        let mut at = 0usize;
        let bytes = labels
            .iter()
            .flat_map(|(n, v)| n.bytes().chain([0]).chain(v.bytes()).chain([0]));
        for byte in bytes {
            word |= u64::from(byte) << (8 * (at % 8));
            at += 1;
            if at.is_multiple_of(8) {
                self.words[at / 8 - 1].store(word, Ordering::Relaxed);
                word = 0;
            }
        }
        if !at.is_multiple_of(8) {
            self.words[at / 8].store(word, Ordering::Relaxed);
        }
        self.len.store(at as u64, Ordering::Relaxed);
        self.seq.store(seq + 2, Ordering::Release);
    }

    /// Reads the exemplar into `out`; false when the slot is empty (or a
    /// writer kept it busy through every try).
    pub fn read(&self, out: &mut ExemplarRead) -> bool {
        for _ in 0..16 {
            let before = self.seq.load(Ordering::Acquire);
            if before == 0 {
                return false;
            }
            if before % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let len = (self.len.load(Ordering::Relaxed) as usize).min(WORDS * 8);
            out.bytes.clear();
            for i in 0..len {
                let word = self.words[i / 8].load(Ordering::Relaxed);
                out.bytes.push((word >> (8 * (i % 8))) as u8);
            }
            out.value = f64::from_bits(self.value.load(Ordering::Relaxed));
            out.timestamp_ms = self.timestamp_ms.load(Ordering::Relaxed);
            fence(Ordering::Acquire);
            if self.seq.load(Ordering::Relaxed) == before {
                return true;
            }
        }
        false
    }
}

/// Whether OpenMetrics takes `labels` as an exemplar's label set.
fn check(labels: &[(&str, &str)]) -> Result<(), ExemplarDrop> {
    let mut chars = 0;
    for (name, value) in labels {
        if !enumeter_common::names::is_name(name) || value.contains('\0') {
            return Err(ExemplarDrop::Invalid);
        }
        if value.contains(['"', '\\', '\n']) {
            return Err(ExemplarDrop::NeedsEscaping);
        }
        chars += name.len() + value.chars().count();
    }
    if chars > MAX_EXEMPLAR_CHARS {
        return Err(ExemplarDrop::TooLong);
    }
    Ok(())
}

/// A metric's exemplar slots, for the encoders: `E` per series (one for a
/// counter, one per bucket for a histogram).
pub trait ExemplarSeries: Sync {
    /// The slot of `series`'s `bucket` (0 for a counter), if there is one.
    fn slot(&self, series: usize, bucket: usize) -> Option<&ExemplarSlot>;
}

/// A metric's cells with an exemplar slot for each series (counters) or
/// bucket (histograms); derefs to the cells.
pub struct WithExemplars<C, const N: usize, const E: usize> {
    cells: [C; N],
    slots: [[ExemplarSlot; E]; N],
}

impl<C, const N: usize, const E: usize> WithExemplars<C, N, E> {
    /// `cells`, with empty slots.
    pub const fn new(cells: [C; N]) -> Self {
        Self {
            cells,
            slots: [const { [const { ExemplarSlot::new() }; E] }; N],
        }
    }

    /// The slots of series `index`.
    pub fn slots(&self, index: usize) -> &[ExemplarSlot; E] {
        &self.slots[index]
    }
}

impl<C, const N: usize, const E: usize> core::ops::Deref for WithExemplars<C, N, E> {
    type Target = [C; N];

    fn deref(&self) -> &[C; N] {
        &self.cells
    }
}

impl<C: Sync, const N: usize, const E: usize> ExemplarSeries for WithExemplars<C, N, E> {
    fn slot(&self, series: usize, bucket: usize) -> Option<&ExemplarSlot> {
        self.slots.get(series)?.get(bucket)
    }
}

impl<C, const N: usize, const E: usize> core::fmt::Debug for WithExemplars<C, N, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("WithExemplars").finish_non_exhaustive()
    }
}

/// Merges the cells; each slot keeps its own exemplar unless it has none.
impl<C: MergeFrom, const N: usize, const E: usize> MergeFrom for WithExemplars<C, N, E> {
    fn merge_from(&self, other: &Self) {
        for (mine, theirs) in self.cells.iter().zip(&other.cells) {
            mine.merge_from(theirs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_gives_back_the_latest_exemplar_whole() {
        let slot = ExemplarSlot::new();
        let mut read = ExemplarRead::default();
        assert!(!slot.read(&mut read));
        slot.record(&[("trace_id", "abc"), ("span", "héllo")], 0.5);
        slot.record(&[("trace_id", "def")], 2.0);
        assert!(slot.read(&mut read));
        assert_eq!(read.labels().collect::<Vec<_>>(), [("trace_id", "def")]);
        assert_eq!(read.value, 2.0);
        assert!(read.timestamp_ms > 1_600_000_000_000);
        let long = "x".repeat(MAX_EXEMPLAR_CHARS - 1);
        slot.record(&[("a", &long)], 3.0);
        assert!(slot.read(&mut read));
        assert_eq!(read.labels().next(), Some(("a", long.as_str())));
        // The widest label set that fits: 128 four-byte characters.
        let wide = "𝄞".repeat(MAX_EXEMPLAR_CHARS - 1);
        slot.record(&[("w", &wide)], 4.0);
        assert!(slot.read(&mut read));
        assert_eq!(read.labels().next(), Some(("w", wide.as_str())));
    }

    #[test]
    fn exemplars_openmetrics_refuses_are_counted_and_not_stored() {
        let slot = ExemplarSlot::new();
        let before = |reason| ExemplarSelf::exemplars_dropped_total(reason).get();
        let (long, invalid) = (before(ExemplarDrop::TooLong), before(ExemplarDrop::Invalid));
        slot.record(&[("a", &"x".repeat(MAX_EXEMPLAR_CHARS))], 1.0);
        slot.record(&[("not-a-name", "v")], 1.0);
        slot.record(&[("a", "nul\0")], 1.0);
        assert_eq!(before(ExemplarDrop::TooLong) - long, 1);
        assert_eq!(before(ExemplarDrop::Invalid) - invalid, 2);
        assert!(!slot.read(&mut ExemplarRead::default()));
    }

    #[test]
    fn readers_never_see_a_torn_exemplar_while_writers_race() {
        let slot = ExemplarSlot::new();
        std::thread::scope(|s| {
            for t in 0..2u8 {
                let slot = &slot;
                s.spawn(move || {
                    for i in 0..20_000u32 {
                        // Value and labels agree, so a torn read shows.
                        let v = f64::from(i) + f64::from(t) * 0.5;
                        let text = format!("{v}-{}", "y".repeat((i % 40) as usize));
                        slot.record(&[("v", &text)], v);
                    }
                });
            }
            let mut read = ExemplarRead::default();
            for _ in 0..20_000 {
                if slot.read(&mut read) {
                    let (_, text) = read.labels().next().unwrap();
                    let prefix = text.split('-').next().unwrap();
                    assert_eq!(prefix.parse::<f64>().unwrap(), read.value, "{text}");
                }
            }
        });
    }
}

/// The handle a counter declared with `exemplars` records through: a
/// counter's methods, and the same with an exemplar.
#[derive(Clone, Copy, Debug)]
pub struct ExemplarCounterRef<'a> {
    cell: &'a crate::cells::counter::Counter,
    slot: &'a ExemplarSlot,
}

impl<'a> ExemplarCounterRef<'a> {
    #[inline]
    pub(crate) const fn new(
        cell: &'a crate::cells::counter::Counter,
        slot: &'a ExemplarSlot,
    ) -> Self {
        Self { cell, slot }
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.cell.inc();
    }

    /// Adds `n`.
    #[inline]
    pub fn add(&self, n: u64) {
        self.cell.add(n);
    }

    /// The current value.
    pub fn get(&self) -> u64 {
        self.cell.get()
    }

    /// Reads the series' exemplar into `out`; false when it has none.
    pub fn slot_read(&self, out: &mut ExemplarRead) -> bool {
        self.slot.read(out)
    }

    /// Adds one, and keeps `labels` (a trace id, say) as the series'
    /// exemplar, of value 1.
    pub fn inc_with_exemplar(&self, labels: &[(&str, &str)]) {
        self.add_with_exemplar(1, labels);
    }

    /// Adds `n`, and keeps `labels` as the series' exemplar, of value `n`.
    pub fn add_with_exemplar(&self, n: u64, labels: &[(&str, &str)]) {
        self.cell.add(n);
        self.slot.record(labels, n as f64);
    }
}

/// The handle a histogram declared with `exemplars` records through: a
/// [`HistogramRef`](crate::HistogramRef) (it derefs to one), and
/// `observe_with_exemplar`.
#[derive(Clone, Copy, Debug)]
pub struct ExemplarHistogramRef<'a, const B: usize> {
    histogram: crate::cells::histogram::HistogramRef<'a, B>,
    slots: &'a [ExemplarSlot; B],
}

impl<'a, const B: usize> ExemplarHistogramRef<'a, B> {
    #[inline]
    pub(crate) const fn new(
        histogram: crate::cells::histogram::HistogramRef<'a, B>,
        slots: &'a [ExemplarSlot; B],
    ) -> Self {
        Self { histogram, slots }
    }

    /// Records `value` like `observe`, and keeps `labels` (a trace id, say)
    /// as the exemplar of the bucket it went into. A value that is dropped
    /// (NaN, infinite, skipped) leaves the exemplars as they were.
    pub fn observe_with_exemplar(&self, value: f64, labels: &[(&str, &str)]) {
        if let Some(bucket) = self.histogram.observe_in_bucket(value) {
            if let Some(slot) = self.slots.get(bucket) {
                slot.record(labels, value);
            }
        }
    }
}

impl<'a, const B: usize> core::ops::Deref for ExemplarHistogramRef<'a, B> {
    type Target = crate::cells::histogram::HistogramRef<'a, B>;

    fn deref(&self) -> &crate::cells::histogram::HistogramRef<'a, B> {
        &self.histogram
    }
}
