//! OpenTelemetry: a registry as an OTLP `ExportMetricsServiceRequest`
//! (feature `otlp`), for an OpenTelemetry Collector or a store that ingests
//! OTLP over HTTP (`POST {endpoint}/v1/metrics`, `application/x-protobuf`).
//! Written straight into protobuf's wire format by a writer over the one
//! reader, so that sparse metrics, merged families and runtime labels read
//! as in every other output; [`proto`] reads it back.
//!
//! How each kind is sent:
//!
//! | enumeter | OTLP |
//! | --- | --- |
//! | counter | `Sum`, cumulative, monotonic (`as_int`; `as_double` for float counters), exemplars on the point |
//! | gauge | `Gauge` (`as_int` or `as_double`) |
//! | histogram | `Histogram`, cumulative: per-bucket counts, the finite bounds, count, sum, exemplars |
//! | histogram declared `native` | `ExponentialHistogram`, cumulative: scale = schema, zero count and threshold, offsets and counts (at no more than `max_buckets`) |
//! | summary | `Summary`: count, sum, the quantiles |
//! | info | `Gauge` of 1 |
//! | state set | `Gauge`, one point per state named by an attribute of the family's name, 1 for the current one |
//!
//! Labels are attributes; each point's `start_time_unix_nano` is its
//! instance's created time; exemplars carry `trace_id` and `span_id` as
//! bytes when their labels hold them in hex (32 and 16 digits), every other
//! label as a filtered attribute. Metric names are the Prometheus names
//! (counters ending in `_total`), so that a store keeping OTLP names as
//! sent holds the series a scrape would give; a declared unit is sent in
//! UCUM (`s`, `ms`, `By`, ...). One `ResourceMetrics` carries the resource
//! attributes given, one `ScopeMetrics` names enumeter and its version.
//!
//! ```
//! use enumeter::push::otlp::{encode_export_request, proto};
//! use enumeter::{metrics, Registry};
//! use prost::Message;
//!
//! /// Jobs.
//! #[metrics(namespace = "jobs", register = false)]
//! pub enum Jobs {
//!     /// Jobs done.
//!     #[counter]
//!     DoneTotal,
//! }
//!
//! let jobs = JobsMetrics::new();
//! jobs.done_total().add(7);
//! let bytes = encode_export_request(
//!     &Registry::new().with(&jobs),
//!     &[("service.name", "worker")],
//!     1_700_000_000_000_000_000,
//! );
//! let request = proto::ExportMetricsServiceRequest::decode(bytes.as_slice()).unwrap();
//! let metric = &request.resource_metrics[0].scope_metrics[0].metrics[0];
//! assert_eq!(metric.name, "jobs_done_total");
//! let sum = metric.sum.as_ref().unwrap();
//! assert!(sum.is_monotonic);
//! assert_eq!(sum.data_points[0].as_int, Some(7));
//! ```
//!
//! Sending it on an interval, with the bounded queue and retries of remote
//! write, is not here yet: post the request with the HTTP client of your
//! choice.

mod encode;
pub mod proto;

use crate::Registry;

/// Every series of `registry` as one OTLP `ExportMetricsServiceRequest`
/// (uncompressed protobuf), with `resource` as the resource's attributes
/// (`service.name` and the like) and every point taken at `time_unix_nano`
/// (nanoseconds since the Unix epoch). A family with no series to show (a
/// sparse metric not recorded into) is left out.
pub fn encode_export_request(
    registry: &Registry<'_>,
    resource: &[(&str, &str)],
    time_unix_nano: u64,
) -> Vec<u8> {
    encode::encode(registry, resource, time_unix_nano)
}
