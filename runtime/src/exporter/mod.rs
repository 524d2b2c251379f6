//! A small HTTP server for `/metrics`, on threads of its own (feature `http`).
//!
//! It runs beside whatever the application serves, outside the application's
//! own concurrency limits, so a scrape is answered while every request slot
//! of the application is taken. It speaks just enough HTTP/1.1 for
//! Prometheus and curl, and is built to survive what a hostile client sends:
//! one front thread reads every request head without blocking on any client
//! ([`front`]), bounded request lines, heads and header counts (`414`,
//! `431`), a deadline per head (`408`), a bounded table of connections still
//! sending (the longest-waiting one gives way), a bounded queue of complete
//! requests (`503` past it), a fixed number of threads, no panic on any input.

mod auth;
mod front;
mod request;

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use self::auth::Credentials;
use self::request::{Limits, Reject, Request};
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
    workers: usize,
    queue: usize,
    /// What the threads share once started.
    config: Config,
}

impl Default for Exporter {
    fn default() -> Self {
        Self::new()
    }
}

impl Exporter {
    /// An exporter of the [default registry](crate::registry) at
    /// `http://127.0.0.1:9898/metrics`: 2 worker threads, 2 + 16 complete
    /// requests waiting at most, 256 connections still sending their heads
    /// at most, 10 s to send a head, 5 s to take a response.
    pub fn new() -> Self {
        Self {
            address: DEFAULT_ADDRESS.to_owned(),
            workers: 2,
            queue: 16,
            config: Config {
                path: "/metrics".to_owned(),
                registry: None,
                max_pending: 256,
                head_deadline: Duration::from_secs(10),
                write_timeout: Duration::from_secs(5),
                credentials: None,
                gzip: cfg!(feature = "gzip"),
                limits: Limits::default(),
            },
        }
    }

    /// The address to bind (`host:port`; port 0 picks a free one).
    pub fn address(mut self, address: impl Into<String>) -> Self {
        self.address = address.into();
        self
    }

