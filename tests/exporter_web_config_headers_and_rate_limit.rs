//! The web configuration's `http_server_config.headers` on every answer
//! the exporter gives (metrics, refusals, its own `429`), and `rate_limit`:
//! past the bucket, requests are answered `429` by the front thread and
//! counted, until the bucket fills again.

use enumeter::Exporter;
use enumeter_suite::support::{http_get_with, own_counter};

const HEADERS: [&str; 2] = [
    "\r\nX-Frame-Options: deny\r\n",
    "\r\nContent-Security-Policy: default-src 'none'",
];

#[test]
fn every_answer_carries_the_headers_and_the_bucket_refuses_past_its_burst() {
    let exporter = Exporter::new()
        .address("127.0.0.1:0")
        .web_config(
            "http_server_config:\n  headers:\n    X-Frame-Options: deny\n    \
             Content-Security-Policy: \"default-src 'none'\"\n\
             rate_limit:\n  burst: 3\n  interval: 1h\n",
        )
        .start()
        .unwrap();
    let addr = exporter.local_addr().to_string();
    let limited = || {
        own_counter(
            "enumeter_exporter_refusals_total",
            &[("reason", "rate_limited")],
        )
    };
    let before = limited();
    let answers: Vec<(u16, String)> = ["/metrics", "/nothing", "/metrics", "/metrics", "/metrics"]
        .iter()
        .map(|path| {
            let (status, head, _) = http_get_with(&addr, path, "").unwrap();
            (status, head)
        })
        .collect();
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    // Three tokens: the metrics, a 404 and the metrics; then none.
    assert_eq!(statuses, [200, 404, 200, 429, 429]);
    for (status, head) in &answers {
        for header in HEADERS {
            assert!(head.contains(header), "{status}: {head}");
        }
    }
    assert_eq!(limited() - before, 2);
    exporter.shutdown();
}
