//! Two groups whose metrics take the same names in the exposition (two
//! crates, or two versions of one library, in one binary) never make an
//! invalid scrape: declarations of identical shape render as one family
//! with their values added up; any other clash keeps the first declaration,
//! leaves the later one out and reports it.

use enumeter_suite::support;

use enumeter::{metrics, Format, LabelValue, Registry};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Method {
    Get,
    Post,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Verb {
    Get,
    Put,
}

/// What "version 1" of a library declares.
mod v1 {
    use super::Method;

    /// HTTP client metrics.
    #[enumeter::metrics(namespace = "client", register = false)]
    pub enum Client {
        /// Requests sent.
        #[counter]
        RequestsTotal { method: Method },
        /// Request latency.
        #[histogram(unit = "seconds", buckets = [0.1, 1.0])]
        Latency,
        /// Latency quantiles.
        #[summary(quantiles = [0.5], max_age_secs = 60)]
        LatencyQuantilesSeconds,
        /// Connections open.
        #[gauge]
        OpenConnections,
    }
}

/// What "version 2" declares: the same counter and summary, a histogram
/// with other buckets, a gauge with other labels.
mod v2 {
    use super::{Method, Verb};

    /// HTTP client metrics.
    #[enumeter::metrics(namespace = "client", register = false)]
    pub enum Client {
        /// Requests sent.
        #[counter]
        RequestsTotal { method: Method },
        /// Request latency.
        #[histogram(unit = "seconds", buckets = [0.5, 5.0])]
        Latency,
        /// Latency quantiles.
        #[summary(quantiles = [0.5], max_age_secs = 60)]
        LatencyQuantilesSeconds,
        /// Connections open.
        #[gauge]
        OpenConnections { verb: Verb },
    }
}

/// A counter whose OpenMetrics family takes a sample name of v1's
/// histogram (`client_latency_seconds_count`).
#[metrics(namespace = "client", register = false)]
pub enum Sneaky {
    /// Latencies counted by hand.
    #[counter(name = "latency_seconds_count_total")]
    LatencyCountTotal,
}

#[test]
fn identical_declarations_merge_and_the_others_are_left_out_and_reported() {
    merged_and_left_out(false);
}

#[test]
fn two_instances_of_one_group_render_as_one_group_with_their_sums() {
    two_instances(false);
}

#[test]
fn a_refused_metric_is_counted_under_its_family_name() {
    refused_and_counted(false);
}

#[test]
#[cfg_attr(
    any(missing_promtool, missing_python_parsers),
    ignore = "needs promtool and the Python parsers: apt-get install prometheus && pip install prometheus_client"
)]
fn promtool_and_the_python_parsers_accept_every_render_of_these_clashes() {
    merged_and_left_out(true);
    two_instances(true);
    refused_and_counted(true);
}

