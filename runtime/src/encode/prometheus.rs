//! The Prometheus text format, version 0.0.4.

use super::number::{write_float, write_int};
use super::text::{write_help, SeriesLabels};
use crate::{Cells, HistogramSnapshot, Metric, MetricDesc, SummarySnapshot};

pub(crate) fn encode_metric(metric: Metric<'_>, now_ms: u64, out: &mut Vec<u8>) {
    let desc = metric.desc;
    let type_name = match metric.cells {
        Cells::Counter(_) => "counter",
        Cells::Gauge(_) | Cells::FloatGauge(_) => "gauge",
        Cells::Histogram { .. } => "histogram",
        Cells::Summary { .. } => "summary",
    };
    out.extend_from_slice(b"# HELP ");
    out.extend_from_slice(desc.name.as_bytes());
    out.push(b' ');
    write_help(out, desc.help);
    out.extend_from_slice(b"\n# TYPE ");
    out.extend_from_slice(desc.name.as_bytes());
    out.push(b' ');
    out.extend_from_slice(type_name.as_bytes());
    out.push(b'\n');

    let mut series = Series::new(desc);
    match metric.cells {
        Cells::Counter(cells) => {
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
                series.sample(out, "", None, |out| write_float(out, cell.get()));
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
                    series.sample(out, "_bucket", Some(("le", bound)), |out| {
                        write_int(out, count)
                    });
                }
                series.sample(out, "_sum", None, |out| write_float(out, snapshot.sum));
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
                    series.sample(out, "", Some(("quantile", q)), |out| {
                        write_float(out, value)
                    });
                }
                series.sample(out, "_sum", None, |out| write_float(out, snapshot.sum));
                series.sample(out, "_count", None, |out| write_int(out, snapshot.count));
                series.next();
            }
        }
    }
}

/// Writes the lines of one series after another.
struct Series {
    desc: &'static MetricDesc,
    labels: SeriesLabels,
}

impl Series {
    fn new(desc: &'static MetricDesc) -> Self {
        Self {
            desc,
            labels: SeriesLabels::new(desc.labels),
        }
    }

    /// One line: name and `suffix`, the series' labels and then `extra`
    /// (`le` or `quantile`), the value, a newline.
    fn sample(
        &self,
        out: &mut Vec<u8>,
        suffix: &str,
        extra: Option<(&str, f64)>,
        write_value: impl FnOnce(&mut Vec<u8>),
    ) {
        out.extend_from_slice(self.desc.name.as_bytes());
        out.extend_from_slice(suffix.as_bytes());
        self.labels.write(out, self.desc.labels, extra);
        out.push(b' ');
        write_value(out);
        out.push(b'\n');
    }

    /// Moves to the next series.
    fn next(&mut self) {
        self.labels.advance(self.desc.labels);
    }
}
