//! Alerts, rules and dashboards generated from the declarations: the
//! objectives and threshold alerts declared on a group's metrics become
//! Prometheus recording rules, multi-window multi-burn-rate alerts, their
//! `promtool test rules` unit tests and a Grafana dashboard, each written
//! from the same declaration the recording functions come from, so that a
//! renamed metric or a removed label value breaks the build, not the
//! alerts.
//!
//! Declared in the kind attribute:
//!
//! - **Latency** on a histogram: `objective(name = "checkout-latency",
//!   target = 0.99, below = 0.3)`: 99% of observations at or below 0.3.
//!   `below` must be one of the declared bucket bounds (a compile error
//!   naming the nearest ones otherwise), or the histogram `native`.
//! - **Availability** on a counter: `objective(name = "checkout-availability",
//!   target = 0.999, bad(code_class = [Server]))`: at most 0.1% of the
//!   events have a label value named in `bad`. Each value must be a variant
//!   of the label's enum (rustc's own error, with its "did you mean");
//!   naming every value is an error too. With several labels in `bad`, an
//!   event is bad when each of them has one of its bad values.
//! - Either takes `window_days = N` (30 unless set: the objective's
//!   period, for the error budget) and `by = [label, ...]`: one ratio, and
//!   one alert, per value of those labels (each must be a label of the
//!   metric).
//! - **Threshold alerts** on a gauge or counter: `alert(name = "low-cache-hit-rate",
//!   below = 0.5, over = CacheLookupsTotal, severity = "info",
//!   description = "...")`: the metric's sum (over another metric of the
//!   group's sum, with `over`) above or below a value. [`Alert::firing`]
//!   evaluates it in the process, on the same values.
//!
//! The group's `objectives()` function returns what it declares;
//! [`RuleSet`] turns the declarations of any number of groups into files.
//!
//! ```
//! use enumeter::objectives::RuleSet;
//! use enumeter::{metrics, LabelValue};
//!
//! #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
//! #[label(rename_all = "lowercase")]
//! pub enum CodeClass { Ok, ClientError, ServerError }
//!
//! /// A payment API.
//! #[metrics(namespace = "pay", register = false)]
//! pub enum Pay {
//!     /// Requests, by outcome.
//!     #[counter(objective(name = "pay-availability", target = 0.999, bad(code_class = [ServerError])))]
//!     RequestsTotal { code_class: CodeClass },
//!     /// Request time.
//!     #[histogram(unit = "seconds", buckets = [0.1, 0.3, 1],
//!                 objective(name = "pay-latency", target = 0.99, below = 0.3))]
//!     RequestDuration,
//! }
//!
//! let rules = RuleSet::new().with(Pay::objectives());
//! let yaml = rules.prometheus_rules();
//! assert!(yaml.contains("pay_requests_total{code_class=~\"servererror\"}"));
//! assert!(yaml.contains("PayAvailabilityBurnRate1h5m"));
//! ```
//!
//! Names of what is generated: recording rules
//! `enumeter_slo:error_ratio:rate<window>` (one per window the alerts
//! need, and the objective's period) with the label `objective`; alerts
//! `<Objective>BurnRate<long><short>` (`PayAvailabilityBurnRate1h5m`), one
//! per window pair of the Google SRE workbook's multi-window multi-burn-rate
//! alerts, labelled `objective`, `severity` (`page` or `ticket`),
//! `long_window` and `short_window`, so that a firing alert says which pair
//! fired; threshold alerts `<Name>` in CamelCase with labels `alert` (the
//! declared name) and `severity`.
//!
//! Each objective also has `<Objective>ErrorBudgetExhausted` (the error
//! ratio over its period above the budget), `<Objective>NoData` (its
//! series absent for an hour) and the recorded series
//! `enumeter_slo_objective{objective, window}` holding its target, which
//! the dashboard reads.
//!
//! Every alert in the rules can fire. A pair fires when the error ratio
//! over both its windows exceeds its burn rate times the error budget; a
//! ratio is at most 1, so at a low target the fast pairs could never fire
//! (14.4× needs a target above 0.930555, 6× above 0.833333, 3× above
//! 0.666666): such a pair is left out, and the rules file, the promtool
//! tests and the objective's dashboard panel each say which and why. Every
//! alert that stays has a promtool test in which it fires.

