//! One facade family: its description, its series' cells and label values,
//! allocated whole when the family is first seen and kept for the life of
//! the process (a family is leaked once; the number of families is
//! capped). A family whose series never retire hands out plain references
//! to a cell; one whose series retire when idle reuses their slots, and its
//! handles check the slot's generation ([`SlotState`]).

use core::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};

use metrics::Key;

use crate::cells::counter::Counter;
use crate::cells::gauge::FloatGauge;
use crate::cells::histogram::HistogramSpec;
use crate::cells::metric::{Cells, LabelDesc, Metric, MetricDesc, SeriesLabels};
use crate::label::TransientNames;
use crate::runtime_label::OTHER;
use enumeter_common::names::quoted_inner;

use super::histogram::{FacadeHistogram, HistogramCells};
use crate::cells::slot::SlotState;

/// The buckets of a facade histogram whose name was given none: Prometheus'
/// client libraries' defaults, in seconds (the facade says nothing of
/// buckets).
pub(crate) const DEFAULT_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The spec of a facade histogram with the default buckets.
pub(crate) static DEFAULT_SPEC: HistogramSpec = HistogramSpec {
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

/// A cell of one series, which a facade handle records into.
pub(crate) enum Cell<'a> {
    /// A counter's.
    Counter(&'a Counter),
    /// A gauge's.
    Gauge(&'a FloatGauge),
    /// A histogram's, and its family's buckets.
    Histogram(&'a FacadeHistogram, &'static HistogramSpec),
}

/// Each slot's label values (text, escaped) in the family's label order,
/// while the slot holds a series.
type SlotNames = RwLock<Vec<Option<Box<[(Box<str>, Box<str>)]>>>>;

/// The values of one label of one family, as the reader copies them: value
/// `i` is series slot `i`'s (index `capacity` is `other`, the overflow
/// series').
pub(crate) struct LabelNames {
    /// Every slot's names, shared by the family's labels.
    slots: &'static SlotNames,
    /// Which label.
    label: usize,
    /// The family's capacity: the overflow series' index.
    capacity: usize,
}

impl fmt::Debug for LabelNames {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LabelNames")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl TransientNames for LabelNames {
    fn each(&self, f: &mut dyn FnMut(usize, &str, &str, u32)) {
        let slots = self.slots.read().unwrap_or_else(PoisonError::into_inner);
        for (index, names) in slots.iter().enumerate() {
            if let Some((name, escaped)) = names.as_ref().and_then(|n| n.get(self.label)) {
                f(index, name, escaped, 0);
            }
        }
        f(self.capacity, OTHER, OTHER, 0);
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

/// Where a key records: a series slot and the generation of its series
/// there (0 in a family whose series never retire).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) slot: usize,
    pub(crate) generation: u32,
}

impl Target {
    /// Packed into one word, for a handle that may move.
    pub(crate) fn pack(self) -> u64 {
        (self.slot as u64) << 32 | u64::from(self.generation)
    }

    pub(crate) fn unpack(word: u64) -> Self {
        Self {
            slot: (word >> 32) as usize,
            generation: word as u32,
        }
    }
}

/// One family of the facade.
pub(crate) struct Family {
    desc: OnceLock<&'static MetricDesc>,
    undescribed: &'static MetricDesc,
    kind: FacadeKind,
    /// A histogram family's buckets.
    spec: &'static HistogramSpec,
    label_names: Box<[String]>,
    /// Each slot's label values while it holds a series.
    names: &'static SlotNames,
    recorded: Box<[AtomicU64]>,
    cells: FamilyCells,
    /// The series the family may hold; its overflow series is the one
    /// after them.
    capacity: usize,
    /// How long a series stays without a record before it is retired;
    /// `None`: kept for the life of the process.
    idle: Option<Duration>,
    /// Each slot's generation and record counts (a family whose series
    /// retire; empty otherwise).
    slots: Box<[SlotState]>,
    state: Mutex<FamilyState>,
    /// Held for reading while the reader reads the family; for writing
    /// while series retire, so that a read never sees a slot change hands.
    reading: RwLock<()>,
}

/// What a family needs to make and retire series.
struct FamilyState {
    /// Slots from here on were never used.
    unused: usize,
    /// Slots whose series were retired, free for new ones.
    free: Vec<usize>,
    /// Series held (the overflow series not counted).
    series: usize,
    /// Whether the overflow series has been shown.
    overflow_shown: bool,
    /// Each used slot's key, while it holds a series (families whose
    /// series retire).
    keys: Vec<Option<Key>>,
    /// Each used slot's entered count as the sweep last saw it change, and
    /// when.
    seen: Vec<(u32, Instant)>,
}

/// Empty names, a label's `values` (its cardinality): one array for every
/// family, sliced to each label's cardinality.
static NO_NAMES: [&str; super::MAX_SERIES_PER_FAMILY + 1] = [""; super::MAX_SERIES_PER_FAMILY + 1];

impl Family {
    /// A family named `name` (as the exposition writes it) of `kind`, whose
    /// series have the labels `label_names` and number at most `capacity`
    /// (at most [`super::MAX_SERIES_PER_FAMILY`]), a histogram's buckets
    /// those of `spec`, retired after `idle`
    /// without a record when given; leaked, once.
    pub(crate) fn leak(
        name: &'static str,
        kind: FacadeKind,
        label_names: Vec<String>,
        capacity: usize,
        spec: &'static HistogramSpec,
        idle: Option<Duration>,
        help: Option<(&str, Option<&'static str>)>,
    ) -> &'static Family {
        let capacity = capacity.clamp(1, super::MAX_SERIES_PER_FAMILY);
        let names: &'static SlotNames = Box::leak(Box::new(RwLock::new(Vec::new())));
        let labels: &'static [LabelDesc] = Box::leak(
            label_names
                .iter()
                .enumerate()
                .map(|(l, label)| {
                    let label: &'static str = Box::leak(label.clone().into_boxed_str());
                    let values: &'static LabelNames = Box::leak(Box::new(LabelNames {
                        slots: names,
                        label: l,
                        capacity,
                    }));
                    LabelDesc::new(label, &NO_NAMES[..capacity + 1]).with_transient(values)
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
                (0..slots)
                    .map(|_| FacadeHistogram::new(spec.bounds.len() + 1))
                    .collect(),
            )),
        };
        // A family without labels has its one series, which stays: what
        // retires is a label value that went away.
        let idle = idle.filter(|_| !label_names.is_empty());
        let retiring = if idle.is_some() { capacity } else { 0 };
        let family = Box::leak(Box::new(Family {
            desc: OnceLock::new(),
            undescribed,
            kind,
            spec,
            names,
            recorded: (0..slots.div_ceil(64)).map(|_| AtomicU64::new(0)).collect(),
            cells,
            capacity,
            idle,
            slots: (0..retiring).map(|_| SlotState::new()).collect(),
            state: Mutex::new(FamilyState {
                unused: 0,
                free: Vec::new(),
                series: 0,
                overflow_shown: false,
                keys: Vec::new(),
                seen: Vec::new(),
            }),
            reading: RwLock::new(()),
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

    /// Whether the family's series retire when idle.
    pub(crate) fn retires(&self) -> bool {
        self.idle.is_some()
    }

    /// The overflow series' slot, which never retires.
    pub(crate) fn overflow_slot(&self) -> usize {
        if self.label_names.is_empty() {
            0
        } else {
            self.capacity
        }
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

    /// Calls `read` with the family as the reader reads it, holding the
    /// guard under which its series' names stay.
    pub(crate) fn read(&'static self, read: impl FnOnce(Metric<'static>)) {
        let _reading = self.reading.read().unwrap_or_else(PoisonError::into_inner);
        let cells = match &self.cells {
            FamilyCells::Counter(cells) => Cells::Counter(cells),
            FamilyCells::Gauge(cells) => Cells::FloatGauge(cells),
            FamilyCells::Histogram(cells) => Cells::Histogram {
                spec: self.spec,
                series: cells,
            },
        };
        read(
            Metric::new(self.desc(), cells)
                .with_recorded(Some(&self.recorded))
                .with_series_labels(self),
        )
    }

    /// A new series of `key` with `values` (one per label, in the order of
    /// [`label_names`](Self::label_names)), or why there is no room for it.
    /// `reserve` takes one series from the facade's total and says whether
    /// there was one.
    pub(crate) fn create(
        &'static self,
        key: &Key,
        values: &[&str],
        reserve: impl FnOnce() -> bool,
    ) -> Result<Target, Full> {
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
        state.series += 1;
        let slot = match state.free.pop() {
            Some(slot) => slot,
            None => {
                state.unused += 1;
                state.unused - 1
            }
        };
        let names = values
            .iter()
            .map(|v| (Box::from(*v), quoted_inner(v).into_boxed_str()))
            .collect();
        {
            // Before the series' bit: a reader that sees the bit copied
            // the names, or skips the series until its next read.
            let mut slots = self.names.write().unwrap_or_else(PoisonError::into_inner);
            if slots.len() <= slot {
                slots.resize_with(slot + 1, || None);
            }
            slots[slot] = Some(names);
        }
        let generation = match self.slots.get(slot) {
            Some(state_of_slot) => {
                if state.keys.len() <= slot {
                    state.keys.resize(slot + 1, None);
                    state.seen.resize(slot + 1, (0, Instant::now()));
                }
                state.keys[slot] = Some(key.clone());
                state.seen[slot] = (state_of_slot.entered(), Instant::now());
                state_of_slot.generation()
            }
            None => 0,
        };
        self.show(slot);
        Ok(Target { slot, generation })
    }

    /// The overflow series: every label `other` (a family without labels
    /// has only the one series, which is its own overflow, shown even when
    /// the facade's total cap kept it from being made).
    pub(crate) fn overflow(&'static self) -> Target {
        let slot = self.overflow_slot();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if !state.overflow_shown {
            state.overflow_shown = true;
            self.show(slot);
        }
        Target {
            slot,
            generation: 0,
        }
    }

    /// Whether `target` still holds its series (the overflow series always
    /// does).
    pub(crate) fn holds(&self, target: Target) -> bool {
        target.slot == self.overflow_slot()
            || self
                .slots
                .get(target.slot)
                .is_some_and(|s| s.generation() == target.generation)
    }

    /// Records with `record` into `target`'s cell among `cells` (the
    /// family's, of its kind) if it still holds its series; `false` if
    /// that series was retired.
    #[inline]
    pub(crate) fn record<C>(&self, cells: &[C], target: Target, record: impl FnOnce(&C)) -> bool {
        let Some(cell) = cells.get(target.slot) else {
            return true;
        };
        // The overflow series (index `capacity`) has no slot state: it
        // never retires.
        match self.slots.get(target.slot) {
            Some(slot) => slot.record(target.generation, || record(cell)),
            None => {
                record(cell);
                true
            }
        }
    }

    /// The family's counter cells (none for another kind).
    pub(crate) fn counters(&self) -> &[Counter] {
        match &self.cells {
            FamilyCells::Counter(cells) => cells,
            _ => &[],
        }
    }

    /// The family's gauge cells (none for another kind).
    pub(crate) fn gauges(&self) -> &[FloatGauge] {
        match &self.cells {
            FamilyCells::Gauge(cells) => cells,
            _ => &[],
        }
    }

    /// The family's histogram cells (none for another kind).
    pub(crate) fn histograms(&self) -> &[FacadeHistogram] {
        match &self.cells {
            FamilyCells::Histogram(cells) => &cells.0,
            _ => &[],
        }
    }

    /// The family's histogram buckets.
    pub(crate) fn spec(&self) -> &'static HistogramSpec {
        self.spec
    }

    /// Retires the series without a record for the family's idle time,
    /// when no reader reads the family (else at a later sweep): each
    /// retired series' key goes to `retired`. Returns how many.
    pub(crate) fn sweep(&'static self, now: Instant, retired: &mut Vec<Key>) -> usize {
        let Some(idle) = self.idle else {
            return 0;
        };
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let state = &mut *state;
        // Names are freed only when no reader holds them.
        let Ok(_writing) = self.reading.try_write() else {
            return 0;
        };
        let mut count = 0;
        for slot in 0..state.keys.len() {
            if state.keys[slot].is_none() {
                continue;
            }
            let slot_state = &self.slots[slot];
            let entered = slot_state.entered();
            let (seen, since) = state.seen[slot];
            if entered != seen {
                state.seen[slot] = (entered, now);
                continue;
            }
            if now.saturating_duration_since(since) < idle || slot_state.retire(entered).is_none() {
                continue;
            }
            // Nothing records into the slot any more: cleared for the next
            // series, hidden from the reader first.
            self.recorded[slot / 64].fetch_and(!(1 << (slot % 64)), Ordering::Release);
            match &self.cells {
                FamilyCells::Counter(cells) => cells[slot].set(0),
                FamilyCells::Gauge(cells) => cells[slot].set(0.0),
                FamilyCells::Histogram(cells) => cells.0[slot].reset(),
            }
            if let Some(names) = self
                .names
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .get_mut(slot)
            {
                *names = None;
            }
            retired.extend(state.keys[slot].take());
            state.free.push(slot);
            state.series -= 1;
            count += 1;
        }
        count
    }

    /// Sets series `slot`'s bit: the reader writes it from now on.
    fn show(&self, slot: usize) {
        self.recorded[slot / 64].fetch_or(1 << (slot % 64), Ordering::Release);
    }

    fn cell(&self, slot: usize) -> Cell<'_> {
        match &self.cells {
            FamilyCells::Counter(cells) => Cell::Counter(&cells[slot]),
            FamilyCells::Gauge(cells) => Cell::Gauge(&cells[slot]),
            FamilyCells::Histogram(cells) => Cell::Histogram(&cells.0[slot], self.spec),
        }
    }

    /// `target`'s cell, for a handle of a family whose series never retire.
    pub(crate) fn lasting_cell(&'static self, target: Target) -> Cell<'static> {
        self.cell(target.slot)
    }
}

/// Series `i`'s value of every label is value `i` of that label: the
/// slot's own (`other` for the overflow series).
impl SeriesLabels for Family {
    fn digits(&self, index: usize, digits: &mut [usize]) {
        digits.fill(index);
    }
}