/// The merges and conflicts of two versions of a library and a sneaky
/// name; with `conformance`, the renders are checked by the real parsers.
fn merged_and_left_out(conformance: bool) {
    let (a, b, sneaky) = (
        v1::ClientMetrics::new(),
        v2::ClientMetrics::new(),
        SneakyMetrics::new(),
    );
    a.requests_total(Method::Get).add(2);
    b.requests_total(Method::Get).add(3);
    b.requests_total(Method::Post).inc();
    a.latency().observe(0.05);
    b.latency().observe(0.05);
    a.latency_quantiles_seconds().observe(1.0);
    b.latency_quantiles_seconds().observe(3.0);
    b.latency_quantiles_seconds().observe(3.0);
    a.open_connections().set(4);
    b.open_connections(Verb::Put).set(7);
    sneaky.latency_count_total().inc();

    let mut registry = Registry::new();
    registry.register(&a).unwrap();
    let refused = registry.register(&b).unwrap_err();
    let refused_sneaky = registry.register(&sneaky).unwrap_err();
    let names = |conflicts: &[enumeter::Conflict]| -> Vec<(String, &str, &str)> {
        conflicts
            .iter()
            .map(|c| (c.name.clone(), c.refused_metric, c.reason))
            .collect()
    };
    assert_eq!(
        names(&refused.conflicts),
        [
            (
                "client_latency_seconds".to_owned(),
                "client_latency_seconds",
                "other buckets"
            ),
            (
                "client_open_connections".to_owned(),
                "client_open_connections",
                "other labels or label values"
            ),
        ]
    );
    assert_eq!(
        names(&refused_sneaky.conflicts),
        [(
            "client_latency_seconds_count".to_owned(),
            "client_latency_seconds_count_total",
            "another kind"
        )]
    );
    assert_eq!(registry.conflicts().len(), 3);
    assert_eq!(
        refused.to_string(),
        "metric `client_latency_seconds` of `registry_name_clashes::v2::Client` is left out: \
         the name `client_latency_seconds` is taken by metric `client_latency_seconds` of \
         `registry_name_clashes::v1::Client`, which has other buckets; metric \
         `client_open_connections` of `registry_name_clashes::v2::Client` is left out: the \
         name `client_open_connections` is taken by metric `client_open_connections` of \
         `registry_name_clashes::v1::Client`, which has other labels or label values"
    );

    let text = registry.render(Format::Prometheus);
    assert_eq!(
        text,
        concat!(
            "# HELP client_requests_total Requests sent.\n",
            "# TYPE client_requests_total counter\n",
            "client_requests_total{method=\"get\"} 5\n",
            "client_requests_total{method=\"post\"} 1\n",
            "# HELP client_latency_seconds Request latency.\n",
            "# TYPE client_latency_seconds histogram\n",
            "client_latency_seconds_bucket{le=\"0.1\"} 1\n",
            "client_latency_seconds_bucket{le=\"1\"} 1\n",
            "client_latency_seconds_bucket{le=\"+Inf\"} 1\n",
            "client_latency_seconds_sum 0.05\n",
            "client_latency_seconds_count 1\n",
            "# HELP client_latency_quantiles_seconds Latency quantiles.\n",
            "# TYPE client_latency_quantiles_seconds summary\n",
            "client_latency_quantiles_seconds{quantile=\"0.5\"} 3.001416552226815\n",
            "client_latency_quantiles_seconds_sum 7\n",
            "client_latency_quantiles_seconds_count 3\n",
            "# HELP client_open_connections Connections open.\n",
            "# TYPE client_open_connections gauge\n",
            "client_open_connections 4\n",
        )
    );
    // The snapshot reads the families as the render writes them.
    let snapshot = registry.snapshot();
    assert_eq!(
        snapshot.get("client_requests_total", &[("method", "get")]),
        Some(&enumeter::Value::Counter(5))
    );
    assert_eq!(
        snapshot
            .series
            .iter()
            .filter(|s| s.name == "client_open_connections")
            .count(),
        1
    );
    if conformance {
        for format in [Format::Prometheus, Format::OpenMetrics] {
            check_valid(&registry.render(format), format);
        }
    }
}

/// Both Python parsers and promtool accept `text`.
fn check_valid(text: &str, format: Format) {
    let parser = match format {
        Format::Prometheus => "prometheus",
        _ => "openmetrics",
    };
    support::python_parse(parser, text);
    if format == Format::Prometheus {
        let (code, report) = support::promtool_check(text);
        assert_eq!(code, 0, "{report}");
    }
}

/// Two instances of one group in one registry.
fn two_instances(conformance: bool) {
    let (a, b) = (v1::ClientMetrics::new(), v1::ClientMetrics::new());
    a.requests_total(Method::Post).add(10);
    b.requests_total(Method::Post).add(5);
    a.open_connections().set(-1);
    b.open_connections().set(3);
    let registry = Registry::new().with(&a).with(&b);
    assert!(registry.conflicts().is_empty());
    let text = registry.render(Format::OpenMetrics);
    assert_eq!(text.matches("# TYPE").count(), 4, "{text}");
    assert!(
        text.contains("client_requests_total{method=\"post\"} 15\n"),
        "{text}"
    );
    assert!(text.contains("client_open_connections 2\n"), "{text}");
    if conformance {
        check_valid(&text, Format::OpenMetrics);
    }
}

/// A refused metric in the default registry's own counter.
fn refused_and_counted(conformance: bool) {
    let (a, b) = (v1::ClientMetrics::new(), v2::ClientMetrics::new());
    let registry = Registry::new().with(&a).with(&b);
    assert_eq!(registry.conflicts().len(), 2);
    // enumeter's own metrics are in the default registry.
    let own = enumeter::render(Format::Prometheus);
    assert!(
        own.contains("enumeter_registry_conflicts_total{family=\"client_open_connections\"} "),
        "{own}"
    );
    assert!(
        own.contains("enumeter_registry_conflicts_total{family=\"client_latency_seconds\"} "),
        "{own}"
    );
    if conformance {
        check_valid(&own, Format::Prometheus);
    }
}
