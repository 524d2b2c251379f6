//! The one reader: the only code that turns cells into values.
//!
//! Every output — both text formats, protobuf, the snapshot, remote write,
//! the Pushgateway body, StatsD — is a [`Writer`] that the reader drives
//! family by family and series by series. The reader reads each series'
//! cells once, adds in the identical declarations a registry merged into
//! the family, and hands the writer the value with the label value indices
//! of its series; exemplars and native buckets are read through the
//! [`Family`] on demand, so that a writer that does not write them pays
//! nothing for them. Of a sparse metric it hands over only the series that
//! were recorded into ([`Metric::recorded`]), so every output shows the
//! same ones.
//!
//! Adding a metric kind: its cell; a [`Cells`] variant; a [`Kind`] (and a
//! [`Value`] when its value is new); one arm in [`Reader::family`]; one arm
//! per writer (each writer's `match` on `Value` stops compiling until it
//! has one). Adding an output: one [`Writer`].
//!
//! The reader allocates nothing once its buffers have grown, and neither
//! must a writer: renders run on every scrape.

pub(crate) mod families;
pub(crate) mod own;
pub(crate) mod registry;
pub(crate) mod transient;

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::cells::exemplar::{ExemplarRead, ExemplarSeries};
use crate::cells::group::Group;
use crate::cells::histogram::{HistogramSnapshot, HistogramSpec};
use crate::cells::metric::{Cells, Metric, MetricDesc, NativeMetric, SeriesLabels};
use crate::cells::native::{NativeSnapshot, NativeSpec};
use crate::cells::spelling::Escaping;
use crate::cells::summary::{SummaryAccumulator, SummarySnapshot, SummarySpec};
use crate::read::registry::Registry;
use crate::read::transient::TransientValues;

/// What a metric is, with what its kind shares across its series.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    /// Integer counters, plain or sharded.
    Counter,
    /// Counters of fractional amounts.
    FloatCounter,
    /// Integer gauges.
    Gauge,
    /// Float gauges.
    FloatGauge,
    /// Classic histograms (maybe with native buckets, see [`Family::native`]).
    Histogram(&'static HistogramSpec),
    /// Summaries.
    Summary(&'static SummarySpec),
    /// Info metrics: one current series, value 1.
    Info,
    /// State sets: the names of the states, in index order.
    StateSet(&'static [&'static str]),
}

impl Kind {
    /// The kind of `cells`.
    pub(crate) fn of(cells: &Cells<'_>) -> Kind {
        match cells {
            Cells::Counter(_) | Cells::SpacedCounter(_) | Cells::ShardedCounter(_) => Kind::Counter,
            Cells::FloatCounter(_) => Kind::FloatCounter,
            Cells::Gauge(_) | Cells::SpacedGauge(_) => Kind::Gauge,
            Cells::FloatGauge(_) => Kind::FloatGauge,
            Cells::Histogram { spec, .. } => Kind::Histogram(spec),
            Cells::Summary { spec, .. } => Kind::Summary(spec),
            Cells::Info(_) => Kind::Info,
            Cells::StateSet { states, .. } => Kind::StateSet(states),
        }
    }

    /// The kind's name in a `# TYPE` line of OpenMetrics (and of the
    /// Prometheus text format but for info and state sets, which that
    /// format has not: see [`prometheus_type`](Self::prometheus_type)).
    pub(crate) const fn openmetrics_type(self) -> &'static str {
        match self {
            Kind::Counter | Kind::FloatCounter => "counter",
            Kind::Gauge | Kind::FloatGauge => "gauge",
            Kind::Info => "info",
            Kind::StateSet(_) => "stateset",
            Kind::Histogram(_) => "histogram",
            Kind::Summary(_) => "summary",
        }
    }

    /// The kind's name in a `# TYPE` line of the Prometheus text format:
    /// info metrics and state sets are gauges there, as Prometheus' own
    /// clients write them.
    pub(crate) const fn prometheus_type(self) -> &'static str {
        match self {
            Kind::Info | Kind::StateSet(_) => "gauge",
            Kind::Counter
            | Kind::FloatCounter
            | Kind::Gauge
            | Kind::FloatGauge
            | Kind::Histogram(_)
            | Kind::Summary(_) => self.openmetrics_type(),
        }
    }
}

