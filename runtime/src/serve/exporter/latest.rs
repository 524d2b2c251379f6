//! One rendering for the scrapes that wait for it: the exporter renders one
//! exposition at a time, and a scrape whose request arrived before the
//! latest rendering began takes that rendering instead of making its own.
//! No scrape gets data read before its request arrived.
//!
//! Bodies are shared (`Arc`), so that clients that ask and then do not read
//! hold one body between them, not one each; the front thread keeps at
//! most [`MAX_HELD_BODIES`] distinct bodies in flight. A body no one holds
//! any more goes back to the renderings as the buffer of the next one
//! instead of to the allocator, which would keep it resident in the arena
//! of whichever thread rendered it. So the exporter's bodies take about
//! three times the size of one exposition, whatever the number of clients.
//! (A rendering that waited for the front thread to let the oldest body go
//! kept one exposition fewer, but waits queued behind each other under
//! abuse and a scrape took over a second: none waits.)

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

// The exposition a request negotiated; `Exposition` here is a body.
use crate::encode::Exposition as Negotiated;

/// The most distinct bodies the front thread keeps sending at once: the
/// latest and one before it. When a newer one starts going out, the
/// connections still taking the oldest are dropped, as at their deadline.
pub(super) const MAX_HELD_BODIES: usize = 2;

/// The most buffers kept for later renderings: as many as can be alive.
const MAX_SPARE_BUFFERS: usize = MAX_HELD_BODIES + 1;

/// An exposition rendered for a metrics request: its body and what it is.
pub(super) struct Body {
    pub(super) bytes: Arc<Exposition>,
    pub(super) format: Negotiated,
    pub(super) gzip: bool,
}

/// A rendered exposition's bytes; when the last holder lets it go, its
/// buffer returns to the renderings that made it.
pub(super) struct Exposition {
    bytes: Vec<u8>,
    home: Arc<Buffers>,
}

impl core::ops::Deref for Exposition {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for Exposition {
    fn drop(&mut self) {
        self.home.give_back(std::mem::take(&mut self.bytes));
    }
}

/// The exporter's renderings: the latest, and the buffers to render the
/// next ones into.
#[derive(Default)]
pub(super) struct Renderings {
    /// Held while rendering: one rendering at a time.
    turn: Mutex<()>,
    latest: Mutex<Option<Current>>,
    buffers: Arc<Buffers>,
}

struct Current {
    /// What the requests that can share it asked for.
    format: Negotiated,
    wants_gzip: bool,
    /// When its rendering began.
    started: Instant,
    body: Body,
}

/// Buffers of bodies no one holds.
#[derive(Default)]
struct Buffers {
    state: Mutex<BufferState>,
}

#[derive(Default)]
struct BufferState {
    /// Buffers of bodies no one holds, at most [`MAX_SPARE_BUFFERS`].
    spare: Vec<Vec<u8>>,
    /// The length of the latest body, to size a new buffer in one step
    /// (growing it would hold the old and the new allocation at once).
    last_len: usize,
}

impl Buffers {
    fn state(&self) -> MutexGuard<'_, BufferState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A buffer for the next rendering: a spare one, else a new one of the
    /// latest body's size and an eighth.
    fn take(&self) -> Vec<u8> {
        let mut state = self.state();
        match state.spare.pop() {
            Some(mut buffer) => {
                buffer.clear();
                buffer
            }
            None => Vec::with_capacity(state.last_len + state.last_len / 8),
        }
    }

    /// Makes `bytes` the body of a new exposition.
    fn body(self: &Arc<Self>, bytes: Vec<u8>) -> Exposition {
        self.state().last_len = bytes.len();
        Exposition {
            bytes,
            home: Arc::clone(self),
        }
    }

    /// Takes back a body's buffer when no one holds the body any more.
    fn give_back(&self, buffer: Vec<u8>) {
        self.state().keep(buffer);
    }
}

impl BufferState {
    /// Keeps a buffer for a later rendering, unless enough are kept.
    fn keep(&mut self, buffer: Vec<u8>) {
        if buffer.capacity() > 0 && self.spare.len() < MAX_SPARE_BUFFERS {
            self.spare.push(buffer);
        }
    }
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
        format: Negotiated,
        wants_gzip: bool,
        render: impl FnOnce(&mut Vec<u8>) -> Option<(Negotiated, bool)>,
    ) -> Option<Body> {
        let _turn = self.turn.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(current) = &*self.latest() {
            if current.format == format
                && current.wants_gzip == wants_gzip
                && current.started >= arrived
            {
                return Some(current.body.share());
            }
        }
        let mut out = self.buffers.take();
        let started = Instant::now();
        let Some((rendered, gzip)) = render(&mut out) else {
            self.buffers.state().keep(out);
            return None;
        };
        let body = Body {
            bytes: Arc::new(self.buffers.body(out)),
            format: rendered,
            gzip,
        };
        let shared = body.share();
        // The previous body goes back to the buffers once no connection
        // holds it any more.
        let previous = self.latest().replace(Current {
            format,
            wants_gzip,
            started,
            body,
        });
        drop(previous);
        Some(shared)
    }

    fn latest(&self) -> MutexGuard<'_, Option<Current>> {
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
    use crate::encode::Format;
    use std::time::Duration;

    fn rendering(text: &'static str) -> impl FnOnce(&mut Vec<u8>) -> Option<(Negotiated, bool)> {
        move |out| {
            out.extend_from_slice(text.as_bytes());
            Some((Negotiated::new(Format::Prometheus), false))
        }
    }

