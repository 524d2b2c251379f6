//! Checks of objectives and threshold alerts against their metric and its
//! group: what each kind needs, latency thresholds that are bucket bounds,
//! label names that are the metric's, `over` naming a metric of the group,
//! names unique in the group. (Bad label values are checked by rustc: the
//! generated code names each as a variant of the label's enum.)

use super::{AlertAttr, BadLabel, BadValue, ObjectiveAttr};
use crate::errors::Errors;
use crate::metrics::ast::{Group, MetricDef};
use crate::metrics::attr::Kind;

/// Checks every objective and alert of `group`.
pub(crate) fn check(group: &Group<'_>, errors: &mut Errors) {
    let mut names: Vec<&syn::LitStr> = Vec::new();
    let mut any = false;
    for metric in &group.metrics {
        let Some(kind) = metric.kinds.first() else {
            continue;
        };
        for objective in &kind.objectives {
            any = true;
            check_objective(metric, objective, errors);
            names.extend(&objective.name);
        }
        for alert in &kind.alerts {
            any = true;
            check_alert(group, metric, alert, errors);
            names.extend(&alert.name);
        }
    }
    for (i, name) in names.iter().enumerate() {
        if names[..i].iter().any(|n| n.value() == name.value()) {
            errors.spanned(
                name,
                format!(
                    "`{}` names another objective or alert of this group already: each \
                     becomes rules and alerts named after it",
                    name.value()
                ),
            );
        }
    }
    if any {
        if let Some(clash) = group.metrics.iter().find(|m| m.fn_name == "objectives") {
            errors.at(
                clash.ident_span(),
                "a group that declares objectives or alerts gets an `objectives()` function, \
                 which this metric's recording function would clash with: rename the variant \
                 (and keep the metric's name with `name = \"...\"`)",
            );
        }
    }
}

