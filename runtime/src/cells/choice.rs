//! The cell of info metrics and state sets: which one of a closed set is
//! current (a series of the metric, a state of the series), if any.

use core::sync::atomic::{AtomicUsize, Ordering};

/// One of a closed set, or none yet: the current series of an info metric
/// ([`Info`](crate::Info)), the current state of a state-set series
/// ([`StateSet`](crate::StateSet)).
#[derive(Debug, Default)]
pub struct Choice {
    /// The current index plus one; zero when none was set.
    current: AtomicUsize,
}

impl Choice {
    /// None chosen yet.
    pub const fn new() -> Self {
        Self {
            current: AtomicUsize::new(0),
        }
    }

    /// The current index, if one was set.
    pub fn current(&self) -> Option<usize> {
        self.current.load(Ordering::Relaxed).checked_sub(1)
    }

    /// Makes `index` the current one.
    #[inline]
    pub(crate) fn set_current(&self, index: usize) {
        self.current.store(index + 1, Ordering::Relaxed);
    }
}
