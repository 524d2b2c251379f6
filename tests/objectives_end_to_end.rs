//! Alerts, rules and dashboards generated from the declarations, proven
//! with the real parts (Debian packages, on 127.0.0.1):
//!
//! - `promtool check rules` and `promtool test rules`, 2.42's and 3.5.3's,
//!   pass on what the payments, telemetry and traced_service examples
//!   generate, and the payments rules are pinned
//!   (`tests/expected/payments.rules.yml`);
//! - a real Prometheus loads the payments rules (windows divided by 60)
//!   and scrapes the example, a real Alertmanager receives from it, for
//!   each line in the field (2.42 with 0.25, 3.5.3 with 0.33.1): with
//!   healthy traffic nothing fires; after a burst of server errors
//!   the fast-burn page (1h/5m) is read back from Alertmanager's API, and it
//!   resolves when the errors stop; every query of the generated dashboard
//!   parses and returns data there, and its JSON holds what Grafana's
//!   dashboard model requires of it (checked here: no Grafana runs here);
//! - a real Prometheus evaluates the telemetry example's generated alert
//!   rules on its scraped values and fires exactly the alerts its own
//!   `telemetry_alerts_firing` gauge says fire.
//!
//! Where a system it needs is missing, cargo reports the test
//! ignored with what to install; in CI it fails. Every wait is bounded; every process is stopped whatever happens.

use enumeter_suite::support;

use std::collections::BTreeSet;
use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use enumeter::objectives::RuleSet;
use enumeter::{metrics, LabelValue};
use support::servers::{
    self, active_alerts, alertmanager_of, query_all, query_result, wait_for, Line, TempDir,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Method {
    Get,
    Post,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Outcome {
    Ok,
    Timeout,
    Refused,
}

/// Shapes the examples do not have: no `by`, a whole bound, a native
/// threshold, two labels that select bad events, a divided threshold
/// alert.
#[metrics(namespace = "shapes", register = false)]
pub enum Shapes {
    /// Calls, by method and outcome.
    #[counter(objective(
        name = "shapes-calls",
        target = 0.99,
        window_days = 7,
        bad(method = [Post], outcome = [Timeout, Refused])
    ))]
    CallsTotal { method: Method, outcome: Outcome },
    /// Call time, classic buckets.
    #[histogram(unit = "seconds", buckets = [0.5, 1, 2], objective(name = "shapes-classic", target = 0.9, below = 1))]
    Classic,
    /// Call time, native buckets.
    #[histogram(
        unit = "seconds",
        native,
        objective(name = "shapes-native", target = 0.95, below = 0.7)
    )]
    Native,
    /// Queue length.
    #[gauge(alert(name = "shapes-queue-full", over = QueueCapacity, above = 0.8, severity = "critical", description = "queue above 80%"))]
    QueueLength,
    /// Queue capacity.
    #[gauge]
    QueueCapacity,
}

