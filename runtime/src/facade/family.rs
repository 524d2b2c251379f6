//! One facade family: its description, its series' cells and label value
//! indices, allocated whole when the family is first seen and kept for the
//! life of the process (a family is leaked once; the number of families is
//! capped), so that handles are plain references to a cell.

use core::fmt;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::cells::counter::Counter;
use crate::cells::gauge::FloatGauge;
use crate::cells::histogram::{Histogram, HistogramSeries, HistogramSnapshot, HistogramSpec};
use crate::cells::metric::{Cells, LabelDesc, Metric, MetricDesc, SeriesLabels};
use crate::label::RuntimeNames;
use crate::runtime_label::OTHER;
use enumeter_common::names::quoted_inner;

/// The buckets of a facade histogram: Prometheus' client libraries'
/// defaults, in seconds (the facade says nothing of buckets).
pub(crate) const DEFAULT_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Cells of a facade histogram series: the default buckets and `+Inf`.
pub(crate) type FacadeHistogram = Histogram<{ DEFAULT_BUCKETS.len() + 1 }>;

/// The spec every facade histogram shares.
pub(crate) static HISTOGRAM_SPEC: HistogramSpec = HistogramSpec {
    bounds: &DEFAULT_BUCKETS,
    units_per_second: 1.0,
    skip_non_positive: false,
};

/// What a facade family records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FacadeKind {
    /// `metrics::counter!`
    Counter,
    /// `metrics::gauge!`
    Gauge,
    /// `metrics::histogram!`
    Histogram,
}

/// The cells of every series of a family, the overflow series last.
enum FamilyCells {
    Counter(Box<[Counter]>),
    Gauge(Box<[FloatGauge]>),
    Histogram(HistogramCells),
}

/// A histogram family's series, for the reader.
struct HistogramCells(Box<[FacadeHistogram]>);

impl HistogramSeries for HistogramCells {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn accumulate(&self, index: usize, snapshot: &mut HistogramSnapshot) {
        if let Some(cell) = self.0.get(index) {
            cell.accumulate(snapshot);
        }
    }
}

