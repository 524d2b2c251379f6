//! Objectives on every label type a metric may have, in `bad` and in
//! `by`: an enum (by its variant, or a path to it), a `bool` and a runtime
//! label (its `OTHER`), one that keeps its values and one whose values
//! retire. The generated promtool tests write only values
//! enumeter can emit (never an empty one, which enumeter refuses and
//! Prometheus reads as a missing label), and promtool runs them.

use enumeter::objectives::{ObjectiveKind, RuleSet};
use enumeter::{metrics, runtime_label, LabelValue};
use enumeter_suite::support::{self, servers::TempDir};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum CodeClass {
    #[label(name = "2xx")]
    Success,
    #[label(name = "5xx")]
    ServerError,
}

runtime_label! {
    /// Upstreams, known at run time.
    pub struct Upstream: capacity = 8;
}

runtime_label! {
    /// Pods, which come and go.
    pub struct Pod: capacity = 8, idle = std::time::Duration::from_secs(300);
}

/// Calls, by every kind of label.
#[metrics(namespace = "calls", register = false)]
pub enum Calls {
    /// Calls by success.
    #[counter(sparse, objective(name = "calls-ok", target = 0.99, bad(ok = [false]), by = [upstream]))]
    ByOkTotal { ok: bool, upstream: Upstream },
    /// Calls by class, the bad one named by its path.
    #[counter(objective(name = "calls-class", target = 0.99, bad(code_class = [CodeClass::ServerError])))]
    ByClassTotal { code_class: CodeClass },
    /// Calls that overflowed to `other` are bad.
    #[counter(sparse, objective(name = "calls-known", target = 0.99, bad(upstream = [OTHER])))]
    ByUpstreamTotal { upstream: Upstream },
    /// Calls to pods (a label whose values retire) that failed are bad,
    /// by pod.
    #[counter(sparse, objective(name = "calls-pods", target = 0.99, bad(ok = [false]), by = [pod]))]
    ByPodTotal {
        ok: bool,
        #[label(retires)]
        pod: Pod,
    },
    /// Calls to pods that overflowed to `other` are bad.
    #[counter(sparse, objective(name = "calls-known-pods", target = 0.99, bad(pod = [OTHER])))]
    ToKnownPodsTotal {
        #[label(retires)]
        pod: Pod,
    },
}

#[test]
fn bad_and_by_take_bools_paths_and_runtime_labels_and_the_tests_use_values_enumeter_emits() {
    let objectives = Calls::objectives().objectives;
    let bad: Vec<(&str, Vec<&str>, &str)> = objectives
        .iter()
        .flat_map(|o| match &o.kind {
            ObjectiveKind::Availability { bad } => bad
                .iter()
                .map(|b| (b.label, b.values.clone(), b.good))
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(
        bad,
        [
            ("ok", vec!["false"], "true"),
            ("code_class", vec!["5xx"], "2xx"),
            ("upstream", vec!["other"], "example"),
            ("ok", vec!["false"], "true"),
            ("pod", vec!["other"], "example"),
        ]
    );
    assert_eq!(objectives[0].by, [("upstream", "example")]);
    assert_eq!(objectives[3].by, [("pod", "example")]);

    let tests = RuleSet::new()
        .with(Calls::objectives())
        .promtool_tests("rules.yml");
    assert!(!tests.contains("=\"\""), "an empty label value:\n{tests}");
    for series in [
        "calls_by_ok_total{ok=\"false\",upstream=\"example\"}",
        "calls_by_ok_total{ok=\"true\",upstream=\"example\"}",
        "calls_by_class_total{code_class=\"5xx\"}",
        "calls_by_class_total{code_class=\"2xx\"}",
        "calls_by_upstream_total{upstream=\"other\"}",
        "calls_by_upstream_total{upstream=\"example\"}",
        "calls_by_pod_total{ok=\"false\",pod=\"example\"}",
        "calls_by_pod_total{ok=\"true\",pod=\"example\"}",
        "calls_to_known_pods_total{pod=\"other\"}",
        "calls_to_known_pods_total{pod=\"example\"}",
    ] {
        assert!(tests.contains(&format!("'{series}'")), "{series}:\n{tests}");
    }
}

#[test]
#[cfg_attr(
    missing_promtool,
    ignore = "needs promtool: apt-get install prometheus"
)]
fn promtool_fires_and_silences_the_alerts_of_every_label_type() {
    support::require("promtool");
    let set = RuleSet::new().with(Calls::objectives());
    let dir = TempDir::new("objectives-label-types");
    std::fs::write(dir.0.join("rules.yml"), set.prometheus_rules()).unwrap();
    std::fs::write(
        dir.0.join("rules.test.yml"),
        set.promtool_tests("rules.yml"),
    )
    .unwrap();
    for args in [
        ["check", "rules", "rules.yml"],
        ["test", "rules", "rules.test.yml"],
    ] {
        let (code, out) = support::promtool_in(&dir.0, &args);
        assert_eq!(code, 0, "promtool {args:?}: {out}");
    }
}
