//! The axum example serves the same exposition as the exporter, with the
//! negotiated content type.

use enumeter_suite::support;

#[test]
fn the_axum_handler_serves_both_formats_from_the_default_registry() {
    let (_example, addr) = support::serve_example("axum_handler", 30);
    let (status, body) = support::http_get(&addr, "/hello").unwrap();
    assert_eq!((status, body.as_str()), (200, "hello\n"));
    let (status, head, body) = support::http_get_with(&addr, "/metrics", "").unwrap();
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/plain; version=0.0.4"),
        "{head}"
    );
    assert!(
        body.starts_with(
            "# HELP app_greetings_total Greetings served.\n\
                 # TYPE app_greetings_total counter\n\
                 app_greetings_total 1\n"
        ),
        "{body}"
    );
    let accept = "Accept: application/openmetrics-text; version=1.0.0\r\n";
    let (status, head, body) = support::http_get_with(&addr, "/metrics", accept).unwrap();
    assert_eq!(status, 200);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/openmetrics-text"),
        "{head}"
    );
    assert!(
        body.starts_with("# HELP app_greetings Greetings served.\n"),
        "{body}"
    );
    assert!(body.ends_with("# EOF\n"), "{body}");
    // The layer counted the requests before this one, by route.
    assert!(
        body.contains(
            "http_server_requests_total{method=\"get\",status=\"2xx\",route=\"hello\"} 1\n"
        ),
        "{body}"
    );
    assert!(
        body.contains(
            "http_server_requests_total{method=\"get\",status=\"2xx\",route=\"metrics\"} 1\n"
        ),
        "{body}"
    );
}
