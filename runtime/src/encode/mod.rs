//! Every writer: the expositions (Prometheus text, OpenMetrics,
//! protobuf), remote write's and OTLP's requests, StatsD lines and
//! snapshots. Each is a [`Writer`](crate::read::Writer) over the one
//! reader; delivery (`serve/`, `push/`) only moves what they write.

mod header;
pub(crate) mod negotiate;
pub(crate) mod number;
#[cfg(feature = "otlp")]
pub(crate) mod otlp;
#[cfg(feature = "protobuf")]
mod protobuf;
#[cfg(feature = "remote-write")]
pub(crate) mod remote_series;
#[cfg(feature = "remote-write")]
pub(crate) mod remote_write;
#[cfg(feature = "remote-write")]
pub(crate) mod remote_write_v2;
mod samples;
pub mod snapshot;
#[cfg(feature = "statsd")]
pub(crate) mod statsd;
mod text;
#[cfg(any(feature = "protobuf", feature = "remote-write", feature = "otlp"))]
pub(crate) mod wire;

pub use crate::cells::spelling::Escaping;
pub use negotiate::Exposition;

use crate::encode::snapshot::Snapshot;
use crate::read::registry::Registry;

/// An exposition format.
///
/// A render in a `Format` alone writes its latest version (text 0.0.4 for
/// [`Prometheus`](Format::Prometheus), which every scraper reads) with
/// names escaped by `underscores`, which every reader of it reads. What a
/// scraper asks for is an [`Exposition`]: the exporter and
/// `tower::MetricsService` (feature `tower`) negotiate one from each
/// request's `Accept`, as Prometheus' content-negotiation and
/// escaping-schemes documents say, and answer with its
/// [`content_type`](Exposition::content_type):
///
/// | `Accept` range | answered with | names |
/// | --- | --- | --- |
/// | `text/plain;version=0.0.4`, `text/plain`, `*/*`, nothing we write | text 0.0.4 | `underscores` |
/// | `text/plain;version=1.0.0;escaping=S` | text 1.0.0 | `S`, quoted under `allow-utf-8` |
/// | `application/openmetrics-text;version=1.0.0` (or `0.0.1`)`;escaping=S` | OpenMetrics | `S`, quoted under `allow-utf-8` |
/// | `application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited` | protobuf (feature `protobuf`) | `S` of the range, else the one named on another range |
///
/// The range of highest quality wins, ties going to protobuf, then
/// OpenMetrics, then text; a range without `escaping=` (or with an unknown
/// scheme) gets `underscores`. Legacy names (`[a-zA-Z_:][a-zA-Z0-9_:]*`)
/// are written as declared under every scheme but `dots`.
///
/// ```
/// use enumeter::{Escaping, Exposition, Format};
/// let asked = Exposition::from_accept("text/plain;version=1.0.0;escaping=allow-utf-8");
/// assert_eq!(asked.format(), Format::Prometheus);
/// assert_eq!(asked.escaping(), Escaping::AllowUtf8);
/// assert_eq!(asked.content_type(), "text/plain; version=1.0.0; charset=utf-8; escaping=allow-utf-8");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// The Prometheus text format, version 0.0.4.
    Prometheus,
    /// OpenMetrics 1.0 text: counters' families without `_total`, `# UNIT`
    /// lines, `info` and `stateset` types, `# EOF` at the end.
    OpenMetrics,
    /// The Prometheus protobuf exposition (feature `protobuf`):
    /// varint-delimited `io.prometheus.client.MetricFamily` messages, as
    /// Prometheus requests it when native histograms are enabled. Binary:
    /// render it with `render_into`.
    #[cfg(feature = "protobuf")]
    Protobuf,
}

/// The protobuf exposition's `Content-Type`.
#[cfg(feature = "protobuf")]
const PROTOBUF_CONTENT_TYPE: &str =
    "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

