//! The values of a family's transient labels (the `metrics` facade's,
//! whose names change as series retire and others take their slots),
//! copied when the reader begins the family: every output of one read
//! names a series as that read began, and nothing outlives the read.

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
}

impl TransientValues {
    /// Copies the values of `desc`'s transient labels; false (nothing
    /// copied) for a family without any.
    pub(crate) fn fill(&mut self, desc: &MetricDesc) -> bool {
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
        } = self;
        for label in desc.labels {
            let Some(names) = label.transient() else {
                first.push(None);
                continue;
            };
            let start = values.len();
            first.push(Some(start));
            values.resize(start + label.cardinality(), None);
            names.each(&mut |index, name, escaped| {
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

    fn span(&self, label: usize, index: usize) -> Option<(usize, usize, usize)> {
        let first = (*self.first.get(label)?)?;
        *self.values.get(first + index)?
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
