//! A background pusher of Prometheus remote write 1.0.
//!
//! Two threads: a sampler reads the registry every interval into requests
//! (snappy-compressed `WriteRequest`s of at most `max_samples_per_send`
//! samples, written straight into protobuf's wire format) and queues them; a sender sends them in order. The queue holds
//! at most `queue_capacity` samples: when a sampling would exceed it, the
//! oldest waiting requests give way (the latest values of a counter say
//! more than old ones), counted as dropped with reason `queue_full`.
//!
//! The sender retries a request on a network error, a 5xx or a 429, with
//! exponential backoff between `min_backoff` and `max_backoff`, for as long
//! as it takes: the request being retried is never dropped, newer ones wait
//! behind it within the queue's bound. Any other 4xx means the receiver
//! will never take that request: it is counted (`rejected`) and dropped,
//! and logged as a warning through the `log` facade (target `enumeter`;
//! the first refusal, then at most once a minute with the samples refused
//! since), and the sender goes on with the next.
//!
//! Shutdown samples one last time and sends what is queued until the flush
//! deadline; what is left then is counted (`shutdown`) and dropped.

mod queue;
mod sampler;
mod sender;

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use self::queue::Shared;
use self::sampler::Sampler;
use self::sender::Sender;
use super::client::{Auth, Client};
use super::{check_url, is_label_name, PushError};
use crate::self_metrics::ShownOnceStarted;
use crate::{metrics, LabelValue, Registry};

/// Why samples were dropped instead of delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, LabelValue)]
#[label(rename_all = "snake_case")]
pub enum RemoteWriteDrop {
    /// The queue was full (the receiver was down or slow for longer than
    /// the queue holds): the oldest waiting requests gave way.
    QueueFull,
    /// The receiver refused the request with a 4xx other than 429: it would
    /// refuse it again.
    Rejected,
    /// Still queued when the flush deadline of a shutdown passed.
    Shutdown,
}

/// The remote-write pushers' own metrics, summed over every pusher of the
/// process; the default registry renders them once a pusher has started.
#[metrics(namespace = "enumeter_remote_write", register = false)]
pub enum RemoteWriteSelf {
    /// Samples the receiver accepted.
    #[counter]
    SamplesSentTotal,
    /// Samples dropped instead of delivered, by reason.
    #[counter]
    SamplesDroppedTotal {
        /// Why they were dropped.
        reason: RemoteWriteDrop,
    },
    /// Requests sent again after a network error, a 5xx or a 429.
    #[counter]
    RetriesTotal,
    /// Samples waiting to be sent.
    #[gauge]
    QueuedSamples,
}

/// What the default registry shows of [`RemoteWriteSelf`].
pub(crate) static REMOTE_WRITE_METRICS: ShownOnceStarted =
    ShownOnceStarted::new(20, || RemoteWriteSelfMetrics::global());

/// A remote-write pusher's configuration; [`start`](RemoteWrite::start)
/// checks it and starts the threads.
///
/// ```no_run
/// use enumeter::push::RemoteWrite;
/// use std::time::Duration;
///
/// let pusher = RemoteWrite::new("http://127.0.0.1:8428/api/v1/write")
///     .external_label("job", "worker")
///     .external_label("instance", "worker-7")
///     .interval(Duration::from_secs(15))
///     .start()?;
/// // ... the application records as usual ...
/// let stats = pusher.shutdown(); // one last sample, flushed
/// assert_eq!(stats.dropped(), 0);
/// # Ok::<(), enumeter::push::PushError>(())
/// ```
pub struct RemoteWrite {
    url: String,
    external_labels: Vec<(String, String)>,
    interval: Duration,
    timeout: Duration,
    queue_capacity: usize,
    max_samples_per_send: usize,
    flush_deadline: Duration,
    min_backoff: Duration,
    max_backoff: Duration,
    auth: Auth,
    registry: Option<Arc<Registry<'static>>>,
}

