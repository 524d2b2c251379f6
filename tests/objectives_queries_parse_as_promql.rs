//! Every query of the generated rules and dashboard parses with the PromQL
//! grammar of Prometheus 3 (its own `@prometheus-io/lezer-promql`, run by
//! node): the recording rules, the alerts and every dashboard panel's
//! query, for the payments example's objectives and for objectives on
//! every label type.

use std::process::{Command, Stdio};
use std::time::Duration;

use enumeter::objectives::RuleSet;
use enumeter::{metrics, LabelValue, Registry};
use enumeter_suite::support;

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Route {
    Authorize,
    Capture,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum CodeClass {
    #[label(name = "2xx")]
    Success,
    #[label(name = "5xx")]
    ServerError,
}

/// Every shape of objective and alert.
#[metrics(namespace = "shop", register = false)]
pub enum Shop {
    /// Requests, by route and class.
    #[counter(objective(name = "shop-availability", target = 0.999,
        bad(code_class = [ServerError]), by = [route]))]
    RequestsTotal { route: Route, code_class: CodeClass },
    /// Request time, classic buckets.
    #[histogram(unit = "seconds", buckets = [0.1, 1.0],
        objective(name = "shop-latency", target = 0.99, below = 1.0, by = [route]))]
    RequestDuration { route: Route },
    /// Request time, native buckets.
    #[histogram(
        unit = "seconds",
        native,
        objective(name = "shop-native-latency", target = 0.9, below = 0.3)
    )]
    NativeDuration,
    /// Queue length.
    #[gauge(alert(name = "shop-queue-full", over = QueueCapacity, above = 0.8,
        severity = "critical", description = "queue above 80%"))]
    QueueLength,
    /// Queue capacity.
    #[gauge]
    QueueCapacity,
    /// Jobs, by ok.
    #[counter(objective(name = "shop-jobs", target = 0.5, bad(ok = [false])))]
    JobsTotal { ok: bool },
}

/// The expressions of a rules file: every `expr:` value, unquoted.
fn rule_exprs(rules: &str) -> Vec<String> {
    rules
        .lines()
        .filter_map(|l| l.trim().strip_prefix("expr: "))
        .map(|e| {
            e.strip_prefix('\'')
                .and_then(|e| e.strip_suffix('\''))
                .map_or(e.to_owned(), |e| e.replace("''", "'"))
        })
        .collect()
}

#[test]
#[cfg_attr(
    missing_lezer_promql,
    ignore = "needs node and Prometheus' PromQL grammar: npm install --prefix target/lezer-promql @prometheus-io/lezer-promql@0.315.0, then touch build.rs"
)]
fn every_rule_and_dashboard_query_parses_as_promql_3() {
    support::require("lezer_promql");
    static SHOP: ShopMetrics = ShopMetrics::new();
    let set = RuleSet::new().with(Shop::objectives());
    let mut exprs = rule_exprs(&set.prometheus_rules());
    let dashboard_queries = set.dashboard_queries(&Registry::new().with(&SHOP));
    exprs.extend(dashboard_queries);
    assert!(exprs.len() > 40, "{exprs:?}");
    assert!(exprs.iter().all(|e| !e.contains('\n')));
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new("node")
        .arg(root.join("tests/conformance/parse_promql.cjs"))
        .env("NODE_PATH", support::tools::lezer_promql_path(root))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(exprs.join("\n").as_bytes()).unwrap();
    drop(stdin);
    let (code, out, err) = support::wait_within(child, Duration::from_secs(60), "node");
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out.trim(),
        format!("{n} of {n} parse", n = exprs.len()),
        "{err}"
    );
}
