//! Idle retirement through real Prometheus servers (2.42 and 3.5.3 at
//! once, scraping one exporter every second): a facade series that stops
//! being recorded leaves the exposition once idle past the facade's idle
//! time, both servers mark it stale (an instant query returns nothing,
//! while its last value stays in the range it was scraped in), a series
//! recorded all along stays, and a new series takes the retired one's slot
//! (the family holds two) with its own value, nothing of the old one's.
//!
//! Where a system it needs is missing, cargo reports the test ignored with
//! what to install; in CI it fails.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use enumeter::facade::FacadeRecorder;
use enumeter::{Exporter, Format};
use enumeter_suite::support;
use support::servers::{self, expect_value, query_all, wait_for, Line, TempDir};

/// How long a facade series may go without a record.
const IDLE: Duration = Duration::from_secs(4);

#[test]
#[cfg_attr(
    any(missing_prometheus, missing_prometheus3),
    ignore = "needs Prometheus 2.42 (apt-get install prometheus) and 3.5.3 (Debian sid's, as .ci/run fetches it into target/prometheus-sid)"
)]
fn an_idle_facade_series_goes_stale_and_its_slot_takes_a_new_series() {
    support::require("prometheus");
    support::require("prometheus3");
    FacadeRecorder::new()
        .idle_timeout(Some(IDLE))
        .max_series_per_family(2)
        .install()
        .expect("the first recorder");
    let exporter = Exporter::new().address("127.0.0.1:0").start().unwrap();
    let target = exporter.local_addr().to_string();

    // Two upstreams recorded every 100 ms; `gone` stops when told.
    let stop_gone = AtomicBool::new(false);
    let stop_all = AtomicBool::new(false);
    let gone_total = AtomicU64::new(0);
    std::thread::scope(|s| {
        s.spawn(|| {
            let steady = metrics::counter!("upstream_requests", "peer" => "steady");
            // Bounded: the test stops it, or five minutes pass.
            for _ in 0..3000 {
                if stop_all.load(Ordering::Relaxed) {
                    break;
                }
                steady.increment(1);
                if !stop_gone.load(Ordering::Relaxed) {
                    metrics::counter!("upstream_requests", "peer" => "gone").increment(1);
                    gone_total.fetch_add(1, Ordering::Relaxed);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            check(&target, &stop_gone, &gone_total)
        }));
        stop_all.store(true, Ordering::Relaxed);
        if let Err(panic) = result {
            std::panic::resume_unwind(panic);
        }
    });
    exporter.shutdown();
}

fn check(target: &str, stop_gone: &AtomicBool, gone_total: &AtomicU64) {
    let servers: Vec<_> = Line::BOTH
        .into_iter()
        .map(|line| {
            let dir = TempDir::new(&format!("facade-idle-{line:?}"));
            let (process, addr) = servers::prometheus_of(
                line,
                &dir.0,
                &servers::scrape_every_second("facade_idle", target),
                &[],
            );
            (line, dir, process, addr)
        })
        .collect();
    // Both servers have scraped `gone` before it stops.
    for (line, _, _, addr) in &servers {
        wait_for(Duration::from_secs(60), &format!("{line}: gone"), || {
            query_all(addr, r#"upstream_requests_total{peer="gone"}"#)
                .filter(|v| v.len() == 1 && v[0] > 0.0)
        });
    }
    stop_gone.store(true, Ordering::Relaxed);
    // The recording thread may be between its check and its increment.
    std::thread::sleep(Duration::from_millis(300));
    let last = gone_total.load(Ordering::Relaxed) as f64;
    // Right after it stopped, the exposition still holds it, exactly.
    let text = enumeter::registry().render(Format::Prometheus);
    assert!(
        text.contains(&format!(
            "upstream_requests_total{{peer=\"gone\"}} {last}\n"
        )),
        "{text}"
    );

    // Idle past its time: gone from the exposition, stale in both servers.
    let text = wait_for(IDLE * 4, "the idle series to leave the exposition", || {
        let text = enumeter::registry().render(Format::Prometheus);
        (!text.contains("peer=\"gone\"")).then_some(text)
    });
    assert!(
        text.contains("upstream_requests_total{peer=\"steady\"}"),
        "{text}"
    );
    for (line, _, _, addr) in &servers {
        wait_for(
            Duration::from_secs(30),
            &format!("{line}: gone stale"),
            || query_all(addr, r#"upstream_requests_total{peer="gone"}"#).filter(|v| v.is_empty()),
        );
        // The last value scraped stays in the range before the stale mark.
        let kept = query_all(
            addr,
            r#"max_over_time(upstream_requests_total{peer="gone"}[10m])"#,
        );
        assert_eq!(kept, Some(vec![last]), "{line}");
        let steady = query_all(addr, r#"upstream_requests_total{peer="steady"}"#);
        assert!(
            steady.as_ref().is_some_and(|v| v.len() == 1 && v[0] > 0.0),
            "{line}: {steady:?}"
        );
        println!("{line}: `gone` read {last}, then stale; `steady` still there");
    }

    // The family holds two series: a new one fits only in the retired
    // one's slot, and starts from its own records.
    metrics::counter!("upstream_requests", "peer" => "fresh").increment(7);
    let text = enumeter::registry().render(Format::Prometheus);
    assert!(
        text.contains("upstream_requests_total{peer=\"fresh\"} 7\n"),
        "{text}"
    );
    assert!(!text.contains("peer=\"other\""), "no overflow: {text}");
    assert!(
        !text.contains("enumeter_facade_series_overflow_total{"),
        "{text}"
    );
    for (line, _, _, addr) in &servers {
        expect_value(
            addr,
            r#"upstream_requests_total{peer="fresh"}"#,
            7.0,
            Duration::from_secs(30),
        );
        let gone = query_all(addr, r#"upstream_requests_total{peer="gone"}"#);
        assert_eq!(gone, Some(vec![]), "{line}");
        println!("{line}: `fresh` read 7 in the retired series' slot");
    }
}
