//! Clearing a series' cells back to zero: what the first record of a
//! runtime label's new value does to the series its slot's retired value
//! left (`runtime_label!` with `idle`, `#[label(retires)]`).

use core::sync::atomic::Ordering;

use crate::cells::counter::Counter;
use crate::cells::gauge::{FloatGauge, Gauge};
use crate::cells::histogram::Histogram;

/// A cell that can be set back to its value at start; for generated code,
/// under the lock that keeps every record of the series out meanwhile.
#[doc(hidden)]
pub trait ClearCell {
    /// Back to zero, nothing observed.
    fn clear(&self);
}

impl ClearCell for Counter {
    fn clear(&self) {
        self.set(0);
    }
}

impl ClearCell for Gauge {
    fn clear(&self) {
        self.set(0);
    }
}

impl ClearCell for FloatGauge {
    fn clear(&self) {
        self.set(0.0);
    }
}

impl<const B: usize> ClearCell for Histogram<B> {
    fn clear(&self) {
        self.clear_cells(Ordering::Relaxed);
    }
}
