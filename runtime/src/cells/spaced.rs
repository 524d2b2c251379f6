//! The plain layout of counters and integer gauges: small metrics give each
//! series a cache-line pair of its own, so that threads recording different
//! series never contend for a line; large ones pack 8 bytes a series.
//!
//! Two threads incrementing neighbouring series of a packed metric take
//! turns owning the line they share (60 ns an increment against 5 ns on
//! lines of their own, peers bench); spaced, each increments its own line.
//! Spacing costs 128 bytes a series, so it stops at [`SPACED_MAX_SERIES`]
//! series (8 KiB a metric): beyond it, series are many and a thread's
//! neighbours are unlikely to be the series the other threads record, and
//! the memory would not be worth it. `#[counter(sharded)]` is for the other
//! case, many threads on the same series.

/// The most series a metric spaces one to a cache-line pair; a metric with
/// more packs them.
pub const SPACED_MAX_SERIES: usize = 64;

/// Cells between two series of a spaced metric: 128 bytes, two cache lines,
/// since Intel cores fetch lines in pairs (the adjacent-line prefetcher).
pub const SPACING: usize = 16;

/// How many cells a metric of `series` series keeps: `series × SPACING`
/// up to [`SPACED_MAX_SERIES`] series, else `series`.
pub const fn cells_for(series: usize) -> usize {
    if series <= SPACED_MAX_SERIES {
        series * SPACING
    } else {
        series
    }
}

/// The cells of one metric of `SERIES` series in `CELLS` cells
/// ([`cells_for`]`(SERIES)`): series `i` is cell `i × CELLS / SERIES`.
#[repr(C, align(128))]
pub struct SpacedCells<T, const SERIES: usize, const CELLS: usize> {
    cells: [T; CELLS],
}

impl<T, const SERIES: usize, const CELLS: usize> SpacedCells<T, SERIES, CELLS> {
    /// Cells from one series to the next.
    const STRIDE: usize = {
        assert!(CELLS == cells_for(SERIES), "CELLS is cells_for(SERIES)");
        match CELLS.checked_div(SERIES) {
            Some(stride) => stride,
            None => 1,
        }
    };

    /// `cells`, laid out for `SERIES` series.
    pub const fn new(cells: [T; CELLS]) -> Self {
        let _ = Self::STRIDE;
        Self { cells }
    }

    /// The cell of series `index`.
    ///
    /// # Panics
    ///
    /// When `index` is not below `SERIES` (generated code never passes
    /// one: its indices come from label values).
    #[inline(always)]
    pub fn series(&self, index: usize) -> &T {
        &self.cells[index * Self::STRIDE]
    }

    /// Every cell, when they are packed one a series (more than
    /// [`SPACED_MAX_SERIES`] series): the reader reads a slice faster.
    pub fn packed(&self) -> Option<&[T]> {
        (Self::STRIDE == 1).then_some(&self.cells[..])
    }

    /// Every series, for the reader.
    pub fn spaced(&self) -> Spaced<'_, T> {
        Spaced {
            cells: &self.cells,
            stride: Self::STRIDE,
        }
    }
}

impl<T: core::fmt::Debug, const SERIES: usize, const CELLS: usize> core::fmt::Debug
    for SpacedCells<T, SERIES, CELLS>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.spaced().fmt(f)
    }
}

/// The series of a metric whose cells lie `stride` apart: what
/// [`Cells::SpacedCounter`](crate::Cells::SpacedCounter) and
/// [`Cells::SpacedGauge`](crate::Cells::SpacedGauge) hold.
pub struct Spaced<'a, T> {
    cells: &'a [T],
    stride: usize,
}

// Copied whatever `T` is: it holds a reference.
impl<T> Clone for Spaced<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Spaced<'_, T> {}

impl<'a, T> Spaced<'a, T> {
    /// Series `i` at `cells[i × stride]`; `stride` at least 1.
    pub const fn new(cells: &'a [T], stride: usize) -> Self {
        Self {
            cells,
            stride: if stride == 0 { 1 } else { stride },
        }
    }

    /// How many series.
    pub fn len(&self) -> usize {
        self.cells.len() / self.stride
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell of series `index`, if there is one.
    #[inline(always)]
    pub fn get(&self, index: usize) -> Option<&'a T> {
        self.cells.get(index.checked_mul(self.stride)?)
    }

    /// The cell of series `index`.
    ///
    /// # Panics
    ///
    /// When `index` is not below [`len`](Self::len).
    #[inline(always)]
    pub fn at(&self, index: usize) -> &'a T {
        &self.cells[index * self.stride]
    }
}

impl<T: core::fmt::Debug> core::fmt::Debug for Spaced<'_, T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries((0..self.len()).map(|i| self.at(i)))
            .finish()
    }
}

impl<T: crate::cells::merge::MergeFrom, const SERIES: usize, const CELLS: usize>
    crate::cells::merge::MergeFrom for SpacedCells<T, SERIES, CELLS>
{
    fn merge_from(&self, other: &Self) {
        for index in 0..SERIES {
            self.series(index).merge_from(other.series(index));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cells::counter::Counter;

    #[test]
    fn small_metrics_space_their_series_two_cache_lines_apart() {
        let cells: SpacedCells<Counter, 3, { cells_for(3) }> =
            SpacedCells::new([const { Counter::new() }; cells_for(3)]);
        let base = cells.series(0) as *const Counter as usize;
        assert_eq!(base % 128, 0);
        assert_eq!(cells.series(1) as *const Counter as usize - base, 128);
        assert_eq!(cells.series(2) as *const Counter as usize - base, 256);
        cells.series(2).add(7);
        let spaced = cells.spaced();
        assert_eq!(spaced.len(), 3);
        let values: Vec<u64> = (0..3).map(|i| spaced.at(i).get()).collect();
        assert_eq!(values, [0, 0, 7]);
        assert!(spaced.get(3).is_none());
    }

    #[test]
    fn large_metrics_pack_eight_bytes_a_series() {
        assert_eq!(cells_for(SPACED_MAX_SERIES), SPACED_MAX_SERIES * SPACING);
        assert_eq!(cells_for(SPACED_MAX_SERIES + 1), SPACED_MAX_SERIES + 1);
        assert_eq!(
            core::mem::size_of::<SpacedCells<Counter, 10_000, { cells_for(10_000) }>>(),
            80_000
        );
    }
}
