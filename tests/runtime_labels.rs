//! Labels whose values are known only at run time: interned once into a
//! table of fixed capacity, `other` beyond it, shown once recorded, the
//! same in every output; raced by threads that intern, record and scrape;
//! read back exactly by a real Prometheus 2.42.
//!
//! Where a system it needs is missing, cargo reports the test
//! ignored with what to install; in CI it fails.

use enumeter_suite::support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use enumeter::snapshot::for_each_series;
use enumeter::{metrics, runtime_label, Exporter, Format, LabelValue, Registry, Snapshot, Value};
use support::servers::{self, expect_value, TempDir};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Op {
    Read,
    Write,
}

runtime_label! {
    /// Sources of the every-output test, three at most.
    pub struct Source: capacity = 3;
}

/// A runtime label beside an enum one, on a counter and a gauge.
#[metrics(namespace = "rt", register = false)]
pub enum Rt {
    /// Requests, by source and operation.
    #[counter(sparse)]
    RequestsTotal { source: Source, op: Op },
    /// Lag, by source.
    #[gauge(sparse)]
    Lag { source: Source },
}

#[test]
fn interned_values_and_other_show_once_recorded_the_same_in_every_output() {
    let alpha = Source::intern("alpha").unwrap();
    let beta = Source::intern("be\"ta").unwrap();
    let gamma = Source::intern("gamma").unwrap();
    // Full: `delta` is `other`, and found as `other` from now on.
    let delta = Source::intern("delta").unwrap();
    assert_eq!(delta, Source::OTHER);
    assert_eq!(Source::lookup("delta"), Some(Source::OTHER));
    assert_eq!(Source::lookup("be\"ta"), Some(beta));
    assert_eq!((alpha.index(), beta.index(), gamma.index()), (0, 1, 2));
    assert_eq!(Source::from_name("gamma"), Some(gamma));
    assert_eq!(Source::CARDINALITY, 4);

    let rt = RtMetrics::new();
    rt.requests_total(alpha, Op::Read).add(2);
    rt.requests_total(beta, Op::Write).inc();
    rt.requests_total(delta, Op::Read).add(5);
    rt.lag(gamma).set(-4);
    let registry = Registry::new().with(&rt);

    assert_eq!(
        registry.render(Format::Prometheus),
        "# HELP rt_requests_total Requests, by source and operation.\n\
         # TYPE rt_requests_total counter\n\
         rt_requests_total{source=\"alpha\",op=\"read\"} 2\n\
         rt_requests_total{source=\"be\\\"ta\",op=\"write\"} 1\n\
         rt_requests_total{source=\"other\",op=\"read\"} 5\n\
         # HELP rt_lag Lag, by source.\n\
         # TYPE rt_lag gauge\n\
         rt_lag{source=\"gamma\"} -4\n"
    );
    assert_eq!(
        registry.render(Format::OpenMetrics),
        "# HELP rt_requests Requests, by source and operation.\n\
         # TYPE rt_requests counter\n\
         rt_requests_total{source=\"alpha\",op=\"read\"} 2\n\
         rt_requests_total{source=\"be\\\"ta\",op=\"write\"} 1\n\
         rt_requests_total{source=\"other\",op=\"read\"} 5\n\
         # HELP rt_lag Lag, by source.\n\
         # TYPE rt_lag gauge\n\
         rt_lag{source=\"gamma\"} -4\n\
         # EOF\n"
    );

    // The snapshot and the series visitor.
    let snapshot = Snapshot::of([&rt as &dyn enumeter::Group]);
    type Read<'a> = (&'a str, Vec<(&'a str, &'a str)>, Value<'a>);
    let series: Vec<Read> = snapshot
        .series
        .iter()
        .map(|s| {
            let labels = s.labels.iter().map(|(n, v)| (*n, &**v)).collect();
            (s.name, labels, s.value.clone())
        })
        .collect();
    assert_eq!(
        series,
        [
            (
                "rt_requests_total",
                vec![("source", "alpha"), ("op", "read")],
                Value::Counter(2)
            ),
            (
                "rt_requests_total",
                vec![("source", "be\"ta"), ("op", "write")],
                Value::Counter(1)
            ),
            (
                "rt_requests_total",
                vec![("source", "other"), ("op", "read")],
                Value::Counter(5)
            ),
            ("rt_lag", vec![("source", "gamma")], Value::Gauge(-4)),
        ]
    );
    let mut visited = Vec::new();
    for_each_series(&rt, &mut |s| {
        visited.push((s.index, s.label_values.join(",")))
    });
    assert_eq!(
        visited,
        [
            (0, "alpha,read".to_owned()),
            (3, "be\"ta,write".to_owned()),
            (6, "other,read".to_owned()),
            (2, "gamma".to_owned()),
        ]
    );

    // Protobuf.
    let mut body = Vec::new();
    registry.render_into(Format::Protobuf, &mut body);
    let families = enumeter_proto::exposition::decode_families(&body).unwrap();
    let decoded: Vec<String> = families
        .iter()
        .flat_map(|f| {
            f.metric.iter().map(move |m| {
                let labels: Vec<String> = m
                    .label
                    .iter()
                    .map(|l| format!("{}={}", l.name, l.value))
                    .collect();
                format!("{} {}", f.name, labels.join(","))
            })
        })
        .collect();
    assert_eq!(
        decoded,
        [
            "rt_requests_total source=alpha,op=read",
            "rt_requests_total source=be\"ta,op=write",
            "rt_requests_total source=other,op=read",
            "rt_lag source=gamma",
        ]
    );

    // Remote write: labels sorted by name.
    {
        use prost::Message;
        let bytes = enumeter::push::encode_write_request(&registry, &[("job", "rt")], 7);
        let request = enumeter_proto::remote_write::WriteRequest::decode(bytes.as_slice()).unwrap();
        let sent: Vec<String> = request
            .timeseries
            .iter()
            .map(|t| {
                let labels: Vec<String> = t
                    .labels
                    .iter()
                    .map(|l| format!("{}={}", l.name, l.value))
                    .collect();
                format!("{} {}", labels.join(","), t.samples[0].value)
            })
            .collect();
        assert_eq!(
            sent,
            [
                "__name__=rt_requests_total,job=rt,op=read,source=alpha 2",
                "__name__=rt_requests_total,job=rt,op=write,source=be\"ta 1",
                "__name__=rt_requests_total,job=rt,op=read,source=other 5",
                "__name__=rt_lag,job=rt,source=gamma -4",
            ]
        );
    }

    // StatsD.
    let lines = enumeter::push::statsd::StatsdEncoder::new().encode(&registry);
    assert_eq!(
        lines,
        [
            "rt_requests_total:2|c|#source:alpha,op:read",
            "rt_requests_total:1|c|#source:be\"ta,op:write",
            "rt_requests_total:5|c|#source:other,op:read",
            "rt_lag:-4|g|#source:gamma",
        ]
    );

    // The overflow is counted by label type in enumeter's own metrics.
    let own = enumeter::render(Format::Prometheus);
    assert!(
        own.contains("enumeter_runtime_label_overflow_total{label=\"Source\"} 1\n"),
        "{own}"
    );
}

