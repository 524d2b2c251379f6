//! Prometheus' own `promtool check metrics` accepts what we render, and what
//! every example prints or serves.
//!
//! Where promtool is missing, cargo reports the tests ignored with what to
//! install; in CI they fail.

use enumeter_suite::support;

use enumeter::{metrics, Format, LabelValue, Registry};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Awkward {
    #[label(name = "quote\"d \\ back\nslash")]
    Odd,
    #[label(name = "ünïcode")]
    Unicode,
}

/// Exposition edge cases.
#[metrics(namespace = "edge")]
pub enum Edge {
    /// Escaped "label" values \ and HELP.
    #[counter]
    OddTotal { value: Awkward, flag: bool },
    /// A float gauge at +Inf.
    #[gauge(float)]
    Ratio,
    /// A negative integer gauge.
    #[gauge]
    Depth { value: Awkward },
}

#[test]
#[cfg_attr(
    missing_promtool,
    ignore = "needs promtool: apt-get install prometheus"
)]
fn promtool_accepts_escaped_labels_and_non_finite_values() {
    let edge = EdgeMetrics::new();
    edge.odd_total(Awkward::Odd, true).add(3);
    edge.ratio().set(f64::INFINITY);
    edge.depth(Awkward::Unicode).set(-12);
    let text = Registry::new().with(&edge).render(Format::Prometheus);
    let (code, report) = support::promtool_check(&text);
    assert_eq!(code, 0, "promtool rejected:\n{text}\n{report}");
}

#[test]
#[cfg_attr(
    missing_promtool,
    ignore = "needs promtool: apt-get install prometheus"
)]
fn promtool_accepts_the_quickstart_output() {
    let text = support::example_output("quickstart", &["--print"]);
    assert!(
        text.contains("# TYPE sip_invite_result_total counter\n"),
        "{text}"
    );
    let (code, report) = support::promtool_check(&text);
    assert_eq!(code, 0, "promtool rejected:\n{text}\n{report}");
}

#[test]
#[cfg_attr(
    missing_promtool,
    ignore = "needs promtool: apt-get install prometheus"
)]
fn promtool_accepts_what_the_axum_example_serves() {
    let (_example, addr) = support::serve_example("axum_handler", 30);
    let (status, text) = support::http_get(&addr, "/metrics").unwrap();
    assert_eq!(status, 200);
    let (code, report) = support::promtool_check(&text);
    assert_eq!(code, 0, "promtool rejected:\n{text}\n{report}");
}
