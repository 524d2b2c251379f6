//! Which metric families a registry renders: names that clash between
//! groups are caught when a group is registered, never left to the scraper.
//!
//! Every metric takes some names in the exposition: its family names in
//! both text formats and its sample names (`x_bucket`, `x_sum`, ...). The
//! macro already keeps the metrics of one group apart; across groups (two
//! crates, or two semver-incompatible versions of one library, in one
//! binary) the registry does it here:
//!
//! - a later metric of exactly the same shape as the one that took its
//!   names (kind, labels and their values, buckets or quantiles and window,
//!   states, unit, help) is *merged*: one family, its values added up as
//!   `merge_from` would;
//! - any other clash is a *conflict*: the first declaration keeps the name,
//!   the later one is left out, and the registry reports it
//!   ([`Conflict`]).

use std::collections::HashMap;

use enumeter_common::names::{self, NameKind};

use crate::cells::metric::Metric;
use crate::read::Kind;

/// A metric a registry left out because a name it takes in the exposition
/// was already taken by a different declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The name both would take in the exposition: a family name, or a
    /// sample name such as `x_count`.
    pub name: String,
    /// The group ([`Group::name`](crate::Group::name)) that keeps the name.
    pub kept_group: &'static str,
    /// The metric that keeps the name.
    pub kept_metric: &'static str,
    /// The group whose metric was left out.
    pub refused_group: &'static str,
    /// The metric left out.
    pub refused_metric: &'static str,
    /// How the two declarations differ.
    pub reason: &'static str,
}

impl core::fmt::Display for Conflict {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "metric `{}` of `{}` is left out: the name `{}` is taken by metric `{}` of `{}`, \
             which has {}",
            self.refused_metric,
            self.refused_group,
            self.name,
            self.kept_metric,
            self.kept_group,
            self.reason
        )
    }
}

/// The names `metric` takes in either text format: family names and
/// sample names (the rule the macro checks one group with).
pub(crate) fn exposed_names(metric: &Metric<'_>) -> Vec<String> {
    let kind = match Kind::of(&metric.cells) {
        Kind::Counter | Kind::FloatCounter => NameKind::Counter,
        Kind::Info => NameKind::Info,
        Kind::Histogram(_) => NameKind::Histogram,
        Kind::Summary(_) => NameKind::Summary,
        Kind::Gauge | Kind::FloatGauge | Kind::StateSet(_) => NameKind::Plain,
    };
    names::exposed_names(metric.desc.name, kind)
}

/// Whether `a` and `b` are declarations of the same family, whose values
/// can be added up: `Err` says how they differ.
pub(crate) fn same_shape(a: &Metric<'_>, b: &Metric<'_>) -> Result<(), &'static str> {
    // The first kind decides, arm by arm and without a wildcard, so that a
    // new kind has to say what makes two of its declarations one family;
    // inside an arm, any other second kind differs.
    let (first, other) = (Kind::of(&a.cells), Kind::of(&b.cells));
    let kinds_match = match first {
        // Nothing but the kind to compare.
        Kind::Counter | Kind::Gauge | Kind::FloatGauge | Kind::FloatCounter | Kind::Info => {
            if core::mem::discriminant(&first) == core::mem::discriminant(&other) {
                Ok(())
            } else {
                Err("another kind")
            }
        }
        Kind::Histogram(x) => match other {
            Kind::Histogram(y) if x.bounds == y.bounds => Ok(()),
            Kind::Histogram(_) => Err("other buckets"),
            _ => Err("another kind"),
        },
        Kind::Summary(x) => match other {
            Kind::Summary(y) => {
                let quantiles = x.quantiles.len() == y.quantiles.len()
                    && x.quantiles
                        .iter()
                        .zip(y.quantiles)
                        .all(|(p, q)| p.value == q.value);
                if !quantiles {
                    Err("other quantiles")
                } else if (x.max_age_ms, x.age_buckets) != (y.max_age_ms, y.age_buckets) {
                    Err("another window")
                } else if (x.keys_per_octave, x.first_key) != (y.keys_per_octave, y.first_key) {
                    Err("another relative error")
                } else {
                    Ok(())
                }
            }
            _ => Err("another kind"),
        },
        Kind::StateSet(x) => match other {
            Kind::StateSet(y) if x == y => Ok(()),
            Kind::StateSet(_) => Err("other states"),
            _ => Err("another kind"),
        },
    };
    kinds_match?;
    let (x, y) = (a.desc, b.desc);
    if x.name != y.name {
        return Err("another name");
    }
    let labels_match = x.labels.len() == y.labels.len()
        && x.labels
            .iter()
            .zip(y.labels)
            .all(|(p, q)| p.name == q.name && p.same_values(q));
    if !labels_match {
        return Err("other labels or label values");
    }
    if x.unit != y.unit {
        return Err("another unit");
    }
    if x.help != y.help {
        return Err("another help text");
    }
    Ok(())
}

