//! What enumeter gives up on is said through the `log` facade, never on
//! stderr, and never more often than it helps: a dropped observation, a
//! refused exemplar and a native overflow at their first occurrence (then
//! only counted); a push target when it starts failing and when it
//! recovers (the once-a-minute repeats in between are unit-tested in
//! `push/failures.rs`). Remote write fails against a port where nothing
//! listens, then recovers when a real VictoriaMetrics starts there.
//!
//! The remote-write test needs VictoriaMetrics: cargo reports it ignored
//! where it is missing (in CI, it fails).

use enumeter_suite::support;

use std::net::UdpSocket;
use std::sync::Arc;
use std::time::Duration;

use enumeter::push::statsd::StatsdPusher;
use enumeter::push::RemoteWrite;
use enumeter::{metrics, Registry};
use support::servers::{self, free_port, wait_for, TempDir};

/// The messages logged so far at `level` that contain `part`.
fn logged(level: log::Level, part: &str) -> Vec<String> {
    let records = support::log_capture::records();
    // enumeter logs under its own target, never its modules' paths; what
    // its dependencies (the HTTP client) log is theirs.
    for (_, target, message) in records.iter() {
        assert!(!target.starts_with("enumeter::"), "{target}: {message}");
    }
    records
        .iter()
        .filter(|(l, t, m)| *l == level && t == "enumeter" && m.contains(part))
        .map(|(_, _, m)| m.clone())
        .collect()
}

/// Jobs, with every way of losing a value.
#[metrics(namespace = "lossy", register = false)]
pub enum Lossy {
    /// Jobs done.
    #[counter]
    JobsTotal,
    /// Job time, with exemplars.
    #[histogram(unit = "seconds", buckets = [1], exemplars)]
    JobDuration,
    /// Job sizes, native buckets up to 1,000.
    #[histogram(unit = "bytes", buckets = [10], native(max = 1000))]
    JobSize,
}

static LOSSY: LossyMetrics = LossyMetrics::new();

enumeter::runtime_label! {
    /// Tiers, two at most.
    pub struct Tier: capacity = 2;
}

#[test]
fn losses_are_logged_once_and_push_targets_when_they_fail_and_recover() {
    support::log_capture::install();

    // Refused on the record path: logged the first time, then counted.
    for _ in 0..3 {
        LOSSY.job_duration().observe(f64::NAN);
        LOSSY
            .job_duration()
            .observe_with_exemplar(0.5, &[("trace_id", "a\"b")]);
        LOSSY.job_size().observe(1e9);
    }
    assert_eq!(
        logged(log::Level::Warn, "observation was dropped"),
        [
            "an observation was dropped: a NaN has no bucket and would make `_sum` NaN; counted \
          in enumeter_observations_dropped_total{reason=\"nan\"}, not logged again"
        ]
    );
    assert_eq!(
        logged(log::Level::Warn, "exemplar"),
        [
            "an exemplar with labels [\"trace_id\"] was refused: a value holds `\"`, `\\` or a \
          newline, which consumers of OpenMetrics read differently; its observation was \
          recorded; counted in enumeter_exemplars_dropped_total{reason=\"needs_escaping\"}, \
          not logged again"
        ]
    );
    assert_eq!(
        logged(log::Level::Warn, "native histogram"),
        [
            "a native histogram refused 1000000000: above the `max` it was declared with, where \
          no cell holds it; counted in enumeter_native_overflow_total, not logged again"
        ]
    );
    // A runtime label past its capacity: `other`, counted, logged once.
    for name in ["a", "b", "c", "d"] {
        Tier::intern(name).unwrap();
    }
    assert_eq!(Tier::intern("e").unwrap(), Tier::OTHER);
    assert_eq!(
        logged(log::Level::Warn, "runtime label"),
        [
            "runtime label `Tier` is full (2 values): new values are recorded as `other`; \
          counted in enumeter_runtime_label_overflow_total{label=\"Tier\"}, not logged again"
        ]
    );
    let own = enumeter::render(enumeter::Format::Prometheus);
    assert!(
        own.contains("enumeter_runtime_label_overflow_total{label=\"Tier\"} 3\n"),
        "{own}"
    );
    assert!(
        own.contains("enumeter_observations_dropped_total{reason=\"nan\"} 3\n")
            && own.contains("enumeter_exemplars_dropped_total{reason=\"needs_escaping\"} 3\n")
            && own.contains("enumeter_native_overflow_total 3\n"),
        "{own}"
    );

    LOSSY.jobs_total().inc();
    let registry = Arc::new(Registry::new().with(&LOSSY));
    let limit = Duration::from_secs(20);

    // StatsD: nothing listens at first (a datagram meets the refusal the
    // one before drew), then a socket takes them. A push sends counters'
    // increments, so the counter keeps counting while this waits.
    let statsd_port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let statsd = StatsdPusher::new(([127, 0, 0, 1], statsd_port).into())
        .registry(Arc::clone(&registry))
        .interval(Duration::from_millis(50))
        .start()
        .unwrap();
    let failing = wait_for(limit, "the StatsD failure warning", || {
        LOSSY.jobs_total().inc();
        logged(log::Level::Warn, "statsd:").into_iter().next()
    });
    assert!(
        failing.starts_with(&format!(
            "statsd: sending to 127.0.0.1:{statsd_port} fails ("
        )),
        "{failing}"
    );
    assert!(
        failing.ends_with("); what a failed push had left to send is lost, as StatsD has no retry"),
        "{failing}"
    );
    let receiver = UdpSocket::bind(("127.0.0.1", statsd_port)).unwrap();
    let recovered = wait_for(limit, "the StatsD recovery", || {
        LOSSY.jobs_total().inc();
        logged(log::Level::Info, "statsd:").into_iter().next()
    });
    assert!(
        recovered.starts_with(&format!(
            "statsd: 127.0.0.1:{statsd_port} takes datagrams again, after "
        )),
        "{recovered}"
    );
    statsd.shutdown();
    drop(receiver);
    assert_eq!(logged(log::Level::Warn, "statsd:").len(), 1);
    assert_eq!(logged(log::Level::Info, "statsd:").len(), 1);
}

