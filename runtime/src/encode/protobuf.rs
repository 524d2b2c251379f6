//! The Prometheus protobuf exposition (feature `protobuf`):
//! varint-delimited `io.prometheus.client.MetricFamily` messages, written
//! directly in protobuf's wire format into the caller's buffer by a writer
//! over the one reader (`crate::read`), so that merged families, summaries
//! and state sets read exactly as in the text formats. Each family is
//! written into a scratch buffer reused from scrape to scrape (its length
//! comes before it), so a render allocates nothing once they have grown.
//!
//! Families are named as in the Prometheus text format (counters with
//! `_total`, info metrics with `_info`); info metrics and state sets are
//! gauges, as Prometheus' own clients send them. A classic histogram's
//! buckets are its finite bounds: the reader adds `+Inf` from the count, as
//! for Prometheus' Go client.

use crate::cells::spelling::Escaping;
use std::cell::RefCell;

use crate::cells::exemplar::ExemplarRead;
use crate::encode::wire::{
    double_field, field_len, label_field, message_field, message_head, string_field, varint,
    varint_field, varint_len, write_native_fields, EXPOSITION_NATIVE_FIELDS,
};
use crate::read::registry::Registry;
use crate::read::{self, Family, Kind, SeriesRead, Value, Writer};

/// `io.prometheus.client.MetricType`.
#[derive(Clone, Copy)]
enum MetricType {
    Counter = 0,
    Gauge = 1,
    Summary = 2,
    Histogram = 4,
}

fn metric_type(kind: Kind) -> MetricType {
    match kind {
        Kind::Counter | Kind::FloatCounter => MetricType::Counter,
        Kind::Gauge | Kind::FloatGauge | Kind::Info | Kind::StateSet(_) => MetricType::Gauge,
        Kind::Histogram(_) => MetricType::Histogram,
        Kind::Summary(_) => MetricType::Summary,
    }
}

/// Buffers for the nested messages, each written before its length is
/// known to its parent, reused from render to render.
#[derive(Default)]
struct Scratch {
    family: Vec<u8>,
    metric: Vec<u8>,
    value: Vec<u8>,
    item: Vec<u8>,
    exemplar: Vec<u8>,
    read: ExemplarRead,
    native: crate::cells::native::NativeSnapshot,
    /// The created time as a `Timestamp` message, the same for every
    /// series of a family; empty when none is written.
    timestamp: Vec<u8>,
    /// Every label value's encoded `LabelPair` field of the family, one
    /// after another, encoded once per family.
    pairs: Vec<u8>,
    /// Where each lies in `pairs`, label after label.
    spans: Vec<(usize, usize)>,
    /// Each label's first entry in `spans`.
    firsts: Vec<usize>,
}

/// Appends every family of `registry` to `out`, names spelled by
/// `escaping` (never quoted: protobuf strings carry any name).
pub(crate) fn render_into(
    registry: &Registry<'_>,
    escaping: Escaping,
    created: bool,
    out: &mut Vec<u8>,
) {
    thread_local! {
        static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    }
    read::with_thread_scratch(&SCRATCH, |scratch| {
        read::Reader::with(|reader| {
            let mut writer = ProtobufWriter {
                created,
                escaping,
                scratch,
                out,
            };
            reader.registry(registry, &mut writer);
        })
    });
}

/// Writes each family it is handed as one delimited `MetricFamily`.
struct ProtobufWriter<'w> {
    created: bool,
    escaping: Escaping,
    scratch: &'w mut Scratch,
    out: &'w mut Vec<u8>,
}

