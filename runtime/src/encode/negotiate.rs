//! Content negotiation: the format, its version and the spelling of names
//! a scraper's `Accept` asks for, as Prometheus' content-negotiation and
//! escaping-schemes documents define them, and the `Content-Type` that
//! says which were used.

use super::Format;
use crate::cells::spelling::Escaping;

/// An exposition as a scrape negotiated it: the [`Format`], the version of
/// it named in the `Content-Type`, and how names are spelled
/// ([`Escaping`]).
///
/// The Prometheus text format has two versions: 0.0.4, which cannot carry
/// a name outside the legacy character set (names are always escaped with
/// `underscores` there, and its `Content-Type` names no scheme, as before
/// escaping existed), and 1.0.0, which quotes them. OpenMetrics 1.0.0 and
/// its draft 0.0.1 are written alike. Every format but text 0.0.4 takes
/// the scheme the scraper asked for, `underscores` when it named none.
///
/// ```
/// use enumeter::{Escaping, Exposition, Format};
/// let prometheus_3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,\
///                     text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,\
///                     text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
/// let asked = Exposition::from_accept(prometheus_3);
/// assert_eq!(asked.format(), Format::OpenMetrics);
/// assert_eq!(asked.escaping(), Escaping::AllowUtf8);
/// assert_eq!(
///     asked.content_type(),
///     "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8"
/// );
/// let old = Exposition::from_accept("text/plain;version=0.0.4");
/// assert_eq!(old.escaping(), Escaping::Underscores);
/// assert_eq!(old.content_type(), "text/plain; version=0.0.4; charset=utf-8");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Exposition {
    version: Version,
    escaping: Escaping,
}

/// A format and its version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Version {
    // In the order ties between equal quality values go: the richer last.
    Text004,
    Text100,
    OpenMetrics001,
    OpenMetrics100,
    #[cfg(feature = "protobuf")]
    Protobuf,
}

impl From<Format> for Exposition {
    /// The format's latest version, names escaped with `underscores`
    /// (what every reader of the format reads).
    fn from(format: Format) -> Self {
        Exposition::new(format)
    }
}

impl Exposition {
    /// `format` in its latest version but for the Prometheus text format
    /// (0.0.4, which every scraper reads), names escaped with
    /// `underscores`.
    pub const fn new(format: Format) -> Self {
        let version = match format {
            Format::Prometheus => Version::Text004,
            Format::OpenMetrics => Version::OpenMetrics100,
            #[cfg(feature = "protobuf")]
            Format::Protobuf => Version::Protobuf,
        };
        Exposition {
            version,
            escaping: Escaping::Underscores,
        }
    }

    /// The Prometheus text format 1.0.0, which can quote names outside the
    /// legacy character set.
    pub const fn prometheus_text_1() -> Self {
        Exposition {
            version: Version::Text100,
            escaping: Escaping::Underscores,
        }
    }

    /// The same with names spelled by `escaping`; the Prometheus text
    /// format 0.0.4 keeps `underscores`, the one spelling it can carry.
    pub const fn with_escaping(mut self, escaping: Escaping) -> Self {
        if !matches!(self.version, Version::Text004) {
            self.escaping = escaping;
        }
        self
    }

    /// The format.
    pub const fn format(self) -> Format {
        match self.version {
            Version::Text004 | Version::Text100 => Format::Prometheus,
            Version::OpenMetrics001 | Version::OpenMetrics100 => Format::OpenMetrics,
            #[cfg(feature = "protobuf")]
            Version::Protobuf => Format::Protobuf,
        }
    }

    /// How names are spelled.
    pub const fn escaping(self) -> Escaping {
        self.escaping
    }

