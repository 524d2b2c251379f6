//! Histograms with negative bucket bounds, or that observed negative
//! values, render OpenMetrics that the reference parser (Prometheus' Python
//! client) accepts: OpenMetrics 1.0 allows `_sum` only where it is a
//! counter, and `_count` only beside `_sum`, so such series carry their
//! buckets alone (the `+Inf` bucket is the count). The Prometheus text
//! format keeps `_sum` and `_count` for every series, as it always did.
//!
//! Where a system it needs is missing, cargo reports the test
//! ignored with what to install; in CI it fails.

use enumeter_suite::support;

use enumeter::{metrics, Format, Registry};

/// Every sign mix of bounds.
#[metrics(namespace = "signs", register = false)]
pub enum Signs {
    /// Bounds all above zero.
    #[histogram(buckets = [1, 2])]
    Positive,
    /// Bounds from zero up.
    #[histogram(buckets = [0, 1])]
    FromZero,
    /// Bounds all below zero.
    #[histogram(buckets = [-2, -1])]
    Negative,
    /// Bounds on both sides of zero.
    #[histogram(buckets = [-1, 0, 1])]
    Mixed,
}

/// One instance per mix of observed signs: none, positive only, negative
/// only, both.
fn instances() -> [SignsMetrics; 4] {
    let observed: [&[f64]; 4] = [&[], &[0.5, 1.5], &[-0.5, -3.0], &[-0.5, 0.0, 1.5]];
    observed.map(|values| {
        let m = SignsMetrics::new();
        for &v in values {
            m.positive().observe(v);
            m.from_zero().observe(v);
            m.negative().observe(v);
            m.mixed().observe(v);
        }
        m
    })
}

#[test]
fn negative_values_and_bounds_leave_out_sum_and_count_in_openmetrics_only() {
    let [none, positive, negative, both] = instances();
    assert_eq!(
        Registry::new().with(&negative).render(Format::OpenMetrics),
        concat!(
            "# HELP signs_positive Bounds all above zero.\n",
            "# TYPE signs_positive histogram\n",
            "signs_positive_bucket{le=\"1.0\"} 2\n",
            "signs_positive_bucket{le=\"2.0\"} 2\n",
            "signs_positive_bucket{le=\"+Inf\"} 2\n",
            "# HELP signs_from_zero Bounds from zero up.\n",
            "# TYPE signs_from_zero histogram\n",
            "signs_from_zero_bucket{le=\"0.0\"} 2\n",
            "signs_from_zero_bucket{le=\"1.0\"} 2\n",
            "signs_from_zero_bucket{le=\"+Inf\"} 2\n",
            "# HELP signs_negative Bounds all below zero.\n",
            "# TYPE signs_negative histogram\n",
            "signs_negative_bucket{le=\"-2.0\"} 1\n",
            "signs_negative_bucket{le=\"-1.0\"} 1\n",
            "signs_negative_bucket{le=\"+Inf\"} 2\n",
            "# HELP signs_mixed Bounds on both sides of zero.\n",
            "# TYPE signs_mixed histogram\n",
            "signs_mixed_bucket{le=\"-1.0\"} 1\n",
            "signs_mixed_bucket{le=\"0.0\"} 2\n",
            "signs_mixed_bucket{le=\"1.0\"} 2\n",
            "signs_mixed_bucket{le=\"+Inf\"} 2\n",
            "# EOF\n",
        )
    );
    // Non-negative bounds and values: `_sum` and `_count` stay.
    let text = Registry::new().with(&positive).render(Format::OpenMetrics);
    assert!(
        text.contains("signs_positive_sum 2.0\nsigns_positive_count 2\n"),
        "{text}"
    );
    assert!(
        text.contains("signs_from_zero_sum 2.0\nsigns_from_zero_count 2\n"),
        "{text}"
    );
    assert!(!text.contains("signs_negative_sum"), "{text}");
    assert!(!text.contains("signs_mixed_sum"), "{text}");
    // Nothing observed yet: only the bounds decide.
    let text = Registry::new().with(&none).render(Format::OpenMetrics);
    assert!(
        text.contains("signs_positive_sum 0.0\nsigns_positive_count 0\n"),
        "{text}"
    );
    assert!(!text.contains("signs_negative_count"), "{text}");
    // Once a series saw a negative value, its `_sum` is no counter for good.
    let text = Registry::new().with(&both).render(Format::OpenMetrics);
    assert!(!text.contains("_sum"), "{text}");
    // The Prometheus text format has `_sum` and `_count` everywhere.
    for m in [&none, &positive, &negative, &both] {
        let text = Registry::new().with(m).render(Format::Prometheus);
        assert_eq!(text.matches("_sum ").count(), 4, "{text}");
        assert_eq!(text.matches("_count ").count(), 4, "{text}");
    }
}

#[test]
#[cfg_attr(
    any(missing_promtool, missing_python_parsers),
    ignore = "needs promtool and the Python parsers: apt-get install prometheus && pip install prometheus_client"
)]
fn the_reference_parser_reads_histograms_of_every_sign_mix() {
    for (i, m) in instances().iter().enumerate() {
        let registry = Registry::new().with(m);
        let families = support::python_parse("openmetrics", &registry.render(Format::OpenMetrics));
        assert_eq!(families.as_array().unwrap().len(), 4, "instance {i}");
        let families = support::python_parse("prometheus", &registry.render(Format::Prometheus));
        assert_eq!(families.as_array().unwrap().len(), 4, "instance {i}");
        let (code, report) = support::promtool_check(&registry.render(Format::Prometheus));
        assert_eq!(code, 0, "instance {i}: {report}");
    }
}
