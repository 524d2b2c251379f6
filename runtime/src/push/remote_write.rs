//! A background pusher of Prometheus remote write 1.0, on the queued
//! pusher that OTLP shares ([`queued`](super::queued)): every interval the
//! registry is read into snappy-compressed `WriteRequest`s of at most
//! `max_samples_per_send` samples, written straight into protobuf's wire
//! format, queued and sent in order, with retries.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::queued::{
    self, option_error, Batch, Newer, Options, Protocol, PushDrop, SelfCounters, Target,
};
use super::{check_url, is_label_name, PushError, PushHandle};
use crate::cells::own::ShownOnceStarted;
use crate::read::registry::Registry;
use enumeter_macros::metrics;

/// The remote-write pushers' own metrics, summed over every pusher of the
/// process; the default registry renders them once a pusher has started.
#[metrics(namespace = "enumeter_remote_write", register = false)]
pub(crate) enum RemoteWriteSelf {
    /// Samples the receiver accepted.
    #[counter]
    SamplesSentTotal,
    /// Samples dropped instead of delivered, by reason.
    #[counter]
    SamplesDroppedTotal {
        /// Why they were dropped.
        reason: PushDrop,
    },
    /// Requests sent again after a network error, a 5xx or a 429.
    #[counter]
    RetriesTotal,
    /// Samples waiting to be sent.
    #[gauge]
    QueuedSamples,
    /// Requests resent as remote write 1.0 because the receiver did not
    /// read 2.0 (it answered 415, or did not say what it wrote).
    #[counter]
    FallbacksTotal,
}

/// What the default registry shows of [`RemoteWriteSelf`].
pub(crate) static REMOTE_WRITE_METRICS: ShownOnceStarted =
    ShownOnceStarted::new(20, || RemoteWriteSelfMetrics::global());

static COUNTERS: SelfCounters = SelfCounters {
    sent: |n| RemoteWriteSelf::samples_sent_total().add(n),
    dropped: |reason, n| RemoteWriteSelf::samples_dropped_total(reason).add(n),
    retried: || RemoteWriteSelf::retries_total().inc(),
    queued: |n| RemoteWriteSelf::queued_samples().add(n),
};

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
    max_samples_per_send: usize,
    protocol: RemoteWriteProtocol,
    options: Options,
}

/// Which remote write protocol a [`RemoteWrite`] speaks.
///
/// | receiver | 1.0 (`prometheus.WriteRequest`) | 2.0 (`io.prometheus.write.v2.Request`) |
/// | --- | --- | --- |
/// | Prometheus 2.x (`--web.enable-remote-write-receiver`) | yes | no: 2.42 answers a 2.0 body 204 having written nothing |
/// | Prometheus 3.x | yes | with `--web.remote-write-receiver.accepted-protobuf-messages` listing it |
/// | VictoriaMetrics, Mimir, Thanos Receive, Cortex | yes | not in the versions tested |
/// | OpenTelemetry Collector's Prometheus receiver | no | yes |
///
/// The default, [`V2OrV1`](Self::V2OrV1), sends 2.0 and falls back to 1.0
/// for good at the first answer that shows the receiver reads only 1.0 (a
/// 415, or a 2xx without the `X-Prometheus-Remote-Write-*-Written` headers
/// 2.0 requires), resending that request as 1.0: nothing is lost. The
/// fallback is logged once and counted in
/// `enumeter_remote_write_fallbacks_total`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RemoteWriteProtocol {
    /// Remote write 1.0 only: names escaped with `underscores`, no
    /// metadata, no start times.
    V1,
    /// Remote-Write 2.0 only: a receiver that does not read it has its
    /// requests counted as refused.
    V2,
    /// 2.0, falling back to 1.0 for a receiver that reads only 1.0.
    #[default]
    V2OrV1,
}

impl std::fmt::Debug for RemoteWrite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteWrite")
            .field("url", &self.url)
            .field("external_labels", &self.external_labels)
            .field("interval", &self.options.interval)
            .field("queue_capacity", &self.options.queue_capacity)
            .finish_non_exhaustive()
    }
}

