//! Reading every series' current value: a visitor over a registry or a
//! group, and an owned snapshot of it (serializable with the `serde`
//! feature), for JSON endpoints, push backends and tests.

use crate::families::merged;
use crate::{
    Cells, Group, HistogramSnapshot, Metric, MetricDesc, Registry, SummaryAccumulator,
    SummarySnapshot,
};

/// The value of one series at the moment it was read.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Value {
    /// A counter (plain or sharded).
    Counter(u64),
    /// A counter of fractional amounts (process CPU seconds, say).
    FloatCounter(f64),
    /// An integer gauge.
    Gauge(i64),
    /// A float gauge.
    FloatGauge(f64),
    /// A histogram's cumulative buckets and sum.
    Histogram {
        /// The finite upper bounds; the last cumulative count is `+Inf`.
        bounds: &'static [f64],
        /// Cumulative counts, one per bound and one for `+Inf`.
        cumulative: Vec<u64>,
        /// The sum of the observations.
        sum: f64,
    },
    /// A summary's windowed quantiles and all-time count and sum.
    Summary {
        /// `(quantile, estimate)` pairs.
        quantiles: Vec<(f64, f64)>,
        /// Observations ever recorded.
        count: u64,
        /// Their sum.
        sum: f64,
    },
    /// The current series of an info metric (value 1).
    Info,
    /// A state set series: its current state, if one was set.
    State(Option<&'static str>),
}

/// One series, as the visitor sees it.
#[derive(Debug)]
pub struct Series<'a> {
    /// The metric it belongs to.
    pub metric: &'static MetricDesc,
    /// Its label values, in the order of `metric.labels`.
    pub label_values: &'a [&'static str],
    /// Its value.
    pub value: Value,
    /// Its position among the metric's series (series order).
    pub index: usize,
}

/// A series' value borrowing the buffers it was read into; [`Value`] is its
/// owned form. The protobuf encoder and remote write read these, so that a
/// histogram or summary series costs no allocation once the buffers grew.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ValueRef<'a> {
    Counter(u64),
    FloatCounter(f64),
    Gauge(i64),
    FloatGauge(f64),
    Histogram {
        bounds: &'static [f64],
        cumulative: &'a [u64],
        sum: f64,
    },
    Summary {
        quantiles: &'a [(f64, f64)],
        count: u64,
        sum: f64,
    },
    Info,
    State(Option<&'static str>),
}

impl ValueRef<'_> {
    fn to_value(self) -> Value {
        match self {
            ValueRef::Counter(v) => Value::Counter(v),
            ValueRef::FloatCounter(v) => Value::FloatCounter(v),
            ValueRef::Gauge(v) => Value::Gauge(v),
            ValueRef::FloatGauge(v) => Value::FloatGauge(v),
            ValueRef::Histogram {
                bounds,
                cumulative,
                sum,
            } => Value::Histogram {
                bounds,
                cumulative: cumulative.to_vec(),
                sum,
            },
            ValueRef::Summary {
                quantiles,
                count,
                sum,
            } => Value::Summary {
                quantiles: quantiles.to_vec(),
                count,
                sum,
            },
            ValueRef::Info => Value::Info,
            ValueRef::State(state) => Value::State(state),
        }
    }
}

/// One series as [`read_family`] passes it: [`Series`] with a borrowed
/// value.
pub(crate) struct SeriesRef<'a> {
    pub(crate) metric: &'static MetricDesc,
    pub(crate) label_values: &'a [&'static str],
    pub(crate) value: ValueRef<'a>,
    pub(crate) index: usize,
}

impl<'a> SeriesRef<'a> {
    fn to_series(&self) -> Series<'a> {
        Series {
            metric: self.metric,
            label_values: self.label_values,
            value: self.value.to_value(),
            index: self.index,
        }
    }
}

/// The buffers series are read into, kept from family to family (and by
/// the protobuf encoder from render to render).
#[derive(Default)]
pub(crate) struct SeriesReader {
    digits: Vec<usize>,
    label_values: Vec<&'static str>,
    histogram: HistogramSnapshot,
    summary: SummarySnapshot,
    summary_acc: SummaryAccumulator,
}

