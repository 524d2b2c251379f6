//! The exporter under abuse, on 127.0.0.1, bounded in count and time:
//! hundreds of idle connections, clients trickling their heads a byte at a
//! time, oversized request lines and headers, binary garbage, wrong methods,
//! half-closed sockets and clients that leave without reading. Meanwhile a
//! normal scrape must be answered `200` within 1 s every time, the
//! exporter's thread count must not move and memory must stay bounded.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use enumeter::{metrics, Exporter};

/// Abuse test metrics.
#[metrics(namespace = "abuse")]
pub enum Abuse {
    /// Scrapes answered.
    #[counter]
    ScrapesTotal,
}

/// `Threads:` and `VmRSS:` (kB) of this process, from /proc.
fn threads_and_rss() -> (usize, usize) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("Threads:"), field("VmRSS:"))
}

/// Threads whose name starts with `enumeter-http`.
fn exporter_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|tasks| {
            tasks
                .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
                .filter(|name| name.starts_with("enumeter-http"))
                .count()
        })
        .unwrap_or(0)
}

fn scrape(addr: SocketAddr) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n")
        .unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let status = String::from_utf8_lossy(&response)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned();
    (status, started.elapsed())
}

/// Sends `bytes` on a fresh connection and closes it without reading.
fn fire(addr: SocketAddr, bytes: &[u8]) {
    if let Ok(mut stream) = TcpStream::connect(addr) {
        let _ = stream.write_all(bytes);
    }
}

#[test]
fn scrapes_are_answered_within_a_second_while_clients_misbehave() {
    let exporter = Exporter::new().address("127.0.0.1:0").start().unwrap();
    let addr = exporter.local_addr();
    Abuse::scrapes_total().inc();
    assert!(scrape(addr).0.starts_with("HTTP/1.1 200"));
    let exporter_threads_before = exporter_threads();
    let (_, rss_before) = threads_and_rss();

    let stop = AtomicBool::new(false);
    let sent = AtomicUsize::new(0);
    let mut scrapes = 0;
    let mut slowest = Duration::ZERO;
    let mut peak_rss = rss_before;
    let mut peak_exporter_threads = 0;
    std::thread::scope(|s| {
        // 200 connections that never send anything.
        s.spawn(|| {
            let idle: Vec<TcpStream> = (0..200)
                .filter_map(|_| TcpStream::connect(addr).ok())
                .collect();
            sent.fetch_add(idle.len(), Ordering::Relaxed);
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
            }
            drop(idle);
        });
        // 40 clients trickling a head one byte every 50 ms.
        s.spawn(|| {
            let head = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: yes\r\n\r\n";
            let mut slow: Vec<TcpStream> = (0..40)
                .filter_map(|_| TcpStream::connect(addr).ok())
                .collect();
            let mut at = 0;
            while !stop.load(Ordering::Relaxed) {
                for stream in &mut slow {
                    let _ = stream.write_all(&head[at % head.len()..at % head.len() + 1]);
                }
                at += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        // Bursts of malformed, oversized, unwelcome and abandoned requests.
        s.spawn(|| {
            let long_line = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(64 * 1024));
            let big_header = format!(
                "GET /metrics HTTP/1.1\r\nX: {}\r\n\r\n",
                "b".repeat(64 * 1024)
            );
            let mut state = 0x1234_5678_9ABC_DEF0u64;
            let mut round = 0;
            while !stop.load(Ordering::Relaxed) && round < 100 {
                fire(addr, long_line.as_bytes());
                fire(addr, big_header.as_bytes());
                let garbage: Vec<u8> = (0..512)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        state as u8
                    })
                    .collect();
                fire(addr, &garbage);
                fire(addr, b"DELETE /metrics HTTP/1.1\r\n\r\n");
                fire(addr, b"OPTIONS * HTTP/1.1\r\n\r\n");
                // Half-closed: a partial head, then no more writes.
                if let Ok(stream) = TcpStream::connect(addr) {
                    let _ = (&stream).write_all(b"GET /metrics HTTP/1.1\r\nHo");
                    let _ = stream.shutdown(Shutdown::Write);
                }
                // A full request, then gone without reading the answer.
                fire(addr, b"GET /metrics HTTP/1.1\r\n\r\n");
                sent.fetch_add(7, Ordering::Relaxed);
                round += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
        });

        // Normal scrapes every 100 ms for 3 s, each within 1 s.
        let until = Instant::now() + Duration::from_secs(3);
        while Instant::now() < until {
            let (status, took) = scrape(addr);
            assert!(
                status.starts_with("HTTP/1.1 200"),
                "scrape {scrapes}: {status:?}"
            );
            assert!(
                took < Duration::from_secs(1),
                "scrape {scrapes} took {took:?}"
            );
            slowest = slowest.max(took);
            scrapes += 1;
            let (_, rss) = threads_and_rss();
            peak_rss = peak_rss.max(rss);
            peak_exporter_threads = peak_exporter_threads.max(exporter_threads());
            std::thread::sleep(Duration::from_millis(100));
        }
        stop.store(true, Ordering::Relaxed);
    });

    // Fixed threads (2 workers + the front thread), bounded memory.
    assert_eq!(exporter_threads_before, 3);
    assert_eq!(peak_exporter_threads, 3);
    let grew_kb = peak_rss.saturating_sub(rss_before);
    assert!(grew_kb < 64 * 1024, "RSS grew by {grew_kb} kB");
    // And it still serves afterwards.
    assert!(scrape(addr).0.starts_with("HTTP/1.1 200"));
    println!(
        "{} abusive connections; {scrapes} scrapes all 200, slowest {:.1} ms; \
         exporter threads {peak_exporter_threads}; RSS {rss_before} kB -> peak {peak_rss} kB",
        sent.load(Ordering::Relaxed),
        slowest.as_secs_f64() * 1000.0
    );
    exporter.shutdown();
}
