//! Metrics about enumeter itself: what it refused to record, and why.

use crate as enumeter;
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
}
