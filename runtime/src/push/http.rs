//! What the HTTP push paths (Pushgateway, remote write, OTLP) share: their
//! error, and the checks of the URLs and label names they are given.

use std::fmt;

/// Why a push failed.
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

impl std::error::Error for PushError {}

/// Whether `name` is a valid label name, and not one reserved for
/// Prometheus' own use (`__*`).
#[cfg(any(feature = "pushgateway", feature = "remote-write"))]
pub(super) fn is_label_name(name: &str) -> bool {
    enumeter_common::names::is_name(name) && !name.starts_with("__")
}

/// Checks a base URL: `http://` (or `https://`) and a host.
pub(super) fn check_url(url: &str, what: &str) -> Result<(), PushError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(feature = "pushgateway", feature = "remote-write"))]
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