/// The value of one series at the moment it was read: borrowed from the
/// reader's buffers while a writer writes it ([`Cow::Borrowed`]), owned in a
/// [`Snapshot`](crate::Snapshot) (`Value<'static>`).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Value<'a> {
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
        cumulative: Cow<'a, [u64]>,
        /// The sum of the observations.
        sum: f64,
    },
    /// A summary's windowed quantiles and all-time count and sum.
    Summary {
        /// `(quantile, estimate)` pairs.
        quantiles: Cow<'a, [(f64, f64)]>,
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

impl Value<'_> {
    /// The same value owning its buffers.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Counter(v) => Value::Counter(v),
            Value::FloatCounter(v) => Value::FloatCounter(v),
            Value::Gauge(v) => Value::Gauge(v),
            Value::FloatGauge(v) => Value::FloatGauge(v),
            Value::Histogram {
                bounds,
                cumulative,
                sum,
            } => Value::Histogram {
                bounds,
                cumulative: Cow::Owned(cumulative.into_owned()),
                sum,
            },
            Value::Summary {
                quantiles,
                count,
                sum,
            } => Value::Summary {
                quantiles: Cow::Owned(quantiles.into_owned()),
                count,
                sum,
            },
            Value::Info => Value::Info,
            Value::State(state) => Value::State(state),
        }
    }
}

/// One family as a writer sees it: what every series of it shares.
pub(crate) struct Family<'a> {
    /// Name, help, labels, unit.
    pub(crate) desc: &'static MetricDesc,
    /// The kind.
    pub(crate) kind: Kind,
    /// When the series started counting (ms since the epoch), if known.
    pub(crate) created_ms: Option<u64>,
    exemplars: Option<&'a dyn ExemplarSeries>,
    // Only protobuf, remote write and OTLP write native buckets.
    #[cfg_attr(
        not(any(feature = "protobuf", feature = "remote-write", feature = "otlp")),
        allow(dead_code)
    )]
    native: Option<NativeMetric<'a>>,
    /// The values of its transient labels (the `metrics` facade's), as
    /// copied when the family began.
    transient: Option<&'a TransientValues>,
}

impl Family<'_> {
    /// The value of label `label` (its position) at `index`: a transient
    /// label's as copied when the family began, another's declared or
    /// interned name; empty for none.
    pub(crate) fn label_value(&self, label: usize, index: usize) -> &str {
        match self.transient {
            Some(values) if values.copied(label) => values.value(label, index).unwrap_or(""),
            _ => self.desc.labels[label].value(index).unwrap_or(""),
        }
    }

    /// The values copied of the family's transient labels, if it has any.
    pub(crate) fn transient(&self) -> Option<&TransientValues> {
        self.transient
    }

    /// Whether the family keeps exemplars.
    pub(crate) fn has_exemplars(&self) -> bool {
        self.exemplars.is_some()
    }

    /// Whether the family is a histogram with native buckets.
    #[cfg_attr(not(feature = "otlp"), allow(dead_code))]
    pub(crate) fn has_native(&self) -> bool {
        self.native.is_some()
    }

    /// Reads the exemplar of `series`'s `bucket` (0 for a counter) into
    /// `out`; false when there is none.
    pub(crate) fn exemplar(&self, series: usize, bucket: usize, out: &mut ExemplarRead) -> bool {
        self.exemplars
            .and_then(|e| e.slot(series, bucket))
            .is_some_and(|slot| slot.read(out))
    }

    /// Reads `series`' native buckets into `out`, at no more than the
    /// spec's `max_buckets` populated buckets, and returns their spec;
    /// `None` (nothing read) for a family without native buckets.
    #[cfg_attr(
        not(any(feature = "protobuf", feature = "remote-write", feature = "otlp")),
        allow(dead_code)
    )]
    pub(crate) fn native(
        &self,
        series: usize,
        out: &mut NativeSnapshot,
    ) -> Option<&'static NativeSpec> {
        let native = self.native?;
        native.series.read(native.spec, series, out);
        out.reduce(native.spec.max_buckets);
        Some(native.spec)
    }
}

