//! End to end, for each Prometheus line (2.42, 3.5.3): a real Prometheus
//! with native histograms enabled asks
//! for the protobuf exposition, the exporter answers with it, and the query
//! API returns exactly the recorded values of every kind. A pass-through
//! proxy between the two records what Prometheus asked for and what it got.
//!
//! Where a system it needs is missing, cargo reports the test
//! ignored with what to install; in CI it fails.

use enumeter_suite::support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use enumeter::{metrics, Exporter, LabelValue, Registry};
use support::servers::{self, expect_value, Line, TempDir};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Link {
    Up,
    Down,
}

/// Every kind, scraped as protobuf.
#[metrics(namespace = "wire", register = false)]
pub enum Wire {
    /// Requests, by link.
    #[counter]
    RequestsTotal { link: Link },
    /// Temperature.
    #[gauge(float)]
    Temperature,
    /// Latency.
    #[histogram(unit = "seconds", buckets = [0.1, 1])]
    Latency,
    /// Sizes.
    #[summary(quantiles = [0.5])]
    Size,
    /// The link's state.
    #[state_set(states = Link)]
    State,
    /// Native buckets, schema 0.
    #[histogram(
        unit = "seconds",
        native(schema = 0, zero_threshold = 0.001, max = 1000)
    )]
    Native,
}

static WIRE: WireMetrics = WireMetrics::new();

/// Forwards each connection on `listener` to `target`, recording the
/// request's `Accept` header and the response's `Content-Type`.
fn proxy(listener: TcpListener, target: String, seen: Arc<Mutex<Vec<(String, String)>>>) {
    for client in listener.incoming().take(200) {
        let Ok(mut client) = client else { continue };
        let _ = client.set_read_timeout(Some(Duration::from_secs(5)));
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
            match client.read(&mut byte) {
                Ok(1) => head.push(byte[0]),
                _ => break,
            }
        }
        let header = |text: &str, name: &str| {
            text.lines()
                .find_map(|l| {
                    let (n, v) = l.split_once(':')?;
                    n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
                })
                .unwrap_or_default()
        };
        let accept = header(&String::from_utf8_lossy(&head), "accept");
        let Ok(mut upstream) = TcpStream::connect(&target) else {
            continue;
        };
        let _ = upstream.set_read_timeout(Some(Duration::from_secs(5)));
        if upstream.write_all(&head).is_err() {
            continue;
        }
        // The exporter closes each connection after its response.
        let mut response = Vec::new();
        let _ = upstream.read_to_end(&mut response);
        let end = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(response.len());
        let content_type = header(&String::from_utf8_lossy(&response[..end]), "content-type");
        seen.lock().unwrap().push((accept, content_type));
        let _ = client.write_all(&response);
    }
}

#[test]
#[cfg_attr(
    any(missing_prometheus, missing_prometheus3),
    ignore = "needs Prometheus 2.42 (apt-get install prometheus) and 3.5.3 (Debian sid's, as .ci/run fetches it into target/prometheus-sid)"
)]
fn a_real_prometheus_with_native_histograms_scrapes_protobuf_and_reads_back_every_value() {
    support::require("prometheus");
    support::require("prometheus3");
    WIRE.requests_total(Link::Down).add(7);
    WIRE.temperature().set(-1.5);
    for v in [0.05, 0.5, 5.0] {
        WIRE.latency().observe(v);
    }
    for v in 1..=100 {
        WIRE.size().observe(f64::from(v));
    }
    WIRE.state().set(Link::Down);
    for v in [0.0005, 0.75, 1.0, 1.5, 2.0, 6.0, 7.0, 8.0] {
        WIRE.native().observe(v);
    }

    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .registry(Arc::new(Registry::new().with(&WIRE)))
        .start()
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let target = listener.local_addr().unwrap().to_string();
    let seen = Arc::new(Mutex::new(Vec::new()));
    {
        let seen = Arc::clone(&seen);
        let exporter_addr = exporter.local_addr().to_string();
        std::thread::spawn(move || proxy(listener, exporter_addr, seen));
    }

    for line in Line::BOTH {
        seen.lock().unwrap().clear();
        reads_back_every_value(line, &target, &seen);
    }
    exporter.shutdown();
}

