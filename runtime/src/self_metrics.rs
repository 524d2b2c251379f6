//! Metrics about enumeter itself: what it refused to record or render, and
//! why.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

#[cfg(feature = "otlp")]
pub use crate::push::otlp::{OtlpSelf, OtlpSelfMetrics};
#[cfg(any(feature = "remote-write", feature = "otlp"))]
pub use crate::push::PushDrop;
#[cfg(feature = "remote-write")]
pub use crate::push::{RemoteWriteSelf, RemoteWriteSelfMetrics};
#[cfg(feature = "http")]
pub use crate::serve::exporter::{ExporterFailure, ExporterSelf, ExporterSelfMetrics};

use crate as enumeter;
use crate::{Cells, Conflict, Counter, Group, LabelDesc, Metric, MetricDesc};
use enumeter::{metrics, LabelValue};

/// Why an observation was dropped instead of recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum DropReason {
    /// The value was NaN: it has no place in any bucket or sum.
    Nan,
    /// The value was +Inf or -Inf: it would make `_sum` infinite for good.
    Infinite,
    /// A summary was given a negative value: its sketch covers values ≥ 0.
    Negative,
    /// A metric declared `skip_non_positive` was given zero or less: for
    /// such metrics that means "no measurement", not a fast one.
    #[label(name = "non_positive")]
    NonPositive,
    /// Adding the value to a histogram's or summary's `_sum` would have
    /// overflowed it to an infinity; the observation is refused whole, so
    /// that `_sum` stays finite and matches `_count`.
    #[label(name = "sum_overflow")]
    SumOverflow,
}

/// enumeter's own metrics, rendered by the default registry after every
/// other group (which adds them itself, so they need no link-time
/// registration).
#[metrics(namespace = "enumeter", register = false)]
pub enum Enumeter {
    /// Observations that were dropped instead of recorded, by reason.
    #[counter]
    ObservationsDroppedTotal {
        /// Why the observation was dropped.
        reason: DropReason,
    },
}

/// Counts one dropped observation. Kept out of line: it is the cold branch
/// of every observe.
#[cold]
#[inline(never)]
pub(crate) fn dropped(reason: DropReason) {
    Enumeter::observations_dropped_total(reason).inc();
    log_first_drop(reason);
}

/// Counts `n` observations dropped at once (a merge refused whole).
#[cold]
pub(crate) fn dropped_many(reason: DropReason, n: u64) {
    Enumeter::observations_dropped_total(reason).add(n);
    log_first_drop(reason);
}

/// Says once per reason, through the log facade, that observations are
/// being dropped; the counter says how many.
fn log_first_drop(reason: DropReason) {
    static LOGGED: [FirstTime; 5] = [const { FirstTime::new() }; 5];
    if !LOGGED.get(reason.index()).is_some_and(FirstTime::first) {
        return;
    }
    let why = match reason {
        DropReason::Nan => "a NaN has no bucket and would make `_sum` NaN",
        DropReason::Infinite => "an infinity would make `_sum` infinite for good",
        DropReason::Negative => {
            "a negative value was given to a summary or native histogram \
                                 that does not take them"
        }
        DropReason::NonPositive => "a metric declared `skip_non_positive` was given zero or less",
        DropReason::SumOverflow => "adding it would have overflowed `_sum` to an infinity",
    };
    log::warn!(
        target: "enumeter",
        "an observation was dropped: {why}; counted in \
         enumeter_observations_dropped_total{{reason=\"{}\"}}, not logged again",
        reason.as_str()
    );
}

/// A message said once: the cold branch of what is counted on a record
/// path may log the first occurrence, never the hot path itself.
#[derive(Debug)]
pub(crate) struct FirstTime(AtomicBool);

impl FirstTime {
    pub(crate) const fn new() -> Self {
        Self(AtomicBool::new(false))
    }

    /// True the first time only, whatever the threads.
    pub(crate) fn first(&self) -> bool {
        !self.0.load(Ordering::Relaxed) && !self.0.swap(true, Ordering::Relaxed)
    }
}

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
        let labels: &'static [LabelDesc] = Box::leak(Box::new([LabelDesc {
            name: "family",
            values,
            escaped_values: None,
            runtime: None,
        }]));
        let desc = Box::leak(Box::new(MetricDesc {
            name: "enumeter_registry_conflicts_total",
            help: "Metrics left out of a registry because a name they take in the \
                   exposition was taken by a different, earlier declaration, by the \
                   left-out metric's family name.",
            labels,
            unit: None,
        }));
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

/// A group of enumeter's own that the default registry shows only once the
/// part it describes has started (an exporter, a remote-write pusher), so
/// that a process without one renders none of its metrics. The part starts
/// it; nothing else names it: [`OwnMetrics`] renders what has started.
pub(crate) struct ShownOnceStarted {
    /// Where it renders among the others: lower first, fixed so that
    /// expositions stay byte-identical whatever starts first.
    order: u8,
    started: AtomicBool,
    group: fn() -> &'static dyn Group,
}

impl ShownOnceStarted {
    pub(crate) const fn new(order: u8, group: fn() -> &'static dyn Group) -> Self {
        Self {
            order,
            started: AtomicBool::new(false),
            group,
        }
    }

    /// Shows the group from now on.
    pub(crate) fn start(&'static self) {
        if self.started.swap(true, Ordering::Relaxed) {
            return;
        }
        let slot = STARTED_COUNT.fetch_add(1, Ordering::Relaxed);
        match STARTED.get(slot) {
            Some(cell) => {
                let _ = cell.set(self);
            }
            // More kinds of part than slots: a bug caught by the test
            // below, never a panic in a running service.
            None => debug_assert!(false, "more than {} started groups", STARTED.len()),
        }
    }
}

impl Group for ShownOnceStarted {
    fn name(&self) -> &'static str {
        (self.group)().name()
    }

    fn visit<'a>(&'a self, visitor: &mut dyn FnMut(Metric<'a>)) {
        if self.started.load(Ordering::Relaxed) {
            (self.group)().visit(visitor);
        }
    }
}

/// The groups started so far, in the order they started; a slot is set
/// once, and a reader skips one not yet set. Lock-free, so that starting a
/// part while a render runs on the same thread cannot deadlock.
static STARTED: [OnceLock<&'static ShownOnceStarted>; 8] = [const { OnceLock::new() }; 8];
static STARTED_COUNT: AtomicUsize = AtomicUsize::new(0);

/// enumeter's own metrics as one group, which the default registry renders
/// after every other: dropped observations, the parts started so far by
/// their order, and registry conflicts once there is one.
pub(crate) struct OwnMetrics;

impl Group for OwnMetrics {
    fn name(&self) -> &'static str {
        "enumeter::self_metrics"
    }

    fn visit<'a>(&'a self, visitor: &mut dyn FnMut(Metric<'a>)) {
        EnumeterMetrics::global().visit(visitor);
        // By order, smallest first: a selection over a handful of slots,
        // so that a render allocates nothing.
        let mut after: Option<u8> = None;
        loop {
            let next = STARTED
                .iter()
                .filter_map(OnceLock::get)
                .filter(|g| after.is_none_or(|a| g.order > a))
                .min_by_key(|g| g.order);
            let Some(group) = next else { break };
            group.visit(visitor);
            after = Some(group.order);
        }
        REGISTRY_CONFLICTS.visit(visitor);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_part_that_can_start_has_a_slot() {
        // The parts with a group shown once started: exporter, remote
        // write, exemplars, native overflows, runtime labels, process.
        assert!(6 <= super::STARTED.len());
    }
}
