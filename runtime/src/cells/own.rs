//! How enumeter's own groups are shown, the same way for every part that
//! has one (dropped observations, exemplars, native buckets, runtime
//! labels, the process, the exporter, the pushers): the part declares its
//! group with `#[metrics(register = false)]` and a [`ShownOnceStarted`]
//! beside it, and starts it when the part starts; the default registry
//! renders the started ones after every other group. And [`FirstTime`],
//! what such parts log once.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

use crate::cells::group::Group;
use crate::cells::metric::Metric;

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

/// A group of enumeter's own that the default registry shows only once the
/// part it describes has started (an exporter, a remote-write pusher), so
/// that a process without one renders none of its metrics. The part declares
/// its group and this beside it, and starts it; nothing else names it: the
/// default registry renders what has started, by order.
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

    /// The groups started so far, lowest order first: a selection over a
    /// handful of slots, so that a render allocates nothing.
    pub(crate) fn each_started(mut f: impl FnMut(&'static ShownOnceStarted)) {
        let mut after: Option<u8> = None;
        loop {
            let next = STARTED
                .iter()
                .filter_map(OnceLock::get)
                .filter(|g| after.is_none_or(|a| g.order > a))
                .min_by_key(|g| g.order);
            let Some(group) = next else { break };
            f(group);
            after = Some(group.order);
        }
    }

    /// Shows the group from now on.
    pub(crate) fn start(&'static self) {
        if self.started.load(Ordering::Relaxed) || self.started.swap(true, Ordering::Relaxed) {
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
static STARTED: [OnceLock<&'static ShownOnceStarted>; 12] = [const { OnceLock::new() }; 12];
static STARTED_COUNT: AtomicUsize = AtomicUsize::new(0);

#[cfg(test)]
mod tests {
    #[test]
    fn every_part_that_can_start_has_a_slot() {
        // The parts with a group shown once started: dropped observations,
        // exporter, remote write, OTLP, exemplars, native overflows,
        // runtime labels, process.
        assert!(8 <= super::STARTED.len());
    }
}
