//! The sampler thread: reads the registry every interval into compressed
//! requests and queues them, the oldest giving way when the queue is full.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::queue::{Batch, Shared};
use super::{RemoteWriteDrop, RemoteWriteSelf};
use crate::{registry, Registry};

pub(super) struct Sampler {
    pub(super) shared: Arc<Shared>,
    pub(super) registry: Option<Arc<Registry<'static>>>,
    pub(super) external: Vec<(String, String)>,
    pub(super) interval: Duration,
    pub(super) capacity: usize,
    pub(super) max_samples_per_send: usize,
}

impl Sampler {
    /// Samples at once, then every interval; after a stop, once more, and
    /// tells the sender it is done.
    pub(super) fn run(self) {
        self.shared
            .sampling
            .run(Instant::now(), self.interval, |_| self.sample());
        self.shared.lock().sampler_done = true;
        self.shared.wake.notify_all();
    }

    fn sample(&self) {
        let registry: &Registry<'_> = self.registry.as_deref().unwrap_or_else(|| registry());
        let external: Vec<(&str, &str)> = self
            .external
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let timestamp_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let mut requests = Vec::new();
        let counts = crate::push::samples::encode_requests(
            registry,
            &external,
            timestamp_ms,
            self.max_samples_per_send,
            &mut requests,
        );
        let mut encoder = snap::raw::Encoder::new();
        let batches: Vec<Batch> = requests
            .iter()
            .zip(counts)
            .filter(|(_, samples)| *samples > 0)
            .map(|(request, samples)| Batch {
                body: encoder.compress_vec(request).unwrap_or_default(),
                samples,
            })
            .collect();
        let samples: usize = batches.iter().map(|b| b.samples).sum();
        let stats = &self.shared.stats;
        stats.samplings.fetch_add(1, Ordering::SeqCst);
        stats
            .samples_queued
            .fetch_add(samples as u64, Ordering::SeqCst);
        RemoteWriteSelf::queued_samples().add(samples as i64);
        let mut state = self.shared.lock();
        // The newest sampling always fits: the oldest waiting ones give way.
        while state.queued + samples > self.capacity {
            let Some(oldest) = state.queue.pop_front() else {
                break;
            };
            state.queued -= oldest.samples;
            stats.dropped(RemoteWriteDrop::QueueFull, oldest.samples);
        }
        state.queued += samples;
        state.queue.extend(batches);
        drop(state);
        self.shared.wake.notify_all();
    }
}
