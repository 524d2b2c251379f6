//! Pushing instead of being scraped: to a Prometheus Pushgateway (feature
//! `pushgateway`), by Prometheus remote write 1.0 (feature `remote-write`)
//! and by OTLP (feature `otlp`), over HTTP with
//! [`ureq`](https://docs.rs/ureq) (HTTPS with the `push-tls` feature), and
//! StatsD lines over UDP (`statsd`, feature `statsd`).
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
//! - `otlp::Otlp` (feature `otlp`) samples a registry every interval and
//!   sends it over OTLP/HTTP to an OpenTelemetry Collector or a store that
//!   ingests OTLP, configured by the standard `OTEL_*` variables where the
//!   builder sets nothing; its docs list how each kind is mapped.
//!
//! `RemoteWrite` and `Otlp` share one sampler, bounded queue and sender
//! (retries with backoff honouring `Retry-After`, the oldest request giving
//! way when the queue is full, a flush on shutdown), the same `PushStats`
//! and `PushHandle`, each with its own self-metrics.
//!
//! All read the same cells a scrape reads, through the same reader:
//! recording is unchanged.

#[cfg(any(feature = "pushgateway", feature = "remote-write", feature = "otlp"))]
mod client;
#[cfg(any(feature = "remote-write", feature = "statsd", feature = "otlp"))]
mod failures;
#[cfg(any(feature = "pushgateway", feature = "remote-write", feature = "otlp"))]
mod http;
#[cfg(feature = "otlp")]
pub mod otlp;
#[cfg(any(feature = "remote-write", feature = "statsd", feature = "otlp"))]
mod periodic;
#[cfg(feature = "pushgateway")]
mod pushgateway;
#[cfg(any(feature = "remote-write", feature = "otlp"))]
mod queued;
#[cfg(feature = "remote-write")]
mod remote_write;
#[cfg(feature = "statsd")]
pub mod statsd;

#[cfg(feature = "remote-write")]
pub use crate::encode::remote_write::encode_write_request;
#[cfg(feature = "remote-write")]
pub use crate::encode::remote_write_v2::encode_write_request_v2;
#[cfg(any(feature = "pushgateway", feature = "remote-write", feature = "otlp"))]
use http::check_url;
#[cfg(any(feature = "pushgateway", feature = "remote-write"))]
use http::is_label_name;
#[cfg(any(feature = "pushgateway", feature = "remote-write", feature = "otlp"))]
pub use http::PushError;
#[cfg(feature = "pushgateway")]
pub use pushgateway::Pushgateway;
#[cfg(any(feature = "remote-write", feature = "otlp"))]
pub use queued::{PushDrop, PushHandle, PushStats};
#[cfg(feature = "remote-write")]
pub use remote_write::{RemoteWrite, RemoteWriteProtocol};
