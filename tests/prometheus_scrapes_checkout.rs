//! End to end with the checkout example, for each Prometheus line in the
//! field (2.42, then 3.5.3): a real Prometheus started
//! with `--enable-feature=native-histograms,exemplar-storage` scrapes it
//! over protobuf; `histogram_quantile(0.99, …)` over its native histogram
//! comes back within the schema's bucket factor of the true 99th
//! percentile (0.99 s); `/api/v1/query_exemplars` returns the trace id the
//! example recorded; the classic histogram and the counter read back exact.
//!
//! Where a system it needs is missing, cargo reports the test
//! ignored with what to install; in CI it fails.

use enumeter_suite::support;

use std::time::Duration;

use serde_json::Value;
use support::servers::{self, expect_value, wait_for, Line, TempDir};

#[test]
#[cfg_attr(
    any(missing_prometheus, missing_prometheus3),
    ignore = "needs Prometheus 2.42 (apt-get install prometheus) and 3.5.3 (Debian sid's, as .ci/run fetches it into target/prometheus-sid)"
)]
fn a_real_prometheus_reads_the_checkout_examples_native_histogram_exemplars_and_counters() {
    support::require("prometheus");
    support::require("prometheus3");
    let (_checkout, target) = support::serve_example("checkout", 180);
    for line in Line::BOTH {
        reads_the_checkout(line, &target);
    }
}

/// Prometheus of `line`, native histograms and exemplar storage on,
/// scraping the checkout example at `target` over protobuf.
fn reads_the_checkout(line: Line, target: &str) {
    let dir = TempDir::new(&format!("checkout-{line:?}"));
    let (_prometheus, prometheus) = servers::prometheus_of(
        line,
        &dir.0,
        &servers::scrape_every_second("checkout", target),
        &["--enable-feature=native-histograms,exemplar-storage"],
    );
    let limit = Duration::from_secs(30);

    // Native: the 99th percentile of 1 ms … 1 s, within one bucket's
    // factor at schema 3 (2^(1/8)).
    let factor = (1.0f64 / 8.0).exp2();
    let p99 = wait_for(
        limit,
        "histogram_quantile over the native histogram",
        || {
            servers::query(
                &prometheus,
                "histogram_quantile(0.99, checkout_latency_seconds)",
            )
        },
    );
    assert!(
        p99 >= 0.99 / factor && p99 <= 0.99 * factor,
        "p99 {p99} is not within {factor} of 0.99"
    );
    expect_value(
        &prometheus,
        "histogram_count(checkout_latency_seconds)",
        1000.0,
        limit,
    );
    expect_value(
        &prometheus,
        "histogram_sum(checkout_latency_seconds)",
        500.5,
        limit,
    );

    // Classic and counter, exact.
    expect_value(
        &prometheus,
        r#"checkout_latency_classic_seconds_bucket{le="0.5"}"#,
        500.0,
        limit,
    );
    expect_value(
        &prometheus,
        r#"checkout_latency_classic_seconds_bucket{le="+Inf"}"#,
        1000.0,
        limit,
    );
    expect_value(
        &prometheus,
        "checkout_latency_classic_seconds_sum",
        500.5,
        limit,
    );
    expect_value(
        &prometheus,
        r#"checkout_requests_total{outcome="paid"}"#,
        900.0,
        limit,
    );
    expect_value(
        &prometheus,
        r#"checkout_requests_total{outcome="declined"}"#,
        100.0,
        limit,
    );

    // The exemplar of the declined checkouts: the last one's trace id.
    let trace = wait_for(limit, "the exemplar", || {
        let path = format!(
            "/api/v1/query_exemplars?query={}&start=0&end=4000000000",
            support::url_encode(r#"checkout_requests_total{outcome="declined"}"#)
        );
        let (_, body) = support::http_get(&prometheus, &path).ok()?;
        let json: Value = serde_json::from_str(&body).ok()?;
        json["data"][0]["exemplars"][0]["labels"]["trace_id"]
            .as_str()
            .map(str::to_owned)
    });
    assert_eq!(trace, "4bf92f3577b34da6");
    println!("{line}, checkout over protobuf: p99 {p99} (true 0.99, bucket factor {factor:.4}); exemplar {trace}; classic and counter exact");
}
