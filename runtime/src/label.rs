//! Label values: the closed sets a metric can be labelled by.

use core::fmt;
use core::marker::PhantomData;
use std::sync::RwLockReadGuard;

/// A closed set of label values, usually derived with
/// [`#[derive(LabelValue)]`](derive@crate::LabelValue) on a fieldless enum.
///
/// Every value has a dense index in `0..CARDINALITY` and a name, the string
/// that appears in the exposition. A metric labelled by values `A` and `B`
/// owns `A::CARDINALITY * B::CARDINALITY` series, laid out densely.
///
/// # Contract for manual implementations
///
/// `index` must return a value below `CARDINALITY`, `NAMES[v.index()]` must be
/// the name of `v`, and `from_index(i)` must be `Some(v)` with
/// `v.index() == i` for every `i` below `CARDINALITY` (and `None` above).
/// The derive upholds this; a manual implementation that breaks it makes
/// recording panic on an out-of-bounds index.
///
/// # Example
///
/// ```
/// use enumeter::LabelValue;
///
/// #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
/// #[label(rename_all = "lowercase")]
/// pub enum Direction {
///     Inbound,
///     Outbound,
/// }
///
/// assert_eq!(Direction::CARDINALITY, 2);
/// assert_eq!(Direction::Outbound.index(), 1);
/// assert_eq!(Direction::Outbound.as_str(), "outbound");
/// assert_eq!(Direction::from_name("inbound"), Some(Direction::Inbound));
/// assert_eq!(Direction::from_index(1), Some(Direction::Outbound));
/// assert!(Direction::all().eq([Direction::Inbound, Direction::Outbound]));
/// assert!(<Direction as LabelValue>::parse("sideways").is_err());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a label value",
    label = "not a closed set of label values",
    note = "a label is a fieldless enum with #[derive(enumeter::LabelValue)], `bool`, or a \
            bounded set of values known at run time declared with `enumeter::runtime_label!`; \
            unbounded values such as ids or free-form strings do not belong in labels"
)]
pub trait LabelValue: Copy + Send + Sync + 'static {
    /// How many distinct values the set has.
    const CARDINALITY: usize;
    /// The exposition name of every value, in index order.
    const NAMES: &'static [&'static str];
    /// [`NAMES`](Self::NAMES) already escaped for a quoted label value
    /// (`\`, `"` and newline), so that rendering copies bytes instead of
    /// escaping them on every scrape. The derive computes it at compile
    /// time; `None` (the default) escapes at render time.
    const ESCAPED_NAMES: Option<&'static [&'static str]> = None;
    /// For a label whose values are known only at run time
    /// ([`runtime_label!`](crate::runtime_label!)): the table the reader
    /// takes their names from (`NAMES` then holds an empty name per value).
    /// `None` for a closed set.
    const RUNTIME: Option<&'static dyn RuntimeNames> = None;

    /// The dense index of this value, in `0..CARDINALITY`.
    fn index(self) -> usize;

    /// The value whose index is `index`, or `None` from `CARDINALITY` on.
    ///
    /// There is deliberately no constant array of every value: the compiler
    /// checks each enum value in a constant with a search through the
    /// enum's variants, which grows with the square of the set's size (25 s
    /// per array for 100,000 values). The derive answers with `match`es of
    /// at most 256 arms instead.
    fn from_index(index: usize) -> Option<Self>;

    /// The value whose name is `name`, if there is one.
    fn from_name(name: &str) -> Option<Self>;

    /// Every value, in index order.
    #[inline]
    fn all() -> LabelValues<Self> {
        LabelValues::new()
    }

    /// The exposition name of this value.
    #[inline]
    fn as_str(self) -> &'static str {
        Self::NAMES[self.index()]
    }

    /// The value whose name is `name`, or an error that says which set was
    /// asked and what it was asked for.
    fn parse(name: &str) -> Result<Self, ParseLabelError> {
        Self::from_name(name).ok_or_else(|| ParseLabelError {
            type_name: core::any::type_name::<Self>(),
            value: name.into(),
        })
    }
}

/// A label whose values are all declared in the code: what a metric that
/// is not `sparse` asks of a runtime label, so that the compiler says why
/// on the label's type (see [`LabelCheck`]). Nothing implements it.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` takes values known only at run time: its metric must be declared `sparse`",
    label = "a runtime label, on a metric that is not sparse",
    note = "a metric with a runtime label shows a series once recorded into: declare it \
            `sparse`, as in `#[counter(sparse)]` or `#[histogram(sparse, buckets = [...])]`"
)]
pub trait ClosedLabel {}