/// One series as a writer sees it.
pub(crate) struct SeriesRead<'r> {
    /// Its position among the family's series (series order).
    pub(crate) index: usize,
    /// The value index of each label, in declaration order.
    pub(crate) digits: &'r [usize],
    /// Its value.
    pub(crate) value: Value<'r>,
    /// A histogram series that observed a negative value (its `_sum` is
    /// then no counter).
    pub(crate) negative_observed: bool,
}

impl SeriesRead<'_> {
    /// `(label name, label value)` of each label, in declaration order.
    pub(crate) fn labels<'d>(
        &'d self,
        family: &'d Family<'_>,
    ) -> impl Iterator<Item = (&'static str, &'d str)> + 'd {
        family
            .desc
            .labels
            .iter()
            .zip(self.digits)
            .enumerate()
            .map(|(i, (label, &d))| (label.name, family.label_value(i, d)))
    }

    /// The same with each label name spelled by `escaping` (never quoted).
    #[cfg_attr(not(feature = "remote-write"), allow(dead_code))]
    pub(crate) fn labels_spelled<'d>(
        &'d self,
        family: &'d Family<'_>,
        escaping: Escaping,
    ) -> impl Iterator<Item = (&'static str, &'d str)> + 'd {
        let labels = family.desc.labels.iter().zip(self.digits).enumerate();
        labels.map(move |(i, (label, &d))| {
            let name = label.spellings().bare(label.name, escaping);
            (name, family.label_value(i, d))
        })
    }
}