/// Runs `example --flag dir [more...]`; the directory written.
fn write_files(example: &str, flag: &str, dir: &std::path::Path, more: &[&str]) {
    let out = Command::new(support::example_binary(example))
        .arg(flag)
        .arg(dir)
        .args(more)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_payments_rules_and_dashboard_are_the_pinned_ones() {
    let dir = TempDir::new("rules-pinned");
    write_files("payments", "--write", &dir.0, &[]);
    for (written, pinned) in [
        ("rules.yml", "payments.rules.yml"),
        ("dashboard.json", "payments.dashboard.json"),
    ] {
        let text = std::fs::read_to_string(dir.0.join(written)).unwrap();
        let path = format!("{}/tests/expected/{pinned}", env!("CARGO_MANIFEST_DIR"));
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(text, expected, "{written} differs from the pinned {pinned}");
        if written == "dashboard.json" {
            check_dashboard(&text);
        }
    }
}

#[test]
#[cfg_attr(
    any(missing_promtool, missing_promtool3),
    ignore = "needs promtool 2.42 (apt-get install prometheus) and 3.5.3 (Debian sid's, as .ci/run fetches it into target/prometheus-sid)"
)]
fn generated_rules_pass_promtool_check_and_test() {
    // Shapes twice: promtool 2 cannot read the native latency objective's
    // tests, which promtool 3 runs.
    let shapes = |native: bool| {
        let dir = TempDir::new(&format!("rules-shapes-{native}"));
        let rules = RuleSet::new()
            .with(Shapes::objectives())
            .native_tests(native);
        std::fs::write(dir.0.join("rules.yml"), rules.prometheus_rules()).unwrap();
        std::fs::write(
            dir.0.join("rules.test.yml"),
            rules.promtool_tests("rules.yml"),
        )
        .unwrap();
        let tests = std::fs::read_to_string(dir.0.join("rules.test.yml")).unwrap();
        // The native objective's burn-rate pairs, budget and no-data
        // alerts are tested with promtool 3, left out for promtool 2.
        assert_eq!(tests.contains("ShapesNativeBurnRate"), native, "{tests}");
        dir
    };
    let shapes_3 = shapes(true);
    let mut dirs = vec![("shapes", shapes(false))];
    for (example, flag) in [
        ("payments", "--write"),
        ("telemetry", "--write-rules"),
        ("traced_service", "--rules"),
    ] {
        let dir = TempDir::new(&format!("rules-{example}"));
        write_files(example, flag, &dir.0, &[]);
        dirs.push((example, dir));
    }
    // The UTF-8 names of the opentelemetry_names example: PromQL 3 only.
    let utf8 = TempDir::new("rules-utf8");
    write_files("opentelemetry_names", "--rules", &utf8.0, &[]);
    let only_3 = [
        ("shapes with native tests", &shapes_3),
        ("opentelemetry_names", &utf8),
    ];
    for line in Line::BOTH {
        let line_3 = only_3
            .iter()
            .filter(|_| line == Line::Three)
            .map(|(w, d)| (*w, *d));
        let all = dirs.iter().map(|(w, d)| (*w, d)).chain(line_3);
        for (what, dir) in all {
            for args in [
                ["check", "rules", "rules.yml"],
                ["test", "rules", "rules.test.yml"],
            ] {
                let (code, out) = support::promtool_of(line, &dir.0, &args);
                assert_eq!(
                    code,
                    0,
                    "{line}, {what}, promtool {}: {out}",
                    args.join(" ")
                );
            }
        }
        let mut names: Vec<&str> = dirs.iter().map(|(what, _)| *what).collect();
        if line == Line::Three {
            names.extend(only_3.iter().map(|(what, _)| *what));
        }
        println!("promtool of {line}: check rules and test rules pass for {names:?}");
    }
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
fn a_burst_of_errors_pages_through_a_real_alertmanager_and_resolves_when_it_stops() {
    for tool in ["prometheus", "alertmanager", "prometheus3", "alertmanager3"] {
        support::require(tool);
    }
    for line in Line::BOTH {
        pages_and_resolves(line);
    }
}

/// The payments example under Prometheus and Alertmanager of `line`: quiet
/// when healthy, paged on a burst of errors, resolved after it, and its
/// no-data alerts once it stops.
fn pages_and_resolves(line: Line) {
    let dir = TempDir::new(&format!("objectives-e2e-{line:?}"));
    write_files(
        "payments",
        "--write",
        &dir.0,
        &["--windows-divided-by", "60"],
    );
    let (_am, am_addr) = alertmanager_of(line, &dir.0);

    let (payments, target, mut control) =
        support::serve_example_args("payments", &["127.0.0.1:0"], 240, &[]);

    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
         rule_files:\n  - {}\n\
         alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['{am_addr}']\n\
         scrape_configs:\n  - job_name: payments\n    static_configs:\n      - targets: ['{target}']\n",
        dir.0.join("rules.yml").display()
    );
    let (_prometheus, addr) = servers::prometheus_of(line, &dir.0, &config, &[]);
    let limit = Duration::from_secs(60);
    let page = "PaymentsAvailabilityBurnRate1h5m";

    // Healthy: the ratios are there for every route, and nothing fires.
    let ratio = r#"enumeter_slo:error_ratio:rate5m{objective="payments-availability"}"#;
    wait_for(limit, "the 5m error ratios of the 3 routes", || {
        query_all(&addr, ratio).filter(|v| v.len() == 3)
    });
    std::thread::sleep(Duration::from_secs(6)); // past the short window
    let firing = query_result(&addr, "ALERTS").unwrap();
    assert!(firing.is_empty(), "healthy traffic fired {firing:?}");
    assert!(active_alerts(&am_addr).is_empty());

    // The dashboard: every query parses and returns data.
    let queries = std::fs::read_to_string(dir.0.join("dashboard-queries.txt")).unwrap();
    for expr in queries.lines() {
        wait_for(limit, expr, || match query_result(&addr, expr) {
            Ok(series) if !series.is_empty() => Some(()),
            Ok(_) => None,
            Err(e) => panic!("{expr}: {e}"),
        });
    }
    check_dashboard(&std::fs::read_to_string(dir.0.join("dashboard.json")).unwrap());

    // A burst: half the requests fail.
    writeln!(control, "errors 0.5").unwrap();
    let burst = Instant::now();
    let paged = wait_for(limit, "the fast-burn page in Alertmanager", || {
        let alerts: Vec<_> = active_alerts(&am_addr)
            .into_iter()
            .filter(|a| a["alertname"] == page)
            .collect();
        (alerts.len() == 3).then_some(alerts)
    });
    let paged_after = burst.elapsed();
    for labels in &paged {
        assert_eq!(labels["severity"], "page");
        assert_eq!(labels["objective"], "payments-availability");
        assert_eq!(
            (&labels["long_window"], &labels["short_window"]),
            (&"1h".into(), &"5m".into())
        );
    }
    let routes: BTreeSet<String> = paged
        .iter()
        .map(|l| l["route"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        routes,
        ["authorize", "capture", "refund"].map(String::from).into()
    );
    let pairs: BTreeSet<String> = active_alerts(&am_addr)
        .iter()
        .map(|l| l["alertname"].as_str().unwrap_or_default().to_owned())
        .collect();

    // The errors stop: the page resolves.
    writeln!(control, "errors 0").unwrap();
    let calm = Instant::now();
    wait_for(limit, "the page to resolve in Alertmanager", || {
        active_alerts(&am_addr)
            .iter()
            .all(|a| a["alertname"] != page)
            .then_some(())
    });
    let resolved_after = calm.elapsed();

    // The example stops: its series go missing, and the no-data alert of
    // each objective fires within its window (1 h divided by 60), with
    // scrape staleness and evaluation on top.
    drop(payments);
    let stopped = Instant::now();
    let silent = wait_for(
        Duration::from_secs(150),
        "the no-data alerts in Alertmanager",
        || {
            let names: BTreeSet<String> = active_alerts(&am_addr)
                .iter()
                .filter(|a| {
                    a["alertname"]
                        .as_str()
                        .is_some_and(|n| n.ends_with("NoData"))
                })
                .map(|a| a["alertname"].as_str().unwrap().to_owned())
                .collect();
            (names.len() == 2).then_some(names)
        },
    );
    assert_eq!(
        silent,
        ["PaymentsAvailabilityNoData", "PaymentsLatencyNoData"]
            .map(String::from)
            .into()
    );
    println!(
        "{line}: paged {:.1} s after the burst began ({} alerts then: {pairs:?}); resolved {:.1} s \
         after it ended; no data reported {:.1} s after the example stopped; {} dashboard \
         queries answered",
        paged_after.as_secs_f64(),
        pairs.len(),
        resolved_after.as_secs_f64(),
        stopped.elapsed().as_secs_f64(),
        queries.lines().count()
    );
}

/// What Grafana's dashboard model requires of the generated JSON, as far
/// as this test can tell without a Grafana: the top-level fields, a
/// unique id and a known type for every panel, grid positions inside the
/// 24 columns that do not overlap, and for each query panel a Prometheus
/// data source and targets with a unique `refId` and an expression.
fn check_dashboard(text: &str) {
    let dashboard: serde_json::Value = serde_json::from_str(text).expect("the dashboard is JSON");
    for key in [
        "title",
        "uid",
        "schemaVersion",
        "panels",
        "templating",
        "time",
    ] {
        assert!(dashboard.get(key).is_some(), "no {key}");
    }
    assert!(dashboard["uid"].as_str().unwrap().len() <= 40);
    let mut ids = BTreeSet::new();
    let mut cells = BTreeSet::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        assert!(ids.insert(panel["id"].as_u64().unwrap()), "{panel}");
        let kind = panel["type"].as_str().unwrap();
        assert!(
            ["row", "timeseries", "stat", "table"].contains(&kind),
            "{kind}"
        );
        let grid = &panel["gridPos"];
        let (x, y, w, h) = (
            grid["x"].as_u64().unwrap(),
            grid["y"].as_u64().unwrap(),
            grid["w"].as_u64().unwrap(),
            grid["h"].as_u64().unwrap(),
        );
        assert!(x + w <= 24 && w > 0 && h > 0, "{panel}");
        for col in x..x + w {
            for row in y..y + h {
                assert!(
                    cells.insert((col, row)),
                    "overlapping panels at {col},{row}"
                );
            }
        }
        if kind == "row" {
            continue;
        }
        assert_eq!(panel["datasource"]["type"], "prometheus");
        let mut refs = BTreeSet::new();
        for target in panel["targets"].as_array().unwrap() {
            assert!(refs.insert(target["refId"].as_str().unwrap().to_owned()));
            assert!(!target["expr"].as_str().unwrap().is_empty());
        }
        assert!(!refs.is_empty(), "{panel}");
    }
}

