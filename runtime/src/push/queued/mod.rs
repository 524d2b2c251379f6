//! What the background pushers (remote write, OTLP) share, written once:
//! a sampler thread reads the registry every interval into requests and
//! queues them; a sender thread sends them in order. Between them a queue
//! holds at most `queue_capacity` samples (data points, for OTLP): when a
//! sampling would exceed it, the oldest waiting requests give way (the
//! latest values of a counter say more than old ones), counted as dropped
//! with reason `queue_full`.
//!
//! The sender retries a request on a network error, a 429, 502, 503 or
//! 504 (any 5xx), with exponential backoff between `min_backoff` and
//! `max_backoff`, waiting at least what a `Retry-After` header asks (up to
//! ten minutes), for as long as it takes: the request being retried is
//! never dropped, newer ones wait behind it within the queue's bound. Any
//! other 4xx means the receiver will never take that request: it is
//! counted (`rejected`) and dropped, and logged as a warning through the
//! `log` facade (target `enumeter`; the first refusal, then at most once a
//! minute with the samples refused since), and the sender goes on with the
//! next. A receiver that takes a request but says it refused part of it
//! (OTLP's `partial_success`) has that part counted as `rejected` too.
//!
//! Shutdown samples one last time and sends what is queued until the flush
//! deadline; what is left then is counted (`shutdown`) and dropped.
//!
//! A protocol brings what differs: how a sampling becomes request bodies
//! ([`Protocol`]), its headers and URL, how an accepted answer says what
//! it refused, and its own self-metrics ([`SelfCounters`]).

mod queue;
mod sampler;
mod sender;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

pub(crate) use self::queue::Batch;
use self::queue::Shared;
use self::sampler::Sampler;
use self::sender::Sender;
use super::client::{Auth, Client};
use super::PushError;
use crate::read::registry::Registry;
use enumeter_macros::LabelValue;

/// Why samples were dropped instead of delivered, by a remote-write or an
/// OTLP pusher.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, LabelValue)]
#[label(rename_all = "snake_case")]
pub enum PushDrop {
    /// The queue was full (the receiver was down or slow for longer than
    /// the queue holds): the oldest waiting requests gave way.
    QueueFull,
    /// The receiver refused the request with a 4xx other than 429 (it
    /// would refuse it again), or took it and said it refused these.
    Rejected,
    /// Still queued when the flush deadline of a shutdown passed.
    Shutdown,
}

/// A protocol's self-metrics, as the shared threads count into them.
pub(crate) struct SelfCounters {
    /// Samples the receiver accepted.
    pub(crate) sent: fn(u64),
    /// Samples dropped, by reason.
    pub(crate) dropped: fn(PushDrop, u64),
    /// One request sent again.
    pub(crate) retried: fn(),
    /// Samples added to (or, negative, taken from) the queue.
    pub(crate) queued: fn(i64),
}

/// How one protocol turns a sampling of the registry into requests.
pub(crate) trait Protocol: Send + 'static {
    /// The request bodies for one sampling of `registry` taken at `now`,
    /// each with the samples it carries (a body carrying none is not
    /// sent). Runs on the sampler thread, one sampling at a time: a
    /// protocol may keep what it needs from one sampling to the next.
    fn sample(&mut self, registry: &Registry<'_>, now: SystemTime) -> Vec<Batch>;
}

/// Where and how the sender sends, and what it counts into.
pub(crate) struct Target {
    /// The protocol's name in log lines (`remote write`, `OTLP`).
    pub(crate) name: &'static str,
    /// What the queue counts, in log lines (`samples`, `points`).
    pub(crate) unit: &'static str,
    pub(crate) url: String,
    /// Sent with every request, beside the credentials.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) counters: &'static SelfCounters,
    /// Reads the body of a 2xx answer: the samples the receiver says it
    /// refused of the request, and its message, if any.
    pub(crate) refused_in: fn(&[u8]) -> Option<(u64, String)>,
    /// A newer form some batches take, which a receiver may not read.
    pub(crate) newer: Option<Newer>,
}

