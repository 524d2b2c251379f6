//! The exporter under abuse, on 127.0.0.1, bounded in count and time:
//! hundreds of idle connections, clients trickling their heads a byte at a
//! time, oversized request lines and headers, binary garbage, wrong methods,
//! half-closed sockets and clients that leave without reading; clients that
//! ask for an 8 MB exposition and then read it slowly or not at all; 256
//! clients sending 16 KB heads slowly. Meanwhile a normal scrape must be
//! answered `200` within 1 s every time, the exporter's thread count must not
//! move, memory must stay bounded, each response must end at its deadline and
//! `shutdown()` must return within the response deadline plus a second.
//!
//! Each test prints what it measured (`--nocapture`); RELIABILITY.md
//! quotes those lines. They take turns whatever `--test-threads` says (see
//! `one_attack_at_a_time`): they count the exporter's threads and measure
//! its CPU.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use std::sync::Arc;

use enumeter::{metrics, Cells, Counter, Exporter, Group, LabelDesc, Metric, MetricDesc, Registry};

/// Abuse test metrics.
#[metrics(namespace = "abuse")]
pub enum Abuse {
    /// Scrapes answered.
    #[counter]
    ScrapesTotal,
}

/// Holds every other test of this file off until the caller's guard drops:
/// a second exporter's threads would count as this one's. A test that
/// failed while holding it poisons it, which does not make the others fail.
fn one_attack_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Sets the flag when dropped, also while unwinding from a failed assertion;
/// made inside a `thread::scope` closure, before anything can fail there.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
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

/// The status line of a scrape of `addr` and how long it took.
fn scrape(addr: SocketAddr) -> (String, Duration) {
    let (status, took, _) = scrape_discarding(addr);
    (status, took)
}

/// Sends `bytes` on a fresh connection and closes it without reading.
fn fire(addr: SocketAddr, bytes: &[u8]) {
    if let Ok(mut stream) = TcpStream::connect(addr) {
        let _ = stream.write_all(bytes);
    }
}

#[test]
fn scrapes_are_answered_within_a_second_while_clients_misbehave() {
    let _turn = one_attack_at_a_time();
    let exporter = Exporter::new().address("127.0.0.1:0").start().unwrap();
    let addr = exporter.local_addr();
    Abuse::scrapes_total().inc();
    assert!(scrape(addr).0.starts_with("HTTP/1.1 200"));
    // A thread takes its name when it first runs, and `health()` counts it
    // from its spawn: wait for the names themselves, which are what the
    // counts below read (bounded: a missing thread fails the assertion).
    let until = Instant::now() + Duration::from_secs(5);
    while exporter_threads() < 3 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    let exporter_threads_before = exporter_threads();
    assert_eq!(
        exporter_threads_before, 3,
        "the exporter's threads took their names within 5 s"
    );
    let (_, rss_before) = threads_and_rss();
    let queue_full = || {
        enumeter_suite::support::own_counter(
            "enumeter_exporter_refusals_total",
            &[("reason", "queue_full")],
        )
    };
    let queue_full_before = queue_full();

    let stop = AtomicBool::new(false);
    let sent = AtomicUsize::new(0);
    let mut scrapes = 0;
    let mut slowest = Duration::ZERO;
    let mut peak_rss = rss_before;
    let mut peak_exporter_threads = 0;
    std::thread::scope(|s| {
        // Made in the scope: a failed assertion in it unwinds through
        // this first, which stops the helpers before `scope` waits for
        // them (a guard made outside would wait for ever).
        let _stop_on_unwind = StopOnDrop(&stop);
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
        // 40 clients trickling a head one byte every 50 ms, a head long
        // enough (147 bytes, 7.35 s) that none is complete before the
        // scrapes end: 40 heads completing in one instant would be 40
        // requests at once, past the queue (2 + 2 + 16), and the oldest
        // waiting, a scrape among them, is then rightly answered `503`
        // (`complete_requests_beyond_workers_and_queue_get_503_the_oldest_first`).
        s.spawn(|| {
            let head = format!(
                "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: {}\r\n\r\n",
                "y".repeat(100)
            );
            let head = head.as_bytes();
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
         exporter threads {peak_exporter_threads}; RSS {rss_before} kB -> peak {peak_rss} kB; \
         requests refused for a full queue: {}",
        sent.load(Ordering::Relaxed),
        slowest.as_secs_f64() * 1000.0,
        queue_full() - queue_full_before
    );
    exporter.shutdown();
}

/// A counter with 400 × 400 labelled series: an exposition of about 8 MB.
struct Large {
    desc: &'static MetricDesc,
    cells: Vec<Counter>,
}

impl Group for Large {
    fn name(&self) -> &'static str {
        "large"
    }

    fn visit<'a>(&'a self, visitor: &mut dyn FnMut(Metric<'a>)) {
        visitor(Metric::new(self.desc, Cells::Counter(&self.cells)));
    }
}

fn large_registry() -> Arc<Registry<'static>> {
    let values: &'static [&'static str] = Box::leak(
        (0..400)
            .map(|i| &*Box::leak(format!("value-{i:04}").into_boxed_str()))
            .collect::<Box<[&'static str]>>(),
    );
    let labels: &'static [LabelDesc] = Box::leak(Box::new([
        LabelDesc::new("first", values),
        LabelDesc::new("second", values),
    ]));
    let desc = Box::leak(Box::new(MetricDesc::new(
        "abuse_large_total",
        "Series enough for an 8 MB exposition.",
        labels,
    )));
    let group: &'static Large = Box::leak(Box::new(Large {
        desc,
        cells: (0..160_000).map(|_| Counter::new()).collect(),
    }));
    Arc::new(Registry::new().with(group))
}

