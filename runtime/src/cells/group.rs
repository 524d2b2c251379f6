//! A group: the storage of one `#[metrics]` enum.

use crate::cells::metric::Metric;

/// The storage of one `#[metrics]` enum, readable by a registry.
///
/// Implemented by the generated storage type (`<Enum>Metrics`); there is no
/// need to implement it by hand.
pub trait Group: Sync {
    /// A name for the group that is stable across builds, used to order the
    /// groups of the default registry (the enum's module path and name).
    fn name(&self) -> &'static str;

    /// Calls `visitor` once per metric, in declaration order.
    fn visit<'a>(&'a self, visitor: &mut dyn FnMut(Metric<'a>));
}
