//! The OTLP metrics messages enumeter writes (`opentelemetry.proto`'s
//! collector, metrics, common and resource packages, the fields it uses),
//! as Rust types with `prost`'s derive: no `protoc` at build time. For
//! reading back what enumeter's `push::otlp::encode_export_request`
//! writes; the `oneof`s of the protocol (a metric's data, a point's value)
//! are optional fields here.

/// `ExportMetricsServiceRequest`: what `POST /v1/metrics` carries.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct ExportMetricsServiceRequest {
    /// One per resource.
    #[prost(message, repeated, tag = "1")]
    pub resource_metrics: Vec<ResourceMetrics>,
}

/// `ExportMetricsServiceResponse`: what a receiver answers with a 2xx.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct ExportMetricsServiceResponse {
    /// Set when the receiver refused part of the request.
    #[prost(message, optional, tag = "1")]
    pub partial_success: Option<ExportMetricsPartialSuccess>,
}

/// What a receiver refused of a request it took.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct ExportMetricsPartialSuccess {
    /// The data points refused.
    #[prost(int64, tag = "1")]
    pub rejected_data_points: i64,
    /// Why, for the operator.
    #[prost(string, tag = "2")]
    pub error_message: String,
}

/// A resource's metrics.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct ResourceMetrics {
    /// The resource.
    #[prost(message, optional, tag = "1")]
    pub resource: Option<Resource>,
    /// One per instrumentation scope.
    #[prost(message, repeated, tag = "2")]
    pub scope_metrics: Vec<ScopeMetrics>,
}

/// The entity the metrics describe.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Resource {
    /// Its attributes (`service.name`, ...).
    #[prost(message, repeated, tag = "1")]
    pub attributes: Vec<KeyValue>,
}

/// An instrumentation scope's metrics.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct ScopeMetrics {
    /// The scope: enumeter and its version.
    #[prost(message, optional, tag = "1")]
    pub scope: Option<InstrumentationScope>,
    /// The metrics.
    #[prost(message, repeated, tag = "2")]
    pub metrics: Vec<Metric>,
}

/// The library that produced the metrics.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct InstrumentationScope {
    /// Its name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// Its version.
    #[prost(string, tag = "2")]
    pub version: String,
}

/// An attribute.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct KeyValue {
    /// The key.
    #[prost(string, tag = "1")]
    pub key: String,
    /// The value.
    #[prost(message, optional, tag = "2")]
    pub value: Option<AnyValue>,
}

/// An attribute's value: enumeter writes strings.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct AnyValue {
    /// The string value.
    #[prost(string, optional, tag = "1")]
    pub string_value: Option<String>,
}

/// One metric (one family): its name, description, unit and data, one of
/// the five data fields set.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Metric {
    /// The name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// The description (the HELP text).
    #[prost(string, tag = "2")]
    pub description: String,
    /// The unit, UCUM.
    #[prost(string, tag = "3")]
    pub unit: String,
    /// Gauges, info metrics and state sets.
    #[prost(message, optional, tag = "5")]
    pub gauge: Option<Gauge>,
    /// Counters.
    #[prost(message, optional, tag = "7")]
    pub sum: Option<Sum>,
    /// Classic histograms.
    #[prost(message, optional, tag = "9")]
    pub histogram: Option<Histogram>,
    /// Histograms with native buckets.
    #[prost(message, optional, tag = "10")]
    pub exponential_histogram: Option<ExponentialHistogram>,
    /// Summaries.
    #[prost(message, optional, tag = "11")]
    pub summary: Option<Summary>,
}

/// A gauge's points.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Gauge {
    /// The points.
    #[prost(message, repeated, tag = "1")]
    pub data_points: Vec<NumberDataPoint>,
}

/// A sum's points.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Sum {
    /// The points.
    #[prost(message, repeated, tag = "1")]
    pub data_points: Vec<NumberDataPoint>,
    /// 2: cumulative (1: delta).
    #[prost(int32, tag = "2")]
    pub aggregation_temporality: i32,
    /// Whether it only goes up.
    #[prost(bool, tag = "3")]
    pub is_monotonic: bool,
}

/// A histogram's points.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Histogram {
    /// The points.
    #[prost(message, repeated, tag = "1")]
    pub data_points: Vec<HistogramDataPoint>,
    /// 2: cumulative.
    #[prost(int32, tag = "2")]
    pub aggregation_temporality: i32,
}

/// An exponential histogram's points.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct ExponentialHistogram {
    /// The points.
    #[prost(message, repeated, tag = "1")]
    pub data_points: Vec<ExponentialHistogramDataPoint>,
    /// 2: cumulative.
    #[prost(int32, tag = "2")]
    pub aggregation_temporality: i32,
}

/// A summary's points.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Summary {
    /// The points.
    #[prost(message, repeated, tag = "1")]
    pub data_points: Vec<SummaryDataPoint>,
}

