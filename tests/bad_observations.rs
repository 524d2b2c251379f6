//! NaN, infinite and negative observations have a defined outcome: dropped
//! and counted by reason, or (negative, in histograms) recorded. Nothing
//! panics. One test function, because the self-metric is process-wide.

use enumeter::self_metrics::{DropReason, Enumeter};
use enumeter::{metrics, Format, Registry};

/// Input checks.
#[metrics(namespace = "input")]
pub enum Input {
    /// A histogram.
    #[histogram(buckets = [0, 10])]
    Histogram,
    /// A summary.
    #[summary(quantiles = [0.5])]
    Summary,
}

fn dropped(reason: DropReason) -> u64 {
    Enumeter::observations_dropped_total(reason).get()
}

#[test]
fn nan_and_infinities_are_dropped_and_counted_negatives_are_defined() {
    let input = InputMetrics::new();
    let before = DropReason::ALL.map(dropped);

    for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -3.0] {
        input.histogram().observe(value);
        input.summary().observe(value);
    }

    let after = DropReason::ALL.map(dropped);
    let delta: Vec<u64> = after.iter().zip(before).map(|(a, b)| a - b).collect();
    // nan: 1 histogram + 1 summary; infinite: 2 + 2; negative: summary only.
    assert_eq!(delta, [2, 4, 1]);

    // Histograms record negative values like Prometheus' own clients.
    let histogram = input.histogram().snapshot();
    assert_eq!(histogram.cumulative.as_slice(), &[1, 1, 1]);
    assert_eq!(histogram.sum, -3.0);
    // Summaries recorded nothing.
    let summary = input.summary().snapshot();
    assert_eq!(summary.count, 0);
    assert_eq!(summary.sum, 0.0);

    // Huge finite values: histogram +Inf bucket; summary clamps to 1e9.
    input.histogram().observe(f64::MAX);
    input.summary().observe(1e300);
    assert_eq!(
        input.histogram().snapshot().cumulative.as_slice(),
        &[1, 1, 2]
    );
    let summary = input.summary().snapshot();
    assert_eq!(summary.count, 1);
    assert!(
        (summary.quantiles[0].1 - 1e9).abs() / 1e9 <= 0.01,
        "{summary:?}"
    );

    let text = Registry::new().with(&input).render(Format::Prometheus);
    assert!(
        text.contains("input_histogram_sum 1.7976931348623157e+308\n"),
        "{text}"
    );
    let own = Registry::new()
        .with(enumeter::self_metrics::EnumeterMetrics::global())
        .render(Format::Prometheus);
    assert!(
        own.contains("enumeter_observations_dropped_total{reason=\"nan\"} "),
        "{own}"
    );
}
