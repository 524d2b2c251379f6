//! Methods a handle lacks because of how its metric is declared, present
//! only so that calling one is a compile error that says what to declare:
//! each is bound by a trait that nothing implements, whose diagnostic is
//! the message. Without them the compiler would say only "no method named
//! `observe_with_exemplar`". They are hidden from the documentation and can
//! never be called.

use crate::cells::computed::{ComputedCell, ComputedRef};
use crate::cells::counter::Counter;
use crate::cells::histogram::HistogramRef;
use crate::cells::native::NativeHistogramRef;

/// Implemented by no type: the bound of the exemplar methods of a metric
/// declared without `exemplars`.
#[diagnostic::on_unimplemented(
    message = "this metric is declared without `exemplars`, so it has no exemplar to keep",
    label = "no exemplar slot for `{Self}`",
    note = "declare it with `exemplars`: `#[counter(exemplars)]` or \
            `#[histogram(buckets = [...], exemplars)]`, then call this method"
)]
///
/// `L`, the labels' type, is there so that the bound on a type without
/// generics (`Counter`) is checked where the method is called, not where
/// it is defined.
pub trait DeclaredWithExemplars<L: ?Sized = ()> {}

/// Implemented by no type: the bound of the recording methods of a
/// computed metric's handle.
#[diagnostic::on_unimplemented(
    message = "a computed metric takes its values from its source at every scrape: \
               recording into it would be overwritten",
    label = "`{Self}` is read-only",
    note = "give the value through the generated `set_<metric>_source`, or drop `computed` \
            from the declaration to record into the metric"
)]
pub trait RecordedNotComputed {}

/// Implemented by no type: the bound of the `set_<metric>_source`
/// generated for a metric not declared `computed`.
#[diagnostic::on_unimplemented(
    message = "this metric is not declared `computed`: it is recorded into, and takes no source",
    label = "a source for a metric that is not computed",
    note = "declare it `#[gauge(computed)]` or `#[counter(computed)]` to compute it at scrape \
            time from this function, or record into it through its handle"
)]
pub trait SourceOfComputedMetric {}

impl Counter {
    #[doc(hidden)]
    pub fn inc_with_exemplar<L: ?Sized>(&self, _labels: &L)
    where
        Self: DeclaredWithExemplars<L>,
    {
    }

    #[doc(hidden)]
    pub fn add_with_exemplar<L: ?Sized>(&self, _n: u64, _labels: &L)
    where
        Self: DeclaredWithExemplars<L>,
    {
    }
}

impl<const B: usize> HistogramRef<'_, B> {
    #[doc(hidden)]
    pub fn observe_with_exemplar(&self, _value: f64, _labels: &[(&str, &str)])
    where
        Self: DeclaredWithExemplars,
    {
    }
}

impl<const B: usize, const P: usize, const M: usize> NativeHistogramRef<'_, B, P, M> {
    #[doc(hidden)]
    pub fn observe_with_exemplar(&self, _value: f64, _labels: &[(&str, &str)])
    where
        Self: DeclaredWithExemplars,
    {
    }
}

impl<C: ComputedCell> ComputedRef<'_, C> {
    #[doc(hidden)]
    pub fn set(&self, _value: C::Value)
    where
        Self: RecordedNotComputed,
    {
    }

    #[doc(hidden)]
    pub fn inc(&self)
    where
        Self: RecordedNotComputed,
    {
    }

    #[doc(hidden)]
    pub fn dec(&self)
    where
        Self: RecordedNotComputed,
    {
    }

    #[doc(hidden)]
    pub fn add(&self, _value: C::Value)
    where
        Self: RecordedNotComputed,
    {
    }

    #[doc(hidden)]
    pub fn sub(&self, _value: C::Value)
    where
        Self: RecordedNotComputed,
    {
    }
}