/// A counter's or gauge's value in one series.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct NumberDataPoint {
    /// The series' labels.
    #[prost(message, repeated, tag = "7")]
    pub attributes: Vec<KeyValue>,
    /// When the series started counting (ns since the epoch).
    #[prost(fixed64, tag = "2")]
    pub start_time_unix_nano: u64,
    /// When it was read.
    #[prost(fixed64, tag = "3")]
    pub time_unix_nano: u64,
    /// A float value.
    #[prost(double, optional, tag = "4")]
    pub as_double: Option<f64>,
    /// An integer value.
    #[prost(sfixed64, optional, tag = "6")]
    pub as_int: Option<i64>,
    /// Its exemplar.
    #[prost(message, repeated, tag = "5")]
    pub exemplars: Vec<Exemplar>,
}

/// A classic histogram's value in one series.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct HistogramDataPoint {
    /// The series' labels.
    #[prost(message, repeated, tag = "9")]
    pub attributes: Vec<KeyValue>,
    /// When the series started counting.
    #[prost(fixed64, tag = "2")]
    pub start_time_unix_nano: u64,
    /// When it was read.
    #[prost(fixed64, tag = "3")]
    pub time_unix_nano: u64,
    /// Observations.
    #[prost(fixed64, tag = "4")]
    pub count: u64,
    /// Their sum.
    #[prost(double, optional, tag = "5")]
    pub sum: Option<f64>,
    /// Observations in each bucket (not cumulative), `+Inf` last.
    #[prost(fixed64, repeated, tag = "6")]
    pub bucket_counts: Vec<u64>,
    /// The finite upper bounds.
    #[prost(double, repeated, tag = "7")]
    pub explicit_bounds: Vec<f64>,
    /// The buckets' exemplars.
    #[prost(message, repeated, tag = "8")]
    pub exemplars: Vec<Exemplar>,
}

/// A native histogram's value in one series.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct ExponentialHistogramDataPoint {
    /// The series' labels.
    #[prost(message, repeated, tag = "1")]
    pub attributes: Vec<KeyValue>,
    /// When the series started counting.
    #[prost(fixed64, tag = "2")]
    pub start_time_unix_nano: u64,
    /// When it was read.
    #[prost(fixed64, tag = "3")]
    pub time_unix_nano: u64,
    /// Observations.
    #[prost(fixed64, tag = "4")]
    pub count: u64,
    /// Their sum.
    #[prost(double, optional, tag = "5")]
    pub sum: Option<f64>,
    /// The resolution: the schema.
    #[prost(sint32, tag = "6")]
    pub scale: i32,
    /// Observations in the zero bucket.
    #[prost(fixed64, tag = "7")]
    pub zero_count: u64,
    /// The positive buckets.
    #[prost(message, optional, tag = "8")]
    pub positive: Option<Buckets>,
    /// The negative buckets.
    #[prost(message, optional, tag = "9")]
    pub negative: Option<Buckets>,
    /// The exemplars.
    #[prost(message, repeated, tag = "11")]
    pub exemplars: Vec<Exemplar>,
    /// The zero bucket's half-width.
    #[prost(double, tag = "14")]
    pub zero_threshold: f64,
}

/// Consecutive exponential buckets: index `offset + i` covers
/// (base^(offset+i), base^(offset+i+1)].
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Buckets {
    /// The first bucket's index.
    #[prost(sint32, tag = "1")]
    pub offset: i32,
    /// Each bucket's count.
    #[prost(uint64, repeated, tag = "2")]
    pub bucket_counts: Vec<u64>,
}

/// A summary's value in one series.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct SummaryDataPoint {
    /// The series' labels.
    #[prost(message, repeated, tag = "7")]
    pub attributes: Vec<KeyValue>,
    /// When the series started counting.
    #[prost(fixed64, tag = "2")]
    pub start_time_unix_nano: u64,
    /// When it was read.
    #[prost(fixed64, tag = "3")]
    pub time_unix_nano: u64,
    /// Observations.
    #[prost(fixed64, tag = "4")]
    pub count: u64,
    /// Their sum.
    #[prost(double, tag = "5")]
    pub sum: f64,
    /// The quantiles.
    #[prost(message, repeated, tag = "6")]
    pub quantile_values: Vec<ValueAtQuantile>,
}

/// One quantile of a summary.
#[derive(Clone, Copy, PartialEq, ::prost::Message)]
pub struct ValueAtQuantile {
    /// The quantile, in [0, 1].
    #[prost(double, tag = "1")]
    pub quantile: f64,
    /// Its estimate.
    #[prost(double, tag = "2")]
    pub value: f64,
}

/// An exemplar.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Exemplar {
    /// Labels other than the trace and span ids.
    #[prost(message, repeated, tag = "7")]
    pub filtered_attributes: Vec<KeyValue>,
    /// When it was recorded.
    #[prost(fixed64, tag = "2")]
    pub time_unix_nano: u64,
    /// Its value.
    #[prost(double, optional, tag = "3")]
    pub as_double: Option<f64>,
    /// The span id, 8 bytes.
    #[prost(bytes = "vec", tag = "4")]
    pub span_id: Vec<u8>,
    /// The trace id, 16 bytes.
    #[prost(bytes = "vec", tag = "5")]
    pub trace_id: Vec<u8>,
}
