//! What a metric labelled by a runtime label whose values retire keeps of
//! each value: the generation its cells were last cleared for. A value
//! retired gives its slot (its index) to a new value of the next
//! generation; the metric's cells of that index still hold the retired
//! value's counts until the first record of the new value clears them,
//! under a lock, and stores the new generation. The reader shows a series
//! only when its value's generation is the one stored, so a retired
//! value's counts are never written under a new value's name.
//!
//! Costs a record of such a metric one load and a compare beside the
//! slot's enter and leave (`Entered`, in `retiring.rs`); the clearing is
//! out of line and happens once per value and metric.

#[cfg(loom)]
use loom::sync::atomic::{AtomicU32, Ordering};
#[cfg(loom)]
use loom::sync::Mutex;
#[cfg(not(loom))]
use std::sync::atomic::{AtomicU32, Ordering};
#[cfg(not(loom))]
use std::sync::Mutex;

use std::sync::PoisonError;

/// Of each of a runtime label's `VALUES` values (its capacity and
/// `other`), the generation a metric's cells were last cleared for.
/// `#[metrics]` keeps one beside each metric with a label marked
/// `#[label(retires)]`. For generated code.
#[doc(hidden)]
pub struct SeenGenerations<const VALUES: usize> {
    seen: [AtomicU32; VALUES],
    /// Serialises the clearing: the first record of a new value clears,
    /// any other of the same value waits for it.
    clearing: Mutex<()>,
}

impl<const VALUES: usize> SeenGenerations<VALUES> {
    /// Every value at generation 0, the generation of a slot never retired.
    #[cfg(not(loom))]
    pub const fn new() -> Self {
        Self {
            seen: [const { AtomicU32::new(0) }; VALUES],
            clearing: Mutex::new(()),
        }
    }

    /// The same, on loom's atomics (not built in constants).
    #[cfg(loom)]
    pub fn new() -> Self {
        Self {
            seen: core::array::from_fn(|_| AtomicU32::new(0)),
            clearing: Mutex::new(()),
        }
    }

    /// Runs `clear` (which clears the metric's cells of value `index`)
    /// unless they were already cleared for `generation`, then stores it.
    /// Called with the value's slot entered at `generation`: no record of
    /// an earlier generation is on its way, and none can start.
    #[inline]
    pub fn ensure(&self, index: usize, generation: u32, clear: impl FnOnce()) {
        let Some(seen) = self.seen.get(index) else {
            return;
        };
        if seen.load(Ordering::Acquire) != generation {
            self.renew(seen, generation, clear);
        }
    }

    #[cold]
    #[inline(never)]
    fn renew(&self, seen: &AtomicU32, generation: u32, clear: impl FnOnce()) {
        let _clearing = self.clearing.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.load(Ordering::Acquire) != generation {
            clear();
            // Release: a record or a reader that sees the generation sees
            // the cells cleared.
            seen.store(generation, Ordering::Release);
        }
    }

    /// Whether the cells of value `index` were cleared for `generation`
    /// (hold a value of that generation, or nothing).
    pub fn is(&self, index: usize, generation: u32) -> bool {
        self.seen
            .get(index)
            .is_some_and(|seen| seen.load(Ordering::Acquire) == generation)
    }

    /// The generations, for the reader.
    #[cfg(not(loom))]
    pub fn as_slice(&self) -> &[std::sync::atomic::AtomicU32] {
        &self.seen
    }
}

#[cfg(not(loom))]
impl<const VALUES: usize> Default for SeenGenerations<VALUES> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const VALUES: usize> core::fmt::Debug for SeenGenerations<VALUES> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SeenGenerations")
            .field("values", &VALUES)
            .finish_non_exhaustive()
    }
}

