//! Prometheus rules from the declarations: per objective, the error ratio
//! over every window its alerts need (recording rules), then one alert per
//! window pair of the multi-window multi-burn-rate scheme; the threshold
//! alerts after them.

use std::borrow::Cow;
use std::fmt::Write as _;

use enumeter_common::names::pascal_case;

use super::yaml::{decimal, duration, label, le_matcher, one_of, promql, series, yaml};
use super::{Alert, Objective, ObjectiveKind, Objectives};

/// The recording rules' name: one per window (`...:rate5m`), the
/// objective in a label.
pub(super) const RECORD_PREFIX: &str = "enumeter_slo:error_ratio:rate";

/// One alert of the scheme: how urgent, the burn rate, and the long and
/// short windows (in seconds) that must both exceed it.
pub(super) struct BurnAlert {
    pub(super) severity: &'static str,
    pub(super) factor: f64,
    pub(super) long: u64,
    pub(super) short: u64,
}

impl BurnAlert {
    /// The error ratio over both windows above which the pair fires, at
    /// `objective`'s target.
    pub(super) fn threshold(&self, objective: &Objective) -> f64 {
        self.factor * objective.error_budget()
    }

    /// Whether some error ratio exceeds the threshold: a ratio is at most
    /// 1, so a pair whose threshold is 1 or more could never fire (14.4×
    /// at a target of 0.9 is 1.44) and is left out of the rules, which
    /// say so ([`left_out`]).
    pub(super) fn can_fire(&self, objective: &Objective) -> bool {
        self.threshold(objective) < 1.0
    }
}

/// Why `burn` is left out of `objective`'s rules: what the rules file, the
/// promtool tests and the dashboard say in its place.
pub(super) fn left_out(objective: &Objective, burn: &BurnAlert) -> String {
    // The lowest target that fires is just above 1 - 1/factor: written to
    // six decimals, rounded down.
    let lowest = ((1.0 - 1.0 / burn.factor) * 1e6).floor() / 1e6;
    format!(
        "{} is left out: at a target of {} its threshold, {} x {} = {}, is above \
         any error ratio, so it could never fire; it fires for targets above {}",
        burn_alert_name(objective, burn),
        decimal(objective.target),
        decimal(burn.factor),
        decimal(objective.error_budget()),
        decimal(burn.threshold(objective)),
        decimal(lowest)
    )
}

const MINUTE: u64 = 60;
const HOUR: u64 = 3600;
const DAY: u64 = 86_400;

/// The Google SRE workbook's multi-window multi-burn-rate alerts (chapter
/// "Alerting on SLOs"): page at 14.4× over 1 h and 5 min and 6× over 6 h
/// and 30 min; ticket at 3× over 1 d and 2 h and 1× over 3 d and 6 h.
pub(super) const BURN_ALERTS: [BurnAlert; 4] = [
    BurnAlert {
        severity: "page",
        factor: 14.4,
        long: HOUR,
        short: 5 * MINUTE,
    },
    BurnAlert {
        severity: "page",
        factor: 6.0,
        long: 6 * HOUR,
        short: 30 * MINUTE,
    },
    BurnAlert {
        severity: "ticket",
        factor: 3.0,
        long: DAY,
        short: 2 * HOUR,
    },
    BurnAlert {
        severity: "ticket",
        factor: 1.0,
        long: 3 * DAY,
        short: 6 * HOUR,
    },
];

/// The declarations of any number of groups, and how to write them.
///
/// ```
/// use enumeter::objectives::RuleSet;
/// # use enumeter::metrics;
/// # /// Jobs.
/// # #[metrics(namespace = "jobs", register = false)]
/// # pub enum Jobs {
/// #     /// Job time.
/// #     #[histogram(unit = "seconds", buckets = [1, 10], objective(name = "jobs-fast", target = 0.9, below = 10))]
/// #     Duration,
/// # }
/// let rules = RuleSet::new().with(Jobs::objectives());
/// std::fs::write(std::env::temp_dir().join("jobs-rules.yml"), rules.prometheus_rules())?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct RuleSet {
    objectives: Vec<Objective>,
    alerts: Vec<Alert>,
    divisor: u32,
    /// Whether the promtool tests cover objectives read from native
    /// buckets (in promtool 3's notation).
    pub(super) native_tests: bool,
}

impl Default for RuleSet {
    fn default() -> Self {
        Self::new()
    }
}

impl RuleSet {
    /// Nothing declared yet; windows as the scheme sets them.
    pub fn new() -> Self {
        Self {
            objectives: Vec::new(),
            alerts: Vec::new(),
            divisor: 1,
            native_tests: true,
        }
    }