/// What a registry does with one metric of one of its groups.
pub(crate) enum Action<'a> {
    /// Renders on its own.
    Alone,
    /// Renders with these identical declarations of later groups added in.
    Merged(Vec<Metric<'a>>),
    /// Does not render: merged into an earlier declaration, or refused.
    Skip,
}

/// The families of a registry: for each group, what to do with each of its
/// metrics, and the conflicts found. Built as groups are registered.
#[derive(Default)]
pub(crate) struct Plan<'a> {
    /// Every name taken so far, and the (group, metric) that took it.
    owners: HashMap<String, (usize, usize)>,
    /// `actions[group][metric]`, once any metric is not `Alone`.
    actions: Vec<Vec<Action<'a>>>,
    /// Whether some metric is not `Alone`: renders take the plain path
    /// until then.
    special: bool,
    conflicts: Vec<Conflict>,
    /// Every metric seen, by group, for comparing shapes later.
    metrics: Vec<(&'static str, Vec<Metric<'a>>)>,
}

impl<'a> Plan<'a> {
    /// Plans the metrics of the next group (`group_name`, metrics in visit
    /// order); returns the conflicts it brings.
    pub(crate) fn add_group(
        &mut self,
        group_name: &'static str,
        metrics: Vec<Metric<'a>>,
    ) -> Vec<Conflict> {
        let group = self.metrics.len();
        let mut actions: Vec<Action<'a>> = Vec::with_capacity(metrics.len());
        let mut conflicts = Vec::new();
        for (index, metric) in metrics.iter().enumerate() {
            let names = exposed_names(metric);
            let clash = names.iter().find_map(|n| Some((n, *self.owners.get(n)?)));
            let Some((name, (owner_group, owner_index))) = clash else {
                for name in names {
                    self.owners.insert(name, (group, index));
                }
                actions.push(Action::Alone);
                continue;
            };
            let (owner_group_name, owner) = match self.metrics.get(owner_group) {
                Some((name, earlier)) => (*name, &earlier[owner_index]),
                // A clash inside the group being added (a hand-written one:
                // the macro rejects these at compile time).
                None => (group_name, &metrics[owner_index]),
            };
            let outcome = same_shape(owner, metric).and_then(|()| {
                // Same shape means the same names; any other owner of one of
                // them would be a clash of its own.
                let one_owner = names
                    .iter()
                    .all(|n| self.owners.get(n) == Some(&(owner_group, owner_index)));
                if one_owner {
                    Ok(())
                } else {
                    Err("another metric taking one of its other names")
                }
            });
            match outcome {
                Ok(()) => {
                    let merged = *metric;
                    match self.action_mut(owner_group, owner_index, &mut actions) {
                        Action::Merged(others) => others.push(merged),
                        action => *action = Action::Merged(vec![merged]),
                    }
                }
                Err(reason) => conflicts.push(Conflict {
                    name: name.clone(),
                    kept_group: owner_group_name,
                    kept_metric: owner.desc.name,
                    refused_group: group_name,
                    refused_metric: metric.desc.name,
                    reason,
                }),
            }
            self.special = true;
            actions.push(Action::Skip);
        }
        self.actions.push(actions);
        self.metrics.push((group_name, metrics));
        self.conflicts.extend(conflicts.iter().cloned());
        conflicts
    }

    /// The action of an earlier metric, or of one of the group being added
    /// (whose actions are still in `pending`).
    fn action_mut<'p>(
        &'p mut self,
        group: usize,
        index: usize,
        pending: &'p mut [Action<'a>],
    ) -> &'p mut Action<'a> {
        match self.actions.get_mut(group) {
            Some(actions) => &mut actions[index],
            None => &mut pending[index],
        }
    }

    /// Whether every metric renders on its own.
    pub(crate) fn is_plain(&self) -> bool {
        !self.special
    }

    /// What to do with metric `index` of group `group`.
    pub(crate) fn action(&self, group: usize, index: usize) -> &Action<'a> {
        self.actions
            .get(group)
            .and_then(|a| a.get(index))
            .unwrap_or(&Action::Alone)
    }

    /// Every conflict found, in registration order.
    pub(crate) fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }
}