/// Calls `f` with every series of `group`, in exposition order. Info
/// metrics yield only their current series.
pub fn for_each_series(group: &dyn Group, f: &mut dyn FnMut(Series<'_>)) {
    let now_ms = crate::summary::render_now_ms();
    let mut reader = SeriesReader::default();
    group.visit(&mut |metric| {
        read_family(metric, &[], now_ms, &mut reader, &mut |s| f(s.to_series()))
    });
}

/// Calls `f` with every series of `registry`, each family merged as a
/// render merges it, and with the family's cells, for what a series does
/// not carry (a state set's states).
pub(crate) fn for_each_registry_series(
    registry: &Registry<'_>,
    f: &mut dyn FnMut(&Cells<'_>, SeriesRef<'_>),
) {
    let now_ms = crate::summary::render_now_ms();
    let mut reader = SeriesReader::default();
    registry.for_each_family(&mut |metric, merged| {
        let cells = metric.cells;
        read_family(metric, merged, now_ms, &mut reader, &mut |s| f(&cells, s));
    });
}

/// Calls `f` with every series of one family: `metric`'s, with the values
/// of the identical declarations in `merged` added in, as a render writes
/// them.
pub(crate) fn read_family(
    metric: Metric<'_>,
    merged: &[Metric<'_>],
    now_ms: u64,
    reader: &mut SeriesReader,
    f: &mut dyn FnMut(SeriesRef<'_>),
) {
    let desc = metric.desc;
    let SeriesReader {
        digits,
        label_values,
        histogram,
        summary,
        summary_acc,
    } = reader;
    let mut emit = |index: usize, value: ValueRef<'_>| {
        label_values_at(desc, index, digits, label_values);
        f(SeriesRef {
            metric: desc,
            label_values,
            value,
            index,
        });
    };
    match metric.cells {
        Cells::Counter(cells) => {
            for (i, c) in cells.iter().enumerate() {
                let value = c.get().wrapping_add(merged::count(merged, i));
                emit(i, ValueRef::Counter(value));
            }
        }
        Cells::ShardedCounter(cells) => {
            for i in 0..cells.len() {
                let value = cells.get(i).wrapping_add(merged::count(merged, i));
                emit(i, ValueRef::Counter(value));
            }
        }
        Cells::Gauge(cells) => {
            for (i, c) in cells.iter().enumerate() {
                emit(
                    i,
                    ValueRef::Gauge(c.get().wrapping_add(merged::gauge(merged, i))),
                );
            }
        }
        Cells::FloatGauge(cells) => {
            for (i, c) in cells.iter().enumerate() {
                emit(i, ValueRef::FloatGauge(c.get() + merged::float(merged, i)));
            }
        }
        Cells::FloatCounter(cells) => {
            for (i, c) in cells.iter().enumerate() {
                emit(
                    i,
                    ValueRef::FloatCounter(c.get() + merged::float(merged, i)),
                );
            }
        }
        Cells::Histogram { spec, series } => {
            for i in 0..series.len() {
                series.read(i, histogram);
                merged::histogram(merged, i, histogram);
                let value = ValueRef::Histogram {
                    bounds: spec.bounds,
                    cumulative: &histogram.cumulative,
                    sum: histogram.sum,
                };
                emit(i, value);
            }
        }
        Cells::Summary { spec, series } => {
            for i in 0..series.len() {
                summary_acc.clear();
                series.accumulate(spec, i, now_ms, summary_acc);
                merged::summary(merged, i, now_ms, summary_acc);
                summary_acc.finish(spec, summary);
                let value = ValueRef::Summary {
                    quantiles: &summary.quantiles,
                    count: summary.count,
                    sum: summary.sum,
                };
                emit(i, value);
            }
        }
        Cells::Info(cell) => {
            let current = if desc.labels.is_empty() {
                Some(0)
            } else {
                cell.current().or_else(|| merged::info_current(merged))
            };
            if let Some(i) = current {
                emit(i, ValueRef::Info);
            }
        }
        Cells::StateSet { states, cells } => {
            for (i, c) in cells.iter().enumerate() {
                let current = c.current().or_else(|| merged::state(merged, i));
                emit(
                    i,
                    ValueRef::State(current.and_then(|s| states.get(s).copied())),
                );
            }
        }
    }
}

/// The label values of series `index` of `desc`, into `out`.
fn label_values_at(
    desc: &MetricDesc,
    index: usize,
    digits: &mut Vec<usize>,
    out: &mut Vec<&'static str>,
) {
    digits.clear();
    digits.resize(desc.labels.len(), 0);
    crate::metric::series_digits(desc.labels, index, digits);
    out.clear();
    out.extend(
        desc.labels
            .iter()
            .zip(digits.iter())
            .map(|(label, &d)| label.values.get(d).copied().unwrap_or("")),
    );
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
    /// `(label name, label value)` pairs, in declaration order.
    pub labels: Vec<(&'static str, &'static str)>,
    /// The value.
    pub value: Value,
}

impl Snapshot {
    /// Reads every series of every group in `groups`.
    pub fn of<'a>(groups: impl IntoIterator<Item = &'a dyn Group>) -> Self {
        let mut snapshot = Snapshot::default();
        for group in groups {
            for_each_series(group, &mut |s| snapshot.push(s));
        }
        snapshot
    }

    /// Reads every family of `registry`, merged as it renders them.
    pub(crate) fn of_registry(registry: &Registry<'_>) -> Self {
        let mut snapshot = Snapshot::default();
        for_each_registry_series(registry, &mut |_, s| snapshot.push(s.to_series()));
        snapshot
    }

    fn push(&mut self, series: Series<'_>) {
        self.series.push(SeriesSnapshot {
            name: series.metric.name,
            labels: series
                .metric
                .labels
                .iter()
                .map(|l| l.name)
                .zip(series.label_values.iter().copied())
                .collect(),
            value: series.value,
        });
    }

    /// The value of the series named `name` with exactly these labels.
    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> Option<&Value> {
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
