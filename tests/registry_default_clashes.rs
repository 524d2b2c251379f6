//! The default registry, which holds every group linked into the binary,
//! stays valid when two of them declare the same family (two crates, or two
//! versions of one library): the identical declaration merges, the
//! different one is left out and counted under its family name.

use enumeter_suite::support;

use enumeter::{Format, Value};

/// Stands for one crate.
mod crate_a {
    /// Cache metrics of crate A.
    #[enumeter::metrics(namespace = "cache")]
    pub enum Cache {
        /// Cache hits.
        #[counter]
        HitsTotal,
        /// Entries held.
        #[gauge]
        Entries,
    }
}

/// Stands for another crate declaring the same names.
mod crate_b {
    /// Cache metrics of crate B.
    #[enumeter::metrics(namespace = "cache")]
    pub enum Cache {
        /// Cache hits.
        #[counter]
        HitsTotal,
        /// Entries held, as a float.
        #[gauge(float)]
        Entries,
    }
}

#[test]
fn the_default_registry_merges_identical_families_and_reports_the_rest() {
    crate_a::Cache::hits_total().add(2);
    crate_b::Cache::hits_total().add(40);
    crate_a::Cache::entries().set(7);
    crate_b::Cache::entries().set(0.5);

    let text = enumeter::render(Format::Prometheus);
    assert!(
        text.starts_with(concat!(
            "# HELP cache_hits_total Cache hits.\n",
            "# TYPE cache_hits_total counter\n",
            "cache_hits_total 42\n",
            "# HELP cache_entries Entries held.\n",
            "# TYPE cache_entries gauge\n",
            "cache_entries 7\n",
            "# HELP enumeter_observations_dropped_total ",
        )),
        "{text}"
    );
    assert!(
        text.ends_with(concat!(
            "# HELP enumeter_registry_conflicts_total Metrics left out of a registry because \
             a name they take in the exposition was taken by a different, earlier declaration, \
             by the left-out metric's family name.\n",
            "# TYPE enumeter_registry_conflicts_total counter\n",
            "enumeter_registry_conflicts_total{family=\"cache_entries\"} 1\n",
        )),
        "{text}"
    );
    let conflicts = enumeter::registry().conflicts();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(
        conflicts[0].kept_group,
        "registry_default_clashes::crate_a::Cache"
    );
    assert_eq!(
        conflicts[0].refused_group,
        "registry_default_clashes::crate_b::Cache"
    );
    assert_eq!(conflicts[0].reason, "another kind");
    assert_eq!(
        enumeter::registry().snapshot().get("cache_hits_total", &[]),
        Some(&Value::Counter(42))
    );
}

#[test]
#[cfg_attr(
    missing_promtool,
    ignore = "needs promtool: apt-get install prometheus"
)]
fn promtool_accepts_the_default_registry_with_its_conflicts() {
    let text = enumeter::render(Format::Prometheus);
    assert!(text.contains("# TYPE cache_entries gauge\n"), "{text}");
    let (code, report) = support::promtool_check(&text);
    assert_eq!(code, 0, "{report}");
}

#[test]
#[cfg_attr(
    missing_python_parsers,
    ignore = "needs the Python parsers: pip install prometheus_client"
)]
fn the_python_parsers_read_the_default_registry_with_its_conflicts() {
    let text = enumeter::render(Format::Prometheus);
    assert!(text.contains("# TYPE cache_entries gauge\n"), "{text}");
    support::python_parse("prometheus", &text);
    support::python_parse("openmetrics", &enumeter::render(Format::OpenMetrics));
}
