//! The fault test of remote write, over OTLP: a real VictoriaMetrics 1.112
//! is stopped for 30 s while the application records without pause, then
//! started again on the same data path. The pusher's queue holds 10 s of
//! samplings: what falls beyond it is dropped and counted, everything
//! within it arrives, and the last value is exact. (VictoriaMetrics 1.112
//! drops delta sums, counting them in its
//! `vm_protoparser_rows_dropped_total{reason="unsupported_sum_aggregation"}`:
//! deltas across failed pushes are checked in `otlp_pusher_answers.rs`.)
//!
//! Where a system it needs is missing, cargo reports the test
//! ignored with what to install; in CI it fails. Every wait is bounded, and every process is stopped whatever
//! happens.

use enumeter_suite::support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use enumeter::push::otlp::Otlp;
use enumeter::{metrics, Registry};
use support::servers::{self, query, wait_for, TempDir};

/// What the application records while the receiver comes and goes.
#[metrics(namespace = "outage", register = false)]
pub enum Outage {
    /// Events counted.
    #[counter]
    EventsTotal,
    /// Their latency.
    #[histogram(unit = "seconds", buckets = [0.001, 0.01])]
    Latency,
}

static OUTAGE: OutageMetrics = OutageMetrics::new();

/// Data points in one sampling of `OUTAGE`: the counter and the histogram.
const POINTS: u64 = 2;

#[test]
#[cfg_attr(
    missing_victoria_metrics_otlp,
    ignore = "needs VictoriaMetrics 1.112: .ci/run fetches it from Debian trixie into target/victoria-metrics-trixie (or set ENUMETER_VM_OTLP), then touch build.rs"
)]
fn a_30_s_outage_loses_nothing_within_the_queue_and_counts_what_falls_beyond_it() {
    let binary = servers::victoria_metrics_otlp_binary();
    let dir = TempDir::new("otlp-outage");
    let addr = format!("127.0.0.1:{}", servers::free_port());
    let vm = servers::victoria_metrics_otlp(&binary, &dir.0, &addr);

    let interval = Duration::from_millis(250);
    // 10 s of samplings.
    let cumulative = Otlp::new()
        .endpoint(&format!("http://{addr}/opentelemetry"))
        .registry(Registry::new().with(&OUTAGE))
        .service_name("outage")
        .interval(interval)
        .timeout(Duration::from_secs(2))
        .backoff(Duration::from_millis(20), Duration::from_millis(500))
        .queue_capacity(40 * POINTS as usize)
        .flush_deadline(Duration::from_secs(20))
        .start()
        .unwrap();

    let recording = AtomicBool::new(true);
    std::thread::scope(|s| {
        // A failure below stops the recorder first, or `scope` would wait
        // for it for ever.
        let _stop_recording = support::StoreOnDrop(&recording, false);
        s.spawn(|| {
            let mut i = 0u32;
            while recording.load(Ordering::Relaxed) {
                OUTAGE.events_total().inc();
                OUTAGE.latency().observe(f64::from(i % 20) / 1000.0);
                i += 1;
                std::thread::sleep(Duration::from_micros(200));
            }
        });
        std::thread::sleep(Duration::from_secs(1));
        drop(vm);
        let down = Instant::now();
        std::thread::sleep(Duration::from_secs(30));
        let during = cumulative.stats();
        let vm = servers::victoria_metrics_otlp(&binary, &dir.0, &addr);
        let outage = down.elapsed();
        std::thread::sleep(Duration::from_secs(1));
        recording.store(false, Ordering::Relaxed);
        let c = cumulative.shutdown();
        servers::victoria_metrics_flush(&addr);
        let total = OUTAGE.events_total().get();
        let observations = OUTAGE.latency().snapshot().count();

        // Retried while the receiver was away; the full queue dropped
        // whole samplings, counted; everything else arrived.
        assert!(during.retries > 0, "{during:?}");
        assert!(c.dropped_queue_full > 0, "{c:?}");
        assert_eq!(c.dropped_queue_full % POINTS, 0, "{c:?}");
        assert_eq!(c.dropped_rejected + c.dropped_shutdown, 0, "{c:?}");
        assert_eq!(
            c.samples_sent + c.dropped_queue_full,
            c.samples_queued,
            "{c:?}"
        );
        // The self-metrics say the same (the only pusher of this binary).
        assert_eq!(
            support::own_counter(
                "enumeter_otlp_points_dropped_total",
                &[("reason", "queue_full")]
            ),
            c.dropped_queue_full
        );
        assert_eq!(
            support::own_counter("enumeter_otlp_points_sent_total", &[]),
            c.samples_sent
        );

        let limit = Duration::from_secs(20);
        // Every sampling the queue kept is stored, one sample each.
        let kept = c.samplings - c.dropped_queue_full / POINTS;
        let expr = r#"count_over_time(outage_events_total{service.name="outage"}[1h])"#;
        wait_for(limit, expr, || {
            query(&addr, expr).filter(|&n| n == kept as f64)
        });
        servers::expect_value(
            &addr,
            r#"outage_events_total{service.name="outage"}"#,
            total as f64,
            limit,
        );
        let r = r#"service.name="outage""#;
        for (expr, expected) in [
            (format!("outage_latency_seconds_count{{{r}}}"), observations),
            (
                format!(r#"outage_latency_seconds_bucket{{{r},le="+Inf"}}"#),
                observations,
            ),
        ] {
            servers::expect_value(&addr, &expr, expected as f64, limit);
        }
        println!(
            "receiver down {:.1} s: {} samplings, {} retries, {} points dropped beyond the \
             queue ({} samplings), {kept} stored; {total} events and {observations} \
             observations read back exactly",
            outage.as_secs_f64(),
            c.samplings,
            c.retries,
            c.dropped_queue_full,
            c.dropped_queue_full / POINTS,
        );
        drop(vm);
    });
}
