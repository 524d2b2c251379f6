//! A small HTTP server for `/metrics`, on threads of its own (feature `http`).
//!
//! It runs beside whatever the application serves, outside the application's
//! own concurrency limits, so a scrape is answered while every request slot
//! of the application is taken. It speaks just enough HTTP/1.1 for
//! Prometheus and curl, and is built to survive what a hostile client sends:
//! bounded request lines, heads and header counts (`414`, `431`), read
//! deadlines, a bounded number of connections (`503` past it), no panic on
//! any input.

mod auth;
mod request;

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use self::auth::Credentials;
use self::request::{Limits, Progress, Reject, Request};
use crate::{Format, Registry};

/// The address an exporter binds when none is given.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:9898";

/// Configures and starts the `/metrics` server.
///
/// ```no_run
/// let exporter = enumeter::Exporter::new()
///     .address("127.0.0.1:9898")
///     .start()
///     .expect("port 9898 is free");
/// println!("serving http://{}/metrics", exporter.local_addr());
/// // ... the application runs ...
/// exporter.shutdown();
/// ```
#[derive(Debug)]
#[must_use = "an exporter serves nothing until `start` is called"]
pub struct Exporter {
    address: String,
    path: String,
    registry: Option<Arc<Registry<'static>>>,
    workers: usize,
    queue: usize,
    read_timeout: Duration,
    head_deadline: Duration,
    credentials: Option<Credentials>,
    gzip: bool,
    limits: Limits,
}

impl Default for Exporter {
    fn default() -> Self {
        Self::new()
    }
}

impl Exporter {
    /// An exporter of the [default registry](crate::registry) at
    /// `http://127.0.0.1:9898/metrics`, with 2 worker threads and room for 16
    /// waiting connections.
    pub fn new() -> Self {
        Self {
            address: DEFAULT_ADDRESS.to_owned(),
            path: "/metrics".to_owned(),
            registry: None,
            workers: 2,
            queue: 16,
            read_timeout: Duration::from_secs(5),
            head_deadline: Duration::from_secs(10),
            credentials: None,
            gzip: cfg!(feature = "gzip"),
            limits: Limits::default(),
        }
    }

    /// The address to bind (`host:port`; port 0 picks a free one).
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = address.into();
        self
    }

    /// The path to serve (default `/metrics`).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = path.into();
        self
    }

    /// Serves `registry` instead of the default one.
    pub fn registry(mut self, registry: Arc<Registry<'static>>) -> Self {
        self.registry = Some(registry);
        self
    }

    /// Threads that answer requests (at least 1).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// Connections that may wait for a worker; past `workers + queue`
    /// connections, new ones are answered `503` at once.
    pub fn queue(mut self, queue: usize) -> Self {
        self.queue = queue;
        self
    }

    /// How long one read from a client may block, and the deadline for its
    /// whole request head (default 5 s and 10 s).
    pub fn timeouts(mut self, read: Duration, head: Duration) -> Self {
        self.read_timeout = read.max(Duration::from_millis(1));
        self.head_deadline = head.max(Duration::from_millis(1));
        self
    }

    /// Requires `Authorization: Bearer <token>`; other requests get `401`.
    pub fn bearer_token(mut self, token: &str) -> Self {
        self.credentials = Some(Credentials::bearer(token));
        self
    }

    /// Requires HTTP Basic credentials; other requests get `401`.
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.credentials = Some(Credentials::basic(user, password));
        self
    }

    /// Compresses responses with gzip for clients that accept it (on by
    /// default with the `gzip` feature; without it this does nothing).
    pub fn gzip(mut self, enabled: bool) -> Self {
        self.gzip = enabled && cfg!(feature = "gzip");
        self
    }

    /// Binds the address and starts serving on threads of its own.
    pub fn start(self) -> io::Result<ExporterHandle> {
        let address = self
            .address
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no address to bind"))?;
        let listener = TcpListener::bind(address)?;
        let local_addr = listener.local_addr()?;
        let shutdown = Arc::new(AtomicBool::new(false));
        let (sender, receiver) = mpsc::sync_channel::<TcpStream>(self.queue);
        let receiver = Arc::new(Mutex::new(receiver));
        let config = Arc::new(Config {
            path: self.path,
            registry: self.registry,
            read_timeout: self.read_timeout,
            head_deadline: self.head_deadline,
            credentials: self.credentials,
            gzip: self.gzip,
            limits: self.limits,
        });
        let mut threads = Vec::with_capacity(self.workers + 1);
        for i in 0..self.workers {
            let (receiver, config) = (Arc::clone(&receiver), Arc::clone(&config));
            threads.push(
                std::thread::Builder::new()
                    .name(format!("enumeter-http-{i}"))
                    .spawn(move || worker(&receiver, &config))?,
            );
        }
        let flag = Arc::clone(&shutdown);
        threads.push(
            std::thread::Builder::new()
                .name("enumeter-http-accept".into())
                .spawn(move || accept(&listener, &sender, &flag))?,
        );
        Ok(ExporterHandle {
            local_addr,
            shutdown,
            threads,
        })
    }
}

