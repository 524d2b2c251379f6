//! Prometheus 3 names, end to end: the `opentelemetry_names` example
//! declares dotted metric and label names; a real Prometheus 3.5.3 (native
//! histograms, created-timestamp zeros and exemplars on, so that it asks
//! for protobuf first) scrapes it with its default scrape protocols and
//! with each text format, once per `metric_name_escaping_scheme`, and its
//! query API returns every recorded value under the name that scheme gives
//! (queried by the UTF-8 name where the scheme keeps it); a Prometheus
//! 2.42 scraping the same target gets the names escaped with
//! `underscores`, the only ones it reads.
//!
//! The expected names are written out here, not computed with enumeter's
//! own escaping.
//!
//! Where a system it needs is missing, cargo reports the test ignored with
//! what to install; in CI it fails. Every wait is bounded; every process is
//! stopped whatever happens.

use enumeter_suite::support;

use std::time::Duration;

use support::servers::{self, query, wait_for, Line, TempDir};

/// The names of one scheme: the counter, its two labels, the histogram's
/// bucket and count series, the gauge.
struct Names {
    finished: &'static str,
    provider: &'static str,
    outcome: &'static str,
    bucket: &'static str,
    count: &'static str,
    depth: &'static str,
}

const DECLARED: Names = Names {
    finished: "payments.finished_total",
    provider: "payment.provider",
    outcome: "payment.outcome",
    bucket: "payments.settle.duration_seconds_bucket",
    count: "payments.settle.duration_seconds_count",
    depth: "payments.queue.depth",
};

const UNDERSCORES: Names = Names {
    finished: "payments_finished_total",
    provider: "payment_provider",
    outcome: "payment_outcome",
    bucket: "payments_settle_duration_seconds_bucket",
    count: "payments_settle_duration_seconds_count",
    depth: "payments_queue_depth",
};

const DOTS: Names = Names {
    finished: "payments_dot_finished__total",
    provider: "payment_dot_provider",
    outcome: "payment_dot_outcome",
    bucket: "payments_dot_settle_dot_duration__seconds_bucket",
    count: "payments_dot_settle_dot_duration__seconds_count",
    depth: "payments_dot_queue_dot_depth",
};

const VALUES: Names = Names {
    finished: "U__payments_2e_finished__total",
    provider: "U__payment_2e_provider",
    outcome: "U__payment_2e_outcome",
    bucket: "U__payments_2e_settle_2e_duration__seconds_bucket",
    count: "U__payments_2e_settle_2e_duration__seconds_count",
    depth: "U__payments_2e_queue_2e_depth",
};

/// A PromQL selector: `{"name","label"="value",...}` as PromQL 3 reads
/// any name (`quoted`), or `name{label="value",...}` as PromQL 2 reads a
/// legacy one.
fn selector(name: &str, labels: &[(&str, &str)], quoted: bool) -> String {
    let label = |(k, v): &(&str, &str)| {
        if quoted {
            format!("\"{k}\"=\"{v}\"")
        } else {
            format!("{k}=\"{v}\"")
        }
    };
    let labels: Vec<String> = labels.iter().map(label).collect();
    if quoted {
        format!("{{\"{name}\",{}}}", labels.join(","))
    } else {
        format!("{name}{{{}}}", labels.join(","))
    }
}

/// Every value the example recorded, as (query, value), for `job`.
fn expectations(n: &Names, job: &str, quoted: bool) -> Vec<(String, f64)> {
    let finished = |provider, outcome| {
        let labels = [(n.provider, provider), (n.outcome, outcome), ("job", job)];
        selector(n.finished, &labels, quoted)
    };
    vec![
        (finished("card", "settled"), 7.0),
        (finished("card", "declined"), 2.0),
        (finished("card", "failed"), 1.0),
        (finished("wallet", "settled"), 3.0),
        (finished("wallet", "declined"), 0.0),
        (
            selector(
                n.bucket,
                &[(n.provider, "card"), ("le", "0.5"), ("job", job)],
                quoted,
            ),
            3.0,
        ),
        (
            selector(n.count, &[(n.provider, "card"), ("job", job)], quoted),
            5.0,
        ),
        (
            selector(n.count, &[(n.provider, "wallet"), ("job", job)], quoted),
            1.0,
        ),
        (selector(n.depth, &[("job", job)], quoted), 4.0),
    ]
}