impl std::fmt::Debug for RemoteWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteWrite")
            .field("url", &self.url)
            .field("external_labels", &self.external_labels)
            .field("interval", &self.interval)
            .field("queue_capacity", &self.queue_capacity)
            .finish_non_exhaustive()
    }
}

impl RemoteWrite {
    /// A pusher to the receiver at `url` (`http://host:9090/api/v1/write`
    /// for Prometheus, `http://host:8428/api/v1/write` for VictoriaMetrics),
    /// of the default registry, every 15 s.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            external_labels: Vec::new(),
            interval: Duration::from_secs(15),
            timeout: Duration::from_secs(10),
            queue_capacity: 500_000,
            max_samples_per_send: 2_000,
            flush_deadline: Duration::from_secs(5),
            min_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(5),
            auth: Auth::None,
            registry: None,
        }
    }

    /// Adds a label to every series sent (`job`, `instance`, a region...),
    /// unless the series has a label of that name already.
    pub fn external_label(mut self, name: &str, value: &str) -> Self {
        self.external_labels
            .push((name.to_owned(), value.to_owned()));
        self
    }

    /// How often the registry is sampled (15 s unless set; 10 ms to 1 day).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The time each request may take in all (10 s unless set; 10 ms to
    /// 10 min).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The most samples the queue holds (500,000 unless set; at least one
    /// sampling's worth is always kept). Past it, the oldest waiting
    /// requests are dropped.
    pub fn queue_capacity(mut self, samples: usize) -> Self {
        self.queue_capacity = samples;
        self
    }

    /// The most samples in one request (2,000 unless set, as in
    /// Prometheus; 1 to 1,000,000).
    pub fn max_samples_per_send(mut self, samples: usize) -> Self {
        self.max_samples_per_send = samples;
        self
    }

    /// How long [`RemoteWriteHandle::shutdown`] keeps sending what is
    /// queued (5 s unless set; up to 10 min).
    pub fn flush_deadline(mut self, deadline: Duration) -> Self {
        self.flush_deadline = deadline;
        self
    }

    /// The wait before the first retry of a request, doubling up to `max`
    /// (50 ms and 5 s unless set; 1 ms to 10 min, `min` ≤ `max`).
    pub fn backoff(mut self, min: Duration, max: Duration) -> Self {
        self.min_backoff = min;
        self.max_backoff = max;
        self
    }

    /// Sends HTTP basic auth with every request.
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.auth = Auth::basic(user, password);
        self
    }

    /// Sends `Authorization: Bearer <token>` with every request.
    pub fn bearer_token(mut self, token: &str) -> Self {
        self.auth = Auth::bearer(token);
        self
    }

    /// Pushes `registry` (a `Registry` or an `Arc` of one, to share it)
    /// instead of the default one.
    pub fn registry(mut self, registry: impl Into<Arc<Registry<'static>>>) -> Self {
        self.registry = Some(registry.into());
        self
    }

    /// Checks every option and starts the sampler and sender threads; the
    /// first sampling happens at once. An option out of its range is an
    /// [`PushError::InvalidInput`] that names it and the range.
    pub fn start(self) -> Result<RemoteWriteHandle, PushError> {
        self.check()?;
        REMOTE_WRITE_METRICS.start();
        let shared = Arc::new(Shared::default());
        let external: Vec<(String, String)> = self.external_labels.clone();
        let sampler = Sampler {
            shared: Arc::clone(&shared),
            registry: self.registry,
            external,
            interval: self.interval,
            capacity: self.queue_capacity,
            max_samples_per_send: self.max_samples_per_send,
        };
        let sender = Sender {
            shared: Arc::clone(&shared),
            client: Client::new(self.timeout, self.auth),
            url: self.url.clone(),
            timeout: self.timeout,
            min_backoff: self.min_backoff,
            max_backoff: self.max_backoff,
        };
        let spawn = |name: &str, f: Box<dyn FnOnce() + Send>| {
            std::thread::Builder::new()
                .name(name.to_owned())
                .spawn(f)
                .map_err(|e| PushError::Transport(format!("cannot start a thread: {e}")))
        };
        let sampler = spawn("enumeter-rw-sample", Box::new(move || sampler.run()))?;
        let sender = match spawn("enumeter-rw-send", Box::new(move || sender.run())) {
            Ok(sender) => sender,
            Err(e) => {
                shared.stop(Instant::now());
                let _ = sampler.join();
                return Err(e);
            }
        };
        Ok(RemoteWriteHandle {
            shared,
            flush_deadline: self.flush_deadline,
            threads: Some((sampler, sender)),
        })
    }

    fn check(&self) -> Result<(), PushError> {
        check_url(&self.url, "remote write")?;
        let mut seen: Vec<&str> = Vec::new();
        for (name, _) in &self.external_labels {
            if !is_label_name(name) || seen.contains(&name.as_str()) {
                return Err(option_error(format!(
                    "`external_label` `{name}`; accepted: a label name \
                     ([a-zA-Z_][a-zA-Z0-9_]*, not `__*`), each once"
                )));
            }
            seen.push(name);
        }
        let ms = Duration::from_millis;
        let minutes = |m: u64| Duration::from_secs(60 * m);
        check_range("interval", self.interval, ms(10), minutes(24 * 60))?;
        check_range("timeout", self.timeout, ms(10), minutes(10))?;
        check_range(
            "flush_deadline",
            self.flush_deadline,
            Duration::ZERO,
            minutes(10),
        )?;
        check_range("backoff` (min", self.min_backoff, ms(1), minutes(10))?;
        check_range(
            "backoff` (max",
            self.max_backoff,
            self.min_backoff,
            minutes(10),
        )?;
        if self.queue_capacity == 0 {
            return Err(option_error(
                "`queue_capacity` is 0; accepted: 1 or more samples".into(),
            ));
        }
        if !(1..=1_000_000).contains(&self.max_samples_per_send) {
            return Err(option_error(format!(
                "`max_samples_per_send` is {}; accepted: 1 to 1000000",
                self.max_samples_per_send
            )));
        }
        Ok(())
    }
}

