//! The messages of Prometheus remote write 1.0 (`prometheus.WriteRequest`
//! of Prometheus' `remote.proto` and `types.proto`, the fields that protocol
//! 1.0 uses), as Rust types with `prost`'s derive: no `protoc` at build
//! time. [`encode_write_request`](super::encode_write_request) builds them;
//! they are public so that a receiver written in Rust (or a test) can
//! decode what was sent:
//!
//! ```
//! use enumeter::push::proto::WriteRequest;
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