    /// Adds one group's declarations (its generated `objectives()`).
    pub fn with(mut self, declared: Objectives) -> Self {
        self.objectives.extend(declared.objectives);
        self.alerts.extend(declared.alerts);
        self
    }

    /// Divides every window by `divisor` (at least 1): with 60, the 1 h
    /// window is 1 min and the 5 min one 5 s, for a test that must see an
    /// alert fire within a minute. Rule and alert names keep the
    /// undivided windows.
    pub fn windows_divided_by(mut self, divisor: u32) -> Self {
        self.divisor = divisor.max(1);
        self
    }

    /// Whether [`promtool_tests`](Self::promtool_tests) tests the latency
    /// objectives read from native buckets (on unless turned off): their
    /// input series are native histograms in the notation of promtool 3,
    /// which promtool 2 cannot read. Off, a comment in the file says what
    /// is left untested.
    ///
    /// ```
    /// use enumeter::objectives::RuleSet;
    /// let for_promtool_2 = RuleSet::new().native_tests(false);
    /// # let _ = for_promtool_2;
    /// ```
    pub fn native_tests(mut self, on: bool) -> Self {
        self.native_tests = on;
        self
    }

    /// The objectives added so far.
    pub fn objectives(&self) -> &[Objective] {
        &self.objectives
    }

    /// The threshold alerts added so far.
    pub fn alerts(&self) -> &[Alert] {
        &self.alerts
    }

    /// A window of `seconds` as this set writes it in PromQL.
    pub(super) fn window(&self, seconds: u64) -> String {
        duration(seconds as f64 / f64::from(self.divisor))
    }

    /// The divisor of every window.
    pub(super) fn divisor(&self) -> u32 {
        self.divisor
    }

    /// Two declarations with one name (objectives or alerts, across
    /// groups): their rules would clash.
    pub fn duplicate_names(&self) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self.objectives.iter().map(|o| o.name).collect();
        names.extend(self.alerts.iter().map(|a| a.name));
        names.sort_unstable();
        let mut duplicates: Vec<&'static str> = names
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[0])
            .collect();
        duplicates.dedup();
        duplicates
    }

    /// The rules file (`rule_files:` of a Prometheus configuration, or
    /// `promtool check rules`): a group per objective with its recording
    /// rules and burn-rate alerts, then a group of the threshold alerts.
    pub fn prometheus_rules(&self) -> String {
        let mut out = String::from(
            "# Generated by enumeter from the objectives and alerts declared on the metrics:\n\
             # edit the declarations, not this file.\n",
        );
        if self.divisor > 1 {
            let _ = writeln!(
                out,
                "# Every window is divided by {} (for tests); names keep the undivided ones.",
                self.divisor
            );
        }
        out.push_str("groups:\n");
        for objective in &self.objectives {
            self.objective_group(objective, &mut out);
        }
        if !self.alerts.is_empty() {
            out.push_str("  - name: enumeter-alerts\n    rules:\n");
            for alert in &self.alerts {
                threshold_alert(alert, &mut out);
            }
        }
        if self.objectives.is_empty() && self.alerts.is_empty() {
            out.push_str("  []\n");
        }
        out
    }

    fn objective_group(&self, objective: &Objective, out: &mut String) {
        let _ = writeln!(
            out,
            "  - name: {}",
            yaml(&format!("enumeter-slo-{}", objective.name))
        );
        out.push_str("    rules:\n");
        for window in windows(objective) {
            let _ = writeln!(
                out,
                "      - record: {RECORD_PREFIX}{}",
                duration(window as f64)
            );
            let _ = writeln!(
                out,
                "        expr: {}",
                yaml(&error_ratio(objective, &self.window(window)))
            );
            let _ = writeln!(
                out,
                "        labels:\n          objective: {}",
                yaml(objective.name)
            );
        }
        for burn in &BURN_ALERTS {
            if !burn.can_fire(objective) {
                let _ = writeln!(out, "      # {}.", left_out(objective, burn));
                continue;
            }
            let (long, short) = (duration(burn.long as f64), duration(burn.short as f64));
            let threshold = format!(
                "({} * (1 - {}))",
                decimal(burn.factor),
                super::yaml::number(objective.target)
            );
            let selector = format!("{{objective={}}}", promql(objective.name));
            let _ = writeln!(out, "      - alert: {}", burn_alert_name(objective, burn));
            let _ = writeln!(
                out,
                "        expr: {}",
                yaml(&format!(
                    "{RECORD_PREFIX}{long}{selector} > {threshold} \
                     and {RECORD_PREFIX}{short}{selector} > {threshold}"
                ))
            );
            out.push_str("        labels:\n");
            for (name, value) in burn_labels(objective, burn) {
                let _ = writeln!(out, "          {name}: {}", yaml(&value));
            }
            out.push_str("        annotations:\n");
            for (name, value) in burn_annotations(objective, burn) {
                let _ = writeln!(out, "          {name}: {}", yaml(&value));
            }
        }
        let selector = format!("{{objective={}}}", promql(objective.name));
        // The objective itself, as a series the dashboard reads: its
        // target, labelled with its name and period.
        let _ = writeln!(out, "      - record: {OBJECTIVE_SERIES}");
        let _ = writeln!(
            out,
            "        expr: {}",
            yaml(&format!(
                "vector({})",
                super::yaml::number(objective.target)
            ))
        );
        let _ = writeln!(
            out,
            "        labels:\n          objective: {}\n          window: {}",
            yaml(objective.name),
            yaml(&period(objective))
        );
        for extra in ExtraAlert::ALL {
            let expr = match extra {
                ExtraAlert::BudgetExhausted => format!(
                    "{RECORD_PREFIX}{}{selector} > (1 - {})",
                    period(objective),
                    super::yaml::number(objective.target)
                ),
                ExtraAlert::NoData => format!(
                    "absent_over_time({}[{}])",
                    data_series(objective),
                    self.window(NO_DATA_WINDOW)
                ),
            };
            let _ = writeln!(out, "      - alert: {}", extra.name(objective));
            let _ = writeln!(out, "        expr: {}", yaml(&expr));
            out.push_str("        labels:\n");
            for (name, value) in extra.labels(objective) {
                let _ = writeln!(out, "          {name}: {}", yaml(&value));
            }
            out.push_str("        annotations:\n");
            for (name, value) in extra.annotations(objective) {
                let _ = writeln!(out, "          {name}: {}", yaml(&value));
            }
        }
    }
}

