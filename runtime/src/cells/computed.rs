//! Values computed at scrape time (`#[gauge(computed)]`,
//! `#[counter(computed)]`): the metric's cells are set from a function the
//! application registers, each time the metric is rendered, snapshotted or
//! merged, for quantities it already holds (queue lengths, pool sizes,
//! hit counts kept elsewhere).
//!
//! ```
//! use enumeter::{metrics, Format, LabelValue};
//! use std::sync::atomic::{AtomicUsize, Ordering};
//!
//! #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
//! #[label(rename_all = "lowercase")]
//! pub enum Queue { Email, Sms }
//!
//! static EMAIL_BACKLOG: AtomicUsize = AtomicUsize::new(0);
//!
//! /// Work queues.
//! #[metrics(namespace = "queue")]
//! pub enum Queues {
//!     /// Jobs waiting, read from the queues when scraped.
//!     #[gauge(computed)]
//!     Waiting { queue: Queue },
//! }
//!
//! Queues::set_waiting_source(|queue| match queue {
//!     Queue::Email => EMAIL_BACKLOG.load(Ordering::Relaxed) as i64,
//!     Queue::Sms => 0,
//! });
//! EMAIL_BACKLOG.store(17, Ordering::Relaxed);
//! let text = enumeter::render(Format::Prometheus);
//! assert!(text.contains("queue_waiting{queue=\"email\"} 17\n"));
//! ```
//!
//! The function runs on the thread that renders, once per series, with no
//! allocation; it must not record into the group it belongs to. Until one
//! is set, the cells keep what was last stored in them (zero, or what a
//! merge added).

use std::sync::{PoisonError, RwLock};

use crate::cells::counter::Counter;
use crate::cells::gauge::{FloatGauge, Gauge};
use crate::cells::merge::MergeFrom;

/// A cell whose value can be set from a computed one.
pub trait ComputedCell {
    /// The value type: `u64` for counters, `i64` for gauges, `f64` for
    /// float gauges.
    type Value;

    /// Stores `value` as the cell's current value.
    fn store(&self, value: Self::Value);

    /// The value last stored.
    fn load(&self) -> Self::Value;
}

impl ComputedCell for Counter {
    type Value = u64;
    fn store(&self, value: u64) {
        self.set(value);
    }
    fn load(&self) -> u64 {
        self.get()
    }
}

impl ComputedCell for Gauge {
    type Value = i64;
    fn store(&self, value: i64) {
        self.set(value);
    }
    fn load(&self) -> i64 {
        self.get()
    }
}

impl ComputedCell for FloatGauge {
    type Value = f64;
    fn store(&self, value: f64) {
        self.set(value);
    }
    fn load(&self) -> f64 {
        self.get()
    }
}

/// The handle of a computed metric's series: its value, as last computed,
/// and nothing to record with, since the next scrape would overwrite what
/// was recorded. Its value comes from the function given to the generated
/// `set_<metric>_source`.
#[derive(Debug)]
pub struct ComputedRef<'a, C: ComputedCell> {
    cell: &'a C,
}

impl<C: ComputedCell> Clone for ComputedRef<'_, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: ComputedCell> Copy for ComputedRef<'_, C> {}

impl<'a, C: ComputedCell> ComputedRef<'a, C> {
    #[inline]
    pub(crate) const fn new(cell: &'a C) -> Self {
        Self { cell }
    }

    /// The value computed at the last scrape, snapshot or merge (zero, or
    /// what merges added, before the first).
    pub fn get(&self) -> C::Value {
        self.cell.load()
    }
}

/// The function that computes series `index`'s value; `None` leaves the
/// cell as it is (the generated sources return it only for an index whose
/// label values a hand-written [`LabelValue`](crate::LabelValue) cannot
/// produce).
type Source<V> = Box<dyn Fn(usize) -> Option<V> + Send + Sync>;

/// The cells of a computed metric and the function that sets them; derefs
/// to the cells.
pub struct Computed<C: ComputedCell, const N: usize> {
    cells: [C; N],
    source: RwLock<Option<Source<C::Value>>>,
}

impl<C: ComputedCell, const N: usize> Computed<C, N> {
    /// `cells`, with no function yet.
    pub const fn new(cells: [C; N]) -> Self {
        Self {
            cells,
            source: RwLock::new(None),
        }
    }

    /// Sets (or replaces) the function that computes series `index`'s
    /// value; the generated `set_<metric>_source` passes it the labels.
    pub fn set_source(&self, source: impl Fn(usize) -> Option<C::Value> + Send + Sync + 'static) {
        *self.source.write().unwrap_or_else(PoisonError::into_inner) = Some(Box::new(source));
    }

    /// Sets every cell from the function, when there is one.
    pub fn refresh(&self) {
        let source = self.source.read().unwrap_or_else(PoisonError::into_inner);
        if let Some(source) = source.as_ref() {
            for (index, cell) in self.cells.iter().enumerate() {
                if let Some(value) = source(index) {
                    cell.store(value);
                }
            }
        }
    }
}

impl<C: ComputedCell, const N: usize> core::ops::Deref for Computed<C, N> {
    type Target = [C];

    fn deref(&self) -> &[C] {
        &self.cells
    }
}

impl<C: ComputedCell + core::fmt::Debug, const N: usize> core::fmt::Debug for Computed<C, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Computed")
            .field("cells", &self.cells)
            .finish_non_exhaustive()
    }
}

/// Adds `other`'s values, computed now, into this instance's cells.
impl<C: ComputedCell + MergeFrom, const N: usize> MergeFrom for Computed<C, N> {
    fn merge_from(&self, other: &Self) {
        other.refresh();
        for (cell, theirs) in self.cells.iter().zip(&other.cells) {
            cell.merge_from(theirs);
        }
    }
}
