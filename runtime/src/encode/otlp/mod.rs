//! A registry as one OTLP `ExportMetricsServiceRequest`, written straight
//! into protobuf's wire format by a writer over the one reader.

pub(crate) mod delta;

use self::delta::Delta;
use crate::cells::exemplar::ExemplarRead;
use crate::cells::metric::MetricDesc;
use crate::cells::native::NativeSnapshot;
use crate::encode::wire::{
    double_field, field_len, fixed64_field, message_field, message_head, string_field, varint,
    varint_field, zigzag32,
};
use crate::read::registry::Registry;
use crate::read::{Family, Kind, Reader, SeriesRead, Value, Writer};

/// `AggregationTemporality.DELTA`.
const DELTA: u64 = 1;
/// `AggregationTemporality.CUMULATIVE`.
const CUMULATIVE: u64 = 2;

/// A `KeyValue` with a string `AnyValue`, as field `field`.
fn attribute(out: &mut Vec<u8>, field: u32, key: &str, value: &str, scratch: &mut Vec<u8>) {
    scratch.clear();
    string_field(scratch, 1, key);
    // AnyValue { string_value = 1 }.
    let any_len = field_len(value.len());
    message_head(scratch, 2, any_len);
    string_field(scratch, 1, value);
    message_field(out, field, scratch);
}

/// The UCUM unit OpenTelemetry expects for a Prometheus unit word, when
/// there is one; the word itself otherwise.
fn ucum(unit: &str) -> &str {
    match unit {
        "seconds" => "s",
        "milliseconds" => "ms",
        "microseconds" => "us",
        "nanoseconds" => "ns",
        "bytes" => "By",
        "ratio" => "1",
        other => other,
    }
}

/// Writes `registry` as requests of about `max_points` data points each
/// (a family is split between two requests where one fills, a series never
/// is), each with its data points: a `ResourceMetrics` with `resource` as
/// its attributes, one `ScopeMetrics` naming enumeter and its version, a
/// `Metric` per family (or part of one) with at least one series; every
/// point taken at `time_unix_nano`. Counters and histograms are sent as
/// deltas from the previous sampling when `delta` is given. A registry
/// with nothing to send gives one request without metrics.
pub(crate) fn encode(
    registry: &Registry<'_>,
    resource: &[(&str, &str)],
    time_unix_nano: u64,
    max_points: usize,
    delta: Option<&mut Delta>,
) -> Vec<(Vec<u8>, usize)> {
    let mut scratch = Vec::new();
    // Resource { attributes = 1 }.
    let mut resource_message = Vec::new();
    for (key, value) in resource {
        attribute(&mut resource_message, 1, key, value, &mut scratch);
    }
    // InstrumentationScope { name = 1, version = 2 }.
    let mut scope = Vec::new();
    string_field(&mut scope, 1, "enumeter");
    string_field(&mut scope, 2, env!("CARGO_PKG_VERSION"));
    let mut writer = OtlpWriter {
        time_unix_nano,
        max_points: max_points.max(1),
        resource: resource_message,
        scope,
        delta,
        requests: Vec::new(),
        metrics: Vec::new(),
        request_points: 0,
        family_points: 0,
        points: Vec::new(),
        point: Vec::new(),
        inner: Vec::new(),
        scratch,
        data: Vec::new(),
        cumulative: Vec::new(),
        native: NativeSnapshot::default(),
        exemplar: ExemplarRead::default(),
    };
    Reader::with(|reader| reader.registry(registry, &mut writer));
    if writer.request_points > 0 || writer.requests.is_empty() {
        writer.close_request();
    }
    if let Some(delta) = writer.delta {
        delta.previous_ns = Some(time_unix_nano);
    }
    writer.requests
}

struct OtlpWriter<'d> {
    time_unix_nano: u64,
    max_points: usize,
    /// The `Resource` message every request carries.
    resource: Vec<u8>,
    /// The `InstrumentationScope` message every request carries.
    scope: Vec<u8>,
    delta: Option<&'d mut Delta>,
    /// The requests closed so far, with their data points.
    requests: Vec<(Vec<u8>, usize)>,
    /// The `Metric` fields (ScopeMetrics field 2) of the request being
    /// written.
    metrics: Vec<u8>,
    /// Data points in `metrics`.
    request_points: usize,
    /// Data points in `points`.
    family_points: usize,
    /// The data points of the family being written.
    points: Vec<u8>,
    /// One data point.
    point: Vec<u8>,
    /// A message inside a point (a bucket set, a quantile, an exemplar).
    inner: Vec<u8>,
    scratch: Vec<u8>,
    /// The family's data message (a Sum, a Gauge, ...).
    data: Vec<u8>,
    /// A histogram series' counts, made deltas.
    cumulative: Vec<u64>,
    native: NativeSnapshot,
    exemplar: ExemplarRead,
}

