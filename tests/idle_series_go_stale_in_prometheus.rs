//! Idle retirement through real Prometheus servers (2.42 and 3.5.3 at
//! once, scraping one exporter every second), of a facade series and of a
//! runtime label value declared with an idle time, side by side: a series
//! that stops being recorded leaves the exposition once idle past its
//! time, both servers mark it stale (an instant query returns nothing,
//! while its last value stays in the range it was scraped in), a series
//! recorded all along stays, and a new series takes the retired one's slot
//! (the family, and the label, hold two) with its own value, nothing of
//! the old one's.
//!
//! Where a system it needs is missing, cargo reports the test ignored with
//! what to install; in CI it fails.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use enumeter::facade::FacadeRecorder;
use enumeter::{metrics, runtime_label, Exporter, Format};
use enumeter_suite::support;
use support::servers::{self, expect_value, query_all, wait_for, Line, TempDir};

/// How long a facade series, or a runtime label value, may go without a
/// record.
const IDLE: Duration = Duration::from_secs(4);

/// The families: the facade's, and the typed group's.
const FAMILIES: [&str; 2] = ["upstream_requests_total", "typed_upstream_requests_total"];

runtime_label! {
    /// Upstreams that come and go; room for two.
    pub struct Upstream: capacity = 2, idle = IDLE;
}

/// The same counts, declared.
#[metrics(namespace = "typed")]
pub enum Typed {
    /// Requests, by upstream.
    #[counter(sparse)]
    UpstreamRequestsTotal {
        #[label(retires)]
        peer: Upstream,
    },
}

/// Whether `text` holds the line `line`.
fn has_line(text: &str, line: &str) -> bool {
    text.lines().any(|l| l == line)
}

/// Whether `text` holds a series of `family` with `peer="{peer}"`.
fn has_series(text: &str, family: &str, peer: &str) -> bool {
    let prefix = format!("{family}{{peer=\"{peer}\"}} ");
    text.lines().any(|l| l.starts_with(&prefix))
}

#[test]
#[cfg_attr(
    any(missing_prometheus, missing_prometheus3),
    ignore = "needs Prometheus 2.42 (apt-get install prometheus) and 3.5.3 (Debian sid's, as .ci/run fetches it into target/prometheus-sid)"
)]
fn an_idle_series_goes_stale_and_its_slot_takes_a_new_series() {
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
            let (typed_steady, typed_gone) = (
                Upstream::intern("steady").unwrap(),
                Upstream::intern("gone").unwrap(),
            );
            // Bounded: the test stops it, or five minutes pass.
            for _ in 0..3000 {
                if stop_all.load(Ordering::Relaxed) {
                    break;
                }
                steady.increment(1);
                Typed::upstream_requests_total(typed_steady).inc();
                if !stop_gone.load(Ordering::Relaxed) {
                    metrics::counter!("upstream_requests", "peer" => "gone").increment(1);
                    Typed::upstream_requests_total(typed_gone).inc();
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
        for family in FAMILIES {
            wait_for(
                Duration::from_secs(60),
                &format!("{line}: {family} gone"),
                || {
                    query_all(addr, &format!(r#"{family}{{peer="gone"}}"#))
                        .filter(|v| v.len() == 1 && v[0] > 0.0)
                },
            );
        }
    }
    stop_gone.store(true, Ordering::Relaxed);
    // The recording thread may be between its check and its increments.
    std::thread::sleep(Duration::from_millis(300));
    let last = gone_total.load(Ordering::Relaxed) as f64;
    // Right after it stopped, the exposition still holds it, exactly.
    let text = enumeter::registry().render(Format::Prometheus);
    for family in FAMILIES {
        assert!(
            has_line(&text, &format!("{family}{{peer=\"gone\"}} {last}")),
            "{text}"
        );
    }

    // Idle past its time: gone from the exposition, stale in both servers.
    let text = wait_for(IDLE * 4, "the idle series to leave the exposition", || {
        let text = enumeter::registry().render(Format::Prometheus);
        FAMILIES
            .iter()
            .all(|family| !has_series(&text, family, "gone"))
            .then_some(text)
    });
    for family in FAMILIES {
        assert!(has_series(&text, family, "steady"), "{text}");
    }
    for (line, _, _, addr) in &servers {
        for family in FAMILIES {
            wait_for(
                Duration::from_secs(30),
                &format!("{line}: {family} gone stale"),
                || query_all(addr, &format!(r#"{family}{{peer="gone"}}"#)).filter(|v| v.is_empty()),
            );
            // The last value scraped stays in the range before the stale mark.
            let kept = query_all(
                addr,
                &format!(r#"max_over_time({family}{{peer="gone"}}[10m])"#),
            );
            assert_eq!(kept, Some(vec![last]), "{line} {family}");
            let steady = query_all(addr, &format!(r#"{family}{{peer="steady"}}"#));
            assert!(
                steady.as_ref().is_some_and(|v| v.len() == 1 && v[0] > 0.0),
                "{line} {family}: {steady:?}"
            );
            println!("{line}: {family} `gone` read {last}, then stale; `steady` still there");
        }
    }

    // The family (and the label) holds two series: a new one fits only in
    // the retired one's slot, and starts from its own records.
    metrics::counter!("upstream_requests", "peer" => "fresh").increment(7);
    let fresh = Upstream::intern("fresh").unwrap();
    assert_ne!(fresh, Upstream::OTHER, "the retired value's slot is free");
    Typed::upstream_requests_total(fresh).add(7);
    let text = enumeter::registry().render(Format::Prometheus);
    for family in FAMILIES {
        assert!(
            has_line(&text, &format!("{family}{{peer=\"fresh\"}} 7")),
            "{text}"
        );
        assert!(!has_series(&text, family, "other"), "no overflow: {text}");
    }
    assert!(
        !text.contains("enumeter_facade_series_overflow_total{"),
        "{text}"
    );
    assert!(
        !text.contains("enumeter_runtime_label_overflow_total{"),
        "{text}"
    );
    for (line, _, _, addr) in &servers {
        for family in FAMILIES {
            expect_value(
                addr,
                &format!(r#"{family}{{peer="fresh"}}"#),
                7.0,
                Duration::from_secs(30),
            );
            let gone = query_all(addr, &format!(r#"{family}{{peer="gone"}}"#));
            assert_eq!(gone, Some(vec![]), "{line} {family}");
            println!("{line}: {family} `fresh` read 7 in the retired series' slot");
        }
    }
}
