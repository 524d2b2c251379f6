//! End to end, sparse exposure: the axum example (six routes behind
//! `RequestMetricsLayer`, whose `http_server_metrics!` are sparse) driven
//! with a known mix of requests. A real Prometheus 2.42 scrapes exactly
//! the sample lines of the series those requests reached, and reads each
//! value back exactly; VictoriaMetrics, fed by the example's remote write,
//! holds exactly those series with the same values.
//!
//! Where a system it needs is missing, cargo reports the test
//! ignored with what to install; in CI it fails. Every wait is bounded.

use enumeter_suite::support;

use std::time::Duration;

use serde_json::Value;
use support::servers::{self, expect_value, query_all, wait_for, TempDir};

/// The requests each test sends: (method, path, status the example
/// answers, series labels `method,status,route`, how many).
const MIX: &[(&str, &str, u16, [&str; 3], u32)] = &[
    ("GET", "/hello", 200, ["get", "2xx", "hello"], 3),
    ("GET", "/users", 200, ["get", "2xx", "users"], 2),
    ("DELETE", "/users", 405, ["delete", "4xx", "users"], 1),
    ("GET", "/orders", 200, ["get", "2xx", "orders"], 1),
    ("POST", "/orders", 201, ["post", "2xx", "orders"], 4),
    ("GET", "/cart", 503, ["get", "5xx", "cart"], 2),
];

/// Sample lines per series of each request metric: the counter's one; the
/// histogram's 11 buckets, `+Inf`, `_sum` and `_count`.
const COUNTER_LINES: usize = 1;
const HISTOGRAM_LINES: usize = 11 + 1 + 2;

fn drive(addr: &str) {
    for &(method, path, status, _, times) in MIX {
        for _ in 0..times {
            let (got, _, _) = support::http_request(addr, method, path, "").unwrap();
            assert_eq!(got, status, "{method} {path}");
        }
    }
}

