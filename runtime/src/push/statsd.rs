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

use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::failures::{Failing, Failures, FAILURE_LOG_INTERVAL};
use super::periodic::{Periodic, Tick};

use crate::read::{Family, Reader, SeriesRead, Value, Writer};
use crate::Registry;

/// The largest datagram sent: a 1,500-byte MTU less IP and UDP headers and
/// some room for tunnels.
pub const MAX_DATAGRAM: usize = 1432;

/// Turns successive reads of a registry into StatsD lines, remembering
/// counters' last values to send deltas.
#[derive(Debug, Default)]
pub struct StatsdEncoder {
    previous: HashMap<String, f64>,
}

impl StatsdEncoder {
    /// An encoder that has seen nothing yet: the first push sends counters'
    /// full values.
    pub fn new() -> Self {
        Self::default()
    }

    /// The lines for every series of `registry`, given everything encoded
    /// before.
    pub fn encode(&mut self, registry: &Registry<'_>) -> Vec<String> {
        let mut lines = Lines {
            encoder: self,
            lines: Vec::new(),
        };
        Reader::with(|reader| reader.registry(registry, &mut lines));
        lines.lines
    }
}

/// The lines of one push.
struct Lines<'e> {
    encoder: &'e mut StatsdEncoder,
    lines: Vec<String>,
}

impl Writer for Lines<'_> {
    fn series(&mut self, family: &Family<'_>, series: &SeriesRead<'_>) {
        let name = family.desc.name;
        let tags = tags(series.labels(family.desc));
        let Lines { encoder, lines } = self;
        let mut counter = |name: String, now: f64| {
            let key = format!("{name}{tags}");
            let before = encoder.previous.insert(key, now).unwrap_or(0.0);
            let delta = if now >= before { now - before } else { now };
            if delta > 0.0 {
                lines.push(format!("{name}:{}|c{tags}", number(delta)));
            }
        };
        match &series.value {
            Value::Counter(v) => counter(name.to_owned(), *v as f64),
            Value::FloatCounter(v) if v.is_finite() => counter(name.to_owned(), *v),
            Value::Gauge(v) => lines.push(format!("{name}:{v}|g{tags}")),
            Value::FloatGauge(v) if v.is_finite() => {
                lines.push(format!("{name}:{}|g{tags}", number(*v)))
            }
            Value::Histogram {
                cumulative, sum, ..
            } => {
                let count = cumulative.last().copied().unwrap_or(0);
                counter(format!("{name}_count"), count as f64);
                counter(format!("{name}_sum"), *sum);
            }
            Value::Summary { count, sum, .. } => {
                counter(format!("{name}_count"), *count as f64);
                counter(format!("{name}_sum"), *sum);
            }
            Value::FloatCounter(_) | Value::FloatGauge(_) | Value::Info | Value::State(_) => {}
        }
    }
}

/// DogStatsD tags of a series' labels.
fn tags<'a>(labels: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let pairs: Vec<String> = labels
        .map(|(k, v)| format!("{k}:{}", v.replace([',', '|', '\n', '#'], "_")))
        .collect();
    if pairs.is_empty() {
        return String::new();
    }
    format!("|#{}", pairs.join(","))
}

/// Integers without a fraction, other values as Rust prints them (shortest
/// round trip).
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Packs lines into datagrams of at most [`MAX_DATAGRAM`] bytes.
pub fn datagrams(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in lines {
        if !current.is_empty() && current.len() + 1 + line.len() > MAX_DATAGRAM {
            out.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(line);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

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
            None => crate::registry(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datagrams_never_exceed_the_limit_and_keep_every_line_whole() {
        let lines: Vec<String> = (0..200).map(|i| format!("metric_{i}:{i}|c|#k:v")).collect();
        let packed = datagrams(&lines);
        assert!(packed.len() > 1);
        assert!(packed.iter().all(|d| d.len() <= MAX_DATAGRAM));
        let unpacked: Vec<&str> = packed.iter().flat_map(|d| d.split('\n')).collect();
        assert_eq!(
            unpacked,
            lines.iter().map(String::as_str).collect::<Vec<_>>()
        );
    }

    #[test]
    fn tags_replace_characters_that_would_break_the_line() {
        assert_eq!(tags([("a", "x,y|z#\n")].into_iter()), "|#a:x_y_z__");
        assert_eq!(tags([].into_iter()), "");
        assert_eq!(number(3.0), "3");
        assert_eq!(number(0.25), "0.25");
    }
}
