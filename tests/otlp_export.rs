//! OTLP: a registry as an `ExportMetricsServiceRequest`, read back field by
//! field with the OTLP message types, and pushed by `Otlp` (gzip) to a real
//! VictoriaMetrics 1.112 (Debian trixie's, which `.ci/run` fetches with
//! `apt-get download` through a private source list and unpacks with
//! `dpkg -x` into `target/victoria-metrics-trixie`; `ENUMETER_VM_OTLP`
//! names another binary) whose query API returns every value exactly.
//!
//! Where a system it needs is missing, cargo reports the test
//! ignored with what to install; in CI it fails.

use enumeter_suite::support;

use std::time::Duration;

use enumeter::push::otlp::{encode_export_request, Otlp};
use enumeter::{metrics, runtime_label, LabelValue, Registry};
use enumeter_proto::otlp::{self as proto, ExportMetricsServiceRequest, KeyValue};
use prost::Message;
use support::servers::{self, free_port, wait_for, TempDir};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Queue {
    Email,
    Sms,
}

runtime_label! {
    /// Tenants of the OTLP test.
    pub struct Tenant: capacity = 4;
}

/// Every kind, as the checkout and worker examples record them.
#[metrics(namespace = "ox", register = false)]
pub enum Ox {
    /// Jobs done, by queue.
    #[counter(exemplars)]
    JobsTotal { queue: Queue },
    /// Jobs waiting, by queue.
    #[gauge]
    Backlog { queue: Queue },
    /// Load.
    #[gauge(float)]
    Load,
    /// Job time.
    #[histogram(unit = "seconds", buckets = [0.1, 1], exemplars)]
    Duration,
    /// Checkout time, native buckets at schema 0.
    #[histogram(
        unit = "seconds",
        native(schema = 0, zero_threshold = 0.001, max = 1000)
    )]
    Native,
    /// Payload sizes.
    #[summary(unit = "bytes", quantiles = [0.5])]
    Size,
    /// The build.
    #[info]
    BuildInfo,
    /// The worker's mode.
    #[state_set(states = Queue)]
    Draining,
    /// Requests by tenant, known at run time; never recorded for `globex`.
    #[counter(sparse)]
    TenantRequestsTotal { tenant: Tenant },
    /// Never recorded: not sent.
    #[counter(sparse)]
    UnusedTotal,
}

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

fn record(ox: &OxMetrics) {
    ox.jobs_total(Queue::Email)
        .inc_with_exemplar(&[("trace_id", TRACE), ("span_id", "00f067aa0ba902b7")]);
    ox.jobs_total(Queue::Email).add(40);
    ox.backlog(Queue::Sms).set(-3);
    ox.load().set(0.75);
    ox.duration().observe(0.05);
    ox.duration()
        .observe_with_exemplar(0.5, &[("trace_id", TRACE), ("job", "j-7")]);
    ox.duration().observe(7.0);
    for v in [0.0005, 0.75, 1.0, 1.5, 2.0, 6.0, 7.0, 8.0] {
        ox.native().observe(v);
    }
    for v in 1..=100 {
        ox.size().observe(f64::from(v));
    }
    ox.build_info().set();
    ox.draining().set(Queue::Sms);
    let acme = Tenant::intern("acme").unwrap();
    Tenant::intern("globex").unwrap();
    ox.tenant_requests_total(acme).add(5);
}

/// A point's attributes, as (key, string value) pairs.
type Attributes = Vec<(String, String)>;

fn attributes(list: &[KeyValue]) -> Attributes {
    list.iter()
        .map(|kv| {
            let value = kv.value.as_ref().and_then(|v| v.string_value.clone());
            (kv.key.clone(), value.unwrap_or_default())
        })
        .collect()
}

