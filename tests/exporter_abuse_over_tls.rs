//! The exporter under abuse over TLS (the web configuration's
//! `tls_server_config`), on 127.0.0.1, bounded in count and time: clients
//! sending a real ClientHello a byte every 50 ms, handshakes of garbage,
//! and 10,000 connections that finish their handshake and then say
//! nothing. Meanwhile a TLS scrape every 100 ms must be answered `200`
//! within 1 s, the front thread never waits on a handshake, every slow or
//! broken handshake is dropped on the head's deadline and counted, and the
//! process's memory stays bounded.
//!
//! The test prints what it measured (`--nocapture`); RELIABILITY.md quotes
//! the line.

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use enumeter::{metrics, Exporter, Registry};
use enumeter_suite::support::certs::{client_config, server_name};
use enumeter_suite::support::servers::TempDir;
use enumeter_suite::support::{certs, own_counter, require};

/// What the abused exporter serves.
#[metrics(namespace = "tls_abuse", register = false)]
pub enum TlsAbuse {
    /// Scrapes answered.
    #[counter]
    ScrapesTotal,
}

/// Sets the flag when dropped, also while unwinding from a failed assertion.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

fn rss_kb() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// A scrape over TLS: the status line and how long it took.
fn scrape(addr: SocketAddr, config: &Arc<rustls::ClientConfig>) -> (String, Duration) {
    let start = Instant::now();
    let status = match certs::https_get(&addr.to_string(), config, "/metrics", "") {
        Ok((head, _)) => head.lines().next().unwrap_or("").to_owned(),
        Err(e) => format!("error: {e}"),
    };
    (status, start.elapsed())
}

/// The first flight of a real handshake: a ClientHello.
fn client_hello(config: &Arc<rustls::ClientConfig>) -> Vec<u8> {
    let mut session = rustls::ClientConnection::new(Arc::clone(config), server_name()).unwrap();
    let mut hello = Vec::new();
    session.write_tls(&mut hello).unwrap();
    hello
}

/// A connection that completes its handshake and then says nothing; the
/// client's session is dropped, so only the exporter holds TLS state.
fn idle_after_handshake(addr: SocketAddr, config: &Arc<rustls::ClientConfig>) -> Option<TcpStream> {
    let mut socket = TcpStream::connect(addr).ok()?;
    socket.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut session = rustls::ClientConnection::new(Arc::clone(config), server_name()).ok()?;
    while session.is_handshaking() {
        session.complete_io(&mut socket).ok()?;
    }
    Some(socket)
}

/// Raises the soft limit of open files to the hard one; returns it.
fn open_files_limit() -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit are given a valid rlimit.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        limit.rlim_cur = limit.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
    }
    usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX)
}

