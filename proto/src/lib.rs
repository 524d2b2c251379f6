//! The protobuf messages enumeter writes, as Rust types with `prost`'s
//! derive, for reading back what it wrote: in enumeter's tests, and in a
//! receiver or tool written in Rust. enumeter itself writes these messages'
//! wire format directly and depends on none of them.
//!
//! - [`exposition`]: the Prometheus protobuf exposition
//!   (`io.prometheus.client.MetricFamily`), with [`exposition::decode_families`].
//! - [`remote_write`]: Prometheus remote write 1.0 (`prometheus.WriteRequest`).
//! - [`remote_write_v2`]: Remote-Write 2.0 (`io.prometheus.write.v2.Request`).
//! - [`otlp`]: the OTLP metrics messages (`ExportMetricsServiceRequest` and
//!   its answer).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod exposition;
pub mod otlp;
pub mod remote_write;
pub mod remote_write_v2;
