//! Pushing instead of being scraped: to a Prometheus Pushgateway (feature
//! `pushgateway`) and by Prometheus remote write 1.0 (feature
//! `remote-write`), over HTTP with [`ureq`](https://docs.rs/ureq) (HTTPS with
//! the `push-tls` feature), and StatsD lines over UDP (`statsd`, feature
//! `statsd`).
//!
//! - `Pushgateway` (feature `pushgateway`) pushes a registry once, for batch jobs and other
//!   processes that end before a scrape could reach them: `push` replaces
//!   the job's group on the gateway, `push_add` replaces only the families
//!   it sends, `delete` removes the group. Prometheus then scrapes the
//!   gateway.
//! - `RemoteWrite` (feature `remote-write`) samples a registry every interval on a thread of its
//!   own and sends the samples to a remote-write receiver (Prometheus with
//!   `--web.enable-remote-write-receiver`, VictoriaMetrics, Mimir, Thanos
//!   Receive, Cortex), for fleets that cannot be scraped and stores that
//!   scale beyond one Prometheus. Delivery survives receiver outages within
//!   a bounded queue.
//!
//! - `otlp` (feature `otlp`) writes a registry as one OTLP
//!   `ExportMetricsServiceRequest`, for an OpenTelemetry Collector or a
//!   store that ingests OTLP; its docs list how each kind is mapped.
//!
//! All read the same cells a scrape reads, through the same reader:
//! recording is unchanged.

#[cfg(any(feature = "pushgateway", feature = "remote-write"))]
mod client;
#[cfg(any(feature = "remote-write", feature = "statsd"))]
mod failures;
#[cfg(any(feature = "pushgateway", feature = "remote-write"))]
mod http;
#[cfg(feature = "otlp")]
pub mod otlp;
#[cfg(any(feature = "remote-write", feature = "statsd"))]
mod periodic;
#[cfg(feature = "remote-write")]
pub mod proto;
#[cfg(feature = "pushgateway")]
mod pushgateway;
#[cfg(feature = "remote-write")]
mod remote_write;
#[cfg(feature = "remote-write")]
mod samples;
#[cfg(feature = "statsd")]
pub mod statsd;

#[cfg(any(feature = "pushgateway", feature = "remote-write"))]
pub use http::PushError;
#[cfg(any(feature = "pushgateway", feature = "remote-write"))]
use http::{check_url, is_label_name};
#[cfg(feature = "pushgateway")]
pub use pushgateway::Pushgateway;
#[cfg(feature = "remote-write")]
pub use remote_write::{
    RemoteWrite, RemoteWriteDrop, RemoteWriteHandle, RemoteWriteSelf, RemoteWriteSelfMetrics,
    RemoteWriteStats,
};
#[cfg(feature = "remote-write")]
pub use samples::encode_write_request;
