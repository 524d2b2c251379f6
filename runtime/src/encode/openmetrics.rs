//! OpenMetrics 1.0 text.

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
    // A family is named without the suffix its samples carry: counters'
    // `_total` and info metrics' `_info` (the macro guarantees both).
    let (type_name, family) = match metric.cells {
        Cells::Counter(_) | Cells::ShardedCounter(_) => {
            ("counter", desc.name.strip_suffix("_total"))
        }
        Cells::Info(_) => ("info", desc.name.strip_suffix("_info")),
        Cells::Gauge(_) | Cells::FloatGauge(_) => ("gauge", None),
        Cells::Histogram { .. } => ("histogram", None),
        Cells::Summary { .. } => ("summary", None),
        Cells::StateSet { .. } => ("stateset", None),
    };
    let family = family.unwrap_or(desc.name).as_bytes();
    out.extend_from_slice(b"# HELP ");
    out.extend_from_slice(family);
    out.push(b' ');
    write_help(out, desc.help, true);
    out.extend_from_slice(b"\n# TYPE ");
    out.extend_from_slice(family);
    out.push(b' ');
    out.extend_from_slice(type_name.as_bytes());
    out.push(b'\n');
    if let Some(unit) = desc.unit {
        out.extend_from_slice(b"# UNIT ");
        out.extend_from_slice(family);
        out.push(b' ');
        out.extend_from_slice(unit.as_bytes());
        out.push(b'\n');
    }
    write_samples(metric, now_ms, FloatStyle::OpenMetrics, scratch, out);
}