/// Each integer point's attributes and value.
fn int_points(points: &[proto::NumberDataPoint]) -> Vec<(Attributes, Option<i64>)> {
    points
        .iter()
        .map(|p| (attributes(&p.attributes), p.as_int))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Attributes {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn every_kind_is_written_as_the_otlp_mapping_says_and_reads_back_whole() {
    let ox = OxMetrics::new();
    record(&ox);
    let registry = Registry::new().with(&ox);
    let now = 1_800_000_000_123_456_789;
    let bytes = encode_export_request(&registry, &[("service.name", "ox-worker")], now);
    let request = ExportMetricsServiceRequest::decode(bytes.as_slice()).unwrap();
    let [resource_metrics] = request.resource_metrics.as_slice() else {
        panic!("{request:?}")
    };
    assert_eq!(
        attributes(&resource_metrics.resource.as_ref().unwrap().attributes),
        pairs(&[("service.name", "ox-worker")])
    );
    let [scope_metrics] = resource_metrics.scope_metrics.as_slice() else {
        panic!()
    };
    let scope = scope_metrics.scope.as_ref().unwrap();
    assert_eq!(
        (scope.name.as_str(), scope.version.as_str()),
        ("enumeter", env!("CARGO_PKG_VERSION"))
    );
    let metrics = &scope_metrics.metrics;
    let names: Vec<(&str, &str, &str)> = metrics
        .iter()
        .map(|m| (m.name.as_str(), m.description.as_str(), m.unit.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("ox_jobs_total", "Jobs done, by queue.", ""),
            ("ox_backlog", "Jobs waiting, by queue.", ""),
            ("ox_load", "Load.", ""),
            ("ox_duration_seconds", "Job time.", "s"),
            (
                "ox_native_seconds",
                "Checkout time, native buckets at schema 0.",
                "s"
            ),
            ("ox_size_bytes", "Payload sizes.", "By"),
            ("ox_build_info", "The build.", ""),
            ("ox_draining", "The worker's mode.", ""),
            (
                "ox_tenant_requests_total",
                "Requests by tenant, known at run time; never recorded for `globex`.",
                ""
            ),
        ]
    );
    // Every point: taken now, started when the instance started counting.
    let start = metrics[0].sum.as_ref().unwrap().data_points[0].start_time_unix_nano;
    assert!(
        start > 0 && start % 1_000_000 == 0 && start <= now,
        "{start}"
    );

    // The counter: a cumulative monotonic sum, its exemplar with the ids
    // as bytes.
    let sum = metrics[0].sum.as_ref().unwrap();
    assert_eq!((sum.aggregation_temporality, sum.is_monotonic), (2, true));
    let points: Vec<(Attributes, Option<i64>, u64)> = sum
        .data_points
        .iter()
        .map(|p| (attributes(&p.attributes), p.as_int, p.time_unix_nano))
        .collect();
    assert_eq!(
        points,
        [
            (pairs(&[("queue", "email")]), Some(41), now),
            (pairs(&[("queue", "sms")]), Some(0), now),
        ]
    );
    let exemplar = &sum.data_points[0].exemplars[0];
    assert_eq!(
        exemplar.trace_id,
        [
            0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e,
            0x47, 0x36
        ]
    );
    assert_eq!(
        exemplar.span_id,
        [0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7]
    );
    assert_eq!(exemplar.as_double, Some(1.0));
    assert!(exemplar.filtered_attributes.is_empty());
    assert!(sum.data_points[1].exemplars.is_empty());

    // Gauges: integers and floats.
    let backlog: Vec<Option<i64>> = metrics[1]
        .gauge
        .as_ref()
        .unwrap()
        .data_points
        .iter()
        .map(|p| p.as_int)
        .collect();
    assert_eq!(backlog, [Some(0), Some(-3)]);
    assert_eq!(
        metrics[2].gauge.as_ref().unwrap().data_points[0].as_double,
        Some(0.75)
    );

    // The classic histogram: per-bucket counts and finite bounds.
    let histogram = metrics[3].histogram.as_ref().unwrap();
    assert_eq!(histogram.aggregation_temporality, 2);
    let point = &histogram.data_points[0];
    assert_eq!((point.count, point.sum), (3, Some(7.55)));
    assert_eq!(point.bucket_counts, [1, 1, 1]);
    assert_eq!(point.explicit_bounds, [0.1, 1.0]);
    assert_eq!(point.exemplars.len(), 1);
    assert_eq!(point.exemplars[0].as_double, Some(0.5));
    assert_eq!(
        attributes(&point.exemplars[0].filtered_attributes),
        pairs(&[("job", "j-7")])
    );

    // The native histogram: zero bucket 0.0005; keys 0 (0.75, 1), 1 (1.5,
    // 2) and 3 (6, 7, 8) at schema 0 are OTLP indices -1, 0 and 2.
    let exponential = metrics[4].exponential_histogram.as_ref().unwrap();
    let point = &exponential.data_points[0];
    assert_eq!((point.count, point.sum, point.scale), (8, Some(26.2505), 0));
    assert_eq!((point.zero_count, point.zero_threshold), (1, 0.001));
    let positive = point.positive.as_ref().unwrap();
    assert_eq!(
        (positive.offset, positive.bucket_counts.as_slice()),
        (-1, &[2, 2, 0, 3][..])
    );
    assert!(point.negative.is_none());

    // The summary.
    let summary = &metrics[5].summary.as_ref().unwrap().data_points[0];
    assert_eq!((summary.count, summary.sum), (100, 5050.0));
    let median = ox.size().snapshot().quantiles[0];
    assert_eq!(
        summary.quantile_values,
        [proto::ValueAtQuantile {
            quantile: 0.5,
            value: median.1
        }]
    );

    // Info: a gauge of 1. The state set: a point per state.
    assert_eq!(
        metrics[6].gauge.as_ref().unwrap().data_points[0].as_int,
        Some(1)
    );
    let states = int_points(&metrics[7].gauge.as_ref().unwrap().data_points);
    assert_eq!(
        states,
        [
            (pairs(&[("ox_draining", "email")]), Some(0)),
            (pairs(&[("ox_draining", "sms")]), Some(1)),
        ]
    );

    // A runtime label: the one tenant recorded into.
    let tenants = int_points(&metrics[8].sum.as_ref().unwrap().data_points);
    assert_eq!(tenants, [(pairs(&[("tenant", "acme")]), Some(5))]);
}

#[test]
#[cfg_attr(
    missing_victoria_metrics_otlp,
    ignore = "needs VictoriaMetrics 1.112: .ci/run fetches it from Debian trixie into target/victoria-metrics-trixie (or set ENUMETER_VM_OTLP), then touch build.rs"
)]
fn the_pusher_sends_every_kind_gzipped_to_a_real_victoria_metrics_which_reads_back_every_value() {
    let binary = servers::victoria_metrics_otlp_binary();
    static OX: OxMetrics = OxMetrics::new();
    record(&OX);
    let dir = TempDir::new("otlp-vm");
    let addr = format!("127.0.0.1:{}", free_port());
    let _vm = servers::victoria_metrics_otlp(&binary, &dir.0, &addr);
    // The first sampling at once, the last at shutdown (one sampling when
    // the shutdown comes first); none between.
    let pusher = Otlp::new()
        .endpoint(&format!("http://{addr}/opentelemetry"))
        .registry(Registry::new().with(&OX))
        .service_name("ox-worker")
        .resource_attribute("host.name", "h1")
        .gzip(true)
        .interval(Duration::from_secs(3600))
        .start()
        .unwrap();
    let stats = pusher.shutdown();
    assert!((1..=2).contains(&stats.samplings), "{stats:?}");
    assert_eq!(stats.requests_sent, stats.samplings, "{stats:?}");
    assert_eq!(stats.dropped(), 0, "{stats:?}");
    // 12 data points a sampling: the state set's two states are two.
    assert_eq!(stats.samples_sent, 12 * stats.samplings, "{stats:?}");
    servers::victoria_metrics_flush(&addr);
    let ox = &OX;

    // Resource attributes arrive as labels, kept as named.
    let r = r#"service.name="ox-worker",host.name="h1""#;
    let expected: Vec<(String, f64)> = vec![
        (format!(r#"ox_jobs_total{{{r},queue="email"}}"#), 41.0),
        (format!(r#"ox_jobs_total{{{r},queue="sms"}}"#), 0.0),
        (format!(r#"ox_backlog{{{r},queue="email"}}"#), 0.0),
        (format!(r#"ox_backlog{{{r},queue="sms"}}"#), -3.0),
        (format!("ox_load{{{r}}}"), 0.75),
        (
            format!(r#"ox_duration_seconds_bucket{{{r},le="0.1"}}"#),
            1.0,
        ),
        (format!(r#"ox_duration_seconds_bucket{{{r},le="1"}}"#), 2.0),
        (
            format!(r#"ox_duration_seconds_bucket{{{r},le="+Inf"}}"#),
            3.0,
        ),
        (format!("ox_duration_seconds_sum{{{r}}}"), 7.55),
        (format!("ox_duration_seconds_count{{{r}}}"), 3.0),
        // Native buckets as VictoriaMetrics' own ranges.
        (
            format!(r#"ox_native_seconds_bucket{{{r},vmrange="0.000e+00...1.000e-03"}}"#),
            1.0,
        ),
        (
            format!(r#"ox_native_seconds_bucket{{{r},vmrange="5.000e-01...1.000e+00"}}"#),
            2.0,
        ),
        (
            format!(r#"ox_native_seconds_bucket{{{r},vmrange="1.000e+00...2.000e+00"}}"#),
            2.0,
        ),
        (
            format!(r#"ox_native_seconds_bucket{{{r},vmrange="4.000e+00...8.000e+00"}}"#),
            3.0,
        ),
        (format!("ox_native_seconds_sum{{{r}}}"), 26.2505),
        (format!("ox_native_seconds_count{{{r}}}"), 8.0),
        (format!("ox_size_bytes_count{{{r}}}"), 100.0),
        (format!("ox_size_bytes_sum{{{r}}}"), 5050.0),
        (format!("ox_build_info{{{r}}}"), 1.0),
        (format!(r#"ox_draining{{{r},ox_draining="sms"}}"#), 1.0),
        (format!(r#"ox_draining{{{r},ox_draining="email"}}"#), 0.0),
        (
            format!(r#"ox_tenant_requests_total{{{r},tenant="acme"}}"#),
            5.0,
        ),
    ];
    let limit = Duration::from_secs(20);
    for (query, value) in &expected {
        servers::expect_value(&addr, query, *value, limit);
    }
    // The quantile: the estimate the registry read, to the digits
    // VictoriaMetrics keeps (it stores 12 significant digits).
    let median = ox.size().snapshot().quantiles[0].1;
    servers::expect_value_within(
        &addr,
        &format!(r#"ox_size_bytes{{{r},quantile="0.5"}}"#),
        median,
        1e-11,
        limit,
    );
    // Nothing else: no sample of `globex` (never recorded) or of the
    // unused metric, and no bucket but those.
    let all = wait_for(limit, "every series", || {
        servers::query_all(&addr, r#"count({__name__=~"ox_.*"})"#)
    });
    assert_eq!(all, [expected.len() as f64 + 1.0]);
    println!(
        "{} series read back exactly from VictoriaMetrics 1.112",
        expected.len() + 1
    );
}

/// The checkout example (features `protobuf` and `otlp`) configured by the
/// standard variables alone, every value read back from VictoriaMetrics:
/// 1,000 checkouts of 1 ms to 1 s, every tenth declined.
#[test]
#[cfg_attr(
    missing_victoria_metrics_otlp,
    ignore = "needs VictoriaMetrics 1.112: .ci/run fetches it from Debian trixie into target/victoria-metrics-trixie (or set ENUMETER_VM_OTLP), then touch build.rs"
)]
fn the_checkout_example_pushes_over_otlp_configured_by_the_standard_variables() {
    let binary = servers::victoria_metrics_otlp_binary();
    let dir = TempDir::new("otlp-checkout");
    let addr = format!("127.0.0.1:{}", free_port());
    let _vm = servers::victoria_metrics_otlp(&binary, &dir.0, &addr);
    let endpoint = format!("http://{addr}/opentelemetry");
    let (_checkout, _) = support::serve_example_with(
        "checkout",
        120,
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
            ("OTEL_SERVICE_NAME", "checkout"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "deployment.environment=ci%20run",
            ),
            ("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "500"),
        ],
    );
    let r = r#"service.name="checkout",deployment.environment="ci run""#;
    let mut expected: Vec<(String, f64)> = vec![
        (
            format!(r#"checkout_requests_total{{{r},outcome="paid"}}"#),
            900.0,
        ),
        (
            format!(r#"checkout_requests_total{{{r},outcome="declined"}}"#),
            100.0,
        ),
        (
            format!("checkout_latency_classic_seconds_sum{{{r}}}"),
            500.5,
        ),
        (
            format!("checkout_latency_classic_seconds_count{{{r}}}"),
            1000.0,
        ),
        (format!("checkout_latency_seconds_sum{{{r}}}"), 500.5),
        (format!("checkout_latency_seconds_count{{{r}}}"), 1000.0),
        // Native buckets as VictoriaMetrics' ranges, each counted once.
        (
            format!("sum(checkout_latency_seconds_bucket{{{r}}})"),
            1000.0,
        ),
    ];
    for (le, n) in [
        ("0.1", 100.0),
        ("0.25", 250.0),
        ("0.5", 500.0),
        ("1", 1000.0),
        ("2.5", 1000.0),
        ("+Inf", 1000.0),
    ] {
        expected.push((
            format!(r#"checkout_latency_classic_seconds_bucket{{{r},le="{le}"}}"#),
            n,
        ));
    }
    let limit = Duration::from_secs(30);
    for (query, value) in &expected {
        servers::expect_value(&addr, query, *value, limit);
    }
    println!(
        "{} values of the checkout example read back exactly from VictoriaMetrics 1.112",
        expected.len()
    );
}

/// Prometheus 3 names, as OpenTelemetry's semantic conventions name them.
#[metrics(register = false)]
pub enum Dotted {
    /// Requests answered.
    #[counter(name = "http.server.requests_total")]
    Requests {
        #[label(name = "http.route")]
        checkout: bool,
    },
    /// Request time.
    #[histogram(name = "http.server.request.duration", unit = "seconds", buckets = [1])]
    Duration,
    /// Requests in progress.
    #[gauge(name = "http.server.active_requests")]
    Active,
    /// A legacy name keeps its suffixes.
    #[counter]
    SentTotal,
    /// A legacy name keeps its unit's suffix.
    #[histogram(unit = "bytes", buckets = [1])]
    Sent,
}

#[test]
fn a_prometheus_3_name_goes_without_its_total_and_unit_suffixes() {
    let dotted = DottedMetrics::new();
    dotted.requests(true).inc();
    dotted.duration().observe(0.5);
    dotted.active().set(2);
    dotted.sent_total().add(10);
    dotted.sent().observe(10.0);
    let bytes = encode_export_request(&Registry::new().with(&dotted), &[], 1);
    let request = ExportMetricsServiceRequest::decode(bytes.as_slice()).unwrap();
    let metrics = &request.resource_metrics[0].scope_metrics[0].metrics;
    let names: Vec<(&str, &str)> = metrics
        .iter()
        .map(|m| (m.name.as_str(), m.unit.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("http.server.requests", ""),
            ("http.server.request.duration", "s"),
            ("http.server.active_requests", ""),
            ("sent_total", ""),
            ("sent_bytes", "By"),
        ]
    );
    // Attributes keep the declared names.
    let sum = metrics[0].sum.as_ref().unwrap();
    let keys: Vec<&str> = sum.data_points[0]
        .attributes
        .iter()
        .map(|a| a.key.as_str())
        .collect();
    assert_eq!(keys, ["http.route"]);
}