/// Connects and sends a complete request, then neither reads nor closes.
fn request_and_stall(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    stream
}

/// The CPU time (user + system) the thread named `name` has used.
fn thread_cpu(name: &str) -> Duration {
    let ticks_per_second = 100; // USER_HZ on Linux
    std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|t| std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim() == name))
        .filter_map(|t| std::fs::read_to_string(t.path().join("stat")).ok())
        .map(|stat| {
            // After the `(comm)` field: state is field 3, utime 14, stime 15.
            let rest = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
            let fields: Vec<u64> = rest
                .split_whitespace()
                .map(|f| f.parse().unwrap_or(0))
                .collect();
            let ticks = fields.get(11).copied().unwrap_or(0) + fields.get(12).copied().unwrap_or(0);
            Duration::from_millis(ticks * 1000 / ticks_per_second)
        })
        .sum()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

#[test]
fn scrapes_are_answered_within_a_second_while_clients_do_not_read_an_8_mb_exposition() {
    let _turn = one_attack_at_a_time();
    let registry = large_registry();
    let size = registry.render(enumeter::Format::Prometheus).len();
    assert!(size > 8_000_000, "{size} bytes");
    let workers = 2;
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .registry(registry)
        .workers(workers)
        .timeouts(Duration::from_secs(10), Duration::from_secs(3))
        .start()
        .unwrap();
    let addr = exporter.local_addr();

    // 4 × workers clients ask for the 8 MB and then read nothing; half of
    // them close nothing either, half read 1 KB every 100 ms.
    let stop = AtomicBool::new(false);
    let stalled: Vec<TcpStream> = (0..2 * workers).map(|_| request_and_stall(addr)).collect();
    let mut slowest = Duration::ZERO;
    let mut times = Vec::new();
    std::thread::scope(|s| {
        // Made in the scope: a failed assertion in it unwinds through
        // this first, which stops the helpers before `scope` waits for
        // them (a guard made outside would wait for ever).
        let _stop_on_unwind = StopOnDrop(&stop);
        for _ in 0..2 * workers {
            s.spawn(|| {
                let mut stream = request_and_stall(addr);
                let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
                let mut buf = [0u8; 1024];
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(0) = stream.read(&mut buf) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
        }
        // Let their renders finish, so that all of them hold responses.
        std::thread::sleep(Duration::from_millis(1500));
        for i in 0..5 {
            let (status, took) = scrape(addr);
            assert!(status.starts_with("HTTP/1.1 200"), "scrape {i}: {status:?}");
            assert!(took < Duration::from_secs(1), "scrape {i} took {took:?}");
            slowest = slowest.max(took);
            times.push(took);
        }
        stop.store(true, Ordering::Relaxed);
    });
    println!(
        "{} clients not reading an exposition of {size} bytes ({workers} workers): 5 scrapes \
         all 200, median {:.1} ms, slowest {:.1} ms",
        4 * workers,
        median(times).as_secs_f64() * 1000.0,
        slowest.as_secs_f64() * 1000.0
    );
    drop(stalled);
    exporter.shutdown();
}

/// A scrape that reads the whole answer and keeps none of it: (status
/// line, how long it took, bytes of the body).
fn scrape_discarding(addr: SocketAddr) -> (String, Duration, usize) {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n")
        .unwrap();
    let mut first = Vec::new();
    let mut total = 0;
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n @ 1..) = stream.read(&mut buf) {
        if first.len() < 4096 {
            first.extend_from_slice(&buf[..n.min(4096)]);
        }
        total += n;
    }
    let text = String::from_utf8_lossy(&first);
    let status = text.lines().next().unwrap_or("").to_owned();
    let head = text.find("\r\n\r\n").map_or(total, |end| end + 4);
    (status, started.elapsed(), total - head)
}

#[test]
fn memory_stays_within_three_expositions_while_40_clients_do_not_read_them() {
    let _turn = one_attack_at_a_time();
    let registry = large_registry();
    let size = registry.render(enumeter::Format::Prometheus).len();
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .registry(registry)
        // Long enough that no stalled response ends at its deadline here.
        .timeouts(Duration::from_secs(10), Duration::from_secs(60))
        .start()
        .unwrap();
    let addr = exporter.local_addr();
    // What a scrape needs, once: the buffers, the allocator's arenas.
    for _ in 0..2 {
        let (status, _, bytes) = scrape_discarding(addr);
        assert!(status.starts_with("HTTP/1.1 200"), "{status:?}");
        assert_eq!(bytes, size);
    }
    let (_, rss_before) = threads_and_rss();
    let mut peak = rss_before;
    let mut times = Vec::new();
    // Four waves of 10 clients that ask and never read, each followed by
    // a scrape: every wave arrives after the previous rendering began, so
    // none may take it, and each makes at least one rendering of its own.
    let mut stalled = Vec::new();
    for wave in 0..4 {
        stalled.extend((0..10).map(|_| request_and_stall(addr)));
        let (status, took, bytes) = scrape_discarding(addr);
        assert!(
            status.starts_with("HTTP/1.1 200"),
            "wave {wave}: {status:?}"
        );
        assert_eq!(bytes, size, "wave {wave}");
        assert!(took < Duration::from_secs(1), "wave {wave}: {took:?}");
        times.push(took);
        peak = peak.max(threads_and_rss().1);
    }
    let growth_kb = peak.saturating_sub(rss_before);
    let size_kb = size / 1024;
    println!(
        "40 clients not reading an exposition of {size} bytes, in 4 waves with a scrape after \
         each: resident memory grew {:.1} MB ({:.2} expositions; before {:.1} MB), scrapes all \
         200, median {:.1} ms",
        growth_kb as f64 / 1024.0,
        growth_kb as f64 / size_kb as f64,
        rss_before as f64 / 1024.0,
        median(times).as_secs_f64() * 1000.0
    );
    // Three expositions (the latest, one before it, one being rendered)
    // and 8 MB for the rest: connections, what the allocator keeps.
    assert!(
        growth_kb <= 3 * size_kb + 8 * 1024,
        "grew {growth_kb} kB for an exposition of {size_kb} kB"
    );
    drop(stalled);
    exporter.shutdown();
}

#[test]
fn scrapes_are_answered_within_a_second_and_each_response_ends_at_its_deadline() {
    let _turn = one_attack_at_a_time();
    let deadline = Duration::from_secs(2);
    let registry = large_registry();
    let size = registry.render(enumeter::Format::Prometheus).len();
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .registry(registry)
        .timeouts(Duration::from_secs(10), deadline)
        .start()
        .unwrap();
    // A client that takes 64 KB every 50 ms (the whole would take about
    // 9 s): every write succeeds, so a timeout per write never fires; the
    // deadline per response does.
    let mut stream = request_and_stall(exporter.local_addr());
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    let started = Instant::now();
    let mut received = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    let closed_after = loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break started.elapsed(),
            Ok(n) => received += n,
        }
        assert!(started.elapsed() < Duration::from_secs(30), "never closed");
        std::thread::sleep(Duration::from_millis(50));
    };
    println!(
        "a client reading 64 KB every 50 ms was dropped after {:.2} s (deadline {deadline:?}), \
         having read {received} of {size} bytes",
        closed_after.as_secs_f64()
    );
    assert!(received < size / 2, "{received}");
    // The deadline counts from when the response was ready: allow for the
    // render (debug build) and the socket buffers' contents.
    assert!(
        closed_after >= deadline - Duration::from_millis(500),
        "{closed_after:?}"
    );
    assert!(
        closed_after < deadline + Duration::from_secs(2),
        "{closed_after:?}"
    );
}

