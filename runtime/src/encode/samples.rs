//! The text formats' writer: the sample lines of every family, which both
//! text formats write alike but for the spelling of floats and where a
//! histogram's `_sum` may go, from the one reader's values.

use std::cell::RefCell;

use super::header::TextFormat;
use super::number::{write_int, FloatStyle};
use super::text::{write_label_value, write_labels, Declared, Extra, SeriesValues};
use crate::cells::exemplar::ExemplarRead;
use crate::cells::metric::MetricDesc;
use crate::cells::spelling::{Escaping, Spelled};
use crate::read::registry::Registry;
use crate::read::{self, Family, SeriesRead, Value, Writer};

/// Renders every family of `registry` in `format`, its names spelled by
/// `escaping`, appending to `out`.
pub(crate) fn render_into(
    registry: &Registry<'_>,
    format: &'static TextFormat,
    escaping: Escaping,
    created: bool,
    out: &mut Vec<u8>,
) {
    // The names as declared, the writer of before escaping existed, when
    // the scheme leaves every name of the registry as it is: a branch per
    // render, not per series.
    if escaping != Escaping::Dots && registry.legacy_names() {
        render_with::<false>(registry, format, escaping, created, out)
    } else {
        render_with::<true>(registry, format, escaping, created, out)
    }
}

fn render_with<const SPELLED: bool>(
    registry: &Registry<'_>,
    format: &'static TextFormat,
    escaping: Escaping,
    created: bool,
    out: &mut Vec<u8>,
) {
    thread_local! {
        static EXEMPLAR: RefCell<ExemplarRead> = RefCell::new(ExemplarRead::default());
    }
    read::with_thread_scratch(&EXEMPLAR, |exemplar| {
        read::Reader::with(|reader| {
            let mut writer = TextWriter::<SPELLED> {
                format,
                // Only OpenMetrics has `_created` samples.
                created: created && format.openmetrics_points,
                exemplar,
                out,
                family_created_ms: None,
                family_exemplars: false,
                counter_base: "",
                escaping,
                names: FamilyNames::new(),
            };
            reader.registry(registry, &mut writer);
        })
    });
    out.extend_from_slice(format.trailer);
}

/// Writes the header and sample lines of each family it is handed; with
/// `SPELLED`, its names as the scheme spells them.
struct TextWriter<'w, const SPELLED: bool> {
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
    /// How names are spelled.
    escaping: Escaping,
    /// Of the family being written, with `SPELLED`: its names as spelled.
    names: FamilyNames,
}

/// The names of one family as a scheme spells them.
struct FamilyNames {
    /// The sample name without suffix (between quotes when `quoted`).
    name: &'static str,
    /// Whether sample names are quoted, inside the braces.
    quoted: bool,
    /// Each label's name.
    labels: Vec<Spelled<'static>>,
}

impl FamilyNames {
    const fn new() -> Self {
        Self {
            name: "",
            quoted: false,
            labels: Vec::new(),
        }
    }

    fn fill(&mut self, desc: &'static MetricDesc, escaping: Escaping) {
        let spelled = desc.spellings().get(desc.name, escaping);
        self.name = spelled.text();
        self.quoted = matches!(spelled, Spelled::Quoted(_));
        self.labels.clear();
        self.labels.extend(
            desc.labels
                .iter()
                .map(|label| label.spellings().get(label.name, escaping)),
        );
    }
}

impl<const SPELLED: bool> Writer for TextWriter<'_, SPELLED> {
    fn family(&mut self, family: &Family<'_>) {
        let name = if SPELLED {
            let names = &mut self.names;
            names.fill(family.desc, self.escaping);
            let bare = self.format.family_name_of(names.name, family.kind);
            let bare = if names.quoted {
                Spelled::Quoted(bare)
            } else {
                Spelled::Plain(bare)
            };
            self.format.write_header_named(family, bare, self.out);
            names.name
        } else {
            self.format.write_header(family, self.out);
            family.desc.name
        };
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
        // The declared names' writer never reads the spelled ones: a
        // constant, so that its loop keeps what it kept before escaping.
        static NONE: FamilyNames = FamilyNames::new();
        let line = Line::<SPELLED> {
            desc,
            values: SeriesValues {
                digits: series.digits,
                transient: family.transient(),
            },
            style,
            names: if SPELLED { &self.names } else { &NONE },
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
                line.created(out, line.name(), created_ms);
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
                line.created(out, line.name(), created_ms);
            }
            Value::Info => line.sample(out, "", None, |out| out.push(b'1')),
            Value::State(current) => {
                let crate::read::Kind::StateSet(states) = family.kind else {
                    return;
                };
                for &state in states {
                    // A state set's own label is named after the metric.
                    let names = &self.names;
                    let extra = match (SPELLED, names.quoted) {
                        (true, true) => Extra::QuotedText(names.name, state),
                        (true, false) => Extra::Text(names.name, state),
                        (false, _) => Extra::Text(desc.name, state),
                    };
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
struct Line<'s, const SPELLED: bool> {
    desc: &'static MetricDesc,
    /// The series' label values.
    values: SeriesValues<'s>,
    style: FloatStyle,
    /// With `SPELLED`, the family's names as spelled.
    names: &'s FamilyNames,
}

impl<const SPELLED: bool> Line<'_, SPELLED> {
    /// The sample name without suffix.
    #[inline(always)]
    fn name(&self) -> &'static str {
        if SPELLED {
            self.names.name
        } else {
            self.desc.name
        }
    }

    /// One line: name and `suffix`, the series' labels and then `extra`,
    /// the value, a newline.
    #[inline(always)]
    fn sample(
        &self,
        out: &mut Vec<u8>,
        suffix: &'static str,
        extra: Option<Extra<'_>>,
        write_value: impl FnOnce(&mut Vec<u8>),
    ) {
        self.head(out, self.name(), suffix, extra);
        out.push(b' ');
        write_value(out);
        out.push(b'\n');
    }

    /// `<base>_created{labels} <seconds>` when there is a created time.
    // Inlined, so that a series without one pays a branch, not a call.
    #[inline(always)]
    fn created(&self, out: &mut Vec<u8>, base: &str, created_ms: Option<u64>) {
        if let Some(ms) = created_ms {
            self.write_created(out, base, ms);
        }
    }

    // Kept out of the loop it is called from: it writes one line in
    // several per series, and inlined it costs every series registers.
    #[inline(never)]
    fn write_created(&self, out: &mut Vec<u8>, base: &str, ms: u64) {
        self.head(out, base, "_created", None);
        out.push(b' ');
        write_seconds(out, ms);
        out.push(b'\n');
    }

    /// The sample name (`base` and `suffix`) and the labels.
    #[inline(always)]
    fn head(&self, out: &mut Vec<u8>, base: &str, suffix: &'static str, extra: Option<Extra<'_>>) {
        let desc = self.desc;
        if !SPELLED {
            out.extend_from_slice(base.as_bytes());
            out.extend_from_slice(suffix.as_bytes());
            write_labels::<_, false>(out, desc.labels, &self.values, extra, self.style, &Declared);
            return;
        }
        let names = self.names;
        if names.quoted {
            out.extend_from_slice(b"{\"");
        }
        out.extend_from_slice(base.as_bytes());
        out.extend_from_slice(suffix.as_bytes());
        if names.quoted {
            out.push(b'"');
        }
        let (labels, style) = (&names.labels[..], self.style);
        let values = &self.values;
        if names.quoted {
            write_labels::<_, true>(out, desc.labels, values, extra, style, labels);
        } else {
            write_labels::<_, false>(out, desc.labels, values, extra, style, labels);
        }
    }
}
