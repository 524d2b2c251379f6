//! Sparse metrics: a series is written out once it has been recorded
//! into, in every output, and a dense metric beside it is unchanged.

use enumeter::snapshot::for_each_series;
use enumeter::{metrics, Format, LabelValue, Registry, Snapshot, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Method {
    Get,
    Put,
    Post,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Route {
    Home,
    Cart,
    Pay,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Phase {
    Idle,
    Busy,
}

/// One of each kind, sparse where a kind can be, beside a dense twin.
#[metrics(namespace = "sp", register = false)]
pub enum Mixed {
    /// Requests, sparse.
    #[counter(sparse)]
    RequestsTotal { method: Method, route: Route },
    /// Requests, dense.
    #[counter]
    DenseTotal { method: Method },
    /// Sharded, sparse.
    #[counter(sharded = 2, sparse)]
    ShardedTotal { route: Route },
    /// In flight, sparse.
    #[gauge(sparse)]
    InFlight { route: Route },
    /// Share, sparse.
    #[gauge(float, sparse)]
    Share { route: Route },
    /// Latency, sparse.
    #[histogram(unit = "seconds", buckets = [0.1, 1], sparse)]
    Latency { route: Route },
    /// Size, sparse.
    #[summary(quantiles = [0.5], sparse)]
    Size { route: Route },
    /// State, sparse.
    #[state_set(states = Phase, sparse)]
    State { route: Route },
}

/// A whole group declared sparse, with a computed metric that stays dense.
#[metrics(namespace = "whole", register = false, sparse)]
pub enum Whole {
    /// Hits.
    #[counter]
    HitsTotal { route: Route },
    /// Queue length, computed.
    #[gauge(computed)]
    Queue { route: Route },
    /// Build.
    #[info]
    BuildInfo { route: Route },
}

fn render(group: &dyn enumeter::Group, format: Format) -> String {
    let mut registry = Registry::new().created_timestamps(true);
    registry.register(group).unwrap();
    let mut out = Vec::new();
    registry.render_into(format, &mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn a_sparse_metric_shows_no_series_until_one_is_recorded_into() {
    let mixed = MixedMetrics::new();
    assert_eq!(
        render(&mixed, Format::Prometheus),
        "# HELP sp_requests_total Requests, sparse.\n\
         # TYPE sp_requests_total counter\n\
         # HELP sp_dense_total Requests, dense.\n\
         # TYPE sp_dense_total counter\n\
         sp_dense_total{method=\"get\"} 0\n\
         sp_dense_total{method=\"put\"} 0\n\
         sp_dense_total{method=\"post\"} 0\n\
         # HELP sp_sharded_total Sharded, sparse.\n\
         # TYPE sp_sharded_total counter\n\
         # HELP sp_in_flight In flight, sparse.\n\
         # TYPE sp_in_flight gauge\n\
         # HELP sp_share Share, sparse.\n\
         # TYPE sp_share gauge\n\
         # HELP sp_latency_seconds Latency, sparse.\n\
         # TYPE sp_latency_seconds histogram\n\
         # HELP sp_size Size, sparse.\n\
         # TYPE sp_size summary\n\
         # HELP sp_state State, sparse.\n\
         # TYPE sp_state gauge\n"
    );
}

#[test]
fn a_sparse_histogram_or_summary_shows_a_series_once_it_counted_an_observation() {
    let mixed = MixedMetrics::new();
    // Handles taken and not used, and observations dropped (NaN): nothing
    // counted, nothing shown. A counter or gauge is shown once its handle
    // is taken (its value cannot tell a 0 recorded from none).
    let _unused = mixed.latency(Route::Home);
    let _unused = mixed.size(Route::Home);
    mixed.latency(Route::Cart).observe(f64::NAN);
    mixed.size(Route::Cart).observe(f64::NAN);
    mixed.in_flight(Route::Pay).set(0);
    let text = render(&mixed, Format::Prometheus);
    assert!(!text.contains("sp_latency_seconds_count"), "{text}");
    assert!(!text.contains("sp_size_count"), "{text}");
    assert!(text.contains("sp_in_flight{route=\"pay\"} 0\n"), "{text}");
    // One observation each: that series alone.
    mixed.latency(Route::Pay).observe(0.5);
    mixed.size(Route::Home).observe(2.0);
    let text = render(&mixed, Format::Prometheus);
    let counts: Vec<&str> = text.lines().filter(|l| l.contains("_count")).collect();
    assert_eq!(
        counts,
        [
            "sp_latency_seconds_count{route=\"pay\"} 1",
            "sp_size_count{route=\"home\"} 1"
        ],
        "{text}"
    );
}

fn recorded() -> MixedMetrics {
    let mixed = MixedMetrics::new();
    mixed.requests_total(Method::Post, Route::Pay).add(2);
    mixed.requests_total(Method::Get, Route::Home).inc();
    mixed.sharded_total(Route::Cart).add(5);
    // Back to zero, and set to zero: recorded all the same.
    let in_flight = mixed.in_flight(Route::Home);
    in_flight.inc();
    in_flight.dec();
    mixed.share(Route::Pay).set(0.0);
    mixed.latency(Route::Cart).observe(0.5);
    mixed.size(Route::Home).observe(8.0);
    mixed.state(Route::Pay).set(Phase::Busy);
    mixed
}

/// The text with the summary's one quantile checked against the value
/// observed, within the default relative error, and written as that value.
fn with_exact_quantile(text: String) -> String {
    let prefix = "sp_size{route=\"home\",quantile=\"0.5\"} ";
    let start = text.find(prefix).expect("the quantile line") + prefix.len();
    let end = start + text[start..].find('\n').unwrap();
    let estimate: f64 = text[start..end].parse().unwrap();
    assert!((estimate - 8.0).abs() <= 8.0 * 0.01, "{estimate}");
    format!("{}8{}", &text[..start], &text[end..])
}

#[test]
fn recorded_series_appear_in_series_order_whatever_the_order_of_recording() {
    assert_eq!(
        with_exact_quantile(render(&recorded(), Format::Prometheus)),
        "# HELP sp_requests_total Requests, sparse.\n\
         # TYPE sp_requests_total counter\n\
         sp_requests_total{method=\"get\",route=\"home\"} 1\n\
         sp_requests_total{method=\"post\",route=\"pay\"} 2\n\
         # HELP sp_dense_total Requests, dense.\n\
         # TYPE sp_dense_total counter\n\
         sp_dense_total{method=\"get\"} 0\n\
         sp_dense_total{method=\"put\"} 0\n\
         sp_dense_total{method=\"post\"} 0\n\
         # HELP sp_sharded_total Sharded, sparse.\n\
         # TYPE sp_sharded_total counter\n\
         sp_sharded_total{route=\"cart\"} 5\n\
         # HELP sp_in_flight In flight, sparse.\n\
         # TYPE sp_in_flight gauge\n\
         sp_in_flight{route=\"home\"} 0\n\
         # HELP sp_share Share, sparse.\n\
         # TYPE sp_share gauge\n\
         sp_share{route=\"pay\"} 0\n\
         # HELP sp_latency_seconds Latency, sparse.\n\
         # TYPE sp_latency_seconds histogram\n\
         sp_latency_seconds_bucket{route=\"cart\",le=\"0.1\"} 0\n\
         sp_latency_seconds_bucket{route=\"cart\",le=\"1\"} 1\n\
         sp_latency_seconds_bucket{route=\"cart\",le=\"+Inf\"} 1\n\
         sp_latency_seconds_sum{route=\"cart\"} 0.5\n\
         sp_latency_seconds_count{route=\"cart\"} 1\n\
         # HELP sp_size Size, sparse.\n\
         # TYPE sp_size summary\n\
         sp_size{route=\"home\",quantile=\"0.5\"} 8\n\
         sp_size_sum{route=\"home\"} 8\n\
         sp_size_count{route=\"home\"} 1\n\
         # HELP sp_state State, sparse.\n\
         # TYPE sp_state gauge\n\
         sp_state{route=\"pay\",sp_state=\"idle\"} 0\n\
         sp_state{route=\"pay\",sp_state=\"busy\"} 1\n"
    );
}

#[test]
fn openmetrics_shows_the_same_series_with_their_created_times() {
    let text = render(&recorded(), Format::OpenMetrics);
    let samples: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("sp_requests_") || l.starts_with("sp_in_flight"))
        .map(|l| l.rsplit_once(' ').map_or(l, |(series, _)| series))
        .collect();
    assert_eq!(
        samples,
        [
            "sp_requests_total{method=\"get\",route=\"home\"}",
            "sp_requests_created{method=\"get\",route=\"home\"}",
            "sp_requests_total{method=\"post\",route=\"pay\"}",
            "sp_requests_created{method=\"post\",route=\"pay\"}",
            "sp_in_flight{route=\"home\"}",
        ]
    );
    assert!(text.ends_with("# EOF\n"), "{text}");
}

#[test]
fn the_snapshot_and_the_series_visitor_hold_only_recorded_series() {
    let mixed = recorded();
    let snapshot = Snapshot::of([&mixed as &dyn enumeter::Group]);
    let requests: Vec<_> = snapshot
        .series
        .iter()
        .filter(|s| s.name == "sp_requests_total")
        .map(|s| {
            let labels: Vec<(&str, &str)> = s.labels.iter().map(|(n, v)| (*n, &**v)).collect();
            (labels, s.value.clone())
        })
        .collect();
    assert_eq!(
        requests,
        [
            (
                vec![("method", "get"), ("route", "home")],
                Value::Counter(1)
            ),
            (
                vec![("method", "post"), ("route", "pay")],
                Value::Counter(2)
            ),
        ]
    );
    let mut seen = Vec::new();
    for_each_series(&mixed, &mut |s| {
        let name = s.metric.name;
        if name == "sp_in_flight" || name == "sp_share" {
            let values: Vec<String> = s.label_values.iter().map(|v| v.to_string()).collect();
            seen.push((name, values, s.index, s.value.into_owned()));
        }
    });
    assert_eq!(
        seen,
        [
            ("sp_in_flight", vec!["home".to_owned()], 0, Value::Gauge(0)),
            (
                "sp_share",
                vec!["pay".to_owned()],
                2,
                Value::FloatGauge(0.0)
            ),
        ]
    );
}

#[test]
fn merging_instances_shows_what_either_recorded() {
    let (a, b) = (MixedMetrics::new(), MixedMetrics::new());
    a.requests_total(Method::Get, Route::Cart).inc();
    b.requests_total(Method::Put, Route::Pay).add(3);
    a.merge_from(&b);
    let text = render(&a, Format::Prometheus);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("sp_requests_total"))
        .collect();
    assert_eq!(
        lines,
        [
            "sp_requests_total{method=\"get\",route=\"cart\"} 1",
            "sp_requests_total{method=\"put\",route=\"pay\"} 3",
        ]
    );
}

#[test]
fn a_registry_merging_two_sparse_twins_shows_what_either_recorded() {
    let (a, b) = (MixedMetrics::new(), MixedMetrics::new());
    a.requests_total(Method::Get, Route::Cart).inc();
    b.requests_total(Method::Get, Route::Cart).inc();
    b.requests_total(Method::Put, Route::Home).add(3);
    let mut registry = Registry::new();
    registry.register(&a).unwrap();
    registry.register(&b).unwrap();
    let text = registry.render(Format::Prometheus);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("sp_requests_total"))
        .collect();
    assert_eq!(
        lines,
        [
            "sp_requests_total{method=\"get\",route=\"cart\"} 2",
            "sp_requests_total{method=\"put\",route=\"home\"} 3",
        ]
    );
}

#[test]
fn a_sparse_group_keeps_computed_metrics_dense_and_info_as_it_was() {
    let whole = WholeMetrics::new();
    whole.set_queue_source(|route| route.index() as i64);
    whole.hits_total(Route::Pay).inc();
    whole.build_info(Route::Cart).set();
    assert_eq!(
        render(&whole, Format::Prometheus),
        "# HELP whole_hits_total Hits.\n\
         # TYPE whole_hits_total counter\n\
         whole_hits_total{route=\"pay\"} 1\n\
         # HELP whole_queue Queue length, computed.\n\
         # TYPE whole_queue gauge\n\
         whole_queue{route=\"home\"} 0\n\
         whole_queue{route=\"cart\"} 1\n\
         whole_queue{route=\"pay\"} 2\n\
         # HELP whole_build_info Build.\n\
         # TYPE whole_build_info gauge\n\
         whole_build_info{route=\"cart\"} 1\n"
    );
}

#[test]
fn protobuf_carries_only_the_recorded_series() {
    use enumeter_proto::exposition::decode_families;
    let mut body = Vec::new();
    let mixed = recorded();
    let mut registry = Registry::new();
    registry.register(&mixed).unwrap();
    registry.render_into(Format::Protobuf, &mut body);
    let families = decode_families(&body).unwrap();
    let counts: Vec<(&str, usize)> = families
        .iter()
        .map(|f| (f.name.as_str(), f.metric.len()))
        .collect();
    assert_eq!(
        counts,
        [
            ("sp_requests_total", 2),
            ("sp_dense_total", 3),
            ("sp_sharded_total", 1),
            ("sp_in_flight", 1),
            ("sp_share", 1),
            ("sp_latency_seconds", 1),
            ("sp_size", 1),
            // One protobuf series per state of the one recorded series.
            ("sp_state", 2),
        ]
    );
}

#[test]
fn statsd_sends_only_the_recorded_series() {
    use enumeter::push::statsd::StatsdEncoder;
    let mixed = recorded();
    let mut registry = Registry::new();
    registry.register(&mixed).unwrap();
    let lines = StatsdEncoder::new().encode(&registry);
    assert_eq!(
        lines,
        [
            "sp_requests_total:1|c|#method:get,route:home",
            "sp_requests_total:2|c|#method:post,route:pay",
            "sp_sharded_total:5|c|#route:cart",
            "sp_in_flight:0|g|#route:home",
            "sp_share:0|g|#route:pay",
            "sp_latency_seconds_count:1|c|#route:cart",
            "sp_latency_seconds_sum:0.5|c|#route:cart",
            "sp_size_count:1|c|#route:home",
            "sp_size_sum:8|c|#route:home",
        ]
    );
}

/// Sparse beside the other options that change a metric's storage.
#[metrics(namespace = "opt", register = false)]
pub enum Options {
    /// Orders, with exemplars.
    #[counter(exemplars, sparse)]
    OrdersTotal { route: Route },
    /// Latency, native buckets only.
    #[histogram(unit = "seconds", native, sparse)]
    Latency { route: Route },
    /// Latency, classic and native buckets, with exemplars.
    #[histogram(unit = "seconds", buckets = [1], native, exemplars, sparse)]
    Both { route: Route },
}

#[test]
fn sparse_works_with_exemplars_and_native_buckets() {
    let options = OptionsMetrics::new();
    options
        .orders_total(Route::Cart)
        .inc_with_exemplar(&[("trace_id", "abc")]);
    options.latency(Route::Pay).observe(0.5);
    options
        .both(Route::Home)
        .observe_with_exemplar(2.0, &[("trace_id", "def")]);
    let text = render(&options, Format::Prometheus);
    let samples: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        samples,
        [
            "opt_orders_total{route=\"cart\"} 1",
            "opt_latency_seconds_bucket{route=\"pay\",le=\"+Inf\"} 1",
            "opt_latency_seconds_sum{route=\"pay\"} 0.5",
            "opt_latency_seconds_count{route=\"pay\"} 1",
            "opt_both_seconds_bucket{route=\"home\",le=\"1\"} 0",
            "opt_both_seconds_bucket{route=\"home\",le=\"+Inf\"} 1",
            "opt_both_seconds_sum{route=\"home\"} 2",
            "opt_both_seconds_count{route=\"home\"} 1",
        ]
    );
    // The exemplars of the recorded series, in OpenMetrics.
    let open = render(&options, Format::OpenMetrics);
    assert!(
        open.contains("opt_orders_total{route=\"cart\"} 1 # {trace_id=\"abc\"} 1.0 "),
        "{open}"
    );
    assert!(
        open.contains(
            "opt_both_seconds_bucket{route=\"home\",le=\"+Inf\"} 1 # {trace_id=\"def\"} 2.0 "
        ),
        "{open}"
    );
}