runtime_label! {
    /// Shards of the stress test: fewer slots than the names tried.
    pub struct Shard: capacity = 16;
}

/// The stress test's counter.
#[metrics(namespace = "stress_rt", register = false)]
pub enum StressRt {
    /// Work, by shard.
    #[counter(sparse)]
    WorkTotal { shard: Shard },
}

#[test]
#[cfg_attr(
    any(missing_promtool, missing_python_parsers),
    ignore = "needs promtool and the Python parsers (they read the scrapes taken while the threads run): apt-get install prometheus && pip install prometheus_client"
)]
fn threads_interning_recording_and_scraping_at_once_lose_nothing() {
    const THREADS: usize = 4;
    const NAMES: usize = 24;
    const ROUNDS: usize = 2_000;
    let metrics: &'static StressRtMetrics = Box::leak(Box::new(StressRtMetrics::new()));
    let registry = Registry::new().with(metrics);
    let done = AtomicBool::new(false);
    // Set once the scraper has rendered: the workers start then, so that
    // a busy machine cannot run them all before the scraper's first turn.
    let scraping = AtomicBool::new(false);
    let mut scrapes: Vec<(String, String)> = Vec::new();
    std::thread::scope(|s| {
        let stop = support::StoreOnDrop(&done, true);
        let scraper = s.spawn(|| {
            let mut kept = Vec::new();
            let deadline = Instant::now() + Duration::from_secs(60);
            while !done.load(Ordering::Relaxed) && Instant::now() < deadline {
                let text = registry.render(Format::Prometheus);
                let open = registry.render(Format::OpenMetrics);
                if kept.len() < 5 {
                    kept.push((text, open));
                }
                scraping.store(true, Ordering::Relaxed);
                std::thread::yield_now();
            }
            kept
        });
        let scraping = &scraping;
        let workers: Vec<_> = (0..THREADS)
            .map(|t| {
                s.spawn(move || {
                    let wait_until = Instant::now() + Duration::from_secs(10);
                    while !scraping.load(Ordering::Relaxed) && Instant::now() < wait_until {
                        std::thread::yield_now();
                    }
                    for round in 0..ROUNDS {
                        let name = format!("shard-{}", (round * 7 + t) % NAMES);
                        let shard = Shard::intern(&name).unwrap();
                        metrics.work_total(shard).inc();
                    }
                })
            })
            .collect();
        for worker in workers {
            worker.join().unwrap();
        }
        drop(stop);
        scrapes = scraper.join().unwrap();
    });

    // Every increment is counted, in a named shard or in `other`; each
    // named shard holds exactly the rounds that drew its name.
    let snapshot = registry.snapshot();
    let mut total = 0;
    let mut named = 0;
    for series in &snapshot.series {
        let Value::Counter(n) = series.value else {
            panic!("{series:?}")
        };
        total += n;
        let shard = &*series.labels[0].1;
        if shard != "other" {
            named += 1;
            let i: usize = shard.strip_prefix("shard-").unwrap().parse().unwrap();
            let expected = (0..THREADS)
                .flat_map(|t| (0..ROUNDS).map(move |r| (r * 7 + t) % NAMES))
                .filter(|&n| n == i)
                .count() as u64;
            assert_eq!(n, expected, "{shard}");
        }
    }
    assert_eq!(total, (THREADS * ROUNDS) as u64);
    assert_eq!(named, Shard::CAPACITY);
    assert_eq!(Shard::interned(), Shard::CAPACITY);

    // The scrapes taken while the threads ran are valid for both parsers
    // and promtool.
    assert!(!scrapes.is_empty());
    for (text, open) in &scrapes {
        let (code, out) = support::promtool_check(text);
        assert_eq!(code, 0, "{out}\n{text}");
        support::python_parse("prometheus", text);
        support::python_parse("openmetrics", open);
    }
}