/// The series of each objective's target (`vector(target)`), labelled
/// `objective` and `window` (the period): what the dashboard reads.
pub(super) const OBJECTIVE_SERIES: &str = "enumeter_slo_objective";

/// How long an objective's series may be missing before its no-data alert
/// fires: the long window of the fastest pair.
pub(super) const NO_DATA_WINDOW: u64 = HOUR;

/// The objective's period as a PromQL duration (`30d`), undivided: the
/// name of its recording rule.
fn period(objective: &Objective) -> String {
    duration(f64::from(objective.window_days) * DAY as f64)
}

/// The series an objective reads, whose absence its no-data alert reports.
pub(super) fn data_series(objective: &Objective) -> String {
    let name = match objective.kind {
        ObjectiveKind::Latency { native: false, .. } => format!("{}_count", objective.metric),
        ObjectiveKind::Latency { native: true, .. } | ObjectiveKind::Availability { .. } => {
            objective.metric.to_owned()
        }
    };
    selector(objective, &name, vec![])
}

/// The alerts every objective has beside its burn rates, as Sloth and
/// Pyrra give them.
#[derive(Clone, Copy)]
pub(super) enum ExtraAlert {
    /// The period's error budget is spent: the error ratio over the whole
    /// period is above `1 - target`.
    BudgetExhausted,
    /// The objective's series have been missing for [`NO_DATA_WINDOW`]: a
    /// renamed metric or a dead exporter pages instead of going quiet.
    NoData,
}

impl ExtraAlert {
    /// Both, in the order the rules write them.
    pub(super) const ALL: [ExtraAlert; 2] = [ExtraAlert::BudgetExhausted, ExtraAlert::NoData];

    /// `PayAvailabilityErrorBudgetExhausted`, `PayAvailabilityNoData`.
    pub(super) fn name(self, objective: &Objective) -> String {
        let what = match self {
            ExtraAlert::BudgetExhausted => "ErrorBudgetExhausted",
            ExtraAlert::NoData => "NoData",
        };
        format!("{}{what}", pascal_case(objective.name))
    }

    /// Its labels (beside the `by` labels of the budget's series).
    pub(super) fn labels(self, objective: &Objective) -> Vec<(&'static str, String)> {
        vec![
            ("objective", objective.name.to_owned()),
            ("severity", "ticket".to_owned()),
        ]
    }

