//! The handle a recording function returns for a metric with a label whose
//! values retire: the cell's handle, and the value's slot entered for as
//! long as it lives, so that the value is not retired (and its slot given
//! to another) between the check of its generation and the cell operation.

use core::fmt;
use core::ops::Deref;

use crate::label::{LabelCheck, LabelValue};

#[cfg(not(loom))]
use super::retiring::Entered;

/// A cell's handle, recording into a value of a runtime label that
/// retires: used as the handle it holds (`.inc()`, `.observe(…)`), and
/// best dropped at once, as a statement's temporary is. While it lives,
/// its value is not retired.
///
/// ```
/// use std::time::Duration;
/// use enumeter::metrics;
///
/// enumeter::runtime_label! {
///     /// Pods, as discovered.
///     pub struct Pod: capacity = 4, idle = Duration::from_secs(60);
/// }
///
/// /// Pool metrics.
/// #[metrics(register = false)]
/// pub enum Pool {
///     /// Connections opened, by pod.
///     #[counter(sparse)]
///     ConnectionsTotal {
///         #[label(retires)]
///         pod: Pod,
///     },
/// }
///
/// let pool = PoolMetrics::new();
/// let pod = Pod::intern("10.0.0.9:5432").unwrap();
/// pool.connections_total(pod).inc();
/// let held: enumeter::Held<&enumeter::Counter> = pool.connections_total(pod);
/// held.add(2);
/// assert_eq!(held.get(), 3);
/// ```
#[must_use = "the cell records nothing until a method such as `inc` is called on it"]
pub struct Held<H> {
    handle: H,
    // Dropped after the handle: leaves the slot.
    #[cfg(not(loom))]
    _entered: Entered,
}

#[cfg(not(loom))]
impl<H> Held<H> {
    /// `handle`, with the slot `entered` for it; for generated code.
    #[doc(hidden)]
    #[inline]
    pub fn new(handle: H, entered: Entered) -> Self {
        Self {
            handle,
            _entered: entered,
        }
    }
}

impl<H> Deref for Held<H> {
    type Target = H;

    #[inline]
    fn deref(&self) -> &H {
        &self.handle
    }
}

impl<H: fmt::Debug> fmt::Debug for Held<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Held").field(&self.handle).finish()
    }
}

/// A label whose values retire: what `#[label(retires)]` asks of the
/// label's type (`runtime_label!` with `idle = …` implements it).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` keeps its values for the life of the process: `#[label(retires)]` \
               needs a label whose values retire",
    label = "values never retired",
    note = "declare the label with an idle time, as in `runtime_label! {{ pub struct {Self}: \
            capacity = 64, idle = Duration::from_secs(300); }}`, or remove `#[label(retires)]`"
)]
pub trait RetiringLabel: LabelValue {
    /// Enters the value's slot for one record: the value and the slot
    /// entered, or `other` and nothing entered when the value was retired.
    #[cfg(not(loom))]
    fn enter(self) -> (Self, Entered);

    /// Enters the slot of value `index` at its current generation, for
    /// `merge_from`: `None` when no value holds it.
    #[cfg(not(loom))]
    fn enter_index(index: usize) -> Option<Entered>;
}

/// A label whose values are kept for the life of the process: what a
/// metric asks of a label it does not mark `#[label(retires)]`, so that
/// the compiler says why on a runtime label whose values retire (see
/// [`LabelCheck`]). Nothing implements it.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` retires its values: mark the label `#[label(retires)]`",
    label = "a label whose values retire, not marked",
    note = "a metric labelled by a runtime label declared with `idle` returns a handle that \
            holds the value while it records (so that a retired value's slot never takes its \
            records): write `#[label(retires)]` on the field"
)]
pub trait KeptLabel {}

/// A runtime label whose values retire: its method's bound fails.
#[doc(hidden)]
pub trait RetiringLabelCheck<T> {
    /// On a metric that does not mark it `#[label(retires)]`.
    fn kept(&self)
    where
        T: KeptLabel;
}

impl<T: RetiringLabel> RetiringLabelCheck<T> for &LabelCheck<T> {
    fn kept(&self)
    where
        T: KeptLabel,
    {
    }
}
