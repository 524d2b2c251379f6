//! enumeter's own groups as the default registry renders them, after every
//! other group: the parts' groups that have started, by order, then
//! `enumeter_registry_conflicts_total` once a registry has left a metric
//! out.

use std::sync::{Mutex, PoisonError};

use crate::cells::counter::Counter;
use crate::cells::dropped::DROPPED_METRICS;
use crate::cells::group::Group;
use crate::cells::metric::{Cells, LabelDesc, Metric, MetricDesc};
use crate::cells::own::ShownOnceStarted;
use crate::read::families::Conflict;

/// The group that renders `enumeter_registry_conflicts_total{family}`: one
/// series per metric ever left out of a registry for a conflict, counting
/// how often. The default registry renders it last; it renders nothing
/// while there has been no conflict.
pub(crate) static REGISTRY_CONFLICTS: RegistryConflicts = RegistryConflicts(Mutex::new(None));

/// See [`REGISTRY_CONFLICTS`].
pub(crate) struct RegistryConflicts(Mutex<Option<ConflictTable>>);

/// The metric as it stands: its label values are the family names seen so
/// far, which are known only at run time. Each new name replaces the table
/// with a larger one and leaves the old one allocated (readers may still
/// hold it): what that keeps is bounded by the number of distinct metric
/// names in the binary, as every family name is a `&'static str` of some
/// declaration, and it happens only when a registry refuses a metric.
#[derive(Clone, Copy)]
struct ConflictTable {
    desc: &'static MetricDesc,
    counts: &'static [Counter],
}

impl core::fmt::Debug for RegistryConflicts {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RegistryConflicts")
    }
}

impl RegistryConflicts {
    fn table(&self) -> Option<ConflictTable> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, family: &'static str) {
        let mut table = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let names = table.map_or(&[][..], |t| t.desc.labels[0].values);
        if let Some(i) = names.iter().position(|&n| n == family) {
            if let Some(count) = table.and_then(|t| t.counts.get(i)) {
                count.inc();
            }
            return;
        }
        let values: &'static [&'static str] =
            Box::leak(names.iter().copied().chain([family]).collect());
        let counts: &'static [Counter] = Box::leak(
            table
                .map_or(&[][..], |t| t.counts)
                .iter()
                .map(|c| {
                    let copy = Counter::new();
                    copy.add(c.get());
                    copy
                })
                .chain([{
                    let first = Counter::new();
                    first.inc();
                    first
                }])
                .collect(),
        );
        let labels: &'static [LabelDesc] = Box::leak(Box::new([LabelDesc::new("family", values)]));
        let desc = Box::leak(Box::new(MetricDesc::new(
            "enumeter_registry_conflicts_total",
            "Metrics left out of a registry because a name they take in the \
             exposition was taken by a different, earlier declaration, by the \
             left-out metric's family name.",
            labels,
        )));
        *table = Some(ConflictTable { desc, counts });
    }
}

impl Group for RegistryConflicts {
    fn name(&self) -> &'static str {
        "enumeter::self_metrics::RegistryConflicts"
    }

    fn visit<'a>(&'a self, visitor: &mut dyn FnMut(Metric<'a>)) {
        if let Some(table) = self.table() {
            visitor(Metric::new(table.desc, Cells::Counter(table.counts)));
        }
    }
}

/// Reports a metric a registry left out: counted, and logged as a warning
/// (target `enumeter`) once per family, so that a conflict is never
/// silent.
#[cold]
pub(crate) fn conflict(conflict: &Conflict) {
    let first = REGISTRY_CONFLICTS
        .table()
        .is_none_or(|t| !t.desc.labels[0].values.contains(&conflict.refused_metric));
    REGISTRY_CONFLICTS.record(conflict.refused_metric);
    if first {
        log::warn!(target: "enumeter", "{conflict}");
    }
}

/// enumeter's own metrics as one group, which the default registry renders
/// after every other: dropped observations, the parts started so far by
/// their order, and registry conflicts once there is one.
pub(crate) struct OwnMetrics;

impl OwnMetrics {
    /// The group the default registry adds last, with the dropped
    /// observations shown from the start (a rule on a drop never finds
    /// them absent).
    pub(crate) fn started() -> &'static OwnMetrics {
        DROPPED_METRICS.start();
        &OwnMetrics
    }
}

impl Group for OwnMetrics {
    fn name(&self) -> &'static str {
        "enumeter::self_metrics"
    }

    fn visit<'a>(&'a self, visitor: &mut dyn FnMut(Metric<'a>)) {
        ShownOnceStarted::each_started(|group| group.visit(visitor));
        REGISTRY_CONFLICTS.visit(visitor);
    }
}
