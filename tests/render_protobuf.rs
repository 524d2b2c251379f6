//! The Prometheus protobuf exposition of every kind, decoded back with the
//! `io.prometheus.client` messages and compared field by field; and the
//! negotiation that picks it for the `Accept` header Prometheus sends when
//! native histograms are enabled.

use enumeter::{metrics, Format, LabelValue, Registry};
use enumeter_proto::exposition::{decode_families, LabelPair, MetricFamily, MetricType};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Link {
    Up,
    Down,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Version {
    #[label(name = "1.2.3")]
    Current,
}

/// Every kind.
#[metrics(namespace = "pb", register = false)]
pub enum Pb {
    /// Requests, by link.
    #[counter]
    RequestsTotal { link: Link },
    /// Sharded events.
    #[counter(sharded = 2)]
    EventsTotal,
    /// Temperature.
    #[gauge(float)]
    Temperature,
    /// Latency.
    #[histogram(unit = "seconds", buckets = [0.1, 1])]
    Latency,
    /// Sizes.
    #[summary(quantiles = [0.5])]
    Size,
    /// The build.
    #[info]
    BuildInfo { version: Version },
    /// The link's state.
    #[state_set(states = Link)]
    State,
}

fn labels(pairs: &[(&str, &str)]) -> Vec<LabelPair> {
    pairs
        .iter()
        .map(|(n, v)| LabelPair {
            name: (*n).to_owned(),
            value: (*v).to_owned(),
        })
        .collect()
}

#[test]
fn every_kind_decodes_back_to_what_was_recorded() {
    let pb = PbMetrics::new();
    pb.requests_total(Link::Down).add(7);
    pb.events_total().add(3);
    pb.temperature().set(-1.5);
    for v in [0.05, 0.5, 5.0] {
        pb.latency().observe(v);
    }
    pb.size().observe(4.0);
    pb.build_info(Version::Current).set();
    pb.state().set(Link::Down);

    let mut bytes = Vec::new();
    Registry::new()
        .with(&pb)
        .render_into(Format::Protobuf, &mut bytes);
    let families = decode_families(&bytes).unwrap();
    let summary: Vec<(&str, &str, i32, usize)> = families
        .iter()
        .map(|f| (f.name.as_str(), f.help.as_str(), f.r#type, f.metric.len()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "pb_requests_total",
                "Requests, by link.",
                MetricType::Counter as i32,
                2
            ),
            (
                "pb_events_total",
                "Sharded events.",
                MetricType::Counter as i32,
                1
            ),
            (
                "pb_temperature",
                "Temperature.",
                MetricType::Gauge as i32,
                1
            ),
            (
                "pb_latency_seconds",
                "Latency.",
                MetricType::Histogram as i32,
                1
            ),
            ("pb_size", "Sizes.", MetricType::Summary as i32, 1),
            ("pb_build_info", "The build.", MetricType::Gauge as i32, 1),
            ("pb_state", "The link's state.", MetricType::Gauge as i32, 2),
        ]
    );
    let by_name =
        |name: &str| -> &MetricFamily { families.iter().find(|f| f.name == name).unwrap() };

    let requests = &by_name("pb_requests_total").metric;
    assert_eq!(requests[0].label, labels(&[("link", "up")]));
    assert_eq!(requests[0].counter.as_ref().unwrap().value, 0.0);
    assert_eq!(requests[1].label, labels(&[("link", "down")]));
    assert_eq!(requests[1].counter.as_ref().unwrap().value, 7.0);
    assert_eq!(
        by_name("pb_events_total").metric[0]
            .counter
            .as_ref()
            .unwrap()
            .value,
        3.0
    );
    assert_eq!(
        by_name("pb_temperature").metric[0]
            .gauge
            .as_ref()
            .unwrap()
            .value,
        -1.5
    );

    let histogram = by_name("pb_latency_seconds").metric[0]
        .histogram
        .as_ref()
        .unwrap();
    assert_eq!(histogram.sample_count, 3);
    assert_eq!(histogram.sample_sum, 5.55);
    let buckets: Vec<(f64, u64)> = histogram
        .bucket
        .iter()
        .map(|b| (b.upper_bound, b.cumulative_count))
        .collect();
    // +Inf is the count, as Prometheus' Go client leaves it.
    assert_eq!(buckets, [(0.1, 1), (1.0, 2)]);
    assert!(histogram.positive_span.is_empty() && histogram.schema == 0);

    let summary = by_name("pb_size").metric[0].summary.as_ref().unwrap();
    assert_eq!((summary.sample_count, summary.sample_sum), (1, 4.0));
    assert_eq!(summary.quantile.len(), 1);
    assert_eq!(summary.quantile[0].quantile, 0.5);
    let text = Registry::new().with(&pb).render(Format::Prometheus);
    let median = format!(
        "pb_size{{quantile=\"0.5\"}} {}\n",
        summary.quantile[0].value
    );
    assert!(
        text.contains(&median),
        "the same estimate as the text: {median}{text}"
    );

    let info = &by_name("pb_build_info").metric[0];
    assert_eq!(info.label, labels(&[("version", "1.2.3")]));
    assert_eq!(info.gauge.as_ref().unwrap().value, 1.0);

    let states: Vec<(Vec<LabelPair>, f64)> = by_name("pb_state")
        .metric
        .iter()
        .map(|m| (m.label.clone(), m.gauge.as_ref().unwrap().value))
        .collect();
    assert_eq!(
        states,
        [
            (labels(&[("pb_state", "up")]), 0.0),
            (labels(&[("pb_state", "down")]), 1.0),
        ]
    );

    // `render`, which returns a string, renders text for the binary format.
    assert_eq!(
        Registry::new().with(&pb).render(Format::Protobuf),
        Registry::new().with(&pb).render(Format::Prometheus)
    );
}

#[test]
fn the_accept_header_of_a_prometheus_with_native_histograms_gets_protobuf() {
    let native = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;\
                  encoding=delimited,application/openmetrics-text;version=1.0.0;q=0.8,\
                  application/openmetrics-text;version=0.0.1;q=0.75,\
                  text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    assert_eq!(Format::from_accept(native), Format::Protobuf);
    // Without the delimited encoding or the message name, it is not ours.
    assert_eq!(
        Format::from_accept(
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily"
        ),
        Format::Prometheus
    );
    assert_eq!(
        Format::from_accept("application/vnd.google.protobuf;encoding=delimited"),
        Format::Prometheus
    );
    // Lower quality than text: text.
    assert_eq!(
        Format::from_accept(
            "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;\
             encoding=delimited;q=0.2,text/plain;version=0.0.4;q=0.5"
        ),
        Format::Prometheus
    );
}
