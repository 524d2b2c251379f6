//! End to end: what no other test had a real consumer read. A real
//! Prometheus 2.42 scrapes an exporter serving this process's metrics with
//! created timestamps on and the process metrics enabled: it stores each
//! `_created` line as a series of its own, whose value is this process's
//! start as the test reads it from /proc, and the process metrics, which
//! promtool accepts, come back with the start time and this process's
//! thread count.
//!
//! Where a system it needs is missing, cargo reports the test
//! ignored with what to install; in CI it fails. Every wait is bounded.

use enumeter_suite::support;

use std::time::Duration;

use enumeter::{metrics, Exporter, Format, Registry};
use support::servers::{self, expect_value, query, wait_for, TempDir};

/// Created-time metrics, in the default registry.
#[metrics(namespace = "born")]
pub enum Born {
    /// Jobs done.
    #[counter]
    JobsTotal,
    /// Job time.
    #[histogram(unit = "seconds", buckets = [1])]
    Duration,
}

#[test]
#[cfg_attr(
    missing_prometheus,
    ignore = "needs Prometheus: apt-get install prometheus"
)]
fn a_real_prometheus_reads_created_times_and_process_metrics_as_proc_gives_them() {
    support::require("prometheus");
    enumeter::process::enable();
    Born::jobs_total().add(3);
    Born::duration().observe(0.5);

    // promtool reads the process metrics as exposed.
    let process = Registry::new()
        .with(enumeter::process::group())
        .render(Format::Prometheus);
    let (code, report) = support::promtool_check(&process);
    assert_eq!(code, 0, "{report}\n{process}");

    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .created_timestamps(true)
        .start()
        .unwrap();
    let target = exporter.local_addr().to_string();
    let dir = TempDir::new("created");
    let (_server, prometheus) =
        servers::prometheus(&dir.0, &servers::scrape_every_second("born", &target));

    let limit = Duration::from_secs(60);
    expect_value(&prometheus, "born_jobs_total", 3.0, limit);
    expect_value(&prometheus, "born_duration_seconds_count", 1.0, limit);
    // The process-wide instance counts from the start of the process: its
    // created time, to the millisecond the format writes, is the start
    // read from /proc here.
    let start = support::process_start_ms_from_proc() as f64 / 1000.0;
    for series in ["born_jobs_created", "born_duration_seconds_created"] {
        let created = wait_for(limit, series, || query(&prometheus, series));
        assert!(
            (created - start).abs() < 0.0005,
            "{series}: {created} against the start {start}"
        );
    }
    let stored_start = wait_for(limit, "process_start_time_seconds", || {
        query(&prometheus, "process_start_time_seconds")
    });
    assert!(
        (stored_start - start).abs() < 0.0005,
        "process_start_time_seconds {stored_start} against {start}"
    );
    // Every process metric arrives, with a value of this process.
    for name in [
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "process_virtual_memory_bytes",
        "process_open_fds",
        "process_max_fds",
        "process_threads",
    ] {
        let value = wait_for(limit, name, || query(&prometheus, name));
        assert!(value > 0.0, "{name} {value}");
    }
    let threads = query(&prometheus, "process_threads").unwrap();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let now: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The exporter's three threads and the test's own are there; a
    // scrape may have seen a test thread that has since ended, or not one
    // started since.
    assert!(
        threads >= 4.0 && (threads - now).abs() <= 2.0,
        "{threads} against {now}"
    );
    println!(
        "created times and process start {start:.3} read back from Prometheus; {threads} threads"
    );
    exporter.shutdown();
}
