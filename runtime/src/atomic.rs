//! The lock-free steps that take more than one atomic instruction, written
//! once, generic over the atomic type, so that the runtime runs them on
//! `core` atomics and the `loom` models (`RUSTFLAGS="--cfg loom" cargo test
//! -p enumeter --lib loom`) check every interleaving of the same code.

use core::sync::atomic::Ordering;

/// The operations the steps need from a 64-bit atomic.
pub(crate) trait Atomic64 {
    fn load(&self, order: Ordering) -> u64;
    fn store(&self, value: u64, order: Ordering);
    fn compare_exchange_weak(
        &self,
        current: u64,
        new: u64,
        success: Ordering,
        failure: Ordering,
    ) -> Result<u64, u64>;
}

/// The operations the shard claims need from a 32-bit atomic.
pub(crate) trait Atomic32 {
    fn load(&self, order: Ordering) -> u32;
    fn compare_exchange_weak(
        &self,
        current: u32,
        new: u32,
        success: Ordering,
        failure: Ordering,
    ) -> Result<u32, u32>;
    fn fetch_and(&self, value: u32, order: Ordering) -> u32;
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
});
impl_atomic!(Atomic32 for core::sync::atomic::AtomicU32, u32,
#[inline] fn fetch_and(&self, value: u32, order: Ordering) -> u32 {
    core::sync::atomic::AtomicU32::fetch_and(self, value, order)
});
#[cfg(all(test, loom))]
impl_atomic!(Atomic64 for loom::sync::atomic::AtomicU64, u64,
fn store(&self, value: u64, order: Ordering) {
    loom::sync::atomic::AtomicU64::store(self, value, order)
});
#[cfg(all(test, loom))]
impl_atomic!(Atomic32 for loom::sync::atomic::AtomicU32, u32,
fn fetch_and(&self, value: u32, order: Ordering) -> u32 {
    loom::sync::atomic::AtomicU32::fetch_and(self, value, order)
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

/// Summary bucket counters: a period number in the top bits, a count below.
pub(crate) mod tagged {
    use super::*;

    pub(crate) const COUNT_BITS: u32 = 40;
    pub(crate) const COUNT_MASK: u64 = (1 << COUNT_BITS) - 1;
    pub(crate) const PERIOD_MASK: u64 = (1 << (64 - COUNT_BITS)) - 1;

    /// How many periods `period` is after `tag`, modulo the period bits.
    #[inline]
    pub(crate) fn age(period: u64, tag: u64) -> u64 {
        period.wrapping_sub(tag) & PERIOD_MASK
    }

    /// Counts one observation in `period` (already masked).
    ///
    /// The counter holds the same period: add one. An older period: start
    /// afresh at one. A newer period (another thread's clock read was more
    /// recent): add one to that period rather than move the counter back in
    /// time and lose what the newer period counted.
    #[inline]
    pub(crate) fn bump(counter: &impl Atomic64, period: u64) {
        let mut packed = counter.load(Ordering::Relaxed);
        loop {
            let tag = packed >> COUNT_BITS;
            let age = age(period, tag);
            let new = if age == 0 || age > PERIOD_MASK / 2 {
                // Saturate rather than carry into the period bits.
                let count = (packed & COUNT_MASK).saturating_add(1).min(COUNT_MASK);
                (tag << COUNT_BITS) | count
            } else {
                (period << COUNT_BITS) | 1
            };
            match counter.compare_exchange_weak(packed, new, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return,
                Err(now) => packed = now,
            }
        }
    }
}

/// Sharded counters' shard claims: bit `i` of a bitmap set while shard `i`
/// has an owner.
pub(crate) mod claims {
    use super::*;

    /// Claims the lowest free shard below `shards`, if any. Acquire: the
    /// claimant sees every store of the shard's previous owner.
    pub(crate) fn claim(bitmap: &impl Atomic32, shards: usize) -> Option<usize> {
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
    pub(crate) fn release(bitmap: &impl Atomic32, slot: usize) {
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
    use loom::sync::atomic::{AtomicU32, AtomicU64};
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
            let t = thread::spawn(move || tagged::bump(&*other, 7));
            tagged::bump(&*counter, 7);
            t.join().unwrap();
            let packed = counter.load(Ordering::Relaxed);
            assert_eq!(packed >> tagged::COUNT_BITS, 7);
            assert_eq!(packed & tagged::COUNT_MASK, 2);
        });
    }

    #[test]
    fn loom_a_stale_period_never_erases_a_newer_one() {
        loom::model(|| {
            // An old period's leftovers, then two threads at a boundary: one
            // still in period 7, one already in period 8.
            let counter = Arc::new(AtomicU64::new((3 << tagged::COUNT_BITS) | 5));
            let other = Arc::clone(&counter);
            let t = thread::spawn(move || tagged::bump(&*other, 7));
            tagged::bump(&*counter, 8);
            t.join().unwrap();
            let packed = counter.load(Ordering::Relaxed);
            let (tag, count) = (packed >> tagged::COUNT_BITS, packed & tagged::COUNT_MASK);
            // Period 8 wins; the period-7 sample is counted in 8 if it came
            // after, or reset by 8 if it came before (then it aged out with
            // its period, as it would have anyway).
            assert_eq!(tag, 8);
            assert!(count == 1 || count == 2, "{count}");
        });
    }

    #[test]
    fn loom_a_reclaimed_shard_continues_from_its_previous_owners_value() {
        loom::model(|| {
            let bitmap = Arc::new(AtomicU32::new(0));
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