/// The `{method,status,route}` selector of a series of the mix.
fn selector(labels: [&str; 3]) -> String {
    let [method, status, route] = labels;
    format!(r#"method="{method}",status="{status}",route="{route}""#)
}

/// The in-flight gauges the mix touched: one per (method, route).
fn in_flight_series(mix: &[[&str; 3]]) -> Vec<(String, String)> {
    let mut series: Vec<(String, String)> = mix
        .iter()
        .map(|[method, _, route]| (method.to_string(), route.to_string()))
        .collect();
    series.sort();
    series.dedup();
    series
}

#[test]
#[cfg_attr(
    missing_prometheus,
    ignore = "needs Prometheus: apt-get install prometheus"
)]
fn a_real_prometheus_scrapes_only_the_series_requests_reached() {
    support::require("prometheus");
    let (_example, target) = support::serve_example("axum_handler", 120);
    drive(&target);
    // Two scrapes of our own first: the first request to `/metrics` is
    // counted once answered, so the second shows the route's series, which
    // then exist before Prometheus counts what it scrapes.
    for _ in 0..2 - 1 {
        assert_eq!(support::http_get(&target, "/metrics").unwrap().0, 200);
    }
    let (status, body) = support::http_get(&target, "/metrics").unwrap();
    assert_eq!(status, 200);

    let mut labels: Vec<[&str; 3]> = MIX.iter().map(|m| m.3).collect();
    labels.push(["get", "2xx", "metrics"]);
    let in_flight = in_flight_series(&labels);
    // Every sample line of the `http_server_` families is one of the
    // reached series', and there is each of them.
    let http_lines = body
        .lines()
        .filter(|l| l.starts_with("http_server_"))
        .count();
    let expected_http_lines = labels.len() * (COUNTER_LINES + HISTOGRAM_LINES) + in_flight.len();
    assert_eq!(http_lines, expected_http_lines, "{body}");
    // The other families: the example's own counter, after three
    // greetings, and enumeter's count of observations it refused, which a
    // process shows once it has observed into a histogram.
    let other: Vec<&str> = body
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("http_server_"))
        .collect();
    let expected_other = [
        "app_greetings_total 3",
        "enumeter_observations_dropped_total{reason=\"nan\"} 0",
        "enumeter_observations_dropped_total{reason=\"infinite\"} 0",
        "enumeter_observations_dropped_total{reason=\"negative\"} 0",
        "enumeter_observations_dropped_total{reason=\"non_positive\"} 0",
        "enumeter_observations_dropped_total{reason=\"sum_overflow\"} 0",
    ];
    assert_eq!(other, expected_other, "{body}");

    let dir = TempDir::new("sparse-axum");
    let (_server, prometheus) =
        servers::prometheus(&dir.0, &servers::scrape_every_second("axum", &target));
    let scraped = wait_for(Duration::from_secs(60), "a first scrape", || {
        let values = query_all(&prometheus, r#"scrape_samples_scraped{job="axum"}"#)?;
        values.first().copied()
    });
    assert_eq!(scraped, (expected_http_lines + expected_other.len()) as f64);

    let limit = Duration::from_secs(30);
    for &(_, _, _, labels, times) in MIX {
        let selector = selector(labels);
        expect_value(
            &prometheus,
            &format!("http_server_requests_total{{{selector}}}"),
            times as f64,
            limit,
        );
        expect_value(
            &prometheus,
            &format!("http_server_request_duration_seconds_count{{{selector}}}"),
            times as f64,
            limit,
        );
        expect_value(
            &prometheus,
            &format!(r#"http_server_request_duration_seconds_bucket{{{selector},le="+Inf"}}"#),
            times as f64,
            limit,
        );
    }
    // Requests to `/metrics` answered before a scrape: our two, then one
    // per scrape before it. Prometheus counts its scrapes in `up`.
    expect_value(
        &prometheus,
        r#"http_server_requests_total{route="metrics"} - scalar(count_over_time(up{job="axum"}[10m]))"#,
        1.0,
        limit,
    );
    for (method, route) in &in_flight {
        // Only the scrape itself is in flight while it is answered.
        let expected = if route == "metrics" { 1.0 } else { 0.0 };
        expect_value(
            &prometheus,
            &format!(r#"http_server_requests_in_flight{{method="{method}",route="{route}"}}"#),
            expected,
            limit,
        );
    }
    // No series of the request metrics beyond those reached.
    let series = query_all(&prometheus, r#"count({__name__=~"http_server_.+"})"#).unwrap();
    assert_eq!(series, [expected_http_lines as f64]);
    expect_value(&prometheus, "app_greetings_total", 3.0, limit);
}

#[test]
#[cfg_attr(
    missing_victoria_metrics,
    ignore = "needs VictoriaMetrics: apt-get install victoria-metrics"
)]
fn remote_write_to_victoria_metrics_carries_only_the_series_requests_reached() {
    support::require("victoria_metrics");
    let dir = TempDir::new("sparse-vm");
    let vm = format!("127.0.0.1:{}", servers::free_port());
    let _victoria = servers::victoria_metrics(&dir.0, &vm);
    let url = format!("http://{vm}/api/v1/write");
    let (_example, target) = support::serve_example_with(
        "axum_handler",
        120,
        &[("ENUMETER_REMOTE_WRITE_URL", url.as_str())],
    );
    drive(&target);

    let labels: Vec<[&str; 3]> = MIX.iter().map(|m| m.3).collect();
    let in_flight = in_flight_series(&labels);
    let expected_series = labels.len() * (COUNTER_LINES + HISTOGRAM_LINES) + in_flight.len();
    let limit = Duration::from_secs(30);
    for &(_, _, _, labels, times) in MIX {
        let selector = selector(labels);
        for query in [
            format!("http_server_requests_total{{{selector}}}"),
            format!("http_server_request_duration_seconds_count{{{selector}}}"),
            format!(r#"http_server_request_duration_seconds_bucket{{{selector},le="+Inf"}}"#),
        ] {
            wait_flushed(&vm, &query, times as f64, limit);
        }
    }
    for (method, route) in &in_flight {
        wait_flushed(
            &vm,
            &format!(r#"http_server_requests_in_flight{{method="{method}",route="{route}"}}"#),
            0.0,
            limit,
        );
    }
    servers::victoria_metrics_flush(&vm);
    let series = query_all(&vm, r#"count({__name__=~"http_server_.+"})"#).unwrap();
    assert_eq!(series, [expected_series as f64]);
    let names = label_values(&vm, "route");
    assert_eq!(names, ["cart", "hello", "orders", "users"]);
}

/// [`expect_value`] against VictoriaMetrics, which makes what it received
/// searchable when asked.
fn wait_flushed(vm: &str, query: &str, expected: f64, limit: Duration) {
    wait_for(limit, query, || {
        servers::victoria_metrics_flush(vm);
        (query_all(vm, query)? == [expected]).then_some(())
    });
}

/// The values of `label` across the request metrics' series, sorted.
fn label_values(vm: &str, label: &str) -> Vec<String> {
    let path = format!(
        "/api/v1/label/{label}/values?match[]={}",
        support::url_encode(r#"{__name__=~"http_server_.+"}"#)
    );
    let (status, body) = support::http_get(vm, &path).unwrap();
    assert_eq!(status, 200, "{body}");
    let json: Value = serde_json::from_str(&body).unwrap();
    let mut values: Vec<String> = json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    values.sort();
    values
}
