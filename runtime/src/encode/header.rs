//! What sets the two text formats apart, as data: the Prometheus text
//! format 0.0.4 and OpenMetrics 1.0 write the same samples but for a handful
//! of choices, and each format is one constant here.

use super::number::FloatStyle;
use super::text::{write_help, write_spelled};
use crate::cells::spelling::Spelled;
use crate::read::{Family, Kind};

/// The choices of one text format.
pub(crate) struct TextFormat {
    /// How floats are spelled.
    pub(crate) float: FloatStyle,
    /// OpenMetrics names a family without the suffix its samples carry:
    /// counters' `_total` and info metrics' `_info`.
    pub(crate) bare_family_names: bool,
    /// What each kind's `# TYPE` says.
    pub(crate) type_name: fn(Kind) -> &'static str,
    /// OpenMetrics escapes `"` in HELP, as in a label value.
    pub(crate) quote_help: bool,
    /// OpenMetrics has `# UNIT` lines.
    pub(crate) unit_line: bool,
    /// OpenMetrics allows `_sum` (and with it `_count`) only where the sum
    /// is a counter: not for a histogram with a negative bucket bound or a
    /// series that observed a negative value.
    pub(crate) sum_must_be_counter: bool,
    /// OpenMetrics ends with `# EOF`.
    pub(crate) trailer: &'static [u8],
    /// OpenMetrics writes exemplars after counter and bucket samples, and
    /// `_created` samples.
    pub(crate) openmetrics_points: bool,
}

/// The Prometheus text format, version 0.0.4.
pub(crate) const PROMETHEUS: TextFormat = TextFormat {
    float: FloatStyle::Go,
    bare_family_names: false,
    type_name: Kind::prometheus_type,
    quote_help: false,
    unit_line: false,
    sum_must_be_counter: false,
    trailer: b"",
    openmetrics_points: false,
};

/// OpenMetrics 1.0 text.
pub(crate) const OPENMETRICS: TextFormat = TextFormat {
    float: FloatStyle::OpenMetrics,
    bare_family_names: true,
    type_name: Kind::openmetrics_type,
    quote_help: true,
    unit_line: true,
    sum_must_be_counter: true,
    trailer: b"# EOF\n",
    openmetrics_points: true,
};

impl TextFormat {
    /// The name of `family` in this format.
    pub(crate) fn family_name(&self, family: &Family<'_>) -> &'static str {
        self.family_name_of(family.desc.name, family.kind)
    }

    /// The family name in this format of a metric whose name is spelled
    /// `name`. A scheme escapes the name as declared, `_total` included,
    /// and the suffixes go after it as they are, as client_golang writes
    /// them and as a scraper builds them from a protobuf family's name, so
    /// that one scheme gives one name whichever format is scraped.
    #[inline]
    pub(crate) fn family_name_of<'n>(&self, name: &'n str, kind: Kind) -> &'n str {
        if !self.bare_family_names {
            return name;
        }
        // The macro guarantees both suffixes.
        let suffix = match kind {
            Kind::Counter | Kind::FloatCounter => "_total",
            Kind::Info => "_info",
            Kind::Gauge
            | Kind::FloatGauge
            | Kind::Histogram(_)
            | Kind::Summary(_)
            | Kind::StateSet(_) => return name,
        };
        name.strip_suffix(suffix).unwrap_or(name)
    }

    /// Writes the `# HELP`, `# TYPE` and (where the format has them)
    /// `# UNIT` lines of `metric`'s family.
    pub(crate) fn write_header(&self, metric: &Family<'_>, out: &mut Vec<u8>) {
        self.write_header_named(metric, Spelled::Plain(self.family_name(metric)), out);
    }

    /// The same for a family whose name is spelled `family`.
    #[inline(always)]
    pub(crate) fn write_header_named(
        &self,
        metric: &Family<'_>,
        family: Spelled<'_>,
        out: &mut Vec<u8>,
    ) {
        // A family without HELP text (a `metrics` facade family nothing
        // described) has no HELP line, as Prometheus' clients write it.
        if !metric.desc.help.is_empty() {
            out.extend_from_slice(b"# HELP ");
            write_spelled(out, family);
            out.push(b' ');
            write_help(out, metric.desc.help, self.quote_help);
            out.push(b'\n');
        }
        out.extend_from_slice(b"# TYPE ");
        write_spelled(out, family);
        out.push(b' ');
        out.extend_from_slice((self.type_name)(metric.kind).as_bytes());
        out.push(b'\n');
        if let (true, Some(unit)) = (self.unit_line, metric.desc.unit) {
            out.extend_from_slice(b"# UNIT ");
            write_spelled(out, family);
            out.push(b' ');
            out.extend_from_slice(unit.as_bytes());
            out.push(b'\n');
        }
    }
}