/// A newer form of the protocol (Remote-Write 2.0 beside 1.0): its batches
/// are sent with their own headers, and their answers must say what the
/// receiver wrote (`…-Written` headers). A receiver that answers 415, or a
/// 2xx that says nothing, reads only the older form: the batch is resent in
/// it at once, and (when `fallen_back` is given) the protocol samples in
/// it from then on.
pub(crate) struct Newer {
    /// Sent instead of the target's `headers`.
    pub(crate) headers: Vec<(String, String)>,
    /// A batch's body in the older form; `None` where it cannot be read.
    pub(crate) older: fn(&[u8]) -> Option<Vec<u8>>,
    /// Set at the first fallback, for the protocol to read; `None` when
    /// the pusher was told to send the newer form only (a receiver that
    /// does not read it then refuses the batch, counted).
    pub(crate) fallen_back: Option<Arc<AtomicBool>>,
    /// Counts one batch resent in the older form.
    pub(crate) counted_fallback: fn(),
}

/// The options every queued pusher takes, with their defaults.
pub(crate) struct Options {
    pub(crate) interval: Duration,
    pub(crate) timeout: Duration,
    pub(crate) queue_capacity: usize,
    pub(crate) flush_deadline: Duration,
    pub(crate) min_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) auth: Auth,
    pub(crate) registry: Option<Arc<Registry<'static>>>,
    /// Whether the builder set `interval` or `timeout` (else a protocol
    /// may take them from its environment variables).
    pub(crate) interval_set: bool,
    pub(crate) timeout_set: bool,
}

impl Options {
    /// The defaults, with `interval` and `queue_capacity` the protocol's.
    pub(crate) fn new(interval: Duration, queue_capacity: usize) -> Self {
        Self {
            interval,
            timeout: Duration::from_secs(10),
            queue_capacity,
            flush_deadline: Duration::from_secs(5),
            min_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(5),
            auth: Auth::None,
            registry: None,
            interval_set: false,
            timeout_set: false,
        }
    }

    /// Checks every option against its range; the refusal names the
    /// protocol (`what`), the option and the range.
    pub(crate) fn check(&self, what: &str) -> Result<(), PushError> {
        let ms = Duration::from_millis;
        let minutes = |m: u64| Duration::from_secs(60 * m);
        let ranges = [
            ("interval", self.interval, ms(10), minutes(24 * 60)),
            ("timeout", self.timeout, ms(10), minutes(10)),
            (
                "flush_deadline",
                self.flush_deadline,
                Duration::ZERO,
                minutes(10),
            ),
            ("backoff` (min", self.min_backoff, ms(1), minutes(10)),
            (
                "backoff` (max",
                self.max_backoff,
                self.min_backoff,
                minutes(10),
            ),
        ];
        for (option, value, min, max) in ranges {
            if value < min || value > max {
                return Err(option_error(
                    what,
                    format!("`{option}` is {value:?}; accepted: {min:?} to {max:?}"),
                ));
            }
        }
        if self.queue_capacity == 0 {
            return Err(option_error(
                what,
                "`queue_capacity` is 0; accepted: 1 or more".into(),
            ));
        }
        Ok(())
    }
}

/// An option refused: `what` names the protocol.
pub(crate) fn option_error(what: &str, why: String) -> PushError {
    PushError::InvalidInput(format!("{what} option {why}"))
}

