//! The sample lines of a family, which both text formats write alike but
//! for the spelling of floats and where a histogram's `_sum` may go.

use std::cell::RefCell;

use super::header::TextFormat;
use super::number::{write_int, FloatStyle};
use super::text::{write_label_value, Extra, SeriesLabels};
use crate::exemplar::{ExemplarRead, ExemplarSeries};
use crate::families;
use crate::{Cells, HistogramSnapshot, Metric, MetricDesc, SummaryAccumulator, SummarySnapshot};

/// Buffers one render reuses from metric to metric, and a thread from render
/// to render, so that rendering allocates nothing once they have grown.
#[derive(Default)]
pub(crate) struct Scratch {
    digits: Vec<usize>,
    histogram: HistogramSnapshot,
    summary: SummarySnapshot,
    summary_acc: SummaryAccumulator,
    exemplar: ExemplarRead,
}

impl Scratch {
    /// Runs `f` with this thread's scratch space (a fresh one if the
    /// thread's is in use or gone).
    pub(crate) fn with<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
        thread_local! {
            static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
        }
        let mut f = Some(f);
        let result = SCRATCH.try_with(|cell| {
            cell.try_borrow_mut()
                .ok()
                .map(|mut scratch| (f.take().expect("called once"))(&mut scratch))
        });
        match result {
            Ok(Some(r)) => r,
            _ => (f.take().expect("not called yet"))(&mut Scratch::default()),
        }
    }
}

/// Writes the samples of one family: `metric`'s series, with the values of
/// the identical declarations in `merged` added in.
pub(crate) fn write_samples(
    metric: Metric<'_>,
    merged: &[Metric<'_>],
    now_ms: u64,
    format: &TextFormat,
    created: bool,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) {
    let desc = metric.desc;
    // `_created` after each counter series, after `_count` otherwise.
    let created_ms = metric
        .created_ms
        .filter(|_| created && format.openmetrics_points);
    let counter_base = desc.name.strip_suffix("_total").unwrap_or(desc.name);
    let style = format.float;
    let Scratch {
        digits,
        histogram: histogram_snapshot,
        summary: summary_snapshot,
        summary_acc,
        exemplar,
    } = scratch;
    let mut series = Series::new(desc, style, digits);
    // Exemplars go after the samples that OpenMetrics gives them to.
    let exemplars = metric.exemplars.filter(|_| format.openmetrics_points);
    match metric.cells {
        Cells::Counter(cells) => {
            for (i, cell) in cells.iter().enumerate() {
                let value = cell.get().wrapping_add(families::merged::count(merged, i));
                series.sample(out, "", None, |out| {
                    write_int(out, value);
                    write_exemplar(out, exemplars, i, 0, exemplar, style);
                });
                series.created(out, counter_base, created_ms);
                series.next();
            }
        }
        Cells::ShardedCounter(cells) => {
            for i in 0..cells.len() {
                let value = cells
                    .get(i)
                    .wrapping_add(families::merged::count(merged, i));
                series.sample(out, "", None, |out| write_int(out, value));
                series.created(out, counter_base, created_ms);
                series.next();
            }
        }
        Cells::Gauge(cells) => {
            for (i, cell) in cells.iter().enumerate() {
                let value = cell.get().wrapping_add(families::merged::gauge(merged, i));
                series.sample(out, "", None, |out| write_int(out, value));
                series.next();
            }
        }
        Cells::FloatGauge(cells) | Cells::FloatCounter(cells) => {
            for (i, cell) in cells.iter().enumerate() {
                let value = cell.get() + families::merged::float(merged, i);
                series.sample(out, "", None, |out| style.write(out, value));
                if let Cells::FloatCounter(_) = metric.cells {
                    series.created(out, counter_base, created_ms);
                }
                series.next();
            }
        }
        Cells::Histogram {
            spec,
            series: cells,
        } => {
            let snapshot = histogram_snapshot;
            // A negative bound puts negative values in the buckets for good.
            let negative_bounds = spec.bounds.first().is_some_and(|&b| b < 0.0);
            for index in 0..cells.len() {
                cells.read(index, snapshot);
                families::merged::histogram(merged, index, snapshot);
                let bounds = spec.bounds.iter().copied().chain([f64::INFINITY]);
                for (bucket, (bound, &count)) in bounds.zip(&snapshot.cumulative).enumerate() {
                    series.sample(out, "_bucket", Some(Extra::Float("le", bound)), |out| {
                        write_int(out, count);
                        write_exemplar(out, exemplars, index, bucket, exemplar, style);
                    });
                }
                let sum_is_counter = !negative_bounds && !snapshot.negative_observed;
                if sum_is_counter || !format.sum_must_be_counter {
                    series.sample(out, "_sum", None, |out| style.write(out, snapshot.sum));
                    series.sample(out, "_count", None, |out| write_int(out, snapshot.count()));
                }
                series.created(out, desc.name, created_ms);
                series.next();
            }
        }
        Cells::Summary {
            spec,
            series: cells,
        } => {
            let snapshot = summary_snapshot;
            for index in 0..cells.len() {
                summary_acc.clear();
                cells.accumulate(spec, index, now_ms, summary_acc);
                families::merged::summary(merged, index, now_ms, summary_acc);
                summary_acc.finish(spec, snapshot);
                for &(q, value) in &snapshot.quantiles {
                    series.sample(out, "", Some(Extra::Float("quantile", q)), |out| {
                        style.write(out, value)
                    });
                }
                series.sample(out, "_sum", None, |out| style.write(out, snapshot.sum));
                series.sample(out, "_count", None, |out| write_int(out, snapshot.count));
                series.created(out, desc.name, created_ms);
                series.next();
            }
        }
        Cells::Info(cell) => {
            // Unlabelled: always the one series. Labelled: the current one,
            // if any.
            let current = if desc.labels.is_empty() {
                Some(0)
            } else {
                cell.current()
                    .or_else(|| families::merged::info_current(merged))
            };
            if let Some(index) = current {
                series.seek(index);
                series.sample(out, "", None, |out| out.push(b'1'));
            }
        }
        Cells::StateSet { states, cells } => {
            for (i, cell) in cells.iter().enumerate() {
                let current = cell
                    .current()
                    .or_else(|| families::merged::state(merged, i));
                for (s, state) in states.iter().enumerate() {
                    let extra = Extra::Text(desc.name, state);
                    series.sample(out, "", Some(extra), |out| {
                        out.push(if current == Some(s) { b'1' } else { b'0' })
                    });
                }
                series.next();
            }
        }
    }
}

/// Appends ` # {labels} value timestamp` when the slot of `series`'s
/// `bucket` holds an exemplar.
fn write_exemplar(
    out: &mut Vec<u8>,
    exemplars: Option<&dyn ExemplarSeries>,
    series: usize,
    bucket: usize,
    read: &mut ExemplarRead,
    style: FloatStyle,
) {
    let Some(slot) = exemplars.and_then(|e| e.slot(series, bucket)) else {
        return;
    };
    if !slot.read(read) {
        return;
    }
    out.extend_from_slice(b" # {");
    for (i, (name, value)) in read.labels().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"=\"");
        write_label_value(out, value);
        out.push(b'"');
    }
    out.extend_from_slice(b"} ");
    style.write(out, read.value);
    // Seconds with the milliseconds the exemplar was recorded with.
    out.push(b' ');
    write_seconds(out, read.timestamp_ms);
}