fn check(prometheus: &str, names: &Names, job: &str) {
    for (expr, expected) in expectations(names, job, true) {
        let value = wait_for(Duration::from_secs(30), &expr, || query(prometheus, &expr));
        assert_eq!(value, expected, "{job}: {expr}");
    }
}

#[test]
#[cfg_attr(
    any(missing_prometheus, missing_prometheus3),
    ignore = "needs Prometheus 2.42 (apt-get install prometheus) and 3.5.3 (Debian sid's, as .ci/run fetches it into target/prometheus-sid)"
)]
fn each_scheme_stores_the_names_it_gives_and_prometheus_2_gets_underscores() {
    support::require("prometheus");
    support::require("prometheus3");
    let (_example, target) = support::serve_example("opentelemetry_names", 180);

    // One job per (scheme, protocols): the default protocols (protobuf
    // first, with native histograms on) and each text format of Prometheus 3.
    let schemes = [
        ("allow-utf-8", &DECLARED),
        ("underscores", &UNDERSCORES),
        ("dots", &DOTS),
        ("values", &VALUES),
    ];
    let protocols = [
        ("default", None),
        ("openmetrics", Some("OpenMetricsText1.0.0")),
        ("text", Some("PrometheusText1.0.0")),
    ];
    let mut config =
        String::from("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n");
    for (scheme, _) in schemes {
        for (what, protocol) in protocols {
            config.push_str(&format!(
                "  - job_name: '{scheme}-{what}'\n    metric_name_escaping_scheme: {scheme}\n"
            ));
            if let Some(protocol) = protocol {
                config.push_str(&format!("    scrape_protocols: [{protocol}]\n"));
            }
            config.push_str(&format!(
                "    static_configs: [{{targets: ['{target}']}}]\n"
            ));
        }
    }
    let dir = TempDir::new("utf8-names-3");
    let (_prometheus3, prometheus3) = servers::prometheus_of(
        Line::Three,
        &dir.0,
        &config,
        &["--enable-feature=native-histograms,created-timestamp-zero-ingestion,exemplar-storage"],
    );
    for (scheme, names) in schemes {
        for (what, _) in protocols {
            check(&prometheus3, names, &format!("{scheme}-{what}"));
        }
        println!(
            "Prometheus 3.5.3, {scheme}: every value under {}",
            names.finished
        );
    }
    // The stored names are the scheme's, and nothing else: no series of
    // the declared name under an escaping job, nor the reverse.
    for (scheme, names) in schemes {
        let others = schemes
            .iter()
            .filter(|(_, other)| other.finished != names.finished);
        for (_, other) in others {
            let job = format!("{scheme}-default");
            let expr = format!(
                "count({})",
                selector(other.finished, &[("job", &job)], true)
            );
            let found = servers::query_result(&prometheus3, &expr).unwrap();
            assert!(found.is_empty(), "{scheme}: {expr} found {found:?}");
        }
    }

    let dir = TempDir::new("utf8-names-2");
    let (_prometheus2, prometheus2) =
        servers::prometheus(&dir.0, &servers::scrape_every_second("old", &target));
    for (expr, expected) in expectations(&UNDERSCORES, "old", false) {
        let value = wait_for(Duration::from_secs(30), &expr, || {
            query(&prometheus2, &expr)
        });
        assert_eq!(value, expected, "Prometheus 2.42: {expr}");
    }
    println!(
        "Prometheus 2.42: every value under {}",
        UNDERSCORES.finished
    );
}
