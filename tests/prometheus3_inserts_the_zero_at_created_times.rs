//! Start timestamps, through Prometheus 3.5.3 with
//! `created-timestamp-zero-ingestion`: scraping enumeter's protobuf and its
//! OpenMetrics (`_created`), it stores a zero at the created time of a
//! counter and of a histogram, so that the first scrape's increase is what
//! was recorded since the start, not lost. The start is taken from this
//! test's own clock around the group's first reading, which fixes an
//! instance's created time.
//!
//! Where a system it needs is missing, cargo reports the test ignored with
//! what to install; in CI it fails.

use enumeter_suite::support;

use std::sync::Arc;
use std::time::Duration;

use enumeter::{metrics, Exporter, Format, Registry};
use support::servers::{self, now_ms, query_at, samples_of, wait_for, Line, TempDir};

/// Work started by the test.
#[metrics(namespace = "started", register = false)]
pub enum Started {
    /// Jobs done.
    #[counter]
    JobsTotal,
    /// Job time.
    #[histogram(unit = "seconds", buckets = [1])]
    JobSeconds,
}

#[test]
#[cfg_attr(
    missing_prometheus3,
    ignore = "needs Prometheus 3.5.3: Debian sid's, as .ci/run fetches it into target/prometheus-sid"
)]
fn the_first_scrape_of_a_counter_and_a_histogram_counts_from_their_start() {
    support::require("prometheus3");
    let before = now_ms();
    let started: &'static StartedMetrics = Box::leak(Box::new(StartedMetrics::new()));
    let registry = Registry::new().with(started).created_timestamps(true);
    // The first reading fixes the instance's created time.
    registry.render(Format::OpenMetrics);
    let after = now_ms();
    started.jobs_total().add(7);
    for value in [0.25, 0.5, 2.0] {
        started.job_seconds().observe(value);
    }
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .registry(Arc::new(registry))
        .created_timestamps(true)
        .start()
        .unwrap();
    let target = exporter.local_addr().to_string();
    for (protocol, what) in [
        ("PrometheusProto", "protobuf"),
        ("OpenMetricsText1.0.0", "OpenMetrics"),
    ] {
        let dir = TempDir::new(&format!("created-zero-{what}"));
        let config = format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\
             scrape_configs:\n  - job_name: started\n    scrape_protocols: [{protocol}]\n    \
             static_configs:\n      - targets: ['{target}']\n"
        );
        let (_prometheus, addr) = servers::prometheus_of(
            Line::Three,
            &dir.0,
            &config,
            &["--enable-feature=created-timestamp-zero-ingestion"],
        );
        for (series, recorded) in [
            ("started_jobs_total", 7.0),
            ("started_job_seconds_count", 3.0),
            (r#"started_job_seconds_bucket{le="1.0"}"#, 2.0),
            ("started_job_seconds_sum", 2.75),
        ] {
            let kept = wait_for(Duration::from_secs(30), series, || {
                Some(samples_of(&addr, series)).filter(|s| s.len() >= 2)
            });
            // The zero at the start, then what was recorded since.
            let (start, zero) = kept[0];
            assert_eq!(zero, 0.0, "{what}, {series}: {kept:?}");
            assert!(
                (before..=after).contains(&start),
                "{what}, {series}: zero at {start}, the group was first read in [{before}, {after}]"
            );
            assert_eq!(kept[1].1, recorded, "{what}, {series}: {kept:?}");
            // rate() over the first two samples, evaluated at the second:
            // what was recorded since the start, per second of the time
            // between (irate reads exactly the last two samples).
            let (first_scrape, _) = kept[1];
            let rate = query_at(&addr, &format!("irate({series}[10m])"), first_scrape);
            let seconds = (first_scrape - start) as f64 / 1000.0;
            assert!(
                (rate * seconds - recorded).abs() < 1e-9 * recorded.max(1.0),
                "{what}, {series}: rate {rate}/s over {seconds} s, recorded {recorded}"
            );
            println!(
                "{what}, {series}: 0 at the start ({} ms after the test's clock read {before}), \
                 then {recorded}",
                start - before
            );
        }
    }
    exporter.shutdown();
}