impl OtlpWriter<'_> {
    /// The attributes, start and time of a point, with the attribute field
    /// number of its message; the start is `start_ns` when given (a
    /// delta's), else the instance's created time.
    fn point_head(
        &mut self,
        family: &Family<'_>,
        series: &SeriesRead<'_>,
        attributes: u32,
        start_ns: Option<u64>,
    ) {
        self.point.clear();
        for (name, value) in series.labels(family) {
            attribute(&mut self.point, attributes, name, value, &mut self.scratch);
        }
        let created = family.created_ms.map(|ms| ms.saturating_mul(1_000_000));
        if let Some(start) = start_ns.or(created) {
            fixed64_field(&mut self.point, 2, start);
        }
        fixed64_field(&mut self.point, 3, self.time_unix_nano);
    }

    /// Ends a data point: it joins the family's.
    fn end_point(&mut self) {
        message_field(&mut self.points, 1, &self.point);
        self.family_points += 1;
    }

    /// Writes the family's points so far as a `Metric` of the request:
    /// the points are copied once, behind the heads written from their
    /// length (a large family is megabytes).
    fn flush_metric(&mut self, family: &Family<'_>) {
        if self.family_points == 0 {
            return;
        }
        let desc = family.desc;
        // The Metric's fields before its data.
        let mut head = core::mem::take(&mut self.scratch);
        head.clear();
        string_field(&mut head, 1, otlp_name(desc, family.kind));
        string_field(&mut head, 2, desc.help);
        if let Some(unit) = desc.unit {
            string_field(&mut head, 3, ucum(unit));
        }
        // The data's fields after its points.
        let mut tail = core::mem::take(&mut self.data);
        tail.clear();
        let temporality = if self.delta.is_some() {
            DELTA
        } else {
            CUMULATIVE
        };
        // The data, by kind: Gauge 5, Sum 7, Histogram 9,
        // ExponentialHistogram 10, Summary 11.
        let field = match family.kind {
            Kind::Counter | Kind::FloatCounter => {
                varint_field(&mut tail, 2, temporality);
                varint_field(&mut tail, 3, 1);
                7
            }
            Kind::Gauge | Kind::FloatGauge | Kind::Info | Kind::StateSet(_) => 5,
            Kind::Histogram(_) => {
                varint_field(&mut tail, 2, temporality);
                if family.has_native() {
                    10
                } else {
                    9
                }
            }
            Kind::Summary(_) => 11,
        };
        let data_len = self.points.len() + tail.len();
        message_head(&mut self.metrics, 2, head.len() + field_len(data_len));
        self.metrics.extend_from_slice(&head);
        message_head(&mut self.metrics, field, data_len);
        self.metrics.extend_from_slice(&self.points);
        self.metrics.extend_from_slice(&tail);
        self.scratch = head;
        self.data = tail;
        self.request_points += self.family_points;
        self.family_points = 0;
        self.points.clear();
    }

    /// Wraps the metrics written so far into a request of their own,
    /// copying them once behind the heads written from their length.
    fn close_request(&mut self) {
        // ScopeMetrics { scope = 1, metrics = 2 }: the metrics are their
        // own fields already.
        let scope_metrics_len = field_len(self.scope.len()) + self.metrics.len();
        // ResourceMetrics { resource = 1, scope_metrics = 2 }.
        let resource_metrics_len = field_len(self.resource.len()) + field_len(scope_metrics_len);
        // ExportMetricsServiceRequest { resource_metrics = 1 }.
        let mut request = Vec::with_capacity(field_len(resource_metrics_len));
        message_head(&mut request, 1, resource_metrics_len);
        message_field(&mut request, 1, &self.resource);
        message_head(&mut request, 2, scope_metrics_len);
        message_field(&mut request, 1, &self.scope);
        request.extend_from_slice(&self.metrics);
        self.requests.push((request, self.request_points));
        self.metrics.clear();
        self.request_points = 0;
    }

    /// The exemplar of `series`' `bucket` as an `Exemplar` (field `field`),
    /// when it has one: `trace_id` and `span_id` given in hex as bytes,
    /// every other label as a filtered attribute.
    fn exemplar(&mut self, family: &Family<'_>, series: usize, bucket: usize, field: u32) {
        if !family.exemplar(series, bucket, &mut self.exemplar) {
            return;
        }
        self.inner.clear();
        fixed64_field(
            &mut self.inner,
            2,
            self.exemplar.timestamp_ms.saturating_mul(1_000_000),
        );
        double_field(&mut self.inner, 3, self.exemplar.value);
        for (name, value) in self.exemplar.labels() {
            let id_len = match name {
                "trace_id" => 16,
                "span_id" => 8,
                _ => 0,
            };
            match hex_bytes(value, id_len) {
                Some(bytes) => {
                    let field = if id_len == 16 { 5 } else { 4 };
                    message_field(&mut self.inner, field, &bytes[..id_len]);
                }
                None => attribute(&mut self.inner, 7, name, value, &mut self.scratch),
            }
        }
        message_field(&mut self.point, field, &self.inner);
    }

    /// A `NumberDataPoint`, as an integer or a double; a counter's is a
    /// delta when deltas are asked for.
    fn number_point(&mut self, family: &Family<'_>, series: &SeriesRead<'_>, value: Number) {
        let counter = matches!(family.kind, Kind::Counter | Kind::FloatCounter);
        let (value, start) = match (self.delta.as_deref_mut(), value) {
            (Some(delta), Number::Int(v)) if counter => {
                let (d, start) = delta.int(family, series, v as u64);
                (Number::Int(d as i64), start)
            }
            (Some(delta), Number::Double(v)) if counter => {
                let (d, start) = delta.float(family, series, v);
                (Number::Double(d), start)
            }
            (_, value) => (value, None),
        };
        self.point_head(family, series, 7, start);
        match value {
            Number::Int(v) => fixed64_field(&mut self.point, 6, v as u64),
            Number::Double(v) => double_field(&mut self.point, 4, v),
        }
        if family.has_exemplars() && matches!(family.kind, Kind::Counter) {
            self.exemplar(family, series.index, 0, 5);
        }
        self.end_point();
    }
}

