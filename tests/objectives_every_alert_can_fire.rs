//! Every burn-rate alert in the generated rules can fire: across targets in
//! (0, 1), a window pair whose threshold (burn rate × error budget) an
//! error ratio cannot exceed is left out of the rules, and the rules, the
//! promtool tests and the dashboard say so; every alert that stays has a
//! promtool test in which it fires, and promtool runs them.

use enumeter::objectives::RuleSet;
use enumeter::{metrics, LabelValue, Registry};
use enumeter_suite::support::{self, servers::TempDir};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Outcome {
    Ok,
    Failed,
}

/// One availability objective per target, around the bounds of the 14.4×
/// pair (a target above 0.930555) and the 6× pair (above 0.833333), and a
/// latency objective.
#[metrics(namespace = "sweep", register = false)]
pub enum Sweep {
    /// Target 0.5.
    #[counter(objective(name = "t-50", target = 0.5, bad(outcome = [Failed])))]
    AOneTotal { outcome: Outcome },
    /// Target 0.8.
    #[counter(objective(name = "t-80", target = 0.8, bad(outcome = [Failed])))]
    ATwoTotal { outcome: Outcome },
    /// Just below the 6× pair's bound.
    #[counter(objective(name = "t-833333", target = 0.833333, bad(outcome = [Failed])))]
    AThreeTotal { outcome: Outcome },
    /// Just above it.
    #[counter(objective(name = "t-833334", target = 0.833334, bad(outcome = [Failed])))]
    AFourTotal { outcome: Outcome },
    /// Target 0.9, the `RuleSet` example's.
    #[counter(objective(name = "t-90", target = 0.9, bad(outcome = [Failed])))]
    AFiveTotal { outcome: Outcome },
    /// Just below the 14.4× pair's bound.
    #[counter(objective(name = "t-930555", target = 0.930555, bad(outcome = [Failed])))]
    ASixTotal { outcome: Outcome },
    /// Just above it.
    #[counter(objective(name = "t-930556", target = 0.930556, bad(outcome = [Failed])))]
    ASevenTotal { outcome: Outcome },
    /// Target 0.99.
    #[counter(objective(name = "t-99", target = 0.99, bad(outcome = [Failed])))]
    AEightTotal { outcome: Outcome },
    /// Target 0.99999: a threshold of 1e-5 at the 1× pair.
    #[counter(objective(name = "t-99999", target = 0.99999, bad(outcome = [Failed])))]
    ANineTotal { outcome: Outcome },
    /// A latency objective at 0.9.
    #[histogram(unit = "seconds", buckets = [0.1, 1],
        objective(name = "latency-90", target = 0.9, below = 0.1))]
    Latency,
}

/// The window pairs, by the suffix of their alert names, and the lowest
/// target each fires at (exclusive).
const PAIRS: [(&str, f64); 4] = [
    ("BurnRate1h5m", 1.0 - 1.0 / 14.4),
    ("BurnRate6h30m", 1.0 - 1.0 / 6.0),
    ("BurnRate1d2h", 1.0 - 1.0 / 3.0),
    ("BurnRate3d6h", 0.0),
];

/// Each objective's alert name prefix and target, as declared above.
const OBJECTIVES: [(&str, f64); 10] = [
    ("T50", 0.5),
    ("T80", 0.8),
    ("T833333", 0.833333),
    ("T833334", 0.833334),
    ("T90", 0.9),
    ("T930555", 0.930555),
    ("T930556", 0.930556),
    ("T99", 0.99),
    ("T99999", 0.99999),
    ("Latency90", 0.9),
];

/// The alert names a rules file defines.
fn alerts_in(rules: &str) -> Vec<&str> {
    rules
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- alert: "))
        .collect()
}

#[test]
fn a_pair_that_could_never_fire_is_left_out_and_every_other_has_a_test_that_fires_it() {
    let set = RuleSet::new().with(Sweep::objectives());
    let rules = set.prometheus_rules();
    let tests = set.promtool_tests("rules.yml");
    let alerts = alerts_in(&rules);
    // Exactly the pairs whose threshold lies below an error ratio of 1,
    // computed here from the workbook's burn rates, not by the code under
    // test.
    let mut expected = Vec::new();
    for (objective, target) in OBJECTIVES {
        for (pair, lowest) in PAIRS {
            let name = format!("{objective}{pair}");
            if target > lowest {
                expected.push(name);
            } else {
                let said = format!("# {name} is left out: at a target of ");
                assert!(rules.contains(&said), "the rules say why {name} is missing");
                assert!(tests.contains(&said), "the tests say why {name} is missing");
            }
        }
    }
    let mut sorted: Vec<&str> = alerts
        .iter()
        .copied()
        .filter(|a| a.contains("BurnRate"))
        .collect();
    sorted.sort_unstable();
    expected.sort_unstable();
    assert_eq!(sorted, expected);
    // The two bounds read as the lowest target that fires.
    assert!(rules.contains(
        "# T90BurnRate1h5m is left out: at a target of 0.9 its threshold, 14.4 x 0.1 = 1.44, \
         is above any error ratio, so it could never fire; it fires for targets above 0.930555."
    ));
    assert!(rules.contains("# T833333BurnRate6h30m is left out: at a target of 0.833333"));
    // Every alert in the rules (the budget-exhausted and no-data alerts of
    // each objective too) has a test in which it fires.
    assert_eq!(alerts.len(), sorted.len() + 2 * OBJECTIVES.len());
    for alert in &alerts {
        assert!(
            tests.contains(&format!("- name: '{alert} fires ")),
            "no test fires {alert}"
        );
    }
    // The dashboard says it beside the objective.
    let dashboard = set.grafana_dashboard("Sweep", &Registry::new());
    assert!(
        dashboard.contains(
            "\"description\":\"T90BurnRate1h5m is left out: at a target of 0.9 its threshold"
        ),
        "{dashboard}"
    );
}

#[test]
#[cfg_attr(
    missing_promtool,
    ignore = "needs promtool: apt-get install prometheus"
)]
fn promtool_fires_and_silences_every_alert_of_the_sweep() {
    support::require("promtool");
    // One objective a run: promtool evaluates every rule of the file at
    // every step of every test, so that apart they take a tenth of the
    // time.
    for objective in Sweep::objectives().objectives {
        let mut one = enumeter::objectives::Objectives::default();
        let name = objective.name;
        one.objectives.push(objective);
        let set = RuleSet::new().with(one);
        let dir = TempDir::new(&format!("objectives-sweep-{name}"));
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
            assert_eq!(code, 0, "{name}: promtool {args:?}: {out}");
        }
    }
}