impl RemoteWrite {
    /// A pusher to the receiver at `url` (`http://host:9090/api/v1/write`
    /// for Prometheus, `http://host:8428/api/v1/write` for VictoriaMetrics),
    /// of the default registry, every 15 s, with a queue of 500,000
    /// samples.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            external_labels: Vec::new(),
            max_samples_per_send: 2_000,
            protocol: RemoteWriteProtocol::default(),
            options: Options::new(Duration::from_secs(15), 500_000),
        }
    }

    /// Adds a label to every series sent (`job`, `instance`, a region...),
    /// unless the series has a label of that name already.
    pub fn external_label(mut self, name: &str, value: &str) -> Self {
        self.external_labels
            .push((name.to_owned(), value.to_owned()));
        self
    }

    /// The most samples in one request (2,000 unless set, as in
    /// Prometheus; 1 to 1,000,000).
    pub fn max_samples_per_send(mut self, samples: usize) -> Self {
        self.max_samples_per_send = samples;
        self
    }

    /// The protocol to speak ([`RemoteWriteProtocol`]): 2.0 with a
    /// fallback to 1.0 unless set.
    pub fn protocol(mut self, protocol: RemoteWriteProtocol) -> Self {
        self.protocol = protocol;
        self
    }

    queued::queue_options!("samples");

    /// Checks every option and starts the sampler and sender threads; the
    /// first sampling happens at once. An option out of its range is an
    /// [`PushError::InvalidInput`] that names it and the range.
    pub fn start(self) -> Result<PushHandle, PushError> {
        self.check()?;
        REMOTE_WRITE_METRICS.start();
        let owned = |headers: [(&str, &str); 3]| -> Vec<(String, String)> {
            headers.map(|(n, v)| (n.to_owned(), v.to_owned())).into()
        };
        let fallen_back = Arc::new(AtomicBool::new(false));
        let newer = (self.protocol != RemoteWriteProtocol::V1).then(|| Newer {
            headers: owned([
                (
                    "Content-Type",
                    "application/x-protobuf;proto=io.prometheus.write.v2.Request",
                ),
                ("Content-Encoding", "snappy"),
                ("X-Prometheus-Remote-Write-Version", "2.0.0"),
            ]),
            older: as_v1,
            fallen_back: (self.protocol == RemoteWriteProtocol::V2OrV1)
                .then(|| Arc::clone(&fallen_back)),
            counted_fallback: || RemoteWriteSelf::fallbacks_total().inc(),
        });
        let target = Target {
            name: "remote write",
            unit: "samples",
            url: self.url,
            headers: owned([
                ("Content-Type", "application/x-protobuf"),
                ("Content-Encoding", "snappy"),
                ("X-Prometheus-Remote-Write-Version", "0.1.0"),
            ]),
            counters: &COUNTERS,
            refused_in: |_| None,
            newer,
        };
        let protocol = Sampling {
            external: self.external_labels,
            max_samples_per_send: self.max_samples_per_send,
            v2: self.protocol != RemoteWriteProtocol::V1,
            fallen_back,
            encoder: snap::raw::Encoder::new(),
        };
        queued::start(self.options, target, protocol, "rw")
    }

    fn check(&self) -> Result<(), PushError> {
        check_url(&self.url, "remote write")?;
        let mut seen: Vec<&str> = Vec::new();
        for (name, _) in &self.external_labels {
            if !is_label_name(name) || seen.contains(&name.as_str()) {
                return Err(option_error(
                    "remote write",
                    format!(
                        "`external_label` `{name}`; accepted: a label name \
                         ([a-zA-Z_][a-zA-Z0-9_]*, not `__*`), each once"
                    ),
                ));
            }
            seen.push(name);
        }
        self.options.check("remote write")?;
        if !(1..=1_000_000).contains(&self.max_samples_per_send) {
            return Err(option_error(
                "remote write",
                format!(
                    "`max_samples_per_send` is {}; accepted: 1 to 1000000",
                    self.max_samples_per_send
                ),
            ));
        }
        Ok(())
    }
}

/// Remote write's sampling: `WriteRequest`s of at most
/// `max_samples_per_send` samples, snappy-compressed.
/// A request of remote write 2.0 (snappy-compressed) as 1.0; `None` where
/// it is not one this crate wrote.
fn as_v1(body: &[u8]) -> Option<Vec<u8>> {
    let request = snap::raw::Decoder::new().decompress_vec(body).ok()?;
    let v1 = crate::encode::remote_write_v2::to_v1(&request)?;
    snap::raw::Encoder::new().compress_vec(&v1).ok()
}

/// Samples the registry into requests of the protocol spoken.
struct Sampling {
    external: Vec<(String, String)>,
    max_samples_per_send: usize,
    /// Whether 2.0 is spoken, until `fallen_back` says otherwise.
    v2: bool,
    fallen_back: Arc<AtomicBool>,
    encoder: snap::raw::Encoder,
}

impl Protocol for Sampling {
    fn sample(&mut self, registry: &Registry<'_>, now: SystemTime) -> Vec<Batch> {
        let external: Vec<(&str, &str)> = self
            .external
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let timestamp_ms = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        if self.v2 && !self.fallen_back.load(Ordering::SeqCst) {
            let mut requests = Vec::new();
            crate::encode::remote_write_v2::encode_requests(
                registry,
                &external,
                timestamp_ms,
                self.max_samples_per_send,
                &mut requests,
            );
            return requests
                .iter()
                .filter(|(_, carried)| carried.samples + carried.histograms > 0)
                .map(|(request, carried)| Batch {
                    body: self.encoder.compress_vec(request).unwrap_or_default(),
                    samples: (carried.samples + carried.histograms) as usize,
                    newer: Some([carried.samples, carried.histograms, carried.exemplars]),
                })
                .collect();
        }
        let mut requests = Vec::new();
        let counts = crate::encode::remote_write::encode_requests(
            registry,
            &external,
            timestamp_ms,
            self.max_samples_per_send,
            &mut requests,
        );
        requests
            .iter()
            .zip(counts)
            .filter(|(_, samples)| *samples > 0)
            .map(|(request, samples)| Batch {
                body: self.encoder.compress_vec(request).unwrap_or_default(),
                samples,
                newer: None,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

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
        let before = RemoteWriteSelf::samples_dropped_total(PushDrop::Shutdown).get();
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
        let after = RemoteWriteSelf::samples_dropped_total(PushDrop::Shutdown).get();
        assert!(after - before >= stats.dropped_shutdown);
        let text = crate::encode::render(crate::encode::Format::Prometheus);
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
