//! What `/metrics` answers, whatever carries the request: the standalone
//! exporter's threads (feature `http`) and the tower service (feature
//! `tower`) both decide here who is refused and render here what is sent.

use std::panic::{catch_unwind, AssertUnwindSafe};

mod auth;
#[cfg(feature = "http")]
pub(crate) mod exporter;
mod options;
#[cfg(feature = "tower")]
pub mod tower;

pub(crate) use auth::Credentials;
pub(crate) use options::{Options, Served};

use crate::encode::Exposition;
use crate::read::registry::Registry;

/// A request refused before anything was rendered.
pub(crate) struct Refusal {
    pub(crate) status: u16,
    pub(crate) reason: &'static str,
    /// `WWW-Authenticate` for a 401, `Allow` for a 405.
    pub(crate) extra: Option<(&'static str, &'static str)>,
}

/// Why `method` on a path (`path_matches` when it is the metrics path)
/// gets no metrics: missing or wrong credentials (401), another path (404),
/// a method other than `GET` and `HEAD` (405), in that order.
pub(crate) fn refusal(
    method: &str,
    path_matches: bool,
    authorization: Option<&str>,
    credentials: Option<&Credentials>,
) -> Option<Refusal> {
    if let Some(credentials) = credentials {
        if !credentials.admit(authorization) {
            return Some(Refusal {
                status: 401,
                reason: "Unauthorized",
                extra: Some(("WWW-Authenticate", credentials.challenge())),
            });
        }
    }
    if !path_matches {
        return Some(Refusal {
            status: 404,
            reason: "Not Found",
            extra: None,
        });
    }
    if !matches!(method, "GET" | "HEAD") {
        return Some(Refusal {
            status: 405,
            reason: "Method Not Allowed",
            extra: Some(("Allow", "GET, HEAD")),
        });
    }
    None
}

/// A render that panicked (in a `Group` implemented by hand, say): that
/// request is answered 500 and the server goes on.
pub(crate) struct RenderPanicked;

/// What [`render`] wrote.
pub(crate) struct Rendered {
    pub(crate) format: Exposition,
    /// Whether the body went to `compressed`, gzipped, rather than staying
    /// in `render`.
    pub(crate) gzip: bool,
}

/// The format `accept` prefers, and whether to gzip: when `gzip` is allowed
/// and `accept_encoding` accepts it.
pub(crate) fn negotiate(
    accept: Option<&str>,
    accept_encoding: Option<&str>,
    gzip: bool,
) -> (Exposition, bool) {
    (
        Exposition::from_accept(accept.unwrap_or("")),
        gzip && accepts_gzip(accept_encoding.unwrap_or("")),
    )
}

/// Renders `registry` (the default one when `None`) into `render` in
/// `format`, and gzips it into `compressed` when `gzip`.
pub(crate) fn render_as(
    registry: Option<&Registry<'_>>,
    format: Exposition,
    gzip: bool,
    created: bool,
    render: &mut Vec<u8>,
    compressed: &mut Vec<u8>,
) -> Result<Rendered, RenderPanicked> {
    render.clear();
    // A render runs the groups' own code: one that panics costs that
    // request, not the server.
    let rendered = catch_unwind(AssertUnwindSafe(|| match registry {
        Some(registry) => registry.render_into_created(format, created, render),
        None => crate::read::registry::registry().render_into_created(format, created, render),
    }));
    if rendered.is_err() {
        render.clear();
        return Err(RenderPanicked);
    }
    let gzip = gzip && compress(render, compressed);
    Ok(Rendered { format, gzip })
}

/// Whether an `Accept-Encoding` value allows gzip (with a non-zero quality).
fn accepts_gzip(accept_encoding: &str) -> bool {
    accept_encoding.split(',').any(|coding| {
        let mut parts = coding.split(';').map(str::trim);
        let name = parts.next().unwrap_or("");
        let zero = parts.any(|p| {
            p.split_once('=').is_some_and(|(k, v)| {
                k.trim() == "q" && v.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
            })
        });
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !zero
    })
}

/// `body` gzipped into `out` (cleared first); whether it worked.
#[cfg(feature = "gzip")]
fn compress(body: &[u8], out: &mut Vec<u8>) -> bool {
    use std::io::Write;
    out.clear();
    let mut encoder = flate2::write::GzEncoder::new(out, flate2::Compression::fast());
    encoder.write_all(body).is_ok() && encoder.finish().is_ok()
}

#[cfg(not(feature = "gzip"))]
fn compress(_body: &[u8], _out: &mut Vec<u8>) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::accepts_gzip;

    #[test]
    fn gzip_is_used_only_when_accepted_with_nonzero_quality() {
        assert!(accepts_gzip("gzip"));
        assert!(accepts_gzip("deflate, GZIP;q=0.5"));
        assert!(accepts_gzip("*"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("identity"));
        assert!(!accepts_gzip(""));
    }
}
