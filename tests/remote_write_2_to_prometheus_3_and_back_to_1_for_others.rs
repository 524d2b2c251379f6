//! Remote-Write 2.0 end to end:
//!
//! - a real Prometheus 3.5.3 (its 2.0 receiver on, native histograms,
//!   exemplars and created-timestamp zeros on) receives every kind from the
//!   pusher's default protocol, and its query API returns every value
//!   exactly: counters, gauges, classic and native histograms, summaries,
//!   info, state sets, a Prometheus 3 name as declared, exemplars with
//!   their trace ids; no fallback;
//! - a real Prometheus 2.42, which reads only 1.0 (it answers a 2.0 body
//!   204 having written nothing), gets every sample all the same: the
//!   pusher falls back at the first answer, says so once in the log and in
//!   `enumeter_remote_write_fallbacks_total`, and sends 1.0 from then on;
//! - a receiver written here, which says it wrote fewer than were sent,
//!   has the difference counted as refused and logged; the requests it
//!   reads carry every series' metadata (type, help, unit) and start, the
//!   start inside the test's own clock readings around the group's
//!   creation;
//! - the pusher told to speak 2.0 only counts a 1.0 receiver's requests as
//!   refused instead of falling back.
//!
//! Where a system it needs is missing, cargo reports the test ignored with
//! what to install; in CI it fails. Every wait is bounded; every process is
//! stopped whatever happens.

use enumeter_suite::support;

use std::time::Duration;

use enumeter::push::{RemoteWrite, RemoteWriteProtocol};
use enumeter::{metrics, LabelValue, Registry};
use enumeter_proto::remote_write_v2::Request;
use prost::Message;
use serde_json::Value;
use support::otlp_receiver::Receiver;
use support::servers::{self, expect_value, Line, TempDir};

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

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Version {
    #[label(name = "1.4.0")]
    V1_4,
}

/// A worker that pushes every kind.
#[metrics(namespace = "rw2", register = false)]
pub enum Rw2 {
    /// Jobs done, by queue.
    #[counter(exemplars)]
    JobsTotal { queue: Queue },
    /// Jobs waiting.
    #[gauge]
    Backlog { queue: Queue },
    /// Job time.
    #[histogram(unit = "seconds", buckets = [0.1, 1], exemplars)]
    JobDuration,
    /// Checkout time, native buckets only.
    #[histogram(unit = "seconds", native)]
    Checkout,
    /// Payload sizes.
    #[summary(unit = "bytes", quantiles = [0.5])]
    Payload,
    /// The build.
    #[info]
    BuildInfo { version: Version },
    /// The worker's mode.
    #[state_set(states = Mode)]
    Mode,
    /// Requests, named as OpenTelemetry names them.
    #[counter(name = "http.requests_total")]
    Requests {
        #[label(name = "http.route")]
        checkout: bool,
    },
}

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

/// A group recorded as every test here expects it, and the test clock's
/// readings around its first reading (which fixes its created time).
fn recorded() -> (&'static Rw2Metrics, u64, u64) {
    let rw2: &'static Rw2Metrics = Box::leak(Box::new(Rw2Metrics::new()));
    let before = servers::now_ms();
    Registry::new().with(rw2).snapshot();
    let after = servers::now_ms();
    rw2.jobs_total(Queue::Email).add(40);
    rw2.jobs_total(Queue::Email)
        .inc_with_exemplar(&[("trace_id", TRACE)]);
    rw2.jobs_total(Queue::Sms).add(2);
    rw2.backlog(Queue::Email).set(-3);
    for seconds in [0.05, 0.5, 7.0] {
        rw2.job_duration().observe(seconds);
    }
    rw2.job_duration()
        .observe_with_exemplar(0.5, &[("trace_id", TRACE)]);
    for seconds in [0.25, 0.5, 2.0] {
        rw2.checkout().observe(seconds);
    }
    for bytes in 1..=100 {
        rw2.payload().observe(f64::from(bytes) * 10.0);
    }
    rw2.build_info(Version::V1_4).set();
    rw2.mode().set(Mode::Draining);
    rw2.requests(true).add(5);
    (rw2, before, after)
}

