//! Which series of a sparse counter, gauge or state set have been recorded
//! into, so that the reader writes out only those. (A sparse histogram or
//! summary needs no marks: the reader shows the series whose count is not
//! zero.)
//!
//! Two marks per series: a byte that the recording path tests (a load, a
//! compare and a branch not taken, once the series is marked: the compiler
//! does not fold an atomic load into the compare), and a bit that the
//! reader scans 64 series at a time. The first
//! record of a series sets both; every later one only reads its byte,
//! which stays in the recording core's cache because nothing writes it
//! again.

use core::sync::atomic::{AtomicU64, AtomicU8, Ordering};

use crate::cells::merge::MergeFrom;

/// The recorded marks of a sparse metric with `SERIES` series, in
/// `WORDS = ⌈SERIES / 64⌉` words of 64 bits.
///
/// Generated code marks a series when a recording function hands out its
/// handle; [`Metric::with_recorded`](crate::Metric::with_recorded) hands
/// the words to the reader.
pub struct Recorded<const SERIES: usize, const WORDS: usize> {
    marks: [AtomicU8; SERIES],
    words: [AtomicU64; WORDS],
}

impl<const SERIES: usize, const WORDS: usize> Recorded<SERIES, WORDS> {
    /// No series recorded.
    pub const fn new() -> Self {
        assert!(WORDS == SERIES.div_ceil(64), "one word per 64 series");
        Self {
            marks: [const { AtomicU8::new(0) }; SERIES],
            words: [const { AtomicU64::new(0) }; WORDS],
        }
    }

    /// Marks series `index` as recorded. An index out of range marks
    /// nothing (generated code never passes one).
    #[inline(always)]
    pub fn mark(&self, index: usize) {
        if let Some(mark) = self.marks.get(index) {
            if mark.load(Ordering::Relaxed) == 0 {
                self.mark_first(index);
            }
        }
    }

    /// The first record of series `index`: both marks. Out of line, so
    /// that the recording path carries only the test.
    #[cold]
    #[inline(never)]
    fn mark_first(&self, index: usize) {
        // The bit first: a reader that sees the byte's mark can count on
        // the bit, and a racing first record sets the same bit twice.
        // Release, with the reader's Acquire: a reader that sees the bit
        // sees what this thread did before, such as interning the runtime
        // label value the series is named by (free on x86, where a locked
        // `or` orders everything anyway).
        self.words[index / 64].fetch_or(1 << (index % 64), Ordering::Release);
        self.marks[index].store(1, Ordering::Relaxed);
    }

    /// Unmarks series `index` (cleared for a runtime label's new value): it
    /// shows again once recorded into. An index out of range unmarks
    /// nothing.
    pub fn unmark(&self, index: usize) {
        if let Some(mark) = self.marks.get(index) {
            mark.store(0, Ordering::Relaxed);
            self.words[index / 64].fetch_and(!(1 << (index % 64)), Ordering::Relaxed);
        }
    }

    /// One bit per series, series `i` at bit `i % 64` of word `i / 64`.
    pub fn words(&self) -> &[AtomicU64] {
        &self.words
    }

    /// Whether series `index` has been recorded into.
    pub fn is_recorded(&self, index: usize) -> bool {
        self.marks
            .get(index)
            .is_some_and(|m| m.load(Ordering::Relaxed) != 0)
    }
}

impl<const SERIES: usize, const WORDS: usize> Default for Recorded<SERIES, WORDS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const SERIES: usize, const WORDS: usize> core::fmt::Debug for Recorded<SERIES, WORDS> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let recorded: u32 = self
            .words
            .iter()
            .map(|w| w.load(Ordering::Relaxed).count_ones())
            .sum();
        f.debug_struct("Recorded")
            .field("series", &SERIES)
            .field("recorded", &recorded)
            .finish()
    }
}

/// A series recorded into in `other` is recorded into here too: merged
/// instances show what any of them recorded.
impl<const SERIES: usize, const WORDS: usize> MergeFrom for Recorded<SERIES, WORDS> {
    fn merge_from(&self, other: &Self) {
        for (index, mark) in other.marks.iter().enumerate() {
            if mark.load(Ordering::Relaxed) != 0 {
                self.mark(index);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded<const S: usize, const W: usize>(r: &Recorded<S, W>) -> Vec<usize> {
        (0..S).filter(|&i| r.is_recorded(i)).collect()
    }

    #[test]
    fn marking_sets_the_byte_and_the_bit_of_that_series_only() {
        let r = Recorded::<130, 3>::new();
        for i in [0, 63, 64, 129, 64] {
            r.mark(i);
        }
        assert_eq!(recorded(&r), [0, 63, 64, 129]);
        let words: Vec<u64> = r
            .words()
            .iter()
            .map(|w| w.load(Ordering::Relaxed))
            .collect();
        assert_eq!(words, [1 | 1 << 63, 1, 1 << 1]);
    }

    #[test]
    fn an_index_out_of_range_marks_nothing() {
        let r = Recorded::<3, 1>::new();
        r.mark(3);
        r.mark(usize::MAX);
        assert!(recorded(&r).is_empty());
        assert_eq!(r.words()[0].load(Ordering::Relaxed), 0);
    }

    #[test]
    fn merging_marks_what_either_instance_recorded() {
        let (a, b) = (Recorded::<70, 2>::new(), Recorded::<70, 2>::new());
        a.mark(1);
        b.mark(69);
        b.mark(1);
        a.merge_from(&b);
        assert_eq!(recorded(&a), [1, 69]);
        assert_eq!(recorded(&b), [1, 69]);
    }
}
