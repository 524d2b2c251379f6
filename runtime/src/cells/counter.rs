//! Counters: monotonically increasing `u64` cells.

use core::sync::atomic::{AtomicU64, Ordering};

/// A monotonically increasing count, one per series.
///
/// Obtained from a generated recording function, never built by hand in
/// ordinary use. Increments are a single relaxed atomic add: they are exact
/// under concurrency but impose no ordering on surrounding memory accesses.
///
/// A counter wraps around on overflow of `u64` (after 1.8 × 10¹⁹ increments);
/// Prometheus reads the wrap as a counter reset.
///
/// ```
/// let requests = enumeter::Counter::new();
/// requests.inc();
/// requests.add(2);
/// assert_eq!(requests.get(), 3);
/// ```
#[derive(Debug, Default)]
pub struct Counter {
    value: AtomicU64,
}

impl Counter {
    /// A counter at zero.
    pub const fn new() -> Self {
        Self {
            value: AtomicU64::new(0),
        }
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.value.fetch_add(1, Ordering::Relaxed);
    }

    /// Adds `n`.
    #[inline]
    pub fn add(&self, n: u64) {
        self.value.fetch_add(n, Ordering::Relaxed);
    }

    /// The current count.
    #[inline]
    pub fn get(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }

    /// Sets the value: for counters computed at scrape time, whose value
    /// comes from elsewhere.
    pub(crate) fn set(&self, value: u64) {
        self.value.store(value, Ordering::Relaxed);
    }
}
