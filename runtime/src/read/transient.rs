//! The values of a family's transient labels (the `metrics` facade's,
//! whose names change as series retire and others take their slots, and
//! a runtime label's whose values retire), copied when the reader begins
//! the family: every output of one read names a series as that read
//! began, and nothing outlives the read.

use core::sync::atomic::{AtomicU32, Ordering};
use std::sync::RwLockReadGuard;

use crate::cells::metric::MetricDesc;

/// The copied values: text and escaped text of each label's values that
/// named a series when the family began.
#[derive(Debug, Default)]
pub(crate) struct TransientValues {
    /// Every copied text and escaped text, one after the other.
    text: String,
    /// Of each label, where its values begin in `values` (`None`: a label
    /// whose names are not transient).
    first: Vec<Option<usize>>,
    /// Of each value: where its text ends and where its escaped text
    /// (which follows it) begins and ends; `None` for no series.
    values: Vec<Option<(usize, usize, usize)>>,
    /// Held from the copy to the end of the family: no value of a label
    /// whose values retire is retired meanwhile.
    reading: Vec<RwLockReadGuard<'static, ()>>,
}

impl TransientValues {
    /// Copies the values of `desc`'s transient labels; false (nothing
    /// copied) for a family without any. Of the label at `generations`'
    /// position (a runtime label whose values retire), a value is copied
    /// only if the metric's cells were cleared for its generation: a
    /// series of it holds its own counts, not a retired value's.
    pub(crate) fn fill(
        &mut self,
        desc: &MetricDesc,
        generations: Option<(usize, &[AtomicU32])>,
    ) -> bool {
        self.release();
        self.text.clear();
        self.first.clear();
        self.values.clear();
        if !desc.labels.iter().any(|l| l.is_transient()) {
            return false;
        }
        let Self {
            text,
            first,
            values,
            reading,
        } = self;
        for (position, label) in desc.labels.iter().enumerate() {
            let Some(names) = label.transient() else {
                first.push(None);
                continue;
            };
            names.sweep();
            reading.extend(names.reading());
            let seen = generations
                .filter(|&(at, _)| at == position)
                .map(|(_, seen)| seen);
            let start = values.len();
            first.push(Some(start));
            values.resize(start + label.cardinality(), None);
            names.each(&mut |index, name, escaped, generation| {
                // Acquire: the clearing that stored this generation is seen.
                let current = seen.is_none_or(|seen| {
                    seen.get(index)
                        .is_some_and(|s| s.load(Ordering::Acquire) == generation)
                });
                if !current {
                    return;
                }
                if let Some(value) = values[start..].get_mut(index) {
                    let begin = text.len();
                    text.push_str(name);
                    let end = text.len();
                    text.push_str(escaped);
                    *value = Some((begin, end, text.len()));
                }
            });
        }
        true
    }

    /// Lets the values copied be retired again: at the end of the family.
    pub(crate) fn release(&mut self) {
        self.reading.clear();
    }

    fn span(&self, label: usize, index: usize) -> Option<(usize, usize, usize)> {
        let first = (*self.first.get(label)?)?;
        *self.values.get(first + index)?
    }

    /// Whether label `label`'s values were copied (it is transient): a
    /// look at the copy, with no call to the label's names.
    #[inline]
    pub(crate) fn copied(&self, label: usize) -> bool {
        matches!(self.first.get(label), Some(Some(_)))
    }

    /// Whether label `label` is transient and its value `index` names a
    /// series in this read.
    pub(crate) fn names(&self, label: usize, index: usize) -> bool {
        self.span(label, index).is_some()
    }

    /// Label `label`'s value `index`, if copied.
    pub(crate) fn value(&self, label: usize, index: usize) -> Option<&str> {
        let (begin, end, _) = self.span(label, index)?;
        self.text.get(begin..end)
    }

    /// The same, escaped for a quoted label value.
    pub(crate) fn escaped(&self, label: usize, index: usize) -> Option<&str> {
        let (_, end, escaped_end) = self.span(label, index)?;
        self.text.get(end..escaped_end)
    }
}
