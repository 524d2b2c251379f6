//! The lock-free steps that take more than one atomic instruction, written
//! once, generic over the atomic type, so that the runtime runs them on
//! `core` atomics and the `loom` models (`RUSTFLAGS="--cfg loom" cargo test
//! -p enumeter --lib loom`) check every interleaving of the same code.

use core::sync::atomic::Ordering;

/// The operations the steps need from a 64-bit atomic.
pub(crate) trait Atomic64 {
    fn load(&self, order: Ordering) -> u64;
    fn fetch_add(&self, value: u64, order: Ordering) -> u64;
    fn fetch_and(&self, value: u64, order: Ordering) -> u64;
    fn store(&self, value: u64, order: Ordering);
    fn compare_exchange_weak(
        &self,
        current: u64,
        new: u64,
        success: Ordering,
        failure: Ordering,
    ) -> Result<u64, u64>;
}

macro_rules! impl_atomic {
    ($trait:ident for $atomic:ty, $int:ty $(, $extra:item)*) => {
        impl $trait for $atomic {
            #[inline]
            fn load(&self, order: Ordering) -> $int {
                <$atomic>::load(self, order)
            }
            #[inline]
            fn compare_exchange_weak(
                &self,
                current: $int,
                new: $int,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$int, $int> {
                <$atomic>::compare_exchange_weak(self, current, new, success, failure)
            }
            $($extra)*
        }
    };
}

impl_atomic!(Atomic64 for core::sync::atomic::AtomicU64, u64,
#[inline] fn store(&self, value: u64, order: Ordering) {
    core::sync::atomic::AtomicU64::store(self, value, order)
},
#[inline] fn fetch_add(&self, value: u64, order: Ordering) -> u64 {
    core::sync::atomic::AtomicU64::fetch_add(self, value, order)
},
#[inline] fn fetch_and(&self, value: u64, order: Ordering) -> u64 {
    core::sync::atomic::AtomicU64::fetch_and(self, value, order)
});
#[cfg(all(test, loom))]
impl_atomic!(Atomic64 for loom::sync::atomic::AtomicU64, u64,
fn store(&self, value: u64, order: Ordering) {
    loom::sync::atomic::AtomicU64::store(self, value, order)
},
fn fetch_add(&self, value: u64, order: Ordering) -> u64 {
    loom::sync::atomic::AtomicU64::fetch_add(self, value, order)
},
fn fetch_and(&self, value: u64, order: Ordering) -> u64 {
    loom::sync::atomic::AtomicU64::fetch_and(self, value, order)
});

/// Adds `value` to the `f64` whose bits `cell` holds. A compare-and-swap
/// loop: an addition that raced with another is retried, never lost.
#[inline]
pub(crate) fn add_f64(cell: &impl Atomic64, value: f64) {
    let mut current = cell.load(Ordering::Relaxed);
    loop {
        let new = (f64::from_bits(current) + value).to_bits();
        match cell.compare_exchange_weak(current, new, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => return,
            Err(now) => current = now,
        }
    }
}

/// Adds `value` (finite) to the finite `f64` sum whose bits `cell` holds,
/// unless the sum would overflow to an infinity: then nothing changes and
/// the result is `false`. A sum kept this way stays finite for good, so
/// that one huge observation cannot turn `_sum` into `+Inf` forever.
#[inline]
pub(crate) fn add_f64_finite(cell: &impl Atomic64, value: f64) -> bool {
    let mut current = cell.load(Ordering::Relaxed);
    loop {
        let sum = f64::from_bits(current) + value;
        if !sum.is_finite() {
            return false;
        }
        match cell.compare_exchange_weak(
            current,
            sum.to_bits(),
            Ordering::Relaxed,
            Ordering::Relaxed,
        ) {
            Ok(_) => return true,
            Err(now) => current = now,
        }
    }
}

