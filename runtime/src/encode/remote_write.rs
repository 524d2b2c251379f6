//! A registry as remote write 1.0's `WriteRequest`: the series
//! `remote_series.rs` walks (named as Prometheus stores a scrape of them,
//! a native histogram in `TimeSeries.histograms`, exemplars in
//! `TimeSeries.exemplars`), each with its labels written out, names
//! escaped with `underscores`. Written directly in protobuf's wire format
//! (`crate::encode::wire`, shared with the protobuf exposition), one
//! `TimeSeries` at a time.

use crate::cells::spelling::Escaping;
use smallvec::SmallVec;

use crate::cells::exemplar::ExemplarRead;
use crate::encode::remote_series::{self, One, RemoteSeries, Text};
use crate::encode::wire::{double_field, label_field, message_field, message_head, varint_field};
use crate::read::registry::Registry;
use crate::read::{Family, Reader, SeriesRead, Writer};

/// Every series of `registry` as one remote-write `WriteRequest`
/// (uncompressed protobuf), each series with one sample at `timestamp_ms`
/// and the `external_labels` it does not already have. Labels are sorted
/// by name, as the protocol requires.
///
/// What [`RemoteWrite`](crate::push::RemoteWrite) sends (split into requests of
/// `max_samples_per_send` and compressed), public for those who send it
/// themselves; the `enumeter-proto` crate of enumeter's repository reads it back:
///
/// ```
/// use enumeter::push::encode_write_request;
/// use enumeter_proto::remote_write::WriteRequest;
/// use enumeter::{metrics, Registry};
/// use prost::Message;
///
/// /// Jobs.
/// #[metrics(namespace = "jobs", register = false)]
/// pub enum Jobs {
///     /// Jobs done.
///     #[counter]
///     DoneTotal,
/// }
///
/// let jobs = JobsMetrics::new();
/// jobs.done_total().add(7);
/// let bytes = encode_write_request(
///     &Registry::new().with(&jobs),
///     &[("instance", "host-1")],
///     1_700_000_000_000,
/// );
/// let request = WriteRequest::decode(bytes.as_slice()).unwrap();
/// let series = &request.timeseries[0];
/// let labels: Vec<_> = series.labels.iter().map(|l| (&*l.name, &*l.value)).collect();
/// assert_eq!(labels, [("__name__", "jobs_done_total"), ("instance", "host-1")]);
/// assert_eq!(series.samples[0].value, 7.0);
/// ```
pub fn encode_write_request(
    registry: &Registry<'_>,
    external_labels: &[(&str, &str)],
    timestamp_ms: i64,
) -> Vec<u8> {
    let mut requests = Vec::new();
    encode_requests(
        registry,
        external_labels,
        timestamp_ms,
        usize::MAX,
        &mut requests,
    );
    requests.pop().unwrap_or_default()
}

/// [`encode_write_request`], split into requests of at most `max_series`
/// series (one sample each), appended to `requests` with their series
/// counts.
pub(crate) fn encode_requests(
    registry: &Registry<'_>,
    external_labels: &[(&str, &str)],
    timestamp_ms: i64,
    max_series: usize,
    requests: &mut Vec<Vec<u8>>,
) -> Vec<usize> {
    let mut batches = Batches {
        max_series,
        requests,
        counts: Vec::new(),
        current: Vec::new(),
        in_current: 0,
        series: SeriesWriter {
            external: external_labels,
            timestamp_ms,
            scratch: Vec::new(),
            exemplar: ExemplarRead::default(),
            exemplar_bytes: Vec::new(),
        },
        walk: remote_series::Scratch::default(),
    };
    Reader::with(|reader| reader.registry(registry, &mut batches));
    let Batches {
        requests,
        mut counts,
        current,
        in_current,
        ..
    } = batches;
    if in_current > 0 || requests.is_empty() {
        requests.push(current);
        counts.push(in_current);
    }
    counts
}

/// Appends each `TimeSeries` to the current request, starting a new one
/// every `max_series`.
struct Batches<'a> {
    max_series: usize,
    requests: &'a mut Vec<Vec<u8>>,
    counts: Vec<usize>,
    current: Vec<u8>,
    in_current: usize,
    series: SeriesWriter<'a>,
    walk: remote_series::Scratch,
}