/// Every value `recorded` holds, as (PromQL, value) of Prometheus 3
/// (`utf8`: the Prometheus 3 name as declared) or 2 (escaped).
fn expectations(utf8: bool) -> Vec<(String, f64)> {
    let l = r#"job="worker""#;
    let mut out = vec![
        (format!(r#"rw2_jobs_total{{{l},queue="email"}}"#), 41.0),
        (format!(r#"rw2_jobs_total{{{l},queue="sms"}}"#), 2.0),
        (format!(r#"rw2_backlog{{{l},queue="email"}}"#), -3.0),
        (
            format!(r#"rw2_job_duration_seconds_bucket{{{l},le="0.1"}}"#),
            1.0,
        ),
        (
            format!(r#"rw2_job_duration_seconds_bucket{{{l},le="1"}}"#),
            3.0,
        ),
        (
            format!(r#"rw2_job_duration_seconds_bucket{{{l},le="+Inf"}}"#),
            4.0,
        ),
        (format!("rw2_job_duration_seconds_sum{{{l}}}"), 8.05),
        (format!("rw2_job_duration_seconds_count{{{l}}}"), 4.0),
        (format!("histogram_count(rw2_checkout_seconds{{{l}}})"), 3.0),
        (format!("histogram_sum(rw2_checkout_seconds{{{l}}})"), 2.75),
        (format!("rw2_payload_bytes_count{{{l}}}"), 100.0),
        (format!("rw2_payload_bytes_sum{{{l}}}"), 50_500.0),
        (format!(r#"rw2_build_info{{{l},version="1.4.0"}}"#), 1.0),
        (format!(r#"rw2_mode{{{l},rw2_mode="draining"}}"#), 1.0),
        (format!(r#"rw2_mode{{{l},rw2_mode="active"}}"#), 0.0),
    ];
    out.push(if utf8 {
        (
            format!(r#"{{"rw2_http.requests_total","http.route"="true",{l}}}"#),
            5.0,
        )
    } else {
        (
            format!(r#"rw2_http_requests_total{{http_route="true",{l}}}"#),
            5.0,
        )
    });
    out
}

/// Pushes `rw2` to `url` with `protocol` every 200 ms for a while; the
/// pusher's stats.
fn push(
    rw2: &'static Rw2Metrics,
    url: &str,
    protocol: RemoteWriteProtocol,
) -> enumeter::push::PushStats {
    let pusher = RemoteWrite::new(url)
        .registry(Registry::new().with(rw2))
        .external_label("job", "worker")
        .protocol(protocol)
        .interval(Duration::from_millis(200))
        .start()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    pusher.shutdown()
}

/// The log lines that say the pusher to `url` fell back to 1.0.
fn fallback_lines(url: &str) -> usize {
    support::log_capture::records()
        .into_iter()
        .filter(|(_, _, line)| line.contains(url) && line.contains("does not read the newer"))
        .count()
}

fn fallbacks() -> u64 {
    support::own_counter("enumeter_remote_write_fallbacks_total", &[])
}

#[test]
#[cfg_attr(
    missing_prometheus3,
    ignore = "needs Prometheus 3.5.3: Debian sid's, as .ci/run fetches it into target/prometheus-sid"
)]
fn prometheus_3_receives_2_0_and_reads_back_every_kind() {
    support::require("prometheus3");
    let (rw2, before, after) = recorded();
    let dir = TempDir::new("rw2-prometheus3");
    let (_prometheus, addr) = servers::prometheus_of(
        Line::Three,
        &dir.0,
        "global:\n  scrape_interval: 1m\n",
        &[
            "--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest",
            "--web.remote-write-receiver.accepted-protobuf-messages=io.prometheus.write.v2.Request",
            "--enable-feature=native-histograms,exemplar-storage,created-timestamp-zero-ingestion",
        ],
    );
    support::log_capture::install();
    let url = format!("http://{addr}/api/v1/write");
    let stats = push(rw2, &url, RemoteWriteProtocol::default());
    assert_eq!(stats.dropped(), 0, "{stats:?}");
    assert_eq!(stats.samples_sent, stats.samples_queued, "{stats:?}");
    // 2.0 all along: no fallback for this receiver (the counter is shared
    // with the other tests of this binary, the log line names the URL).
    assert_eq!(fallback_lines(&url), 0);
    let expected = expectations(true);
    for (expr, value) in &expected {
        expect_value(&addr, expr, *value, Duration::from_secs(20));
    }
    // The exemplars, with their trace ids: the counter's, the bucket's.
    for series in ["rw2_jobs_total", "rw2_job_duration_seconds_bucket"] {
        let found = servers::wait_for(Duration::from_secs(20), series, || {
            let path = format!(
                "/api/v1/query_exemplars?query={}&start=0&end=4000000000",
                support::url_encode(series)
            );
            let (status, body) = support::http_get(&addr, &path).ok()?;
            let json: Value = serde_json::from_str(&body).ok()?;
            let traces: Vec<String> = json["data"]
                .as_array()?
                .iter()
                .flat_map(|s| s["exemplars"].as_array().cloned().unwrap_or_default())
                .filter_map(|e| e["labels"]["trace_id"].as_str().map(str::to_owned))
                .collect();
            (status == 200 && !traces.is_empty()).then_some(traces)
        });
        assert!(found.iter().all(|t| t == TRACE), "{series}: {found:?}");
    }
    // The start: a zero at the created time (from the test's own clock),
    // then the recorded value, so that rate() over the first two samples
    // is what was recorded since the start.
    for (series, recorded) in [
        (r#"rw2_jobs_total{queue="email"}"#, 41.0),
        ("rw2_job_duration_seconds_count", 4.0),
    ] {
        let kept = servers::wait_for(Duration::from_secs(20), series, || {
            Some(servers::samples_of(&addr, series)).filter(|s| s.len() >= 2)
        });
        let (start, zero) = kept[0];
        assert_eq!(zero, 0.0, "{series}: {kept:?}");
        assert!(
            (before..=after).contains(&start),
            "{series}: zero at {start}, not in [{before}, {after}]"
        );
        assert_eq!(kept[1].1, recorded, "{series}: {kept:?}");
        let rate = servers::query_at(&addr, &format!("irate({series}[10m])"), kept[1].0);
        let seconds = (kept[1].0 - start) as f64 / 1000.0;
        assert!(
            (rate * seconds - recorded).abs() < 1e-9 * recorded,
            "{series}: {rate}/s over {seconds} s"
        );
    }
    println!(
        "Prometheus 3.5.3 read {} values and the exemplars back from 2.0 ({} samples sent)",
        expected.len(),
        stats.samples_sent
    );
}

#[test]
#[cfg_attr(
    missing_prometheus,
    ignore = "needs Prometheus: apt-get install prometheus"
)]
fn prometheus_2_gets_every_sample_after_one_fallback_to_1_0() {
    support::require("prometheus");
    support::log_capture::install();
    let (rw2, _, _) = recorded();
    let dir = TempDir::new("rw2-prometheus2");
    let (_prometheus, addr) = servers::prometheus_with(
        &dir.0,
        "global:\n  scrape_interval: 1m\n",
        &["--enable-feature=native-histograms"],
    );
    let url = format!("http://{addr}/api/v1/write");
    let before = fallbacks();
    let stats = push(rw2, &url, RemoteWriteProtocol::default());
    assert_eq!(stats.dropped(), 0, "{stats:?}");
    assert_eq!(stats.samples_sent, stats.samples_queued, "{stats:?}");
    for (expr, value) in expectations(false) {
        expect_value(&addr, &expr, value, Duration::from_secs(20));
    }
    // The first answer said nothing of what was written: that request and
    // any other 2.0 one already queued were resent as 1.0 (counted), the
    // pusher spoke 1.0 from then on, and said so once.
    assert!(fallbacks() > before);
    assert_eq!(fallback_lines(&url), 1);
    println!(
        "Prometheus 2.42: {} samples after one fallback, said once",
        stats.samples_sent
    );
}

#[test]
fn a_receiver_that_writes_fewer_than_sent_is_counted_and_every_series_has_its_metadata() {
    support::log_capture::install();
    let (rw2, before, after) = recorded();
    let receiver = Receiver::start(|_| {
        (
            204,
            "X-Prometheus-Remote-Write-Samples-Written: 1\r\n\
             X-Prometheus-Remote-Write-Histograms-Written: 0\r\n\
             X-Prometheus-Remote-Write-Exemplars-Written: 0\r\n",
            Vec::new(),
        )
    });
    let url = format!("{}/api/v1/write", receiver.url);
    let stats = push(rw2, &url, RemoteWriteProtocol::default());
    let received = receiver.received();
    assert!(!received.is_empty());
    let mut refused = 0;
    for one in received.iter() {
        let head = one.headers.to_ascii_lowercase();
        assert!(
            head.contains(
                "content-type: application/x-protobuf;proto=io.prometheus.write.v2.request"
            ) && head.contains("x-prometheus-remote-write-version: 2.0.0")
                && head.contains("content-encoding: snappy"),
            "{}",
            one.headers
        );
        let request = Request::decode(one.body.as_slice()).unwrap();
        let carried: u64 = request
            .timeseries
            .iter()
            .map(|t| (t.samples.len() + t.histograms.len()) as u64)
            .sum();
        refused += carried - 1;
        for series in &request.timeseries {
            let labels = request.labels(&series.labels_refs);
            let name = labels.iter().find(|(n, _)| *n == "__name__").unwrap().1;
            let metadata = series.metadata.expect("every series has metadata");
            let (kind, help, unit) = (
                metadata.r#type,
                request.symbol(metadata.help_ref),
                request.symbol(metadata.unit_ref),
            );
            let expected = match name {
                "rw2_jobs_total" => (1, "Jobs done, by queue.", ""),
                "rw2_backlog" => (2, "Jobs waiting.", ""),
                n if n.starts_with("rw2_job_duration_seconds") => (3, "Job time.", "seconds"),
                // The native histogram, and its classic `+Inf`, sum and count.
                n if n.starts_with("rw2_checkout_seconds") => {
                    (3, "Checkout time, native buckets only.", "seconds")
                }
                n if n.starts_with("rw2_payload_bytes") => (5, "Payload sizes.", "bytes"),
                "rw2_build_info" => (6, "The build.", ""),
                "rw2_mode" => (7, "The worker's mode.", ""),
                "rw2_http.requests_total" => {
                    (1, "Requests, named as OpenTelemetry names them.", "")
                }
                other => panic!("unexpected series {other}"),
            };
            assert_eq!((kind, help, unit), expected, "{name}");
            // A start for what counts from one, inside the test's clock.
            let started = matches!(kind, 1 | 3 | 5);
            if started {
                let ms = series.created_timestamp as u64;
                assert!(
                    (before..=after).contains(&ms),
                    "{name}: {ms} not in [{before}, {after}]"
                );
            } else {
                assert_eq!(series.created_timestamp, 0, "{name}");
            }
        }
    }
    assert_eq!(stats.dropped_rejected, refused, "{stats:?}");
    assert_eq!(
        stats.samples_sent + stats.dropped_rejected,
        stats.samples_queued,
        "{stats:?}"
    );
    let lines = support::log_capture::records()
        .into_iter()
        .filter(|(_, _, line)| line.contains(&url) && line.contains("wrote 1 of"))
        .count();
    assert!(lines >= 1, "a warning says what the receiver wrote");
    println!(
        "{} requests of 2.0 with metadata and starts; {refused} samples the receiver did not write \
         counted as refused",
        received.len()
    );
}

#[test]
#[cfg_attr(
    missing_prometheus,
    ignore = "needs Prometheus: apt-get install prometheus"
)]
fn told_to_speak_2_0_only_a_1_0_receiver_has_its_requests_refused() {
    support::require("prometheus");
    let (rw2, _, _) = recorded();
    let dir = TempDir::new("rw2-only");
    let (_prometheus, addr) = servers::prometheus(&dir.0, "global:\n  scrape_interval: 1m\n");
    support::log_capture::install();
    let url = format!("http://{addr}/api/v1/write");
    let stats = push(rw2, &url, RemoteWriteProtocol::V2);
    assert_eq!(stats.samples_sent, 0, "{stats:?}");
    assert_eq!(stats.dropped_rejected, stats.samples_queued, "{stats:?}");
    assert_eq!(fallback_lines(&url), 0);
}

/// What the application records while Prometheus 3 comes and goes.
#[metrics(namespace = "rw2_outage", register = false)]
pub enum Rw2Outage {
    /// Events counted.
    #[counter]
    EventsTotal,
    /// Their latency.
    #[histogram(unit = "seconds", buckets = [0.001, 0.01])]
    Latency,
}

static OUTAGE: Rw2OutageMetrics = Rw2OutageMetrics::new();

/// Samples in one sampling of `OUTAGE`: the counter, and the histogram's
/// three buckets, sum and count.
const SAMPLES: u64 = 6;

#[test]
#[cfg_attr(
    missing_prometheus3,
    ignore = "needs Prometheus 3.5.3: Debian sid's, as .ci/run fetches it into target/prometheus-sid"
)]
fn a_30_s_outage_of_prometheus_3_loses_nothing_of_2_0_within_the_queue() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Instant;
    support::require("prometheus3");
    let dir = TempDir::new("rw2-outage");
    let flags = [
        "--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest",
        "--web.remote-write-receiver.accepted-protobuf-messages=io.prometheus.write.v2.Request",
    ];
    let config = "global:\n  scrape_interval: 1m\n";
    let (prometheus, addr) = servers::prometheus_of(Line::Three, &dir.0, config, &flags);
    let interval = Duration::from_millis(250);
    support::log_capture::install();
    let url = format!("http://{addr}/api/v1/write");
    // 10 s of samplings.
    let pusher = RemoteWrite::new(&url)
        .registry(Registry::new().with(&OUTAGE))
        .external_label("job", "outage")
        .interval(interval)
        .timeout(Duration::from_secs(2))
        .backoff(Duration::from_millis(20), Duration::from_millis(500))
        .queue_capacity(40 * SAMPLES as usize)
        .flush_deadline(Duration::from_secs(20))
        .start()
        .unwrap();
    let recording = AtomicBool::new(true);
    std::thread::scope(|s| {
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
        drop(prometheus);
        let down = Instant::now();
        std::thread::sleep(Duration::from_secs(30));
        let during = pusher.stats();
        // The same storage, the same address.
        let (prometheus, addr) = servers::prometheus_at(Line::Three, &dir.0, config, &flags, &addr);
        let outage = down.elapsed();
        std::thread::sleep(Duration::from_secs(1));
        recording.store(false, Ordering::Relaxed);
        let c = pusher.shutdown();
        let total = OUTAGE.events_total().get();
        let observations = OUTAGE.latency().snapshot().count();

        assert!(during.retries > 0, "{during:?}");
        assert!(c.dropped_queue_full > 0, "{c:?}");
        assert_eq!(c.dropped_queue_full % SAMPLES, 0, "{c:?}");
        assert_eq!(c.dropped_rejected + c.dropped_shutdown, 0, "{c:?}");
        assert_eq!(
            c.samples_sent + c.dropped_queue_full,
            c.samples_queued,
            "{c:?}"
        );
        // 2.0 all along: Prometheus 3 said what it wrote every time.
        assert_eq!(fallback_lines(&url), 0);
        // The recovery said once, as for 1.0.
        let recovered = support::log_capture::records()
            .into_iter()
            .filter(|(_, _, line)| line.contains(&url) && line.contains(" takes samples again, "))
            .count();
        assert_eq!(recovered, 1);

        let limit = Duration::from_secs(20);
        let kept = c.samplings - c.dropped_queue_full / SAMPLES;
        let expr = r#"count_over_time(rw2_outage_events_total{job="outage"}[1h])"#;
        servers::wait_for(limit, expr, || {
            servers::query(&addr, expr).filter(|&n| n == kept as f64)
        });
        expect_value(
            &addr,
            r#"rw2_outage_events_total{job="outage"}"#,
            total as f64,
            limit,
        );
        expect_value(
            &addr,
            r#"rw2_outage_latency_seconds_count{job="outage"}"#,
            observations as f64,
            limit,
        );
        println!(
            "Prometheus 3.5.3 down {:.1} s: {} samplings of 2.0, {} retries, {} samples dropped \
             beyond the queue ({} samplings), {kept} stored; {total} events and {observations} \
             observations read back exactly",
            outage.as_secs_f64(),
            c.samplings,
            c.retries,
            c.dropped_queue_full,
            c.dropped_queue_full / SAMPLES,
        );
        drop(prometheus);
    });
}
