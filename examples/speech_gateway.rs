//! A speech gateway: `/tts` and `/stt` behind a concurrency limit, with
//! requests by endpoint, method and code, request and upstream duration
//! histograms, in-flight gauges and rejections by reason. A request whose
//! client leaves before a response is written is counted as `499`, never
//! `200`. `/metrics` is answered before the limit is consulted, so it stays
//! scrapable while every slot is taken.
//!
//! ```text
//! cargo run --example speech_gateway                 # serve on 127.0.0.1:9897
//! cargo run --example speech_gateway -- 127.0.0.1:0  # any free port
//! cargo run --example speech_gateway -- --print      # scripted requests, then print
//! ```
//!
//! Serving: `GATEWAY_SLOTS` concurrent requests (default 4), for
//! `ENUMETER_SERVE_SECS` seconds (default 600). The upstream speech engine is
//! simulated: it takes the `X-Upstream-Ms` header's milliseconds, and fails
//! when the body contains `fail`. With `--print`, a scripted client talks to
//! the real server over 127.0.0.1 while durations come from a manual clock
//! the simulated upstream advances, so the output is the same on every run.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use enumeter::{metrics, Format, LabelValue};

/// The gateway's endpoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Endpoint {
    Tts,
    Stt,
}

/// Request methods; anything but GET and POST is `other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Post,
    #[label(name = "other", other)]
    Other,
}

/// Every code the gateway answers with, and 499 for clients that left.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Code {
    #[label(name = "200")]
    Ok,
    #[label(name = "405")]
    MethodNotAllowed,
    #[label(name = "413")]
    TooLarge,
    #[label(name = "415")]
    UnsupportedMediaType,
    #[label(name = "499")]
    ClientClosed,
    #[label(name = "502")]
    BadGateway,
    #[label(name = "503")]
    Busy,
}

impl Code {
    fn status_line(self) -> &'static str {
        match self {
            Code::Ok => "200 OK",
            Code::MethodNotAllowed => "405 Method Not Allowed",
            Code::TooLarge => "413 Content Too Large",
            Code::UnsupportedMediaType => "415 Unsupported Media Type",
            Code::ClientClosed => "499 Client Closed Request",
            Code::BadGateway => "502 Bad Gateway",
            Code::Busy => "503 Service Unavailable",
        }
    }
}

/// Why a request was turned away before or at the upstream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "snake_case")]
pub enum RejectReason {
    TooLarge,
    BadContentType,
    UpstreamError,
}

/// Speech gateway metrics.
#[metrics(namespace = "gateway", max_series = 128)]
pub enum Gateway {
    /// Requests, by endpoint, method and response code.
    #[counter]
    RequestsTotal {
        endpoint: Endpoint,
        method: HttpMethod,
        code: Code,
    },
    /// Time from a request's head to its response, in seconds.
    #[histogram(unit = "seconds", buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])]
    RequestDuration { endpoint: Endpoint },
    /// Requests being handled.
    #[gauge]
    InflightRequests { endpoint: Endpoint },
    /// Time spent waiting on the upstream speech engine, in seconds.
    #[histogram(unit = "seconds", buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30])]
    UpstreamDuration { endpoint: Endpoint },
    /// Requests turned away, by reason.
    #[counter]
    RejectedTotal {
        endpoint: Endpoint,
        reason: RejectReason,
    },
}

const MAX_BODY: usize = 64 * 1024;

/// Time as the gateway sees it: real, or advanced by hand for scripted runs.
#[derive(Clone)]
enum Clock {
    Real(Instant),
    Manual(Arc<AtomicU64>),
}

impl Clock {
    fn now(&self) -> Duration {
        match self {
            Clock::Real(start) => start.elapsed(),
            Clock::Manual(ms) => Duration::from_millis(ms.load(Ordering::SeqCst)),
        }
    }

    /// The simulated upstream's work.
    fn wait(&self, duration: Duration) {
        match self {
            Clock::Real(_) => std::thread::sleep(duration),
            Clock::Manual(ms) => {
                ms.fetch_add(duration.as_millis() as u64, Ordering::SeqCst);
            }
        }
    }
}

