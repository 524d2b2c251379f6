//! The state of one slot whose holder retires: a series of a facade family
//! whose series retire, or a value of a runtime label declared with an idle
//! time. It says which holder has the slot (its generation), and how many
//! records entered and left it, so that a holder is retired only when no
//! record is on its way into its cells, and a handle made for an earlier
//! holder of the slot never records into a later one's.
//!
//! One word holds the generation (low 32 bits) and the records that
//! entered since the generation began (high 32 bits, wrapping out of the
//! top without touching the generation). A record adds one to the entered
//! count and reads the generation in the same instruction, records only if
//! it is its handle's, then counts itself in `left`. Retiring compares and
//! swaps the whole word from what the sweep saw to the next generation with
//! none entered, after seeing as many records left as entered: a record
//! that entered in between makes the swap fail, and one that enters after
//! it reads the new generation and records nothing. What this costs a
//! record: two atomic additions (the word and `left`) beside the cell's
//! own operation.

#[cfg(loom)]
use loom::sync::atomic::{AtomicU32, AtomicU64, Ordering};
#[cfg(not(loom))]
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

/// One entered record, in the word.
const ENTERED: u64 = 1 << 32;

/// A slot's generation and record counts.
#[derive(Debug)]
pub(crate) struct SlotState {
    /// Records entered (high 32 bits), generation (low 32 bits).
    word: AtomicU64,
    /// Records that left, wrapping; compared with the entered count.
    left: AtomicU32,
}

impl SlotState {
    /// A slot at generation 0, no record seen.
    #[cfg(not(loom))]
    pub(crate) const fn new() -> Self {
        Self {
            word: AtomicU64::new(0),
            left: AtomicU32::new(0),
        }
    }

    /// A slot at generation 0, no record seen (loom's atomics are not
    /// built in constants).
    #[cfg(loom)]
    pub(crate) fn new() -> Self {
        Self {
            word: AtomicU64::new(0),
            left: AtomicU32::new(0),
        }
    }

    /// The generation of the series the slot holds (or will hold next).
    pub(crate) fn generation(&self) -> u32 {
        self.word.load(Ordering::Acquire) as u32
    }

    /// The records that entered in this generation, wrapping: what the
    /// sweep compares from one sweep to the next.
    pub(crate) fn entered(&self) -> u32 {
        (self.word.load(Ordering::Acquire) >> 32) as u32
    }

    /// Runs `record` if the slot still holds the series of `generation`;
    /// `false`, with nothing run, if that series was retired.
    #[inline]
    #[cfg_attr(not(any(feature = "metrics-facade", loom)), allow(dead_code))]
    pub(crate) fn record(&self, generation: u32, record: impl FnOnce()) -> bool {
        let live = self.enter(generation);
        if live {
            record();
        }
        self.leave();
        live
    }

    /// Counts a record in, whether or not the slot holds the series of
    /// `generation` (returned): the caller records only if so, then calls
    /// [`leave`](Self::leave) in both cases, exactly once.
    #[inline]
    pub(crate) fn enter(&self, generation: u32) -> bool {
        let word = self.word.fetch_add(ENTERED, Ordering::Acquire);
        word as u32 == generation
    }

    /// Counts a record out, after its cell operation.
    #[inline]
    pub(crate) fn leave(&self) {
        // Release: a sweep that sees this record left sees its cell
        // operation done.
        self.left.fetch_add(1, Ordering::Release);
    }