/// Summary bucket counters: a sub-window period number in the top bits, a
/// count below.
///
/// How many bits each part gets depends on the period's length
/// ([`Tagging::for_period`]): enough period bits that no counter can be
/// mistaken for a current one, or for a newer one, within
/// [`Tagging::HORIZON_MS`] of uptime, and every other bit for the count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tagging {
    count_bits: u32,
}

impl Tagging {
    /// How long, in ms, the tags stay unambiguous: 100 years.
    pub(crate) const HORIZON_MS: u64 = 36_525 * 24 * 3_600 * 1_000;

    /// The split for periods of `period_ms` (at least 1): the fewest period
    /// bits `t` such that `2^(t-1)` periods (the largest age that still
    /// reads as the past rather than the future) cover [`Self::HORIZON_MS`].
    /// From 43 period bits (1 ms periods) down; the count keeps at least 21
    /// bits, which at that period length saturates at 2 × 10⁹ observations a
    /// second into one bucket, beyond what one cache line can take.
    pub(crate) const fn for_period(period_ms: u64) -> Self {
        let period_ms = if period_ms == 0 { 1 } else { period_ms };
        let periods = Self::HORIZON_MS.div_ceil(period_ms);
        // 2^(t-1) >= periods.
        let t = 1 + (u64::BITS - (periods - 1).leading_zeros());
        Self {
            count_bits: u64::BITS - t,
        }
    }

    /// The split with `count_bits` bits of count (kept within 1 to 63).
    pub(crate) const fn with_count_bits(count_bits: u32) -> Self {
        let count_bits = if count_bits < 1 {
            1
        } else if count_bits > 63 {
            63
        } else {
            count_bits
        };
        Self { count_bits }
    }

    /// Bits of the count.
    pub(crate) const fn count_bits(self) -> u32 {
        self.count_bits
    }

    /// The largest count.
    pub(crate) const fn count_mask(self) -> u64 {
        (1 << self.count_bits) - 1
    }

    /// The mask of a period number in the tag.
    pub(crate) const fn period_mask(self) -> u64 {
        u64::MAX >> self.count_bits
    }

    /// The count in `packed`.
    #[inline]
    pub(crate) const fn count(self, packed: u64) -> u64 {
        packed & self.count_mask()
    }

    /// The period tag in `packed`.
    #[inline]
    pub(crate) const fn tag(self, packed: u64) -> u64 {
        packed >> self.count_bits
    }

    /// `count` in (the masked) `period`.
    #[inline]
    pub(crate) const fn pack(self, period: u64, count: u64) -> u64 {
        ((period & self.period_mask()) << self.count_bits) | count
    }

    /// How many periods `period` is after `tag`, modulo the period bits.
    #[inline]
    pub(crate) const fn age(self, period: u64, tag: u64) -> u64 {
        period.wrapping_sub(tag) & self.period_mask()
    }

    /// Whether `tag` is a period after `period` (another thread's clock read
    /// was more recent), rather than one before it.
    #[inline]
    const fn is_future(self, period: u64, tag: u64) -> bool {
        self.age(period, tag) > self.period_mask() / 2
    }

    /// The count `packed` holds for the window of `window` periods ending
    /// in `period`: its count if its tag lies in that window, else 0.
    #[inline]
    pub(crate) const fn count_within(self, packed: u64, period: u64, window: u64) -> u64 {
        if self.age(period, self.tag(packed)) < window {
            self.count(packed)
        } else {
            0
        }
    }

