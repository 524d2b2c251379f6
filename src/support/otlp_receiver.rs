//! An OTLP/HTTP receiver written for the tests: it decodes every request
//! with the OTLP message types and answers as a test says (no real
//! receiver here gives every answer on demand, or keeps what it was sent
//! as sent).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use enumeter_proto::otlp::ExportMetricsServiceRequest;
use prost::Message;

/// One answer: status, extra header lines, body.
pub type Answer = (u16, &'static str, Vec<u8>);

/// What the receiver was sent, in order, with when and what it answered.
pub struct Received {
    /// When it arrived.
    pub at: Instant,
    /// What the receiver answered.
    pub status: u16,
    /// The request's head.
    pub headers: String,
    /// The request, decoded as OTLP (empty where it is not OTLP).
    pub request: ExportMetricsServiceRequest,
    /// The body, decompressed (gzip or snappy): a remote write request.
    pub body: Vec<u8>,
}

/// A receiver on 127.0.0.1 that answers the `n`th request (from 0) with
/// `answer(n)` and keeps every request; stopped when dropped.
pub struct Receiver {
    /// Where it listens: `http://127.0.0.1:PORT`.
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    /// Starts it; `answer(n)` is its answer to the `n`th request.
    pub fn start(answer: impl Fn(usize) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let answer = Arc::new(answer);
        let thread = {
            let (received, stop) = (Arc::clone(&received), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut connections = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (received, stop, answer) = (
                                Arc::clone(&received),
                                Arc::clone(&stop),
                                Arc::clone(&answer),
                            );
                            connections.push(std::thread::spawn(move || {
                                serve(stream, &received, &stop, &*answer)
                            }));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(2)),
                    }
                }
                for c in connections {
                    let _ = c.join();
                }
            })
        };
        Self {
            url,
            received,
            stop,
            thread: Some(thread),
        }
    }

    /// What it was sent, in order.
    pub fn received(&self) -> std::sync::MutexGuard<'_, Vec<Received>> {
        self.received.lock().unwrap()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers the requests of one connection until it closes or the
/// receiver stops (reads time out every 100 ms to look).
fn serve(
    stream: TcpStream,
    received: &Mutex<Vec<Received>>,
    stop: &AtomicBool,
    answer: &(dyn Fn(usize) -> Answer + Send + Sync),
) {
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    while !stop.load(Ordering::Relaxed) {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) => return,
                Ok(_) => {
                    head.push_str(&line);
                    if line == "\r\n" {
                        break;
                    }
                }
                Err(_) if stop.load(Ordering::Relaxed) => return,
                Err(_) if head.is_empty() => continue,
                Err(_) => continue,
            }
        }
        let header = |name: &str| {
            head.lines()
                .find_map(|l| {
                    let (n, v) = l.split_once(':')?;
                    n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                })
                .unwrap_or_default()
        };
        let length: usize = header("content-length").parse().unwrap();
        let mut body = vec![0; length];
        let mut read = 0;
        while read < length {
            match reader.read(&mut body[read..]) {
                Ok(0) => return,
                Ok(n) => read += n,
                Err(_) if stop.load(Ordering::Relaxed) => return,
                Err(_) => continue,
            }
        }
        if header("content-encoding") == "gzip" {
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(&body[..])
                .read_to_end(&mut plain)
                .unwrap();
            body = plain;
        } else if header("content-encoding") == "snappy" {
            body = snap::raw::Decoder::new().decompress_vec(&body).unwrap();
        }
        // An OTLP request, or (remote write) whatever the test decodes
        // from `body`.
        let request = ExportMetricsServiceRequest::decode(body.as_slice()).unwrap_or_default();
        let mut received = received.lock().unwrap();
        let (status, extra, answer_body) = answer(received.len());
        received.push(Received {
            at: Instant::now(),
            status,
            headers: head.clone(),
            request,
            body,
        });
        drop(received);
        let _ = write!(
            writer,
            "HTTP/1.1 {status} X\r\n{extra}Content-Type: application/x-protobuf\r\n\
             Content-Length: {}\r\n\r\n",
            answer_body.len()
        );
        let _ = writer.write_all(&answer_body);
    }
}