    /// Its annotations.
    pub(super) fn annotations(self, objective: &Objective) -> Vec<(&'static str, String)> {
        let summary = match self {
            ExtraAlert::BudgetExhausted => format!(
                "{}: the error budget of {} is spent",
                objective.name,
                period(objective)
            ),
            ExtraAlert::NoData => format!(
                "{}: no {} series for {}: is the metric renamed or its exporter down?",
                objective.name,
                data_series(objective),
                duration(NO_DATA_WINDOW as f64)
            ),
        };
        vec![("summary", summary)]
    }
}

/// Every window an objective's rules need, in seconds, shortest first:
/// those of the alerts and the objective's own period.
pub(super) fn windows(objective: &Objective) -> Vec<u64> {
    let mut windows: Vec<u64> = BURN_ALERTS
        .iter()
        .flat_map(|b| [b.long, b.short])
        .chain([u64::from(objective.window_days) * DAY])
        .collect();
    windows.sort_unstable();
    windows.dedup();
    windows
}

/// The alert name of one window pair: `PayAvailabilityBurnRate1h5m`.
pub(super) fn burn_alert_name(objective: &Objective, burn: &BurnAlert) -> String {
    format!(
        "{}BurnRate{}{}",
        pascal_case(objective.name),
        duration(burn.long as f64),
        duration(burn.short as f64)
    )
}

/// A burn-rate alert's own labels (beside the `by` labels of its series).
pub(super) fn burn_labels(objective: &Objective, burn: &BurnAlert) -> Vec<(&'static str, String)> {
    vec![
        ("objective", objective.name.to_owned()),
        ("severity", burn.severity.to_owned()),
        ("long_window", duration(burn.long as f64)),
        ("short_window", duration(burn.short as f64)),
    ]
}

/// A burn-rate alert's annotations.
pub(super) fn burn_annotations(
    objective: &Objective,
    burn: &BurnAlert,
) -> Vec<(&'static str, String)> {
    let what = match &objective.kind {
        ObjectiveKind::Latency { below, .. } => {
            format!("of {} at or below {}", objective.metric, decimal(*below))
        }
        ObjectiveKind::Availability { .. } => format!("of {} not bad", objective.metric),
    };
    vec![
        (
            "summary",
            format!(
                "{}: error budget burning {}x over {} and {}",
                objective.name,
                decimal(burn.factor),
                duration(burn.long as f64),
                duration(burn.short as f64)
            ),
        ),
        (
            "description",
            format!(
                "Objective {}: {}% {what} over {} days. {}",
                objective.name,
                decimal(objective.target * 100.0),
                objective.window_days,
                objective.help
            ),
        ),
    ]
}

/// The error ratio of `objective` over `window` (a PromQL duration): bad
/// events over all of them, per value of its `by` labels. Bad events that
/// have no series yet (a sparse counter) count as none.
pub(super) fn error_ratio(objective: &Objective, window: &str) -> String {
    let by: Vec<Cow<'_, str>> = objective.by.iter().map(|(by, _)| label(by)).collect();
    let sum = |selector: String| format!("sum by ({}) (rate({selector}[{window}]))", by.join(", "));
    let metric = objective.metric;
    match &objective.kind {
        ObjectiveKind::Latency {
            below,
            native: false,
        } => {
            let all = sum(selector(objective, &format!("{metric}_count"), vec![]));
            let below = selector(
                objective,
                &format!("{metric}_bucket"),
                vec![le_matcher(*below)],
            );
            format!("({all} - {}) / {all}", sum(below))
        }
        ObjectiveKind::Latency {
            below,
            native: true,
        } => format!(
            "1 - histogram_fraction(0, {}, {})",
            super::yaml::number(*below),
            sum(selector(objective, metric, vec![]))
        ),
        ObjectiveKind::Availability { bad } => {
            let matchers: Vec<String> = bad
                .iter()
                .map(|b| format!("{}=~{}", label(b.label), one_of(&b.values)))
                .collect();
            let all = sum(selector(objective, metric, vec![]));
            format!(
                "({} or {all} * 0) / {all}",
                sum(selector(objective, metric, matchers))
            )
        }
    }
}

/// `name{matchers}` with the objective's left-out values excluded after
/// `matchers`; `name` alone when there are none.
pub(super) fn selector(objective: &Objective, name: &str, mut matchers: Vec<String>) -> String {
    matchers.extend(
        objective
            .exclude
            .iter()
            .map(|e| format!("{}!~{}", label(e.label), one_of(&e.values))),
    );
    series(name, &matchers)
}

