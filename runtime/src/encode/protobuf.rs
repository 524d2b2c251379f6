//! The Prometheus protobuf exposition (feature `protobuf`):
//! varint-delimited `io.prometheus.client.MetricFamily` messages, written
//! directly in protobuf's wire format into the caller's buffer, through
//! scratch buffers reused from scrape to scrape. Values come from the
//! snapshot path (`snapshot::read_family`, into buffers kept with the
//! scratch), so merged families, summaries and state sets read exactly as in
//! the text formats, and a render allocates nothing once they have grown.
//!
//! Families are named as in the Prometheus text format (counters with
//! `_total`, info metrics with `_info`); info metrics and state sets are
//! gauges, as Prometheus' own clients send them. A classic histogram's
//! buckets are its finite bounds: the reader adds `+Inf` from the count, as
//! for Prometheus' Go client.

use std::cell::RefCell;

use crate::exemplar::{ExemplarRead, ExemplarSeries};
use smallvec::SmallVec;

use crate::snapshot::{read_family, SeriesReader, SeriesRef, ValueRef};
use crate::wire::{
    double_field, field_len, label_field, message_field, message_head, string_field, varint,
    varint_field, varint_len,
};
use crate::{Cells, Metric, Registry};

/// `io.prometheus.client.MetricType`.
#[derive(Clone, Copy)]
enum MetricType {
    Counter = 0,
    Gauge = 1,
    Summary = 2,
    Histogram = 4,
}

fn metric_type(cells: &Cells<'_>) -> MetricType {
    match cells {
        Cells::Counter(_) | Cells::ShardedCounter(_) | Cells::FloatCounter(_) => {
            MetricType::Counter
        }
        Cells::Gauge(_) | Cells::FloatGauge(_) | Cells::Info(_) | Cells::StateSet { .. } => {
            MetricType::Gauge
        }
        Cells::Histogram { .. } => MetricType::Histogram,
        Cells::Summary { .. } => MetricType::Summary,
    }
}

