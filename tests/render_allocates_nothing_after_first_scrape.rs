//! Once a render has grown its buffers, rendering again allocates nothing:
//! every kind, both text formats and protobuf, a hand-built and the default
//! registry.

use enumeter_suite::support;

use enumeter::{metrics, Format, LabelValue, Registry};

#[global_allocator]
static ALLOCATOR: support::CountingAllocator = support::CountingAllocator;

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Region {
    #[label(name = "eu \"west\"")]
    EuWest,
    UsEast,
    ApSouth,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Phase {
    Idle,
    Busy,
}

/// Every kind, with more buckets, quantiles and labels than fit inline.
#[metrics(namespace = "render")]
pub enum Render {
    /// Counter.
    #[counter]
    EventsTotal { region: Region, retried: bool },
    /// Sharded counter.
    #[counter(sharded)]
    HotTotal { region: Region },
    /// Gauge.
    #[gauge]
    Depth {
        a: bool,
        b: bool,
        c: bool,
        d: bool,
        e: bool,
        f: bool,
        g: bool,
        h: bool,
        i: bool,
    },
    /// Float gauge.
    #[gauge(float)]
    Ratio { region: Region },
    /// Histogram with 30 buckets.
    #[histogram(unit = "seconds", buckets = exponential(0.0001, 1.5, 30))]
    Latency { region: Region },
    /// Summary with 12 quantiles.
    #[summary(quantiles = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.9, 0.99, 0.999])]
    Size { region: Region },
    /// Info.
    #[info]
    BuildInfo { region: Region },
    /// State set.
    #[state_set(states = Phase)]
    State { region: Region },
    /// Sparse counter.
    #[counter(sparse)]
    SparseTotal { region: Region, retried: bool },
    /// Sparse histogram.
    #[histogram(buckets = [1, 2], sparse)]
    SparseLatency { region: Region },
}

#[test]
fn rendering_again_allocates_nothing() {
    let render = RenderMetrics::new();
    for region in Region::all() {
        render.events_total(region, true).inc();
        render.hot_total(region).inc();
        render.ratio(region).set(0.5);
        render.latency(region).observe(0.01);
        render.size(region).observe(1234.0);
        render.state(region).set(Phase::Busy);
    }
    render.build_info(Region::UsEast).set();
    // Two of the six sparse counter series, one of the three histograms.
    render.sparse_total(Region::ApSouth, false).inc();
    render.sparse_total(Region::EuWest, true).inc();
    render.sparse_latency(Region::UsEast).observe(1.5);
    let registry = Registry::new().with(&render);
    let mut buf = Vec::new();
    for format in [Format::Prometheus, Format::OpenMetrics, Format::Protobuf] {
        // The first scrape grows the buffers.
        buf.clear();
        registry.render_into(format, &mut buf);
        enumeter::render_into(format, &mut buf);
        let first = buf.clone();
        let mut same = 0;
        let bytes = support::allocated_while(|| {
            for _ in 0..10 {
                buf.clear();
                registry.render_into(format, &mut buf);
                enumeter::render_into(format, &mut buf);
                same += usize::from(buf == first);
            }
        });
        assert_eq!(bytes, 0, "{format:?}");
        assert_eq!(same, 10, "{format:?}: the same bytes every time");
    }
    // The renders were real: 30 buckets, 12 quantiles, 9 labels, and of
    // the sparse metrics the series recorded into.
    let text = registry.render(Format::Prometheus);
    let sparse: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("render_sparse"))
        .collect();
    assert_eq!(
        sparse,
        [
            "render_sparse_total{region=\"eu \\\"west\\\"\",retried=\"true\"} 1",
            "render_sparse_total{region=\"apsouth\",retried=\"false\"} 1",
            "render_sparse_latency_bucket{region=\"useast\",le=\"1\"} 0",
            "render_sparse_latency_bucket{region=\"useast\",le=\"2\"} 1",
            "render_sparse_latency_bucket{region=\"useast\",le=\"+Inf\"} 1",
            "render_sparse_latency_sum{region=\"useast\"} 1.5",
            "render_sparse_latency_count{region=\"useast\"} 1",
        ]
    );
    assert_eq!(
        text.matches("render_latency_seconds_bucket{region=\"eu \\\"west\\\"\"")
            .count(),
        31
    );
    assert_eq!(
        text.matches("render_latency_seconds_bucket{region=\"useast\"")
            .count(),
        31
    );
    assert_eq!(
        text.matches("render_size{region=\"apsouth\",quantile=")
            .count(),
        12
    );
    assert_eq!(text.matches("render_depth{a=").count(), 512);
}
