//! What the sampler and the sender share: the bounded queue of requests
//! (the oldest gives way), the shutdown's flush deadline, and the counts
//! behind [`PushStats`](super::PushStats).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use super::{PushDrop, PushStats, SelfCounters};
use crate::push::periodic::Periodic;

pub(super) struct AtomicStats {
    pub(super) samplings: AtomicU64,
    pub(super) samples_queued: AtomicU64,
    pub(super) samples_sent: AtomicU64,
    pub(super) requests_sent: AtomicU64,
    pub(super) retries: AtomicU64,
    pub(super) dropped_queue_full: AtomicU64,
    pub(super) dropped_rejected: AtomicU64,
    pub(super) dropped_shutdown: AtomicU64,
    /// The protocol's self-metrics, counted with these.
    pub(super) counters: &'static SelfCounters,
}

impl AtomicStats {
    fn new(counters: &'static SelfCounters) -> Self {
        let zero = || AtomicU64::new(0);
        Self {
            samplings: zero(),
            samples_queued: zero(),
            samples_sent: zero(),
            requests_sent: zero(),
            retries: zero(),
            dropped_queue_full: zero(),
            dropped_rejected: zero(),
            dropped_shutdown: zero(),
            counters,
        }
    }

    pub(super) fn read(&self) -> PushStats {
        let get = |a: &AtomicU64| a.load(Ordering::SeqCst);
        PushStats {
            samplings: get(&self.samplings),
            samples_queued: get(&self.samples_queued),
            samples_sent: get(&self.samples_sent),
            requests_sent: get(&self.requests_sent),
            retries: get(&self.retries),
            dropped_queue_full: get(&self.dropped_queue_full),
            dropped_rejected: get(&self.dropped_rejected),
            dropped_shutdown: get(&self.dropped_shutdown),
        }
    }

    /// `samples` left the queue, dropped for `reason`.
    pub(super) fn dropped(&self, reason: PushDrop, samples: usize) {
        let samples = samples as u64;
        let counter = match reason {
            PushDrop::QueueFull => &self.dropped_queue_full,
            PushDrop::Rejected => &self.dropped_rejected,
            PushDrop::Shutdown => &self.dropped_shutdown,
        };
        counter.fetch_add(samples, Ordering::SeqCst);
        (self.counters.dropped)(reason, samples);
        (self.counters.queued)(-(samples as i64));
    }

    /// `samples` left the queue, accepted in one request.
    pub(super) fn sent(&self, samples: usize) {
        self.requests_sent.fetch_add(1, Ordering::SeqCst);
        self.samples_sent
            .fetch_add(samples as u64, Ordering::SeqCst);
        (self.counters.sent)(samples as u64);
        (self.counters.queued)(-(samples as i64));
    }

    /// A request is sent again.
    pub(super) fn retried(&self) {
        self.retries.fetch_add(1, Ordering::SeqCst);
        (self.counters.retried)();
    }

    /// A sampling queued `samples`.
    pub(super) fn sampled(&self, samples: usize) {
        self.samplings.fetch_add(1, Ordering::SeqCst);
        self.samples_queued
            .fetch_add(samples as u64, Ordering::SeqCst);
        (self.counters.queued)(samples as i64);
    }
}

/// One request, ready to send.
pub(crate) struct Batch {
    /// The body, compressed as the protocol sends it.
    pub(crate) body: Vec<u8>,
    /// The samples (data points) it carries.
    pub(crate) samples: usize,
    /// In the target's newer form ([`Newer`](super::Newer)), what the
    /// receiver must say it wrote: samples, histograms, exemplars.
    pub(crate) newer: Option<[u64; 3]>,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) queue: VecDeque<Batch>,
    /// The samples in `queue`, and in the batch the sender holds.
    pub(super) queued: usize,
    /// Set by a shutdown: when the sender must give up what is left.
    pub(super) flush_until: Option<Instant>,
    /// The sampler has made its last sampling.
    pub(super) sampler_done: bool,
}

pub(super) struct Shared {
    state: Mutex<State>,
    /// Wakes the sender: a batch was queued, the sampler is done, or a
    /// shutdown set its deadline.
    pub(super) wake: Condvar,
    /// The sampler's loop.
    pub(super) sampling: Periodic,
    pub(super) stats: AtomicStats,
}

impl Shared {
    pub(super) fn new(counters: &'static SelfCounters) -> Self {
        Self {
            state: Mutex::default(),
            wake: Condvar::new(),
            sampling: Periodic::default(),
            stats: AtomicStats::new(counters),
        }
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a shutdown: one last sampling, then the sender flushes until
    /// `flush_until`.
    pub(super) fn stop(&self, flush_until: Instant) {
        self.lock().flush_until = Some(flush_until);
        self.wake.notify_all();
        self.sampling.stop();
    }
}
