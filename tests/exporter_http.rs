//! The `/metrics` server over real sockets on 127.0.0.1: negotiation,
//! methods, paths, limits, timeouts, auth, gzip, overload and shutdown.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use enumeter::{
    metrics, Cells, Counter, Exporter, ExporterHandle, Format, Group, Metric, MetricDesc, Registry,
};

/// Exporter test metrics.
#[metrics(namespace = "web")]
pub enum Web {
    /// Requests served.
    #[counter]
    RequestsTotal,
}

/// A registry of its own, with one value recorded once.
fn registry() -> Arc<Registry<'static>> {
    static WEB: WebMetrics = WebMetrics::new();
    static REGISTRY: OnceLock<Arc<Registry<'static>>> = OnceLock::new();
    Arc::clone(REGISTRY.get_or_init(|| {
        WEB.requests_total().add(7);
        Arc::new(Registry::new().with(&WEB))
    }))
}

fn start(configure: impl FnOnce(Exporter) -> Exporter) -> ExporterHandle {
    configure(Exporter::new().address("127.0.0.1:0").registry(registry()))
        .start()
        .expect("binds a free port on 127.0.0.1")
}

/// Sends `request` as is and returns the whole response.
fn exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    response
}

fn split(response: &[u8]) -> (String, Vec<u8>) {
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head")
        + 4;
    (
        String::from_utf8(response[..end].to_vec()).unwrap(),
        response[end..].to_vec(),
    )
}

fn get(addr: SocketAddr, headers: &str) -> (String, Vec<u8>) {
    split(&exchange(
        addr,
        format!("GET /metrics HTTP/1.1\r\nHost: x\r\n{headers}\r\n").as_bytes(),
    ))
}

#[test]
fn get_serves_the_prometheus_text_format_by_default() {
    let exporter = start(|e| e);
    let (head, body) = get(exporter.local_addr(), "");
    let expected = registry().render(Format::Prometheus);
    assert_eq!(
        head,
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            expected.len()
        )
    );
    assert_eq!(String::from_utf8(body).unwrap(), expected);
    exporter.shutdown();
}

#[test]
fn openmetrics_is_served_when_the_client_prefers_it() {
    let exporter = start(|e| e);
    let prometheus_2_accept = "Accept: application/openmetrics-text;version=1.0.0,\
        application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n";
    let (head, body) = get(exporter.local_addr(), prometheus_2_accept);
    assert!(
        head.contains(
            "Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8; \
             escaping=underscores\r\n"
        ),
        "{head}"
    );
    let body = String::from_utf8(body).unwrap();
    assert_eq!(body, registry().render(Format::OpenMetrics));
    assert!(body.ends_with("# EOF\n"));
    let (head, _) = get(
        exporter.local_addr(),
        "Accept: text/plain;version=0.0.4\r\n",
    );
    assert!(head.contains("version=0.0.4"), "{head}");
}

#[test]
fn head_answers_with_headers_only() {
    let exporter = start(|e| e);
    let response = exchange(exporter.local_addr(), b"HEAD /metrics HTTP/1.1\r\n\r\n");
    let (head, body) = split(&response);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"));
    let length = registry().render(Format::Prometheus).len();
    assert!(
        head.contains(&format!("Content-Length: {length}\r\n")),
        "{head}"
    );
    assert!(body.is_empty());
}