/// The same, in a computed metric's words: a computed metric shows every
/// series, so it cannot be `sparse`, which a runtime label needs. Nothing
/// implements it.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "a computed metric's labels are declared in the code: `{Self}` takes values \
               known only at run time",
    label = "a runtime label on a computed metric",
    note = "a computed metric shows every series and cannot be `sparse`, which a runtime \
            label needs: label it by an enum deriving `LabelValue`, or record the values \
            into a `sparse` metric that is not computed"
)]
pub trait ComputedLabel {}

/// The same, in a state set's words. Nothing implements it.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "the states of a state set are a closed set: `{Self}` takes values known only \
               at run time",
    label = "a runtime label as the states",
    note = "name the states with an enum deriving `LabelValue`"
)]
pub trait ClosedStates {}

/// Implemented by `runtime_label!` for its handle types.
#[doc(hidden)]
pub trait RuntimeLabel {}

/// Asks, at compile time, that a metric's label type `T` be no runtime
/// label: generated code calls `(&&LabelCheck::<T>::NEW).dense()` (or
/// `.computed()`), and method resolution picks, for a runtime label, the
/// method whose bound fails with [`ClosedLabel`]'s (or
/// [`ComputedLabel`]'s) words on `T`; for any other type, the method that
/// asks nothing. So a label written by hand needs nothing more than
/// [`LabelValue`], and a type that is no label value at all gets only the
/// error that says so.
#[doc(hidden)]
pub struct LabelCheck<T>(PhantomData<T>);

impl<T> LabelCheck<T> {
    /// The check of `T`.
    pub const NEW: Self = Self(PhantomData);
}

/// The runtime label's methods: their bounds fail.
#[doc(hidden)]
pub trait RuntimeLabelCheck<T> {
    /// On a metric that is not sparse.
    fn dense(&self)
    where
        T: ClosedLabel;
    /// On a computed metric.
    fn computed(&self)
    where
        T: ComputedLabel;
    /// As a state set's states.
    fn states(&self)
    where
        T: ClosedStates;
}

impl<T: RuntimeLabel> RuntimeLabelCheck<T> for &LabelCheck<T> {
    fn dense(&self)
    where
        T: ClosedLabel,
    {
    }
    fn computed(&self)
    where
        T: ComputedLabel,
    {
    }
    fn states(&self)
    where
        T: ClosedStates,
    {
    }
}

/// Every other type's methods: nothing asked.
#[doc(hidden)]
pub trait AnyLabelCheck {
    /// On a metric that does not mark it `#[label(retires)]`.
    fn kept(&self) {}
    /// On a metric that is not sparse.
    fn dense(&self) {}
    /// On a computed metric.
    fn computed(&self) {}
    /// As a state set's states.
    fn states(&self) {}
}

impl<T> AnyLabelCheck for LabelCheck<T> {}

/// Asks `$check` (`dense`, `computed`, `states` or `kept`) of the label type `$ty`,
/// with the check traits in scope here, so that the code `#[metrics]`
/// writes holds no `use` of the runtime and names it through paths alone.
#[doc(hidden)]
#[macro_export]
macro_rules! __label_check {
    ($ty:ty, $check:ident) => {
        const _: fn() = || {
            #[allow(unused_imports)]
            use $crate::__private::{
                AnyLabelCheck as _, RetiringLabelCheck as _, RuntimeLabelCheck as _,
            };
            (&&$crate::__private::LabelCheck::<$ty>::NEW).$check();
        };
    };
}

/// `false` and `true`, in that order.
#[diagnostic::do_not_recommend]
impl LabelValue for bool {
    const CARDINALITY: usize = 2;
    const NAMES: &'static [&'static str] = &["false", "true"];
    const ESCAPED_NAMES: Option<&'static [&'static str]> = Some(&["false", "true"]);

    #[inline]
    fn index(self) -> usize {
        self as usize
    }

    #[inline]
    fn from_index(index: usize) -> Option<Self> {
        match index {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "false" => Some(false),
            "true" => Some(true),
            _ => None,
        }
    }
}

/// Every value of a label set, in index order; from [`LabelValue::all`].
///
/// Values are made one at a time from their indices, so iterating costs no
/// table and the iterator knows its exact length.
///
/// ```
/// use enumeter::LabelValue;
///
/// #[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
/// pub enum Tier {
///     Free,
///     Paid,
///     Internal,
/// }
///
/// let names: Vec<&str> = Tier::all().rev().map(Tier::as_str).collect();
/// assert_eq!(names, ["Internal", "Paid", "Free"]);
/// assert_eq!(Tier::all().len(), Tier::CARDINALITY);
/// ```
pub struct LabelValues<L> {
    indices: core::ops::Range<usize>,
    set: PhantomData<fn() -> L>,
}

impl<L: LabelValue> LabelValues<L> {
    /// Every value of `L`.
    #[inline]
    pub fn new() -> Self {
        Self {
            indices: 0..L::CARDINALITY,
            set: PhantomData,
        }
    }
}