struct Server {
    free_slots: AtomicUsize,
    clock: Clock,
}

/// Holds one concurrency slot; gives it back when dropped.
struct Slot<'a>(&'a AtomicUsize);

impl<'a> Slot<'a> {
    fn take(slots: &'a AtomicUsize) -> Option<Self> {
        slots
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .ok()
            .map(|_| Slot(slots))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

/// Records a request's outcome when dropped: the code it answered with, or
/// 499 if it returned without answering (the client went away).
struct Outcome<'a> {
    endpoint: Endpoint,
    method: HttpMethod,
    code: Code,
    started: Duration,
    clock: &'a Clock,
}

impl Drop for Outcome<'_> {
    fn drop(&mut self) {
        Gateway::requests_total(self.endpoint, self.method, self.code).inc();
        Gateway::request_duration(self.endpoint).observe_duration(self.clock.now() - self.started);
    }
}

/// The parts of a request head the gateway reads.
struct Head {
    method: String,
    path: String,
    content_length: usize,
    content_type: String,
    accept: String,
    upstream_ms: u64,
}

fn read_head(stream: &mut TcpStream) -> Option<(Head, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 16 * 1024 {
            return None;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let text = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, path) = (first.next()?.to_owned(), first.next()?.to_owned());
    let mut head = Head {
        method,
        path,
        content_length: 0,
        content_type: String::new(),
        accept: String::new(),
        upstream_ms: 0,
    };
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => head.content_length = value.parse().ok()?,
            "content-type" => head.content_type = value.to_ascii_lowercase(),
            "accept" => head.accept = value.to_owned(),
            "x-upstream-ms" => head.upstream_ms = value.parse().unwrap_or(0),
            _ => {}
        }
    }
    Some((head, buf[end..].to_vec()))
}

fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn handle(mut stream: TcpStream, server: &Server) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let Some((head, mut body)) = read_head(&mut stream) else {
        return;
    };
    // /metrics first, outside the concurrency limit.
    if head.path == "/metrics" {
        let format = Format::from_accept(&head.accept);
        let mut text = Vec::new();
        enumeter::render_into(format, &mut text);
        respond(&mut stream, "200 OK", format.content_type(), &text);
        return;
    }
    let endpoint = match head.path.as_str() {
        "/tts" => Endpoint::Tts,
        "/stt" => Endpoint::Stt,
        _ => return respond(&mut stream, "404 Not Found", "text/plain", b"not found\n"),
    };
    let method = HttpMethod::from_name_or_other(&head.method);
    let mut outcome = Outcome {
        endpoint,
        method,
        code: Code::ClientClosed,
        started: server.clock.now(),
        clock: &server.clock,
    };
    let Some(_slot) = Slot::take(&server.free_slots) else {
        outcome.code = Code::Busy;
        return respond(
            &mut stream,
            Code::Busy.status_line(),
            "text/plain",
            b"busy\n",
        );
    };
    let inflight = Gateway::inflight_requests(endpoint);
    inflight.inc();
    let code = serve_speech(&mut stream, server, endpoint, method, &head, &mut body);
    inflight.dec();
    // A code was written: the outcome is that code. None: the client left.
    if let Some(code) = code {
        outcome.code = code;
    }
}

