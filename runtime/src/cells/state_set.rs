//! State sets: which one of a closed set of states each series is in.

use super::choice::Choice;
use core::marker::PhantomData;

use crate::label::LabelValue;

/// The cell of one state-set series: its current state, if any.
///
/// Renders one sample per state, 1 for the current state and 0 for the
/// others (all 0 before the first [`set`](StateSetRef::set)).
pub type StateSet = Choice;

/// The handle a state set's recording function returns: one series, typed
/// by its states.
#[derive(Debug)]
pub struct StateSetRef<'a, S> {
    cell: &'a StateSet,
    states: PhantomData<fn(S) -> S>,
}

impl<S> Clone for StateSetRef<'_, S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for StateSetRef<'_, S> {}

impl<'a, S> StateSetRef<'a, S> {
    // Without a bound, so that a states type that is not a label value is
    // reported once, at the type, rather than also here.
    #[inline]
    pub(crate) const fn new(cell: &'a StateSet) -> Self {
        Self {
            cell,
            states: PhantomData,
        }
    }
}

impl<S: LabelValue> StateSetRef<'_, S> {
    /// Moves the series to `state`.
    #[inline]
    pub fn set(&self, state: S) {
        self.cell.set_current(state.index());
    }

    /// The current state, if one was set.
    pub fn get(&self) -> Option<S> {
        self.cell.current().and_then(S::from_index)
    }
}
