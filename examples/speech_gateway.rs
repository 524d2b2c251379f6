//! A speech gateway on axum: `/tts` and `/stt` behind a concurrency limit,
//! with requests by endpoint, method and code, request and upstream
//! duration histograms, in-flight gauges and rejections by reason. A request
//! whose client leaves before a response is written is counted as `499`,
//! never `200` (the server drops its future; a guard records it). `/metrics`
//! is enumeter's `MetricsService` on the gateway's own router, outside the
//! limit, so it stays scrapable while every slot is taken.
//!
//! ```text
//! cargo run --example speech_gateway --features enumeter-examples/axum                 # 127.0.0.1:9897
//! cargo run --example speech_gateway --features enumeter-examples/axum -- 127.0.0.1:0  # any free port
//! cargo run --example speech_gateway --features enumeter-examples/axum -- --print      # scripted, then print
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
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use enumeter::tower::MetricsService;
use enumeter::{metrics, LabelValue};

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
    async fn wait(&self, duration: Duration) {
        match self {
            Clock::Real(_) => tokio::time::sleep(duration).await,
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
/// 499 if it was dropped without answering (the client went away and the
/// server dropped the handler's future).
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

/// Decrements an in-flight gauge when dropped, answered or not.
struct InFlight(Endpoint);

impl InFlight {
    fn enter(endpoint: Endpoint) -> Self {
        Gateway::inflight_requests(endpoint).inc();
        InFlight(endpoint)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        Gateway::inflight_requests(self.0).dec();
    }
}

/// A plain-text answer that closes the connection, as the gateway's
/// clients expect.
fn answer(code: Code, body: &'static str) -> Response {
    let status = code
        .status_line()
        .split(' ')
        .next()
        .and_then(|s| s.parse().ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain"),
            (header::CONNECTION, "close"),
        ],
        body,
    )
        .into_response()
}

async fn tts(
    state: State<Arc<Server>>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    speech(state, Endpoint::Tts, method, headers, body).await
}

async fn stt(
    state: State<Arc<Server>>,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    speech(state, Endpoint::Stt, method, headers, body).await
}

/// Handles a `/tts` or `/stt` request.
async fn speech(
    State(server): State<Arc<Server>>,
    endpoint: Endpoint,
    method: Method,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let method = HttpMethod::from_name_or_other(method.as_str());
    let mut outcome = Outcome {
        endpoint,
        method,
        code: Code::ClientClosed,
        started: server.clock.now(),
        clock: &server.clock,
    };
    let Some(_slot) = Slot::take(&server.free_slots) else {
        outcome.code = Code::Busy;
        return answer(Code::Busy, "busy\n");
    };
    let _inflight = InFlight::enter(endpoint);
    let code = serve_speech(&server, endpoint, method, &headers, body).await;
    // A code to answer with: the outcome is that code. None: the client
    // left, and nothing is answered.
    match code {
        Some(code) => {
            outcome.code = code;
            answer(code, "\n")
        }
        None => answer(Code::ClientClosed, "\n"),
    }
}

/// The checks, the body and the simulated upstream of a speech request;
/// `None` if the client left first.
async fn serve_speech(
    server: &Server,
    endpoint: Endpoint,
    method: HttpMethod,
    headers: &HeaderMap,
    body: Body,
) -> Option<Code> {
    let header_text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    if method != HttpMethod::Post {
        return Some(Code::MethodNotAllowed);
    }
    let content_length: usize = header_text("content-length").parse().unwrap_or(0);
    if content_length > MAX_BODY {
        Gateway::rejected_total(endpoint, RejectReason::TooLarge).inc();
        return Some(Code::TooLarge);
    }
    let content_type = header_text("content-type").to_ascii_lowercase();
    let type_ok = match endpoint {
        Endpoint::Tts => content_type.starts_with("text/plain"),
        Endpoint::Stt => content_type.starts_with("audio/"),
    };
    if !type_ok {
        Gateway::rejected_total(endpoint, RejectReason::BadContentType).inc();
        return Some(Code::UnsupportedMediaType);
    }
    // The body; a client that leaves halfway gets no answer (499).
    let body = axum::body::to_bytes(body, MAX_BODY).await.ok()?;
    // The simulated upstream.
    let upstream_ms = header_text("x-upstream-ms").parse().unwrap_or(0);
    let upstream_started = server.clock.now();
    server.clock.wait(Duration::from_millis(upstream_ms)).await;
    Gateway::upstream_duration(endpoint).observe_duration(server.clock.now() - upstream_started);
    if body.windows(4).any(|w| w == b"fail") {
        Gateway::rejected_total(endpoint, RejectReason::UpstreamError).inc();
        return Some(Code::BadGateway);
    }
    Some(Code::Ok)
}

/// Serves on `address` on a runtime of its own thread, for at most
/// `serve_for`; returns the bound address.
fn start(address: &str, slots: usize, clock: Clock, serve_for: Duration) -> std::net::SocketAddr {
    let listener = std::net::TcpListener::bind(address).unwrap_or_else(|e| {
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
    let app = Router::new()
        .route("/tts", any(tts))
        .route("/stt", any(stt))
        // Outside the limit: the limit is taken in the speech handlers.
        .route_service("/metrics", MetricsService::new())
        .with_state(server);
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        runtime.block_on(async move {
            listener
                .set_nonblocking(true)
                .expect("a non-blocking listener");
            let listener = tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
            // Bounded: the server stops after `serve_for`.
            let _ = tokio::time::timeout(serve_for, axum::serve(listener, app)).await;
        });
    });
    addr
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
        let clock = Clock::Manual(Arc::new(AtomicU64::new(0)));
        let addr = start("127.0.0.1:0", 4, clock, Duration::from_secs(60));
        scripted(addr);
        print!("{}", enumeter::render(format));
        return;
    }
    let address = common::serve_address(&args, "127.0.0.1:9897");
    let slots = std::env::var("GATEWAY_SLOTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let serve_for = common::serve_for();
    let addr = start(&address, slots, Clock::Real(Instant::now()), serve_for);
    println!("serving http://{addr}/metrics");
    std::thread::sleep(serve_for);
}