runtime_label! {
    /// Backends of the end-to-end test.
    pub struct Backend: capacity = 2;
}

/// What the real Prometheus scrapes.
#[metrics(namespace = "gw", register = false)]
pub enum Gateway {
    /// Messages forwarded, by backend.
    #[counter(sparse)]
    ForwardedTotal { backend: Backend },
}

#[test]
#[cfg_attr(
    missing_prometheus,
    ignore = "needs Prometheus: apt-get install prometheus"
)]
fn a_real_prometheus_reads_interned_values_and_other_exactly() {
    support::require("prometheus");
    let gateway: &'static GatewayMetrics = Box::leak(Box::new(GatewayMetrics::new()));
    for (name, n) in [("eu-1", 3), ("us-2", 4), ("ap-3", 5), ("ap-4", 6)] {
        gateway
            .forwarded_total(Backend::intern(name).unwrap())
            .add(n);
    }
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .registry(Arc::new(Registry::new().with(gateway)))
        .start()
        .unwrap();
    let dir = TempDir::new("runtime-labels");
    let (_prometheus, prometheus) = servers::prometheus(
        &dir.0,
        &servers::scrape_every_second("gw", &exporter.local_addr().to_string()),
    );
    let limit = Duration::from_secs(30);
    expect_value(
        &prometheus,
        r#"gw_forwarded_total{backend="eu-1"}"#,
        3.0,
        limit,
    );
    expect_value(
        &prometheus,
        r#"gw_forwarded_total{backend="us-2"}"#,
        4.0,
        limit,
    );
    // ap-3 and ap-4 did not fit: both in `other`.
    expect_value(
        &prometheus,
        r#"gw_forwarded_total{backend="other"}"#,
        11.0,
        limit,
    );
    expect_value(&prometheus, "count(gw_forwarded_total)", 3.0, limit);
    exporter.shutdown();
}

runtime_label! {
    /// Tenants of the overflow test, four at most.
    pub struct Tenant: capacity = 4;
}

#[test]
fn an_overflowed_value_is_counted_once_found_again_and_other_is_refused() {
    for t in ["a", "b", "c", "d"] {
        Tenant::intern(t).unwrap();
    }
    let late = ["t1", "t2", "t3", "t4", "t5", "t6"];
    for t in late {
        assert_eq!(Tenant::intern(t).unwrap(), Tenant::OTHER);
    }
    for _ in 0..3 {
        assert_eq!(Tenant::intern("t2").unwrap(), Tenant::OTHER);
    }
    // Counted once per distinct value, as the default registry renders it.
    assert_eq!(
        support::own_counter(
            "enumeter_runtime_label_overflow_total",
            &[("label", "Tenant")]
        ),
        6
    );
    // Found again as `other` without interning.
    for t in late {
        assert_eq!(Tenant::lookup(t), Some(Tenant::OTHER), "{t}");
    }
    // `other` itself would merge into them uncounted: refused.
    assert_eq!(
        Tenant::intern("other"),
        Err(enumeter::runtime_label::RuntimeLabelError::Other)
    );
}
