//! Exemplars: kept per series (counters) and per bucket (histograms),
//! rendered in OpenMetrics text and protobuf and nowhere else, read by the
//! OpenMetrics reference parser; a refused exemplar is counted and its
//! observation recorded; metrics without exemplars keep their size.

use enumeter_suite::support;

use enumeter::{metrics, Format, LabelValue, Registry};
use enumeter_proto::exposition::decode_families;

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Route {
    Api,
    Web,
}

/// Requests with exemplars.
#[metrics(namespace = "ex", register = false)]
pub enum Ex {
    /// Requests, by route.
    #[counter(exemplars)]
    RequestsTotal { route: Route },
    /// Request time.
    #[histogram(unit = "seconds", buckets = [0.1, 1], exemplars)]
    Latency,
}

/// The same metrics without exemplars.
#[metrics(namespace = "plain", register = false)]
pub enum Plain {
    /// Requests, by route.
    #[counter]
    RequestsTotal { route: Route },
    /// Request time.
    #[histogram(unit = "seconds", buckets = [0.1, 1])]
    Latency,
}

/// `line` up to its exemplar's timestamp, and that timestamp in ms.
fn split_timestamp(line: &str) -> (&str, u64) {
    let (head, seconds) = line.rsplit_once(' ').unwrap();
    let (whole, millis) = seconds.split_once('.').unwrap();
    assert_eq!(millis.len(), 3, "{line}");
    (
        head,
        whole.parse::<u64>().unwrap() * 1000 + millis.parse::<u64>().unwrap(),
    )
}

/// The group of these tests with its exemplars recorded.
fn recorded() -> ExMetrics {
    let ex = ExMetrics::new();
    ex.requests_total(Route::Api)
        .inc_with_exemplar(&[("trace_id", "ab")]);
    ex.requests_total(Route::Api).add(2);
    ex.latency().observe(0.05);
    ex.latency()
        .observe_with_exemplar(0.5, &[("trace_id", "t1"), ("span_id", "s1")]);
    ex.latency()
        .observe_with_exemplar(7.0, &[("trace_id", "t2")]);
    ex
}

#[test]
fn exemplars_render_in_openmetrics_and_protobuf_only() {
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let ex = recorded();
    let registry = Registry::new().with(&ex);

    let text = registry.render(Format::OpenMetrics);
    let lines: Vec<&str> = text.lines().filter(|l| l.contains(" # {")).collect();
    let heads: Vec<&str> = lines.iter().map(|l| split_timestamp(l).0).collect();
    assert_eq!(
        heads,
        [
            "ex_requests_total{route=\"api\"} 3 # {trace_id=\"ab\"} 1.0",
            "ex_latency_seconds_bucket{le=\"1.0\"} 2 # {trace_id=\"t1\",span_id=\"s1\"} 0.5",
            "ex_latency_seconds_bucket{le=\"+Inf\"} 3 # {trace_id=\"t2\"} 7.0",
        ]
    );
    let after = before + 60_000;
    for line in &lines {
        let (_, ms) = split_timestamp(line);
        assert!((before..after).contains(&ms), "{line}");
    }
    // The rest of the text is what the same metrics render without them.
    let plain = PlainMetrics::new();
    plain.requests_total(Route::Api).add(3);
    for v in [0.05, 0.5, 7.0] {
        plain.latency().observe(v);
    }
    let without: String = text
        .lines()
        .map(|l| l.split(" # {").next().unwrap().replace("ex_", "plain_") + "\n")
        .collect();
    assert_eq!(
        without,
        Registry::new().with(&plain).render(Format::OpenMetrics)
    );
    // None in the Prometheus text format, which has no place for them.
    assert!(
        !registry.render(Format::Prometheus).contains('#') || {
            let p = registry.render(Format::Prometheus);
            !p.lines().any(|l| l.contains(" # {"))
        }
    );

    // Protobuf carries them: the counter's, and the buckets' (+Inf written
    // to carry its exemplar).
    let mut bytes = Vec::new();
    registry.render_into(Format::Protobuf, &mut bytes);
    let families = decode_families(&bytes).unwrap();
    let counter = families[0].metric[0].counter.as_ref().unwrap();
    let exemplar = counter.exemplar.as_ref().unwrap();
    assert_eq!(
        (
            exemplar.label[0].name.as_str(),
            exemplar.label[0].value.as_str()
        ),
        ("trace_id", "ab")
    );
    assert_eq!(exemplar.value, 1.0);
    assert!(families[0].metric[1]
        .counter
        .as_ref()
        .unwrap()
        .exemplar
        .is_none());
    let histogram = families[1].metric[0].histogram.as_ref().unwrap();
    let buckets: Vec<(f64, u64, Option<f64>)> = histogram
        .bucket
        .iter()
        .map(|b| {
            (
                b.upper_bound,
                b.cumulative_count,
                b.exemplar.as_ref().map(|e| e.value),
            )
        })
        .collect();
    assert_eq!(
        buckets,
        [
            (0.1, 1, None),
            (1.0, 2, Some(0.5)),
            (f64::INFINITY, 3, Some(7.0))
        ]
    );
    let ts = histogram.bucket[2]
        .exemplar
        .as_ref()
        .unwrap()
        .timestamp
        .unwrap();
    let (_, text_ms) = split_timestamp(lines[2]);
    assert_eq!(
        ts.seconds as u64 * 1000 + ts.nanos as u64 / 1_000_000,
        text_ms
    );
}

