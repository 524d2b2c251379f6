//! End to end: a registry pushed to a real Pushgateway (the Debian
//! package's `prometheus-pushgateway`, on 127.0.0.1) comes back exactly
//! through the query API of a real Prometheus that scrapes the gateway;
//! push-add replaces only what it sends; delete removes the group; every
//! non-2xx answer is an error that says what the gateway answered; basic
//! auth gets through a gateway that requires it, and a wrong password does
//! not.
//!
//! Where a system it needs is missing, cargo reports the test
//! ignored with what to install; in CI it fails. Every wait is bounded, and every process is stopped whatever
//! happens.

use enumeter_suite::support;

use std::time::Duration;

use enumeter::push::{PushError, Pushgateway};
use enumeter::{metrics, LabelValue, Registry};
use support::servers::{self, query_all, wait_for, TempDir};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Table {
    Users,
    Orders,
}

/// A nightly batch job.
#[metrics(namespace = "nightly", register = false)]
pub enum Nightly {
    /// Rows copied, by table.
    #[counter]
    RowsCopiedTotal { table: Table },
    /// Files left in the staging directory.
    #[gauge]
    StagedFiles,
    /// Time per table.
    #[histogram(unit = "seconds", buckets = [1, 10])]
    CopyDuration,
}

/// Metrics pushed later with push-add.
#[metrics(namespace = "nightly", register = false)]
pub enum NightlyExtra {
    /// When the last run ended.
    #[gauge(float)]
    LastRunTimestampSeconds,
}