    /// Counts one observation in `period`.
    ///
    /// The counter holds the same period: add one. An older period, or no
    /// count at all: start afresh at one. A newer period (another thread's
    /// clock read was more recent): add one to that period rather than move
    /// the counter back in time and lose what the newer period counted.
    #[inline]
    pub(crate) fn bump(self, counter: &impl Atomic64, period: u64) {
        let period = period & self.period_mask();
        let mut packed = counter.load(Ordering::Relaxed);
        // The common case: the counter already counts this period, far from
        // full. One locked add, no loop: if another thread moves the counter
        // to a newer period meanwhile, the add lands there, as the rule
        // below would have it; a count under half the range cannot carry
        // into the tag, whatever the adds racing with this one.
        // (One comparison: the counter minus `period` with no count is a
        // count from 1 to half the range exactly when the tags match.)
        let count_if_same = packed.wrapping_sub(self.pack(period, 0));
        if count_if_same.wrapping_sub(1) < self.count_mask() / 2 {
            counter.fetch_add(1, Ordering::Relaxed);
            return;
        }
        loop {
            let tag = self.tag(packed);
            // An empty counter has no period of its own to keep.
            let current = self.count(packed) > 0;
            let new = if current && (tag == period || self.is_future(period, tag)) {
                self.saturating_add(packed, 1)
            } else {
                self.pack(period, 1)
            };
            match counter.compare_exchange_weak(packed, new, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return,
                Err(now) => packed = now,
            }
        }
    }

    /// Adds the packed count `theirs` (another instance's counter of the
    /// same sub-window) into `counter`: the same period, the counts add up;
    /// theirs newer, it replaces ours; ours newer, theirs is at least a
    /// whole window older and has aged out.
    pub(crate) fn merge(self, counter: &impl Atomic64, theirs: u64) {
        let their_tag = self.tag(theirs);
        if self.count(theirs) == 0 {
            return;
        }
        let mut packed = counter.load(Ordering::Relaxed);
        loop {
            let tag = self.tag(packed);
            let new = if self.count(packed) == 0 {
                theirs
            } else if tag == their_tag {
                self.saturating_add(packed, self.count(theirs))
            } else if self.is_future(their_tag, tag) {
                return;
            } else {
                theirs
            };
            match counter.compare_exchange_weak(packed, new, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return,
                Err(now) => packed = now,
            }
        }
    }

    /// `packed` with `n` more in its count, saturating rather than carrying
    /// into the period bits.
    #[inline]
    const fn saturating_add(self, packed: u64, n: u64) -> u64 {
        let count = self.count(packed).saturating_add(n);
        let count = if count > self.count_mask() {
            self.count_mask()
        } else {
            count
        };
        (packed & !self.count_mask()) | count
    }
}

/// Sharded counters' shard claims: bit `i` of a bitmap set while shard `i`
/// has an owner.
pub(crate) mod claims {
    use super::*;

    /// Claims the lowest free shard below `shards`, if any. Acquire: the
    /// claimant sees every store of the shard's previous owner.
    pub(crate) fn claim(bitmap: &impl Atomic64, shards: usize) -> Option<usize> {
        let mut claimed = bitmap.load(Ordering::Relaxed);
        loop {
            let free = (!claimed).trailing_zeros() as usize;
            if free >= shards {
                return None;
            }
            match bitmap.compare_exchange_weak(
                claimed,
                claimed | (1 << free),
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(free),
                Err(now) => claimed = now,
            }
        }
    }

    /// Gives shard `slot` back. Release: the next owner sees this owner's
    /// last store.
    pub(crate) fn release(bitmap: &impl Atomic64, slot: usize) {
        bitmap.fetch_and(!(1 << slot), Ordering::Release);
    }

    /// Adds `n` to a shard only its owner writes: a load and a store, no
    /// locked instruction.
    #[inline]
    pub(crate) fn owned_add(shard: &impl Atomic64, n: u64) {
        shard.store(
            shard.load(Ordering::Relaxed).wrapping_add(n),
            Ordering::Relaxed,
        );
    }
}

#[cfg(all(test, loom))]
mod loom_models {
    use super::*;
    use loom::sync::atomic::AtomicU64;
    use loom::sync::Arc;
    use loom::thread;

    #[test]
    fn loom_concurrent_float_additions_are_never_lost() {
        loom::model(|| {
            let cell = Arc::new(AtomicU64::new(0f64.to_bits()));
            let other = Arc::clone(&cell);
            let t = thread::spawn(move || add_f64(&*other, 1.5));
            add_f64(&*cell, 2.25);
            t.join().unwrap();
            assert_eq!(f64::from_bits(cell.load(Ordering::Relaxed)), 3.75);
        });
    }