    /// The `Content-Type` of the answer: the format, its version and (but
    /// for text 0.0.4) the escaping scheme used.
    pub const fn content_type(self) -> &'static str {
        macro_rules! by_scheme {
            ($base:literal) => {
                match self.escaping {
                    Escaping::AllowUtf8 => concat!($base, "; escaping=allow-utf-8"),
                    Escaping::Underscores => concat!($base, "; escaping=underscores"),
                    Escaping::Dots => concat!($base, "; escaping=dots"),
                    Escaping::Values => concat!($base, "; escaping=values"),
                }
            };
        }
        match self.version {
            Version::Text004 => "text/plain; version=0.0.4; charset=utf-8",
            Version::Text100 => by_scheme!("text/plain; version=1.0.0; charset=utf-8"),
            Version::OpenMetrics001 => {
                by_scheme!("application/openmetrics-text; version=0.0.1; charset=utf-8")
            }
            Version::OpenMetrics100 => {
                by_scheme!("application/openmetrics-text; version=1.0.0; charset=utf-8")
            }
            #[cfg(feature = "protobuf")]
            Version::Protobuf => by_scheme!(
                "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; \
                 encoding=delimited"
            ),
        }
    }

    /// What to answer a request whose `Accept` is `accept` with: the range
    /// of highest quality this crate can write, ties going to the richer
    /// format (protobuf with the `protobuf` feature, then OpenMetrics 1.0.0
    /// and 0.0.1, then text 1.0.0 and 0.0.4), with the `escaping=` that
    /// range names (`underscores` when it names none or an unknown one;
    /// a protobuf range that names none takes the scheme the `Accept`
    /// names on another range, as Prometheus 3.5 names it only on its text
    /// ranges).
    /// An `Accept` that asks for nothing this crate writes gets text 0.0.4,
    /// which every scraper reads; never an error.
    ///
    /// Ranges this crate does not write are passed over: OpenMetrics of a
    /// version other than 1.0.0 and 0.0.1, protobuf without
    /// `proto=io.prometheus.client.MetricFamily;encoding=delimited` (or
    /// without the `protobuf` feature), other media types.
    pub fn from_accept(accept: &str) -> Self {
        let mut best: Option<(u16, Version, Option<Escaping>)> = None;
        // The first scheme any range names: Prometheus 3.5 names its scheme
        // on its text ranges but not on protobuf's.
        let mut named: Option<Escaping> = None;
        for range in accept.split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or("");
            let mut quality = 1000u16;
            let mut version = "";
            let mut escaping = None;
            let (mut proto_ok, mut delimited) = (false, false);
            for param in parts {
                let (key, value) = param.split_once('=').unwrap_or((param, ""));
                let value = value.trim().trim_matches('"');
                // Compared without allocating: this runs on every scrape.
                let key = key.trim();
                let is = |name: &str| key.eq_ignore_ascii_case(name);
                if is("q") {
                    quality = thousandths(value);
                } else if is("version") {
                    version = value;
                } else if is("escaping") {
                    let scheme = Escaping::from_param(value).unwrap_or_default();
                    named.get_or_insert(scheme);
                    escaping = Some(scheme);
                } else if is("proto") {
                    proto_ok = value == "io.prometheus.client.MetricFamily";
                } else if is("encoding") {
                    delimited = value == "delimited";
                }
            }
            let candidate = if media.eq_ignore_ascii_case("application/openmetrics-text") {
                match version {
                    "1.0.0" | "" => Some(Version::OpenMetrics100),
                    "0.0.1" => Some(Version::OpenMetrics001),
                    _ => None,
                }
            } else if media.eq_ignore_ascii_case("text/plain") {
                Some(if at_least_1(version) {
                    Version::Text100
                } else {
                    Version::Text004
                })
            } else if media == "*/*" || media.eq_ignore_ascii_case("text/*") {
                Some(Version::Text004)
            } else if media.eq_ignore_ascii_case("application/vnd.google.protobuf")
                && proto_ok
                && delimited
            {
                protobuf_version()
            } else {
                None
            };
            let Some(candidate) = candidate else { continue };
            if quality == 0 {
                continue;
            }
            let better =
                best.is_none_or(|(q, v, _)| quality > q || (quality == q && candidate > v));
            if better {
                best = Some((quality, candidate, escaping));
            }
        }
        let Some((_, version, escaping)) = best else {
            return Exposition::new(Format::Prometheus);
        };
        let escaping = match (escaping, version) {
            (Some(escaping), _) => escaping,
            // A protobuf range that names no scheme takes the one the
            // scraper names elsewhere: it reads any name protobuf carries,
            // and says there which it wants.
            #[cfg(feature = "protobuf")]
            (None, Version::Protobuf) => named.unwrap_or_default(),
            (None, _) => Escaping::Underscores,
        };
        Exposition {
            version,
            escaping: Escaping::Underscores,
        }
        .with_escaping(escaping)
    }
}

/// A quality value (RFC 9110: `0` to `1` with at most three decimals) in
/// thousandths, parsed without floats (this runs on every scrape); 0 for
/// anything else, which leaves the range out.
fn thousandths(value: &str) -> u16 {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    let mut digits = [b'0'; 3];
    digits[..fraction.len()].copy_from_slice(fraction.as_bytes());
    let fraction = digits
        .iter()
        .fold(0u16, |n, &d| n * 10 + u16::from(d - b'0'));
    match whole {
        "0" => fraction,
        "1" if fraction == 0 => 1000,
        _ => 0,
    }
}

/// Whether a text format's `version=` is 1.0.0 or later.
fn at_least_1(version: &str) -> bool {
    let major = version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok());
    major.is_some_and(|major| major >= 1)
}

#[cfg(feature = "protobuf")]
fn protobuf_version() -> Option<Version> {
    Some(Version::Protobuf)
}

