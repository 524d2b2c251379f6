//! One rendering for the scrapes that wait for it: the exporter renders one
//! exposition at a time, and a scrape whose request arrived before the
//! latest rendering began takes that rendering instead of making its own.
//! No scrape gets data read before its request arrived.
//!
//! Bodies are shared (`Arc`), so that clients that ask and then do not read
//! hold one body between them, not one each; the front thread keeps at
//! most [`MAX_HELD_BODIES`] distinct bodies in flight. With the one being
//! rendered, the exporter's bodies take at most three times the size of
//! one exposition, whatever the number of clients.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use crate::encode::Format;

/// The most distinct bodies the front thread keeps sending at once: the
/// latest and one before it. When a newer one starts going out, the
/// connections still taking the oldest are dropped, as at their deadline.
pub(super) const MAX_HELD_BODIES: usize = 2;

/// An exposition rendered for a metrics request: its body and what it is.
pub(super) struct Body {
    pub(super) bytes: Arc<Vec<u8>>,
    pub(super) format: Format,
    pub(super) gzip: bool,
}

/// The exporter's renderings: the latest, and a buffer to render the next
/// one into.
#[derive(Default)]
pub(super) struct Renderings {
    /// Held while rendering: one rendering at a time.
    turn: Mutex<()>,
    latest: Mutex<Latest>,
}

#[derive(Default)]
struct Latest {
    current: Option<Current>,
    /// A body no connection holds any more, kept to render the next one
    /// into without growing a buffer again.
    spare: Vec<u8>,
}

struct Current {
    /// What the requests that can share it asked for.
    format: Format,
    wants_gzip: bool,
    /// When its rendering began.
    started: Instant,
    body: Body,
}

impl Renderings {
    /// The body for a request that arrived at `arrived` and asked for
    /// `format`, gzipped if `wants_gzip`: the latest rendering when it
    /// began after that and was asked for the same way, else a new one
    /// made by `render`, which writes the body into the buffer it is given
    /// and says in what format and whether gzipped; `None` when it fails.
    pub(super) fn body(
        &self,
        arrived: Instant,
        format: Format,
        wants_gzip: bool,
        render: impl FnOnce(&mut Vec<u8>) -> Option<(Format, bool)>,
    ) -> Option<Body> {
        let _turn = self.turn.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = {
            let mut latest = self.latest();
            if let Some(current) = &latest.current {
                if current.format == format
                    && current.wants_gzip == wants_gzip
                    && current.started >= arrived
                {
                    return Some(current.body.share());
                }
            }
            std::mem::take(&mut latest.spare)
        };
        let started = Instant::now();
        out.clear();
        let (rendered, gzip) = render(&mut out)?;
        let body = Body {
            bytes: Arc::new(out),
            format: rendered,
            gzip,
        };
        let shared = body.share();
        let mut latest = self.latest();
        let previous = latest.current.replace(Current {
            format,
            wants_gzip,
            started,
            body,
        });
        // The previous body, if no connection holds it any more, is the
        // buffer of the next rendering.
        if let Some(previous) = previous {
            if let Ok(bytes) = Arc::try_unwrap(previous.body.bytes) {
                latest.spare = bytes;
            }
        }
        Some(shared)
    }

    fn latest(&self) -> std::sync::MutexGuard<'_, Latest> {
        self.latest.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Body {
    fn share(&self) -> Body {
        Body {
            bytes: Arc::clone(&self.bytes),
            format: self.format,
            gzip: self.gzip,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn rendering(text: &'static str) -> impl FnOnce(&mut Vec<u8>) -> Option<(Format, bool)> {
        move |out| {
            out.extend_from_slice(text.as_bytes());
            Some((Format::Prometheus, false))
        }
    }

    #[test]
    fn a_request_that_arrived_before_the_latest_rendering_began_shares_it() {
        let renderings = Renderings::default();
        let arrived = Instant::now();
        let first = renderings
            .body(arrived, Format::Prometheus, false, rendering("one"))
            .unwrap();
        let second = renderings
            .body(arrived, Format::Prometheus, false, rendering("two"))
            .unwrap();
        assert!(Arc::ptr_eq(&first.bytes, &second.bytes));
        assert_eq!(&second.bytes[..], b"one");
    }

    #[test]
    fn a_request_that_arrived_after_it_began_gets_a_new_rendering() {
        let renderings = Renderings::default();
        let first = renderings
            .body(Instant::now(), Format::Prometheus, false, rendering("one"))
            .unwrap();
        std::thread::sleep(Duration::from_millis(2));
        let second = renderings
            .body(Instant::now(), Format::Prometheus, false, rendering("two"))
            .unwrap();
        assert_eq!(&first.bytes[..], b"one");
        assert_eq!(&second.bytes[..], b"two");
    }

    #[test]
    fn a_request_for_another_format_or_encoding_gets_its_own() {
        let renderings = Renderings::default();
        let arrived = Instant::now();
        let text = renderings
            .body(arrived, Format::Prometheus, false, rendering("text"))
            .unwrap();
        let open = renderings
            .body(arrived, Format::OpenMetrics, false, rendering("open"))
            .unwrap();
        let gzip = renderings
            .body(arrived, Format::OpenMetrics, true, rendering("gzip"))
            .unwrap();
        assert_eq!(
            [&text.bytes[..], &open.bytes[..], &gzip.bytes[..]],
            [b"text".as_slice(), b"open", b"gzip"]
        );
    }

    #[test]
    fn a_body_nobody_holds_is_the_buffer_of_the_next_rendering() {
        let renderings = Renderings::default();
        let first = renderings
            .body(Instant::now(), Format::Prometheus, false, |out| {
                out.reserve(1000);
                out.extend_from_slice(b"one");
                Some((Format::Prometheus, false))
            })
            .unwrap();
        drop(first);
        std::thread::sleep(Duration::from_millis(2));
        // The rendering after next gets the first one's buffer back.
        let second = renderings
            .body(Instant::now(), Format::Prometheus, false, rendering("two"))
            .unwrap();
        drop(second);
        std::thread::sleep(Duration::from_millis(2));
        let third = renderings
            .body(Instant::now(), Format::Prometheus, false, |out| {
                assert!(out.is_empty());
                assert!(out.capacity() >= 1000, "{}", out.capacity());
                out.extend_from_slice(b"three");
                Some((Format::Prometheus, false))
            })
            .unwrap();
        assert_eq!(&third.bytes[..], b"three");
    }

    #[test]
    fn a_failed_rendering_shares_nothing() {
        let renderings = Renderings::default();
        let arrived = Instant::now();
        assert!(renderings
            .body(arrived, Format::Prometheus, false, |_| None)
            .is_none());
        let next = renderings
            .body(arrived, Format::Prometheus, false, rendering("next"))
            .unwrap();
        assert_eq!(&next.bytes[..], b"next");
    }
}
