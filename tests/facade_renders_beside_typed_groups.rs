//! What dependencies record through the `metrics` facade renders beside a
//! typed group, in every format: names escaped and counters ending in
//! `_total`, label sets sorted by name, HELP and unit from `describe_*`,
//! histograms with the default buckets; refused names and kinds counted.
//! One test: the facade is one per process.

use enumeter::facade::FacadeRecorder;
use enumeter::{metrics as declare, Format, Registry, Value};
use enumeter_proto::exposition::decode_families;
use enumeter_suite::support::own_counter;

/// Jobs.
#[declare(namespace = "jobs", register = false)]
pub enum Jobs {
    /// Jobs done.
    #[counter]
    DoneTotal,
}

#[test]
fn facade_families_render_beside_a_typed_group_in_every_format() {
    FacadeRecorder::new().install().expect("the first recorder");
    metrics::describe_counter!("db.queries", "Queries sent.");
    // Labels given in either order make one series.
    metrics::counter!("db.queries", "table" => "users", "op" => "select").increment(3);
    metrics::counter!("db.queries", "op" => "select", "table" => "users").increment(2);
    metrics::counter!("db.queries", "op" => "insert", "table" => "users").absolute(7);
    metrics::gauge!("pool.idle").set(4.5);
    metrics::gauge!("pool.idle").decrement(1.0);
    metrics::describe_histogram!("request_seconds", metrics::Unit::Seconds, "Request time.");
    metrics::histogram!("request_seconds", "route" => "/a\"b\\c\nd").record(0.2);
    metrics::histogram!("request_seconds", "route" => "/a\"b\\c\nd").record(20.0);
    // Described after its family exists: the description still arrives.
    metrics::gauge!("queue_depth").set(2.0);
    metrics::describe_gauge!("queue_depth", "Jobs waiting.");

    // Refused, recorded nowhere and counted: a name in Prometheus' own
    // namespace, a key registered as a second kind, a value too long.
    metrics::counter!("__secret").increment(1);
    metrics::gauge!("db.queries", "op" => "select", "table" => "users").set(1.0);
    metrics::counter!("long", "v" => "x".repeat(1025)).increment(1);

    let jobs = JobsMetrics::new();
    jobs.done_total().inc();
    let registry = Registry::new().with(&jobs).with(enumeter::facade::group());
    let buckets = |les: [&str; 12]| -> String {
        let counts = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2];
        les.iter()
            .zip(counts)
            .map(|(le, n)| {
                format!("request_seconds_bucket{{route=\"/a\\\"b\\\\c\\nd\",le=\"{le}\"}} {n}\n")
            })
            .collect()
    };
    let prometheus = [
        "# HELP jobs_done_total Jobs done.\n",
        "# TYPE jobs_done_total counter\n",
        "jobs_done_total 1\n",
        "# HELP db_queries_total Queries sent.\n",
        "# TYPE db_queries_total counter\n",
        "db_queries_total{op=\"select\",table=\"users\"} 5\n",
        "db_queries_total{op=\"insert\",table=\"users\"} 7\n",
        "# TYPE pool_idle gauge\n",
        "pool_idle 3.5\n",
        "# HELP request_seconds Request time.\n",
        "# TYPE request_seconds histogram\n",
        &buckets([
            "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf",
        ]),
        "request_seconds_sum{route=\"/a\\\"b\\\\c\\nd\"} 20.2\n",
        "request_seconds_count{route=\"/a\\\"b\\\\c\\nd\"} 2\n",
        "# HELP queue_depth Jobs waiting.\n",
        "# TYPE queue_depth gauge\n",
        "queue_depth 2\n",
    ]
    .concat();
    assert_eq!(registry.render(Format::Prometheus), prometheus);
    let openmetrics = [
        "# HELP jobs_done Jobs done.\n",
        "# TYPE jobs_done counter\n",
        "jobs_done_total 1\n",
        "# HELP db_queries Queries sent.\n",
        "# TYPE db_queries counter\n",
        "db_queries_total{op=\"select\",table=\"users\"} 5\n",
        "db_queries_total{op=\"insert\",table=\"users\"} 7\n",
        "# TYPE pool_idle gauge\n",
        "pool_idle 3.5\n",
        "# HELP request_seconds Request time.\n",
        "# TYPE request_seconds histogram\n",
        "# UNIT request_seconds seconds\n",
        &buckets([
            "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0",
            "+Inf",
        ]),
        "request_seconds_sum{route=\"/a\\\"b\\\\c\\nd\"} 20.2\n",
        "request_seconds_count{route=\"/a\\\"b\\\\c\\nd\"} 2\n",
        "# HELP queue_depth Jobs waiting.\n",
        "# TYPE queue_depth gauge\n",
        "queue_depth 2.0\n",
        "# EOF\n",
    ]
    .concat();
    assert_eq!(registry.render(Format::OpenMetrics), openmetrics);

    // Protobuf: the same families, label pairs and values.
    let mut bytes = Vec::new();
    registry.render_into(Format::Protobuf, &mut bytes);
    let families = decode_families(&bytes).unwrap();
    let names: Vec<&str> = families.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "jobs_done_total",
            "db_queries_total",
            "pool_idle",
            "request_seconds",
            "queue_depth"
        ]
    );
    let db = &families[1];
    let pairs: Vec<Vec<(&str, &str)>> = db
        .metric
        .iter()
        .map(|m| {
            m.label
                .iter()
                .map(|l| (l.name.as_str(), l.value.as_str()))
                .collect()
        })
        .collect();
    assert_eq!(
        pairs,
        [
            [("op", "select"), ("table", "users")],
            [("op", "insert"), ("table", "users")]
        ]
    );
    let counts: Vec<f64> = db
        .metric
        .iter()
        .map(|m| m.counter.as_ref().unwrap().value)
        .collect();
    assert_eq!(counts, [5.0, 7.0]);
    let histogram = families[3].metric[0].histogram.as_ref().unwrap();
    assert_eq!(histogram.sample_count, 2);
    assert_eq!(histogram.sample_sum, 20.2);
    assert_eq!(families[3].metric[0].label[0].value, "/a\"b\\c\nd");

    // The snapshot reads the same values.
    let snapshot = registry.snapshot();
    assert_eq!(
        snapshot.get("db_queries_total", &[("op", "insert"), ("table", "users")]),
        Some(&Value::Counter(7))
    );
    assert_eq!(
        snapshot.get("pool_idle", &[]),
        Some(&Value::FloatGauge(3.5))
    );

    // What was refused is counted by why, and nothing of it rendered.
    assert_eq!(
        own_counter("enumeter_facade_refused_total", &[("reason", "name")]),
        1
    );
    assert_eq!(
        own_counter("enumeter_facade_refused_total", &[("reason", "kind")]),
        1
    );
    assert_eq!(
        own_counter(
            "enumeter_facade_refused_total",
            &[("reason", "label_value")]
        ),
        1
    );
    let text = registry.render(Format::Prometheus);
    assert!(!text.contains("secret") && !text.contains("long"), "{text}");

    // The default registry has the facade's families too, with
    // enumeter's own series, and every series in it once.
    let default = enumeter::registry().render(Format::Prometheus);
    assert_eq!(
        default.matches("\ndb_queries_total{").count(),
        2,
        "{default}"
    );
    assert!(
        default.contains("db_queries_total{op=\"insert\",table=\"users\"} 7\n"),
        "{default}"
    );
    // A name in enumeter's own namespace is refused.
    metrics::counter!("enumeter.facade.mine").increment(1);
    assert_eq!(
        own_counter("enumeter_facade_refused_total", &[("reason", "name")]),
        2
    );
}