#[test]
#[cfg_attr(missing_openssl, ignore = "needs openssl (apt-get install openssl)")]
fn tls_scrapes_are_answered_within_a_second_while_handshakes_are_slow_broken_or_idle() {
    require("openssl");
    let dir = TempDir::new("tls-abuse");
    let pki = certs::make(&dir.0);
    let web = format!(
        "tls_server_config:\n  cert_file: {}\n  key_file: {}\n",
        pki.server_cert.display(),
        pki.server_key.display()
    );
    let group: &'static TlsAbuseMetrics = Box::leak(Box::new(TlsAbuseMetrics::new()));
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .registry(Arc::new(Registry::new().with(group)))
        .timeouts(Duration::from_secs(2), Duration::from_secs(5))
        .web_config(web)
        .start()
        .unwrap();
    let addr = exporter.local_addr();
    let config = client_config(&pki);
    group.scrapes_total().inc();
    let (status, _) = scrape(addr, &config);
    assert_eq!(status, "HTTP/1.1 200 OK");
    // 10,000 connections, each with a descriptor on both ends, in this
    // process; fewer if the hard limit does not allow them.
    let idle_target = 10_000.min(open_files_limit().saturating_sub(1_000) / 2 * 2);
    let refused_before = own_counter(
        "enumeter_exporter_refusals_total",
        &[("reason", "tls_handshake")],
    );
    let rss_before = rss_kb();
    let hello = client_hello(&config);

    let stop = AtomicBool::new(false);
    let idle_open = AtomicUsize::new(0);
    let garbage_sent = AtomicUsize::new(0);
    let slow_opened = AtomicUsize::new(0);
    let mut took = Vec::new();
    let mut peak_rss = rss_before;
    std::thread::scope(|s| {
        let _stop_on_unwind = StopOnDrop(&stop);
        // 10,000 connections that finish their handshake, then idle: two
        // threads of 5,000, kept open until the end.
        for _ in 0..2 {
            s.spawn(|| {
                let mut idle = Vec::new();
                while idle.len() < idle_target / 2 && !stop.load(Ordering::Relaxed) {
                    if let Some(socket) = idle_after_handshake(addr, &config) {
                        idle.push(socket);
                        idle_open.fetch_add(1, Ordering::Relaxed);
                    }
                }
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(20));
                }
            });
        }
        // 100 clients sending a real ClientHello a byte every 50 ms, in
        // two waves, so that each wave is dropped at the head's deadline.
        s.spawn(|| {
            for _ in 0..2 {
                let mut slow: Vec<TcpStream> = (0..50)
                    .filter_map(|_| TcpStream::connect(addr).ok())
                    .collect();
                slow_opened.fetch_add(slow.len(), Ordering::Relaxed);
                let wave_end = Instant::now() + Duration::from_secs(3);
                let mut at = 0;
                while Instant::now() < wave_end && !stop.load(Ordering::Relaxed) {
                    for socket in &mut slow {
                        let _ = socket.write_all(&hello[at % hello.len()..at % hello.len() + 1]);
                    }
                    at += 1;
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        });
        // Broken handshakes, each refused by rustls: plain HTTP sent to
        // the TLS port, and a ClientHello whose handshake type says
        // ServerHello. (A ClientHello cut short and closed is a client
        // that left, not a refusal: sent too, not counted.)
        s.spawn(|| {
            let mut wrong_type = hello.clone();
            wrong_type[5] = 0x02;
            let plain = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".to_vec();
            let cut = hello[..hello.len() / 2].to_vec();
            let mut round = 0;
            while !stop.load(Ordering::Relaxed) && round < 200 {
                for (bytes, refused) in [(&plain, true), (&wrong_type, true), (&cut, false)] {
                    if let Ok(mut socket) = TcpStream::connect(addr) {
                        if socket.write_all(bytes).is_ok() && refused {
                            garbage_sent.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                round += 1;
                std::thread::sleep(Duration::from_millis(10));
            }
        });

        // A TLS scrape every 100 ms until the idle connections are all open
        // and both slow waves have passed their deadline (8 s at least).
        let start = Instant::now();
        let limit = start + Duration::from_secs(120);
        while start.elapsed() < Duration::from_secs(8)
            || idle_open.load(Ordering::Relaxed) < idle_target
        {
            assert!(
                Instant::now() < limit,
                "the idle connections opened within 120 s"
            );
            let (status, time) = scrape(addr, &config);
            assert_eq!(status, "HTTP/1.1 200 OK", "scrape {}", took.len());
            assert!(
                time < Duration::from_secs(1),
                "scrape {} took {time:?}",
                took.len()
            );
            took.push(time);
            peak_rss = peak_rss.max(rss_kb());
            std::thread::sleep(Duration::from_millis(100));
        }
        stop.store(true, Ordering::Relaxed);
    });
    // Dropped on the head's deadline or refused by rustls: every slow and
    // every broken handshake counted.
    let refused = own_counter(
        "enumeter_exporter_refusals_total",
        &[("reason", "tls_handshake")],
    ) - refused_before;
    let slow = slow_opened.load(Ordering::Relaxed);
    let garbage = garbage_sent.load(Ordering::Relaxed);
    assert_eq!(
        refused as usize,
        slow + garbage,
        "handshakes refused of {slow} slow and {garbage} broken"
    );
    let grew_kb = peak_rss.saturating_sub(rss_before);
    assert!(grew_kb < 64 * 1024, "RSS grew by {grew_kb} kB");
    assert_eq!(scrape(addr, &config).0, "HTTP/1.1 200 OK");
    took.sort();
    println!(
        "{} idle TLS connections, {slow} slow and {garbage} broken handshakes ({refused} refused); \
         {} TLS scrapes all 200, median {:.1} ms, slowest {:.1} ms; RSS {rss_before} kB -> peak {peak_rss} kB",
        idle_open.load(Ordering::Relaxed),
        took.len(),
        took[took.len() / 2].as_secs_f64() * 1000.0,
        took[took.len() - 1].as_secs_f64() * 1000.0,
    );
    exporter.shutdown();
}