    /// The path to serve (default `/metrics`).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.config.path = path.into();
        self
    }

    /// Serves `registry` instead of the default one.
    pub fn registry(mut self, registry: Arc<Registry<'static>>) -> Self {
        self.config.registry = Some(registry);
        self
    }

    /// Threads that render and send responses (at least 1).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// Complete requests that may wait for a worker, beyond one per worker;
    /// past that, a request is answered `503` at once.
    pub fn queue(mut self, queue: usize) -> Self {
        self.queue = queue;
        self
    }

    /// Connections that may be sending their request heads at once (at
    /// least 1); past that, the one that has waited longest is closed.
    pub fn max_pending(mut self, max_pending: usize) -> Self {
        self.config.max_pending = max_pending.max(1);
        self
    }

    /// How long a client may take to send its request head (`408` after
    /// it), and to take the response (default 10 s and 5 s).
    pub fn timeouts(mut self, head: Duration, write: Duration) -> Self {
        self.config.head_deadline = head.max(Duration::from_millis(1));
        self.config.write_timeout = write.max(Duration::from_millis(1));
        self
    }

    /// Requires `Authorization: Bearer <token>`; other requests get `401`.
    pub fn bearer_token(mut self, token: &str) -> Self {
        self.config.credentials = Some(Credentials::bearer(token));
        self
    }

    /// Requires HTTP Basic credentials; other requests get `401`.
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.config.credentials = Some(Credentials::basic(user, password));
        self
    }

    /// Compresses responses with gzip for clients that accept it (on by
    /// default with the `gzip` feature; without it this does nothing).
    pub fn gzip(mut self, enabled: bool) -> Self {
        self.config.gzip = enabled && cfg!(feature = "gzip");
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
        // Room for one job per worker plus `queue`: whether a request is
        // refused then depends on how many are waiting, not on whether a
        // worker thread happens to be blocked in recv() at that instant.
        let (sender, receiver) = mpsc::sync_channel::<Job>(self.workers + self.queue);
        let receiver = Arc::new(Mutex::new(receiver));
        let config = Arc::new(self.config);
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
                .name("enumeter-http-front".into())
                .spawn(move || front::run(&listener, &sender, &flag, &config))?,
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
        // Wake the front thread if it is blocked in accept(); it sees the
        // flag and drops the queue's sender, which ends each worker's recv().
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

#[derive(Debug)]
struct Config {
    path: String,
    registry: Option<Arc<Registry<'static>>>,
    max_pending: usize,
    head_deadline: Duration,
    write_timeout: Duration,
    credentials: Option<Credentials>,
    gzip: bool,
    limits: Limits,
}

/// A complete request head, handed from the front thread to a worker.
struct Job {
    stream: TcpStream,
    head: Vec<u8>,
    /// Where the head ends in `head`.
    end: usize,
}

fn worker(jobs: &Mutex<Receiver<Job>>, config: &Config) {
    let mut body = Vec::new();
    let mut head = Vec::with_capacity(256);
    loop {
        // The lock is held only while waiting for the next job.
        let next = match jobs.lock() {
            Ok(receiver) => receiver.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok(mut job) = next else { return };
        body.clear();
        // Errors here are the client's (gone, too slow to read); nothing to do.
        let _ = serve(&mut job, config, &mut body, &mut head);
    }
}

/// Answers one complete request; the connection is then closed.
fn serve(job: &mut Job, config: &Config, body: &mut Vec<u8>, head: &mut Vec<u8>) -> io::Result<()> {
    job.stream.set_write_timeout(Some(config.write_timeout))?;
    let (response, head_only) = match request::parse(&job.head[..job.end], &config.limits) {
        Ok(request) => (respond(&request, config, body), request.method == "HEAD"),
        Err(reject) => (rejection(reject), false),
    };
    head.clear();
    write_head(head, &response);
    job.stream.write_all(head)?;
    if !head_only {
        job.stream.write_all(response.body)?;
    }
    job.stream.flush()?;
    // Tell the client we are done; ignore a client that already left.
    let _ = job.stream.shutdown(std::net::Shutdown::Write);
    Ok(())
}

fn rejection(reject: Reject) -> Response<'static> {
    match reject {
        Reject::BadRequest => status_response(400, "Bad Request"),
        Reject::UriTooLong => status_response(414, "URI Too Long"),
        Reject::HeadersTooLarge => status_response(431, "Request Header Fields Too Large"),
    }
}

fn respond<'b>(request: &Request<'_>, config: &Config, body: &'b mut Vec<u8>) -> Response<'b> {
    if let Some(credentials) = &config.credentials {
        if !credentials.admit(request.authorization) {
            let mut response = status_response(401, "Unauthorized");
            response.extra = Some(("WWW-Authenticate", credentials.challenge()));
            return response;
        }
    }
    if request.path != config.path {
        return status_response(404, "Not Found");
    }
    if !matches!(request.method, "GET" | "HEAD") {
        let mut response = status_response(405, "Method Not Allowed");
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

/// A plain-text response whose body is the status line's reason.
fn status_response(status: u16, reason: &'static str) -> Response<'static> {
    Response {
        status,
        reason,
        content_type: "text/plain; charset=utf-8",
        body: reason.as_bytes(),
        gzip: false,
        extra: None,
    }
}

/// Appends the status line and headers of `response`.
fn write_head(out: &mut Vec<u8>, response: &Response<'_>) {
    let mut length = itoa::Buffer::new();
    let mut status = itoa::Buffer::new();
    for piece in [
        "HTTP/1.1 ",
        status.format(response.status),
        " ",
        response.reason,
        "\r\nContent-Type: ",
        response.content_type,
        "\r\nContent-Length: ",
        length.format(response.body.len()),
        "\r\nConnection: close\r\n",
    ] {
        out.extend_from_slice(piece.as_bytes());
    }
    if response.gzip {
        out.extend_from_slice(b"Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
    }
    if let Some((name, value)) = response.extra {
        for piece in [name, ": ", value, "\r\n"] {
            out.extend_from_slice(piece.as_bytes());
        }
    }
    out.extend_from_slice(b"\r\n");
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
