//! End to end: a real Prometheus server (the Debian package's binary)
//! scrapes the quickstart's exporter on 127.0.0.1 every second, and its
//! query API returns exactly the values the quickstart recorded.
//!
//! Where a system it needs is missing, cargo reports the test
//! ignored with what to install; in CI it fails. Every wait is bounded, and both processes are stopped
//! (SIGTERM, then SIGKILL) whatever happens.

use enumeter_suite::support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::servers::{self, query, wait_for, TempDir};

#[test]
#[cfg_attr(
    missing_prometheus,
    ignore = "needs Prometheus: apt-get install prometheus"
)]
fn a_real_prometheus_scrapes_the_quickstart_and_reads_back_its_values() {
    support::require("prometheus");

    // The quickstart, serving on a free port for at most two minutes.
    let (_quickstart, target) = support::serve_example("quickstart", 120);

    // Prometheus, with a temporary config and storage, scraping every second.
    let dir = TempDir::new("e2e");
    let started = Instant::now();
    let (_server, prometheus) =
        servers::prometheus(&dir.0, &servers::scrape_every_second("quickstart", &target));

    // The target turns healthy once the first scrape (about 5 s after start)
    // succeeds.
    let health = wait_for(Duration::from_secs(60), "a healthy target", || {
        let (_, body) = support::http_get(&prometheus, "/api/v1/targets").ok()?;
        let json: Value = serde_json::from_str(&body).ok()?;
        let target = json["data"]["activeTargets"].get(0)?.clone();
        (target["health"] == "up").then_some(target)
    });
    assert_eq!(health["labels"]["job"], "quickstart");
    assert_eq!(health["lastError"], "");

    let expectations: &[(&str, f64)] = &[
        (r#"up{job="quickstart"}"#, 1.0),
        (
            r#"sip_invite_result_total{direction="inbound",code_class="1xx"}"#,
            2.0,
        ),
        (
            r#"sip_invite_result_total{direction="inbound",code_class="2xx"}"#,
            1.0,
        ),
        (
            r#"sip_invite_result_total{direction="outbound",code_class="4xx"}"#,
            1.0,
        ),
        (
            r#"sip_invite_result_total{direction="outbound",code_class="other"}"#,
            1.0,
        ),
        (
            r#"sip_invite_result_total{direction="outbound",code_class="5xx"}"#,
            0.0,
        ),
        (r#"sip_active_calls{transport="udp"}"#, 1.0),
        (r#"sip_active_calls{transport="tls"}"#, 1.0),
        ("sip_last_call_mos", 4.25),
        (
            r#"sip_invite_duration_seconds_bucket{direction="inbound",le="0.5"}"#,
            3.0,
        ),
        (
            r#"sip_invite_duration_seconds_bucket{direction="inbound",le="+Inf"}"#,
            5.0,
        ),
        (
            r#"sip_invite_duration_seconds_count{direction="inbound"}"#,
            5.0,
        ),
        (
            r#"sip_invite_duration_seconds_sum{direction="inbound"}"#,
            4.13,
        ),
        (
            r#"sip_tts_first_byte_seconds_count{transport="tcp"}"#,
            100.0,
        ),
        (r#"sip_tts_first_byte_seconds_sum{transport="tcp"}"#, 5.05),
    ];
    for &(expr, expected) in expectations {
        let value = wait_for(Duration::from_secs(20), expr, || query(&prometheus, expr));
        assert!(
            (value - expected).abs() < 1e-9,
            "{expr} = {value}, recorded {expected}"
        );
    }
    let p50 = r#"sip_tts_first_byte_seconds{transport="tcp",quantile="0.5"}"#;
    let value = wait_for(Duration::from_secs(20), p50, || query(&prometheus, p50));
    assert!((value - 0.05).abs() / 0.05 <= 0.01, "{p50} = {value}");
    let heartbeats = wait_for(Duration::from_secs(20), "heartbeats", || {
        query(&prometheus, "sip_heartbeats_total")
    });
    assert!(heartbeats > 0.0, "the recording loop ran: {heartbeats}");

    println!(
        "real Prometheus at {prometheus} scraped the quickstart at {target}: target up, \
         {} recorded values read back through /api/v1/query in {:.1} s",
        expectations.len() + 2,
        started.elapsed().as_secs_f64()
    );
}
