//! Info metrics: one series, value 1, whose labels describe the process.

use core::sync::atomic::{AtomicUsize, Ordering};

/// The cell of an info metric: which of its series is the current one.
///
/// An info metric without labels always renders its one series. With labels,
/// it renders the series last [`set`](InfoRef::set), and nothing before that.
#[derive(Debug, Default)]
pub struct Info {
    /// The current series' index plus one; zero when none was set.
    current: AtomicUsize,
}

impl Info {
    /// An info metric with no series set.
    pub const fn new() -> Self {
        Self {
            current: AtomicUsize::new(0),
        }
    }

    /// The index of the current series, if one was set.
    pub fn current(&self) -> Option<usize> {
        self.current.load(Ordering::Relaxed).checked_sub(1)
    }

    /// Makes `index` the current series.
    pub(crate) fn set_current(&self, index: usize) {
        self.current.store(index + 1, Ordering::Relaxed);
    }
}

/// The handle an info metric's recording function returns: one series.
#[derive(Clone, Copy, Debug)]
pub struct InfoRef<'a> {
    cell: &'a Info,
    index: usize,
}

impl<'a> InfoRef<'a> {
    #[inline]
    pub(crate) const fn new(cell: &'a Info, index: usize) -> Self {
        Self { cell, index }
    }

    /// Makes this series the one the metric renders.
    #[inline]
    pub fn set(&self) {
        self.cell.current.store(self.index + 1, Ordering::Relaxed);
    }

    /// Whether this series is the one the metric renders.
    pub fn is_set(&self) -> bool {
        self.cell.current() == Some(self.index)
    }
}
