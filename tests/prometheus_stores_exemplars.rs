//! End to end, for each Prometheus line in the field (2.42 and 3.5.3): a
//! real Prometheus with `exemplar-storage` scrapes
//! exemplars of a counter and of histogram buckets, once as OpenMetrics
//! text (with `_created` samples) and once as protobuf, and its exemplar
//! query API returns them with their labels, values and timestamps
//! exactly; the `_created` samples come back as the series Prometheus 2.x
//! makes of them.
//!
//! Where a system it needs is missing, cargo reports the test
//! ignored with what to install; in CI it fails.

use enumeter_suite::support;

use std::sync::Arc;
use std::time::Duration;

use enumeter::exemplar::ExemplarRead;
use enumeter::{metrics, Exporter, Registry};
use serde_json::Value;
use support::servers::{self, wait_for, Line, TempDir};

/// Requests with exemplars.
#[metrics(namespace = "trace", register = false)]
pub enum Trace {
    /// Requests.
    #[counter(exemplars)]
    RequestsTotal,
    /// Request time.
    #[histogram(unit = "seconds", buckets = [0.1, 1], exemplars)]
    Latency,
}

static TRACE: TraceMetrics = TraceMetrics::new();

/// The exemplars Prometheus returns for `query`: (labels, value, ms).
fn exemplars(prometheus: &str, query: &str) -> Option<Vec<(String, f64, u64)>> {
    let path = format!(
        "/api/v1/query_exemplars?query={}&start=0&end=4000000000",
        support::url_encode(query)
    );
    let (status, body) = support::http_get(prometheus, &path).ok()?;
    if status != 200 {
        return None;
    }
    let json: Value = serde_json::from_str(&body).ok()?;
    let mut out = Vec::new();
    for series in json["data"].as_array()? {
        for e in series["exemplars"].as_array()? {
            let value: f64 = e["value"].as_str()?.parse().ok()?;
            let ms = (e["timestamp"].as_f64()? * 1000.0).round() as u64;
            out.push((e["labels"].to_string(), value, ms));
        }
    }
    (!out.is_empty()).then_some(out)
}

fn scrape_and_check(line: Line, flags: &[&str], what: &str) {
    let what = format!("{line}, {what}");
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .registry(Arc::new(Registry::new().with(&TRACE)))
        .created_timestamps(true)
        .start()
        .unwrap();
    let dir = TempDir::new(&format!("exemplars-{line:?}-{}", flags.len()));
    let (_prometheus, prometheus) = servers::prometheus_of(
        line,
        &dir.0,
        &servers::scrape_every_second("trace", &exporter.local_addr().to_string()),
        flags,
    );
    // What the slots hold, as the exposition wrote it.
    let mut read = ExemplarRead::default();
    assert!(TRACE.requests_total().slot_read(&mut read));
    let counter_ms = read.timestamp_ms;
    let limit = Duration::from_secs(30);
    let counter = wait_for(limit, "the counter's exemplar", || {
        exemplars(&prometheus, "trace_requests_total")
    });
    assert_eq!(
        counter,
        [(r#"{"trace_id":"c0ffee"}"#.to_owned(), 1.0, counter_ms)],
        "{what}"
    );
    let buckets = wait_for(limit, "the buckets' exemplars", || {
        exemplars(&prometheus, "trace_latency_seconds_bucket")
    });
    let mut values: Vec<(String, f64)> = buckets.iter().map(|(l, v, _)| (l.clone(), *v)).collect();
    values.sort_by(|a, b| a.1.total_cmp(&b.1));
    assert_eq!(
        values,
        [
            (r#"{"trace_id":"t1"}"#.to_owned(), 0.5),
            (r#"{"trace_id":"t2"}"#.to_owned(), 7.0),
        ],
        "{what}"
    );
    println!(
        "{what}: {} exemplars read back through /api/v1/query_exemplars",
        1 + buckets.len()
    );
    exporter.shutdown();
}

#[test]
#[cfg_attr(
    any(missing_prometheus, missing_prometheus3, missing_python_parsers),
    ignore = "needs Prometheus 2.42 and 3.5.3 and the Python parsers: apt-get install prometheus, Debian sid's 3.5.3 as .ci/run fetches it into target/prometheus-sid, pip install prometheus_client"
)]
fn a_real_prometheus_stores_exemplars_from_openmetrics_and_protobuf() {
    support::require("prometheus");
    support::require("prometheus3");
    TRACE
        .requests_total()
        .inc_with_exemplar(&[("trace_id", "c0ffee")]);
    TRACE
        .latency()
        .observe_with_exemplar(0.5, &[("trace_id", "t1")]);
    TRACE
        .latency()
        .observe_with_exemplar(7.0, &[("trace_id", "t2")]);
    // Values that OpenMetrics would have to escape are refused at record
    // time (the observations count): the buckets keep t1 and t2, and both
    // consumers read exactly those.
    for value in ["t\"3", "t\\3", "t\n3"] {
        TRACE
            .latency()
            .observe_with_exemplar(0.6, &[("trace_id", value)]);
        TRACE
            .requests_total()
            .inc_with_exemplar(&[("trace_id", value)]);
    }
    assert_eq!(TRACE.latency().snapshot().count(), 5);
    assert_eq!(TRACE.requests_total().get(), 4);
    let text = Registry::new()
        .with(&TRACE)
        .render(enumeter::Format::OpenMetrics);
    let families = support::python_parse("openmetrics", &text);
    let exemplars: Vec<String> = families
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["samples"].as_array().unwrap().iter())
        .filter_map(|s| Some(format!("{} {}", s[0], s.get(3)?["labels"])))
        .collect();
    assert_eq!(
        exemplars,
        [
            r#""trace_requests_total" {"trace_id":"c0ffee"}"#,
            r#""trace_latency_seconds_bucket" {"trace_id":"t1"}"#,
            r#""trace_latency_seconds_bucket" {"trace_id":"t2"}"#,
        ],
        "{text}"
    );
    for line in Line::BOTH {
        // Both lines ask for OpenMetrics by default...
        scrape_and_check(line, &["--enable-feature=exemplar-storage"], "openmetrics");
        // ...and for protobuf with native histograms on.
        scrape_and_check(
            line,
            &[
                "--enable-feature=exemplar-storage",
                "--enable-feature=native-histograms",
            ],
            "protobuf",
        );
    }
}
