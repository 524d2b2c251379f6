//! End to end: the remote-write pusher delivers a registry to two real
//! receivers from Debian packages, each on 127.0.0.1 — Prometheus with
//! `--web.enable-remote-write-receiver` and VictoriaMetrics — and the values
//! come back exactly through each one's query API, named as Prometheus names
//! them after a scrape. A fault test stops VictoriaMetrics for several
//! intervals while the application keeps recording, starts it again, and
//! shows that no sample was lost. Basic auth gets through a Prometheus
//! that requires it (its `--web.config.file`), and a wrong password does
//! not.
//!
//! Where a system it needs is missing, cargo reports the test
//! ignored with what to install; in CI it fails. Every wait is bounded, and every process is stopped whatever
//! happens.

use enumeter_suite::support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use enumeter::push::RemoteWrite;
use enumeter::{metrics, LabelValue, Registry, Value};
use support::servers::{self, query, wait_for, TempDir};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Queue {
    Email,
    Sms,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Mode {
    Active,
    Draining,
}

/// A worker behind NAT that pushes instead of being scraped.
#[metrics(namespace = "worker", register = false)]
pub enum Worker {
    /// Jobs done, by queue.
    #[counter]
    JobsTotal { queue: Queue },
    /// Jobs waiting.
    #[gauge]
    Backlog { queue: Queue },
    /// Job time.
    #[histogram(unit = "seconds", buckets = [0.1, 1])]
    JobDuration,
    /// Payload sizes.
    #[summary(unit = "bytes", quantiles = [0.5, 0.9])]
    Payload,
    /// The worker's mode.
    #[state_set(states = Mode)]
    Mode,
}

static WORKER: WorkerMetrics = WorkerMetrics::new();

fn record() {
    WORKER.jobs_total(Queue::Email).add(41);
    WORKER.jobs_total(Queue::Sms).add(2);
    WORKER.backlog(Queue::Email).set(-3);
    for seconds in [0.05, 0.5, 0.5, 7.0] {
        WORKER.job_duration().observe(seconds);
    }
    for bytes in 1..=100 {
        WORKER.payload().observe(f64::from(bytes) * 10.0);
    }
    WORKER.mode().set(Mode::Draining);
}

/// Fails the test unless Prometheus and VictoriaMetrics are here.
fn require_receivers() {
    support::require("prometheus");
    support::require("victoria_metrics");
}

/// Pushes `WORKER` to `url` every 200 ms for a while, shuts the pusher
/// down, and checks each series through the query API at `query_at`
/// against what the registry holds: exactly, but for the quantile
/// estimates (17 significant digits) when the store keeps only
/// `quantile_digits` of them.
fn push_and_read_back(url: &str, query_at: &str, quantile_digits: Option<i32>, flush: impl Fn()) {
    let registry = Registry::new().with(&WORKER);
    let pusher = RemoteWrite::new(url)
        .registry(Registry::new().with(&WORKER))
        .external_label("job", "worker")
        .external_label("instance", "worker-7")
        .interval(Duration::from_millis(200))
        .start()
        .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    let stats = pusher.shutdown();
    assert_eq!(stats.dropped(), 0, "{stats:?}");
    assert_eq!(stats.samples_sent, stats.samples_queued, "{stats:?}");
    flush();

    let snapshot = registry.snapshot();
    let labels = r#"job="worker",instance="worker-7""#;
    let expected: Vec<(String, f64)> = vec![
        (
            format!(r#"worker_jobs_total{{{labels},queue="email"}}"#),
            41.0,
        ),
        (format!(r#"worker_jobs_total{{{labels},queue="sms"}}"#), 2.0),
        (format!(r#"worker_backlog{{{labels},queue="email"}}"#), -3.0),
        (format!(r#"worker_backlog{{{labels},queue="sms"}}"#), 0.0),
        (
            format!(r#"worker_job_duration_seconds_bucket{{{labels},le="0.1"}}"#),
            1.0,
        ),
        (
            format!(r#"worker_job_duration_seconds_bucket{{{labels},le="1"}}"#),
            3.0,
        ),
        (
            format!(r#"worker_job_duration_seconds_bucket{{{labels},le="+Inf"}}"#),
            4.0,
        ),
        (format!("worker_job_duration_seconds_sum{{{labels}}}"), 8.05),
        (
            format!("worker_job_duration_seconds_count{{{labels}}}"),
            4.0,
        ),
        (format!("worker_payload_bytes_count{{{labels}}}"), 100.0),
        (format!("worker_payload_bytes_sum{{{labels}}}"), 50_500.0),
        (
            format!(r#"worker_mode{{{labels},worker_mode="draining"}}"#),
            1.0,
        ),
        (
            format!(r#"worker_mode{{{labels},worker_mode="active"}}"#),
            0.0,
        ),
    ];
    // The quantile estimates, exactly as the registry reads them.
    let Some(Value::Summary { quantiles, .. }) = snapshot.get("worker_payload_bytes", &[]) else {
        panic!("the summary is in the snapshot");
    };
    for (expr, value) in &expected {
        servers::expect_value(query_at, expr, *value, Duration::from_secs(20));
    }
    let relative = quantile_digits.map_or(0.0, |digits| 10f64.powi(1 - digits));
    // Each estimate read back is the one the registry read, and within the
    // declared 1% of the exact quantile of the values recorded (10 to
    // 1,000 by 10), computed here.
    let payloads: Vec<f64> = (1..=100).map(|b| f64::from(b) * 10.0).collect();
    for &(q, estimate) in quantiles.iter() {
        let expr = format!(r#"worker_payload_bytes{{{labels},quantile="{q}"}}"#);
        servers::expect_value_within(query_at, &expr, estimate, relative, Duration::from_secs(20));
        let exact = support::exact_rank(&payloads, q);
        let read = servers::query(query_at, &expr).unwrap();
        assert!(
            (read - exact).abs() <= exact * (0.01 + relative),
            "quantile {q}: read {read}, exact {exact}"
        );
    }
    println!(
        "{url}: {} series read back ({} samplings, {} samples sent)",
        expected.len() + quantiles.len(),
        stats.samplings,
        stats.samples_sent
    );
}

#[test]
#[cfg_attr(
    any(missing_prometheus, missing_victoria_metrics),
    ignore = "needs Prometheus and VictoriaMetrics: apt-get install prometheus victoria-metrics"
)]
fn a_real_prometheus_receives_remote_write_and_reads_back_every_value() {
    require_receivers();
    record_once();
    let dir = TempDir::new("remote-write-prometheus");
    let (_prometheus, addr) = servers::prometheus(&dir.0, "global:\n  scrape_interval: 1m\n");
    push_and_read_back(&format!("http://{addr}/api/v1/write"), &addr, None, || {});

    // A 4xx is final: logged, counted, never retried.
    let refused = RemoteWrite::new(&format!("http://{addr}/api/v1/no_such_endpoint"))
        .registry(Registry::new().with(&WORKER))
        .interval(Duration::from_millis(100))
        .start()
        .unwrap();
    std::thread::sleep(Duration::from_millis(350));
    let stats = refused.shutdown();
    assert_eq!(stats.retries, 0, "{stats:?}");
    assert_eq!(stats.samples_sent, 0, "{stats:?}");
    assert_eq!(stats.dropped_rejected, stats.samples_queued, "{stats:?}");
    assert!(stats.samplings >= 2, "{stats:?}");
}

#[test]
#[cfg_attr(
    any(missing_prometheus, missing_victoria_metrics),
    ignore = "needs Prometheus and VictoriaMetrics: apt-get install prometheus victoria-metrics"
)]
fn a_real_victoria_metrics_receives_remote_write_and_reads_back_every_value() {
    require_receivers();
    record_once();
    let dir = TempDir::new("remote-write-vm");
    let addr = format!("127.0.0.1:{}", servers::free_port());
    let _vm = servers::victoria_metrics(&dir.0, &addr);
    // VictoriaMetrics keeps 12 significant decimal digits of a value (its
    // FAQ: "VM may reduce precision for float values with more than 12
    // significant decimal digits"); every other value here has fewer.
    push_and_read_back(
        &format!("http://{addr}/api/v1/write"),
        &addr,
        Some(12),
        || servers::victoria_metrics_flush(&addr),
    );
}

/// Both tests read the same static group: record into it once.
fn record_once() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(record);
}

/// A group of its own for the fault test, recorded without pause.
#[metrics(namespace = "fault", register = false)]
pub enum Fault {
    /// Events counted while the receiver comes and goes.
    #[counter]
    EventsTotal,
}

#[test]
#[cfg_attr(
    any(missing_prometheus, missing_victoria_metrics),
    ignore = "needs Prometheus and VictoriaMetrics: apt-get install prometheus victoria-metrics"
)]
fn no_sample_is_lost_while_the_receiver_is_down_for_several_intervals() {
    require_receivers();
    static FAULT: FaultMetrics = FaultMetrics::new();
    let dir = TempDir::new("remote-write-fault");
    let addr = format!("127.0.0.1:{}", servers::free_port());
    let vm = servers::victoria_metrics(&dir.0, &addr);

    let interval = Duration::from_millis(250);
    let pusher = RemoteWrite::new(&format!("http://{addr}/api/v1/write"))
        .registry(Registry::new().with(&FAULT))
        .external_label("job", "fault")
        .interval(interval)
        .timeout(Duration::from_secs(2))
        .backoff(Duration::from_millis(20), Duration::from_millis(200))
        .flush_deadline(Duration::from_secs(10))
        .start()
        .unwrap();

    // The application records all along.
    let recording = AtomicBool::new(true);
    std::thread::scope(|s| {
        // A failure below (VictoriaMetrics not coming back, an assertion)
        // stops the recorder first, or `scope` would wait for it for ever.
        let _stop_recording = support::StoreOnDrop(&recording, false);
        s.spawn(|| {
            while recording.load(Ordering::Relaxed) {
                FAULT.events_total().inc();
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        std::thread::sleep(Duration::from_secs(1));
        // Down for well over two intervals.
        drop(vm);
        let down = Instant::now();
        std::thread::sleep(interval * 6);
        let retries_while_down = pusher.stats().retries;
        let vm = servers::victoria_metrics(&dir.0, &addr);
        let outage = down.elapsed();
        std::thread::sleep(Duration::from_secs(1));
        recording.store(false, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(50));
        let stats = pusher.shutdown();
        servers::victoria_metrics_flush(&addr);

        assert!(retries_while_down > 0, "the pusher retried: {stats:?}");
        assert_eq!(stats.dropped(), 0, "{stats:?}");
        assert_eq!(stats.samples_sent, stats.samples_queued, "{stats:?}");
        // One sample of the counter per sampling, every one stored.
        let expr = r#"count_over_time(fault_events_total{job="fault"}[1h])"#;
        let stored = wait_for(Duration::from_secs(20), expr, || {
            query(&addr, expr).filter(|&n| n == stats.samplings as f64)
        });
        let total = FAULT.events_total().get();
        let expr = r#"fault_events_total{job="fault"}"#;
        servers::expect_value(&addr, expr, total as f64, Duration::from_secs(20));
        println!(
            "receiver down {:.1} s ({} intervals): {} retries, {} samplings all stored \
             ({stored} samples of the counter), final count {total} read back exactly",
            outage.as_secs_f64(),
            outage.as_millis() / interval.as_millis(),
            stats.retries,
            stats.samplings,
        );
        drop(vm);
    });
}

/// `worker:w0rker-s3cret` for Prometheus' web config: the bcrypt hash (cost
/// 4, to keep each check fast) made with Python's `bcrypt.hashpw`.
const WORKER_BCRYPT: &str = "$2b$04$95A0BvCvGuHzsiWmyZwnSOVUuoLqDsCbt7q6EPLf9SKs48MA73EqO";

#[test]
#[cfg_attr(
    missing_prometheus,
    ignore = "needs Prometheus: apt-get install prometheus"
)]
fn basic_auth_gets_through_a_prometheus_that_requires_it_and_a_wrong_password_does_not() {
    support::require("prometheus");
    let dir = TempDir::new("remote-write-auth");
    // base64("worker:w0rker-s3cret"), as RFC 7617 spells the header.
    let authorization = "Authorization: Basic d29ya2VyOncwcmtlci1zM2NyZXQ=\r\n";
    let (_prometheus, addr) = servers::prometheus_with_web_config(
        &dir.0,
        "global:\n  scrape_interval: 1m\n",
        &format!("basic_auth_users:\n  worker: {WORKER_BCRYPT}\n"),
        authorization,
    );
    let url = format!("http://{addr}/api/v1/write");
    // Its own instance: the other tests of this file push `WORKER`.
    static AUTHED: WorkerMetrics = WorkerMetrics::new();
    AUTHED.jobs_total(Queue::Sms).add(5);
    let push = |password: &str| {
        let pusher = RemoteWrite::new(&url)
            .registry(Registry::new().with(&AUTHED))
            .external_label("job", "auth")
            .basic_auth("worker", password)
            .interval(Duration::from_millis(100))
            .start()
            .unwrap();
        std::thread::sleep(Duration::from_millis(350));
        pusher.shutdown()
    };

    let stats = push("w0rker-s3cret");
    assert!(stats.samples_sent > 0, "{stats:?}");
    assert_eq!(stats.samples_sent, stats.samples_queued, "{stats:?}");
    assert_eq!(stats.dropped(), 0, "{stats:?}");
    let path = format!(
        "/api/v1/query?query={}",
        support::url_encode(r#"worker_jobs_total{job="auth",queue="sms"}"#)
    );
    let value = wait_for(Duration::from_secs(20), "the pushed value", || {
        let (status, _, body) = support::http_get_with(&addr, &path, authorization).ok()?;
        let json: serde_json::Value = serde_json::from_str(&body).ok()?;
        let value = json["data"]["result"][0]["value"][1].as_str()?.to_owned();
        (status == 200).then_some(value)
    });
    assert_eq!(value, "5");

    // Prometheus does check: a wrong password is refused (401, final: never
    // retried), and so is a query without credentials.
    let stats = push("w0rker-s3creT");
    assert!(stats.samples_queued > 0, "{stats:?}");
    assert_eq!(stats.retries, 0, "{stats:?}");
    assert_eq!(stats.samples_sent, 0, "{stats:?}");
    assert_eq!(stats.dropped_rejected, stats.samples_queued, "{stats:?}");
    assert_eq!(support::http_get(&addr, &path).unwrap().0, 401);
}
