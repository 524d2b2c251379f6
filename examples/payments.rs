//! A payment API whose objectives are declared with its metrics: 99.9% of
//! requests without a server error and 99% within 300 ms, per route. The
//! Prometheus rules (recording rules and multi-window burn-rate alerts),
//! their `promtool` unit tests and a Grafana dashboard are generated from
//! the declaration.
//!
//! ```text
//! cargo run --example payments -- --write target/payments        # rules.yml, rules.test.yml, dashboard.json
//! promtool check rules target/payments/rules.yml
//! promtool test rules target/payments/rules.test.yml
//! cargo run --example payments -- 127.0.0.1:9897                 # serves /metrics with traffic
//! cargo run --example payments -- --print                        # the exposition once
//! ```
//!
//! `--windows-divided-by N` divides every alert window by N (for a test
//! that must see an alert within a minute). While serving, it handles
//! about 100 requests a second on each route; a line `errors 0.5` on standard input
//! makes that share of them end in a server error (`errors 0` ends it).
//! Serves for `ENUMETER_SERVE_SECS` seconds (default 600).

mod common;

use std::io::BufRead;
use std::sync::atomic::{AtomicU64, Ordering};

use enumeter::objectives::RuleSet;
use enumeter::{metrics, LabelValue, Registry};

/// The API's routes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Route {
    /// Holds funds.
    Authorize,
    /// Takes held funds.
    Capture,
    /// Gives them back.
    Refund,
}

/// How a request ended, by status class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum CodeClass {
    /// 2xx.
    #[label(name = "2xx")]
    Success,
    /// 4xx: the client's fault, not the service's.
    #[label(name = "4xx")]
    ClientError,
    /// 5xx: the service failed.
    #[label(name = "5xx")]
    ServerError,
}

/// The payment API.
#[metrics(namespace = "payments")]
pub enum Payments {
    /// Requests handled, by route and status class.
    #[counter(objective(
        name = "payments-availability",
        target = 0.999,
        bad(code_class = [ServerError]),
        by = [route]
    ))]
    RequestsTotal { route: Route, code_class: CodeClass },
    /// Time to answer a request.
    #[histogram(
        unit = "seconds",
        buckets = [0.025, 0.05, 0.1, 0.3, 1, 3],
        objective(name = "payments-latency", target = 0.99, below = 0.3, by = [route])
    )]
    RequestDuration { route: Route },
    /// Requests being handled.
    #[gauge(alert(
        name = "payments-saturated",
        above = 500,
        severity = "warning",
        description = "more than 500 requests in flight"
    ))]
    InFlight,
}

/// The generated files: rules, their unit tests, the dashboard.
fn write(dir: &str, divisor: u32) -> std::io::Result<()> {
    let rules = RuleSet::new()
        .with(Payments::objectives())
        .windows_divided_by(divisor);
    let registry = Registry::new().with(PaymentsMetrics::global());
    std::fs::create_dir_all(dir)?;
    let path = |file: &str| std::path::Path::new(dir).join(file);
    std::fs::write(path("rules.yml"), rules.prometheus_rules())?;
    std::fs::write(path("rules.test.yml"), rules.promtool_tests("rules.yml"))?;
    std::fs::write(
        path("dashboard.json"),
        rules.grafana_dashboard("Payments", &registry),
    )?;
    std::fs::write(
        path("dashboard-queries.txt"),
        rules.dashboard_queries(&registry).join("\n") + "\n",
    )?;
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--write") {
        let dir = args.get(1).map_or("target/payments", String::as_str);
        let divisor = match args.iter().position(|a| a == "--windows-divided-by") {
            Some(i) => args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(1),
            None => 1,
        };
        if let Err(e) = write(dir, divisor) {
            eprintln!("cannot write to {dir}: {e}");
            std::process::exit(1);
        }
        println!("wrote {dir}/rules.yml, rules.test.yml and dashboard.json");
        return;
    }
    // The share of requests that fail, in millionths, set from stdin.
    static ERRORS: AtomicU64 = AtomicU64::new(0);
    std::thread::spawn(|| {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            if let Some(share) = line
                .strip_prefix("errors ")
                .and_then(|s| s.trim().parse::<f64>().ok())
            {
                ERRORS.store((share.clamp(0.0, 1.0) * 1e6) as u64, Ordering::Relaxed);
            }
        }
    });
    // Ten requests a route every 100 ms.
    let (mut handled, mut failed) = (0u64, 0u64);
    common::print_or_serve(|| {
        let share = ERRORS.load(Ordering::Relaxed);
        for _ in 0..10 {
            for route in Route::all() {
                Payments::in_flight().inc();
                handled += 1;
                // Exactly the share asked for, spread evenly.
                let code_class = if failed * 1_000_000 < handled * share {
                    failed += 1;
                    CodeClass::ServerError
                } else if handled % 50 == 0 {
                    CodeClass::ClientError
                } else {
                    CodeClass::Success
                };
                let seconds = if handled % 200 == 0 { 0.5 } else { 0.02 };
                Payments::request_duration(route).observe(seconds);
                Payments::requests_total(route, code_class).inc();
                Payments::in_flight().dec();
            }
        }
    });
}
