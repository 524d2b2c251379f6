//! A registry as remote-write series, named and labelled exactly as
//! Prometheus stores them after scraping the registry's Prometheus text:
//! `_bucket{le}`, `_sum` and `_count` for histograms, `{quantile}`, `_sum`
//! and `_count` for summaries, one series per state for state sets. A
//! histogram with native buckets is also sent as one native histogram
//! (`TimeSeries.histograms`), as Prometheus stores a protobuf scrape.
//! Exemplars go with the series they belong to, as a scrape of OpenMetrics
//! gives them: a counter's on its series, a bucket's on its `_bucket`
//! series (`TimeSeries.exemplars`).
//! Written directly in protobuf's wire format (`crate::encode::wire`, shared with
//! the protobuf exposition), one `TimeSeries` at a time.

use crate::cells::spelling::Escaping;
use smallvec::SmallVec;

use crate::cells::exemplar::ExemplarRead;
use crate::cells::native::NativeSnapshot;
use crate::encode::number::write_float;
use crate::encode::wire::{
    double_field, label_field, message_field, message_head, varint_field, write_native_fields,
    REMOTE_WRITE_NATIVE_FIELDS,
};
use crate::read::registry::Registry;
use crate::read::{Family, Kind, Reader, SeriesRead, Value, Writer};

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
            number: Vec::new(),
            native: NativeSnapshot::default(),
            histogram: Vec::new(),
            exemplar: ExemplarRead::default(),
            exemplar_bytes: Vec::new(),
        },
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
        } = self;
        writer.write_all(family, series, &mut |one: &[u8]| {
            if *in_current == *max_series {
                requests.push(core::mem::take(current));
                counts.push(*in_current);
                *in_current = 0;
            }
            message_field(current, 1, one);
            *in_current += 1;
        });
    }
}

struct SeriesWriter<'e> {
    external: &'e [(&'e str, &'e str)],
    timestamp_ms: i64,
    /// One `TimeSeries`, before it is appended with its length.
    scratch: Vec<u8>,
    /// A bound or quantile, spelled as the text format spells it.
    number: Vec<u8>,
    /// A native histogram's buckets, and its `Histogram` message.
    native: NativeSnapshot,
    histogram: Vec<u8>,
    /// An exemplar as read, and its `Exemplar` message.
    exemplar: ExemplarRead,
    exemplar_bytes: Vec<u8>,
}

/// A label value: a text, or a name and a suffix written one after the
/// other (`__name__` of `x_bucket`), so that no string is built.
type Text<'a> = (&'a str, &'a str);

impl SeriesWriter<'_> {
    /// Every remote-write series of one registry series, each passed to
    /// `emit` as an encoded `TimeSeries`.
    fn write_all(
        &mut self,
        family: &Family<'_>,
        series: &SeriesRead<'_>,
        emit: &mut dyn FnMut(&[u8]),
    ) {
        // Remote write 1.0 has no way to say a name is UTF-8: every name
        // goes as `underscores` spells it, which every receiver stores.
        let name = family
            .desc
            .spellings()
            .bare(family.desc.name, Escaping::Underscores);
        let one = (family, series);
        match &series.value {
            Value::Counter(v) => {
                self.labels(one, (name, ""), None);
                self.sample(*v as f64);
                self.exemplar(one, 0);
                emit(&self.scratch);
            }
            Value::Gauge(v) => self.one(one, (name, ""), None, *v as f64, emit),
            Value::FloatGauge(v) | Value::FloatCounter(v) => {
                self.one(one, (name, ""), None, *v, emit)
            }
            Value::Info => self.one(one, (name, ""), None, 1.0, emit),
            Value::State(current) => {
                if let Kind::StateSet(states) = family.kind {
                    for state in states {
                        let value = if *current == Some(*state) { 1.0 } else { 0.0 };
                        self.one(one, (name, ""), Some((name, state)), value, emit);
                    }
                }
            }
            Value::Histogram {
                bounds,
                cumulative,
                sum,
            } => {
                for (i, &count) in cumulative.iter().enumerate() {
                    let mut number = core::mem::take(&mut self.number);
                    number.clear();
                    write_float(&mut number, bounds.get(i).copied().unwrap_or(f64::INFINITY));
                    let le = core::str::from_utf8(&number).unwrap_or("NaN");
                    self.labels(one, (name, "_bucket"), Some(("le", le)));
                    self.sample(count as f64);
                    self.exemplar(one, i);
                    emit(&self.scratch);
                    self.number = number;
                }
                self.one(one, (name, "_sum"), None, *sum, emit);
                let count = cumulative.last().copied().unwrap_or(0);
                self.one(one, (name, "_count"), None, count as f64, emit);
                self.native(one, *sum, emit);
            }
            Value::Summary {
                quantiles,
                count,
                sum,
            } => {
                for &(q, estimate) in quantiles.iter() {
                    let mut number = core::mem::take(&mut self.number);
                    number.clear();
                    write_float(&mut number, q);
                    let quantile = core::str::from_utf8(&number).unwrap_or("NaN");
                    self.one(
                        one,
                        (name, ""),
                        Some(("quantile", quantile)),
                        estimate,
                        emit,
                    );
                    self.number = number;
                }
                self.one(one, (name, "_sum"), None, *sum, emit);
                self.one(one, (name, "_count"), None, *count as f64, emit);
            }
        }
    }

    /// One `TimeSeries`: its labels, then its one sample.
    fn one(
        &mut self,
        one: (&Family<'_>, &SeriesRead<'_>),
        name: Text<'_>,
        extra: Option<(&str, &str)>,
        value: f64,
        emit: &mut dyn FnMut(&[u8]),
    ) {
        self.labels(one, name, extra);
        self.sample(value);
        emit(&self.scratch);
    }

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
        for (label, value) in series.labels_spelled(family.desc, Escaping::Underscores) {
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

    /// A histogram's native buckets, when it has them, as one series of
    /// the family's own name carrying a `Histogram` (field 4 of
    /// `TimeSeries`) with the classic `sum` and the count of its own
    /// buckets (a value recorded between the classic and the native
    /// reading would otherwise leave more in the buckets than the count
    /// says): what Prometheus stores when it scrapes the protobuf
    /// exposition with native histograms enabled. The classic series are
    /// sent beside it, as a scrape of the text formats gives them.
    fn native(
        &mut self,
        (family, series): (&Family<'_>, &SeriesRead<'_>),
        sum: f64,
        emit: &mut dyn FnMut(&[u8]),
    ) {
        let Some(spec) = family.native(series.index, &mut self.native) else {
            return;
        };
        let histogram = &mut self.histogram;
        histogram.clear();
        varint_field(histogram, 1, self.native.count());
        double_field(histogram, 3, sum);
        // The span scratch: `number` is free between series.
        write_native_fields(
            histogram,
            spec,
            &self.native,
            &REMOTE_WRITE_NATIVE_FIELDS,
            &mut self.number,
        );
        varint_field(histogram, 15, self.timestamp_ms as u64);
        let name = family
            .desc
            .spellings()
            .bare(family.desc.name, Escaping::Underscores);
        self.labels((family, series), (name, ""), None);
        message_field(&mut self.scratch, 4, &self.histogram);
        emit(&self.scratch);
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
