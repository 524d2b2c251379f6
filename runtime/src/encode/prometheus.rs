//! The Prometheus text format, version 0.0.4.

use super::samples::{write_samples, FloatStyle, Scratch};
use super::text::write_help;
use crate::{Cells, Metric};

pub(crate) fn encode_metric(
    metric: Metric<'_>,
    now_ms: u64,
    scratch: &mut Scratch,
    out: &mut Vec<u8>,
) {
    let desc = metric.desc;
    // Info metrics and state sets are gauges here, as Prometheus' own
    // clients write them.
    let type_name = match metric.cells {
        Cells::Counter(_) | Cells::ShardedCounter(_) => "counter",
        Cells::Gauge(_) | Cells::FloatGauge(_) | Cells::Info(_) | Cells::StateSet { .. } => "gauge",
        Cells::Histogram { .. } => "histogram",
        Cells::Summary { .. } => "summary",
    };
    out.extend_from_slice(b"# HELP ");
    out.extend_from_slice(desc.name.as_bytes());
    out.push(b' ');
    write_help(out, desc.help, false);
    out.extend_from_slice(b"\n# TYPE ");
    out.extend_from_slice(desc.name.as_bytes());
    out.push(b' ');
    out.extend_from_slice(type_name.as_bytes());
    out.push(b'\n');
    write_samples(metric, now_ms, FloatStyle::Go, scratch, out);
}
