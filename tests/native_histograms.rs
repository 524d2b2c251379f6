//! Native histograms: values land in the buckets Prometheus defines,
//! upper bounds included; the protobuf exposition carries schema, zero
//! bucket, spans and deltas, at a lower resolution when more buckets are
//! populated than `max_buckets`; the text formats keep the classic view;
//! values above `max` and undeclared negatives are refused whole.

use enumeter::{metrics, Format, Registry};
use enumeter_proto::exposition::decode_families;

/// Latencies, native.
#[metrics(namespace = "nh", register = false)]
pub enum Nh {
    /// Native only, schema 0 (buckets at powers of two).
    #[histogram(
        unit = "seconds",
        native(schema = 0, zero_threshold = 0.001, max = 1000)
    )]
    Plain,
    /// Native beside classic buckets, negative values allowed, at most 2
    /// populated buckets per sign in the exposition.
    #[histogram(buckets = [1], native(schema = 2, max_buckets = 2, negative, max = 100))]
    Both,
    /// Native only, with exemplars.
    #[histogram(native, exemplars)]
    Traced,
}

#[test]
fn native_buckets_spans_and_deltas_are_exact() {
    let nh = NhMetrics::new();
    // schema 0: (0.5, 1] is key 0, (1, 2] key 1, (2, 4] key 2, (4, 8] key 3.
    for v in [0.0005, 0.75, 1.0, 1.5, 2.0, 6.0, 7.0, 8.0] {
        nh.plain().observe(v);
    }
    let snapshot = nh.plain().native_snapshot();
    assert_eq!(snapshot.zero, 1);
    assert_eq!(snapshot.positive, [(0, 2), (1, 2), (3, 3)]);
    let overflow_before =
        enumeter_suite::support::own_counter("enumeter_native_overflow_total", &[]);
    nh.plain().observe(5000.0); // above max: refused whole
    nh.plain().observe(-1.0); // negative, not declared: refused whole
    assert_eq!(nh.plain().snapshot().count(), 8);
    assert_eq!(
        enumeter_suite::support::own_counter("enumeter_native_overflow_total", &[]),
        overflow_before + 1
    );
    let own = enumeter::render(Format::Prometheus);
    assert!(own.contains("enumeter_native_overflow_total "), "{own}");

    let mut bytes = Vec::new();
    Registry::new()
        .with(&nh)
        .render_into(Format::Protobuf, &mut bytes);
    let families = decode_families(&bytes).unwrap();
    let plain = families[0].metric[0].histogram.as_ref().unwrap();
    assert_eq!((plain.sample_count, plain.schema), (8, 0));
    assert_eq!((plain.zero_threshold, plain.zero_count), (0.001, 1));
    assert!(plain.bucket.is_empty(), "no classic buckets were declared");
    let spans: Vec<(i32, u32)> = plain
        .positive_span
        .iter()
        .map(|s| (s.offset, s.length))
        .collect();
    assert_eq!(spans, [(0, 2), (1, 1)]);
    assert_eq!(plain.positive_delta, [2, 0, 1]);
    assert!(plain.negative_span.is_empty());

    // Schema 2 reduced until at most 2 buckets per sign are populated.
    for v in [1.1, 1.3, 1.6, 1.9, -0.3, -3.0, -50.0] {
        nh.both().observe(v);
    }
    let mut bytes = Vec::new();
    Registry::new()
        .with(&nh)
        .render_into(Format::Protobuf, &mut bytes);
    let both = decode_families(&bytes).unwrap()[1].metric[0]
        .histogram
        .clone()
        .unwrap();
    assert_eq!(both.sample_count, 7);
    // Negative |v|: 0.3, 3 and 50 take three buckets at every schema down
    // to -2 (buckets of 16×) and two at -3 (256×: 0.3 in one, 3 and 50 in
    // the next), so the resolution drops to -3 for both signs; the four
    // positive values, all in (1, 2], share one bucket there.
    assert_eq!(both.schema, -3);
    let positive: Vec<(i32, u32)> = both
        .positive_span
        .iter()
        .map(|s| (s.offset, s.length))
        .collect();
    assert_eq!(
        (positive, both.positive_delta.clone()),
        (vec![(1, 1)], vec![4])
    );
    let negative: Vec<(i32, u32)> = both
        .negative_span
        .iter()
        .map(|s| (s.offset, s.length))
        .collect();
    assert_eq!(
        (negative, both.negative_delta.clone()),
        (vec![(0, 2)], vec![1, 1])
    );
    // The classic buckets are there too.
    let classic: Vec<(f64, u64)> = both
        .bucket
        .iter()
        .map(|b| (b.upper_bound, b.cumulative_count))
        .collect();
    assert_eq!(classic, [(1.0, 3)]);

    // The text formats show the classic view: +Inf alone for `plain`.
    let text = Registry::new().with(&nh).render(Format::Prometheus);
    assert!(text.contains(
        "nh_plain_seconds_bucket{le=\"+Inf\"} 8\nnh_plain_seconds_sum 26.2505\nnh_plain_seconds_count 8\n"
    ), "{text}");
}

#[test]
fn a_native_histograms_exemplars_go_with_its_buckets_and_among_its_own() {
    let nh = NhMetrics::new();
    nh.traced().observe(0.2);
    nh.traced()
        .observe_with_exemplar(0.3, &[("trace_id", "abc")]);
    let mut bytes = Vec::new();
    Registry::new()
        .with(&nh)
        .render_into(Format::Protobuf, &mut bytes);
    let families = decode_families(&bytes).unwrap();
    let traced = families[2].metric[0].histogram.clone().unwrap();
    assert_eq!(traced.sample_count, 2);
    // Native only: its one classic bucket is +Inf, written to carry the
    // exemplar, which is also among the native histogram's own.
    assert_eq!(traced.bucket.len(), 1);
    assert_eq!(traced.bucket[0].exemplar.as_ref().unwrap().value, 0.3);
    assert_eq!(traced.exemplars.len(), 1);
    assert_eq!(traced.exemplars[0].label[0].value, "abc");
    assert_eq!(traced.exemplars[0].value, 0.3);
    // OpenMetrics: on the +Inf bucket line.
    let text = Registry::new().with(&nh).render(Format::OpenMetrics);
    assert!(
        text.contains("nh_traced_bucket{le=\"+Inf\"} 2 # {trace_id=\"abc\"} 0.3 "),
        "{text}"
    );
}