/// A cell of one series, which a facade handle records into.
pub(crate) enum Cell {
    /// A counter's.
    Counter(&'static Counter),
    /// A gauge's.
    Gauge(&'static FloatGauge),
    /// A histogram's.
    Histogram(&'static FacadeHistogram),
}

/// The names of one label's values in one family, as the reader reads
/// them: interned as series are created, under the family's lock, and
/// never changed after (index `capacity` is `other`, the overflow series').
pub(crate) struct ValueTable {
    names: Box<[OnceLock<(&'static str, &'static str)>]>,
    len: AtomicUsize,
}

impl fmt::Debug for ValueTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValueTable")
            .field("len", &self.len.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl RuntimeNames for ValueTable {
    fn name(&self, index: usize) -> Option<&'static str> {
        if index == self.names.len() {
            return Some(OTHER);
        }
        self.names.get(index)?.get().map(|n| n.0)
    }

    fn escaped(&self, index: usize) -> Option<&'static str> {
        if index == self.names.len() {
            return Some(OTHER);
        }
        self.names.get(index)?.get().map(|n| n.1)
    }

    fn visible(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }
}

/// Why a series has no slot of its own in its family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Full {
    /// The family holds its cap of series.
    Family,
    /// Every family together holds the facade's cap.
    All,
    /// The series' label names are not the family's.
    LabelNames,
}

/// One family of the facade.
pub(crate) struct Family {
    desc: OnceLock<&'static MetricDesc>,
    undescribed: &'static MetricDesc,
    kind: FacadeKind,
    label_names: Box<[String]>,
    /// Each label's value names, which its description reads.
    tables: &'static [ValueTable],
    /// Series `i`'s value index of label `l` at `i * labels + l`; written
    /// before the series' bit in `recorded` is set.
    digits: Box<[AtomicU32]>,
    recorded: Box<[AtomicU64]>,
    cells: FamilyCells,
    /// The series the family may hold; its overflow series is the one
    /// after them.
    capacity: usize,
    state: Mutex<FamilyState>,
}

/// What a family needs to create series.
#[derive(Default)]
struct FamilyState {
    /// Series created so far (the overflow series not counted).
    series: usize,
    /// Each label's value → index.
    values: Vec<HashMap<Box<str>, u32>>,
    /// Whether the overflow series has been shown.
    overflow_shown: bool,
}

/// Empty names, a label's `values` until its runtime names are read: one
/// array for every family, sliced to each label's cardinality.
static NO_NAMES: [&str; super::MAX_SERIES_PER_FAMILY + 1] = [""; super::MAX_SERIES_PER_FAMILY + 1];

impl Family {
    /// A family named `name` (as the exposition writes it) of `kind`, whose
    /// series have the labels `label_names` and number at most `capacity`
    /// (at most [`super::MAX_SERIES_PER_FAMILY`]); leaked, once.
    pub(crate) fn leak(
        name: &'static str,
        kind: FacadeKind,
        label_names: Vec<String>,
        capacity: usize,
        help: Option<(&str, Option<&'static str>)>,
    ) -> &'static Family {
        let capacity = capacity.min(super::MAX_SERIES_PER_FAMILY);
        let tables: &'static [ValueTable] = Box::leak(
            label_names
                .iter()
                .map(|_| ValueTable {
                    names: (0..capacity).map(|_| OnceLock::new()).collect(),
                    len: AtomicUsize::new(0),
                })
                .collect(),
        );
        let labels: &'static [LabelDesc] = Box::leak(
            label_names
                .iter()
                .zip(tables)
                .map(|(label, table)| {
                    let label: &'static str = Box::leak(label.clone().into_boxed_str());
                    LabelDesc::new(label, &NO_NAMES[..capacity + 1])
                        .with_runtime(Some(table as &dyn RuntimeNames))
                })
                .collect(),
        );
        let undescribed: &'static MetricDesc =
            Box::leak(Box::new(MetricDesc::new(name, "", labels)));
        let slots = capacity + 1;
        let cells = match kind {
            FacadeKind::Counter => {
                FamilyCells::Counter((0..slots).map(|_| Counter::new()).collect())
            }
            FacadeKind::Gauge => {
                FamilyCells::Gauge((0..slots).map(|_| FloatGauge::new()).collect())
            }
            FacadeKind::Histogram => FamilyCells::Histogram(HistogramCells(
                (0..slots).map(|_| FacadeHistogram::new()).collect(),
            )),
        };
        let family = Box::leak(Box::new(Family {
            desc: OnceLock::new(),
            undescribed,
            kind,
            digits: (0..slots * label_names.len())
                .map(|_| AtomicU32::new(0))
                .collect(),
            recorded: (0..slots.div_ceil(64)).map(|_| AtomicU64::new(0)).collect(),
            cells,
            tables,
            capacity,
            state: Mutex::new(FamilyState {
                values: label_names.iter().map(|_| HashMap::new()).collect(),
                ..FamilyState::default()
            }),
            label_names: label_names.into_boxed_slice(),
        }));
        if let Some((help, unit)) = help {
            family.describe(help, unit);
        }
        family
    }

    /// The family's kind.
    pub(crate) fn kind(&self) -> FacadeKind {
        self.kind
    }

    /// The family's label names, sorted.
    pub(crate) fn label_names(&self) -> &[String] {
        &self.label_names
    }

    /// Gives the family its HELP text (and unit, when its name ends with
    /// it), once: a later description is ignored.
    pub(crate) fn describe(&self, help: &str, unit: Option<&'static str>) {
        let base = self.undescribed;
        self.desc.get_or_init(|| {
            // Kept for the life of the family: once per family.
            let help: &'static str = Box::leak(help.into());
            let desc = MetricDesc::new(base.name, help, base.labels);
            let stem = base.name.strip_suffix("_total").unwrap_or(base.name);
            let desc = match unit {
                Some(unit) if !unit.is_empty() && stem.ends_with(&format!("_{unit}")) => {
                    desc.with_unit(unit)
                }
                _ => desc,
            };
            Box::leak(Box::new(desc))
        });
    }

    fn desc(&self) -> &'static MetricDesc {
        self.desc.get().copied().unwrap_or(self.undescribed)
    }

    /// The family as the reader reads it.
    pub(crate) fn metric(&'static self) -> Metric<'static> {
        let cells = match &self.cells {
            FamilyCells::Counter(cells) => Cells::Counter(cells),
            FamilyCells::Gauge(cells) => Cells::FloatGauge(cells),
            FamilyCells::Histogram(cells) => Cells::Histogram {
                spec: &HISTOGRAM_SPEC,
                series: cells,
            },
        };
        Metric::new(self.desc(), cells)
            .with_recorded(Some(&self.recorded))
            .with_series_labels(self)
    }

    /// A new series with `values` (one per label, in the order of
    /// [`label_names`](Self::label_names)), or why there is no room for it.
    /// `reserve` takes one series from the facade's total and says whether
    /// there was one.
    pub(crate) fn create(
        &'static self,
        values: &[&str],
        reserve: impl FnOnce() -> bool,
    ) -> Result<Cell, Full> {
        if values.len() != self.label_names.len() {
            return Err(Full::LabelNames);
        }
        // Every label `other` is the overflow series' label set: the same
        // series, never a second one with the same labels.
        if !values.is_empty() && values.iter().all(|v| *v == OTHER) {
            return Ok(self.overflow());
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.series == self.capacity {
            return Err(Full::Family);
        }
        if !reserve() {
            return Err(Full::All);
        }
        let slot = state.series;
        state.series += 1;
        let labels = self.label_names.len();
        let tables = self.tables;
        for (l, value) in values.iter().enumerate() {
            let known = state.values[l].get(*value).copied();
            let index = known.unwrap_or_else(|| {
                // Interned before any series names it: its name is there
                // when the reader sees the index.
                let table = &tables[l];
                let index = table.len.load(Ordering::Relaxed);
                let name: &'static str = Box::leak((*value).into());
                let escaped = quoted_inner(name);
                let escaped: &'static str = if escaped == name {
                    name
                } else {
                    Box::leak(escaped.into_boxed_str())
                };
                let _ = table.names[index].set((name, escaped));
                table.len.store(index + 1, Ordering::Release);
                let index = index as u32;
                state.values[l].insert((*value).into(), index);
                index
            });
            self.digits[slot * labels + l].store(index, Ordering::Relaxed);
        }
        self.show(slot);
        Ok(self.cell(slot))
    }

    /// The overflow series: every label `other` (a family without labels
    /// has only the one series, which is its own overflow, shown even when
    /// the facade's total cap kept it from being made).
    pub(crate) fn overflow(&'static self) -> Cell {
        if self.label_names.is_empty() {
            self.show(0);
            return self.cell(0);
        }
        let slot = self.capacity;
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if !state.overflow_shown {
            state.overflow_shown = true;
            let labels = self.label_names.len();
            for l in 0..labels {
                self.digits[slot * labels + l].store(self.capacity as u32, Ordering::Relaxed);
            }
            self.show(slot);
        }
        self.cell(slot)
    }

    /// Sets series `slot`'s bit: the reader writes it from now on.
    fn show(&self, slot: usize) {
        self.recorded[slot / 64].fetch_or(1 << (slot % 64), Ordering::Release);
    }

    fn cell(&'static self, slot: usize) -> Cell {
        match &self.cells {
            FamilyCells::Counter(cells) => Cell::Counter(&cells[slot]),
            FamilyCells::Gauge(cells) => Cell::Gauge(&cells[slot]),
            FamilyCells::Histogram(cells) => Cell::Histogram(&cells.0[slot]),
        }
    }
}

impl SeriesLabels for Family {
    fn digits(&self, index: usize, digits: &mut [usize]) {
        let labels = self.label_names.len();
        for (l, digit) in digits.iter_mut().enumerate().take(labels) {
            *digit = self.digits[index * labels + l].load(Ordering::Relaxed) as usize;
        }
    }
}