impl<L: LabelValue> Default for LabelValues<L> {
    fn default() -> Self {
        Self::new()
    }
}

impl<L> Clone for LabelValues<L> {
    fn clone(&self) -> Self {
        Self {
            indices: self.indices.clone(),
            set: PhantomData,
        }
    }
}

impl<L> fmt::Debug for LabelValues<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LabelValues")
            .field("indices", &self.indices)
            .finish()
    }
}

impl<L: LabelValue> Iterator for LabelValues<L> {
    type Item = L;

    #[inline]
    fn next(&mut self) -> Option<L> {
        self.indices.next().and_then(L::from_index)
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.indices.size_hint()
    }

    #[inline]
    fn nth(&mut self, n: usize) -> Option<L> {
        self.indices.nth(n).and_then(L::from_index)
    }
}

impl<L: LabelValue> DoubleEndedIterator for LabelValues<L> {
    #[inline]
    fn next_back(&mut self) -> Option<L> {
        self.indices.next_back().and_then(L::from_index)
    }
}

impl<L: LabelValue> ExactSizeIterator for LabelValues<L> {}

impl<L: LabelValue> core::iter::FusedIterator for LabelValues<L> {}

/// A string named no value of a label set; returned by [`LabelValue::parse`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseLabelError {
    type_name: &'static str,
    value: Box<str>,
}

impl ParseLabelError {
    /// The string that named no value.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The Rust type of the label set that was asked.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }
}

impl fmt::Display for ParseLabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} names no value of label set `{}`",
            self.value, self.type_name
        )
    }
}

impl std::error::Error for ParseLabelError {}

/// The names of a label's values that change while the process runs: the
/// `metrics` facade's, each the value of one series slot, replaced when the
/// slot's series is retired and another takes it; and a runtime label's
/// declared with an idle time, whose retired values give their slots to new
/// ones. The reader copies them when it begins a family (no such name is
/// ever handed out as `'static`). Public only to be named by
/// [`RuntimeNames::transient_names`]; nothing outside the crate implements
/// or calls it.
pub trait TransientNames: Sync + fmt::Debug {
    /// Calls `f` with the index, text, escaped text (for a quoted label
    /// value) and generation of each value that names a series now (the
    /// facade passes generation 0: its families check their own).
    fn each(&self, f: &mut dyn FnMut(usize, &str, &str, u32));

    /// Retires what has been idle long enough, if anything may be; called
    /// by the reader before it begins a family (the facade sweeps its own
    /// families as it is visited).
    fn sweep(&self) {}

    /// Held by the reader from the copy of the names to the end of the
    /// family, so that no value is retired (and its slot given to another)
    /// while the family's series are read: `None` when the names' owner
    /// keeps them stable another way (the facade holds its family's lock
    /// itself).
    fn reading(&'static self) -> Option<RwLockReadGuard<'static, ()>> {
        None
    }
}

/// The names of a runtime label's values, as the reader sees them.
pub trait RuntimeNames: Sync + fmt::Debug {
    /// The value at `index`: an interned one, `other` at the capacity, or
    /// `None` (a slot not interned yet, past the end, or a value of a label
    /// whose values retire, which has no lasting name).
    fn name(&self, index: usize) -> Option<&'static str>;
    /// The same, escaped for a quoted label value.
    fn escaped(&self, index: usize) -> Option<&'static str>;
    /// How many values are interned: every index below it names one, and
    /// stays named.
    fn visible(&self) -> usize;
    /// For a label whose values retire (`runtime_label!` with `idle`):
    /// the names the reader copies as it begins a family, as the `metrics`
    /// facade's. `None` for values kept for the life of the process.
    #[doc(hidden)]
    fn transient_names(&self) -> Option<&dyn TransientNames> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bool_is_a_label_value_with_false_first() {
        assert_eq!(<bool as LabelValue>::NAMES, &["false", "true"]);
        assert_eq!(true.index(), 1);
        assert_eq!(<bool as LabelValue>::from_name("true"), Some(true));
        assert_eq!(<bool as LabelValue>::from_name("True"), None);
        assert_eq!(<bool as LabelValue>::from_index(1), Some(true));
        assert_eq!(<bool as LabelValue>::from_index(2), None);
        assert_eq!(
            <bool as LabelValue>::all().collect::<Vec<_>>(),
            [false, true]
        );
    }

    #[test]
    fn parse_error_names_the_set_and_the_value() {
        let err = <bool as LabelValue>::parse("maybe").unwrap_err();
        assert_eq!(err.value(), "maybe");
        assert_eq!(
            err.to_string(),
            "\"maybe\" names no value of label set `bool`"
        );
    }
}