impl Writer for Batches<'_> {
    fn series(&mut self, family: &Family<'_>, series: &SeriesRead<'_>) {
        let Batches {
            max_series,
            requests,
            counts,
            current,
            in_current,
            series: writer,
            walk,
        } = self;
        // Remote write 1.0 has no way to say a name is UTF-8: every name
        // goes as `underscores` spells it, which every receiver stores.
        let name = family
            .desc
            .spellings()
            .bare(family.desc.name, Escaping::Underscores);
        let timestamp_ms = writer.timestamp_ms;
        let mut emit = |one: &[u8]| {
            if *in_current == *max_series {
                requests.push(core::mem::take(current));
                counts.push(*in_current);
                *in_current = 0;
            }
            message_field(current, 1, one);
            *in_current += 1;
        };
        let mut sink = Sink {
            writer,
            emit: &mut emit,
        };
        remote_series::write(&mut sink, walk, name, (family, series), timestamp_ms);
    }
}

/// Writes each series of the walk as a `TimeSeries`, handed to `emit`.
struct Sink<'a, 'e> {
    writer: &'a mut SeriesWriter<'e>,
    emit: &'a mut dyn FnMut(&[u8]),
}

impl RemoteSeries for Sink<'_, '_> {
    fn start(&mut self, one: One<'_, '_>, name: Text<'_>, extra: Option<(&str, &str)>) {
        self.writer.labels(one, name, extra);
    }

    fn sample(&mut self, value: f64) {
        self.writer.sample(value);
    }

    fn exemplar(&mut self, one: One<'_, '_>, bucket: usize) {
        self.writer.exemplar(one, bucket);
    }

    fn histogram(&mut self, histogram: &[u8]) {
        message_field(&mut self.writer.scratch, 4, histogram);
    }

    fn end(&mut self, _: One<'_, '_>) {
        (self.emit)(&self.writer.scratch);
    }
}

struct SeriesWriter<'e> {
    external: &'e [(&'e str, &'e str)],
    timestamp_ms: i64,
    /// One `TimeSeries`, before it is appended with its length.
    scratch: Vec<u8>,
    /// An exemplar as read, and its `Exemplar` message.
    exemplar: ExemplarRead,
    exemplar_bytes: Vec<u8>,
}

