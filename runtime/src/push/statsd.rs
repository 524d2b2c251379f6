//! A push backend: StatsD lines over UDP at an interval (feature `statsd`,
//! std only).
//!
//! Each push reads the registry (merged as a render merges it) and sends,
//! in exposition order:
//!
//! - counters as `name:delta|c`, the increase since the previous push (only
//!   when it is above zero; a counter that went down, after a wrap, sends
//!   its new value);
//! - gauges as `name:value|g`;
//! - histograms and summaries as `name_count:delta|c` and `name_sum:delta|c`;
//! - info metrics and state sets not at all.
//!
//! Labels travel as DogStatsD tags (`|#label:value,...`), which Datadog,
//! Telegraf and the StatsD exporter read. Lines are joined by newlines into
//! datagrams of at most 1,432 bytes, so that none is fragmented.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::failures::{Failing, Failures, FAILURE_LOG_INTERVAL};
use super::periodic::{Periodic, Tick};

pub use crate::encode::statsd::{datagrams, StatsdEncoder, MAX_DATAGRAM};
use crate::read::registry::Registry;

/// Configures and starts a StatsD push.
///
/// ```no_run
/// let pusher = enumeter::push::statsd::StatsdPusher::new("127.0.0.1:8125".parse().unwrap())
///     .interval(std::time::Duration::from_secs(10))
///     .start()
///     .expect("a UDP socket");
/// // ... the application runs ...
/// pusher.shutdown();
/// ```
#[derive(Debug)]
#[must_use = "a pusher sends nothing until `start` is called"]
pub struct StatsdPusher {
    target: SocketAddr,
    interval: Duration,
    registry: Option<Arc<Registry<'static>>>,
}

impl StatsdPusher {
    /// Pushes the default registry to `target` every 10 s.
    pub fn new(target: SocketAddr) -> Self {
        Self {
            target,
            interval: Duration::from_secs(10),
            registry: None,
        }
    }

    /// Time between pushes.
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval.max(Duration::from_millis(1));
        self
    }

    /// Pushes `registry` (a `Registry` or an `Arc` of one, to share it)
    /// instead of the default one.
    pub fn registry(mut self, registry: impl Into<Arc<Registry<'static>>>) -> Self {
        self.registry = Some(registry.into());
        self
    }

    /// Binds a UDP socket on the target's loopback or any address and starts
    /// pushing on a thread of its own.
    pub fn start(self) -> io::Result<StatsdHandle> {
        let bind = if self.target.is_ipv4() {
            "0.0.0.0:0"
        } else {
            "[::]:0"
        };
        let socket = UdpSocket::bind(bind)?;
        socket.connect(self.target)?;
        let shared = Arc::new(Shared {
            socket,
            registry: self.registry,
            encoder: Mutex::new(StatsdEncoder::new()),
            pushing: Periodic::default(),
        });
        let thread_shared = Arc::clone(&shared);
        let interval = self.interval;
        let thread = std::thread::Builder::new()
            .name("enumeter-statsd".into())
            .spawn(move || {
                let first = Instant::now() + interval;
                let mut failures = Failures::every(FAILURE_LOG_INTERVAL);
                thread_shared.pushing.run(first, interval, |tick| {
                    if tick == Tick::OnTime {
                        let result = thread_shared.push();
                        thread_shared.log(&mut failures, result);
                    }
                });
            })?;
        Ok(StatsdHandle {
            shared,
            thread: Some(thread),
        })
    }
}

#[derive(Debug)]
struct Shared {
    socket: UdpSocket,
    registry: Option<Arc<Registry<'static>>>,
    encoder: Mutex<StatsdEncoder>,
    pushing: Periodic,
}

impl Shared {
    /// Logs a push that failed (the first, then once a minute while they
    /// fail) and the first that succeeds after failures.
    fn log(&self, failures: &mut Failures, result: io::Result<usize>) {
        let target = self
            .socket
            .peer_addr()
            .map_or_else(|_| "the StatsD target".to_owned(), |a| a.to_string());
        match result {
            Ok(_) => {
                if let Some(recovered) = failures.succeeded(Instant::now()) {
                    log::info!(
                        target: "enumeter",
                        "statsd: {target} takes datagrams again, after {} failed pushes over {} s",
                        recovered.attempts,
                        recovered.for_secs
                    );
                }
            }
            Err(error) => match failures.failed(Instant::now()) {
                Some(Failing::Started) => log::warn!(
                    target: "enumeter",
                    "statsd: sending to {target} fails ({error}); what a failed push had \
                     left to send is lost, as StatsD has no retry"
                ),
                Some(Failing::Continues { attempts, for_secs }) => log::warn!(
                    target: "enumeter",
                    "statsd: sending to {target} still fails after {for_secs} s ({error}); \
                     {attempts} failed pushes since the last warning"
                ),
                None => {}
            },
        }
    }

    fn push(&self) -> io::Result<usize> {
        let registry = match &self.registry {
            Some(registry) => registry,
            None => crate::read::registry::registry(),
        };
        let lines = self
            .encoder
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .encode(registry);
        let mut sent = 0;
        for datagram in datagrams(&lines) {
            self.socket.send(datagram.as_bytes())?;
            sent += 1;
        }
        Ok(sent)
    }
}

/// A running push; dropping it stops it too.
#[derive(Debug)]
pub struct StatsdHandle {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl StatsdHandle {
    /// Pushes now, besides the interval; returns the datagrams sent.
    pub fn push_now(&self) -> io::Result<usize> {
        self.shared.push()
    }

    /// Stops pushing and waits for the thread to end.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.shared.pushing.stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for StatsdHandle {
    fn drop(&mut self) {
        self.stop();
    }
}
