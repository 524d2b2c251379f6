//! NaN, infinite and negative observations have a defined outcome: dropped
//! and counted by reason, or (negative, in histograms) recorded. Nothing
//! panics. One test function, because the self-metric is process-wide.

use enumeter::{metrics, Format, Registry};
use enumeter_suite::support::own_counter;

/// Input checks.
#[metrics(namespace = "input")]
pub enum Input {
    /// A histogram.
    #[histogram(buckets = [0, 10])]
    Histogram,
    /// A summary.
    #[summary(quantiles = [0.5])]
    Summary,
    /// A histogram where zero means "no measurement".
    #[histogram(buckets = [0.5, 10], skip_non_positive)]
    PositiveHistogram,
    /// A summary where zero means "no measurement".
    #[summary(quantiles = [0.5], skip_non_positive)]
    PositiveSummary,
}

/// The reasons of `enumeter_observations_dropped_total`, in its order.
const REASONS: [&str; 5] = [
    "nan",
    "infinite",
    "negative",
    "non_positive",
    "sum_overflow",
];

fn dropped(reason: &str) -> u64 {
    own_counter("enumeter_observations_dropped_total", &[("reason", reason)])
}

#[test]
fn nan_and_infinities_are_dropped_and_counted_negatives_are_defined() {
    let input = InputMetrics::new();
    let before = REASONS.map(dropped).into_iter().collect::<Vec<_>>();

    for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -3.0] {
        input.histogram().observe(value);
        input.summary().observe(value);
    }

    let after = REASONS.map(dropped).into_iter().collect::<Vec<_>>();
    let delta: Vec<u64> = after.iter().zip(before).map(|(a, b)| a - b).collect();
    // nan: 1 histogram + 1 summary; infinite: 2 + 2; negative: summary only.
    assert_eq!(delta, [2, 4, 1, 0, 0]);

    // Histograms record negative values like Prometheus' own clients.
    let histogram = input.histogram().snapshot();
    assert_eq!(histogram.cumulative.as_slice(), &[1, 1, 1]);
    assert_eq!(histogram.sum, -3.0);
    // Summaries recorded nothing.
    let summary = input.summary().snapshot();
    assert_eq!(summary.count, 0);
    assert_eq!(summary.sum, 0.0);

    // Huge finite values: histogram +Inf bucket; summary reports values
    // above its range as exactly 1e9, as documented.
    input.histogram().observe(f64::MAX);
    input.summary().observe(1e300);
    assert_eq!(
        input.histogram().snapshot().cumulative.as_slice(),
        &[1, 1, 2]
    );
    let summary = input.summary().snapshot();
    assert_eq!(summary.count, 1);
    assert_eq!(summary.quantiles[0].1, enumeter::summary::MAX_VALUE);
    assert_eq!(summary.quantiles[0].1, 1e9);

    // A value that would overflow the sum to +Inf is refused whole and
    // counted; the sum stays finite and matches what _count counts.
    let before = dropped("sum_overflow");
    input.histogram().observe(f64::MAX);
    input.summary().observe(f64::MAX);
    assert_eq!(dropped("sum_overflow") - before, 2);
    let histogram = input.histogram().snapshot();
    assert_eq!(histogram.cumulative.as_slice(), &[1, 1, 2]);
    assert_eq!(histogram.sum, f64::MAX);
    let summary = input.summary().snapshot();
    assert_eq!((summary.count, summary.sum), (1, 1e300));
    // What is not refused still counts: a value that brings the sum back.
    input.histogram().observe(-f64::MAX);
    assert_eq!(input.histogram().snapshot().sum, 0.0);
    input.histogram().observe(f64::MAX);

    let text = Registry::new().with(&input).render(Format::Prometheus);
    assert!(
        text.contains("input_histogram_sum 1.7976931348623157e+308\n"),
        "{text}"
    );
    assert!(text.contains("input_histogram_count 4\n"), "{text}");
    // skip_non_positive: zero and negatives are counted, not recorded.
    let before = dropped("non_positive");
    for value in [0.0, -0.0, -2.0, 0.25] {
        input.positive_histogram().observe(value);
        input.positive_summary().observe(value);
    }
    assert_eq!(dropped("non_positive") - before, 6);
    assert_eq!(
        input.positive_histogram().snapshot().cumulative.as_slice(),
        &[1, 1, 1]
    );
    assert_eq!(input.positive_summary().snapshot().count, 1);

    let own = enumeter::render(Format::Prometheus);
    assert!(
        own.contains("enumeter_observations_dropped_total{reason=\"nan\"} "),
        "{own}"
    );
}

/// Edge values for counters and gauges.
#[metrics(namespace = "edge")]
pub enum Edge {
    /// A counter.
    #[counter]
    HitsTotal,
    /// A sharded counter.
    #[counter(sharded)]
    ShardedHitsTotal,
    /// An integer gauge.
    #[gauge]
    Level,
    /// A float gauge.
    #[gauge(float)]
    Ratio,
}

#[test]
fn counters_wrap_on_overflow_and_gauges_hold_any_value() {
    let edge = EdgeMetrics::new();
    // Counters wrap at 2^64, which Prometheus reads as a counter reset.
    edge.hits_total().add(u64::MAX);
    assert_eq!(edge.hits_total().get(), u64::MAX);
    edge.hits_total().add(2);
    assert_eq!(edge.hits_total().get(), 1);
    edge.sharded_hits_total().add(u64::MAX);
    edge.sharded_hits_total().inc();
    assert_eq!(edge.sharded_hits_total().get(), 0);
    // Integer gauges wrap like the atomic they are.
    edge.level().set(i64::MIN);
    edge.level().dec();
    assert_eq!(edge.level().get(), i64::MAX);
    let registry = Registry::new().with(&edge);
    let text = registry.render(Format::Prometheus);
    assert!(text.contains("edge_hits_total 1\n"), "{text}");
    assert!(text.contains("edge_level 9223372036854775807\n"), "{text}");
    // Float gauges take NaN and infinities as values (a gauge may be
    // undefined), rendered the Prometheus way; arithmetic follows IEEE 754.
    for (value, spelled) in [
        (f64::NAN, "NaN"),
        (f64::INFINITY, "+Inf"),
        (f64::NEG_INFINITY, "-Inf"),
        (f64::MAX, "1.7976931348623157e+308"),
        (-5e-324, "-5e-324"),
    ] {
        edge.ratio().set(value);
        let text = registry.render(Format::Prometheus);
        assert!(text.contains(&format!("edge_ratio {spelled}\n")), "{text}");
        let text = registry.render(Format::OpenMetrics);
        assert!(text.contains(&format!("edge_ratio {spelled}\n")), "{text}");
    }
    edge.ratio().set(f64::MAX);
    edge.ratio().add(f64::MAX);
    assert_eq!(edge.ratio().get(), f64::INFINITY);
}