fn option_error(what: String) -> PushError {
    PushError::InvalidInput(format!("remote write option {what}"))
}

fn check_range(
    option: &str,
    value: Duration,
    min: Duration,
    max: Duration,
) -> Result<(), PushError> {
    if value < min || value > max {
        return Err(option_error(format!(
            "`{option}` is {value:?}; accepted: {min:?} to {max:?}"
        )));
    }
    Ok(())
}

/// What one pusher has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RemoteWriteStats {
    /// Samplings of the registry.
    pub samplings: u64,
    /// Samples queued, over all samplings.
    pub samples_queued: u64,
    /// Samples the receiver accepted.
    pub samples_sent: u64,
    /// Requests the receiver accepted.
    pub requests_sent: u64,
    /// Requests sent again after a network error, a 5xx or a 429.
    pub retries: u64,
    /// Samples dropped because the queue was full.
    pub dropped_queue_full: u64,
    /// Samples the receiver refused (4xx other than 429).
    pub dropped_rejected: u64,
    /// Samples still queued when a shutdown's flush deadline passed.
    pub dropped_shutdown: u64,
}

impl RemoteWriteStats {
    /// Samples dropped for any reason.
    pub fn dropped(&self) -> u64 {
        self.dropped_queue_full + self.dropped_rejected + self.dropped_shutdown
    }
}

/// A running remote-write pusher; [`shutdown`](Self::shutdown) (or
/// dropping it) samples one last time and flushes.
pub struct RemoteWriteHandle {
    shared: Arc<Shared>,
    flush_deadline: Duration,
    threads: Option<(JoinHandle<()>, JoinHandle<()>)>,
}

