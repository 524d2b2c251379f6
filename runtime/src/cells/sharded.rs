//! Sharded counters, for series that many threads increment at once
//! (`#[counter(sharded)]`, or `#[counter(sharded = N)]` for `N` shards).
//!
//! A plain counter is one atomic, and the counters of one metric sit 8 bytes
//! apart: two threads that increment *different* series still fight over a
//! cache line when the series are neighbours, and throughput collapses as
//! threads are added. A sharded metric is stored shard-major: each shard is
//! a dense array of every series of the metric, on cache lines of its own,
//! and each thread writes its own shard. Different threads never write the
//! same line, whichever series they increment; a read sums a series over
//! the shards.
//!
//! The first threads that increment a sharded counter each claim a shard
//! index for life, process-wide (up to [`MAX_SHARDS`]); a metric with `N`
//! shards gives shard `i` to the thread that claimed index `i < N`. A thread
//! that owns its shard needs no locked read-modify-write at all: a relaxed
//! load and store is exact, because no other thread writes there. Threads
//! beyond `N` share one extra shard with an atomic add. A thread's claim is
//! released when it exits, and the next claimant continues from the value
//! it left (the release and the claim order the two threads' accesses).
//!
//! Memory: `(N + 1) × 8` bytes per series ([`DEFAULT_SHARDS`] = 16: 136
//! bytes), each shard rounded up to 128 bytes (x86 prefetches cache lines
//! in pairs).

use core::sync::atomic::{AtomicU64, Ordering};
use std::cell::Cell;

use crate::cells::atomic::claims;

/// Shards of a metric declared `#[counter(sharded)]`; the most shards a
/// metric may have (the threads that can own one).
pub use enumeter_common::sharded::{DEFAULT_SHARDS, MAX_SHARDS};

/// One shard: a value per series, alone on its cache lines.
#[derive(Debug)]
#[repr(align(128))]
struct Shard<const S: usize>([AtomicU64; S]);

/// The cells of a sharded counter metric with `S` series: `R − 1` owned
/// shards and a shared one, each a dense array of the `S` series; see the
/// [module](self).
///
/// ```
/// use enumeter::{metrics, LabelValue};
///
/// #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
/// pub enum Route { Index, Search }
///
/// /// Frontend.
/// #[metrics(namespace = "web")]
/// pub enum Web {
///     /// Requests by route, from every worker thread: 4 shards, so
///     /// 8 × (4 + 1) = 40 bytes per series.
///     #[counter(sharded = 4)]
///     RequestsTotal { route: Route },
/// }
///
/// let web = WebMetrics::new();
/// std::thread::scope(|s| {
///     for route in [Route::Index, Route::Search, Route::Search] {
///         let web = &web;
///         s.spawn(move || web.requests_total(route).add(1000));
///     }
/// });
/// assert_eq!(web.requests_total(Route::Search).get(), 2000);
/// ```
#[derive(Debug)]
pub struct ShardedCounters<const S: usize, const R: usize> {
    shards: [Shard<S>; R],
}

impl<const S: usize, const R: usize> Default for ShardedCounters<S, R> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const S: usize, const R: usize> ShardedCounters<S, R> {
    /// Every series at zero.
    pub const fn new() -> Self {
        Self {
            shards: [const { Shard([const { AtomicU64::new(0) }; S]) }; R],
        }
    }

    /// Adds `n` to series `index` in the current thread's shard.
    #[inline]
    fn add(&self, index: usize, n: u64) {
        // One test for the common case: a thread that owns one of this
        // metric's shards (an unassigned slot reads as past them all).
        let slot = slot::get();
        if slot < R - 1 {
            if let Some(owned) = self.shards[slot].0.get(index) {
                // Only this thread writes its own shard: no locked add.
                claims::owned_add(owned, n);
            }
        } else {
            self.add_elsewhere(index, n);
        }
    }

    /// A thread without one of this metric's shards, or without a slot yet.
    #[cold]
    #[inline(never)]
    fn add_elsewhere(&self, index: usize, n: u64) {
        let slot = slot::current();
        let shard = &self.shards[slot.min(R - 1)];
        if let Some(cell) = shard.0.get(index) {
            if slot < R - 1 {
                claims::owned_add(cell, n);
            } else {
                cell.fetch_add(n, Ordering::Relaxed);
            }
        }
    }