#[cfg(not(feature = "protobuf"))]
fn protobuf_version() -> Option<Version> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(accept: &str) -> &'static str {
        Exposition::from_accept(accept).content_type()
    }

    #[test]
    fn prometheus_2_gets_openmetrics_with_underscores() {
        let accept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;\
                      version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert_eq!(
            answer(accept),
            "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores"
        );
    }

    #[test]
    fn the_escaping_of_the_chosen_range_is_used() {
        let accept = "text/plain;version=1.0.0;escaping=dots;q=0.9,\
                      application/openmetrics-text;version=1.0.0;escaping=values;q=0.5";
        assert_eq!(
            answer(accept),
            "text/plain; version=1.0.0; charset=utf-8; escaping=dots"
        );
        let accept = "application/openmetrics-text;version=0.0.1;escaping=allow-utf-8";
        assert_eq!(
            answer(accept),
            "application/openmetrics-text; version=0.0.1; charset=utf-8; escaping=allow-utf-8"
        );
    }

    #[test]
    fn text_0_0_4_always_escapes_with_underscores_and_names_no_scheme() {
        let asked = Exposition::from_accept("text/plain;version=0.0.4;escaping=allow-utf-8");
        assert_eq!(asked.escaping(), Escaping::Underscores);
        assert_eq!(
            asked.content_type(),
            "text/plain; version=0.0.4; charset=utf-8"
        );
        let set = Exposition::new(Format::Prometheus).with_escaping(Escaping::Dots);
        assert_eq!(set.escaping(), Escaping::Underscores);
    }

    #[test]
    fn quality_values_are_read_in_thousandths() {
        for (q, thousandths_of) in [
            ("1", 1000),
            ("1.0", 1000),
            ("1.000", 1000),
            ("0.5", 500),
            ("0.05", 50),
            ("0.123", 123),
            ("0", 0),
            ("1.5", 0),
            ("0.1234", 0),
            ("nan", 0),
            ("", 0),
        ] {
            assert_eq!(thousandths(q), thousandths_of, "{q}");
        }
    }

    #[test]
    fn an_unknown_scheme_means_underscores() {
        let asked = Exposition::from_accept("text/plain;version=1.0.0;escaping=rot13");
        assert_eq!(asked.escaping(), Escaping::Underscores);
    }

    #[test]
    fn what_cannot_be_written_falls_back_to_text_0_0_4() {
        for accept in [
            "",
            "application/json",
            "application/openmetrics-text;version=2.0.0",
            "application/vnd.google.protobuf;proto=other.Message;encoding=delimited",
            "text/plain;q=0",
            "text/plain;q=nan",
            "text/plain;q=1.5",
            "text/plain;q=-1",
            ",;;=,",
        ] {
            assert_eq!(
                answer(accept),
                "text/plain; version=0.0.4; charset=utf-8",
                "{accept}"
            );
        }
    }

    #[test]
    fn quality_decides_and_ties_go_to_the_richer_format() {
        assert_eq!(
            Exposition::from_accept(
                "text/plain;version=1.0.0;q=0.6,application/openmetrics-text;q=0.5"
            )
            .format(),
            Format::Prometheus
        );
        assert_eq!(
            answer("text/plain;version=0.0.4,text/plain;version=1.0.0"),
            "text/plain; version=1.0.0; charset=utf-8; escaping=underscores"
        );
        assert_eq!(
            Exposition::from_accept("text/plain,application/openmetrics-text").format(),
            Format::OpenMetrics
        );
    }

    /// What Prometheus 3.5.3 sends with native histograms on, for each
    /// `metric_name_escaping_scheme` (recorded from a real one).
    #[cfg(feature = "protobuf")]
    #[test]
    fn prometheus_3_5_gets_protobuf_with_the_scheme_its_text_ranges_name() {
        for scheme in ["allow-utf-8", "underscores", "dots", "values"] {
            let accept = format!(
                "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;\
                 encoding=delimited;q=0.6,application/openmetrics-text;version=1.0.0;\
                 escaping={scheme};q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,\
                 text/plain;version=1.0.0;escaping={scheme};q=0.3,text/plain;version=0.0.4;\
                 q=0.2,*/*;q=0.1"
            );
            let asked = Exposition::from_accept(&accept);
            assert_eq!(asked.format(), Format::Protobuf);
            assert_eq!(asked.escaping().param(), scheme);
        }
        let alone = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;\
                     encoding=delimited";
        assert_eq!(
            Exposition::from_accept(alone).escaping(),
            Escaping::Underscores
        );
    }

    #[cfg(feature = "protobuf")]
    #[test]
    fn prometheus_3_with_native_histograms_gets_protobuf_with_its_escaping() {
        let accept = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;\
                      encoding=delimited;escaping=allow-utf-8;q=0.6,application/openmetrics-text;\
                      version=1.0.0;escaping=allow-utf-8;q=0.5,text/plain;version=0.0.4;q=0.2";
        assert_eq!(
            answer(accept),
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; \
             encoding=delimited; escaping=allow-utf-8"
        );
    }
}
