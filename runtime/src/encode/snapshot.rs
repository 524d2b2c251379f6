//! Reading every series' current value: a visitor over a registry or a
//! group, and an owned snapshot of it (serializable with the `serde`
//! feature), for JSON endpoints, push backends and tests.

use std::borrow::Cow;

use crate::cells::group::Group;
use crate::cells::metric::MetricDesc;
use crate::read::registry::Registry;
use crate::read::{Family, Reader, SeriesRead, Writer};

pub use crate::read::Value;

/// One series, as the visitor sees it.
#[derive(Debug)]
pub struct Series<'a> {
    /// The metric it belongs to.
    pub metric: &'static MetricDesc,
    /// Its label values, in the order of `metric.labels` (borrowed for the
    /// call: a value of the `metrics` facade lives only while its series
    /// does).
    pub label_values: &'a [&'a str],
    /// Its value, borrowing the reader's buffers
    /// ([`Value::into_owned`] keeps it).
    pub value: Value<'a>,
    /// Its position among the metric's series (series order).
    pub index: usize,
}

/// Calls `f` with every series of `group`, in exposition order. Info
/// metrics yield only their current series.
pub fn for_each_series(group: &dyn Group, f: &mut dyn FnMut(Series<'_>)) {
    Reader::with(|reader| reader.group(group, &mut SeriesWriter { f }));
}

/// Hands each series to a callback with its label values spelled out.
struct SeriesWriter<'f> {
    f: &'f mut dyn FnMut(Series<'_>),
}

impl Writer for SeriesWriter<'_> {
    fn series(&mut self, family: &Family<'_>, series: &SeriesRead<'_>) {
        let label_values: smallvec::SmallVec<[&str; 8]> =
            series.labels(family).map(|(_, value)| value).collect();
        (self.f)(Series {
            metric: family.desc,
            label_values: &label_values,
            value: series.value.clone(),
            index: series.index,
        });
    }
}

/// Collects owned series into a snapshot.
impl Writer for Snapshot {
    fn series(&mut self, family: &Family<'_>, series: &SeriesRead<'_>) {
        self.series.push(SeriesSnapshot {
            name: family.desc.name,
            labels: family
                .desc
                .labels
                .iter()
                .zip(series.digits)
                .enumerate()
                .map(|(i, (label, &digit))| {
                    // A declared or interned name lives for the process; a
                    // transient one only while its series does.
                    let value = match label.value(digit) {
                        Some(value) => Cow::Borrowed(value),
                        None => Cow::Owned(family.label_value(i, digit).to_owned()),
                    };
                    (label.name, value)
                })
                .collect(),
            value: series.value.clone().into_owned(),
        });
    }
}

/// Every series of a registry or group, read at one moment and owned.
///
/// ```
/// use enumeter::{metrics, Registry, Value};
///
/// /// Jobs.
/// #[metrics(namespace = "jobs", register = false)]
/// pub enum Jobs {
///     /// Jobs finished, by whether they succeeded.
///     #[counter]
///     DoneTotal { ok: bool },
/// }
///
/// let jobs = JobsMetrics::new();
/// jobs.done_total(true).add(3);
/// let snapshot = Registry::new().with(&jobs).snapshot();
/// assert_eq!(
///     snapshot.get("jobs_done_total", &[("ok", "true")]),
///     Some(&Value::Counter(3))
/// );
/// assert_eq!(snapshot.series.len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Snapshot {
    /// The series, in exposition order.
    pub series: Vec<SeriesSnapshot>,
}

/// One series of a [`Snapshot`].
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SeriesSnapshot {
    /// The metric name.
    pub name: &'static str,
    /// `(label name, label value)` pairs, in declaration order: a value
    /// declared in the code borrowed, one of the `metrics` facade (which
    /// lives only while its series does) copied.
    pub labels: Vec<(&'static str, Cow<'static, str>)>,
    /// The value.
    pub value: Value<'static>,
}

impl Snapshot {
    /// Reads every series of every group in `groups`.
    pub fn of<'a>(groups: impl IntoIterator<Item = &'a dyn Group>) -> Self {
        let mut snapshot = Snapshot::default();
        Reader::with(|reader| {
            for group in groups {
                reader.group(group, &mut snapshot);
            }
        });
        snapshot
    }

    /// Reads every family of `registry`, merged as it renders them.
    pub(crate) fn of_registry(registry: &Registry<'_>) -> Self {
        let mut snapshot = Snapshot::default();
        Reader::with(|reader| reader.registry(registry, &mut snapshot));
        snapshot
    }

    /// The value of the series named `name` with exactly these labels.
    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<&Value<'static>> {
        self.series
            .iter()
            .find(|s| {
                s.name == name
                    && s.labels.len() == labels.len()
                    && s.labels
                        .iter()
                        .zip(labels)
                        .all(|(a, b)| a.0 == b.0 && a.1 == b.1)
            })
            .map(|s| &s.value)
    }
}