    #[test]
    fn a_request_that_arrived_before_the_latest_rendering_began_shares_it() {
        let renderings = Renderings::default();
        let arrived = Instant::now();
        let first = renderings
            .body(
                arrived,
                Negotiated::new(Format::Prometheus),
                false,
                rendering("one"),
            )
            .unwrap();
        let second = renderings
            .body(
                arrived,
                Negotiated::new(Format::Prometheus),
                false,
                rendering("two"),
            )
            .unwrap();
        assert!(Arc::ptr_eq(&first.bytes, &second.bytes));
        assert_eq!(&second.bytes[..], b"one");
    }

    #[test]
    fn a_request_that_arrived_after_it_began_gets_a_new_rendering() {
        let renderings = Renderings::default();
        let first = renderings
            .body(
                Instant::now(),
                Negotiated::new(Format::Prometheus),
                false,
                rendering("one"),
            )
            .unwrap();
        std::thread::sleep(Duration::from_millis(2));
        let second = renderings
            .body(
                Instant::now(),
                Negotiated::new(Format::Prometheus),
                false,
                rendering("two"),
            )
            .unwrap();
        assert_eq!(&first.bytes[..], b"one");
        assert_eq!(&second.bytes[..], b"two");
    }

    #[test]
    fn a_request_for_another_format_or_encoding_gets_its_own() {
        let renderings = Renderings::default();
        let arrived = Instant::now();
        let text = renderings
            .body(
                arrived,
                Negotiated::new(Format::Prometheus),
                false,
                rendering("text"),
            )
            .unwrap();
        let open = renderings
            .body(
                arrived,
                Negotiated::new(Format::OpenMetrics),
                false,
                rendering("open"),
            )
            .unwrap();
        let gzip = renderings
            .body(
                arrived,
                Negotiated::new(Format::OpenMetrics),
                true,
                rendering("gzip"),
            )
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
            .body(
                Instant::now(),
                Negotiated::new(Format::Prometheus),
                false,
                |out| {
                    out.reserve(1000);
                    out.extend_from_slice(b"one");
                    Some((Negotiated::new(Format::Prometheus), false))
                },
            )
            .unwrap();
        drop(first);
        std::thread::sleep(Duration::from_millis(2));
        // The rendering after next gets the first one's buffer back.
        let second = renderings
            .body(
                Instant::now(),
                Negotiated::new(Format::Prometheus),
                false,
                rendering("two"),
            )
            .unwrap();
        drop(second);
        std::thread::sleep(Duration::from_millis(2));
        let third = renderings
            .body(
                Instant::now(),
                Negotiated::new(Format::Prometheus),
                false,
                |out| {
                    assert!(out.is_empty());
                    assert!(out.capacity() >= 1000, "{}", out.capacity());
                    out.extend_from_slice(b"three");
                    Some((Negotiated::new(Format::Prometheus), false))
                },
            )
            .unwrap();
        assert_eq!(&third.bytes[..], b"three");
    }

    fn render_sized(
        text: &'static [u8],
        reserve: usize,
    ) -> impl FnOnce(&mut Vec<u8>) -> Option<(Negotiated, bool)> {
        move |out| {
            out.reserve(reserve);
            out.extend_from_slice(text);
            Some((Negotiated::new(Format::Prometheus), false))
        }
    }

    /// Three renderings, "one", "two" and "three", each after the one
    /// before (the first with room for `first_reserve` bytes), all held.
    fn three_bodies(renderings: &Renderings, first_reserve: usize) -> Vec<Body> {
        [
            (b"one".as_slice(), first_reserve),
            (b"two", 0),
            (b"three", 0),
        ]
        .into_iter()
        .map(|(text, reserve)| {
            std::thread::sleep(Duration::from_millis(2));
            let render = render_sized(text, reserve);
            renderings
                .body(
                    Instant::now(),
                    Negotiated::new(Format::Prometheus),
                    false,
                    render,
                )
                .unwrap()
        })
        .collect()
    }

    #[test]
    fn with_every_body_held_a_rendering_takes_a_new_buffer_of_the_latest_size() {
        let renderings = Renderings::default();
        let alive = three_bodies(&renderings, 0);
        std::thread::sleep(Duration::from_millis(2));
        let fourth = renderings
            .body(
                Instant::now(),
                Negotiated::new(Format::Prometheus),
                false,
                |out| {
                    // "three" and an eighth of it, in one allocation.
                    assert_eq!(out.capacity(), 5);
                    out.extend_from_slice(b"four");
                    Some((Negotiated::new(Format::Prometheus), false))
                },
            )
            .unwrap();
        assert_eq!(&fourth.bytes[..], b"four");
        drop(alive);
    }

    #[test]
    fn a_body_let_go_is_the_buffer_of_the_next_rendering() {
        let renderings = Renderings::default();
        let mut alive = three_bodies(&renderings, 1000);
        drop(alive.remove(0));
        std::thread::sleep(Duration::from_millis(2));
        // Its buffer, not a new one of the latest size.
        let fourth = renderings
            .body(
                Instant::now(),
                Negotiated::new(Format::Prometheus),
                false,
                |out| {
                    assert!(out.is_empty());
                    assert!(out.capacity() >= 1000, "{}", out.capacity());
                    out.extend_from_slice(b"four");
                    Some((Negotiated::new(Format::Prometheus), false))
                },
            )
            .unwrap();
        assert_eq!(&fourth.bytes[..], b"four");
    }

    #[test]
    fn a_failed_rendering_shares_nothing() {
        let renderings = Renderings::default();
        let arrived = Instant::now();
        assert!(renderings
            .body(arrived, Negotiated::new(Format::Prometheus), false, |_| {
                None
            })
            .is_none());
        let next = renderings
            .body(
                arrived,
                Negotiated::new(Format::Prometheus),
                false,
                rendering("next"),
            )
            .unwrap();
        assert_eq!(&next.bytes[..], b"next");
    }
}
