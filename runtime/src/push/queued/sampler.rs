//! The sampler thread: reads the registry every interval into requests
//! through the protocol and queues them, the oldest giving way when the
//! queue is full.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::queue::Shared;
use super::{Protocol, PushDrop};
use crate::read::registry::{registry, Registry};

pub(super) struct Sampler<P> {
    pub(super) shared: Arc<Shared>,
    pub(super) registry: Option<Arc<Registry<'static>>>,
    pub(super) protocol: P,
    pub(super) interval: Duration,
    pub(super) capacity: usize,
}

impl<P: Protocol> Sampler<P> {
    /// Samples at once, then every interval; after a stop, once more, and
    /// tells the sender it is done.
    pub(super) fn run(mut self) {
        let shared = Arc::clone(&self.shared);
        shared
            .sampling
            .run(Instant::now(), self.interval, |_| self.sample());
        shared.lock().sampler_done = true;
        shared.wake.notify_all();
    }

    fn sample(&mut self) {
        let registry: &Registry<'_> = self.registry.as_deref().unwrap_or_else(|| registry());
        let mut batches = self.protocol.sample(registry, SystemTime::now());
        batches.retain(|b| b.samples > 0);
        let samples: usize = batches.iter().map(|b| b.samples).sum();
        let stats = &self.shared.stats;
        stats.sampled(samples);
        let mut state = self.shared.lock();
        // The newest sampling always fits: the oldest waiting ones give way.
        while state.queued + samples > self.capacity {
            let Some(oldest) = state.queue.pop_front() else {
                break;
            };
            state.queued -= oldest.samples;
            stats.dropped(PushDrop::QueueFull, oldest.samples);
        }
        state.queued += samples;
        state.queue.extend(batches);
        drop(state);
        self.shared.wake.notify_all();
    }
}