    #[test]
    fn loom_tagged_counts_in_one_period_add_up() {
        loom::model(|| {
            let counter = Arc::new(AtomicU64::new(0));
            let other = Arc::clone(&counter);
            let tagging = Tagging::for_period(1_000);
            let t = thread::spawn(move || tagging.bump(&*other, 7));
            tagging.bump(&*counter, 7);
            t.join().unwrap();
            let packed = counter.load(Ordering::Relaxed);
            assert_eq!(tagging.tag(packed), 7);
            assert_eq!(tagging.count(packed), 2);
        });
    }

    #[test]
    fn loom_a_stale_period_never_erases_a_newer_one() {
        loom::model(|| {
            // An old period's leftovers, then two threads at a boundary: one
            // still in period 7, one already in period 8.
            let tagging = Tagging::for_period(1_000);
            let counter = Arc::new(AtomicU64::new(tagging.pack(3, 5)));
            let other = Arc::clone(&counter);
            let t = thread::spawn(move || tagging.bump(&*other, 7));
            tagging.bump(&*counter, 8);
            t.join().unwrap();
            let packed = counter.load(Ordering::Relaxed);
            let (tag, count) = (tagging.tag(packed), tagging.count(packed));
            // Period 8 wins; the period-7 sample is counted in 8 if it came
            // after, or reset by 8 if it came before (then it aged out with
            // its period, as it would have anyway).
            assert_eq!(tag, 8);
            assert!(count == 1 || count == 2, "{count}");
        });
    }

    #[test]
    fn loom_a_quick_add_racing_a_newer_period_counts_in_the_newer_one() {
        loom::model(|| {
            // Period 7 counts 3; one thread adds to 7 (the quick path),
            // another, already in period 12 of the same sub-window, restarts
            // the counter.
            let tagging = Tagging::for_period(1_000);
            let counter = Arc::new(AtomicU64::new(tagging.pack(7, 3)));
            let other = Arc::clone(&counter);
            let t = thread::spawn(move || tagging.bump(&*other, 12));
            tagging.bump(&*counter, 7);
            t.join().unwrap();
            let packed = counter.load(Ordering::Relaxed);
            // Period 12 holds its own sample, and the period-7 one if that
            // came second; never period 7's old count.
            assert_eq!(tagging.tag(packed), 12);
            assert!(
                matches!(tagging.count(packed), 1 | 2),
                "{}",
                tagging.count(packed)
            );
        });
    }

    #[test]
    fn loom_a_merge_and_a_bump_of_one_period_both_count() {
        loom::model(|| {
            let tagging = Tagging::for_period(1_000);
            let counter = Arc::new(AtomicU64::new(tagging.pack(7, 2)));
            let other = Arc::clone(&counter);
            let t = thread::spawn(move || tagging.merge(&*other, tagging.pack(7, 3)));
            tagging.bump(&*counter, 7);
            t.join().unwrap();
            let packed = counter.load(Ordering::Relaxed);
            assert_eq!((tagging.tag(packed), tagging.count(packed)), (7, 6));
        });
    }

    #[test]
    fn loom_a_reclaimed_shard_continues_from_its_previous_owners_value() {
        loom::model(|| {
            let bitmap = Arc::new(AtomicU64::new(0));
            let shards = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
            let spawn = || {
                let (bitmap, shards) = (Arc::clone(&bitmap), Arc::clone(&shards));
                thread::spawn(move || {
                    if let Some(slot) = claims::claim(&*bitmap, 1) {
                        claims::owned_add(&shards[slot], 1);
                        claims::release(&*bitmap, slot);
                    } else {
                        // No shard free: the shared one, with a locked add.
                        shards[1].fetch_add(1, Ordering::Relaxed);
                    }
                })
            };
            let (a, b) = (spawn(), spawn());
            a.join().unwrap();
            b.join().unwrap();
            let total = shards[0].load(Ordering::Relaxed) + shards[1].load(Ordering::Relaxed);
            assert_eq!(total, 2);
        });
    }
}