/// Prometheus of `line`, native histograms on, scraping `target` (the
/// proxy, which notes in `seen` what was asked and answered): every value
/// read back exactly, every scrape in protobuf.
fn reads_back_every_value(line: Line, target: &str, seen: &Mutex<Vec<(String, String)>>) {
    let dir = TempDir::new(&format!("protobuf-{line:?}"));
    let (_prometheus, prometheus) = servers::prometheus_of(
        line,
        &dir.0,
        &servers::scrape_every_second("wire", target),
        &["--enable-feature=native-histograms"],
    );

    let limit = Duration::from_secs(30);
    let expect = |query: &str, value: f64| expect_value(&prometheus, query, value, limit);
    expect(r#"wire_requests_total{link="down"}"#, 7.0);
    expect(r#"wire_requests_total{link="up"}"#, 0.0);
    expect("wire_temperature", -1.5);
    expect(r#"wire_latency_seconds_bucket{le="0.1"}"#, 1.0);
    // Prometheus spells `le` from protobuf as OpenMetrics does ("1.0"),
    // 2.x from the 0.0.4 text as written ("1"): its parser's choice.
    expect(r#"wire_latency_seconds_bucket{le="1.0"}"#, 2.0);
    expect(r#"wire_latency_seconds_bucket{le="+Inf"}"#, 3.0);
    expect("wire_latency_seconds_sum", 5.55);
    expect("wire_latency_seconds_count", 3.0);
    expect("wire_size_count", 100.0);
    expect("wire_size_sum", 5050.0);
    // The median read back is the one exposed, and within the declared
    // 1% of the exact median of the values observed (1 to 100).
    let median = WIRE.size().snapshot().quantiles[0].1;
    expect(r#"wire_size{quantile="0.5"}"#, median);
    let values: Vec<f64> = (1..=100).map(f64::from).collect();
    let exact = support::exact_rank(&values, 0.5);
    assert_eq!(exact, 50.0);
    assert!(
        (median - exact).abs() <= exact * 0.01,
        "{median} against {exact}"
    );
    expect(r#"wire_state{wire_state="down"}"#, 1.0);
    expect(r#"wire_state{wire_state="up"}"#, 0.0);

    // The native histogram, as Prometheus returns it: count, sum, and each
    // bucket's boundaries rule, bounds and count.
    let native = servers::wait_for(limit, "the native histogram", || {
        let path = format!(
            "/api/v1/query?query={}",
            support::url_encode("wire_native_seconds")
        );
        let (_, body) = support::http_get(&prometheus, &path).ok()?;
        let json: serde_json::Value = serde_json::from_str(&body).ok()?;
        json["data"]["result"]
            .get(0)?
            .get("histogram")
            .map(|h| h[1].clone())
    });
    assert_eq!(native["count"], "8");
    assert_eq!(native["sum"], "26.2505");
    let buckets: Vec<String> = native["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| format!("{} {} {} {}", b[0], b[1], b[2], b[3]))
        .collect();
    assert_eq!(
        buckets,
        [
            r#"3 "-0.001" "0.001" "1""#,
            r#"0 "0.5" "1" "2""#,
            r#"0 "1" "2" "2""#,
            r#"0 "4" "8" "3""#,
        ]
    );

    drop(_prometheus);
    let seen = seen.lock().unwrap().clone();
    assert!(!seen.is_empty());
    for (accept, content_type) in &seen {
        assert!(
            accept.starts_with("application/vnd.google.protobuf"),
            "Prometheus asked for {accept}"
        );
        // Prometheus 3 names `allow-utf-8` on its text ranges, which the
        // protobuf answer takes; Prometheus 2 names no scheme.
        let escaping = match line {
            Line::Two => "underscores",
            Line::Three => "allow-utf-8",
        };
        assert_eq!(
            *content_type,
            format!(
                "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; \
                 encoding=delimited; escaping={escaping}"
            )
        );
    }
    println!("{line} asked with Accept: {}", seen[0].0);
    println!(
        "{line}: {} scrapes through the proxy, all protobuf; 13 values and a native histogram read back exactly",
        seen.len()
    );
}