/// Handles a `/tts` or `/stt` request; returns the code it answered with,
/// or `None` if the client left first.
fn serve_speech(
    stream: &mut TcpStream,
    server: &Server,
    endpoint: Endpoint,
    method: HttpMethod,
    head: &Head,
    body: &mut Vec<u8>,
) -> Option<Code> {
    let answer = |stream: &mut TcpStream, code: Code| {
        respond(stream, code.status_line(), "text/plain", b"\n");
        Some(code)
    };
    if method != HttpMethod::Post {
        return answer(stream, Code::MethodNotAllowed);
    }
    if head.content_length > MAX_BODY {
        Gateway::rejected_total(endpoint, RejectReason::TooLarge).inc();
        return answer(stream, Code::TooLarge);
    }
    let type_ok = match endpoint {
        Endpoint::Tts => head.content_type.starts_with("text/plain"),
        Endpoint::Stt => head.content_type.starts_with("audio/"),
    };
    if !type_ok {
        Gateway::rejected_total(endpoint, RejectReason::BadContentType).inc();
        return answer(stream, Code::UnsupportedMediaType);
    }
    // The body; a client that leaves halfway gets no answer (499).
    let mut chunk = [0u8; 4096];
    while body.len() < head.content_length {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    // The simulated upstream.
    let upstream_started = server.clock.now();
    server.clock.wait(Duration::from_millis(head.upstream_ms));
    Gateway::upstream_duration(endpoint).observe_duration(server.clock.now() - upstream_started);
    if body.windows(4).any(|w| w == b"fail") {
        Gateway::rejected_total(endpoint, RejectReason::UpstreamError).inc();
        return answer(stream, Code::BadGateway);
    }
    answer(stream, Code::Ok)
}

/// Accepts until `stop` is set, one thread per connection.
fn run(listener: TcpListener, server: Arc<Server>, stop: Arc<AtomicBool>) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let server = Arc::clone(&server);
        std::thread::spawn(move || handle(stream, &server));
    }
}

fn start(address: &str, slots: usize, clock: Clock) -> (std::net::SocketAddr, Arc<AtomicBool>) {
    let listener = TcpListener::bind(address).unwrap_or_else(|e| {
        eprintln!("cannot serve on {address}: {e}");
        std::process::exit(1);
    });
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    let server = Arc::new(Server {
        free_slots: AtomicUsize::new(slots),
        clock,
    });
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    std::thread::spawn(move || run(listener, server, flag));
    (addr, stop)
}

/// Sends one request and waits for the whole answer.
fn request(addr: std::net::SocketAddr, raw: &[u8]) {
    let mut stream = TcpStream::connect(addr).expect("the gateway listens");
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.write_all(raw);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
}

/// The scripted traffic behind `--print`.
fn scripted(addr: std::net::SocketAddr) {
    let post = |path: &str, content_type: &str, upstream_ms: u32, body: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nContent-Type: {content_type}\r\nX-Upstream-Ms: {upstream_ms}\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    request(
        addr,
        post("/tts", "text/plain", 180, "hello there").as_bytes(),
    );
    request(
        addr,
        post("/tts", "text/plain", 420, "a longer sentence").as_bytes(),
    );
    request(addr, post("/tts", "application/json", 0, "{}").as_bytes());
    request(
        addr,
        post("/tts", "text/plain", 40, "please fail").as_bytes(),
    );
    request(addr, b"GET /tts HTTP/1.1\r\n\r\n");
    request(
        addr,
        post("/stt", "audio/wav", 1300, "RIFF....WAVE").as_bytes(),
    );
    request(
        addr,
        b"POST /stt HTTP/1.1\r\nContent-Type: audio/wav\r\nContent-Length: 999999\r\n\r\n",
    );
    // A client that sends half its body and leaves: 499.
    let mut gone = TcpStream::connect(addr).expect("the gateway listens");
    let _ = gone.write_all(
        b"POST /stt HTTP/1.1\r\nContent-Type: audio/wav\r\nContent-Length: 100\r\n\r\nRIFF",
    );
    let _ = gone.shutdown(std::net::Shutdown::Both);
    drop(gone);
    // Wait (bounded) until the server has counted that request.
    let deadline = Instant::now() + Duration::from_secs(5);
    while Gateway::requests_total(Endpoint::Stt, HttpMethod::Post, Code::ClientClosed).get() == 0
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(format) = common::print_format(&args) {
        let (addr, stop) = start("127.0.0.1:0", 4, Clock::Manual(Arc::new(AtomicU64::new(0))));
        scripted(addr);
        stop.store(true, Ordering::SeqCst);
        print!("{}", enumeter::render(format));
        return;
    }
    let address = common::serve_address(&args, "127.0.0.1:9897");
    let slots = std::env::var("GATEWAY_SLOTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let serve_for = common::serve_for();
    let (addr, stop) = start(&address, slots, Clock::Real(Instant::now()));
    println!("serving http://{addr}/metrics");
    std::thread::sleep(serve_for);
    stop.store(true, Ordering::SeqCst);
}
