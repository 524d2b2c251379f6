//! Observations dropped instead of recorded (NaN, infinities, values a
//! metric does not take, a `_sum` that would overflow), counted by reason in
//! `enumeter_observations_dropped_total`, which the default registry always
//! renders.

use enumeter_macros::metrics;

use crate::cells::own::{FirstTime, ShownOnceStarted};

/// Why an observation was dropped instead of recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, enumeter_macros::LabelValue)]
#[label(rename_all = "lowercase")]
pub(crate) enum DropReason {
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

/// The observations dropped, by reason.
#[metrics(namespace = "enumeter", register = false)]
pub(crate) enum Dropped {
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
    Dropped::observations_dropped_total(reason).inc();
    log_first_drop(reason);
}

/// Counts `n` observations dropped at once (a merge refused whole).
#[cold]
pub(crate) fn dropped_many(reason: DropReason, n: u64) {
    Dropped::observations_dropped_total(reason).add(n);
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

/// What the default registry shows of [`Dropped`]: always, first among
/// enumeter's own groups (so that a rule on a drop never finds it absent).
pub(crate) static DROPPED_METRICS: ShownOnceStarted =
    ShownOnceStarted::new(0, || DroppedMetrics::global());
