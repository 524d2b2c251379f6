//! The series remote write sends for one registry series, whichever
//! protocol writes them: named and labelled exactly as Prometheus stores
//! them after scraping the registry's text (`_bucket{le}`, `_sum` and
//! `_count` for histograms, `{quantile}`, `_sum` and `_count` for
//! summaries, one series per state for state sets), a histogram's native
//! buckets as one more series carrying a native histogram, exemplars on
//! the series they belong to. Remote write 1.0 (`remote_write.rs`) and
//! 2.0 (`remote_write_v2.rs`) differ only in how a series is written
//! ([`RemoteSeries`]).

use crate::cells::native::NativeSnapshot;
use crate::encode::number::write_float;
use crate::encode::wire::{
    double_field, varint_field, write_native_fields, REMOTE_WRITE_NATIVE_FIELDS,
};
use crate::read::{Family, Kind, SeriesRead, Value};

/// A label value: a text, or a name and a suffix written one after the
/// other (`__name__` of `x_bucket`), so that no string is built.
pub(crate) type Text<'a> = (&'a str, &'a str);

/// One registry series and its family.
pub(crate) type One<'a, 'b> = (&'a Family<'b>, &'a SeriesRead<'b>);

/// How one protocol writes a series: started with its labels, then its
/// sample or native histogram and exemplar, then ended.
pub(crate) trait RemoteSeries {
    /// Starts a series named `name` with the registry series' labels and
    /// `extra` (`le`, `quantile` or a state).
    fn start(&mut self, one: One<'_, '_>, name: Text<'_>, extra: Option<(&str, &str)>);
    /// The series' one sample, at the sampling's time.
    fn sample(&mut self, value: f64);
    /// The exemplar of the registry series' `bucket` (0 for a counter),
    /// if it has one.
    fn exemplar(&mut self, one: One<'_, '_>, bucket: usize);
    /// The series' native histogram: `histogram`, a `Histogram` message.
    fn histogram(&mut self, histogram: &[u8]);
    /// Ends the series.
    fn end(&mut self, one: One<'_, '_>);
}

/// What the walk keeps from one registry series to the next.
#[derive(Default)]
pub(crate) struct Scratch {
    /// A bound or quantile, spelled as the text format spells it.
    number: Vec<u8>,
    /// A native histogram's buckets, and its `Histogram` message.
    native: NativeSnapshot,
    histogram: Vec<u8>,
}

/// Writes every remote-write series of one registry series through
/// `sink`, the metric named `name` (as the protocol spells it), each with
/// one sample at `timestamp_ms`.
pub(crate) fn write<S: RemoteSeries>(
    sink: &mut S,
    scratch: &mut Scratch,
    name: &str,
    one: One<'_, '_>,
    timestamp_ms: i64,
) {
    let (family, series) = one;
    let single = |sink: &mut S, name: Text<'_>, extra: Option<(&str, &str)>, value: f64| {
        sink.start(one, name, extra);
        sink.sample(value);
        sink.end(one);
    };
    match &series.value {
        Value::Counter(v) => {
            sink.start(one, (name, ""), None);
            sink.sample(*v as f64);
            sink.exemplar(one, 0);
            sink.end(one);
        }
        Value::Gauge(v) => single(sink, (name, ""), None, *v as f64),
        Value::FloatGauge(v) | Value::FloatCounter(v) => single(sink, (name, ""), None, *v),
        Value::Info => single(sink, (name, ""), None, 1.0),
        Value::State(current) => {
            if let Kind::StateSet(states) = family.kind {
                for state in states {
                    let value = if *current == Some(*state) { 1.0 } else { 0.0 };
                    single(sink, (name, ""), Some((name, state)), value);
                }
            }
        }
        Value::Histogram {
            bounds,
            cumulative,
            sum,
        } => {
            for (i, &count) in cumulative.iter().enumerate() {
                let number = &mut scratch.number;
                number.clear();
                write_float(number, bounds.get(i).copied().unwrap_or(f64::INFINITY));
                let le = core::str::from_utf8(number).unwrap_or("NaN");
                sink.start(one, (name, "_bucket"), Some(("le", le)));
                sink.sample(count as f64);
                sink.exemplar(one, i);
                sink.end(one);
            }
            single(sink, (name, "_sum"), None, *sum);
            let count = cumulative.last().copied().unwrap_or(0);
            single(sink, (name, "_count"), None, count as f64);
            native(sink, scratch, name, one, *sum, timestamp_ms);
        }
        Value::Summary {
            quantiles,
            count,
            sum,
        } => {
            for &(q, estimate) in quantiles.iter() {
                let number = &mut scratch.number;
                number.clear();
                write_float(number, q);
                let quantile = core::str::from_utf8(number).unwrap_or("NaN");
                single(sink, (name, ""), Some(("quantile", quantile)), estimate);
            }
            single(sink, (name, "_sum"), None, *sum);
            single(sink, (name, "_count"), None, *count as f64);
        }
    }
}

/// A histogram's native buckets, when it has them, as one series of the
/// family's own name carrying a `Histogram` with the classic `sum` and the
/// count of its own buckets (a value recorded between the classic and the
/// native reading would otherwise leave more in the buckets than the count
/// says): what Prometheus stores when it scrapes the protobuf exposition
/// with native histograms enabled. The classic series are sent beside it,
/// as a scrape of the text formats gives them.
fn native<S: RemoteSeries>(
    sink: &mut S,
    scratch: &mut Scratch,
    name: &str,
    one: One<'_, '_>,
    sum: f64,
    timestamp_ms: i64,
) {
    let (family, series) = one;
    let Some(spec) = family.native(series.index, &mut scratch.native) else {
        return;
    };
    let histogram = &mut scratch.histogram;
    histogram.clear();
    varint_field(histogram, 1, scratch.native.count());
    double_field(histogram, 3, sum);
    // The span scratch: `number` is free between series.
    write_native_fields(
        histogram,
        spec,
        &scratch.native,
        &REMOTE_WRITE_NATIVE_FIELDS,
        &mut scratch.number,
    );
    varint_field(histogram, 15, timestamp_ms as u64);
    sink.start(one, (name, ""), None);
    sink.histogram(&scratch.histogram);
    sink.end(one);
}
