//! Every metric's handle type has a generated name, `<Enum><Variant>Ref<'a>`,
//! so that code storing a handle never spells bucket counts, sketch sizes
//! or shard counts (which change with the declaration or the release).

use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Link {
    Up,
    Down,
}

/// One metric of each handle kind.
#[metrics(namespace = "stored", register = false)]
pub enum Stored {
    /// Plain counter.
    #[counter]
    PlainTotal,
    /// Sharded counter.
    #[counter(sharded)]
    HitsTotal,
    /// Counter with exemplars.
    #[counter(exemplars)]
    TracedTotal,
    /// Gauge.
    #[gauge]
    Depth,
    /// Classic histogram.
    #[histogram(buckets = [1, 2, 5])]
    Latency,
    /// Histogram with exemplars.
    #[histogram(buckets = [1, 2], exemplars)]
    TracedLatency,
    /// Native histogram.
    #[histogram(native)]
    Spread,
    /// Summary.
    #[summary(quantiles = [0.5])]
    Size,
    /// Info.
    #[info]
    BuildInfo { version: bool },
    /// State set.
    #[state_set(states = Link)]
    Link,
}

/// A component that keeps its handles, as a long-lived service would.
struct Component {
    plain: StoredPlainTotalRef<'static>,
    hits: StoredHitsTotalRef<'static>,
    traced: StoredTracedTotalRef<'static>,
    depth: StoredDepthRef<'static>,
    latency: StoredLatencyRef<'static>,
    traced_latency: StoredTracedLatencyRef<'static>,
    spread: StoredSpreadRef<'static>,
    size: StoredSizeRef<'static>,
    build: StoredBuildInfoRef<'static>,
    link: StoredLinkRef<'static>,
}

static STORED: StoredMetrics = StoredMetrics::new();

#[test]
fn stored_handles_record_into_their_series() {
    let c = Component {
        plain: STORED.plain_total(),
        hits: STORED.hits_total(),
        traced: STORED.traced_total(),
        depth: STORED.depth(),
        latency: STORED.latency(),
        traced_latency: STORED.traced_latency(),
        spread: STORED.spread(),
        size: STORED.size(),
        build: STORED.build_info(true),
        link: STORED.link(),
    };
    c.plain.inc();
    c.hits.add(2);
    c.traced.inc();
    c.depth.set(-3);
    c.latency.observe(1.5);
    c.traced_latency.observe(0.5);
    c.spread.observe(7.0);
    c.size.observe(4.0);
    c.build.set();
    c.link.set(Link::Down);
    assert_eq!(STORED.plain_total().get(), 1);
    assert_eq!(STORED.hits_total().get(), 2);
    assert_eq!(STORED.traced_total().get(), 1);
    assert_eq!(STORED.depth().get(), -3);
    assert_eq!(
        STORED.latency().snapshot().cumulative.as_slice(),
        [0, 1, 1, 1]
    );
    assert_eq!(STORED.traced_latency().snapshot().count(), 1);
    assert_eq!(STORED.spread().snapshot().sum, 7.0);
    assert_eq!(STORED.size().snapshot().count, 1);
    assert!(STORED.build_info(true).is_set());
    assert_eq!(STORED.link().get(), Some(Link::Down));
}