/// A running exporter; dropping it shuts it down too.
#[derive(Debug)]
pub struct ExporterHandle {
    local_addr: SocketAddr,
    shutdown: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl ExporterHandle {
    /// The address the exporter listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, lets the workers finish the requests in hand, and
    /// waits for every thread to end.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if self.shutdown.swap(true, Ordering::SeqCst) {
            return;
        }
        // Wake the acceptor blocked in accept(); it sees the flag and drops
        // the queue's sender, which lets each worker's recv() end.
        let _ = TcpStream::connect_timeout(&self.local_addr, Duration::from_secs(1));
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Drop for ExporterHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

struct Config {
    path: String,
    registry: Option<Arc<Registry<'static>>>,
    read_timeout: Duration,
    head_deadline: Duration,
    credentials: Option<Credentials>,
    gzip: bool,
    limits: Limits,
}

fn accept(listener: &TcpListener, queue: &SyncSender<TcpStream>, shutdown: &AtomicBool) {
    for stream in listener.incoming() {
        if shutdown.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else {
            // Out of file descriptors and the like: back off instead of
            // spinning, then keep serving.
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        match queue.try_send(stream) {
            Ok(()) => {}
            Err(TrySendError::Full(mut stream)) => {
                let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
                let _ = write_response(
                    &mut stream,
                    &Response::status(503, "Service Unavailable"),
                    false,
                );
            }
            Err(TrySendError::Disconnected(_)) => return,
        }
    }
}

fn worker(queue: &Mutex<Receiver<TcpStream>>, config: &Config) {
    let mut head = Vec::with_capacity(1024);
    let mut body = Vec::new();
    loop {
        // The lock is held only while waiting for the next connection.
        let next = match queue.lock() {
            Ok(receiver) => receiver.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok(mut stream) = next else { return };
        head.clear();
        body.clear();
        // Errors here are the client's (gone, too slow); nothing to do.
        let _ = serve(&mut stream, config, &mut head, &mut body);
    }
}

/// Reads one request from `stream` and answers it; the connection is then
/// closed.
fn serve(
    stream: &mut TcpStream,
    config: &Config,
    head: &mut Vec<u8>,
    body: &mut Vec<u8>,
) -> io::Result<()> {
    stream.set_read_timeout(Some(config.read_timeout))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let deadline = Instant::now() + config.head_deadline;
    let mut chunk = [0u8; 1024];
    let end = loop {
        match request::progress(head, &config.limits) {
            Progress::Complete(end) => break end,
            Progress::Rejected(reject) => return write_response(stream, &rejection(reject), false),
            Progress::Partial => {}
        }
        if Instant::now() >= deadline {
            return write_response(stream, &Response::status(408, "Request Timeout"), false);
        }
        let n = match stream.read(&mut chunk) {
            Ok(0) => return Ok(()), // closed before a whole head arrived
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return write_response(stream, &Response::status(408, "Request Timeout"), false)
            }
            Err(e) => return Err(e),
        };
        head.extend_from_slice(&chunk[..n]);
    };
    let request = match request::parse(&head[..end], &config.limits) {
        Ok(request) => request,
        Err(reject) => return write_response(stream, &rejection(reject), false),
    };
    let response = respond(&request, config, body);
    write_response(stream, &response, request.method == "HEAD")
}

fn rejection(reject: Reject) -> Response<'static> {
    match reject {
        Reject::BadRequest => Response::status(400, "Bad Request"),
        Reject::UriTooLong => Response::status(414, "URI Too Long"),
        Reject::HeadersTooLarge => Response::status(431, "Request Header Fields Too Large"),
    }
}

fn respond<'b>(request: &Request<'_>, config: &Config, body: &'b mut Vec<u8>) -> Response<'b> {
    if let Some(credentials) = &config.credentials {
        if !credentials.admit(request.authorization) {
            let mut response = Response::status(401, "Unauthorized");
            response.extra = Some(("WWW-Authenticate", credentials.challenge()));
            return response;
        }
    }
    if request.path != config.path {
        return Response::status(404, "Not Found");
    }
    if !matches!(request.method, "GET" | "HEAD") {
        let mut response = Response::status(405, "Method Not Allowed");
        response.extra = Some(("Allow", "GET, HEAD"));
        return response;
    }
    let format = Format::from_accept(request.accept.unwrap_or(""));
    match &config.registry {
        Some(registry) => registry.render_into(format, body),
        None => crate::registry().render_into(format, body),
    }
    let gzip = config.gzip && accepts_gzip(request.accept_encoding.unwrap_or("")) && compress(body);
    Response {
        status: 200,
        reason: "OK",
        content_type: format.content_type(),
        body,
        gzip,
        extra: None,
    }
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

/// Replaces `body` with its gzip encoding; returns whether it did.
#[cfg(feature = "gzip")]
fn compress(body: &mut Vec<u8>) -> bool {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    if encoder.write_all(body).is_err() {
        return false;
    }
    match encoder.finish() {
        Ok(compressed) => {
            *body = compressed;
            true
        }
        Err(_) => false,
    }
}

#[cfg(not(feature = "gzip"))]
fn compress(_body: &mut Vec<u8>) -> bool {
    false
}

struct Response<'b> {
    status: u16,
    reason: &'static str,
    content_type: &'static str,
    body: &'b [u8],
    gzip: bool,
    extra: Option<(&'static str, &'static str)>,
}

impl Response<'static> {
    /// A plain-text response whose body is the status line's reason.
    fn status(status: u16, reason: &'static str) -> Self {
        Self {
            status,
            reason,
            content_type: "text/plain; charset=utf-8",
            body: reason.as_bytes(),
            gzip: false,
            extra: None,
        }
    }
}

fn write_response(
    stream: &mut TcpStream,
    response: &Response<'_>,
    head_only: bool,
) -> io::Result<()> {
    let mut head = Vec::with_capacity(256);
    write!(
        head,
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        response.status,
        response.reason,
        response.content_type,
        response.body.len()
    )?;
    if response.gzip {
        head.extend_from_slice(b"Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
    }
    if let Some((name, value)) = response.extra {
        write!(head, "{name}: {value}\r\n")?;
    }
    head.extend_from_slice(b"\r\n");
    stream.write_all(&head)?;
    if !head_only {
        stream.write_all(response.body)?;
    }
    stream.flush()?;
    // Tell the client we are done; ignore a client that already left.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    Ok(())
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
