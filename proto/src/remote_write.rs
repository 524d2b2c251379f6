//! The messages of Prometheus remote write 1.0 (`prometheus.WriteRequest`
//! of Prometheus' `remote.proto` and `types.proto`, the fields that protocol
//! 1.0 uses), as Rust types with `prost`'s derive: no `protoc` at build
//! time. enumeter's `push::encode_write_request` writes their wire format;
//! these types decode what was sent:
//!
//! ```
//! use enumeter_proto::remote_write::WriteRequest;
//! use prost::Message;
//!
//! let request = WriteRequest::default();
//! let bytes = request.encode_to_vec();
//! assert_eq!(WriteRequest::decode(bytes.as_slice()).unwrap(), request);
//! ```

/// One request: series with their samples.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct WriteRequest {
    /// The series, each with its labels and samples.
    #[prost(message, repeated, tag = "1")]
    pub timeseries: Vec<TimeSeries>,
}

/// A series: its labels, sorted by name (`__name__` holds the metric
/// name), and samples in time order.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct TimeSeries {
    /// The labels, sorted by name, names unique.
    #[prost(message, repeated, tag = "1")]
    pub labels: Vec<Label>,
    /// The samples, oldest first.
    #[prost(message, repeated, tag = "2")]
    pub samples: Vec<Sample>,
    /// Exemplars: for a histogram's `_bucket` series, of the values that
    /// went into that bucket; for a counter, of its increments.
    #[prost(message, repeated, tag = "3")]
    pub exemplars: Vec<Exemplar>,
    /// Native histogram samples, oldest first (a series has samples or
    /// histograms, not both).
    #[prost(message, repeated, tag = "4")]
    pub histograms: Vec<Histogram>,
}

/// An exemplar: its labels (a trace id, say), value and time.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Exemplar {
    /// The exemplar's labels.
    #[prost(message, repeated, tag = "1")]
    pub labels: Vec<Label>,
    /// The value it was recorded with.
    #[prost(double, tag = "2")]
    pub value: f64,
    /// When, in milliseconds since the Unix epoch.
    #[prost(int64, tag = "3")]
    pub timestamp: i64,
}

/// One label of a series.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, ::prost::Message)]
pub struct Label {
    /// The label name.
    #[prost(string, tag = "1")]
    pub name: String,
    /// The label value.
    #[prost(string, tag = "2")]
    pub value: String,
}

/// One value at one time.
#[derive(Clone, Copy, PartialEq, ::prost::Message)]
pub struct Sample {
    /// The value.
    #[prost(double, tag = "1")]
    pub value: f64,
    /// Milliseconds since the Unix epoch.
    #[prost(int64, tag = "2")]
    pub timestamp: i64,
}

/// One native histogram at one time: `prometheus.Histogram`, with the
/// integer counts enumeter writes (the protocol's float alternatives,
/// `oneof`s there, are the `_float` fields here).
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Histogram {
    /// Observations counted, NaN included.
    #[prost(uint64, tag = "1")]
    pub count_int: u64,
    /// The float alternative to `count_int`.
    #[prost(double, tag = "2")]
    pub count_float: f64,
    /// The sum of the observations.
    #[prost(double, tag = "3")]
    pub sum: f64,
    /// The resolution: bucket boundaries are powers of 2^(2^-schema).
    #[prost(sint32, tag = "4")]
    pub schema: i32,
    /// The zero bucket's half-width.
    #[prost(double, tag = "5")]
    pub zero_threshold: f64,
    /// Observations in the zero bucket.
    #[prost(uint64, tag = "6")]
    pub zero_count_int: u64,
    /// The float alternative to `zero_count_int`.
    #[prost(double, tag = "7")]
    pub zero_count_float: f64,
    /// Runs of populated negative buckets.
    #[prost(message, repeated, tag = "8")]
    pub negative_spans: Vec<BucketSpan>,
    /// Negative bucket counts, each as the difference from the one before.
    #[prost(sint64, repeated, tag = "9")]
    pub negative_deltas: Vec<i64>,
    /// Runs of populated positive buckets.
    #[prost(message, repeated, tag = "11")]
    pub positive_spans: Vec<BucketSpan>,
    /// Positive bucket counts, each as the difference from the one before.
    #[prost(sint64, repeated, tag = "12")]
    pub positive_deltas: Vec<i64>,
    /// Milliseconds since the Unix epoch.
    #[prost(int64, tag = "15")]
    pub timestamp: i64,
}

/// A run of consecutive populated buckets.
#[derive(Clone, Copy, PartialEq, Eq, ::prost::Message)]
pub struct BucketSpan {
    /// The first bucket's key (in the first span), or the gap after the
    /// previous run.
    #[prost(sint32, tag = "1")]
    pub offset: i32,
    /// The number of consecutive buckets.
    #[prost(uint32, tag = "2")]
    pub length: u32,
}