/// Milliseconds since the epoch as seconds with three decimals.
fn write_seconds(out: &mut Vec<u8>, ms: u64) {
    write_int(out, ms / 1000);
    out.push(b'.');
    let millis = ms % 1000;
    out.extend_from_slice(&[
        b'0' + (millis / 100) as u8,
        b'0' + (millis / 10 % 10) as u8,
        b'0' + (millis % 10) as u8,
    ]);
}

/// Writes the lines of one series after another.
struct Series<'s> {
    desc: &'static MetricDesc,
    labels: SeriesLabels<'s>,
    style: FloatStyle,
}

impl<'s> Series<'s> {
    fn new(desc: &'static MetricDesc, style: FloatStyle, digits: &'s mut Vec<usize>) -> Self {
        Self {
            desc,
            labels: SeriesLabels::new(desc.labels, digits),
            style,
        }
    }

    /// One line: name and `suffix`, the series' labels and then `extra`,
    /// the value, a newline.
    fn sample(
        &self,
        out: &mut Vec<u8>,
        suffix: &str,
        extra: Option<Extra<'_>>,
        write_value: impl FnOnce(&mut Vec<u8>),
    ) {
        out.extend_from_slice(self.desc.name.as_bytes());
        out.extend_from_slice(suffix.as_bytes());
        self.labels.write(out, self.desc.labels, extra, self.style);
        out.push(b' ');
        write_value(out);
        out.push(b'\n');
    }

    /// `<base>_created{labels} <seconds>` when there is a created time.
    fn created(&self, out: &mut Vec<u8>, base: &str, created_ms: Option<u64>) {
        let Some(ms) = created_ms else { return };
        out.extend_from_slice(base.as_bytes());
        out.extend_from_slice(b"_created");
        self.labels.write(out, self.desc.labels, None, self.style);
        out.push(b' ');
        write_seconds(out, ms);
        out.push(b'\n');
    }

    /// Moves to the next series.
    fn next(&mut self) {
        self.labels.advance(self.desc.labels);
    }

    /// Moves to series `index`.
    fn seek(&mut self, index: usize) {
        self.labels.seek(self.desc.labels, index);
    }
}
