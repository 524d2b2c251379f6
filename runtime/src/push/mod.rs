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
//! All read the same cells a scrape reads, through the same reader:
//! recording is unchanged.

#[cfg(any(feature = "pushgateway", feature = "remote-write"))]
mod client;
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
use std::fmt;

#[cfg(feature = "pushgateway")]
pub use pushgateway::Pushgateway;
#[cfg(feature = "remote-write")]
pub use remote_write::{
    RemoteWrite, RemoteWriteDrop, RemoteWriteHandle, RemoteWriteSelf, RemoteWriteSelfMetrics,
    RemoteWriteStats,
};
#[cfg(feature = "remote-write")]
pub use samples::encode_write_request;

/// Why a push failed.
#[cfg(any(feature = "pushgateway", feature = "remote-write"))]
#[derive(Debug)]
#[non_exhaustive]
pub enum PushError {
    /// An argument was refused before anything was sent (an invalid URL,
    /// job or label name); the message says which and why.
    InvalidInput(String),
    /// The server answered with a status outside 2xx.
    Status {
        /// The HTTP status code.
        status: u16,
        /// The start of the answer's body, which usually says why.
        body: String,
    },
    /// The request did not complete: the connection was refused or reset,
    /// the name did not resolve, the time ran out.
    Transport(String),
}

#[cfg(any(feature = "pushgateway", feature = "remote-write"))]
impl fmt::Display for PushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::InvalidInput(why) => write!(f, "invalid push: {why}"),
            PushError::Status { status, body } if body.is_empty() => {
                write!(f, "the server answered {status}")
            }
            PushError::Status { status, body } => {
                write!(f, "the server answered {status}: {}", body.trim_end())
            }
            PushError::Transport(why) => write!(f, "the request did not complete: {why}"),
        }
    }
}

#[cfg(any(feature = "pushgateway", feature = "remote-write"))]
impl std::error::Error for PushError {}

/// Whether `name` is a valid label name, and not one reserved for
/// Prometheus' own use (`__*`).
#[cfg(any(feature = "pushgateway", feature = "remote-write"))]
fn is_label_name(name: &str) -> bool {
    enumeter_common::names::is_name(name) && !name.starts_with("__")
}

/// Checks a base URL: `http://` (or `https://`) and a host.
#[cfg(any(feature = "pushgateway", feature = "remote-write"))]
fn check_url(url: &str, what: &str) -> Result<(), PushError> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Ok(()),
        _ => Err(PushError::InvalidInput(format!(
            "the {what} URL `{url}` must start with http:// or https:// and name a host"
        ))),
    }
}

#[cfg(all(test, any(feature = "pushgateway", feature = "remote-write")))]
mod tests {
    use super::*;

    #[test]
    fn label_names_follow_prometheus_and_refuse_reserved_ones() {
        assert!(is_label_name("instance"));
        assert!(is_label_name("_x1"));
        assert!(!is_label_name(""));
        assert!(!is_label_name("1x"));
        assert!(!is_label_name("a-b"));
        assert!(!is_label_name("__name__"));
    }

    #[test]
    fn urls_need_a_scheme_and_a_host() {
        assert!(check_url("http://127.0.0.1:9091", "gateway").is_ok());
        assert!(check_url("https://push.example", "gateway").is_ok());
        for bad in ["127.0.0.1:9091", "http://", "ftp://x", "http:///path"] {
            let error = check_url(bad, "gateway").unwrap_err().to_string();
            assert!(error.contains(bad), "{error}");
        }
    }
}