/// Lowercase words of letters and digits joined by `-` (a label value,
/// and an alert name once in CamelCase).
fn check_name(name: Option<&syn::LitStr>, path: &syn::Path, what: &str, errors: &mut Errors) {
    let Some(name) = name else {
        errors.spanned(
            path,
            format!("{what} needs a name: `name = \"checkout-latency\"`"),
        );
        return;
    };
    let value = name.value();
    let ok = !value.is_empty()
        && value.split('-').all(|word| {
            !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && value.starts_with(|c: char| c.is_ascii_lowercase());
    if !ok {
        errors.spanned(
            name,
            format!(
                "`{value}`: a name here is lowercase words of letters and digits joined by \
                 `-`, starting with a letter (`checkout-latency`)"
            ),
        );
    }
}

fn check_objective(metric: &MetricDef<'_>, objective: &ObjectiveAttr, errors: &mut Errors) {
    check_name(
        objective.name.as_ref(),
        &objective.path,
        "an objective",
        errors,
    );
    match &objective.target {
        None => errors.spanned(
            &objective.path,
            "an objective needs a target, the share of good events: `target = 0.999`",
        ),
        Some(t) if !(t.value > 0.0 && t.value < 1.0) => errors.spanned(
            &t.tokens,
            "the target is the share of good events, between 0 and 1 (both excluded): \
             `target = 0.999` for 99.9%",
        ),
        Some(_) => {}
    }
    if let Some(days) = &objective.window_days {
        if days.value.fract() != 0.0 || !(1.0..=365.0).contains(&days.value) {
            errors.spanned(
                &days.tokens,
                "`window_days` is a whole number of days from 1 to 365 (30 unless set)",
            );
        }
    }
    let label_names: Vec<&str> = metric.labels.iter().map(|l| l.field.as_str()).collect();
    // Reports `ident` when it is no label of the metric; true if it did.
    let no_such_label = |ident: &syn::Ident, errors: &mut Errors| {
        if label_names.contains(&ident.to_string().as_str()) {
            return false;
        }
        let labels = if label_names.is_empty() {
            "it has none".to_owned()
        } else {
            format!("its labels: {}", label_names.join(", "))
        };
        errors.spanned(
            ident,
            format!("`{ident}` is not a label of this metric; {labels}"),
        );
        true
    };
    for (i, by) in objective.by.iter().enumerate() {
        if !no_such_label(by, errors) && objective.by[..i].contains(by) {
            errors.spanned(by, "this label is listed twice in `by`; keep one");
        }
    }
    if let Some((path, excluded)) = &objective.exclude {
        if excluded.is_empty() {
            errors.spanned(
                path,
                "name a label and the values whose events the objective leaves out: \
                 `exclude(route = [Metrics])`",
            );
        }
        check_listed(
            excluded,
            "exclude",
            "list at least one value of this label to leave out",
            &no_such_label,
            errors,
        );
        let bad = objective.bad.iter().flat_map(|(_, bad)| bad);
        let bad: Vec<(&syn::Ident, &BadValue)> = bad
            .flat_map(|b| b.values.iter().map(move |v| (&b.label, v)))
            .collect();
        for BadLabel { label, values, .. } in excluded {
            for value in values.iter().filter(|v| bad.contains(&(label, *v))) {
                errors.spanned(
                    value,
                    "this value is also bad: left out, its events would never count as \
                     bad; keep it in one list",
                );
            }
        }
    }
    match &metric.kind().kind {
        Kind::Histogram(h) => {
            if let Some((path, _)) = &objective.bad {
                errors.spanned(
                    path,
                    "a histogram's objective is a latency: `below = 0.3`; `bad(...)` goes on \
                     a counter's",
                );
            }
            let Some(below) = &objective.below else {
                errors.spanned(
                    &objective.path,
                    "a histogram's objective needs its latency threshold: `below = 0.3` (one \
                     of the bucket bounds)",
                );
                return;
            };
            let bounds = h.bounds();
            if bounds.contains(&below.value) || (h.native.is_some() && below.value > 0.0) {
                return;
            }
            if h.buckets.is_none() && h.native.is_none() {
                return; // the missing buckets are an error of their own
            }
            let lower = bounds.iter().rev().find(|b| **b < below.value);
            let upper = bounds.iter().find(|b| **b > below.value);
            let nearest = match (lower, upper) {
                (Some(l), Some(u)) => format!("the nearest are {l} and {u}"),
                (Some(l), None) => format!("the largest is {l}"),
                (None, Some(u)) => format!("the smallest is {u}"),
                (None, None) => "it has none".to_owned(),
            };
            errors.spanned(
                &below.tokens,
                format!(
                    "`below = {}` is not a bucket bound of this histogram ({nearest}): the \
                     share below it cannot be read from the buckets; make it a bound, or \
                     declare the histogram `native`",
                    below.value
                ),
            );
        }
        Kind::Counter { .. } => {
            if let Some(below) = &objective.below {
                errors.spanned(
                    &below.tokens,
                    "a counter's objective is the share of bad events: \
                     `bad(code_class = [ServerError])`; `below` goes on a histogram's",
                );
            }
            let Some((path, bad)) = &objective.bad else {
                errors.spanned(
                    &objective.path,
                    "a counter's objective needs the label values of bad events: \
                     `bad(code_class = [ServerError])`",
                );
                return;
            };
            if bad.is_empty() {
                errors.spanned(
                    path,
                    "name a label and its bad values: `bad(code_class = [ServerError])`",
                );
            }
            check_listed(
                bad,
                "bad",
                "list at least one bad value of this label",
                &no_such_label,
                errors,
            );
            for BadLabel { label, .. } in bad {
                if objective.by.contains(label) {
                    errors.spanned(
                        label,
                        "this label selects the bad events, so grouping by it (`by`) would \
                         give ratios of 0 and 1 only: drop it from `by`",
                    );
                }
            }
        }
        _ => {} // refused when parsed
    }
}

/// What `bad(...)` and `exclude(...)` (`key`) must both be: each label one
/// of the metric's (`no_such_label` says otherwise) and given once, with
/// at least one value (`none_listed` says otherwise), no value twice.
fn check_listed(
    listed: &[BadLabel],
    key: &str,
    none_listed: &str,
    no_such_label: &dyn Fn(&syn::Ident, &mut Errors) -> bool,
    errors: &mut Errors,
) {
    for (
        i,
        BadLabel {
            label,
            values,
            written,
        },
    ) in listed.iter().enumerate()
    {
        if !no_such_label(label, errors) && listed[..i].iter().any(|b| b.label == *label) {
            errors.spanned(
                label,
                format!("this label is given twice in `{key}`; keep one"),
            );
        }
        if *written == 0 {
            errors.spanned(label, none_listed);
        }
        for (k, value) in values.iter().enumerate() {
            if values[..k].contains(value) {
                errors.spanned(value, "this value is listed twice; keep one");
            }
        }
    }
}

fn check_alert(group: &Group<'_>, metric: &MetricDef<'_>, alert: &AlertAttr, errors: &mut Errors) {
    check_name(alert.name.as_ref(), &alert.path, "an alert", errors);
    match (&alert.above, &alert.below) {
        (None, None) => errors.spanned(
            &alert.path,
            "an alert fires `above = N` or `below = N`: give one",
        ),
        (Some(_), Some(below)) => errors.spanned(
            &below.tokens,
            "give `above` or `below`, not both: one alert fires on one side",
        ),
        _ => {}
    }
    for (slot, key, example) in [
        (&alert.severity, "severity", "`severity = \"warning\"`"),
        (
            &alert.description,
            "description",
            "`description = \"history buffers above 90% full\"`",
        ),
    ] {
        match slot {
            None => errors.spanned(&alert.path, format!("an alert needs a {key}: {example}")),
            Some(lit) if lit.value().trim().is_empty() => {
                errors.spanned(lit, format!("the {key} is empty: {example}"))
            }
            Some(_) => {}
        }
    }
    if let Some(over) = &alert.over {
        let target = group.metrics.iter().find(|m| m.variant.ident == *over);
        let fits = target.is_some_and(|m| {
            m.variant.ident != metric.variant.ident
                && matches!(
                    m.kinds.first().map(|k| &k.kind),
                    Some(Kind::Counter { .. } | Kind::Gauge { .. })
                )
        });
        if !fits {
            let others: Vec<String> = group
                .metrics
                .iter()
                .filter(|m| {
                    m.variant.ident != metric.variant.ident
                        && matches!(
                            m.kinds.first().map(|k| &k.kind),
                            Some(Kind::Counter { .. } | Kind::Gauge { .. })
                        )
                })
                .map(|m| m.variant.ident.to_string())
                .collect();
            errors.spanned(
                over,
                format!(
                    "`over` names another counter or gauge of this group by its variant; \
                     those here: {}",
                    if others.is_empty() {
                        "none".to_owned()
                    } else {
                        others.join(", ")
                    }
                ),
            );
        }
    }
}
