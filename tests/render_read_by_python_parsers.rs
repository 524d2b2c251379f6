//! Prometheus' Python client parses what we render, in both formats, and
//! reads back the values that were recorded and the label values and HELP
//! text that were declared, whatever characters they hold.
//!
//! Where a system it needs is missing, cargo reports the test
//! ignored with what to install; in CI it fails.

use enumeter_suite::support;

use enumeter::{Cells, Counter, Format, Group, LabelDesc, Metric, MetricDesc, Registry};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::Value;

fn value_of(families: &Value, sample: &str, labels: &[(&str, &str)]) -> Value {
    for family in families.as_array().unwrap() {
        for s in family["samples"].as_array().unwrap() {
            let matches = s[0] == sample
                && s[1].as_object().unwrap().len() == labels.len()
                && labels.iter().all(|(k, v)| s[1][*k] == *v);
            if matches {
                return s[2].clone();
            }
        }
    }
    panic!("no sample {sample}{labels:?} in {families}");
}

#[test]
#[cfg_attr(
    missing_python_parsers,
    ignore = "needs the Python parsers: pip install prometheus_client"
)]
fn both_parsers_read_the_quickstart_values_in_both_formats() {
    let prometheus = support::python_parse(
        "prometheus",
        &support::example_output("quickstart", &["--print"]),
    );
    let openmetrics = support::python_parse(
        "openmetrics",
        &support::example_output("quickstart", &["--print", "openmetrics"]),
    );
    for (families, le_half, le_one) in [(&prometheus, "0.5", "1"), (&openmetrics, "0.5", "1.0")] {
        let counter = "sip_invite_result_total";
        assert_eq!(
            value_of(
                families,
                counter,
                &[("direction", "inbound"), ("code_class", "1xx")]
            ),
            2.0
        );
        assert_eq!(
            value_of(
                families,
                counter,
                &[("direction", "outbound"), ("code_class", "other")]
            ),
            1.0
        );
        assert_eq!(
            value_of(families, "sip_active_calls", &[("transport", "tls")]),
            1.0
        );
        assert_eq!(value_of(families, "sip_last_call_mos", &[]), 4.25);
        let bucket = "sip_invite_duration_seconds_bucket";
        assert_eq!(
            value_of(
                families,
                bucket,
                &[("direction", "inbound"), ("le", le_half)]
            ),
            3.0
        );
        assert_eq!(
            value_of(
                families,
                bucket,
                &[("direction", "inbound"), ("le", le_one)]
            ),
            4.0
        );
        assert_eq!(
            value_of(
                families,
                bucket,
                &[("direction", "inbound"), ("le", "+Inf")]
            ),
            5.0
        );
        assert_eq!(
            value_of(
                families,
                "sip_invite_duration_seconds_count",
                &[("direction", "inbound")]
            ),
            5.0
        );
        assert_eq!(
            value_of(
                families,
                "sip_tts_first_byte_seconds_count",
                &[("transport", "tcp")]
            ),
            100.0
        );
        let p99 = value_of(
            families,
            "sip_tts_first_byte_seconds",
            &[("transport", "tcp"), ("quantile", "0.99")],
        );
        assert!(
            (p99.as_f64().unwrap() - 0.099).abs() / 0.099 <= 0.01,
            "{p99}"
        );
    }
    // Both formats carry the same samples (heartbeats aside, which tick).
    let stable = |families: &Value| {
        let mut samples = support::samples(families);
        samples.retain(|(name, _, _)| name != "sip_heartbeats_total");
        samples.sort();
        samples
    };
    assert_eq!(stable(&prometheus), stable(&openmetrics));
}

/// A group built by hand, so that its names and HELP can be any string.
struct Arbitrary {
    descs: Vec<&'static MetricDesc>,
    cells: Vec<Vec<Counter>>,
}

impl Group for Arbitrary {
    fn name(&self) -> &'static str {
        "arbitrary"
    }

    fn visit<'a>(&'a self, visitor: &mut dyn FnMut(Metric<'a>)) {
        for (desc, cells) in self.descs.iter().zip(&self.cells) {
            visitor(Metric::new(desc, Cells::Counter(cells)));
        }
    }
}

/// `count` values drawn from `strategy` by proptest's deterministic runner:
/// the same values on every run, drawn the way proptest draws them. (The
/// cases go to Python in one batch, so they are drawn up front rather than
/// run one by one through `proptest!`.)
fn draw<T: std::fmt::Debug>(strategy: impl Strategy<Value = T>, count: usize) -> Vec<T> {
    let mut runner = TestRunner::deterministic();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).expect("a value").current())
        .collect()
}

/// Strings biased towards what exposition formats must escape or could
/// misread: quotes, backslashes, newlines, braces, commas, `#`, unicode.
/// HELP and label values are trimmed of edge whitespace by some parsers, so a
/// letter stands at each end to keep the comparison exact.
fn arbitrary_strings(count: usize) -> Vec<String> {
    draw("x[\"\\\\\n\r\t{}=,# aZ0_é✓\u{1F600}]{0,16}y", count)
}