impl Format {
    /// The `Content-Type` header value of this format's latest version
    /// (text 0.0.4 for `Prometheus`), without the escaping scheme that
    /// [`Exposition::content_type`] adds.
    ///
    /// ```
    /// use enumeter::Format;
    /// assert_eq!(Format::Prometheus.content_type(), "text/plain; version=0.0.4; charset=utf-8");
    /// ```
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Prometheus => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
            #[cfg(feature = "protobuf")]
            Format::Protobuf => PROTOBUF_CONTENT_TYPE,
        }
    }

    /// The format to answer a request with, from its `Accept` header: the
    /// format of [`Exposition::from_accept`], which also says the version
    /// and the spelling of names.
    ///
    /// ```
    /// use enumeter::Format;
    /// let prometheus_2 = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;\
    ///                     version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /// assert_eq!(Format::from_accept(prometheus_2), Format::OpenMetrics);
    /// assert_eq!(Format::from_accept("text/plain"), Format::Prometheus);
    /// assert_eq!(Format::from_accept(""), Format::Prometheus);
    /// ```
    pub fn from_accept(accept: &str) -> Format {
        Exposition::from_accept(accept).format()
    }
}

/// Renders every family of `registry` as `exposition` says, appending to
/// `out`.
pub(crate) fn render_registry_into(
    registry: &Registry<'_>,
    exposition: Exposition,
    created: bool,
    out: &mut Vec<u8>,
) {
    let escaping = exposition.escaping();
    let text = match exposition.format() {
        Format::Prometheus => &header::PROMETHEUS,
        Format::OpenMetrics => &header::OPENMETRICS,
        #[cfg(feature = "protobuf")]
        Format::Protobuf => return protobuf::render_into(registry, escaping, created, out),
    };
    samples::render_into(registry, text, escaping, created, out);
}

// A registry's renders live with the writers: the registry (`read/`) only
// says which groups a render covers.
impl Registry<'_> {
    /// Renders every series of every group, appending to `out`, in a
    /// [`Format`] (names escaped with `underscores`, which every reader of
    /// it reads) or as an [`Exposition`] negotiated with a scraper says.
    ///
    /// Reuse one buffer across scrapes (`out.clear()` first) to render without
    /// allocating once the buffer has grown to size.
    pub fn render_into(&self, format: impl Into<Exposition>, out: &mut Vec<u8>) {
        render_registry_into(self, format.into(), self.created, out);
    }

    /// Renders with created timestamps or without, whatever this registry
    /// was set to: for servers that have an option of their own.
    #[cfg_attr(not(any(feature = "http", feature = "tower")), allow(dead_code))]
    pub(crate) fn render_into_created(
        &self,
        exposition: Exposition,
        created: bool,
        out: &mut Vec<u8>,
    ) {
        render_registry_into(self, exposition, self.created || created, out);
    }

    /// Reads every series of every family at this moment, as a render
    /// would write them; see [`snapshot`](crate::snapshot).
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::of_registry(self)
    }

    /// Renders every series of every group into a new string.
    ///
    /// A string cannot carry the binary protobuf exposition: for
    /// `Format::Protobuf` (feature `protobuf`) this renders the Prometheus
    /// text format; `render_into` writes protobuf.
    pub fn render(&self, format: impl Into<Exposition>) -> String {
        let exposition = format.into();
        #[cfg(feature = "protobuf")]
        let exposition = match exposition.format() {
            Format::Protobuf => Exposition::new(Format::Prometheus),
            _ => exposition,
        };
        let mut out = Vec::new();
        self.render_into(exposition, &mut out);
        // The encoder writes only `&str` pieces and ASCII.
        String::from_utf8(out).expect("exposition is UTF-8")
    }
}

/// Renders the default registry into a new string; see [`registry`](crate::registry()).
pub fn render(format: impl Into<Exposition>) -> String {
    crate::read::registry::registry().render(format)
}

/// Renders the default registry, appending to `out`; see [`registry`](crate::registry()).
pub fn render_into(format: impl Into<Exposition>, out: &mut Vec<u8>) {
    crate::read::registry::registry().render_into(format, out);
}