/// An output: what the reader hands each family and series to.
pub(crate) trait Writer {
    /// Before the family's series.
    fn family(&mut self, _family: &Family<'_>) {}
    /// One series, in series order.
    fn series(&mut self, family: &Family<'_>, series: &SeriesRead<'_>);
    /// After the family's last series.
    fn end_family(&mut self, _family: &Family<'_>) {}
}

/// The buffers series are read into, kept from family to family and, on a
/// thread, from read to read.
#[derive(Default)]
pub(crate) struct Reader {
    digits: Vec<usize>,
    /// Of each label of the family being read, how many of its values it
    /// may show: a runtime label's values interned when the family began,
    /// `usize::MAX` for any other label.
    visible: Vec<usize>,
    histogram: HistogramSnapshot,
    summary: SummarySnapshot,
    summary_acc: SummaryAccumulator,
    /// The family's transient label values, copied as it began.
    transient: TransientValues,
}

impl Reader {
    /// Runs `f` with this thread's reader (a fresh one if the thread's is
    /// in use, as when a hand-written group reads inside its own visit).
    pub(crate) fn with<R>(f: impl FnOnce(&mut Reader) -> R) -> R {
        thread_local! {
            static READER: RefCell<Reader> = RefCell::new(Reader::default());
        }
        with_thread_scratch(&READER, f)
    }

    /// Reads every family of `registry`, merged as registered, into `w`.
    pub(crate) fn registry<W: Writer>(&mut self, registry: &Registry<'_>, w: &mut W) {
        let now_ms = crate::cells::summary::render_now_ms();
        registry.for_each_family(&mut |metric, merged| self.family(metric, merged, now_ms, w));
    }

    /// Reads every metric of `group`, alone, into `w`.
    pub(crate) fn group<W: Writer>(&mut self, group: &dyn Group, w: &mut W) {
        let now_ms = crate::cells::summary::render_now_ms();
        group.visit(&mut |metric| self.family(metric, &[], now_ms, w));
    }

    /// Reads one family: `metric`'s series with the values of the
    /// identical declarations in `merged` added in, summaries as of
    /// `now_ms`.
    pub(crate) fn family<W: Writer>(
        &mut self,
        metric: Metric<'_>,
        merged: &[Metric<'_>],
        now_ms: u64,
        w: &mut W,
    ) {
        let desc = metric.desc;
        let Reader {
            digits,
            visible,
            histogram,
            summary,
            summary_acc,
            transient,
        } = self;
        let transient = transient
            .fill(desc, metric.generations)
            .then_some(&*transient);
        let family = Family {
            desc,
            kind: Kind::of(&metric.cells),
            created_ms: metric.created_ms,
            exemplars: metric.exemplars,
            native: metric.native,
            transient,
        };
        digits.clear();
        digits.resize(desc.labels.len(), 0);
        // A series of a runtime label's value is shown only if the value
        // was interned when the family began: every output then has the
        // name of every value it shows from the start of the family (the
        // protobuf writer encodes a family's label values as it begins),
        // and one interned meanwhile shows at the next read.
        visible.clear();
        visible.extend(
            desc.labels
                .iter()
                .map(|label| label.runtime.map_or(usize::MAX, |names| names.visible())),
        );
        let visible: &[usize] = visible;
        let shown = Shown::of(&metric, merged, visible, transient);
        w.family(&family);
        match metric.cells {
            Cells::Counter(cells) => each(&family, &shown, digits, cells.len(), w, |i| {
                Value::Counter(cells[i].get().wrapping_add(merged::count(merged, i)))
            }),
            Cells::SpacedCounter(cells) => each(&family, &shown, digits, cells.len(), w, |i| {
                Value::Counter(cells.at(i).get().wrapping_add(merged::count(merged, i)))
            }),
            Cells::ShardedCounter(cells) => each(&family, &shown, digits, cells.len(), w, |i| {
                Value::Counter(cells.get(i).wrapping_add(merged::count(merged, i)))
            }),
            Cells::Gauge(cells) => each(&family, &shown, digits, cells.len(), w, |i| {
                Value::Gauge(cells[i].get().wrapping_add(merged::gauge(merged, i)))
            }),
            Cells::SpacedGauge(cells) => each(&family, &shown, digits, cells.len(), w, |i| {
                Value::Gauge(cells.at(i).get().wrapping_add(merged::gauge(merged, i)))
            }),
            Cells::FloatGauge(cells) => each(&family, &shown, digits, cells.len(), w, |i| {
                Value::FloatGauge(cells[i].get() + merged::float(merged, i))
            }),
            Cells::FloatCounter(cells) => each(&family, &shown, digits, cells.len(), w, |i| {
                Value::FloatCounter(cells[i].get() + merged::float(merged, i))
            }),
            Cells::Histogram { spec, series } => {
                // Sparse histograms and summaries show the series whose
                // count is not zero: every series is read, as dense.
                let by_count = matches!(shown, Shown::Recorded(..));
                let runtime = desc.has_runtime_labels();
                every_or_listed(&shown).walk(desc, digits, series.len(), |index, digits| {
                    series.read(index, histogram);
                    merged::histogram(merged, index, histogram);
                    if by_count
                        && (histogram.count() == 0
                            || (runtime && !named(desc, visible, transient, digits)))
                    {
                        return;
                    }
                    let read = SeriesRead {
                        index,
                        digits,
                        value: Value::Histogram {
                            bounds: spec.bounds,
                            cumulative: Cow::Borrowed(&histogram.cumulative),
                            sum: histogram.sum,
                        },
                        negative_observed: histogram.negative_observed,
                    };
                    w.series(&family, &read);
                });
            }
            Cells::Summary { spec, series } => {
                let by_count = matches!(shown, Shown::Recorded(..));
                let runtime = desc.has_runtime_labels();
                every_or_listed(&shown).walk(desc, digits, series.len(), |index, digits| {
                    summary_acc.clear();
                    series.accumulate(spec, index, now_ms, summary_acc);
                    merged::summary(merged, index, now_ms, summary_acc);
                    summary_acc.finish(spec, summary);
                    if by_count
                        && (summary.count == 0
                            || (runtime && !named(desc, visible, transient, digits)))
                    {
                        return;
                    }
                    let read = SeriesRead {
                        index,
                        digits,
                        value: Value::Summary {
                            quantiles: Cow::Borrowed(&summary.quantiles),
                            count: summary.count,
                            sum: summary.sum,
                        },
                        negative_observed: false,
                    };
                    w.series(&family, &read);
                });
            }
            Cells::Info(cell) => {
                // Unlabelled: always the one series. Labelled: the current
                // one, if any (an info metric is sparse by nature).
                let current = if desc.labels.is_empty() {
                    Some(0)
                } else {
                    cell.current().or_else(|| merged::info_current(merged))
                };
                if let Some(index) = current {
                    crate::cells::metric::series_digits(desc.labels, index, digits);
                    let read = SeriesRead {
                        index,
                        digits,
                        value: Value::Info,
                        negative_observed: false,
                    };
                    w.series(&family, &read);
                }
            }
            Cells::StateSet { states, cells } => {
                each(&family, &shown, digits, cells.len(), w, |i| {
                    let current = cells[i].current().or_else(|| merged::state(merged, i));
                    Value::State(current.and_then(|s| states.get(s).copied()))
                })
            }
        }
        w.end_family(&family);
        self.transient.release();
    }
}

/// Runs `f` with the thread's `T` in `key`, or with a fresh `T` when that
/// one is in use (a render inside a render) or gone (thread exit): buffers
/// kept from one read to the next, so that reads allocate nothing once
/// they have grown.
pub(crate) fn with_thread_scratch<T: Default + 'static, R>(
    key: &'static std::thread::LocalKey<RefCell<T>>,
    f: impl FnOnce(&mut T) -> R,
) -> R {
    let mut f = Some(f);
    let result = key.try_with(|cell| {
        cell.try_borrow_mut()
            .ok()
            .map(|mut scratch| (f.take().expect("called once"))(&mut scratch))
    });
    match result {
        Ok(Some(r)) => r,
        _ => (f.take().expect("not called yet"))(&mut T::default()),
    }
}

/// Hands `w` the shown series of `0..count` of a family with one plain
/// value each, in series order.
fn each<W: Writer>(
    family: &Family<'_>,
    shown: &Shown<'_>,
    digits: &mut [usize],
    count: usize,
    w: &mut W,
    mut value: impl FnMut(usize) -> Value<'static>,
) {
    match *shown {
        // The loop of every dense render of plain values, written out:
        // through `walk` it cost 3% more instructions (callgrind,
        // `render_10k`, 408 against 419 a series).
        Shown::All => {
            for index in 0..count {
                let series = SeriesRead {
                    index,
                    digits,
                    value: value(index),
                    negative_observed: false,
                };
                w.series(family, &series);
                advance(family.desc, digits);
            }
        }
        Shown::Recorded(..) => shown.walk(family.desc, digits, count, |index, digits| {
            let series = SeriesRead {
                index,
                digits,
                value: value(index),
                negative_observed: false,
            };
            w.series(family, &series);
        }),
    }
}

/// The series a histogram or summary family reads: every one (those not
/// recorded into are then left out by their count), or the listed ones of
/// a family whose series are listed (they are not the product of the
/// labels' values).
fn every_or_listed<'s, 'm>(shown: &'s Shown<'m>) -> &'s Shown<'m> {
    match shown {
        Shown::Recorded(.., Some(_)) => shown,
        Shown::All | Shown::Recorded(.., None) => &Shown::All,
    }
}

/// Which series of a family are written out.
enum Shown<'m> {
    /// Every series (a dense metric, or a sparse one merged with a dense
    /// twin).
    All,
    /// Those recorded into in the metric or in any declaration merged
    /// into it: the words of each, series `i` at bit `i % 64` of word
    /// `i / 64`.
    Recorded(
        &'m [AtomicU64],
        &'m [Metric<'m>],
        Names<'m>,
        Option<&'m dyn SeriesLabels>,
    ),
}

