//! End to end with the tokio_runtime example: `tokio-metrics` publishes the
//! runtime's metrics through the `metrics` facade, the service counts its
//! jobs in a typed group, and one `/metrics` carries both. A real
//! Prometheus (2.42, then 3.5.3) scrapes it, and the same process pushes
//! over OTLP into VictoriaMetrics 1.112; every value `tokio-metrics`
//! reported (the example writes them down after its last report, through a
//! second recorder composed with enumeter's) reads back exactly from both,
//! and so do the typed counters.
//!
//! Where a system it needs is missing, cargo reports the test ignored with
//! what to install; in CI it fails.

use std::time::Duration;

use enumeter_suite::support;
use support::servers::{self, expect_value, free_port, wait_for, Line, TempDir};

/// Samplings of the runtime the example makes, 500 ms apart.
const REPORTS: &str = "6";

/// What `tokio-metrics` reported, as the queries that read each value back
/// from a store of the facade's series: a counter by its name with
/// `_total`, a gauge by its own.
fn reported(file: &std::path::Path) -> Vec<(String, f64)> {
    let text = wait_for(
        Duration::from_secs(60),
        "the example's reported values",
        || std::fs::read_to_string(file).ok(),
    );
    let values: Vec<(String, f64)> = text
        .lines()
        .map(|line| {
            let (kind, rest) = line.split_once(' ').expect("kind, key, value");
            let (key, value) = rest.rsplit_once(' ').expect("key, value");
            let (name, labels) = key.split_once('{').expect("a label set");
            let name = match kind {
                "Counter" => format!("{name}_total"),
                "Gauge" => name.to_owned(),
                other => panic!("{other}"),
            };
            (
                format!("{name}{{{labels}"),
                value.parse().expect("a number"),
            )
        })
        .collect();
    assert!(
        values
            .iter()
            .any(|(q, _)| q.starts_with("tokio_workers_count{")),
        "{text}"
    );
    values
}

/// Starts the example, writing what it reported into `dir`.
fn start_example(
    dir: &TempDir,
    env: &[(&str, &str)],
) -> (support::Process, String, Vec<(String, f64)>) {
    let file = dir.0.join("reported.txt");
    let file_text = file.display().to_string();
    let mut env: Vec<(&str, &str)> = env.to_vec();
    env.push(("ENUMETER_REPORTS", REPORTS));
    env.push(("ENUMETER_REPORTED_FILE", &file_text));
    let (process, target) = support::serve_example_with("tokio_runtime", 180, &env);
    let values = reported(&file);
    (process, target, values)
}

/// The typed group's two series: 20 jobs a report, every seventh failed.
fn typed(values: &mut Vec<(String, f64)>) {
    let reports: u32 = REPORTS.parse().unwrap();
    let failed = (0..reports)
        .flat_map(|round| (0..20).map(move |i| (round + i).is_multiple_of(7)))
        .filter(|&f| f)
        .count() as f64;
    let all = f64::from(reports * 20);
    values.push(("jobs_finished_total{failed=\"true\"}".into(), failed));
    values.push(("jobs_finished_total{failed=\"false\"}".into(), all - failed));
}

#[test]
#[cfg_attr(
    any(missing_prometheus, missing_prometheus3),
    ignore = "needs Prometheus 2.42 (apt-get install prometheus) and 3.5.3 (Debian sid's, as .ci/run fetches it into target/prometheus-sid)"
)]
fn prometheus_reads_the_facades_tokio_values_beside_the_typed_group() {
    support::require("prometheus");
    support::require("prometheus3");
    let dir = TempDir::new("facade-tokio");
    let (_example, target, mut values) = start_example(&dir, &[]);
    typed(&mut values);
    for line in Line::BOTH {
        let dir = TempDir::new(&format!("facade-tokio-{line:?}"));
        let (_prometheus, prometheus) = servers::prometheus_of(
            line,
            &dir.0,
            &servers::scrape_every_second("tokio_runtime", &target),
            &[],
        );
        for (query, value) in &values {
            expect_value(&prometheus, query, *value, Duration::from_secs(30));
        }
        println!(
            "Prometheus {line:?}: {} values read back exactly ({} from tokio-metrics through the facade)",
            values.len(),
            values.len() - 2
        );
    }
}

#[test]
#[cfg_attr(
    missing_victoria_metrics_otlp,
    ignore = "needs VictoriaMetrics 1.112: .ci/run fetches it from Debian trixie into target/victoria-metrics-trixie (or set ENUMETER_VM_OTLP), then touch build.rs"
)]
fn victoria_metrics_reads_the_same_series_pushed_over_otlp() {
    let binary = servers::victoria_metrics_otlp_binary();
    let dir = TempDir::new("facade-tokio-otlp");
    let addr = format!("127.0.0.1:{}", free_port());
    let _vm = servers::victoria_metrics_otlp(&binary, &dir.0, &addr);
    let endpoint = format!("http://{addr}/opentelemetry");
    let (_example, _, mut values) = start_example(
        &dir,
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("OTEL_SERVICE_NAME", "tokio-runtime"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "500"),
        ],
    );
    typed(&mut values);
    for (query, value) in &values {
        // Every point of the series after the last report holds the value:
        // the newest is the one read. A fraction (the busy ratio) to the
        // 12 significant digits VictoriaMetrics keeps; counts exactly.
        let relative = if value.fract() == 0.0 { 0.0 } else { 1e-11 };
        servers::expect_value_within(&addr, query, *value, relative, Duration::from_secs(30));
    }
    println!(
        "VictoriaMetrics 1.112: {} values read back over OTLP (counts exactly, the busy ratio to the 12 digits it keeps)",
        values.len()
    );
}