mod dashboard;
mod rules;
mod unit_tests;
mod yaml;

pub use rules::RuleSet;

use crate::cells::group::Group;
use crate::encode::snapshot::for_each_series;
use crate::read::Value;

/// What one group declares for alerting: its objectives and threshold
/// alerts, as its generated `objectives()` function returns them.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Objectives {
    /// The objectives, in declaration order.
    pub objectives: Vec<Objective>,
    /// The threshold alerts, in declaration order.
    pub alerts: Vec<Alert>,
}

/// A service-level objective on one metric.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Objective {
    /// Its name (`checkout-latency`): lowercase words joined by `-`.
    pub name: &'static str,
    /// The metric's family name (`checkout_request_duration_seconds`,
    /// `checkout_requests_total`).
    pub metric: &'static str,
    /// The metric's HELP text.
    pub help: &'static str,
    /// The share of good events aimed at, in (0, 1).
    pub target: f64,
    /// The period the error budget is counted over, in days.
    pub window_days: u32,
    /// The labels the ratios are kept per value of, with an example value
    /// of each (for the generated unit tests).
    pub by: Vec<(&'static str, &'static str)>,
    /// What makes an event bad.
    pub kind: ObjectiveKind,
    /// The events left out of the ratios, per label: the scrapes of
    /// `/metrics`, health checks.
    pub exclude: Vec<Excluded>,
}

/// The values of one label whose events an objective leaves out.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Excluded {
    /// The label.
    pub label: &'static str,
    /// The values left out.
    pub values: Vec<&'static str>,
}

/// What makes an event bad.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ObjectiveKind {
    /// A histogram observation above `below`.
    Latency {
        /// The threshold: a bucket bound, or any value of a native
        /// histogram.
        below: f64,
        /// Read from the native buckets (`histogram_fraction`): the
        /// threshold is no classic bound.
        native: bool,
    },
    /// A counter increment with a label value named bad.
    Availability {
        /// Each label that selects bad events, its bad values, and one of
        /// its good values (for the generated unit tests).
        bad: Vec<BadValues>,
    },
}

/// The values of one label that make an event bad.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct BadValues {
    /// The label.
    pub label: &'static str,
    /// Its bad values.
    pub values: Vec<&'static str>,
    /// One of its other values.
    pub good: &'static str,
}

/// A threshold alert on a gauge or a counter: its sum over every series
/// (over another metric's sum, with `over`) compared to a value.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Alert {
    /// Its name (`low-cache-hit-rate`).
    pub name: &'static str,
    /// Its severity (`info`, `warning`, `critical`, ...).
    pub severity: &'static str,
    /// What it means, for the alert's annotation.
    pub description: &'static str,
    /// The metric's family name.
    pub metric: &'static str,
    /// The family it is divided by, if any.
    pub over: Option<&'static str>,
    /// Fires above (`true`) or below (`false`) the threshold.
    pub above: bool,
    /// The threshold.
    pub threshold: f64,
}

/// The value the generated tests give a runtime label, whose values are
/// known only at run time.
const EXAMPLE: &str = "example";