#[test]
#[cfg_attr(
    missing_victoria_metrics,
    ignore = "needs VictoriaMetrics: apt-get install victoria-metrics"
)]
fn remote_write_is_logged_when_it_fails_and_when_a_real_receiver_takes_samples_again() {
    support::log_capture::install();
    support::require("victoria_metrics");
    let registry = Arc::new(Registry::new().with(&LOSSY));
    let limit = Duration::from_secs(20);
    // Refused connections, then a real receiver.
    let addr = format!("127.0.0.1:{}", free_port());
    let url = format!("http://{addr}/api/v1/write");
    let pusher = RemoteWrite::new(&url)
        .registry(Arc::clone(&registry))
        .interval(Duration::from_millis(100))
        .backoff(Duration::from_millis(20), Duration::from_millis(100))
        .start()
        .unwrap();
    let failing = wait_for(limit, "the remote write failure warning", || {
        logged(log::Level::Warn, "remote write:").into_iter().next()
    });
    assert!(
        failing.starts_with(&format!(
            "remote write: {url} is failing (the request did not complete: "
        )),
        "{failing}"
    );
    assert!(
        failing.contains("); retrying with backoff, ")
            && failing.ends_with(" samples queued, 0 dropped so far as the queue was full"),
        "{failing}"
    );
    let dir = TempDir::new("losses-are-logged");
    let _vm = servers::victoria_metrics(&dir.0, &addr);
    let recovered = wait_for(limit, "the remote write recovery", || {
        logged(log::Level::Info, "remote write:")
            .into_iter()
            .find(|line| line.contains(" takes samples again, "))
    });
    let stats = pusher.shutdown();
    // Every failed attempt was a retry, and nothing was lost.
    assert_eq!(
        recovered,
        format!(
            "remote write: {url} takes samples again, after {} failed attempts over {} s",
            stats.retries,
            recovered
                .rsplit(" over ")
                .next()
                .and_then(|s| s.strip_suffix(" s"))
                .unwrap()
        ),
        "{stats:?}"
    );
    assert_eq!(stats.dropped(), 0, "{stats:?}");
    assert_eq!(stats.samples_sent, stats.samples_queued, "{stats:?}");
    assert_eq!(logged(log::Level::Warn, "remote write:").len(), 1);
    // VictoriaMetrics reads remote write 1.0 only: the pusher said once
    // that it went back to it.
    let fallback: Vec<String> = logged(log::Level::Info, "remote write:")
        .into_iter()
        .filter(|line| line.contains(" does not read the newer protocol"))
        .collect();
    assert_eq!(fallback.len(), 1, "{fallback:?}");
}
