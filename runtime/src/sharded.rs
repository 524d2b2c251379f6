//! Sharded counters, for series that many threads increment at once
//! (`#[counter(sharded)]`).
//!
//! A plain counter is one atomic: under contention every increment moves its
//! cache line between cores, and throughput collapses as threads are added.
//! A sharded counter gives each thread a shard on a cache line of its own and
//! sums the shards when read.
//!
//! The first [`SHARDS`] threads that increment any sharded counter each claim
//! a shard index for life; a thread that owns its shard needs no locked
//! read-modify-write at all: a relaxed load and store is exact, because no
//! other thread writes there. Threads beyond that share one extra shard with
//! an atomic add. A thread's claim is released when it exits, and the next
//! claimant continues from the value it left (the release and the claim
//! order the two threads' accesses).
//!
//! Memory: `(SHARDS + 1) × 128` bytes = 2,176 bytes per series (128-byte
//! shards, because x86 prefetches cache lines in pairs).

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::cell::Cell;

use crate::atomic::claims;

/// Threads that get a shard of their own.
pub const SHARDS: usize = 16;

/// One shard, alone on its (pair of) cache lines.
#[derive(Debug, Default)]
#[repr(align(128))]
struct Shard(AtomicU64);

/// A counter split into per-thread shards; see the [module](self).
#[derive(Debug)]
pub struct ShardedCounter {
    /// `SHARDS` owned shards, then the shared one.
    shards: [Shard; SHARDS + 1],
}

impl Default for ShardedCounter {
    fn default() -> Self {
        Self::new()
    }
}

impl ShardedCounter {
    /// A counter at zero.
    pub const fn new() -> Self {
        Self {
            shards: [const { Shard(AtomicU64::new(0)) }; SHARDS + 1],
        }
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.add(1);
    }

    /// Adds `n`.
    #[inline]
    pub fn add(&self, n: u64) {
        let slot = slot::current();
        match self.shards[..SHARDS].get(slot) {
            // Only this thread writes its own shard: no locked instruction.
            Some(owned) => claims::owned_add(&owned.0, n),
            None => {
                self.shards[SHARDS].0.fetch_add(n, Ordering::Relaxed);
            }
        }
    }

    /// The current count: the sum of the shards.
    pub fn get(&self) -> u64 {
        self.shards
            .iter()
            .fold(0u64, |sum, s| sum.wrapping_add(s.0.load(Ordering::Relaxed)))
    }
}

/// Which shard the current thread writes.
mod slot {
    use super::*;

    const UNASSIGNED: usize = usize::MAX;
    /// The shared shard's index.
    const SHARED: usize = SHARDS;

    /// Bit `i` set: shard `i` is owned by a live thread.
    static CLAIMED: AtomicU32 = AtomicU32::new(0);

    thread_local! {
        // Const-initialised and without a destructor, so reading it is a
        // plain thread-local load and works during thread teardown too.
        static SLOT: Cell<usize> = const { Cell::new(UNASSIGNED) };
        // Created only by threads that claimed a shard; releases it on exit.
        static CLAIM: Claim = const { Claim(Cell::new(None)) };
    }

    #[inline]
    pub(super) fn current() -> usize {
        let slot = SLOT.with(Cell::get);
        if slot == UNASSIGNED {
            assign()
        } else {
            slot
        }
    }

    #[cold]
    #[inline(never)]
    fn assign() -> usize {
        let slot = claims::claim(&CLAIMED, SHARDS).unwrap_or(SHARED);
        if slot != SHARED {
            // If the destructor cannot be registered (thread teardown), give
            // the shard back and share instead.
            let registered = CLAIM.try_with(|claim| claim.0.set(Some(slot))).is_ok();
            if !registered {
                claims::release(&CLAIMED, slot);
                SLOT.with(|s| s.set(SHARED));
                return SHARED;
            }
        }
        SLOT.with(|s| s.set(slot));
        slot
    }

    /// Releases the thread's shard when the thread exits.
    struct Claim(Cell<Option<usize>>);

    impl Drop for Claim {
        fn drop(&mut self) {
            if let Some(slot) = self.0.get() {
                // Anything recorded later in this thread's teardown goes to
                // the shared shard, never to a shard another thread may own.
                SLOT.with(|s| s.set(SHARED));
                claims::release(&CLAIMED, slot);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn increments_from_more_threads_than_shards_are_all_counted() {
        let counter = ShardedCounter::new();
        // Three waves of 24 threads: more than SHARDS at once, and shards
        // reclaimed by later threads after earlier ones exit.
        for _ in 0..3 {
            std::thread::scope(|s| {
                for _ in 0..24 {
                    s.spawn(|| {
                        for _ in 0..10_000 {
                            counter.inc();
                        }
                        counter.add(5);
                    });
                }
            });
        }
        assert_eq!(counter.get(), 3 * 24 * 10_005);
    }

    #[test]
    fn a_shard_is_one_pair_of_cache_lines() {
        assert_eq!(core::mem::size_of::<Shard>(), 128);
        assert_eq!(core::mem::size_of::<ShardedCounter>(), (SHARDS + 1) * 128);
    }
}
