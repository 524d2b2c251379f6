//! A registry as one OTLP `ExportMetricsServiceRequest`, written straight
//! into protobuf's wire format by a writer over the one reader.

use crate::encode::wire::{
    double_field, fixed64_field, message_field, message_head, string_field, varint, varint_field,
    zigzag32,
};
use crate::exemplar::ExemplarRead;
use crate::native::NativeSnapshot;
use crate::read::{Family, Kind, Reader, SeriesRead, Value, Writer};
use crate::Registry;

/// `AggregationTemporality.CUMULATIVE`.
const CUMULATIVE: u64 = 2;

/// A `KeyValue` with a string `AnyValue`, as field `field`.
fn attribute(out: &mut Vec<u8>, field: u32, key: &str, value: &str, scratch: &mut Vec<u8>) {
    scratch.clear();
    string_field(scratch, 1, key);
    // AnyValue { string_value = 1 }.
    let any_len = crate::encode::wire::field_len(value.len());
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

/// Writes `registry` as one request: a `ResourceMetrics` with `resource`
/// as its attributes, one `ScopeMetrics` naming enumeter and its version,
/// one `Metric` per family with at least one series; every point taken at
/// `time_unix_nano`.
pub(super) fn encode(
    registry: &Registry<'_>,
    resource: &[(&str, &str)],
    time_unix_nano: u64,
) -> Vec<u8> {
    let mut writer = OtlpWriter {
        time_unix_nano,
        metrics: Vec::new(),
        points: Vec::new(),
        point: Vec::new(),
        inner: Vec::new(),
        scratch: Vec::new(),
        data: Vec::new(),
        native: NativeSnapshot::default(),
        exemplar: ExemplarRead::default(),
        in_family: 0,
    };
    Reader::with(|reader| reader.registry(registry, &mut writer));
    let OtlpWriter {
        metrics,
        mut scratch,
        ..
    } = writer;

    // ScopeMetrics { scope = 1 { name, version }, metrics = 2 }.
    let mut scope_metrics = Vec::with_capacity(metrics.len() + 32);
    let mut scope = Vec::new();
    string_field(&mut scope, 1, "enumeter");
    string_field(&mut scope, 2, env!("CARGO_PKG_VERSION"));
    message_field(&mut scope_metrics, 1, &scope);
    scope_metrics.extend_from_slice(&metrics);

    // ResourceMetrics { resource = 1 { attributes = 1 }, scope_metrics = 2 }.
    let mut resource_message = Vec::new();
    for (key, value) in resource {
        attribute(&mut resource_message, 1, key, value, &mut scratch);
    }
    let mut resource_metrics = Vec::with_capacity(scope_metrics.len() + 64);
    message_field(&mut resource_metrics, 1, &resource_message);
    message_field(&mut resource_metrics, 2, &scope_metrics);

    // ExportMetricsServiceRequest { resource_metrics = 1 }.
    let mut request = Vec::with_capacity(resource_metrics.len() + 8);
    message_field(&mut request, 1, &resource_metrics);
    request
}

struct OtlpWriter {
    time_unix_nano: u64,
    /// The `Metric` fields (ScopeMetrics field 2) written so far.
    metrics: Vec<u8>,
    /// The data points of the family being written.
    points: Vec<u8>,
    /// One data point.
    point: Vec<u8>,
    /// A message inside a point (a bucket set, a quantile, an exemplar).
    inner: Vec<u8>,
    scratch: Vec<u8>,
    /// The family's data message (a Sum, a Gauge, ...).
    data: Vec<u8>,
    native: NativeSnapshot,
    exemplar: ExemplarRead,
    /// Series written in the family being written.
    in_family: usize,
}

impl OtlpWriter {
    /// The attributes, start and time of a point, with the attribute field
    /// number of its message.
    fn point_head(&mut self, family: &Family<'_>, series: &SeriesRead<'_>, attributes: u32) {
        self.point.clear();
        for (name, value) in series.labels(family.desc) {
            attribute(&mut self.point, attributes, name, value, &mut self.scratch);
        }
        if let Some(ms) = family.created_ms {
            fixed64_field(&mut self.point, 2, ms.saturating_mul(1_000_000));
        }
        fixed64_field(&mut self.point, 3, self.time_unix_nano);
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

    /// A `NumberDataPoint`, as an integer or a double.
    fn number_point(&mut self, family: &Family<'_>, series: &SeriesRead<'_>, value: Number) {
        self.point_head(family, series, 7);
        match value {
            Number::Int(v) => fixed64_field(&mut self.point, 6, v as u64),
            Number::Double(v) => double_field(&mut self.point, 4, v),
        }
        if family.has_exemplars() && matches!(family.kind, Kind::Counter) {
            self.exemplar(family, series.index, 0, 5);
        }
        message_field(&mut self.points, 1, &self.point);
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

impl Writer for OtlpWriter {
    fn family(&mut self, _family: &Family<'_>) {
        self.points.clear();
        self.in_family = 0;
    }

    fn series(&mut self, family: &Family<'_>, series: &SeriesRead<'_>) {
        self.in_family += 1;
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
                        self.point_head(family, series, 7);
                        attribute(
                            &mut self.point,
                            7,
                            family.desc.name,
                            state,
                            &mut self.scratch,
                        );
                        let on = i64::from(*current == Some(*state));
                        fixed64_field(&mut self.point, 6, on as u64);
                        message_field(&mut self.points, 1, &self.point);
                    }
                }
            }
            Value::Histogram {
                bounds,
                cumulative,
                sum,
            } => {
                let count = cumulative.last().copied().unwrap_or(0);
                if let Some(spec) = family.native(series.index, &mut self.native) {
                    // ExponentialHistogramDataPoint: attributes 1.
                    self.point_head(family, series, 1);
                    fixed64_field(&mut self.point, 4, count);
                    double_field(&mut self.point, 5, *sum);
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
                    // HistogramDataPoint: attributes 9.
                    self.point_head(family, series, 9);
                    fixed64_field(&mut self.point, 4, count);
                    double_field(&mut self.point, 5, *sum);
                    // Per-bucket counts, packed fixed64; the bounds, packed.
                    self.scratch.clear();
                    let mut below = 0;
                    for &c in cumulative.iter() {
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
                message_field(&mut self.points, 1, &self.point);
            }
            Value::Summary {
                quantiles,
                count,
                sum,
            } => {
                // SummaryDataPoint: attributes 7.
                self.point_head(family, series, 7);
                fixed64_field(&mut self.point, 4, *count);
                double_field(&mut self.point, 5, *sum);
                for &(q, estimate) in quantiles.iter() {
                    self.inner.clear();
                    double_field(&mut self.inner, 1, q);
                    double_field(&mut self.inner, 2, estimate);
                    message_field(&mut self.point, 6, &self.inner);
                }
                message_field(&mut self.points, 1, &self.point);
            }
        }
    }

    fn end_family(&mut self, family: &Family<'_>) {
        if self.in_family == 0 {
            return;
        }
        let desc = family.desc;
        let mut metric = core::mem::take(&mut self.scratch);
        metric.clear();
        string_field(&mut metric, 1, desc.name);
        string_field(&mut metric, 2, desc.help);
        if let Some(unit) = desc.unit {
            string_field(&mut metric, 3, ucum(unit));
        }
        // The data, by kind: Gauge 5, Sum 7, Histogram 9,
        // ExponentialHistogram 10, Summary 11.
        let mut data = core::mem::take(&mut self.data);
        data.clear();
        data.extend_from_slice(&self.points);
        let field = match family.kind {
            Kind::Counter | Kind::FloatCounter => {
                varint_field(&mut data, 2, CUMULATIVE);
                varint_field(&mut data, 3, 1);
                7
            }
            Kind::Gauge | Kind::FloatGauge | Kind::Info | Kind::StateSet(_) => 5,
            Kind::Histogram(_) => {
                varint_field(&mut data, 2, CUMULATIVE);
                if family.has_native() {
                    10
                } else {
                    9
                }
            }
            Kind::Summary(_) => 11,
        };
        message_field(&mut metric, field, &data);
        message_field(&mut self.metrics, 2, &metric);
        self.scratch = metric;
        self.data = data;
    }
}