#[derive(Clone, Copy)]
enum Number {
    Int(i64),
    Double(f64),
}

/// `text`, `len` bytes in hex (two digits a byte, either case), as bytes.
fn hex_bytes(text: &str, len: usize) -> Option<[u8; 16]> {
    if len == 0 || text.len() != 2 * len {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, pair) in text.as_bytes().chunks(2).enumerate() {
        let digit = |b: u8| (b as char).to_digit(16);
        out[i] = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
    }
    Some(out)
}

impl Writer for OtlpWriter<'_> {
    fn family(&mut self, _family: &Family<'_>) {
        self.points.clear();
        self.family_points = 0;
    }

    fn series(&mut self, family: &Family<'_>, series: &SeriesRead<'_>) {
        self.write_series(family, series);
        if self.request_points + self.family_points >= self.max_points {
            self.flush_metric(family);
            self.close_request();
        }
    }

    fn end_family(&mut self, family: &Family<'_>) {
        self.flush_metric(family);
    }
}

impl OtlpWriter<'_> {
    /// The data points of one series.
    fn write_series(&mut self, family: &Family<'_>, series: &SeriesRead<'_>) {
        match &series.value {
            Value::Counter(v) => self.number_point(family, series, Number::Int(*v as i64)),
            Value::Gauge(v) => self.number_point(family, series, Number::Int(*v)),
            Value::FloatGauge(v) | Value::FloatCounter(v) => {
                self.number_point(family, series, Number::Double(*v))
            }
            Value::Info => self.number_point(family, series, Number::Int(1)),
            Value::State(current) => {
                // One point per state, the state named by an attribute of
                // the family's name, as Prometheus' own state sets are.
                if let Kind::StateSet(states) = family.kind {
                    for state in states {
                        self.point_head(family, series, 7, None);
                        attribute(
                            &mut self.point,
                            7,
                            family.desc.name,
                            state,
                            &mut self.scratch,
                        );
                        let on = i64::from(*current == Some(*state));
                        fixed64_field(&mut self.point, 6, on as u64);
                        self.end_point();
                    }
                }
            }
            Value::Histogram {
                bounds,
                cumulative,
                sum,
            } => {
                let mut sum = *sum;
                if let Some(spec) = family.native(series.index, &mut self.native) {
                    // OTLP's count is the buckets' total, exactly: taken
                    // from the same reading, not the classic one before it.
                    let mut count = self.native.count();
                    let start = match self.delta.as_deref_mut() {
                        Some(delta) => {
                            delta.native(family, series, &mut self.native, &mut count, &mut sum)
                        }
                        None => None,
                    };
                    // ExponentialHistogramDataPoint: attributes 1.
                    self.point_head(family, series, 1, start);
                    fixed64_field(&mut self.point, 4, count);
                    double_field(&mut self.point, 5, sum);
                    varint_field(&mut self.point, 6, zigzag32(self.native.schema));
                    fixed64_field(&mut self.point, 7, self.native.zero);
                    for (buckets, field) in [(&self.native.positive, 8), (&self.native.negative, 9)]
                    {
                        let Some(&(first, _)) = buckets.first() else {
                            continue;
                        };
                        // A Prometheus key k is (base^(k-1), base^k]; an
                        // OTLP index i is (base^i, base^(i+1)]: i = k - 1.
                        self.inner.clear();
                        let offset = first - 1;
                        varint_field(&mut self.inner, 1, zigzag32(offset));
                        self.scratch.clear();
                        let mut next = first;
                        for &(key, n) in buckets.iter() {
                            while next < key {
                                varint(&mut self.scratch, 0);
                                next += 1;
                            }
                            varint(&mut self.scratch, n);
                            next = key + 1;
                        }
                        message_field(&mut self.inner, 2, &self.scratch);
                        message_field(&mut self.point, field, &self.inner);
                    }
                    for bucket in 0..cumulative.len() {
                        self.exemplar(family, series.index, bucket, 11);
                    }
                    double_field(&mut self.point, 14, spec.zero_threshold);
                } else {
                    self.cumulative.clear();
                    self.cumulative.extend_from_slice(cumulative);
                    let start = match self.delta.as_deref_mut() {
                        Some(delta) => {
                            delta.histogram(family, series, &mut self.cumulative, &mut sum)
                        }
                        None => None,
                    };
                    let count = self.cumulative.last().copied().unwrap_or(0);
                    // HistogramDataPoint: attributes 9.
                    self.point_head(family, series, 9, start);
                    fixed64_field(&mut self.point, 4, count);
                    double_field(&mut self.point, 5, sum);
                    // Per-bucket counts, packed fixed64; the bounds, packed.
                    self.scratch.clear();
                    let mut below = 0;
                    for &c in self.cumulative.iter() {
                        self.scratch.extend_from_slice(&(c - below).to_le_bytes());
                        below = c;
                    }
                    message_field(&mut self.point, 6, &self.scratch);
                    self.scratch.clear();
                    for bound in bounds.iter() {
                        self.scratch.extend_from_slice(&bound.to_le_bytes());
                    }
                    if !bounds.is_empty() {
                        message_field(&mut self.point, 7, &self.scratch);
                    }
                    for bucket in 0..cumulative.len() {
                        self.exemplar(family, series.index, bucket, 8);
                    }
                }
                self.end_point();
            }
            Value::Summary {
                quantiles,
                count,
                sum,
            } => {
                // SummaryDataPoint: attributes 7.
                self.point_head(family, series, 7, None);
                fixed64_field(&mut self.point, 4, *count);
                double_field(&mut self.point, 5, *sum);
                for &(q, estimate) in quantiles.iter() {
                    self.inner.clear();
                    double_field(&mut self.inner, 1, q);
                    double_field(&mut self.inner, 2, estimate);
                    message_field(&mut self.point, 6, &self.inner);
                }
                self.end_point();
            }
        }
    }
}

/// The name a metric takes in OTLP. A legacy name goes as declared
/// (`jobs_total`, `rtt_seconds`), as it always has. A Prometheus 3 name
/// (outside the legacy character set, as OpenTelemetry's semantic
/// conventions name them) goes as OpenTelemetry names it: without the
/// `_total` a counter's name ends in, nor the `_<unit>` its unit added (the
/// unit has a field of its own), so `http.server.request.duration_seconds`
/// goes as `http.server.request.duration` in `s`. A Prometheus 3 receiver
/// adds both back (`otlp.translation_strategy` with suffixes, its default),
/// storing the name a scrape stores.
pub(crate) fn otlp_name(desc: &'static MetricDesc, kind: Kind) -> &'static str {
    let name = desc.name;
    if !desc.spellings().is_utf8() {
        return name;
    }
    let name = match kind {
        Kind::Counter | Kind::FloatCounter => name.strip_suffix("_total").unwrap_or(name),
        _ => name,
    };
    match desc.unit {
        Some(unit) => name
            .strip_suffix(unit)
            .and_then(|rest| rest.strip_suffix('_'))
            .unwrap_or(name),
        None => name,
    }
}
