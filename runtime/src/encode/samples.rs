//! The sample lines of a metric, which both text formats write alike but
//! for the spelling of floats.

use super::number::{write_float, write_int};
use super::text::{Extra, SeriesLabels};
use crate::{Cells, HistogramSnapshot, Metric, MetricDesc, SummarySnapshot};

/// How floats are spelled.
#[derive(Clone, Copy)]
pub(crate) enum FloatStyle {
    /// Go's `FormatFloat(v, 'g', -1, 64)`: `1`, `0.5`, `1e+06`.
    Go,
    /// The same, with `.0` added to integral values: `1.0`, `0.5`, `1e+06`,
    /// as OpenMetrics' canonical numbers and Prometheus' Go client write them.
    OpenMetrics,
}

impl FloatStyle {
    pub(crate) fn write(self, out: &mut Vec<u8>, v: f64) {
        let start = out.len();
        write_float(out, v);
        if let FloatStyle::OpenMetrics = self {
            let written = &out[start..];
            let integral = written.iter().all(|&b| b.is_ascii_digit() || b == b'-');
            if integral {
                out.extend_from_slice(b".0");
            }
        }
    }
}

pub(crate) fn write_samples(metric: Metric<'_>, now_ms: u64, style: FloatStyle, out: &mut Vec<u8>) {
    let desc = metric.desc;
    let mut series = Series::new(desc, style);
    match metric.cells {
        Cells::Counter(cells) => {
            for cell in cells {
                series.sample(out, "", None, |out| write_int(out, cell.get()));
                series.next();
            }
        }
        Cells::ShardedCounter(cells) => {
            for cell in cells {
                series.sample(out, "", None, |out| write_int(out, cell.get()));
                series.next();
            }
        }
        Cells::Gauge(cells) => {
            for cell in cells {
                series.sample(out, "", None, |out| write_int(out, cell.get()));
                series.next();
            }
        }
        Cells::FloatGauge(cells) => {
            for cell in cells {
                series.sample(out, "", None, |out| style.write(out, cell.get()));
                series.next();
            }
        }
        Cells::Histogram {
            spec,
            series: cells,
        } => {
            let mut snapshot = HistogramSnapshot::default();
            for index in 0..cells.len() {
                cells.read(index, &mut snapshot);
                let bounds = spec.bounds.iter().copied().chain([f64::INFINITY]);
                for (bound, &count) in bounds.zip(&snapshot.cumulative) {
                    series.sample(out, "_bucket", Some(Extra::Float("le", bound)), |out| {
                        write_int(out, count)
                    });
                }
                series.sample(out, "_sum", None, |out| style.write(out, snapshot.sum));
                series.sample(out, "_count", None, |out| write_int(out, snapshot.count()));
                series.next();
            }
        }
        Cells::Summary {
            spec,
            series: cells,
        } => {
            let mut snapshot = SummarySnapshot::default();
            for index in 0..cells.len() {
                cells.read(spec, index, now_ms, &mut snapshot);
                for &(q, value) in &snapshot.quantiles {
                    series.sample(out, "", Some(Extra::Float("quantile", q)), |out| {
                        style.write(out, value)
                    });
                }
                series.sample(out, "_sum", None, |out| style.write(out, snapshot.sum));
                series.sample(out, "_count", None, |out| write_int(out, snapshot.count));
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
            };
            if let Some(index) = current {
                series.seek(index);
                series.sample(out, "", None, |out| out.push(b'1'));
            }
        }
        Cells::StateSet { states, cells } => {
            for cell in cells {
                let current = cell.current();
                for (i, state) in states.iter().enumerate() {
                    let extra = Extra::Text(desc.name, state);
                    series.sample(out, "", Some(extra), |out| {
                        out.push(if current == Some(i) { b'1' } else { b'0' })
                    });
                }
                series.next();
            }
        }
    }
}

/// Writes the lines of one series after another.
struct Series {
    desc: &'static MetricDesc,
    labels: SeriesLabels,
    style: FloatStyle,
}

impl Series {
    fn new(desc: &'static MetricDesc, style: FloatStyle) -> Self {
        Self {
            desc,
            labels: SeriesLabels::new(desc.labels),
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

    /// Moves to the next series.
    fn next(&mut self) {
        self.labels.advance(self.desc.labels);
    }

    /// Moves to series `index`.
    fn seek(&mut self, index: usize) {
        self.labels.seek(self.desc.labels, index);
    }
}
