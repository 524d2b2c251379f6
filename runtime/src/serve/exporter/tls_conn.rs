//! A connection's TLS session (feature `web-config`), driven by the front
//! thread without blocking: rustls is sans-IO, so each readiness event
//! moves the records the socket has or takes, and a handshake is just the
//! first bytes of a head. Without the feature a connection has no session
//! and none of this is built.

#[cfg(feature = "web-config")]
mod session {
    use std::io::{self, Read, Write};

    use mio::net::TcpStream;

    use crate::serve::exporter::request::{HeadScan, Limits, Progress};
    use crate::serve::exporter::response::Reply;

    /// A TLS session; boxed, as it is large beside a plain connection.
    pub(in crate::serve::exporter) type Session = Box<rustls::ServerConnection>;

    /// An error of the TLS layer itself (not of the socket).
    fn tls_error(error: rustls::Error) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, error)
    }

    /// Whether `error` came from the TLS layer: a handshake refused.
    pub(in crate::serve::exporter) fn is_tls_error(error: &io::Error) -> bool {
        error.kind() == io::ErrorKind::InvalidData
    }

    /// Whether the handshake is still going on.
    pub(in crate::serve::exporter) fn handshaking(session: &Session) -> bool {
        session.is_handshaking()
    }

    /// Sends what the session has for the peer; `Ok(false)` when the
    /// socket takes no more now.
    fn flush(stream: &mut TcpStream, session: &mut Session) -> io::Result<bool> {
        while session.wants_write() {
            match session.write_tls(stream) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Reads what the socket has, through the session, into `head`; the
    /// handshake's answers go out on the way.
    pub(in crate::serve::exporter) fn read_head(
        stream: &mut TcpStream,
        session: &mut Session,
        head: &mut Vec<u8>,
        scan: &mut HeadScan,
        limits: &Limits,
    ) -> io::Result<Progress> {
        loop {
            flush(stream, session)?;
            match session.read_tls(stream) {
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Progress::Partial),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
            let state = match session.process_new_packets() {
                Ok(state) => state,
                Err(e) => {
                    // The alert rustls queued, if the socket takes it.
                    let _ = flush(stream, session);
                    return Err(tls_error(e));
                }
            };
            let plaintext = state.plaintext_bytes_to_read();
            let closed = state.peer_has_closed();
            if plaintext > 0 {
                let start = head.len();
                head.resize(start + plaintext, 0);
                session.reader().read_exact(&mut head[start..])?;
                let progress = scan.advance(head, limits);
                if progress != Progress::Partial {
                    flush(stream, session)?;
                    return Ok(progress);
                }
            }
            if closed {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
    }

    /// Sends as much of `reply` as the socket takes now, `sent` bytes of
    /// its plaintext being in the session already; `Ok(true)` once all of
    /// it is out. rustls buffers 64 KiB of records at most, so a large
    /// body is encrypted as the client takes it, not all at once.
    pub(in crate::serve::exporter) fn write_reply(
        stream: &mut TcpStream,
        session: &mut Session,
        reply: &Reply,
        sent: &mut usize,
    ) -> io::Result<bool> {
        let total = reply.head.len() + reply.body.len();
        loop {
            if !flush(stream, session)? {
                return Ok(false);
            }
            if *sent >= total {
                session.send_close_notify();
                let _ = flush(stream, session);
                return Ok(true);
            }
            let pending = if *sent < reply.head.len() {
                &reply.head[*sent..]
            } else {
                &reply.body[*sent - reply.head.len()..]
            };
            let n = session.writer().write(pending)?;
            if n == 0 {
                return Ok(false);
            }
            *sent += n;
        }
    }
}

#[cfg(not(feature = "web-config"))]
mod session {
    use std::io;

    use mio::net::TcpStream;

    use crate::serve::exporter::request::{HeadScan, Limits, Progress};
    use crate::serve::exporter::response::Reply;

    /// No TLS without the feature: a session cannot exist.
    pub(in crate::serve::exporter) enum Session {}

    pub(in crate::serve::exporter) fn is_tls_error(_: &io::Error) -> bool {
        false
    }

    pub(in crate::serve::exporter) fn handshaking(session: &Session) -> bool {
        match *session {}
    }

    pub(in crate::serve::exporter) fn read_head(
        _: &mut TcpStream,
        session: &mut Session,
        _: &mut Vec<u8>,
        _: &mut HeadScan,
        _: &Limits,
    ) -> io::Result<Progress> {
        match *session {}
    }

    pub(in crate::serve::exporter) fn write_reply(
        _: &mut TcpStream,
        session: &mut Session,
        _: &Reply,
        _: &mut usize,
    ) -> io::Result<bool> {
        match *session {}
    }
}

pub(super) use session::*;
