//! Every writer: the expositions (Prometheus text, OpenMetrics,
//! protobuf), remote write's and OTLP's requests, StatsD lines and
//! snapshots. Each is a [`Writer`](crate::read::Writer) over the one
//! reader; delivery (`serve/`, `push/`) only moves what they write.

mod header;
pub(crate) mod number;
#[cfg(feature = "otlp")]
pub(crate) mod otlp;
#[cfg(feature = "protobuf")]
mod protobuf;
#[cfg(feature = "remote-write")]
pub(crate) mod remote_write;
mod samples;
pub mod snapshot;
#[cfg(feature = "statsd")]
pub(crate) mod statsd;
mod text;
#[cfg(any(feature = "protobuf", feature = "remote-write", feature = "otlp"))]
pub(crate) mod wire;

use crate::encode::snapshot::Snapshot;
use crate::read::registry::Registry;

/// An exposition format.
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
    /// The `Content-Type` header value for this format.
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

    /// The format to answer a request with, from its `Accept` header:
    /// OpenMetrics when the client prefers `application/openmetrics-text`
    /// (by quality value, ties going to OpenMetrics), else the Prometheus
    /// text format, which every scraper reads. With the `protobuf` feature,
    /// the protobuf exposition when the client prefers
    /// `application/vnd.google.protobuf` with
    /// `proto=io.prometheus.client.MetricFamily` and `encoding=delimited`
    /// (ties going to it), as Prometheus asks with native histograms on.
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
        let mut openmetrics = 0.0f32;
        let mut text = 0.0f32;
        let mut protobuf = 0.0f32;
        for range in accept.split(',') {
            let mut parts = range.split(';').map(str::trim);
            let media = parts.next().unwrap_or("").to_ascii_lowercase();
            let mut quality = 1.0f32;
            let mut version_ok = true;
            let (mut proto_ok, mut delimited) = (false, false);
            for param in parts {
                let (key, value) = param.split_once('=').unwrap_or((param, ""));
                match key.trim().to_ascii_lowercase().as_str() {
                    "q" => quality = value.trim().parse().unwrap_or(0.0),
                    // Only OpenMetrics 1.0.0 is spoken; 0.0.1 is its draft.
                    "version" if media == "application/openmetrics-text" => {
                        version_ok = matches!(value.trim(), "1.0.0" | "0.0.1")
                    }
                    "proto" => proto_ok = value.trim() == "io.prometheus.client.MetricFamily",
                    "encoding" => delimited = value.trim() == "delimited",
                    _ => {}
                }
            }
            match media.as_str() {
                "application/openmetrics-text" if version_ok => {
                    openmetrics = openmetrics.max(quality)
                }
                "text/plain" | "text/*" | "*/*" => text = text.max(quality),
                "application/vnd.google.protobuf" if proto_ok && delimited => {
                    protobuf = protobuf.max(quality)
                }
                _ => {}
            }
        }
        // Ties go to the richer format: protobuf, then OpenMetrics.
        #[cfg(feature = "protobuf")]
        if protobuf > 0.0 && protobuf >= openmetrics && protobuf >= text {
            return Format::Protobuf;
        }
        #[cfg(not(feature = "protobuf"))]
        let _ = protobuf;
        if openmetrics > 0.0 && openmetrics >= text {
            Format::OpenMetrics
        } else {
            Format::Prometheus
        }
    }
}

/// Renders every family of `registry` in `format`, appending to `out`.
pub(crate) fn render_registry_into(
    registry: &Registry<'_>,
    format: Format,
    created: bool,
    out: &mut Vec<u8>,
) {
    let text = match format {
        Format::Prometheus => &header::PROMETHEUS,
        Format::OpenMetrics => &header::OPENMETRICS,
        #[cfg(feature = "protobuf")]
        Format::Protobuf => return protobuf::render_into(registry, created, out),
    };
    samples::render_into(registry, text, created, out);
}

// A registry's renders live with the writers: the registry (`read/`) only
// says which groups a render covers.
impl Registry<'_> {
    /// Renders every series of every group, appending to `out`.
    ///
    /// Reuse one buffer across scrapes (`out.clear()` first) to render without
    /// allocating once the buffer has grown to size.
    pub fn render_into(&self, format: Format, out: &mut Vec<u8>) {
        render_registry_into(self, format, self.created, out);
    }

    /// Renders with created timestamps or without, whatever this registry
    /// was set to: for servers that have an option of their own.
    #[cfg_attr(not(any(feature = "http", feature = "tower")), allow(dead_code))]
    pub(crate) fn render_into_created(&self, format: Format, created: bool, out: &mut Vec<u8>) {
        render_registry_into(self, format, self.created || created, out);
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
    pub fn render(&self, format: Format) -> String {
        #[cfg(feature = "protobuf")]
        let format = match format {
            Format::Protobuf => Format::Prometheus,
            text => text,
        };
        let mut out = Vec::new();
        self.render_into(format, &mut out);
        // The encoder writes only `&str` pieces and ASCII.
        String::from_utf8(out).expect("exposition is UTF-8")
    }
}

/// Renders the default registry into a new string; see [`registry`](crate::registry()).
pub fn render(format: Format) -> String {
    crate::read::registry::registry().render(format)
}

/// Renders the default registry, appending to `out`; see [`registry`](crate::registry()).
pub fn render_into(format: Format, out: &mut Vec<u8>) {
    crate::read::registry::registry().render_into(format, out);
}
