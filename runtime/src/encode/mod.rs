//! Exposition formats.

mod number;
mod prometheus;
mod text;

use crate::Group;

/// An exposition format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// The Prometheus text format, version 0.0.4
    /// (`Content-Type: text/plain; version=0.0.4; charset=utf-8`).
    Prometheus,
}

pub(crate) fn render_into<'a>(
    groups: impl Iterator<Item = &'a dyn Group>,
    format: Format,
    out: &mut Vec<u8>,
) {
    match format {
        Format::Prometheus => {
            let now_ms = crate::summary::render_now_ms();
            for group in groups {
                group.visit(&mut |metric| prometheus::encode_metric(metric, now_ms, out));
            }
        }
    }
}