/// A threshold alert's rule.
fn threshold_alert(alert: &Alert, out: &mut String) {
    let _ = writeln!(out, "      - alert: {}", pascal_case(alert.name));
    let _ = writeln!(out, "        expr: {}", yaml(&threshold_expr(alert)));
    out.push_str("        labels:\n");
    let _ = writeln!(out, "          alert: {}", yaml(alert.name));
    let _ = writeln!(out, "          severity: {}", yaml(alert.severity));
    out.push_str("        annotations:\n");
    let _ = writeln!(out, "          description: {}", yaml(alert.description));
}

/// A threshold alert's condition: the sum (over the other sum, when it is
/// above 0) compared to the threshold.
pub(super) fn threshold_expr(alert: &Alert) -> String {
    let value = match alert.over {
        Some(over) => format!(
            "sum({}) / (sum({}) > 0)",
            series(alert.metric, &[]),
            series(over, &[])
        ),
        None => format!("sum({})", series(alert.metric, &[])),
    };
    let op = if alert.above { ">" } else { "<" };
    format!("{value} {op} {}", super::yaml::number(alert.threshold))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn availability(
        name: &'static str,
        by: &[(&'static str, &'static [&'static str])],
    ) -> Objective {
        Objective::availability(
            name,
            "calls_total",
            "Calls.",
            0.99,
            7,
            by,
            &[
                ("method", &["get", "post"], &["post"]),
                (
                    "outcome",
                    &["ok", "timeout", "refused"],
                    &["timeout", "refused"],
                ),
            ],
        )
    }

    #[test]
    fn an_availability_ratio_selects_every_bad_label_and_counts_missing_bad_series_as_none() {
        assert_eq!(
            error_ratio(&availability("calls", &[]), "5m"),
            "(sum by () (rate(calls_total{method=~\"post\",outcome=~\"timeout|refused\"}[5m])) \
             or sum by () (rate(calls_total[5m])) * 0) / sum by () (rate(calls_total[5m]))"
        );
        let ObjectiveKind::Availability { bad } = availability("calls", &[]).kind else {
            unreachable!()
        };
        assert_eq!((bad[0].good, bad[1].good), ("get", "ok"));
    }

    #[test]
    fn a_latency_ratio_reads_the_bound_or_the_native_buckets() {
        let classic = Objective::latency(
            "fast",
            "rpc_seconds",
            "RPCs.",
            0.9,
            30,
            &[("route", &["a"])],
            1.0,
            false,
        );
        assert_eq!(
            error_ratio(&classic, "1h"),
            "(sum by (route) (rate(rpc_seconds_count[1h])) - sum by (route) \
             (rate(rpc_seconds_bucket{le=~\"1|1\\\\.0\"}[1h]))) / sum by (route) \
             (rate(rpc_seconds_count[1h]))"
        );
        let native = Objective::latency("fast", "rpc_seconds", "RPCs.", 0.9, 30, &[], 0.7, true);
        assert_eq!(
            error_ratio(&native, "5m"),
            "1 - histogram_fraction(0, 0.7, sum by () (rate(rpc_seconds[5m])))"
        );
    }

    #[test]
    fn windows_are_the_pairs_and_the_period_and_divide_for_tests() {
        assert_eq!(
            windows(&availability("calls", &[])),
            [
                300,
                1800,
                3600,
                7200,
                21_600,
                86_400,
                7 * 86_400,
                3 * 86_400
            ]
            .into_iter()
            .collect::<std::collections::BTreeSet<u64>>()
            .into_iter()
            .collect::<Vec<_>>()
        );
        let set = RuleSet::new().windows_divided_by(60);
        assert_eq!(
            (set.window(3600), set.window(300)),
            ("1m".into(), "5s".into())
        );
    }

    #[test]
    fn a_name_declared_by_two_groups_is_reported() {
        let mut first = Objectives::default();
        first.objectives.push(availability("calls", &[]));
        let mut second = Objectives::default();
        second.objectives.push(availability("calls", &[]));
        second.alerts.push(Alert::new(
            "queue-full",
            "info",
            "full",
            "queue",
            None,
            true,
            1.0,
        ));
        let set = RuleSet::new().with(first).with(second);
        assert_eq!(set.duplicate_names(), ["calls"]);
    }

    #[test]
    fn a_ratio_alert_fires_on_no_zero_divisor() {
        let alert = Alert::new(
            "hits-low",
            "info",
            "low",
            "hits_total",
            Some("lookups_total"),
            false,
            0.5,
        );
        assert_eq!(
            threshold_expr(&alert),
            "sum(hits_total) / (sum(lookups_total) > 0) < 0.5"
        );
    }
}