/// What names a family's series may be shown with: of each runtime label,
/// how many values were interned when the family began; the transient
/// labels' values copied then.
#[derive(Clone, Copy)]
struct Names<'m> {
    visible: &'m [usize],
    transient: Option<&'m TransientValues>,
}

impl<'m> Shown<'m> {
    fn of(
        metric: &Metric<'m>,
        merged: &'m [Metric<'m>],
        visible: &'m [usize],
        transient: Option<&'m TransientValues>,
    ) -> Self {
        match metric.recorded {
            Some(words) if merged.iter().all(|m| m.recorded.is_some()) => {
                let names = Names { visible, transient };
                Shown::Recorded(words, merged, names, metric.series_labels)
            }
            _ => Shown::All,
        }
    }

    /// Calls `f` with the index and label value indices of each shown
    /// series of `0..count`, in series order.
    ///
    /// The recorded ones are walked in a function of their own, so that
    /// each loop has one call of `f`, which carries the writer's inlined
    /// `series`: with both calls in one function the dense text render of
    /// counters cost 10% more instructions (callgrind, `render_10k`).
    #[inline(always)]
    fn walk(
        &self,
        desc: &MetricDesc,
        digits: &mut [usize],
        count: usize,
        mut f: impl FnMut(usize, &[usize]),
    ) {
        match *self {
            Shown::All => {
                // The label digits advance like an odometer.
                for index in 0..count {
                    f(index, digits);
                    advance(desc, digits);
                }
            }
            Shown::Recorded(words, merged, names, None) => {
                let fill = |index, digits: &mut [usize]| {
                    crate::cells::metric::series_digits(desc.labels, index, digits)
                };
                walk_recorded(words, merged, names, desc, digits, count, fill, f)
            }
            Shown::Recorded(words, merged, names, Some(listed)) => {
                let fill = |index, digits: &mut [usize]| listed.digits(index, digits);
                walk_recorded(words, merged, names, desc, digits, count, fill, f)
            }
        }
    }
}

