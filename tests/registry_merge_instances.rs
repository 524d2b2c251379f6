//! Several instances of one group (one per source) sum into one with
//! `merge_from`.

use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Source {
    Edge,
    Core,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Health {
    Ok,
    Degraded,
}

/// Aggregated metrics.
#[metrics(namespace = "agg")]
pub enum Agg {
    /// Messages.
    #[counter]
    MessagesTotal { source: Source },
    /// Hot messages.
    #[counter(sharded)]
    HotTotal,
    /// Connections.
    #[gauge]
    Connections,
    /// Utilisation.
    #[gauge(float)]
    Utilisation,
    /// Latency.
    #[histogram(unit = "seconds", buckets = [0.1, 1])]
    Latency,
    /// Size.
    #[summary(quantiles = [0.5, 0.99], max_age_secs = 60, age_buckets = 2)]
    Size,
    /// Build.
    #[info]
    BuildInfo { source: Source },
    /// Health.
    #[state_set(states = Health)]
    State,
}

#[test]
fn merging_adds_counts_gauges_and_histograms_and_takes_current_states() {
    let (total, a, b) = (AggMetrics::new(), AggMetrics::new(), AggMetrics::new());
    a.messages_total(Source::Edge).add(2);
    b.messages_total(Source::Edge).add(3);
    b.messages_total(Source::Core).inc();
    a.hot_total().add(10);
    b.hot_total().add(5);
    a.connections().set(4);
    b.connections().set(-1);
    a.utilisation().set(0.25);
    b.utilisation().set(0.5);
    a.latency().observe(0.05);
    b.latency().observe(0.5);
    b.latency().observe(5.0);
    b.build_info(Source::Core).set();
    b.state().set(Health::Degraded);
    total.merge_from(&a);
    total.merge_from(&b);
    assert_eq!(total.messages_total(Source::Edge).get(), 5);
    assert_eq!(total.messages_total(Source::Core).get(), 1);
    assert_eq!(total.hot_total().get(), 15);
    assert_eq!(total.connections().get(), 3);
    assert_eq!(total.utilisation().get(), 0.75);
    let latency = total.latency().snapshot();
    assert_eq!(latency.cumulative.as_slice(), &[1, 2, 3]);
    assert_eq!(latency.sum, 5.55);
    assert!(total.build_info(Source::Core).is_set());
    assert_eq!(total.state().get(), Some(Health::Degraded));
    // The sources are untouched.
    assert_eq!(a.messages_total(Source::Edge).get(), 2);
}

#[test]
fn merged_summaries_estimate_the_combined_data_and_keep_the_newest_period() {
    let (total, a, b) = (AggMetrics::new(), AggMetrics::new(), AggMetrics::new());
    // Period 0 (the first 30 s): a sees 1..=50, b sees 51..=100.
    for v in 1..=50 {
        a.size().observe_at(f64::from(v), 1_000);
    }
    for v in 51..=100 {
        b.size().observe_at(f64::from(v), 2_000);
    }
    total.merge_from(&a);
    total.merge_from(&b);
    let merged = total.size().snapshot_at(2_000);
    assert_eq!(merged.count, 100);
    assert_eq!(merged.sum, 5050.0);
    let (p50, p99) = (merged.quantiles[0].1, merged.quantiles[1].1);
    assert!((p50 - 50.0).abs() / 50.0 <= 0.01, "{p50}");
    assert!((p99 - 99.0).abs() / 99.0 <= 0.01, "{p99}");

    // A newer period replaces an older one in the same sub-window...
    let newer = AggMetrics::new();
    newer.size().observe_at(7.0, 60_000); // period 2, the sub-window of period 0
    total.merge_from(&newer);
    let after = total.size().snapshot_at(60_000);
    assert!(
        (after.quantiles[1].1 - 7.0).abs() / 7.0 <= 0.01,
        "{after:?}"
    );
    // ...and an older one does not displace a newer one.
    let older = AggMetrics::new();
    older.size().observe_at(1000.0, 0);
    total.merge_from(&older);
    let still = total.size().snapshot_at(60_000);
    assert!(
        (still.quantiles[1].1 - 7.0).abs() / 7.0 <= 0.01,
        "{still:?}"
    );
}

#[test]
fn conflicting_states_take_the_merged_instances_and_the_first_registered_twins() {
    // Instances: `merge_from` takes the other's state when it has one.
    let (total, a, b) = (AggMetrics::new(), AggMetrics::new(), AggMetrics::new());
    a.state().set(Health::Ok);
    b.state().set(Health::Degraded);
    total.merge_from(&a);
    assert_eq!(total.state().get(), Some(Health::Ok));
    total.merge_from(&b);
    assert_eq!(total.state().get(), Some(Health::Degraded));
    // A state the other does not have leaves this one's.
    let unset = AggMetrics::new();
    total.merge_from(&unset);
    assert_eq!(total.state().get(), Some(Health::Degraded));

    // A registry merging twins: the first registered with a state wins.
    let text = |groups: &[&AggMetrics]| {
        let mut registry = enumeter::Registry::new();
        for group in groups {
            registry.register(*group).unwrap();
        }
        registry
            .render(enumeter::Format::Prometheus)
            .lines()
            .filter(|l| l.starts_with("agg_state{"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let ok_first = [
        "agg_state{agg_state=\"ok\"} 1",
        "agg_state{agg_state=\"degraded\"} 0",
    ];
    assert_eq!(text(&[&a, &b]), ok_first);
    assert_eq!(text(&[&unset, &a, &b]), ok_first);
    assert_eq!(
        text(&[&b, &a]),
        [
            "agg_state{agg_state=\"ok\"} 0",
            "agg_state{agg_state=\"degraded\"} 1",
        ]
    );
}