impl Objective {
    /// A latency objective: generated code's constructor.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub fn latency(
        name: &'static str,
        metric: &'static str,
        help: &'static str,
        target: f64,
        window_days: u32,
        by: &[(&'static str, &'static [&'static str])],
        below: f64,
        native: bool,
    ) -> Self {
        let kind = ObjectiveKind::Latency { below, native };
        Self::of(name, metric, help, target, window_days, by, kind)
    }

    /// An availability objective: generated code's constructor; `bad` is
    /// each label with all its values and its bad ones.
    #[doc(hidden)]
    pub fn availability(
        name: &'static str,
        metric: &'static str,
        help: &'static str,
        target: f64,
        window_days: u32,
        by: &[(&'static str, &'static [&'static str])],
        bad: &[(&'static str, &'static [&'static str], &[&'static str])],
    ) -> Self {
        let bad = bad
            .iter()
            .map(|&(label, all, values)| BadValues {
                label,
                values: values.to_vec(),
                // A value enumeter can emit: a runtime label's names are
                // known only at run time (empty here), so `example`.
                good: all
                    .iter()
                    .copied()
                    .find(|v| !v.is_empty() && !values.contains(v))
                    .unwrap_or(EXAMPLE),
            })
            .collect();
        let kind = ObjectiveKind::Availability { bad };
        Self::of(name, metric, help, target, window_days, by, kind)
    }

    fn of(
        name: &'static str,
        metric: &'static str,
        help: &'static str,
        target: f64,
        window_days: u32,
        by: &[(&'static str, &'static [&'static str])],
        kind: ObjectiveKind,
    ) -> Self {
        // Each `by` label with an example value: its first, or `example`
        // for a label whose values are known only at run time.
        let by = by
            .iter()
            .map(|&(label, values)| {
                let first = values.first().copied().unwrap_or_default();
                (label, if first.is_empty() { EXAMPLE } else { first })
            })
            .collect();
        Self {
            name,
            metric,
            help,
            target,
            window_days,
            by,
            kind,
            exclude: Vec::new(),
        }
    }

    /// Leaves out the events with the values listed of each label (given
    /// with all its values): generated code's, for `exclude(...)`. The
    /// example values of the generated tests are then other values.
    #[doc(hidden)]
    pub fn excluding(
        mut self,
        exclude: &[(&'static str, &'static [&'static str], &[&'static str])],
    ) -> Self {
        for &(label, all, values) in exclude {
            let kept = || {
                all.iter()
                    .copied()
                    .find(|v| !v.is_empty() && !values.contains(v))
                    .unwrap_or(EXAMPLE)
            };
            for (by, example) in &mut self.by {
                if *by == label && values.contains(example) {
                    *example = kept();
                }
            }
            if let ObjectiveKind::Availability { bad } = &mut self.kind {
                for bad in bad.iter_mut().filter(|b| b.label == label) {
                    if values.contains(&bad.good) {
                        bad.good = all
                            .iter()
                            .copied()
                            .find(|v| {
                                !v.is_empty() && !values.contains(v) && !bad.values.contains(v)
                            })
                            .unwrap_or(EXAMPLE);
                    }
                }
            }
            self.exclude.push(Excluded {
                label,
                values: values.to_vec(),
            });
        }
        self
    }

    /// The share of events allowed to be bad: `1 - target`.
    pub fn error_budget(&self) -> f64 {
        1.0 - self.target
    }
}

impl Alert {
    /// A threshold alert: generated code's constructor.
    #[doc(hidden)]
    pub fn new(
        name: &'static str,
        severity: &'static str,
        description: &'static str,
        metric: &'static str,
        over: Option<&'static str>,
        above: bool,
        threshold: f64,
    ) -> Self {
        Self {
            name,
            severity,
            description,
            metric,
            over,
            above,
            threshold,
        }
    }

    /// Whether the alert fires on the values of `groups` now: the same
    /// condition as its generated Prometheus rule, evaluated in the
    /// process. A ratio whose divisor is 0 does not fire (the rule's
    /// division gives no sample); `None` when a family it reads is not in
    /// `groups`.
    pub fn firing<'a>(&self, groups: impl IntoIterator<Item = &'a dyn Group>) -> Option<bool> {
        let (mut metric, mut over) = (None, None);
        for group in groups {
            for_each_series(group, &mut |series| {
                let value = match series.value {
                    Value::Counter(v) => v as f64,
                    Value::Gauge(v) => v as f64,
                    Value::FloatCounter(v) | Value::FloatGauge(v) => v,
                    _ => return,
                };
                if series.metric.name == self.metric {
                    *metric.get_or_insert(0.0) += value;
                }
                if Some(series.metric.name) == self.over {
                    *over.get_or_insert(0.0) += value;
                }
            });
        }
        let value = match self.over {
            None => metric?,
            Some(_) => {
                let divisor = over?;
                if divisor == 0.0 {
                    return Some(false);
                }
                metric? / divisor
            }
        };
        Some(if self.above {
            value > self.threshold
        } else {
            value < self.threshold
        })
    }
}
