//! The objectives `http_server_metrics!` declares in the traced_service
//! example, through the real parts: its router runs in this process under
//! a load of requests; for each Prometheus line in the field, a real
//! Prometheus (2.42, then 3.5.3) scrapes it and evaluates the generated
//! rules (windows divided by 60), a real Alertmanager (0.25, then 0.33.1)
//! receives. The scrapes of `/metrics` are counted in the request metrics
//! and left out of the objective's ratios (`exclude(route = [Metrics])`):
//! the ratios exist for the `fast` route only. Healthy traffic fires
//! nothing; half the requests failing brings the availability page to
//! Alertmanager, and it resolves when the failures stop.
//!
//! Where a system it needs is missing, cargo reports the test ignored with
//! what to install; in CI it fails.

use enumeter_suite::support;

#[path = "../examples/traced_service.rs"]
#[allow(dead_code)]
mod traced_service;

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use enumeter::objectives::RuleSet;
use support::servers::{
    self, active_alerts, alertmanager_of, query_result, wait_for, Line, TempDir,
};

/// Requests to `/fast` every 20 ms until `stop`, `failing` in 100 of them
/// failing; stops by itself after five minutes.
fn load(addr: String, failing: Arc<AtomicU32>, stop: Arc<AtomicBool>) {
    let started = Instant::now();
    let mut n = 0u32;
    while !stop.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(300) {
        let fail = n % 100 < failing.load(Ordering::Relaxed);
        let path = if fail { "/fast?fail" } else { "/fast" };
        let _ = support::http_get(&addr, path);
        n = n.wrapping_add(1);
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The `route` labels of the series `expr` returns.
fn routes(addr: &str, expr: &str) -> Vec<String> {
    let mut routes: Vec<String> = query_result(addr, expr)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| s["metric"]["route"].as_str().map(str::to_owned))
        .collect();
    routes.sort();
    routes
}

#[test]
#[cfg_attr(
    any(
        missing_prometheus,
        missing_alertmanager,
        missing_prometheus3,
        missing_alertmanager3
    ),
    ignore = "needs Prometheus 2.42 and Alertmanager 0.25 (apt-get install prometheus prometheus-alertmanager), 3.5.3 and 0.33.1 (Debian sid's, as .ci/run fetches them into target/prometheus-sid)"
)]
fn failing_requests_page_and_the_scrapes_are_left_out_of_the_ratios() {
    for tool in ["prometheus", "alertmanager", "prometheus3", "alertmanager3"] {
        support::require(tool);
    }
    let addr = servers::serve_axum(traced_service::router(), 400);
    let failing = Arc::new(AtomicU32::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let _stop_load = support::StoreOnDrop(&stop, true);
    let load = {
        let (addr, failing, stop) = (addr.clone(), Arc::clone(&failing), Arc::clone(&stop));
        std::thread::spawn(move || load(addr, failing, stop))
    };
    for line in Line::BOTH {
        pages_and_resolves(line, &addr, &failing);
    }
    stop.store(true, Ordering::Relaxed);
    load.join().unwrap();
}

/// Prometheus and Alertmanager of `line` on the example's generated rules,
/// scraping `addr` while `failing` in 100 requests fail: healthy, nothing
/// fires and the ratios leave the scrapes out; half failing, the page
/// comes; none failing, it resolves.
fn pages_and_resolves(line: Line, addr: &str, failing: &AtomicU32) {
    let dir = TempDir::new(&format!("traced-objectives-{line:?}"));
    let rules = RuleSet::new()
        .with(traced_service::HttpServer::objectives())
        .windows_divided_by(60);
    std::fs::write(dir.0.join("rules.yml"), rules.prometheus_rules()).unwrap();
    let (_am, am) = alertmanager_of(line, &dir.0);

    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
         rule_files:\n  - {}\n\
         alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['{am}']\n\
         scrape_configs:\n  - job_name: traced\n    static_configs:\n      - targets: ['{addr}']\n",
        dir.0.join("rules.yml").display()
    );
    let (_prometheus, prometheus) = servers::prometheus_of(line, &dir.0, &config, &[]);
    let limit = Duration::from_secs(60);

    // The scrapes are request series of their own, and no ratio has them.
    let ratio = r#"enumeter_slo:error_ratio:rate5m{objective="traced-availability"}"#;
    wait_for(limit, "the availability ratio of the fast route", || {
        (routes(&prometheus, ratio) == ["fast"]).then_some(())
    });
    wait_for(limit, "the scrapes in the request metrics", || {
        let scrapes = routes(
            &prometheus,
            r#"http_server_requests_total{route="metrics",status="2xx"} > 2"#,
        );
        (scrapes == ["metrics"]).then_some(())
    });
    assert_eq!(routes(&prometheus, ratio), ["fast"]);
    std::thread::sleep(Duration::from_secs(6)); // past the short window
    let firing = query_result(&prometheus, "ALERTS").unwrap();
    assert!(firing.is_empty(), "healthy traffic fired {firing:?}");
    assert!(active_alerts(&am).is_empty());

    // Half the requests fail: the fast-burn page, for the fast route.
    failing.store(50, Ordering::Relaxed);
    let burst = Instant::now();
    let page = "TracedAvailabilityBurnRate1h5m";
    let paged = wait_for(limit, "the fast-burn page in Alertmanager", || {
        active_alerts(&am)
            .into_iter()
            .find(|a| a["alertname"] == page)
    });
    let paged_after = burst.elapsed();
    assert_eq!(paged["route"], "fast");
    assert_eq!(paged["severity"], "page");
    assert_eq!(paged["objective"], "traced-availability");
    assert_eq!(routes(&prometheus, ratio), ["fast"]);

    // The failures stop: the page resolves.
    failing.store(0, Ordering::Relaxed);
    let calm = Instant::now();
    wait_for(limit, "the page to resolve in Alertmanager", || {
        active_alerts(&am)
            .iter()
            .all(|a| a["alertname"] != page)
            .then_some(())
    });
    println!(
        "{line}: paged {:.1} s after half the requests began failing, for route fast only; resolved \
         {:.1} s after they stopped; the scrapes of /metrics counted and left out of the ratios",
        paged_after.as_secs_f64(),
        calm.elapsed().as_secs_f64()
    );
}
