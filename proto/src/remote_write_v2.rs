//! The messages of Prometheus Remote-Write 2.0 (`io.prometheus.write.v2.Request`
//! of Prometheus' `io/prometheus/write/v2/types.proto`, as Prometheus 3.5
//! reads them: the start time is a series' `created_timestamp`), the fields
//! enumeter writes, as Rust types with `prost`'s derive. Every string of a
//! request is in its `symbols`, the first of them empty; a series names
//! them by index:
//!
//! ```
//! use enumeter_proto::remote_write_v2::Request;
//! use prost::Message;
//!
//! let request = Request {
//!     symbols: vec!["".into(), "__name__".into(), "up".into()],
//!     ..Request::default()
//! };
//! let bytes = request.encode_to_vec();
//! assert_eq!(Request::decode(bytes.as_slice()).unwrap(), request);
//! ```

use crate::remote_write::Histogram;

/// One request: the strings its series name, and the series.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Request {
    /// Every string of the request once, the first empty.
    #[prost(string, repeated, tag = "4")]
    pub symbols: Vec<String>,
    /// The series.
    #[prost(message, repeated, tag = "5")]
    pub timeseries: Vec<TimeSeries>,
}

impl Request {
    /// The labels of `series` as (name, value) strings.
    pub fn labels<'a>(&'a self, refs: &[u32]) -> Vec<(&'a str, &'a str)> {
        refs.chunks(2)
            .map(|pair| {
                let at = |i: u32| self.symbols.get(i as usize).map_or("?", String::as_str);
                (at(pair[0]), at(*pair.get(1).unwrap_or(&0)))
            })
            .collect()
    }

    /// The symbol at `index` (`?` past the end).
    pub fn symbol(&self, index: u32) -> &str {
        self.symbols.get(index as usize).map_or("?", String::as_str)
    }
}

/// A series: its labels (pairs of symbol indices, name then value, sorted
/// by name), samples or native histograms, exemplars, metadata and start.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct TimeSeries {
    /// Name, value, name, value, … as indices into `symbols`.
    #[prost(uint32, repeated, tag = "1")]
    pub labels_refs: Vec<u32>,
    /// The samples, oldest first.
    #[prost(message, repeated, tag = "2")]
    pub samples: Vec<Sample>,
    /// Native histogram samples, oldest first (the same message as 1.0's).
    #[prost(message, repeated, tag = "3")]
    pub histograms: Vec<Histogram>,
    /// Exemplars.
    #[prost(message, repeated, tag = "4")]
    pub exemplars: Vec<Exemplar>,
    /// Type, help and unit.
    #[prost(message, optional, tag = "5")]
    pub metadata: Option<Metadata>,
    /// When the series started counting, in milliseconds since the Unix
    /// epoch (0: not known).
    #[prost(int64, tag = "6")]
    pub created_timestamp: i64,
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

/// An exemplar: its labels (as symbol indices), value and time.
#[derive(Clone, PartialEq, ::prost::Message)]
pub struct Exemplar {
    /// Name, value, … as indices into `symbols`.
    #[prost(uint32, repeated, tag = "1")]
    pub labels_refs: Vec<u32>,
    /// The value it was recorded with.
    #[prost(double, tag = "2")]
    pub value: f64,
    /// Milliseconds since the Unix epoch.
    #[prost(int64, tag = "3")]
    pub timestamp: i64,
}

/// What a series is: its type, and its help and unit as symbol indices (0:
/// none).
#[derive(Clone, Copy, PartialEq, Eq, ::prost::Message)]
pub struct Metadata {
    /// The `MetricType`: 0 unspecified, 1 counter, 2 gauge, 3 histogram, 4
    /// gauge histogram, 5 summary, 6 info, 7 state set.
    #[prost(int32, tag = "1")]
    pub r#type: i32,
    /// The help text's symbol.
    #[prost(uint32, tag = "3")]
    pub help_ref: u32,
    /// The unit's symbol.
    #[prost(uint32, tag = "4")]
    pub unit_ref: u32,
}