    /// Retires the slot's series if `entered` records are still all that
    /// entered it in this generation and all of them have left: the next
    /// generation, after which nothing records into the slot's cells until
    /// a series of that generation is made there. `None` when a record
    /// came since, or is on its way.
    pub(crate) fn retire(&self, entered: u32) -> Option<u32> {
        let word = self.word.load(Ordering::Acquire);
        if (word >> 32) as u32 != entered || self.left.load(Ordering::Acquire) != entered {
            return None;
        }
        let next = (word as u32).wrapping_add(1);
        self.word
            .compare_exchange(word, u64::from(next), Ordering::AcqRel, Ordering::Relaxed)
            .ok()?;
        // The records of the retired generation, all left, leave the count;
        // a stale record entering since counts in the new one, and in both.
        self.left.fetch_sub(entered, Ordering::Relaxed);
        Some(next)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_record_of_the_current_generation_runs_and_a_stale_one_does_not() {
        let slot = SlotState::new();
        let mut ran = 0;
        assert!(slot.record(0, || ran += 1));
        assert_eq!(slot.entered(), 1);
        // One record seen, all left: retired into generation 1.
        assert_eq!(slot.retire(1), Some(1));
        assert_eq!((slot.generation(), slot.entered()), (1, 0));
        assert!(!slot.record(0, || ran += 1));
        assert_eq!(ran, 1);
        // The stale record counted in the new generation: the sweep sees
        // it as activity, and it left.
        assert_eq!(slot.retire(0), None);
        assert_eq!(slot.retire(1), Some(2));
    }

    #[test]
    fn a_slot_is_not_retired_while_a_record_is_on_its_way() {
        let slot = SlotState::new();
        slot.record(0, || {
            // Inside the record: entered 1, left 0.
            assert_eq!(slot.retire(1), None);
        });
        assert_eq!(slot.retire(1), Some(1));
    }

    #[test]
    fn the_entered_count_wraps_without_touching_the_generation() {
        let slot = SlotState::new();
        slot.word.store(u64::MAX << 32 | 7, Ordering::Relaxed);
        slot.left.store(u32::MAX, Ordering::Relaxed);
        assert!(slot.record(7, || {}));
        assert_eq!((slot.generation(), slot.entered()), (7, 0));
        assert_eq!(slot.retire(0), Some(8));
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::Arc;
    use loom::thread;

    /// A slot with a counter cell, retired and taken by a new series while
    /// a handle of the old one records: the old handle's increment either
    /// lands before the retirement (and is in what the retirement cleared)
    /// or records nothing (and goes to its key's new series); the new
    /// series holds only its own increments.
    #[test]
    fn loom_a_retired_slot_taken_by_another_series_gets_no_stale_record() {
        loom::model(|| {
            let slot = Arc::new(SlotState::new());
            let cell = Arc::new(AtomicU64::new(0));
            // The old series recorded once before the sweep saw it.
            assert!(slot.record(0, || {
                cell.fetch_add(1, Ordering::Relaxed);
            }));
            let (s, c) = (Arc::clone(&slot), Arc::clone(&cell));
            let old_handle = thread::spawn(move || {
                s.record(0, || {
                    c.fetch_add(10, Ordering::Relaxed);
                })
            });
            // The sweep: idle since it saw 1 entered; then the new series
            // of the next generation records 100.
            let retired = match slot.retire(1) {
                Some(generation) => {
                    let cleared = cell.swap(0, Ordering::Relaxed);
                    assert!(slot.record(generation, || {
                        cell.fetch_add(100, Ordering::Relaxed);
                    }));
                    Some(cleared)
                }
                None => None,
            };
            let old_landed = old_handle.join().unwrap();
            let now = cell.load(Ordering::Relaxed);
            match retired {
                // Retired: the old record landed before (cleared with the
                // old series) or not at all; the new series holds 100.
                Some(cleared) => {
                    assert_eq!(now, 100);
                    assert_eq!(cleared, if old_landed { 11 } else { 1 });
                }
                // Not retired: the old record came first and landed.
                None => {
                    assert!(old_landed);
                    assert_eq!(now, 11);
                }
            }
        });
    }

    /// Two handles of the same series and a sweep: a record that entered
    /// is never on its way when the sweep succeeds.
    #[test]
    fn loom_a_sweep_never_retires_a_slot_under_a_record() {
        loom::model(|| {
            let slot = Arc::new(SlotState::new());
            let cell = Arc::new(AtomicU64::new(0));
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    let (s, c) = (Arc::clone(&slot), Arc::clone(&cell));
                    thread::spawn(move || {
                        s.record(0, || {
                            c.fetch_add(1, Ordering::Relaxed);
                        })
                    })
                })
                .collect();
            let seen = slot.entered();
            let cleared = slot.retire(seen).map(|_| cell.swap(0, Ordering::Relaxed));
            let landed = handles
                .into_iter()
                .map(|h| u64::from(h.join().unwrap()))
                .sum::<u64>();
            let after = cell.load(Ordering::Relaxed);
            // Every landed increment is either cleared with the retired
            // series or still there: none lands after the clearing.
            assert_eq!(cleared.unwrap_or(0) + after, landed);
            if cleared.is_some() {
                assert_eq!(after, 0);
            }
        });
    }
}