    /// Series `index`'s count: the sum over the shards.
    pub fn get(&self, index: usize) -> u64 {
        self.shards.iter().fold(0u64, |sum, shard| {
            let value = shard.0.get(index).map_or(0, |c| c.load(Ordering::Relaxed));
            sum.wrapping_add(value)
        })
    }

    /// Adds `other`'s counts, series by series, into this one.
    pub(crate) fn merge(&self, other: &Self) {
        for index in 0..S {
            self.add(index, other.get(index));
        }
    }
}

/// The series of one sharded counter metric, type-erased for readers.
pub trait ShardedSeries: Sync {
    /// How many series there are.
    fn len(&self) -> usize;
    /// Whether there are no series.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Series `index`'s count (0 out of range).
    fn get(&self, index: usize) -> u64;
}

impl<const S: usize, const R: usize> ShardedSeries for ShardedCounters<S, R> {
    fn len(&self) -> usize {
        S
    }

    fn get(&self, index: usize) -> u64 {
        ShardedCounters::get(self, index)
    }
}

/// The handle a sharded counter's recording function returns: one series
/// of a [`ShardedCounters`].
#[derive(Clone, Copy, Debug)]
pub struct ShardedCounterRef<'a, const S: usize, const R: usize> {
    cells: &'a ShardedCounters<S, R>,
    index: usize,
}

impl<'a, const S: usize, const R: usize> ShardedCounterRef<'a, S, R> {
    /// Series `index` of `cells`; generated code calls this with an index
    /// below `S`.
    #[inline]
    pub(crate) const fn new(cells: &'a ShardedCounters<S, R>, index: usize) -> Self {
        Self { cells, index }
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.cells.add(self.index, 1);
    }

    /// Adds `n`.
    #[inline]
    pub fn add(&self, n: u64) {
        self.cells.add(self.index, n);
    }

    /// The current count: the sum of the shards.
    pub fn get(&self) -> u64 {
        self.cells.get(self.index)
    }
}

/// Which shard the current thread writes.
mod slot {
    use super::*;

    const UNASSIGNED: usize = usize::MAX;
    /// A thread without a shard of its own: past every metric's shards.
    const SHARED: usize = MAX_SHARDS;

    /// Bit `i` set: shard index `i` is owned by a live thread.
    static CLAIMED: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(0);

    thread_local! {
        // Const-initialised and without a destructor, so reading it is a
        // plain thread-local load and works during thread teardown too.
        static SLOT: Cell<usize> = const { Cell::new(UNASSIGNED) };
        // Created only by threads that claimed a shard; releases it on exit.
        static CLAIM: Claim = const { Claim(Cell::new(None)) };
    }

    /// The thread's slot, `UNASSIGNED` (above every shard) if it has none
    /// yet.
    #[inline]
    pub(super) fn get() -> usize {
        SLOT.with(Cell::get)
    }

    /// The thread's slot, claiming one first if it has none.
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
        let slot = claims::claim(&CLAIMED, MAX_SHARDS).unwrap_or(SHARED);
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
        // 4 owned shards and the shared one; 3 series.
        let counters = ShardedCounters::<3, 5>::new();
        // Three waves of 24 threads: more than the shards at once, and
        // indices reclaimed by later threads after earlier ones exit.
        for _ in 0..3 {
            std::thread::scope(|s| {
                for t in 0..24 {
                    let counters = &counters;
                    s.spawn(move || {
                        let series = ShardedCounterRef::new(counters, t % 3);
                        for _ in 0..10_000 {
                            series.inc();
                        }
                        series.add(5);
                    });
                }
            });
        }
        for index in 0..3 {
            assert_eq!(counters.get(index), 3 * 8 * 10_005);
        }
    }

    #[test]
    fn each_shard_holds_every_series_on_lines_of_its_own() {
        // 16 series of 8 bytes: one 128-byte pair of lines per shard.
        assert_eq!(core::mem::size_of::<ShardedCounters<16, 17>>(), 17 * 128);
        // 100 series: 800 bytes, rounded up to 896 per shard.
        assert_eq!(core::mem::size_of::<ShardedCounters<100, 9>>(), 9 * 896);
        assert_eq!(core::mem::align_of::<ShardedCounters<1, 2>>(), 128);
    }
}
