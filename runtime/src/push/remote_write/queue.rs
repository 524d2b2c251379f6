//! What the sampler and the sender share: the bounded queue of compressed
//! requests (the oldest gives way), the shutdown's flush deadline, and the
//! counts behind [`RemoteWriteStats`](super::RemoteWriteStats).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use super::{RemoteWriteDrop, RemoteWriteSelf, RemoteWriteStats};
use crate::push::periodic::Periodic;

#[derive(Default)]
pub(super) struct AtomicStats {
    pub(super) samplings: AtomicU64,
    pub(super) samples_queued: AtomicU64,
    pub(super) samples_sent: AtomicU64,
    pub(super) requests_sent: AtomicU64,
    pub(super) retries: AtomicU64,
    pub(super) dropped_queue_full: AtomicU64,
    pub(super) dropped_rejected: AtomicU64,
    pub(super) dropped_shutdown: AtomicU64,
}

impl AtomicStats {
    pub(super) fn read(&self) -> RemoteWriteStats {
        let get = |a: &AtomicU64| a.load(Ordering::SeqCst);
        RemoteWriteStats {
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

    pub(super) fn dropped(&self, reason: RemoteWriteDrop, samples: usize) {
        let samples = samples as u64;
        let counter = match reason {
            RemoteWriteDrop::QueueFull => &self.dropped_queue_full,
            RemoteWriteDrop::Rejected => &self.dropped_rejected,
            RemoteWriteDrop::Shutdown => &self.dropped_shutdown,
        };
        counter.fetch_add(samples, Ordering::SeqCst);
        RemoteWriteSelf::samples_dropped_total(reason).add(samples);
        RemoteWriteSelf::queued_samples().sub(samples as i64);
    }
}

/// One request, ready to send.
pub(super) struct Batch {
    /// The snappy-compressed `WriteRequest`.
    pub(super) body: Vec<u8>,
    pub(super) samples: usize,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) queue: VecDeque<Batch>,
    /// The samples in `queue`.
    pub(super) queued: usize,
    /// Set by a shutdown: when the sender must give up what is left.
    pub(super) flush_until: Option<Instant>,
    /// The sampler has made its last sampling.
    pub(super) sampler_done: bool,
}

#[derive(Default)]
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