/// Buffers for the nested messages, each written before its length is
/// known to its parent.
#[derive(Default)]
struct Scratch {
    family: Vec<u8>,
    metric: Vec<u8>,
    value: Vec<u8>,
    item: Vec<u8>,
    exemplar: Vec<u8>,
    read: ExemplarRead,
    native: crate::native::NativeSnapshot,
    scalars: ScalarScratch,
    timestamp: Vec<u8>,
    series: SeriesReader,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Appends every family of `registry` to `out`.
pub(crate) fn render_into(registry: &Registry<'_>, created: bool, out: &mut Vec<u8>) {
    let now_ms = crate::summary::render_now_ms();
    SCRATCH.with(|scratch| {
        // A render that re-enters (a hand-written group rendering inside
        // its visit) gets buffers of its own.
        let mut own = Scratch::default();
        let mut borrowed = scratch.try_borrow_mut();
        let scratch = match borrowed.as_deref_mut() {
            Ok(scratch) => scratch,
            Err(_) => &mut own,
        };
        registry.for_each_family(&mut |metric, merged| {
            write_family(&metric, merged, now_ms, created, scratch, out);
        });
    });
}

fn write_family(
    metric: &Metric<'_>,
    merged: &[Metric<'_>],
    now_ms: u64,
    created: bool,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) {
    let desc = metric.desc;
    let kind = metric_type(&metric.cells);
    let Scratch {
        family,
        metric: one,
        value,
        item,
        exemplar,
        read,
        native,
        scalars,
        timestamp,
        series: reader,
    } = scratch;
    let exemplars = metric.exemplars;
    let native_cells = metric.native;
    // The created time as a `Timestamp` message, the same for every series.
    timestamp.clear();
    if let Some(ms) = metric.created_ms.filter(|_| created) {
        write_timestamp(timestamp, ms);
    }
    let timestamp: &[u8] = timestamp;
    family.clear();
    string_field(family, 1, desc.name);
    string_field(family, 2, desc.help);
    varint_field(family, 3, kind as u64);
    // One value per series: written straight into the family, labels
    // from an odometer over the label values, no snapshot in between.
    if write_scalars(metric, merged, family, timestamp, out, scalars) {
        return;
    }
    let states = match metric.cells {
        Cells::StateSet { states, .. } => states,
        _ => &[],
    };
    read_family(*metric, merged, now_ms, reader, &mut |series| {
        if let ValueRef::State(current) = series.value {
            for &state in states {
                one.clear();
                write_labels(&series, Some((desc.name, state)), one);
                value.clear();
                double_field(value, 1, f64::from(u8::from(current == Some(state))));
                message_field(one, 2, value);
                message_field(family, 4, one);
            }
            return;
        }
        one.clear();
        write_labels(&series, None, one);
        value.clear();
        let field = match &series.value {
            ValueRef::Counter(v) => {
                double_field(value, 1, *v as f64);
                if write_exemplar(exemplars, series.index, 0, read, exemplar) {
                    message_field(value, 2, exemplar);
                }
                3
            }
            ValueRef::FloatCounter(v) => {
                double_field(value, 1, *v);
                3
            }
            ValueRef::Gauge(v) => {
                double_field(value, 1, *v as f64);
                2
            }
            ValueRef::FloatGauge(v) => {
                double_field(value, 1, *v);
                2
            }
            ValueRef::Info => {
                double_field(value, 1, 1.0);
                2
            }
            ValueRef::Histogram {
                bounds,
                cumulative,
                sum,
            } => {
                varint_field(value, 1, cumulative.last().copied().unwrap_or(0));
                double_field(value, 2, *sum);
                // The finite bounds; `+Inf` only to carry its exemplar.
                let last = bounds.len();
                let all = bounds.iter().copied().chain([f64::INFINITY]);
                for (bucket, (count, bound)) in cumulative.iter().zip(all).enumerate() {
                    let has = write_exemplar(exemplars, series.index, bucket, read, exemplar);
                    if bucket == last && !has {
                        break;
                    }
                    item.clear();
                    varint_field(item, 1, *count);
                    double_field(item, 2, bound);
                    if has {
                        message_field(item, 3, exemplar);
                    }
                    message_field(value, 3, item);
                }
                if let Some(cells) = native_cells {
                    cells.series.read(cells.spec, series.index, native);
                    native.reduce(cells.spec.max_buckets);
                    write_native(value, cells.spec, native, item);
                    // A native histogram's exemplars: those of its series,
                    // whichever classic bucket keeps them.
                    for bucket in 0..cumulative.len() {
                        if write_exemplar(exemplars, series.index, bucket, read, exemplar) {
                            message_field(value, 16, exemplar);
                        }
                    }
                }
                if !timestamp.is_empty() {
                    message_field(value, 15, timestamp);
                }
                7
            }
            ValueRef::Summary {
                quantiles,
                count,
                sum,
            } => {
                varint_field(value, 1, *count);
                double_field(value, 2, *sum);
                for (quantile, estimate) in quantiles.iter() {
                    item.clear();
                    double_field(item, 1, *quantile);
                    double_field(item, 2, *estimate);
                    message_field(value, 3, item);
                }
                if !timestamp.is_empty() {
                    message_field(value, 4, timestamp);
                }
                4
            }
            ValueRef::State(_) => return,
        };
        message_field(one, field, value);
        message_field(family, 4, one);
    });
    varint(out, family.len() as u64);
    out.extend_from_slice(family);
}

/// The series of a counter or gauge metric as `Metric` messages, and the
/// family (its header already in `family`) written to `out`; false
/// (nothing written) for the other kinds. Each label value's `LabelPair` is
/// encoded once per render; without exemplars the family's length is summed
/// first and every series written straight into `out`.
fn write_scalars(
    metric: &Metric<'_>,
    merged: &[Metric<'_>],
    family: &mut Vec<u8>,
    created: &[u8],
    out: &mut Vec<u8>,
    scratch: &mut ScalarScratch,
) -> bool {
    use crate::families::merged;
    // The field of the value's message in `Metric`, and the series count.
    let (field, series) = match metric.cells {
        Cells::Counter(c) => (3, c.len()),
        Cells::ShardedCounter(c) => (3, c.len()),
        Cells::FloatCounter(c) => (3, c.len()),
        Cells::Gauge(c) => (2, c.len()),
        Cells::FloatGauge(c) => (2, c.len()),
        _ => return false,
    };
    let value_of = |index: usize| match metric.cells {
        Cells::Counter(c) => c[index].get().wrapping_add(merged::count(merged, index)) as f64,
        Cells::ShardedCounter(c) => c.get(index).wrapping_add(merged::count(merged, index)) as f64,
        Cells::FloatCounter(c) | Cells::FloatGauge(c) => {
            c[index].get() + merged::float(merged, index)
        }
        Cells::Gauge(c) => c[index].get().wrapping_add(merged::gauge(merged, index)) as f64,
        _ => 0.0,
    };
    let ScalarScratch {
        pairs,
        spans,
        firsts,
        digits,
        exemplar,
        read,
    } = scratch;
    let labels = metric.desc.labels;
    // Every label value's encoded `LabelPair` field, and where it lies.
    pairs.clear();
    spans.clear();
    firsts.clear();
    for label in labels {
        firsts.push(spans.len());
        for value in label.values {
            let start = pairs.len();
            label_field(pairs, 1, label.name, value, "");
            spans.push((start, pairs.len()));
        }
    }
    let pair = |label: usize, digit: usize| spans[firsts[label] + digit];
    let labels_len = |digits: &[usize]| -> usize {
        digits
            .iter()
            .enumerate()
            .map(|(k, &d)| {
                let (a, b) = pair(k, d);
                b - a
            })
            .sum()
    };
    let next = |digits: &mut [usize]| {
        // The last label turns fastest.
        for (digit, label) in digits.iter_mut().zip(labels).rev() {
            *digit += 1;
            if *digit < label.values.len() {
                break;
            }
            *digit = 0;
        }
    };
    // A counter's created time, field 3 of its message.
    let created = if field == 3 { created } else { &[][..] };
    let created_len = if created.is_empty() {
        0
    } else {
        field_len(created.len())
    };
    // The value's message without an exemplar: key, length, a double and
    // the created time.
    let value_len = 9 + created_len;
    let whole_value = 1 + crate::wire::varint_len(value_len as u64) + value_len;
    digits.clear();
    digits.resize(labels.len(), 0);
    if metric.exemplars.is_none() {
        let mut len = family.len();
        for _ in 0..series {
            len += field_len(labels_len(digits) + whole_value);
            next(digits);
        }
        varint(out, len as u64);
        out.extend_from_slice(family);
        digits.iter_mut().for_each(|d| *d = 0);
        for index in 0..series {
            message_head(out, 4, labels_len(digits) + whole_value);
            for (k, &d) in digits.iter().enumerate() {
                let (a, b) = pair(k, d);
                out.extend_from_slice(&pairs[a..b]);
            }
            message_head(out, field, value_len);
            double_field(out, 1, value_of(index));
            if !created.is_empty() {
                message_field(out, 3, created);
            }
            next(digits);
        }
        return true;
    }
    for index in 0..series {
        let has_exemplar = field == 3 && write_exemplar(metric.exemplars, index, 0, read, exemplar);
        let value_len = value_len
            + if has_exemplar {
                field_len(exemplar.len())
            } else {
                0
            };
        message_head(family, 4, labels_len(digits) + field_len(value_len));
        for (k, &d) in digits.iter().enumerate() {
            let (a, b) = pair(k, d);
            family.extend_from_slice(&pairs[a..b]);
        }
        message_head(family, field, value_len);
        double_field(family, 1, value_of(index));
        if has_exemplar {
            message_field(family, 2, exemplar);
        }
        if !created.is_empty() {
            message_field(family, 3, created);
        }
        next(digits);
    }
    varint(out, family.len() as u64);
    out.extend_from_slice(family);
    true
}

/// The buffers of [`write_scalars`], reused from render to render.
#[derive(Default)]
struct ScalarScratch {
    /// Every label value's encoded `LabelPair` field, one after another.
    pairs: Vec<u8>,
    /// Where each lies in `pairs`, label after label.
    spans: Vec<(usize, usize)>,
    /// Each label's first entry in `spans`.
    firsts: Vec<usize>,
    digits: Vec<usize>,
    exemplar: Vec<u8>,
    read: ExemplarRead,
}

/// A `google.protobuf.Timestamp` message's fields: seconds and nanoseconds.
fn write_timestamp(out: &mut Vec<u8>, ms: u64) {
    varint_field(out, 1, ms / 1000);
    varint_field(out, 2, (ms % 1000) * 1_000_000);
}

/// A `Timestamp` message as field `field`.
fn timestamp_field(out: &mut Vec<u8>, field: u32, ms: u64) {
    let (seconds, nanos) = (ms / 1000, (ms % 1000) * 1_000_000);
    message_head(out, field, 2 + varint_len(seconds) + varint_len(nanos));
    write_timestamp(out, ms);
}

/// The native fields of a `Histogram` message: schema, zero bucket, and
/// each sign's populated buckets as spans and deltas.
fn write_native(
    out: &mut Vec<u8>,
    spec: &crate::native::NativeSpec,
    buckets: &crate::native::NativeSnapshot,
    scratch: &mut Vec<u8>,
) {
    let zigzag32 = |n: i32| u64::from(((n << 1) ^ (n >> 31)) as u32);
    let zigzag64 = |n: i64| ((n << 1) ^ (n >> 63)) as u64;
    varint_field(out, 5, zigzag32(buckets.schema));
    double_field(out, 6, spec.zero_threshold);
    varint_field(out, 7, buckets.zero);
    for (sign, span_field, delta_field) in [(&buckets.negative, 9, 10), (&buckets.positive, 12, 13)]
    {
        // Spans: runs of consecutive keys; the first offset is its key,
        // each next one the gap after the previous run.
        let mut runs: SmallVec<[(i32, u32); 16]> = SmallVec::new();
        for &(key, _) in sign.iter() {
            match runs.last_mut() {
                Some((start, len)) if *start + *len as i32 == key => *len += 1,
                _ => runs.push((key, 1)),
            }
        }
        let mut end = 0i32;
        for (i, &(start, len)) in runs.iter().enumerate() {
            let offset = if i == 0 { start } else { start - end };
            end = start + len as i32;
            scratch.clear();
            varint_field(scratch, 1, zigzag32(offset));
            varint_field(scratch, 2, u64::from(len));
            message_field(out, span_field, scratch);
        }
        // Deltas, packed: each count minus the one before.
        if !sign.is_empty() {
            scratch.clear();
            let mut previous = 0i64;
            for &(_, count) in sign.iter() {
                let count = count as i64;
                varint(scratch, zigzag64(count - previous));
                previous = count;
            }
            message_field(out, delta_field, scratch);
        }
    }
}

/// Writes the exemplar of `series`'s `bucket` into `out` as an `Exemplar`
/// message (labels, value, timestamp); false when there is none.
fn write_exemplar(
    exemplars: Option<&dyn ExemplarSeries>,
    series: usize,
    bucket: usize,
    read: &mut ExemplarRead,
    out: &mut Vec<u8>,
) -> bool {
    let Some(slot) = exemplars.and_then(|e| e.slot(series, bucket)) else {
        return false;
    };
    if !slot.read(read) {
        return false;
    }
    out.clear();
    for (name, value) in read.labels() {
        label_field(out, 1, name, value, "");
    }
    double_field(out, 2, read.value);
    timestamp_field(out, 3, read.timestamp_ms);
    true
}

/// The series' labels as `LabelPair`s (field 1 of `Metric`), then `extra`.
fn write_labels(series: &SeriesRef<'_>, extra: Option<(&str, &str)>, out: &mut Vec<u8>) {
    let pairs = series
        .metric
        .labels
        .iter()
        .map(|l| l.name)
        .zip(series.label_values.iter().copied())
        .chain(extra);
    for (name, value) in pairs {
        label_field(out, 1, name, value, "");
    }
}