/// [`Shown::walk`] over the series recorded into: the set bits of `words`
/// and of the merged declarations' words, each series' label value indices
/// written by `fill`.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn walk_recorded(
    words: &[AtomicU64],
    merged: &[Metric<'_>],
    names: Names<'_>,
    desc: &MetricDesc,
    digits: &mut [usize],
    count: usize,
    fill: impl Fn(usize, &mut [usize]),
    mut f: impl FnMut(usize, &[usize]),
) {
    // A series named by a runtime label value is written only if that
    // value was interned when the family began (see `Reader::family`):
    // this is the check that nothing is ever written with a name missing.
    let runtime = desc.has_runtime_labels();
    for (word_index, word) in words.iter().enumerate() {
        let mut bits = word.load(Ordering::Acquire);
        for partner in merged {
            let partner = partner.recorded.and_then(|w| w.get(word_index));
            bits |= partner.map_or(0, |w| w.load(Ordering::Acquire));
        }
        while bits != 0 {
            let index = word_index * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if index >= count {
                return;
            }
            fill(index, digits);
            if runtime && !named(desc, names.visible, names.transient, digits) {
                continue;
            }
            f(index, digits);
        }
    }
}

/// Whether the series at `digits` may be shown: each runtime label's value
/// among the `visible` ones (interned when the family began), or `other`
/// (the last index, which always has its name); each transient label's
/// value copied when the family began (a series made since shows at the
/// next read), or `other`.
fn named(
    desc: &MetricDesc,
    visible: &[usize],
    transient: Option<&TransientValues>,
    digits: &[usize],
) -> bool {
    desc.labels.iter().zip(digits).zip(visible).enumerate().all(
        |(i, ((label, &digit), &visible))| {
            let last = digit + 1 == label.cardinality();
            match (label.runtime, transient) {
                (_, Some(values)) if values.copied(i) => last || values.names(i, digit),
                (Some(_), _) => digit < visible || last,
                (None, _) => true,
            }
        },
    )
}

/// Moves `digits` to the next series of `desc`: the last label turns
/// fastest.
fn advance(desc: &MetricDesc, digits: &mut [usize]) {
    for (digit, label) in digits.iter_mut().zip(desc.labels).rev() {
        *digit += 1;
        if *digit < label.cardinality() {
            return;
        }
        *digit = 0;
    }
}

/// The values of series `index` of the declarations merged into a family,
/// added up. Each takes the partners' cells of its kind (a registry merges
/// only metrics of one shape) and ignores any other.
mod merged {
    use crate::cells::histogram::HistogramSnapshot;
    use crate::cells::metric::{Cells, Metric};
    use crate::cells::summary::SummaryAccumulator;