#[test]
fn a_refused_exemplar_is_counted_and_its_observation_recorded() {
    let ex = ExMetrics::new();
    let long = "x".repeat(200);
    ex.requests_total(Route::Web)
        .inc_with_exemplar(&[("trace_id", &long)]);
    ex.latency()
        .observe_with_exemplar(0.5, &[("bad name", "v")]);
    for value in ["a\"b", "a\\b", "a\nb"] {
        ex.latency()
            .observe_with_exemplar(0.5, &[("trace_id", value)]);
    }
    assert_eq!(ex.requests_total(Route::Web).get(), 1);
    assert_eq!(ex.latency().snapshot().count(), 4);
    let text = Registry::new().with(&ex).render(Format::OpenMetrics);
    assert!(!text.contains(" # {"), "{text}");
    let own = enumeter::render(Format::Prometheus);
    assert!(
        own.contains("enumeter_exemplars_dropped_total{reason=\"too_long\"} 1\n"),
        "{own}"
    );
    assert!(
        own.contains("enumeter_exemplars_dropped_total{reason=\"invalid\"} 1\n"),
        "{own}"
    );
    assert!(
        own.contains("enumeter_exemplars_dropped_total{reason=\"needs_escaping\"} 3\n"),
        "{own}"
    );
}

#[test]
fn metrics_without_exemplars_keep_their_size_and_those_with_pay_544_bytes_a_slot() {
    use std::mem::size_of;
    let histogram = size_of::<enumeter::Histogram<3>>();
    // The instance's created time.
    let created = size_of::<u64>();
    // Without exemplars: the counter's 2 series spaced 128 bytes apart
    // (a metric of few series), the histogram, the created time, in a
    // struct aligned like the spaced cells, on 128 bytes.
    let plain = (2 * 128 + histogram + created).next_multiple_of(128);
    assert_eq!(size_of::<PlainMetrics>(), plain);
    // With: the counter's series packed, as cells beside their slots, and
    // a slot per counter series (2) and per histogram bucket (3).
    let cells = 2 * size_of::<enumeter::Counter>() + histogram + created;
    assert_eq!(size_of::<ExMetrics>(), cells + (2 + 3) * 544);
}

#[test]
#[cfg_attr(
    missing_python_parsers,
    ignore = "needs the Python parsers: pip install prometheus_client"
)]
fn the_openmetrics_reference_parser_reads_exemplars_back_whole() {
    let ex = recorded();
    let text = Registry::new().with(&ex).render(Format::OpenMetrics);
    let families = support::python_parse("openmetrics", &text);
    let exemplars: Vec<String> = families
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["samples"].as_array().unwrap().clone())
        .filter_map(|s| {
            s.get(3)
                .map(|e| format!("{} {} {}", s[0], e["labels"], e["value"]))
        })
        .collect();
    assert_eq!(
        exemplars,
        [
            r#""ex_requests_total" {"trace_id":"ab"} 1.0"#,
            r#""ex_latency_seconds_bucket" {"span_id":"s1","trace_id":"t1"} 0.5"#,
            r#""ex_latency_seconds_bucket" {"trace_id":"t2"} 7.0"#,
        ]
    );
    // With created timestamps too, the reference parser takes the text.
    {
        let both = Registry::new()
            .with(&ex)
            .created_timestamps(true)
            .render(Format::OpenMetrics);
        assert!(
            both.contains(" # {") && both.contains("_created "),
            "{both}"
        );
        support::python_parse("openmetrics", &both);
    }
}
