//! The OpenTelemetry SDK environment variables an OTLP metrics exporter
//! reads, for what the builder leaves unset: endpoint, headers, timeout,
//! compression, protocol, temporality, export interval, service name and
//! resource attributes. A value that cannot be read is ignored with a
//! warning, as the specification asks; a protocol other than
//! `http/protobuf` is an error, since nothing else would reach the
//! receiver the variables name.

use std::time::Duration;

use crate::push::PushError;

/// What the variables say; `None` where a variable is unset or unreadable.
#[derive(Debug, Default, PartialEq)]
pub(super) struct FromEnv {
    /// The full URL of the metrics endpoint.
    pub(super) url: Option<String>,
    pub(super) headers: Vec<(String, String)>,
    pub(super) timeout: Option<Duration>,
    pub(super) gzip: Option<bool>,
    pub(super) delta: Option<bool>,
    pub(super) interval: Option<Duration>,
    /// `OTEL_RESOURCE_ATTRIBUTES`, then `service.name` from
    /// `OTEL_SERVICE_NAME`.
    pub(super) resource: Vec<(String, String)>,
}

/// Reads the variables through `var` (`std::env::var` in a service; a map
/// in tests).
pub(super) fn read(var: &dyn Fn(&str) -> Option<String>) -> Result<FromEnv, PushError> {
    // The metrics-specific variable first, then the general one.
    let either = |name: &str| {
        var(&format!("OTEL_EXPORTER_OTLP_METRICS_{name}"))
            .map(|v| (format!("OTEL_EXPORTER_OTLP_METRICS_{name}"), v))
            .or_else(|| {
                var(&format!("OTEL_EXPORTER_OTLP_{name}"))
                    .map(|v| (format!("OTEL_EXPORTER_OTLP_{name}"), v))
            })
    };
    let mut env = FromEnv::default();
    if let Some((name, protocol)) = either("PROTOCOL") {
        if protocol.trim() != "http/protobuf" {
            return Err(PushError::InvalidInput(format!(
                "{name} is `{protocol}`; enumeter's OTLP pusher speaks http/protobuf only"
            )));
        }
    }
    env.url = var("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")
        .or_else(|| var("OTEL_EXPORTER_OTLP_ENDPOINT").map(|base| metrics_url(&base)))
        .filter(|url| !url.trim().is_empty());
    if let Some((name, headers)) = either("HEADERS") {
        env.headers = pairs(&name, &headers);
    }
    if let Some((name, ms)) = either("TIMEOUT") {
        env.timeout = millis(&name, &ms);
    }
    if let Some((name, compression)) = either("COMPRESSION") {
        env.gzip = match compression.trim() {
            "gzip" => Some(true),
            "none" => Some(false),
            other => ignored(&name, other, "gzip or none"),
        };
    }
    if let Some(preference) = var("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE") {
        env.delta = match preference.trim().to_ascii_lowercase().as_str() {
            "cumulative" => Some(false),
            // Low memory: delta for counters and histograms, which is
            // what enumeter sends as delta anyway.
            "delta" | "lowmemory" => Some(true),
            other => ignored(
                "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
                other,
                "cumulative, delta or lowmemory",
            ),
        };
    }
    if let Some(ms) = var("OTEL_METRIC_EXPORT_INTERVAL") {
        env.interval = millis("OTEL_METRIC_EXPORT_INTERVAL", &ms);
    }
    if let Some(attributes) = var("OTEL_RESOURCE_ATTRIBUTES") {
        env.resource = pairs("OTEL_RESOURCE_ATTRIBUTES", &attributes);
    }
    if let Some(service) = var("OTEL_SERVICE_NAME").filter(|s| !s.is_empty()) {
        set(&mut env.resource, "service.name", service);
    }
    Ok(env)
}

/// `{base}/v1/metrics`, as the specification builds a signal's URL from
/// `OTEL_EXPORTER_OTLP_ENDPOINT`.
pub(super) fn metrics_url(base: &str) -> String {
    format!("{}/v1/metrics", base.trim().trim_end_matches('/'))
}