#[test]
fn scrapes_are_answered_within_a_second_until_shutdown_which_no_client_can_delay() {
    let _turn = one_attack_at_a_time();
    let deadline = Duration::from_secs(2);
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .registry(large_registry())
        .timeouts(Duration::from_secs(10), deadline)
        .start()
        .unwrap();
    let addr = exporter.local_addr();
    let stalled: Vec<TcpStream> = (0..8).map(|_| request_and_stall(addr)).collect();
    // Half-sent heads, idle connections.
    let mut partial: Vec<TcpStream> = (0..8).map(|_| TcpStream::connect(addr).unwrap()).collect();
    for stream in &mut partial {
        stream.write_all(b"GET /metrics HTTP/1.1\r\nHo").unwrap();
    }
    std::thread::sleep(Duration::from_millis(1500));
    assert!(exporter.health().is_healthy(), "{:?}", exporter.health());
    let started = Instant::now();
    exporter.shutdown();
    let took = started.elapsed();
    println!(
        "shutdown with 8 clients not reading 8 MB responses and 8 half-sent heads: {:.2} s \
         (response deadline {deadline:?})",
        took.as_secs_f64()
    );
    assert!(took <= deadline + Duration::from_secs(1), "{took:?}");
    drop((stalled, partial));
}

#[test]
fn scrapes_are_answered_within_a_second_while_256_clients_send_16_kb_heads_slowly() {
    let _turn = one_attack_at_a_time();
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .timeouts(Duration::from_secs(30), Duration::from_secs(5))
        .start()
        .unwrap();
    let addr = exporter.local_addr();
    Abuse::scrapes_total().inc();
    let quiet: Vec<Duration> = (0..10).map(|_| scrape(addr).1).collect();
    let stop = AtomicBool::new(false);
    let mut busy = Vec::new();
    let mut cpu = Duration::ZERO;
    let mut window = Duration::ZERO;
    // 256 idle connections beside them, which must cost the front thread
    // nothing.
    let idle: Vec<TcpStream> = (0..256)
        .filter_map(|_| TcpStream::connect(addr).ok())
        .collect();
    std::thread::scope(|s| {
        // Made in the scope: a failed assertion in it unwinds through
        // this first, which stops the helpers before `scope` waits for
        // them (a guard made outside would wait for ever).
        let _stop_on_unwind = StopOnDrop(&stop);
        // 256 connections, each sending a 16 KB head in 64-byte pieces, all
        // of them every 20 ms.
        s.spawn(|| {
            let mut head = b"GET /metrics HTTP/1.1\r\nHost: x\r\n".to_vec();
            while head.len() < 16 * 1024 - 100 {
                head.extend_from_slice(
                    b"X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n",
                );
            }
            let mut slow: Vec<TcpStream> = (0..256)
                .filter_map(|_| TcpStream::connect(addr).ok())
                .collect();
            let mut at = 0;
            while !stop.load(Ordering::Relaxed) && at + 64 <= head.len() {
                for stream in &mut slow {
                    let _ = stream.write_all(&head[at..at + 64]);
                }
                at += 64;
                std::thread::sleep(Duration::from_millis(20));
            }
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        std::thread::sleep(Duration::from_millis(500));
        let cpu_before = thread_cpu("enumeter-http-f");
        let started = Instant::now();
        for i in 0..30 {
            let (status, took) = scrape(addr);
            assert!(status.starts_with("HTTP/1.1 200"), "scrape {i}: {status:?}");
            assert!(took < Duration::from_secs(1), "scrape {i} took {took:?}");
            busy.push(took);
            std::thread::sleep(Duration::from_millis(100));
        }
        window = started.elapsed();
        cpu = thread_cpu("enumeter-http-f") - cpu_before;
        stop.store(true, Ordering::Relaxed);
    });
    drop(idle);
    let share = cpu.as_secs_f64() / window.as_secs_f64();
    println!(
        "256 clients sending 16 KB heads in 64-byte pieces every 20 ms, beside 256 idle \
         connections: median scrape {:.2} ms (quiet: {:.2} ms); front thread CPU {:.0} ms \
         over {:.1} s ({:.1}% of a core)",
        median(busy).as_secs_f64() * 1000.0,
        median(quiet).as_secs_f64() * 1000.0,
        cpu.as_secs_f64() * 1000.0,
        window.as_secs_f64(),
        share * 100.0
    );
    // The earlier front thread rescanned every waiting head every round:
    // 65% of a core here. Reading each piece once costs a few percent.
    assert!(
        share < 0.25,
        "front thread used {:.0}% of a core",
        share * 100.0
    );
}
