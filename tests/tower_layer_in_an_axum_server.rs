//! The tower layer and the `/metrics` service in a real axum 0.8 server on
//! 127.0.0.1, driven by a real HTTP client over TCP: plain, streamed,
//! unmatched and aborted requests, each counted exactly once with its
//! method, status class and route; a request whose client leaves before
//! the response is over counts as 499 (`4xx`); the in-flight gauge returns
//! to zero; `/metrics` answers on the application's own port.

use enumeter_suite::support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use enumeter::tower::{HttpMethod, MetricsService, RequestMetricsLayer, StatusClass};
use enumeter::{http_server_metrics, LabelValue};
use http_body::Frame;

/// The test server's routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Route {
    Plain,
    Stream,
    Slow,
    Metrics,
    #[label(other)]
    Other,
}

http_server_metrics!(pub Web, route = Route);

fn route_of<B>(request: &http::Request<B>) -> Route {
    match request.uri().path() {
        "/plain" => Route::Plain,
        "/stream" => Route::Stream,
        "/slow" => Route::Slow,
        "/metrics" => Route::Metrics,
        _ => Route::Other,
    }
}

/// A body of three chunks, 100 ms apart.
struct Chunks {
    next: u8,
    sleep: Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.next == 3 {
            return Poll::Ready(None);
        }
        if self.next > 0 {
            if self.sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let deadline = tokio::time::Instant::now() + Duration::from_millis(100);
            self.sleep.as_mut().reset(deadline);
        }
        self.next += 1;
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(format!(
            "chunk {}\n",
            self.next
        ))))))
    }
}

use std::future::Future;

async fn stream() -> axum::body::Body {
    axum::body::Body::new(Chunks {
        next: 0,
        sleep: Box::pin(tokio::time::sleep(Duration::from_millis(100))),
    })
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(3)).await;
    "late"
}

/// Starts the server on a thread of its own; returns its address.
fn serve() -> String {
    let app = Router::new()
        .route("/plain", get(|| async { "hello" }))
        .route("/stream", get(stream))
        .route("/slow", get(slow))
        .route_service("/metrics", MetricsService::new())
        .route_service(
            "/private/metrics",
            MetricsService::builder()
                .bearer_token("s3cret")
                .build()
                .expect("a valid token"),
        )
        .layer(RequestMetricsLayer::<Web, _>::new(
            route_of::<axum::body::Body>,
        ));
    support::servers::serve_axum(app, 60)
}

fn count(route: Route, status: StatusClass) -> u64 {
    Web::requests_total(HttpMethod::Get, status, route).get()
}

/// Waits (bounded) until the server has recorded `expected` for `route`:
/// the client may read the last byte before the server counts it.
fn wait_count(route: Route, status: StatusClass, expected: u64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while count(route, status) != expected && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(count(route, status), expected, "{route:?} {status:?}");
}

#[test]
fn requests_are_counted_once_with_their_route_and_status_and_aborted_ones_as_499() {
    let addr = serve();

    for _ in 0..3 {
        let (status, body) = support::http_get(&addr, "/plain").unwrap();
        assert_eq!((status, body.as_str()), (200, "hello"));
    }
    let (status, _) = support::http_get(&addr, "/no/such/route").unwrap();
    assert_eq!(status, 404);
    let started = Instant::now();
    let (status, body) = support::http_get(&addr, "/stream").unwrap();
    assert_eq!(
        (status, body.as_str()),
        (200, "chunk 1\nchunk 2\nchunk 3\n")
    );
    assert!(started.elapsed() >= Duration::from_millis(200));

    // A client that leaves while the handler still works.
    let mut leaving = TcpStream::connect(&addr).unwrap();
    leaving
        .write_all(b"GET /slow HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    // In flight once the server has taken the request (bounded).
    let in_flight = || Web::requests_in_flight(HttpMethod::Get, Route::Slow).get();
    let until = Instant::now() + Duration::from_secs(10);
    while in_flight() == 0 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(in_flight(), 1);
    drop(leaving);

    // A client that leaves after the first chunk of a streamed body.
    let mut reader = TcpStream::connect(&addr).unwrap();
    reader
        .write_all(b"GET /stream HTTP/1.1\r\nHost: test\r\n\r\n")
        .unwrap();
    let mut first = [0u8; 64];
    let n = reader.read(&mut first).unwrap();
    assert!(n > 0 && first.starts_with(b"HTTP/1.1 200"));
    drop(reader);

    wait_count(Route::Plain, StatusClass::Success, 3);
    wait_count(Route::Other, StatusClass::ClientError, 1);
    wait_count(Route::Slow, StatusClass::ClientError, 1);
    wait_count(Route::Stream, StatusClass::Success, 1);
    wait_count(Route::Stream, StatusClass::ClientError, 1);
    assert_eq!(count(Route::Slow, StatusClass::Success), 0);

    // Durations: the streamed body took its 200 ms; the plain ones did not.
    let streamed =
        Web::request_duration(HttpMethod::Get, StatusClass::Success, Route::Stream).snapshot();
    assert_eq!(streamed.count(), 1);
    assert!(streamed.sum >= 0.2, "{}", streamed.sum);
    let plain =
        Web::request_duration(HttpMethod::Get, StatusClass::Success, Route::Plain).snapshot();
    assert_eq!(plain.count(), 3);

    // /metrics on the same port, negotiated like the exporter's.
    let (status, head, text) = support::http_get_with(
        &addr,
        "/metrics",
        "Accept: application/openmetrics-text; version=1.0.0\r\n",
    )
    .unwrap();
    assert_eq!(status, 200);
    assert!(head
        .to_ascii_lowercase()
        .contains("content-type: application/openmetrics-text"));
    assert!(
        text.contains(
            "http_server_requests_total{method=\"get\",status=\"2xx\",route=\"plain\"} 3\n"
        ),
        "{text}"
    );
    assert!(text.ends_with("# EOF\n"));
    // Gzip for a client that accepts it, as the exporter does.
    let (status, head, gzipped) =
        support::http_request_bytes(&addr, "GET", "/metrics", "Accept-Encoding: gzip\r\n").unwrap();
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase().contains("content-encoding: gzip"),
        "{head}"
    );
    // The body decompresses to the exposition.
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gzipped[..]), &mut text)
        .unwrap();
    assert!(text.starts_with("# HELP "), "{text}");
    assert!(
        text.contains(
            "http_server_requests_total{method=\"get\",status=\"2xx\",route=\"plain\"} 3\n"
        ),
        "{text}"
    );
    // Credentials, compared like the exporter's.
    let (status, head, _) = support::http_get_with(&addr, "/private/metrics", "").unwrap();
    assert_eq!(status, 401);
    assert!(
        head.to_ascii_lowercase()
            .contains("www-authenticate: bearer"),
        "{head}"
    );
    let (status, _, _) = support::http_get_with(
        &addr,
        "/private/metrics",
        "Authorization: Bearer s3cret\r\n",
    )
    .unwrap();
    assert_eq!(status, 200);

    for route in Route::all() {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Web::requests_in_flight(HttpMethod::Get, route).get() != 0
            && Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(
            Web::requests_in_flight(HttpMethod::Get, route).get(),
            0,
            "{route:?}"
        );
    }
}