/// Sets `key` in `list`, in place when present.
pub(super) fn set(list: &mut Vec<(String, String)>, key: &str, value: String) {
    match list.iter_mut().find(|(k, _)| k == key) {
        Some((_, v)) => *v = value,
        None => list.push((key.to_owned(), value)),
    }
}

fn ignored<T>(name: &str, value: &str, accepted: &str) -> Option<T> {
    log::warn!(
        target: "enumeter",
        "OTLP: {name} `{value}` ignored; accepted: {accepted}"
    );
    None
}

/// A whole number of milliseconds, more than zero.
fn millis(name: &str, value: &str) -> Option<Duration> {
    match value.trim().parse::<u64>() {
        Ok(ms) if ms > 0 => Some(Duration::from_millis(ms)),
        _ => ignored(name, value, "a whole number of milliseconds above 0"),
    }
}

/// `key=value` pairs separated by commas, each side percent-decoded and
/// trimmed (the W3C baggage form the specification uses); a pair that
/// cannot be read is left out with a warning.
fn pairs(name: &str, list: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for pair in list.split(',').filter(|p| !p.trim().is_empty()) {
        let read = pair.split_once('=').and_then(|(key, value)| {
            let key = percent_decoded(key.trim())?;
            let value = percent_decoded(value.trim())?;
            (!key.is_empty()).then_some((key, value))
        });
        match read {
            Some((key, value)) => set(&mut out, &key, value),
            None => {
                ignored::<()>(name, pair, "key=value, percent-encoded");
            }
        }
    }
    out
}

/// `text` with each `%XX` decoded; `None` when an escape is broken or the
/// result is not UTF-8.
fn percent_decoded(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn read_from(vars: &[(&str, &str)]) -> Result<FromEnv, PushError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        read(&|name| map.get(name).cloned())
    }

    #[test]
    fn nothing_set_reads_as_nothing() {
        assert_eq!(read_from(&[]).unwrap(), FromEnv::default());
    }

    #[test]
    fn every_variable_is_read_with_the_metrics_specific_one_first() {
        let env = read_from(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "x-general=1"),
            (
                "OTEL_EXPORTER_OTLP_METRICS_HEADERS",
                "api-key=s%3Dcr%2Ct , x-team = core",
            ),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "2500"),
            ("OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "gzip"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "Delta"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "15000"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "service.name=from-attributes,deployment.environment=prod%20eu",
            ),
            ("OTEL_SERVICE_NAME", "checkout"),
        ])
        .unwrap();
        assert_eq!(
            env,
            FromEnv {
                url: Some("http://collector:4318/v1/metrics".into()),
                headers: vec![
                    ("api-key".into(), "s=cr,t".into()),
                    ("x-team".into(), "core".into())
                ],
                timeout: Some(Duration::from_millis(2500)),
                gzip: Some(true),
                delta: Some(true),
                interval: Some(Duration::from_secs(15)),
                resource: vec![
                    ("service.name".into(), "checkout".into()),
                    ("deployment.environment".into(), "prod eu".into())
                ],
            }
        );
    }

    #[test]
    fn the_metrics_endpoint_is_taken_as_it_is() {
        let env = read_from(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318"),
            (
                "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
                "http://b:8428/opentelemetry/v1/metrics",
            ),
        ])
        .unwrap();
        assert_eq!(
            env.url.as_deref(),
            Some("http://b:8428/opentelemetry/v1/metrics")
        );
    }

    #[test]
    fn unreadable_values_are_ignored_and_another_protocol_is_refused() {
        let env = read_from(&[
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "soon"),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "0"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "novalue,a=%zz,b=2"),
        ])
        .unwrap();
        assert_eq!(env.timeout, None);
        assert_eq!(env.gzip, None);
        assert_eq!(env.interval, None);
        assert_eq!(env.headers, [("b".to_string(), "2".to_string())]);
        match read_from(&[("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "grpc")]) {
            Err(PushError::InvalidInput(why)) => assert!(
                why.contains("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL is `grpc`"),
                "{why}"
            ),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
