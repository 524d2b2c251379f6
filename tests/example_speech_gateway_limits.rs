//! The speech gateway example's `/metrics` stays scrapable while every
//! request slot is taken, and requests whose clients leave count as `499`.

use enumeter_suite::support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn metric(addr: &str, series: &str) -> Option<f64> {
    let (status, body) = support::http_get(addr, "/metrics").ok()?;
    assert_eq!(status, 200);
    body.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn metrics_answer_while_every_slot_is_held_and_abandoned_requests_count_as_499() {
    let (_gateway, addr) = support::serve_example("speech_gateway", 60);
    // Take all 4 slots with requests whose bodies never finish arriving.
    let held: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut stream = TcpStream::connect(&addr).unwrap();
            stream
                .write_all(b"POST /tts HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nhel")
                .unwrap();
            stream
        })
        .collect();
    let inflight = "gateway_inflight_requests{endpoint=\"tts\"}";
    let deadline = Instant::now() + Duration::from_secs(10);
    while metric(&addr, inflight) != Some(4.0) {
        assert!(Instant::now() < deadline, "slots never all taken");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Every slot is taken, yet /metrics answered above, and a fifth request
    // is turned away at once.
    let mut fifth = TcpStream::connect(&addr).unwrap();
    fifth
        .write_all(b"POST /tts HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi")
        .unwrap();
    fifth
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut answer = String::new();
    fifth.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");

    // The held clients leave without their answers: 499, never 200.
    drop(held);
    let gone = "gateway_requests_total{endpoint=\"tts\",method=\"POST\",code=\"499\"}";
    let deadline = Instant::now() + Duration::from_secs(10);
    while metric(&addr, gone) != Some(4.0) {
        assert!(Instant::now() < deadline, "abandoned requests not counted");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(metric(&addr, inflight), Some(0.0));
    assert_eq!(
        metric(
            &addr,
            "gateway_requests_total{endpoint=\"tts\",method=\"POST\",code=\"200\"}"
        ),
        Some(0.0)
    );
    assert_eq!(
        metric(
            &addr,
            "gateway_requests_total{endpoint=\"tts\",method=\"POST\",code=\"503\"}"
        ),
        Some(1.0)
    );
}