#[test]
#[cfg_attr(
    any(missing_promtool, missing_python_parsers),
    ignore = "needs promtool and the Python parsers: apt-get install prometheus && pip install prometheus_client"
)]
fn arbitrary_label_values_and_help_round_trip_through_both_parsers() {
    let cases = 200;
    let helps = arbitrary_strings(cases);
    let mut values = arbitrary_strings(cases * 2);
    // A label's values are distinct (the derive rejects duplicates).
    for pair in values.chunks_mut(2) {
        if pair[0] == pair[1] {
            pair[1].push('2');
        }
    }
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let mut group = Arbitrary {
        descs: Vec::new(),
        cells: Vec::new(),
    };
    for i in 0..cases {
        let label_values: &'static [&'static str] = Box::leak(
            vec![leak(values[2 * i].clone()), leak(values[2 * i + 1].clone())].into_boxed_slice(),
        );
        let labels: &'static [LabelDesc] = Box::leak(
            // Unescaped: the renderer escapes them, which is what this test
            // checks.
            vec![LabelDesc::new("value", label_values)].into_boxed_slice(),
        );
        group.descs.push(Box::leak(Box::new(MetricDesc::new(
            leak(format!("case_{i}_total")),
            leak(helps[i].clone()),
            labels,
        ))));
        let cells = vec![Counter::new(), Counter::new()];
        cells[1].add(i as u64);
        group.cells.push(cells);
    }
    let registry = Registry::new().with(&group);
    let (code, report) = support::promtool_check(&registry.render(Format::Prometheus));
    assert_eq!(code, 0, "{report}");
    for (format, parser) in [
        (Format::Prometheus, "prometheus"),
        (Format::OpenMetrics, "openmetrics"),
    ] {
        let families = support::python_parse(parser, &registry.render(format));
        let families = families.as_array().unwrap();
        assert_eq!(families.len(), cases);
        for (i, family) in families.iter().enumerate() {
            assert_eq!(
                family["help"],
                helps[i].as_str(),
                "{parser}: HELP of case {i}"
            );
            let samples = family["samples"].as_array().unwrap();
            assert_eq!(
                samples[0][1]["value"],
                values[2 * i].as_str(),
                "{parser}: case {i}"
            );
            assert_eq!(
                samples[1][1]["value"],
                values[2 * i + 1].as_str(),
                "{parser}: case {i}"
            );
            assert_eq!(samples[1][2], i as f64, "{parser}: case {i}");
        }
    }
}

#[test]
#[cfg_attr(
    missing_python_parsers,
    ignore = "needs the Python parsers: pip install prometheus_client"
)]
fn both_parsers_read_what_the_axum_example_serves_in_both_formats() {
    let (_example, addr) = support::serve_example("axum_handler", 30);
    let accept = "Accept: application/openmetrics-text; version=1.0.0\r\n";
    for (parser, headers) in [("prometheus", ""), ("openmetrics", accept)] {
        let (status, _, text) = support::http_get_with(&addr, "/metrics", headers).unwrap();
        assert_eq!(status, 200);
        let families = support::python_parse(parser, &text);
        assert_eq!(
            value_of(&families, "app_greetings_total", &[]),
            0.0,
            "{parser}"
        );
    }
}

/// A hand-built group of float gauges, one per value.
struct Floats {
    descs: Vec<&'static MetricDesc>,
    cells: Vec<[enumeter::FloatGauge; 1]>,
}

impl Group for Floats {
    fn name(&self) -> &'static str {
        "floats"
    }

    fn visit<'a>(&'a self, visitor: &mut dyn FnMut(Metric<'a>)) {
        for (desc, cells) in self.descs.iter().zip(&self.cells) {
            visitor(Metric::new(desc, Cells::FloatGauge(cells)));
        }
    }
}

#[test]
#[cfg_attr(
    any(missing_promtool, missing_python_parsers),
    ignore = "needs promtool and the Python parsers: apt-get install prometheus && pip install prometheus_client"
)]
fn arbitrary_float_values_round_trip_through_both_parsers_and_promtool() {
    // Edge values, then proptest's draws over every class of f64 (normal,
    // subnormal, zero, infinite, NaN, both signs).
    let mut values = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.1,
        1e6,
        1e-5,
        123456.0,
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        5e-324,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        9007199254740993.0,
    ];
    values.extend(draw(proptest::num::f64::ANY, 284));
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let mut group = Floats {
        descs: Vec::new(),
        cells: Vec::new(),
    };
    for (i, &v) in values.iter().enumerate() {
        group.descs.push(Box::leak(Box::new(MetricDesc::new(
            leak(format!("float_{i}")),
            "A float.",
            &[],
        ))));
        let cell = enumeter::FloatGauge::new();
        cell.set(v);
        group.cells.push([cell]);
    }
    let registry = Registry::new().with(&group);
    let prometheus_text = registry.render(Format::Prometheus);
    let (code, report) = support::promtool_check(&prometheus_text);
    assert_eq!(code, 0, "{report}");
    for (format, parser) in [
        (Format::Prometheus, "prometheus"),
        (Format::OpenMetrics, "openmetrics"),
    ] {
        let families = support::python_parse(parser, &registry.render(format));
        let families = families.as_array().unwrap();
        // One family per value: an empty or short parse fails here.
        assert_eq!(families.len(), values.len(), "{parser}");
        for (i, family) in families.iter().enumerate() {
            let read = &family["samples"][0][2];
            let expected = values[i];
            let same = match read {
                Value::String(s) if s == "NaN" => expected.is_nan(),
                Value::String(s) if s == "+Inf" => expected == f64::INFINITY,
                Value::String(s) if s == "-Inf" => expected == f64::NEG_INFINITY,
                // Exactly equal. (The Python parsers turn integral values
                // into ints, which drops the sign of -0.0, so -0 == 0 here.)
                v => v.as_f64() == Some(expected),
            };
            assert!(same, "{parser}: value {i} {expected:?} read back as {read}");
        }
    }
}