#[test]
fn other_paths_methods_and_malformed_requests_get_their_status() {
    let exporter = start(|e| e);
    let addr = exporter.local_addr();
    let status = |request: &[u8]| {
        let response = exchange(addr, request);
        String::from_utf8_lossy(&response)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(
        status(b"GET /other HTTP/1.1\r\n\r\n"),
        "HTTP/1.1 404 Not Found"
    );
    assert_eq!(
        status(b"GET /metrics/ HTTP/1.1\r\n\r\n"),
        "HTTP/1.1 404 Not Found"
    );
    let post = exchange(addr, b"POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    let (head, _) = split(&post);
    assert!(
        head.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
        "{head}"
    );
    assert!(head.contains("\r\nAllow: GET, HEAD\r\n"), "{head}");
    assert_eq!(
        status(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"),
        "HTTP/1.1 400 Bad Request"
    );
    assert_eq!(
        status(b"GET /metrics HTTP/9.9\r\n\r\n"),
        "HTTP/1.1 400 Bad Request"
    );
    let long_line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(10_000));
    assert_eq!(status(long_line.as_bytes()), "HTTP/1.1 414 URI Too Long");
    let big_head = format!(
        "GET /metrics HTTP/1.1\r\nX-Big: {}\r\n\r\n",
        "b".repeat(20_000)
    );
    assert_eq!(
        status(big_head.as_bytes()),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    // The server still answers normally after all that.
    assert!(get(addr, "").0.starts_with("HTTP/1.1 200 OK\r\n"));
}

#[test]
fn a_client_that_stops_sending_gets_408_after_the_deadline() {
    let exporter = start(|e| e.timeouts(Duration::from_millis(500), Duration::from_secs(5)));
    let mut stream = TcpStream::connect(exporter.local_addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(b"GET /metrics HTTP/1.1\r\nHost:").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.1 408 Request Timeout\r\n"),
        "{response}"
    );
}

#[test]
fn bearer_auth_rejects_missing_and_wrong_tokens() {
    let exporter = start(|e| e.bearer_token("t0ken"));
    let addr = exporter.local_addr();
    for headers in [
        "",
        "Authorization: Bearer nope\r\n",
        "Authorization: Basic dDBrZW4=\r\n",
    ] {
        let asked = std::time::Instant::now();
        let (head, _) = get(addr, headers);
        assert!(
            head.starts_with("HTTP/1.1 401 Unauthorized\r\n"),
            "{headers}: {head}"
        );
        assert!(
            head.contains("\r\nWWW-Authenticate: Bearer realm=\"metrics\"\r\n"),
            "{head}"
        );
        // Held back a second, so that guessing costs time.
        assert!(
            asked.elapsed() >= std::time::Duration::from_secs(1),
            "{headers}"
        );
    }
    // Unauthenticated requests learn nothing about paths either.
    let other = exchange(addr, b"GET /other HTTP/1.1\r\n\r\n");
    assert!(other.starts_with(b"HTTP/1.1 401 "));
    let (head, _) = get(addr, "Authorization: Bearer t0ken\r\n");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
}

#[test]
fn basic_auth_admits_only_the_configured_user_and_password() {
    let exporter = start(|e| e.basic_auth("prometheus", "s3cret"));
    let addr = exporter.local_addr();
    // base64("prometheus:s3cret") and base64("prometheus:wrong").
    let (ok, _) = get(addr, "Authorization: Basic cHJvbWV0aGV1czpzM2NyZXQ=\r\n");
    assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
    let (wrong, _) = get(addr, "Authorization: Basic cHJvbWV0aGV1czp3cm9uZw==\r\n");
    assert!(
        wrong.starts_with("HTTP/1.1 401 Unauthorized\r\n"),
        "{wrong}"
    );
}

#[test]
fn gzip_is_sent_to_clients_that_accept_it() {
    let exporter = start(|e| e);
    let (head, body) = get(exporter.local_addr(), "Accept-Encoding: gzip\r\n");
    assert!(head.contains("\r\nContent-Encoding: gzip\r\n"), "{head}");
    let mut plain = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut plain)
        .unwrap();
    assert_eq!(plain, registry().render(Format::Prometheus));
    let (head, _) = get(exporter.local_addr(), "Accept-Encoding: gzip;q=0\r\n");
    assert!(!head.contains("Content-Encoding"), "{head}");
}

/// A group whose render waits while the test keeps the gate closed, or
/// panics when told to: a render that takes as long as the test wants. The
/// gate starts open (a registry visits its groups when they register).
struct Gated {
    desc: &'static MetricDesc,
    cells: [Counter; 1],
    open: Mutex<bool>,
    opened: Condvar,
    panic: AtomicBool,
    /// Renders waiting at the closed gate.
    waiting: AtomicUsize,
}

impl Gated {
    fn new() -> &'static Gated {
        Box::leak(Box::new(Gated {
            desc: Box::leak(Box::new(MetricDesc::new(
                "gated_total",
                "Rendered once the gate opens.",
                &[],
            ))),
            cells: [Counter::new()],
            open: Mutex::new(true),
            opened: Condvar::new(),
            panic: AtomicBool::new(false),
            waiting: AtomicUsize::new(0),
        }))
    }

    fn open(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }

    fn close(&self) {
        *self.open.lock().unwrap() = false;
    }
}

/// Opens the gate when dropped: a failed assertion must not leave a worker
/// waiting at it, which would hold the exporter's shutdown.
struct OpenOnDrop(&'static Gated);

impl Drop for OpenOnDrop {
    fn drop(&mut self) {
        self.0.open();
    }
}

impl Group for Gated {
    fn name(&self) -> &'static str {
        "gated"
    }

    fn visit<'a>(&'a self, visitor: &mut dyn FnMut(Metric<'a>)) {
        assert!(!self.panic.load(Ordering::SeqCst), "a render that panics");
        let mut open = self.open.lock().unwrap();
        if !*open {
            self.waiting.fetch_add(1, Ordering::SeqCst);
        }
        while !*open {
            open = self.opened.wait(open).unwrap();
        }
        visitor(Metric::new(self.desc, Cells::Counter(&self.cells)));
    }
}

/// Sends a complete request; the answer is read later.
fn send(addr: SocketAddr, request: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    stream
}

/// Waits (at most 10 s) until the server at `server` has read everything
/// `client` sent: the receive queue of the server's end of the connection,
/// in `/proc/net/tcp`, is empty.
fn wait_until_read(server: SocketAddr, client: &TcpStream) {
    // `/proc/net/tcp` writes an IPv4 address as the little-endian hex of
    // its 32 bits, a colon, and the port in hex.
    let hex = |a: SocketAddr| match a {
        SocketAddr::V4(a) => format!(
            "{:08X}:{:04X}",
            u32::from_le_bytes(a.ip().octets()),
            a.port()
        ),
        SocketAddr::V6(_) => panic!("IPv4 only"),
    };
    let (local, remote) = (hex(server), hex(client.local_addr().unwrap()));
    let unread = || -> Option<u64> {
        let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
        table.lines().skip(1).find_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            (fields.get(1) == Some(&local.as_str()) && fields.get(2) == Some(&remote.as_str()))
                .then(|| u64::from_str_radix(fields.get(4)?.split(':').nth(1)?, 16).ok())
                .flatten()
        })
    };
    let until = Instant::now() + Duration::from_secs(10);
    while unread() != Some(0) {
        assert!(
            Instant::now() < until,
            "the exporter did not read the request within 10 s"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn read_all(mut stream: TcpStream) -> String {
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

#[test]
fn complete_requests_beyond_workers_and_queue_get_503_the_oldest_first() {
    // No other test of this file fills its exporter's queue.
    let queue_full = || {
        enumeter_suite::support::own_counter(
            "enumeter_exporter_refusals_total",
            &[("reason", "queue_full")],
        )
    };
    let queue_full_before = queue_full();
    let gated = Gated::new();
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .registry(Arc::new(Registry::new().with(gated)))
        .workers(1)
        .queue(1)
        .start()
        .unwrap();
    gated.close();
    let _open = OpenOnDrop(gated);
    let addr = exporter.local_addr();
    let request = b"GET /metrics HTTP/1.1\r\n\r\n";
    // The one worker takes the first request and waits at the gate; the
    // second waits in the worker's queue (one per worker), the third in
    // the queue of `queue(1)`.
    let rendering = send(addr, request);
    // Until the worker waits at the gate (bounded).
    let until = Instant::now() + Duration::from_secs(10);
    while gated.waiting.load(Ordering::SeqCst) == 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(gated.waiting.load(Ordering::SeqCst), 1);
    // Each next request only once the exporter has read the one before
    // (which it queues as it reads it), so that they queue in this order.
    let handed = send(addr, request);
    wait_until_read(addr, &handed);
    let oldest_waiting = send(addr, request);
    wait_until_read(addr, &oldest_waiting);
    // A fourth: the queue is full, and the oldest waiting gives way.
    let newest = send(addr, request);
    assert!(
        read_all(oldest_waiting).starts_with("HTTP/1.1 503 Service Unavailable\r\n"),
        "the oldest waiting request is refused"
    );
    assert_eq!(queue_full() - queue_full_before, 1, "counted once");
    gated.open();
    for (name, stream) in [
        ("rendering", rendering),
        ("handed", handed),
        ("newest", newest),
    ] {
        let response = read_all(stream);
        assert!(
            response.starts_with("HTTP/1.1 200 OK\r\n"),
            "{name}: {response}"
        );
        assert!(response.ends_with("gated_total 0\n"), "{name}: {response}");
    }
    assert!(exporter.health().is_healthy());
}

#[test]
fn a_render_that_panics_is_answered_500_counted_and_the_worker_serves_on() {
    let failures = || {
        enumeter_suite::support::own_counter(
            "enumeter_exporter_failures_total",
            &[("failure", "render_panic")],
        )
    };
    let gated = Gated::new();
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .registry(Arc::new(Registry::new().with(gated)))
        .workers(1)
        .start()
        .unwrap();
    let before = failures();
    gated.panic.store(true, Ordering::SeqCst);
    let (head, _) = get(exporter.local_addr(), "");
    assert!(
        head.starts_with("HTTP/1.1 500 Internal Server Error\r\n"),
        "{head}"
    );
    assert_eq!(failures() - before, 1);
    let health = exporter.health();
    assert_eq!(
        (health.serving, health.workers, health.failures),
        (true, 1, 1)
    );
    gated.panic.store(false, Ordering::SeqCst);
    let (head, body) = get(exporter.local_addr(), "");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert_eq!(body, b"# HELP gated_total Rendered once the gate opens.\n# TYPE gated_total counter\ngated_total 0\n");
    // The default registry shows the failure too, once an exporter ran.
    let text = enumeter::render(Format::Prometheus);
    assert!(
        text.contains("enumeter_exporter_failures_total{failure=\"render_panic\"} "),
        "{text}"
    );
}

#[test]
fn every_option_out_of_range_is_refused_by_start_with_its_name_and_range() {
    let refused = |configure: fn(Exporter) -> Exporter| {
        let error = configure(Exporter::new().address("127.0.0.1:0"))
            .start()
            .expect_err("refused");
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{error}");
        error.to_string()
    };
    assert_eq!(
        refused(|e| e.workers(0)),
        "exporter option `workers` is 0; accepted: 1 to 1024"
    );
    assert_eq!(
        refused(|e| e.workers(1_000_000)),
        "exporter option `workers` is 1000000; accepted: 1 to 1024"
    );
    assert_eq!(
        refused(|e| e.queue(usize::MAX)),
        format!(
            "exporter option `queue` is {}; accepted: 0 to 65536",
            usize::MAX
        )
    );
    assert_eq!(
        refused(|e| e.max_pending(0)),
        "exporter option `max_pending` is 0; accepted: 1 to 65536"
    );
    assert_eq!(
        refused(|e| e.max_responses(0)),
        "exporter option `max_responses` is 0; accepted: 1 to 65536"
    );
    assert_eq!(
        refused(|e| e.timeouts(Duration::MAX, Duration::from_secs(5))),
        format!(
            "exporter option `timeouts` (head) is {:?}; accepted: 1ms to 3600s",
            Duration::MAX
        )
    );
    assert_eq!(
        refused(|e| e.timeouts(Duration::from_secs(5), Duration::ZERO)),
        "exporter option `timeouts` (response) is 0ns; accepted: 1ms to 3600s"
    );
    assert_eq!(
        refused(|e| e.path("metrics")),
        "exporter option `path` is \"metrics\"; accepted: `/` and then visible ASCII, 1 to 1,024 bytes"
    );
    assert!(refused(|e| e.path("/a b")).starts_with("exporter option `path`"));
    let bearer = "exporter option `bearer_token`: accepted: one or more visible ASCII characters";
    assert_eq!(refused(|e| e.bearer_token("")), bearer);
    assert_eq!(refused(|e| e.bearer_token("a\nb")), bearer);
    let basic = "exporter option `basic_auth`: accepted: a user without `:` and a password, \
                 neither with control characters";
    assert_eq!(refused(|e| e.basic_auth("a:b", "c")), basic);
    assert_eq!(refused(|e| e.basic_auth("a", "c\r")), basic);
    let error = Exporter::new()
        .address("not an address")
        .start()
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{error}");
    let message = error.to_string();
    assert!(
        message.starts_with("exporter option `address`: `not an address` is not an address: "),
        "{message}"
    );
    // The boundaries themselves are accepted.
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .workers(1)
        .queue(0)
        .max_pending(1)
        .max_responses(1)
        .timeouts(Duration::from_millis(1), Duration::from_secs(3600))
        .start()
        .unwrap();
    assert!(exporter.health().serving);
}

#[test]
fn when_too_many_clients_are_still_sending_the_longest_waiting_gives_way() {
    let exporter = start(|e| e.max_pending(4));
    let addr = exporter.local_addr();
    let mut oldest = TcpStream::connect(addr).unwrap();
    oldest.write_all(b"GET /metr").unwrap();
    // Admitted, its first bytes read, before the others come.
    wait_until_read(addr, &oldest);
    let _others: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(addr).unwrap()).collect();
    // The fifth pending connection pushed the oldest out: it is closed.
    oldest
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut rest = Vec::new();
    assert_eq!(oldest.read_to_end(&mut rest).unwrap(), 0);
    // A client that sends its request at once is still served.
    assert!(get(addr, "").0.starts_with("HTTP/1.1 200 OK\r\n"));
}

#[test]
fn shutdown_stops_serving_and_frees_the_port() {
    let exporter = start(|e| e);
    let addr = exporter.local_addr();
    exporter.shutdown();
    assert!(TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_err());
}

#[test]
fn the_default_registry_is_served_without_configuration() {
    let exporter = Exporter::new().address("127.0.0.1:0").start().unwrap();
    Web::requests_total().inc();
    let (_, body) = get(exporter.local_addr(), "");
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("web_requests_total 1\n"), "{body}");
    assert!(
        body.contains("enumeter_observations_dropped_total"),
        "{body}"
    );
}