impl SeriesWriter<'_> {
    /// The one sample of the `TimeSeries` in `scratch`: value (double),
    /// timestamp (int64, as a varint).
    fn sample(&mut self, value: f64) {
        let out = &mut self.scratch;
        let sample_len = 9 + 1 + crate::encode::wire::varint_len(self.timestamp_ms as u64);
        message_head(out, 2, sample_len);
        double_field(out, 1, value);
        varint_field(out, 2, self.timestamp_ms as u64);
    }

    /// The exemplar of `series`' `bucket` (0 for a counter), if it has one,
    /// as an `Exemplar` of the `TimeSeries` in `scratch`: labels, value and
    /// its own timestamp.
    fn exemplar(&mut self, (family, series): (&Family<'_>, &SeriesRead<'_>), bucket: usize) {
        if !family.has_exemplars() || !family.exemplar(series.index, bucket, &mut self.exemplar) {
            return;
        }
        let out = &mut self.exemplar_bytes;
        out.clear();
        for (name, value) in self.exemplar.labels() {
            label_field(out, 1, name, value, "");
        }
        double_field(out, 2, self.exemplar.value);
        varint_field(out, 3, self.exemplar.timestamp_ms);
        message_field(&mut self.scratch, 3, out);
    }

    /// A `TimeSeries`' labels into `scratch`, cleared first: `__name__`,
    /// the series' labels, `extra` (`le`, `quantile` or a state), the
    /// external labels it does not have, sorted by name.
    fn labels(
        &mut self,
        (family, series): (&Family<'_>, &SeriesRead<'_>),
        name: Text<'_>,
        extra: Option<(&str, &str)>,
    ) {
        let mut labels: SmallVec<[(&str, Text<'_>); 12]> = SmallVec::new();
        labels.push(("__name__", name));
        for (label, value) in series.labels_spelled(family, Escaping::Underscores) {
            labels.push((label, (value, "")));
        }
        if let Some((name, value)) = extra {
            labels.push((name, (value, "")));
        }
        let own = labels.len();
        for &(name, value) in self.external {
            // As in Prometheus, a series' own label wins over an external one.
            if !labels[..own].iter().any(|(n, _)| *n == name) {
                labels.push((name, (value, "")));
            }
        }
        labels.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let out = &mut self.scratch;
        out.clear();
        for (name, (value, suffix)) in &labels {
            label_field(out, 1, name, value, suffix);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use enumeter_macros::{metrics, LabelValue};

    #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
    #[label(rename_all = "lowercase")]
    enum Link {
        Up,
        Down,
    }

    /// Every kind.
    #[metrics(namespace = "rw", register = false)]
    enum Rw {
        /// Requests.
        #[counter]
        RequestsTotal { instance: bool },
        /// Latency.
        #[histogram(buckets = [0.5, 1e6])]
        Latency,
        /// Sizes.
        #[summary(quantiles = [0.5])]
        Size,
        /// The link.
        #[state_set(states = Link)]
        Link,
        /// The build.
        #[info]
        BuildInfo,
    }

    /// A series' labels as `name=value,...`.
    fn labels(series: &enumeter_proto::remote_write::TimeSeries) -> String {
        let labels: Vec<String> = series
            .labels
            .iter()
            .map(|l| format!("{}={}", l.name, l.value))
            .collect();
        labels.join(",")
    }

    fn series(bytes: &[u8]) -> Vec<String> {
        use prost::Message;
        let request = enumeter_proto::remote_write::WriteRequest::decode(bytes).unwrap();
        request
            .timeseries
            .iter()
            .map(|t| {
                format!(
                    "{} {} @{}",
                    labels(t),
                    t.samples[0].value,
                    t.samples[0].timestamp
                )
            })
            .collect()
    }

    /// Prometheus 3 names.
    #[metrics(register = false)]
    enum Dotted {
        /// Jobs.
        #[counter(name = "jobs.done_total")]
        Done {
            #[label(name = "job.ok")]
            ok: bool,
        },
        /// Job time.
        #[histogram(name = "job.duration", unit = "seconds", buckets = [1])]
        Duration,
        /// Phase.
        #[state_set(name = "job.phase", states = Phase)]
        JobPhase,
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
    #[label(rename_all = "lowercase")]
    enum Phase {
        Idle,
    }

    #[test]
    fn prometheus_3_names_go_escaped_with_underscores() {
        let metrics = DottedMetrics::new();
        metrics.done(true).inc();
        metrics.duration().observe(0.5);
        metrics.job_phase().set(Phase::Idle);
        let bytes = encode_write_request(&Registry::new().with(&metrics), &[], 7);
        assert_eq!(
            series(&bytes),
            [
                "__name__=jobs_done_total,job_ok=false 0 @7",
                "__name__=jobs_done_total,job_ok=true 1 @7",
                "__name__=job_duration_seconds_bucket,le=1 1 @7",
                "__name__=job_duration_seconds_bucket,le=+Inf 1 @7",
                "__name__=job_duration_seconds_sum 0.5 @7",
                "__name__=job_duration_seconds_count 1 @7",
                "__name__=job_phase,job_phase=idle 1 @7",
            ]
        );
    }

    /// Exemplars on a counter and on histogram buckets.
    #[metrics(namespace = "rwx", register = false)]
    enum RwExemplars {
        /// Jobs.
        #[counter(exemplars)]
        JobsTotal,
        /// Latency.
        #[histogram(buckets = [0.5, 1], exemplars)]
        Latency,
    }

    #[test]
    fn exemplars_go_with_the_counter_and_the_bucket_they_belong_to() {
        use prost::Message;
        let metrics = RwExemplarsMetrics::new();
        metrics
            .jobs_total()
            .add_with_exemplar(3, &[("trace_id", "aa")]);
        metrics
            .latency()
            .observe_with_exemplar(0.75, &[("trace_id", "bb"), ("span_id", "cc")]);
        metrics.latency().observe(0.1);
        let bytes = encode_write_request(&Registry::new().with(&metrics), &[], 7);
        let request = enumeter_proto::remote_write::WriteRequest::decode(&bytes[..]).unwrap();
        let exemplars: Vec<String> = request
            .timeseries
            .iter()
            .flat_map(|t| {
                t.exemplars.iter().map(move |e| {
                    let own: Vec<String> = e
                        .labels
                        .iter()
                        .map(|l| format!("{}={}", l.name, l.value))
                        .collect();
                    format!("{} {} {}", labels(t), own.join(","), e.value)
                })
            })
            .collect();
        assert_eq!(
            exemplars,
            [
                "__name__=rwx_jobs_total trace_id=aa 3",
                "__name__=rwx_latency_bucket,le=1 trace_id=bb,span_id=cc 0.75",
            ]
        );
        let timestamps: Vec<i64> = request
            .timeseries
            .iter()
            .flat_map(|t| t.exemplars.iter().map(|e| e.timestamp))
            .collect();
        assert!(
            timestamps.iter().all(|&ms| ms > 1_600_000_000_000),
            "{timestamps:?}"
        );
    }

    /// A native histogram beside its classic buckets.
    #[metrics(namespace = "rw", register = false)]
    enum RwNative {
        /// Latency, native at schema 0, with one classic bound.
        #[histogram(
            unit = "seconds",
            buckets = [1],
            native(schema = 0, zero_threshold = 0.001, max = 1000)
        )]
        Latency,
    }

    #[test]
    fn native_buckets_are_sent_as_one_histogram_beside_the_classic_series() {
        use enumeter_proto::remote_write::{BucketSpan, Histogram};
        use prost::Message;
        let rw = RwNativeMetrics::new();
        for v in [0.0005, 0.75, 1.0, 1.5, 2.0, 6.0, 7.0, 8.0] {
            rw.latency().observe(v);
        }
        let bytes = encode_write_request(&Registry::new().with(&rw), &[("job", "j")], 42);
        let request = enumeter_proto::remote_write::WriteRequest::decode(bytes.as_slice()).unwrap();
        let names: Vec<String> = request
            .timeseries
            .iter()
            .map(|t| format!("{} {} {}", labels(t), t.samples.len(), t.histograms.len()))
            .collect();
        assert_eq!(
            names,
            [
                "__name__=rw_latency_seconds_bucket,job=j,le=1 1 0",
                "__name__=rw_latency_seconds_bucket,job=j,le=+Inf 1 0",
                "__name__=rw_latency_seconds_sum,job=j 1 0",
                "__name__=rw_latency_seconds_count,job=j 1 0",
                "__name__=rw_latency_seconds,job=j 0 1",
            ]
        );
        // Zero bucket 0.0005; (0.5, 1]: 0.75 and 1; (1, 2]: 1.5 and 2;
        // (4, 8]: 6, 7 and 8 — keys 0, 1 and 3 at schema 0.
        assert_eq!(
            request.timeseries[4].histograms,
            [Histogram {
                count_int: 8,
                count_float: 0.0,
                sum: 26.2505,
                schema: 0,
                zero_threshold: 0.001,
                zero_count_int: 1,
                zero_count_float: 0.0,
                negative_spans: vec![],
                negative_deltas: vec![],
                positive_spans: vec![
                    BucketSpan {
                        offset: 0,
                        length: 2
                    },
                    BucketSpan {
                        offset: 1,
                        length: 1
                    },
                ],
                positive_deltas: vec![2, 0, 1],
                timestamp: 42,
            }]
        );
    }

    #[test]
    fn series_are_named_and_labelled_as_prometheus_stores_a_scrape() {
        let rw = RwMetrics::new();
        rw.requests_total(true).add(3);
        rw.latency().observe(0.25);
        rw.latency().observe(2.0);
        rw.size().observe(4.0);
        rw.link().set(Link::Down);
        rw.build_info().set();
        let registry = Registry::new().with(&rw);
        let request = encode_write_request(&registry, &[("instance", "w7"), ("job", "j")], 42);
        let got = series(&request);
        // Split into requests of 5 series, the same series in the same order.
        let mut requests = Vec::new();
        let counts = encode_requests(
            &registry,
            &[("instance", "w7"), ("job", "j")],
            42,
            5,
            &mut requests,
        );
        assert_eq!(counts, [5, 5, 3]);
        let split: Vec<String> = requests.iter().flat_map(|r| series(r)).collect();
        assert_eq!(split, got);
        assert_eq!(
            got,
            [
                // The series' own `instance` wins over the external one.
                "__name__=rw_requests_total,instance=false,job=j 0 @42".to_owned(),
                "__name__=rw_requests_total,instance=true,job=j 3 @42".to_owned(),
                "__name__=rw_latency_bucket,instance=w7,job=j,le=0.5 1 @42".to_owned(),
                "__name__=rw_latency_bucket,instance=w7,job=j,le=1e+06 2 @42".to_owned(),
                "__name__=rw_latency_bucket,instance=w7,job=j,le=+Inf 2 @42".to_owned(),
                "__name__=rw_latency_sum,instance=w7,job=j 2.25 @42".to_owned(),
                "__name__=rw_latency_count,instance=w7,job=j 2 @42".to_owned(),
                // The sketch's estimate of 4: its bucket's midpoint, within 1%.
                "__name__=rw_size,instance=w7,job=j,quantile=0.5 4.039607115812012 @42".to_owned(),
                "__name__=rw_size_sum,instance=w7,job=j 4 @42".to_owned(),
                "__name__=rw_size_count,instance=w7,job=j 1 @42".to_owned(),
                "__name__=rw_link,instance=w7,job=j,rw_link=up 0 @42".to_owned(),
                "__name__=rw_link,instance=w7,job=j,rw_link=down 1 @42".to_owned(),
                "__name__=rw_build_info,instance=w7,job=j 1 @42".to_owned(),
            ]
        );
    }
}