#[test]
#[cfg_attr(
    missing_prometheus,
    ignore = "needs Prometheus: apt-get install prometheus"
)]
fn prometheus_fires_exactly_the_telemetry_alerts_the_example_reports() {
    support::require("prometheus");
    let dir = TempDir::new("telemetry-alerts");
    write_files("telemetry", "--write-rules", &dir.0, &[]);
    let (_telemetry, target, _) =
        support::serve_example_args("telemetry", &["--serve", "127.0.0.1:0"], 240, &[]);
    let config = format!(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
         rule_files:\n  - {}\n\
         scrape_configs:\n  - job_name: telemetry\n    static_configs:\n      - targets: ['{target}']\n",
        dir.0.join("rules.yml").display()
    );
    let (_prometheus, addr) = servers::prometheus(&dir.0, &config);
    let limit = Duration::from_secs(60);
    // What the example says, as scraped (every alert and severity).
    let reported = wait_for(limit, "the example's alerts gauge", || {
        let series = query_result(&addr, "telemetry_alerts_firing").ok()?;
        (series.len() == 4 * 3).then_some(series)
    });
    let firing_in_example: BTreeSet<String> = reported
        .iter()
        .filter(|s| s["value"][1] == "1")
        .map(|s| s["metric"]["alert"].as_str().unwrap().to_owned())
        .collect();
    // What Prometheus evaluates from the generated rules (after a few
    // evaluations of scraped data).
    std::thread::sleep(Duration::from_secs(3));
    let firing_in_prometheus: BTreeSet<String> = wait_for(limit, "ALERTS", || {
        let alerts = query_result(&addr, r#"ALERTS{alertstate="firing"}"#).ok()?;
        let names: BTreeSet<String> = alerts
            .iter()
            .map(|s| s["metric"]["alert"].as_str().unwrap().to_owned())
            .collect();
        (names.len() == firing_in_example.len()).then_some(names)
    });
    assert_eq!(firing_in_prometheus, firing_in_example);
    assert!(!firing_in_example.is_empty() && firing_in_example.len() < 4);
    println!("both fire {firing_in_example:?}, and no other of the 4");
}