#[test]
#[cfg_attr(
    any(missing_prometheus, missing_pushgateway),
    ignore = "needs Prometheus and a Pushgateway: apt-get install prometheus prometheus-pushgateway"
)]
fn pushed_values_come_back_through_a_prometheus_that_scrapes_the_gateway() {
    support::require("pushgateway");
    support::require("prometheus");
    let (_gateway, gateway) = servers::pushgateway();
    let dir = TempDir::new("pushgateway");
    let (_prometheus, prometheus) = servers::prometheus(
        &dir.0,
        &format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\
             scrape_configs:\n  - job_name: pushgateway\n    honor_labels: true\n\
             \x20   static_configs:\n      - targets: ['{gateway}']\n"
        ),
    );

    let nightly = NightlyMetrics::new();
    nightly.rows_copied_total(Table::Users).add(1200);
    nightly.rows_copied_total(Table::Orders).add(34);
    nightly.staged_files().set(-2);
    for seconds in [0.5, 4.0, 4.0, 30.0] {
        nightly.copy_duration().observe(seconds);
    }
    // The instance value needs base64 in the URL path.
    let group = Pushgateway::new(&format!("http://{gateway}"), "nightly")
        .unwrap()
        .grouping_label("instance", "db/1")
        .unwrap()
        .timeout(Duration::from_secs(5));
    group.push(&Registry::new().with(&nightly)).unwrap();

    let labels = r#"job="nightly",instance="db/1""#;
    let expect = |expr: String, expected: f64| {
        servers::expect_value(&prometheus, &expr, expected, Duration::from_secs(30));
    };
    expect(
        format!(r#"nightly_rows_copied_total{{{labels},table="users"}}"#),
        1200.0,
    );
    expect(
        format!(r#"nightly_rows_copied_total{{{labels},table="orders"}}"#),
        34.0,
    );
    expect(format!("nightly_staged_files{{{labels}}}"), -2.0);
    expect(
        format!(r#"nightly_copy_duration_seconds_bucket{{{labels},le="1"}}"#),
        1.0,
    );
    expect(
        format!(r#"nightly_copy_duration_seconds_bucket{{{labels},le="10"}}"#),
        3.0,
    );
    expect(
        format!(r#"nightly_copy_duration_seconds_bucket{{{labels},le="+Inf"}}"#),
        4.0,
    );
    expect(
        format!("nightly_copy_duration_seconds_sum{{{labels}}}"),
        38.5,
    );
    expect(
        format!("nightly_copy_duration_seconds_count{{{labels}}}"),
        4.0,
    );

    // Push-add replaces what it sends and keeps the rest.
    let extra = NightlyExtraMetrics::new();
    extra.last_run_timestamp_seconds().set(1_700_000_000.5);
    group.push_add(&Registry::new().with(&extra)).unwrap();
    expect(
        format!("nightly_last_run_timestamp_seconds{{{labels}}}"),
        1_700_000_000.5,
    );
    nightly.rows_copied_total(Table::Users).add(1);
    group.push_add(&Registry::new().with(&nightly)).unwrap();
    expect(
        format!(r#"nightly_rows_copied_total{{{labels},table="users"}}"#),
        1201.0,
    );
    expect(
        format!("nightly_last_run_timestamp_seconds{{{labels}}}"),
        1_700_000_000.5,
    );

    // Delete removes the group: the next scrape has none of its series.
    group.delete().unwrap();
    let expr = format!(r#"{{__name__=~"nightly_.*",{labels}}}"#);
    wait_for(Duration::from_secs(30), "the deleted series to go", || {
        query_all(&prometheus, &expr).filter(Vec::is_empty)
    });

    // A non-2xx answer is an error with the status and the gateway's words.
    let wrong_path =
        Pushgateway::new(&format!("http://{gateway}/no/such/prefix"), "nightly").unwrap();
    match wrong_path.push(&Registry::new().with(&nightly)) {
        Err(PushError::Status { status: 404, .. }) => {}
        other => panic!("expected a 404 error, got {other:?}"),
    }
    // The gateway refuses a series that contradicts a grouping label.
    let contradicting = Pushgateway::new(&format!("http://{gateway}"), "nightly")
        .unwrap()
        .grouping_label("table", "users")
        .unwrap();
    match contradicting.push(&Registry::new().with(&nightly)) {
        Err(PushError::Status { status: 400, body }) => {
            assert!(!body.is_empty(), "the gateway says why");
        }
        other => panic!("expected a 400 error, got {other:?}"),
    }
    // Nothing listening: a transport error.
    let port = servers::free_port();
    let nobody = Pushgateway::new(&format!("http://127.0.0.1:{port}"), "nightly").unwrap();
    assert!(matches!(nobody.delete(), Err(PushError::Transport(_))));
}

/// `nightly:n1ghtly-s3cret` for the gateway's web config: the bcrypt hash
/// (cost 4, to keep each check fast) made with Python's `bcrypt.hashpw`.
const NIGHTLY_BCRYPT: &str = "$2b$04$Nx8uoLvMMj.NRk9OwcWGLO/.0V.JwiUg3slYP/m.F5wfJWqcrtq2m";

#[test]
#[cfg_attr(
    missing_pushgateway,
    ignore = "needs a Pushgateway: apt-get install prometheus-pushgateway"
)]
fn basic_auth_gets_through_a_gateway_that_requires_it_and_a_wrong_password_does_not() {
    support::require("pushgateway");
    let dir = TempDir::new("pushgateway-auth");
    // base64("nightly:n1ghtly-s3cret"), as RFC 7617 spells the header.
    let authorization = "Authorization: Basic bmlnaHRseTpuMWdodGx5LXMzY3JldA==\r\n";
    let (_gateway, gateway) = servers::pushgateway_with_web_config(
        &dir.0,
        &format!("basic_auth_users:\n  nightly: {NIGHTLY_BCRYPT}\n"),
        authorization,
    );
    let nightly = NightlyMetrics::new();
    nightly.rows_copied_total(Table::Orders).add(7);
    let registry = Registry::new().with(&nightly);
    let url = format!("http://{gateway}");

    Pushgateway::new(&url, "nightly_auth")
        .unwrap()
        .basic_auth("nightly", "n1ghtly-s3cret")
        .push(&registry)
        .unwrap();
    let (status, _, text) = support::http_get_with(&gateway, "/metrics", authorization).unwrap();
    assert_eq!(status, 200);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("nightly_rows_copied_total{"))
        .collect();
    assert_eq!(
        lines,
        [
            r#"nightly_rows_copied_total{instance="",job="nightly_auth",table="orders"} 7"#,
            r#"nightly_rows_copied_total{instance="",job="nightly_auth",table="users"} 0"#,
        ]
    );

    // The gateway does check: neither a wrong password nor none gets in.
    let wrong = Pushgateway::new(&url, "nightly_auth")
        .unwrap()
        .basic_auth("nightly", "n1ghtly-s3creT");
    match wrong.push(&registry) {
        Err(PushError::Status { status: 401, .. }) => {}
        other => panic!("expected a 401 error, got {other:?}"),
    }
    match Pushgateway::new(&url, "nightly_auth").unwrap().delete() {
        Err(PushError::Status { status: 401, .. }) => {}
        other => panic!("expected a 401 error, got {other:?}"),
    }
    assert_eq!(support::http_get(&gateway, "/metrics").unwrap().0, 401);
}
