//! The text formats' writer: the sample lines of every family, which both
//! text formats write alike but for the spelling of floats and where a
//! histogram's `_sum` may go, from the one reader's values.

use std::cell::RefCell;

use super::header::TextFormat;
use super::number::{write_int, FloatStyle};
use super::text::{write_label_value, write_labels, Extra};
use crate::cells::exemplar::ExemplarRead;
use crate::cells::metric::MetricDesc;
use crate::read::registry::Registry;
use crate::read::{self, Family, SeriesRead, Value, Writer};

/// Renders every family of `registry` in `format`, appending to `out`.
pub(crate) fn render_into(
    registry: &Registry<'_>,
    format: &'static TextFormat,
    created: bool,
    out: &mut Vec<u8>,
) {
    thread_local! {
        static EXEMPLAR: RefCell<ExemplarRead> = RefCell::new(ExemplarRead::default());
    }
    read::with_thread_scratch(&EXEMPLAR, |exemplar| {
        read::Reader::with(|reader| {
            let mut writer = TextWriter {
                format,
                // Only OpenMetrics has `_created` samples.
                created: created && format.openmetrics_points,
                exemplar,
                out,
                family_created_ms: None,
                family_exemplars: false,
                counter_base: "",
            };
            reader.registry(registry, &mut writer);
        })
    });
    out.extend_from_slice(format.trailer);
}

/// Writes the header and sample lines of each family it is handed.
struct TextWriter<'w> {
    format: &'static TextFormat,
    created: bool,
    exemplar: &'w mut ExemplarRead,
    out: &'w mut Vec<u8>,
    /// Of the family being written: its created time, when written.
    family_created_ms: Option<u64>,
    /// Of the family being written: whether it writes exemplars.
    family_exemplars: bool,
    /// Of the family being written: its name without `_total`, the base of
    /// a counter's `_created`.
    counter_base: &'static str,
}

impl Writer for TextWriter<'_> {
    fn family(&mut self, family: &Family<'_>) {
        self.format.write_header(family, self.out);
        let name = family.desc.name;
        // `_created` after each counter series, after `_count` otherwise.
        self.family_created_ms = family.created_ms.filter(|_| self.created);
        // Exemplars go after the samples that OpenMetrics gives them to.
        self.family_exemplars = family.has_exemplars() && self.format.openmetrics_points;
        self.counter_base = name.strip_suffix("_total").unwrap_or(name);
    }

    // Inlined into the reader's loop of each kind, where the value's
    // variant is known (callgrind: 11% more instructions per series
    // without).
    #[inline(always)]
    fn series(&mut self, family: &Family<'_>, series: &SeriesRead<'_>) {
        let desc = family.desc;
        let style = self.format.float;
        let created_ms = self.family_created_ms;
        let exemplars = self.family_exemplars;
        let counter_base = self.counter_base;
        let line = Line {
            desc,
            digits: series.digits,
            style,
        };
        let (out, exemplar) = (&mut *self.out, &mut *self.exemplar);
        match &series.value {
            Value::Counter(value) => {
                line.sample(out, "", None, |out| {
                    write_int(out, *value);
                    if exemplars {
                        write_exemplar(out, family, series.index, 0, exemplar, style);
                    }
                });
                line.created(out, counter_base, created_ms);
            }
            Value::FloatCounter(value) => {
                line.sample(out, "", None, |out| style.write(out, *value));
                line.created(out, counter_base, created_ms);
            }
            Value::Gauge(value) => line.sample(out, "", None, |out| write_int(out, *value)),
            Value::FloatGauge(value) => line.sample(out, "", None, |out| style.write(out, *value)),
            Value::Histogram {
                bounds,
                cumulative,
                sum,
            } => {
                let all = bounds.iter().copied().chain([f64::INFINITY]);
                for (bucket, (bound, &count)) in all.zip(cumulative.iter()).enumerate() {
                    line.sample(out, "_bucket", Some(Extra::Float("le", bound)), |out| {
                        write_int(out, count);
                        if exemplars {
                            write_exemplar(out, family, series.index, bucket, exemplar, style);
                        }
                    });
                }
                // A negative bound puts negative values in the buckets for
                // good.
                let negative_bounds = bounds.first().is_some_and(|&b| b < 0.0);
                let sum_is_counter = !negative_bounds && !series.negative_observed;
                if sum_is_counter || !self.format.sum_must_be_counter {
                    let count = cumulative.last().copied().unwrap_or(0);
                    line.sample(out, "_sum", None, |out| style.write(out, *sum));
                    line.sample(out, "_count", None, |out| write_int(out, count));
                }
                line.created(out, desc.name, created_ms);
            }
            Value::Summary {
                quantiles,
                count,
                sum,
            } => {
                for &(q, value) in quantiles.iter() {
                    line.sample(out, "", Some(Extra::Float("quantile", q)), |out| {
                        style.write(out, value)
                    });
                }
                line.sample(out, "_sum", None, |out| style.write(out, *sum));
                line.sample(out, "_count", None, |out| write_int(out, *count));
                line.created(out, desc.name, created_ms);
            }
            Value::Info => line.sample(out, "", None, |out| out.push(b'1')),
            Value::State(current) => {
                let crate::read::Kind::StateSet(states) = family.kind else {
                    return;
                };
                for &state in states {
                    let extra = Extra::Text(desc.name, state);
                    line.sample(out, "", Some(extra), |out| {
                        out.push(if *current == Some(state) { b'1' } else { b'0' })
                    });
                }
            }
        }
    }
}

/// Appends ` # {labels} value timestamp` when the slot of `series`'s
/// `bucket` holds an exemplar.
fn write_exemplar(
    out: &mut Vec<u8>,
    family: &Family<'_>,
    series: usize,
    bucket: usize,
    read: &mut ExemplarRead,
    style: FloatStyle,
) {
    if !family.exemplar(series, bucket, read) {
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

/// Writes the lines of one series.
struct Line<'s> {
    desc: &'static MetricDesc,
    digits: &'s [usize],
    style: FloatStyle,
}

impl Line<'_> {
    /// One line: name and `suffix`, the series' labels and then `extra`,
    /// the value, a newline.
    #[inline(always)]
    fn sample(
        &self,
        out: &mut Vec<u8>,
        suffix: &str,
        extra: Option<Extra<'_>>,
        write_value: impl FnOnce(&mut Vec<u8>),
    ) {
        let desc = self.desc;
        out.extend_from_slice(desc.name.as_bytes());
        out.extend_from_slice(suffix.as_bytes());
        write_labels(out, desc.labels, self.digits, extra, self.style);
        out.push(b' ');
        write_value(out);
        out.push(b'\n');
    }

    /// `<base>_created{labels} <seconds>` when there is a created time.
    fn created(&self, out: &mut Vec<u8>, base: &str, created_ms: Option<u64>) {
        let Some(ms) = created_ms else { return };
        out.extend_from_slice(base.as_bytes());
        out.extend_from_slice(b"_created");
        write_labels(out, self.desc.labels, self.digits, None, self.style);
        out.push(b' ');
        write_seconds(out, ms);
        out.push(b'\n');
    }
}
