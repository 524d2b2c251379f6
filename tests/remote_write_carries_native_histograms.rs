//! End to end: native histograms reach a real Prometheus 2.42 (started with
//! `--enable-feature=native-histograms --web.enable-remote-write-receiver`)
//! both ways, from one registry: scraped as protobuf (job `scrape`) and
//! pushed by remote write (job `push`). `histogram_count`, `histogram_sum`,
//! `histogram_quantile` and the buckets read back are the same for both,
//! and exactly the values recorded.
//!
//! Where a system it needs is missing, cargo reports the test
//! ignored with what to install; in CI it fails.

use enumeter_suite::support;

use std::sync::Arc;
use std::time::Duration;

use enumeter::push::RemoteWrite;
use enumeter::{metrics, Exporter, LabelValue, Registry};
use support::servers::{self, expect_value, TempDir};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Route {
    Home,
    Search,
}

/// Request latency, native and classic.
#[metrics(namespace = "nat", register = false)]
pub enum Nat {
    /// Latency by route: native buckets at schema 0 beside one classic
    /// bound.
    #[histogram(
        unit = "seconds",
        buckets = [1],
        native(schema = 0, zero_threshold = 0.001, max = 1000)
    )]
    Latency { route: Route },
    /// Sizes, native buckets only.
    #[histogram(unit = "bytes", native(schema = 1, max = 1e6))]
    Size,
}

static NAT: NatMetrics = NatMetrics::new();

/// The buckets of the one native histogram `query` returns, as
/// "boundary-rule lower upper count" lines.
fn native_buckets(prometheus: &str, query: &str) -> (String, String, Vec<String>) {
    servers::wait_for(Duration::from_secs(30), query, || {
        let path = format!("/api/v1/query?query={}", support::url_encode(query));
        let (_, body) = support::http_get(prometheus, &path).ok()?;
        let json: serde_json::Value = serde_json::from_str(&body).ok()?;
        let result = json["data"]["result"].as_array()?;
        let [one] = result.as_slice() else {
            return None;
        };
        let histogram = &one.get("histogram")?[1];
        let buckets = histogram["buckets"]
            .as_array()?
            .iter()
            .map(|b| format!("{} {} {} {}", b[0], b[1], b[2], b[3]))
            .collect();
        Some((
            histogram["count"].as_str()?.to_owned(),
            histogram["sum"].as_str()?.to_owned(),
            buckets,
        ))
    })
}

#[test]
#[cfg_attr(
    missing_prometheus,
    ignore = "needs Prometheus: apt-get install prometheus"
)]
fn native_histograms_pushed_by_remote_write_read_back_as_a_scrape_of_them_does() {
    support::require("prometheus");
    for v in [0.0005, 0.75, 1.0, 1.5, 2.0, 6.0, 7.0, 8.0] {
        NAT.latency(Route::Home).observe(v);
    }
    NAT.latency(Route::Search).observe(3.0);
    for v in [100.0, 1000.0, 1000.0, 50_000.0] {
        NAT.size().observe(v);
    }
    let registry = Arc::new(Registry::new().with(&NAT));

    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .registry(Arc::clone(&registry))
        .start()
        .unwrap();
    let dir = TempDir::new("remote-write-native");
    let (_prometheus, prometheus) = servers::prometheus_with(
        &dir.0,
        &servers::scrape_every_second("scrape", &exporter.local_addr().to_string()),
        &["--enable-feature=native-histograms"],
    );
    let pusher = RemoteWrite::new(&format!("http://{prometheus}/api/v1/write"))
        .registry(Arc::clone(&registry))
        .external_label("job", "push")
        .interval(Duration::from_millis(200))
        .start()
        .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    let stats = pusher.shutdown();
    assert_eq!(stats.dropped(), 0, "{stats:?}");
    assert_eq!(stats.samples_sent, stats.samples_queued, "{stats:?}");

    let limit = Duration::from_secs(30);
    for job in ["scrape", "push"] {
        let home = format!(r#"nat_latency_seconds{{job="{job}",route="home"}}"#);
        expect_value(&prometheus, &format!("histogram_count({home})"), 8.0, limit);
        expect_value(
            &prometheus,
            &format!("histogram_sum({home})"),
            26.2505,
            limit,
        );
        // The median of 8 observations is the 4th: in (1, 2], which holds
        // the 4th and 5th, interpolated linearly as Prometheus 2.42 does.
        expect_value(
            &prometheus,
            &format!("histogram_quantile(0.5, {home})"),
            1.5,
            limit,
        );
        let (count, sum, buckets) = native_buckets(&prometheus, &home);
        assert_eq!((count.as_str(), sum.as_str()), ("8", "26.2505"), "{job}");
        assert_eq!(
            buckets,
            [
                r#"3 "-0.001" "0.001" "1""#,
                r#"0 "0.5" "1" "2""#,
                r#"0 "1" "2" "2""#,
                r#"0 "4" "8" "3""#,
            ],
            "{job}"
        );
        let search = format!(r#"nat_latency_seconds{{job="{job}",route="search"}}"#);
        expect_value(
            &prometheus,
            &format!("histogram_count({search})"),
            1.0,
            limit,
        );
        let size = format!(r#"nat_size_bytes{{job="{job}"}}"#);
        expect_value(&prometheus, &format!("histogram_count({size})"), 4.0, limit);
        expect_value(
            &prometheus,
            &format!("histogram_sum({size})"),
            52_100.0,
            limit,
        );
        let (count, _, buckets) = native_buckets(&prometheus, &size);
        assert_eq!(count, "4", "{job}");
        // Schema 1: boundaries 2^(k/2), as Prometheus computes them. 100
        // in (90.5, 128], 1000 in (724.1, 1024], 50,000 in (46341, 65536].
        assert_eq!(
            buckets,
            [
                r#"0 "90.50966799187808" "128" "1""#,
                r#"0 "724.0773439350246" "1024" "2""#,
                r#"0 "46340.950011841574" "65536" "1""#,
            ],
            "{job}"
        );
    }
    // Remote write sends the classic series beside the native histogram
    // (a receiver without native histograms keeps those); Prometheus 2.42
    // stores only the native one from a protobuf scrape.
    expect_value(
        &prometheus,
        r#"nat_latency_seconds_bucket{job="push",route="home",le="1"}"#,
        3.0,
        limit,
    );
    expect_value(
        &prometheus,
        r#"nat_latency_seconds_count{job="push",route="home"}"#,
        8.0,
        limit,
    );
    println!("native histograms read back the same from a protobuf scrape and from remote write");
    exporter.shutdown();
}
