//! Info metrics: one series, value 1, whose labels describe the process.

use super::choice::Choice;

/// The cell of an info metric: which of its series is the current one.
///
/// An info metric without labels always renders its one series. With labels,
/// it renders the series last [`set`](InfoRef::set), and nothing before that.
pub type Info = Choice;

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
        self.cell.set_current(self.index);
    }

    /// Whether this series is the one the metric renders.
    pub fn is_set(&self) -> bool {
        self.cell.current() == Some(self.index)
    }
}