    /// Counters, plain or sharded: the sum, wrapping like a counter.
    pub(super) fn count(partners: &[Metric<'_>], index: usize) -> u64 {
        partners.iter().fold(0u64, |sum, m| {
            let value = match m.cells {
                Cells::Counter(c) => c.get(index).map_or(0, |c| c.get()),
                Cells::SpacedCounter(c) => c.get(index).map_or(0, |c| c.get()),
                Cells::ShardedCounter(c) => c.get(index),
                Cells::Gauge(_)
                | Cells::SpacedGauge(_)
                | Cells::FloatGauge(_)
                | Cells::FloatCounter(_)
                | Cells::Histogram { .. }
                | Cells::Summary { .. }
                | Cells::Info(_)
                | Cells::StateSet { .. } => 0,
            };
            sum.wrapping_add(value)
        })
    }

    /// Integer gauges: the sum, wrapping like the gauge.
    pub(super) fn gauge(partners: &[Metric<'_>], index: usize) -> i64 {
        partners.iter().fold(0i64, |sum, m| match m.cells {
            Cells::Gauge(c) => sum.wrapping_add(c.get(index).map_or(0, |c| c.get())),
            Cells::SpacedGauge(c) => sum.wrapping_add(c.get(index).map_or(0, |c| c.get())),
            Cells::Counter(_)
            | Cells::SpacedCounter(_)
            | Cells::ShardedCounter(_)
            | Cells::FloatGauge(_)
            | Cells::FloatCounter(_)
            | Cells::Histogram { .. }
            | Cells::Summary { .. }
            | Cells::Info(_)
            | Cells::StateSet { .. } => sum,
        })
    }

    /// Float gauges and float counters: the sum.
    pub(super) fn float(partners: &[Metric<'_>], index: usize) -> f64 {
        partners.iter().fold(0.0, |sum, m| match m.cells {
            Cells::FloatGauge(c) | Cells::FloatCounter(c) => {
                sum + c.get(index).map_or(0.0, |c| c.get())
            }
            Cells::Counter(_)
            | Cells::SpacedCounter(_)
            | Cells::ShardedCounter(_)
            | Cells::Gauge(_)
            | Cells::SpacedGauge(_)
            | Cells::Histogram { .. }
            | Cells::Summary { .. }
            | Cells::Info(_)
            | Cells::StateSet { .. } => sum,
        })
    }

    /// Histograms: buckets and sums added into `snapshot`.
    pub(super) fn histogram(
        partners: &[Metric<'_>],
        index: usize,
        snapshot: &mut HistogramSnapshot,
    ) {
        for m in partners {
            if let Cells::Histogram { series, .. } = m.cells {
                series.accumulate(index, snapshot);
            }
        }
    }

    /// Summaries: sketches, counts and sums added into `acc`.
    pub(super) fn summary(
        partners: &[Metric<'_>],
        index: usize,
        now_ms: u64,
        acc: &mut SummaryAccumulator,
    ) {
        for m in partners {
            if let Cells::Summary { spec, series } = m.cells {
                series.accumulate(spec, index, now_ms, acc);
            }
        }
    }

    /// Info metrics: the first partner's current series, for a family whose
    /// own metric has none.
    pub(super) fn info_current(partners: &[Metric<'_>]) -> Option<usize> {
        partners.iter().find_map(|m| match m.cells {
            Cells::Info(cell) => cell.current(),
            Cells::Counter(_)
            | Cells::SpacedCounter(_)
            | Cells::ShardedCounter(_)
            | Cells::Gauge(_)
            | Cells::SpacedGauge(_)
            | Cells::FloatGauge(_)
            | Cells::FloatCounter(_)
            | Cells::Histogram { .. }
            | Cells::Summary { .. }
            | Cells::StateSet { .. } => None,
        })
    }

    /// State sets: the first partner's state of series `index`, for a
    /// family whose own series has none.
    pub(super) fn state(partners: &[Metric<'_>], index: usize) -> Option<usize> {
        partners.iter().find_map(|m| match m.cells {
            Cells::StateSet { cells, .. } => cells.get(index)?.current(),
            Cells::Counter(_)
            | Cells::SpacedCounter(_)
            | Cells::ShardedCounter(_)
            | Cells::Gauge(_)
            | Cells::SpacedGauge(_)
            | Cells::FloatGauge(_)
            | Cells::FloatCounter(_)
            | Cells::Histogram { .. }
            | Cells::Summary { .. }
            | Cells::Info(_) => None,
        })
    }
}