/// The builder methods of the options every queued pusher takes, for a
/// builder with an `options: Options` field; `$unit` says what its queue
/// counts.
macro_rules! queue_options {
    ($unit:literal) => {
        /// How often the registry is sampled (10 ms to 1 day).
        pub fn interval(mut self, interval: std::time::Duration) -> Self {
            self.options.interval = interval;
            self.options.interval_set = true;
            self
        }

        /// The time each request may take in all (10 s unless set; 10 ms
        /// to 10 min).
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.options.timeout = timeout;
            self.options.timeout_set = true;
            self
        }

        #[doc = concat!(
                    "The most ", $unit, " the queue holds (at least one sampling's worth is \
             always kept). Past it, the oldest waiting requests are dropped, counted \
             as `queue_full`."
                )]
        pub fn queue_capacity(mut self, capacity: usize) -> Self {
            self.options.queue_capacity = capacity;
            self
        }

        /// How long a shutdown keeps sending what is queued (5 s unless
        /// set; up to 10 min).
        pub fn flush_deadline(mut self, deadline: std::time::Duration) -> Self {
            self.options.flush_deadline = deadline;
            self
        }

        /// The wait before the first retry of a request, doubling up to
        /// `max` (50 ms and 5 s unless set; 1 ms to 10 min, `min` ≤
        /// `max`); a `Retry-After` answer waits at least what it asks.
        pub fn backoff(mut self, min: std::time::Duration, max: std::time::Duration) -> Self {
            self.options.min_backoff = min;
            self.options.max_backoff = max;
            self
        }

        /// Sends HTTP basic auth with every request.
        pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
            self.options.auth = crate::push::client::Auth::basic(user, password);
            self
        }

        /// Sends `Authorization: Bearer <token>` with every request.
        pub fn bearer_token(mut self, token: &str) -> Self {
            self.options.auth = crate::push::client::Auth::bearer(token);
            self
        }

        /// Pushes `registry` (a `Registry` or an `Arc` of one, to share
        /// it) instead of the default one.
        pub fn registry(
            mut self,
            registry: impl Into<std::sync::Arc<crate::read::registry::Registry<'static>>>,
        ) -> Self {
            self.options.registry = Some(registry.into());
            self
        }
    };
}
pub(crate) use queue_options;

/// Starts the sampler and sender threads of one pusher (named
/// `enumeter-{short}-sample` and `-send`); the first sampling happens at
/// once. The options are checked already.
pub(crate) fn start(
    options: Options,
    target: Target,
    protocol: impl Protocol,
    short: &str,
) -> Result<PushHandle, PushError> {
    let shared = Arc::new(Shared::new(target.counters));
    let sampler = Sampler {
        shared: Arc::clone(&shared),
        registry: options.registry,
        protocol,
        interval: options.interval,
        capacity: options.queue_capacity,
    };
    let sender = Sender {
        shared: Arc::clone(&shared),
        client: Client::new(options.timeout, options.auth),
        target,
        timeout: options.timeout,
        min_backoff: options.min_backoff,
        max_backoff: options.max_backoff,
    };
    let spawn = |role: &str, f: Box<dyn FnOnce() + Send>| {
        std::thread::Builder::new()
            .name(format!("enumeter-{short}-{role}"))
            .spawn(f)
            .map_err(|e| PushError::Transport(format!("cannot start a thread: {e}")))
    };
    let sampler = spawn("sample", Box::new(move || sampler.run()))?;
    let sender = match spawn("send", Box::new(move || sender.run())) {
        Ok(sender) => sender,
        Err(e) => {
            shared.stop(Instant::now());
            let _ = sampler.join();
            return Err(e);
        }
    };
    Ok(PushHandle {
        shared,
        flush_deadline: options.flush_deadline,
        threads: Some((sampler, sender)),
    })
}

/// What one pusher has done so far. For OTLP, a sample is a data point.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PushStats {
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
    /// Samples the receiver refused.
    pub dropped_rejected: u64,
    /// Samples still queued when a shutdown's flush deadline passed.
    pub dropped_shutdown: u64,
}

impl PushStats {
    /// Samples dropped for any reason.
    pub fn dropped(&self) -> u64 {
        self.dropped_queue_full + self.dropped_rejected + self.dropped_shutdown
    }
}

/// A running background pusher (remote write or OTLP);
/// [`shutdown`](Self::shutdown) (or dropping it) samples one last time and
/// flushes.
pub struct PushHandle {
    shared: Arc<Shared>,
    flush_deadline: Duration,
    threads: Option<(JoinHandle<()>, JoinHandle<()>)>,
}

impl std::fmt::Debug for PushHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushHandle")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl PushHandle {
    /// What the pusher has done so far.
    pub fn stats(&self) -> PushStats {
        self.shared.stats.read()
    }

    /// Samples once more, sends what is queued until the flush deadline,
    /// drops (and counts) the rest, and stops the threads. Returns within
    /// the flush deadline plus the time one sampling takes.
    pub fn shutdown(mut self) -> PushStats {
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

impl Drop for PushHandle {
    fn drop(&mut self) {
        self.stop();
    }
}