impl Writer for ProtobufWriter<'_> {
    fn family(&mut self, family: &Family<'_>) {
        let desc = family.desc;
        let Scratch {
            family: message,
            timestamp,
            pairs,
            spans,
            firsts,
            ..
        } = &mut *self.scratch;
        timestamp.clear();
        if let Some(ms) = family.created_ms.filter(|_| self.created) {
            write_timestamp(timestamp, ms);
        }
        message.clear();
        let name = desc.spellings().bare(desc.name, self.escaping);
        string_field(message, 1, name);
        string_field(message, 2, desc.help);
        varint_field(message, 3, metric_type(family.kind) as u64);
        pairs.clear();
        spans.clear();
        firsts.clear();
        for (i, label) in desc.labels.iter().enumerate() {
            firsts.push(spans.len());
            let label_name = label.spellings().bare(label.name, self.escaping);
            for index in 0..label.cardinality() {
                let start = pairs.len();
                label_field(pairs, 1, label_name, family.label_value(i, index), "");
                spans.push((start, pairs.len()));
            }
        }
    }

    // Inlined into the reader's loop of each kind, where the value's
    // variant is known (callgrind: 15% more instructions per series
    // without).
    #[inline(always)]
    fn series(&mut self, family: &Family<'_>, series: &SeriesRead<'_>) {
        let s = &mut *self.scratch;
        let labels = Labels {
            pairs: &s.pairs,
            spans: &s.spans,
            firsts: &s.firsts,
            digits: series.digits,
        };
        let created: &[u8] = &s.timestamp;
        // A counter's or gauge's value: field 3 or 2 of `Metric`, a double
        // (and a counter's exemplar and created time).
        let (field, number) = match &series.value {
            Value::Counter(v) => (3, *v as f64),
            Value::FloatCounter(v) => (3, *v),
            Value::Gauge(v) => (2, *v as f64),
            Value::FloatGauge(v) => (2, *v),
            Value::Info => (2, 1.0),
            Value::State(current) => {
                let Kind::StateSet(states) = family.kind else {
                    return;
                };
                for &state in states {
                    s.metric.clear();
                    labels.write(&mut s.metric);
                    let desc = family.desc;
                    let name = desc.spellings().bare(desc.name, self.escaping);
                    label_field(&mut s.metric, 1, name, state, "");
                    s.value.clear();
                    double_field(
                        &mut s.value,
                        1,
                        f64::from(u8::from(*current == Some(state))),
                    );
                    message_field(&mut s.metric, 2, &s.value);
                    message_field(&mut s.family, 4, &s.metric);
                }
                return;
            }
            Value::Histogram {
                bounds,
                cumulative,
                sum,
            } => {
                let value = &mut s.value;
                value.clear();
                // Read before the count is written: the count must cover
                // the native buckets (Prometheus refuses fewer) as well as
                // the classic ones, and the two readings are taken apart.
                let native = family.native(series.index, &mut s.native);
                let classic_count = cumulative.last().copied().unwrap_or(0);
                let count = match native {
                    Some(_) => classic_count.max(s.native.count()),
                    None => classic_count,
                };
                varint_field(value, 1, count);
                double_field(value, 2, *sum);
                // The finite bounds; `+Inf` only to carry its exemplar.
                let last = bounds.len();
                let all = bounds.iter().copied().chain([f64::INFINITY]);
                for (bucket, (count, bound)) in cumulative.iter().zip(all).enumerate() {
                    let has =
                        write_exemplar(family, series.index, bucket, &mut s.read, &mut s.exemplar);
                    if bucket == last && !has {
                        break;
                    }
                    s.item.clear();
                    varint_field(&mut s.item, 1, *count);
                    double_field(&mut s.item, 2, bound);
                    if has {
                        message_field(&mut s.item, 3, &s.exemplar);
                    }
                    message_field(value, 3, &s.item);
                }
                if let Some(spec) = native {
                    write_native_fields(
                        value,
                        spec,
                        &s.native,
                        &EXPOSITION_NATIVE_FIELDS,
                        &mut s.item,
                    );
                    // A native histogram's exemplars: those of its series,
                    // whichever classic bucket keeps them.
                    for bucket in 0..cumulative.len() {
                        if write_exemplar(
                            family,
                            series.index,
                            bucket,
                            &mut s.read,
                            &mut s.exemplar,
                        ) {
                            message_field(value, 16, &s.exemplar);
                        }
                    }
                }
                if !created.is_empty() {
                    message_field(value, 15, created);
                }
                s.metric.clear();
                labels.write(&mut s.metric);
                message_field(&mut s.metric, 7, value);
                message_field(&mut s.family, 4, &s.metric);
                return;
            }
            Value::Summary {
                quantiles,
                count,
                sum,
            } => {
                let value = &mut s.value;
                value.clear();
                varint_field(value, 1, *count);
                double_field(value, 2, *sum);
                for (quantile, estimate) in quantiles.iter() {
                    s.item.clear();
                    double_field(&mut s.item, 1, *quantile);
                    double_field(&mut s.item, 2, *estimate);
                    message_field(value, 3, &s.item);
                }
                if !created.is_empty() {
                    message_field(value, 4, created);
                }
                s.metric.clear();
                labels.write(&mut s.metric);
                message_field(&mut s.metric, 4, value);
                message_field(&mut s.family, 4, &s.metric);
                return;
            }
        };
        // Written straight into the family: the lengths are known ahead.
        let has_exemplar = field == 3
            && family.has_exemplars()
            && write_exemplar(family, series.index, 0, &mut s.read, &mut s.exemplar);
        let created = if field == 3 { created } else { &[][..] };
        let mut value_len = 9;
        if has_exemplar {
            value_len += field_len(s.exemplar.len());
        }
        if !created.is_empty() {
            value_len += field_len(created.len());
        }
        let message = &mut s.family;
        message_head(message, 4, labels.len() + field_len(value_len));
        labels.write(message);
        message_head(message, field, value_len);
        double_field(message, 1, number);
        if has_exemplar {
            message_field(message, 2, &s.exemplar);
        }
        if !created.is_empty() {
            message_field(message, 3, created);
        }
    }

    fn end_family(&mut self, _family: &Family<'_>) {
        let message = &self.scratch.family;
        varint(self.out, message.len() as u64);
        self.out.extend_from_slice(message);
    }
}

/// One series' labels as `LabelPair` fields (field 1 of `Metric`), copied
/// from the family's encoded pairs.
struct Labels<'a> {
    pairs: &'a [u8],
    spans: &'a [(usize, usize)],
    firsts: &'a [usize],
    digits: &'a [usize],
}

impl Labels<'_> {
    fn span(&self, label: usize, digit: usize) -> (usize, usize) {
        self.spans[self.firsts[label] + digit]
    }

    /// Their encoded length.
    fn len(&self) -> usize {
        (0..self.digits.len())
            .map(|k| {
                let (a, b) = self.span(k, self.digits[k]);
                b - a
            })
            .sum()
    }

    fn write(&self, out: &mut Vec<u8>) {
        for (k, &d) in self.digits.iter().enumerate() {
            let (a, b) = self.span(k, d);
            out.extend_from_slice(&self.pairs[a..b]);
        }
    }
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

/// Writes the exemplar of `series`'s `bucket` into `out` as an `Exemplar`
/// message (labels, value, timestamp); false when there is none.
fn write_exemplar(
    family: &Family<'_>,
    series: usize,
    bucket: usize,
    read: &mut ExemplarRead,
    out: &mut Vec<u8>,
) -> bool {
    if !family.exemplar(series, bucket, read) {
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
