//! Responses: what a worker hands back to the front thread to send.

use std::sync::Arc;
use std::time::Instant;

use super::latest::Exposition;
use super::request::Reject;

/// A response ready to send: its head and its body, sent in that order.
pub(super) struct Reply {
    /// Status line and headers, ending with the blank line.
    pub(super) head: Vec<u8>,
    /// The body; empty for `HEAD`.
    pub(super) body: ReplyBody,
    /// Sent no earlier than this: the answer to a failed credential check
    /// is held back (by the front thread, not a worker) so that guessing
    /// costs time.
    pub(super) not_before: Option<Instant>,
}

impl Reply {
    #[cfg_attr(not(feature = "web-config"), allow(dead_code))]
    /// Adds `headers` (`Name: value\r\n` each) to the head.
    pub(super) fn add_headers(&mut self, headers: &[u8]) {
        if headers.is_empty() || !self.head.ends_with(b"\r\n\r\n") {
            return;
        }
        self.head.truncate(self.head.len() - 2);
        self.head.extend_from_slice(headers);
        self.head.extend_from_slice(b"\r\n");
    }
}

/// A reply's body: a buffer of the shared pool (short answers), or an
/// exposition shared by every request that takes the same rendering.
pub(super) enum ReplyBody {
    Pooled(Vec<u8>),
    Shared(Arc<Exposition>),
}

impl core::ops::Deref for ReplyBody {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            ReplyBody::Pooled(bytes) => bytes,
            ReplyBody::Shared(bytes) => bytes,
        }
    }
}

/// What a response says, before it is written out.
pub(super) struct Response<'b> {
    pub(super) status: u16,
    pub(super) reason: &'static str,
    pub(super) content_type: &'static str,
    pub(super) body: &'b [u8],
    pub(super) gzip: bool,
    pub(super) extra: Option<(&'static str, &'static str)>,
}

/// A plain-text response whose body is the status line's reason.
pub(super) fn status_response(status: u16, reason: &'static str) -> Response<'static> {
    Response {
        status,
        reason,
        content_type: "text/plain; charset=utf-8",
        body: reason.as_bytes(),
        gzip: false,
        extra: None,
    }
}

/// The answer to a request head that was refused before it was parsed.
pub(super) fn rejection(reject: Reject) -> Response<'static> {
    match reject {
        Reject::BadRequest => status_response(400, "Bad Request"),
        Reject::UriTooLong => status_response(414, "URI Too Long"),
        Reject::HeadersTooLarge => status_response(431, "Request Header Fields Too Large"),
    }
}

impl Response<'_> {
    /// Appends the status line and headers.
    pub(super) fn write_head(&self, out: &mut Vec<u8>) {
        let mut length = itoa::Buffer::new();
        let mut status = itoa::Buffer::new();
        for piece in [
            "HTTP/1.1 ",
            status.format(self.status),
            " ",
            self.reason,
            "\r\nContent-Type: ",
            self.content_type,
            "\r\nContent-Length: ",
            length.format(self.body.len()),
            "\r\nConnection: close\r\n",
        ] {
            out.extend_from_slice(piece.as_bytes());
        }
        if self.gzip {
            out.extend_from_slice(b"Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
        }
        if let Some((name, value)) = self.extra {
            for piece in [name, ": ", value, "\r\n"] {
                out.extend_from_slice(piece.as_bytes());
            }
        }
        out.extend_from_slice(b"\r\n");
    }

    /// This response as a [`Reply`] whose body is copied into `body`.
    pub(super) fn to_reply(&self, mut body: Vec<u8>, head_only: bool) -> Reply {
        let mut head = Vec::with_capacity(192);
        self.write_head(&mut head);
        body.clear();
        if !head_only {
            body.extend_from_slice(self.body);
        }
        Reply {
            head,
            body: ReplyBody::Pooled(body),
            not_before: None,
        }
    }
}
