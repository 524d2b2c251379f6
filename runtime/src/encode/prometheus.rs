//! The Prometheus text format, version 0.0.4.

use super::number::{write_float, write_int};
use super::text::{write_help, SeriesLabels};
use crate::{Cells, Metric, MetricDesc};

pub(crate) fn encode_metric(metric: Metric<'_>, out: &mut Vec<u8>) {
    let desc = metric.desc;
    let type_name = match metric.cells {
        Cells::Counter(_) => "counter",
        Cells::Gauge(_) | Cells::FloatGauge(_) => "gauge",
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
                series.start(out);
                write_int(out, cell.get());
                series.end(out);
            }
        }
        Cells::Gauge(cells) => {
            for cell in cells {
                series.start(out);
                write_int(out, cell.get());
                series.end(out);
            }
        }
        Cells::FloatGauge(cells) => {
            for cell in cells {
                series.start(out);
                write_float(out, cell.get());
                series.end(out);
            }
        }
    }
}

/// Writes the line of one series after another: name and labels before the
/// value, newline after it.
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

    fn start(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.desc.name.as_bytes());
        self.labels.write(out, self.desc.labels);
        out.push(b' ');
    }

    fn end(&mut self, out: &mut Vec<u8>) {
        out.push(b'\n');
        self.labels.advance(self.desc.labels);
    }
}