/// The series of a metric whose label of `cardinality` values, `stride`
/// series apart, has value `index`: what clearing that value clears. For
/// generated code.
#[doc(hidden)]
pub fn series_with(
    index: usize,
    cardinality: usize,
    stride: usize,
    series: usize,
) -> impl Iterator<Item = usize> {
    let block = cardinality * stride;
    let blocks = series.checked_div(block).unwrap_or(0);
    (0..blocks).flat_map(move |b| {
        let first = b * block + index * stride;
        first..first + stride
    })
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn the_series_of_a_value_are_found_across_the_other_labels() {
        // Labels (a: 2, retiring: 3, b: 2): stride 2, 12 series.
        let series: Vec<usize> = series_with(1, 3, 2, 12).collect();
        assert_eq!(series, [2, 3, 8, 9]);
        // The retiring label alone.
        assert_eq!(series_with(2, 3, 1, 3).collect::<Vec<_>>(), [2]);
    }

    #[test]
    fn cells_are_cleared_once_per_generation() {
        let seen = SeenGenerations::<3>::new();
        let mut cleared = 0;
        seen.ensure(1, 0, || cleared += 1);
        assert_eq!(cleared, 0, "generation 0 needs no clearing");
        seen.ensure(1, 1, || cleared += 1);
        seen.ensure(1, 1, || cleared += 1);
        assert_eq!(cleared, 1);
        assert_eq!(seen.as_slice()[1].load(Ordering::Relaxed), 1);
        seen.ensure(9, 1, || cleared += 1);
        assert_eq!(cleared, 1, "an index out of range clears nothing");
    }
}

/// The retire-and-reuse step on loom's atomics: a value's slot retired
/// and taken by a new value while a handle of the old value records, and
/// two records of the new value race to clear the metric's cells.
#[cfg(all(test, loom))]
mod loom_models {
    use super::*;
    use crate::cells::slot::SlotState;
    use loom::sync::atomic::AtomicU64;
    use loom::sync::Arc;
    use loom::thread;

    /// Value 0's slot, the metric's seen generations (value 0 and
    /// `other`, 1), and its two series' counters.
    struct Model {
        slot: SlotState,
        seen: SeenGenerations<2>,
        cells: [AtomicU64; 2],
    }

    impl Model {
        /// A record of `n` through a handle of value 0 at `generation`,
        /// as generated code does: into value 0's series if the slot
        /// still holds it, else into `other`'s.
        fn record(&self, generation: u32, n: u64) -> bool {
            let live = self.slot.enter(generation);
            if live {
                self.seen.ensure(0, generation, || {
                    self.cells[0].store(0, Ordering::Relaxed);
                });
                self.cells[0].fetch_add(n, Ordering::Relaxed);
            } else {
                self.cells[1].fetch_add(n, Ordering::Relaxed);
            }
            self.slot.leave();
            live
        }
    }

    #[test]
    fn loom_a_retired_value_s_slot_taken_by_a_new_value_gets_no_stale_record() {
        loom::model(|| {
            let model = Arc::new(Model {
                slot: SlotState::new(),
                seen: SeenGenerations::new(),
                cells: [AtomicU64::new(0), AtomicU64::new(0)],
            });
            // The old value recorded 1 before the sweep saw the slot.
            assert!(model.record(0, 1));
            let old = Arc::clone(&model);
            let old_handle = thread::spawn(move || old.record(0, 10));
            // The sweep: idle since it saw 1 entered. Retired, the new
            // value takes the slot at the next generation, and two of its
            // records race to clear the old value's cells.
            let retired = model.slot.retire(1);
            let new_records = retired.map(|generation| {
                let new = Arc::clone(&model);
                let other_new = thread::spawn(move || new.record(generation, 100));
                let here = model.record(generation, 1000);
                (here, other_new.join().unwrap())
            });
            let old_landed = old_handle.join().unwrap();
            let value = model.cells[0].load(Ordering::Relaxed);
            let other = model.cells[1].load(Ordering::Relaxed);
            match new_records {
                Some((here, there)) => {
                    // The new value's series holds its own records only;
                    // the old handle's record went to `other` or was
                    // cleared with the old value.
                    assert!(here && there);
                    assert_eq!(value, 1100);
                    assert_eq!(other, if old_landed { 0 } else { 10 });
                }
                None => {
                    // Not retired: the old record came first and landed.
                    assert!(old_landed);
                    assert_eq!((value, other), (11, 0));
                }
            }
        });
    }
}