impl std::fmt::Debug for RemoteWriteHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteWriteHandle")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl RemoteWriteHandle {
    /// What the pusher has done so far.
    pub fn stats(&self) -> RemoteWriteStats {
        self.shared.stats.read()
    }

    /// Samples once more, sends what is queued until the flush deadline,
    /// drops (and counts) the rest, and stops the threads. Returns within
    /// the flush deadline plus the time one sampling takes.
    pub fn shutdown(mut self) -> RemoteWriteStats {
        self.stop();
        self.stats()
    }

    fn stop(&mut self) {
        let Some((sampler, sender)) = self.threads.take() else {
            return;
        };
        self.shared.stop(Instant::now() + self.flush_deadline);
        let _ = sampler.join();
        let _ = sender.join();
    }
}

impl Drop for RemoteWriteHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(option: RemoteWrite) -> String {
        match option.start() {
            Err(PushError::InvalidInput(why)) => why,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn a_shutdown_past_its_deadline_counts_what_it_drops_and_shows_it() {
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        drop(silent); // nothing listens: every send fails and is retried
        let before = RemoteWriteSelf::samples_dropped_total(RemoteWriteDrop::Shutdown).get();
        let pusher = RemoteWrite::new(&format!("http://127.0.0.1:{port}/api/v1/write"))
            .interval(Duration::from_millis(20))
            .backoff(Duration::from_millis(5), Duration::from_millis(20))
            .flush_deadline(Duration::ZERO)
            .start()
            .unwrap();
        // Until a send has failed and been retried (bounded: the first is
        // due after one interval).
        let until = Instant::now() + Duration::from_secs(10);
        while pusher.stats().retries == 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        let started = Instant::now();
        let stats = pusher.shutdown();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        assert!(stats.retries > 0, "{stats:?}");
        assert_eq!(stats.samples_sent, 0, "{stats:?}");
        assert_eq!(
            stats.dropped_queue_full + stats.dropped_rejected,
            0,
            "{stats:?}"
        );
        // Every sample queued, the final sampling's included, is accounted
        // for: dropped at shutdown.
        assert_eq!(stats.dropped_shutdown, stats.samples_queued, "{stats:?}");
        let after = RemoteWriteSelf::samples_dropped_total(RemoteWriteDrop::Shutdown).get();
        assert!(after - before >= stats.dropped_shutdown);
        let text = crate::render(crate::Format::Prometheus);
        assert!(
            text.contains("enumeter_remote_write_samples_dropped_total{reason=\"shutdown\"}"),
            "{text}"
        );
    }

    #[test]
    fn remote_write_options_out_of_range_are_refused_by_name() {
        let url = "http://127.0.0.1:9/api/v1/write";
        let cases = [
            (RemoteWrite::new("127.0.0.1:9"), "remote write URL"),
            (
                RemoteWrite::new(url).interval(Duration::ZERO),
                "`interval` is 0ns",
            ),
            (RemoteWrite::new(url).timeout(Duration::MAX), "`timeout`"),
            (
                RemoteWrite::new(url).queue_capacity(0),
                "`queue_capacity` is 0",
            ),
            (
                RemoteWrite::new(url).max_samples_per_send(0),
                "`max_samples_per_send` is 0",
            ),
            (
                RemoteWrite::new(url).flush_deadline(Duration::from_secs(3600)),
                "`flush_deadline`",
            ),
            (
                RemoteWrite::new(url).backoff(Duration::from_secs(2), Duration::from_secs(1)),
                "`backoff` (max",
            ),
            (
                RemoteWrite::new(url).external_label("__name__", "x"),
                "`external_label` `__name__`",
            ),
            (
                RemoteWrite::new(url)
                    .external_label("job", "a")
                    .external_label("job", "b"),
                "`external_label` `job`",
            ),
        ];
        for (option, expected) in cases {
            let why = refused(option);
            assert!(why.contains(expected), "{why:?} names {expected:?}");
        }
    }
}
