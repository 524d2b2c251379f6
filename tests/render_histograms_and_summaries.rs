//! Exact Prometheus text for histograms and summaries, with and without
//! labels.

use std::time::Duration;

use enumeter::{metrics, Format, LabelValue, Registry};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
#[label(rename_all = "lowercase")]
pub enum Endpoint {
    Tts,
    Stt,
}

/// Gateway metrics.
#[metrics(namespace = "gateway")]
pub enum Gateway {
    /// Request duration.
    #[histogram(unit = "seconds", buckets = [0.05, 0.1, 0.25, 1, 2.5])]
    RequestDuration { endpoint: Endpoint },
    /// Payload sizes.
    #[histogram(unit = "bytes", buckets = exponential(64, 4, 3))]
    PayloadSize,
    /// Queue depth seen by arrivals.
    #[histogram(buckets = linear(-1, 1.5, 3))]
    QueueDepth,
    /// Time to first byte, last minute.
    #[summary(unit = "seconds", quantiles = [0.5, 0.99], max_age_secs = 60)]
    FirstByte { endpoint: Endpoint },
    /// Upstream latency in milliseconds.
    #[summary(quantiles = [0.9], relative_error = 0.02, age_buckets = 2)]
    UpstreamMs,
}

fn render(gateway: &GatewayMetrics) -> String {
    Registry::new().with(gateway).render(Format::Prometheus)
}

#[test]
fn histograms_render_cumulative_buckets_sum_and_count() {
    let gateway = GatewayMetrics::new();
    for v in [0.01, 0.05, 0.07, 0.3, 0.3, 7.0] {
        gateway.request_duration(Endpoint::Stt).observe(v);
    }
    gateway.payload_size().observe(64.0);
    gateway.payload_size().observe(5000.0);
    gateway.queue_depth().observe(-1.0);
    gateway.queue_depth().observe(0.5);
    let text = render(&gateway);
    let histograms = &text[..text.find("# HELP gateway_first_byte_seconds").unwrap()];
    assert_eq!(
        histograms,
        "# HELP gateway_request_duration_seconds Request duration.\n\
         # TYPE gateway_request_duration_seconds histogram\n\
         gateway_request_duration_seconds_bucket{endpoint=\"tts\",le=\"0.05\"} 0\n\
         gateway_request_duration_seconds_bucket{endpoint=\"tts\",le=\"0.1\"} 0\n\
         gateway_request_duration_seconds_bucket{endpoint=\"tts\",le=\"0.25\"} 0\n\
         gateway_request_duration_seconds_bucket{endpoint=\"tts\",le=\"1\"} 0\n\
         gateway_request_duration_seconds_bucket{endpoint=\"tts\",le=\"2.5\"} 0\n\
         gateway_request_duration_seconds_bucket{endpoint=\"tts\",le=\"+Inf\"} 0\n\
         gateway_request_duration_seconds_sum{endpoint=\"tts\"} 0\n\
         gateway_request_duration_seconds_count{endpoint=\"tts\"} 0\n\
         gateway_request_duration_seconds_bucket{endpoint=\"stt\",le=\"0.05\"} 2\n\
         gateway_request_duration_seconds_bucket{endpoint=\"stt\",le=\"0.1\"} 3\n\
         gateway_request_duration_seconds_bucket{endpoint=\"stt\",le=\"0.25\"} 3\n\
         gateway_request_duration_seconds_bucket{endpoint=\"stt\",le=\"1\"} 5\n\
         gateway_request_duration_seconds_bucket{endpoint=\"stt\",le=\"2.5\"} 5\n\
         gateway_request_duration_seconds_bucket{endpoint=\"stt\",le=\"+Inf\"} 6\n\
         gateway_request_duration_seconds_sum{endpoint=\"stt\"} 7.73\n\
         gateway_request_duration_seconds_count{endpoint=\"stt\"} 6\n\
         # HELP gateway_payload_size_bytes Payload sizes.\n\
         # TYPE gateway_payload_size_bytes histogram\n\
         gateway_payload_size_bytes_bucket{le=\"64\"} 1\n\
         gateway_payload_size_bytes_bucket{le=\"256\"} 1\n\
         gateway_payload_size_bytes_bucket{le=\"1024\"} 1\n\
         gateway_payload_size_bytes_bucket{le=\"+Inf\"} 2\n\
         gateway_payload_size_bytes_sum 5064\n\
         gateway_payload_size_bytes_count 2\n\
         # HELP gateway_queue_depth Queue depth seen by arrivals.\n\
         # TYPE gateway_queue_depth histogram\n\
         gateway_queue_depth_bucket{le=\"-1\"} 1\n\
         gateway_queue_depth_bucket{le=\"0.5\"} 2\n\
         gateway_queue_depth_bucket{le=\"2\"} 2\n\
         gateway_queue_depth_bucket{le=\"+Inf\"} 2\n\
         gateway_queue_depth_sum -0.5\n\
         gateway_queue_depth_count 2\n"
    );
}

#[test]
fn summaries_render_windowed_quantiles_and_all_time_sum_and_count() {
    let gateway = GatewayMetrics::new();
    // 1.0 starts the bucket [1, 2^(1/35)) (35 buckets per octave at 1%),
    // reported as 2·lo·hi / (lo + hi) of its bounds: 1.0099, within 1%.
    gateway.first_byte(Endpoint::Tts).observe(1.0);
    gateway.first_byte(Endpoint::Tts).observe(1.0);
    gateway.first_byte(Endpoint::Tts).observe(0.0);
    let text = render(&gateway);
    let summaries = &text[text.find("# HELP gateway_first_byte_seconds").unwrap()..];
    assert_eq!(
        summaries,
        "# HELP gateway_first_byte_seconds Time to first byte, last minute.\n\
         # TYPE gateway_first_byte_seconds summary\n\
         gateway_first_byte_seconds{endpoint=\"tts\",quantile=\"0.5\"} 1.009901778953003\n\
         gateway_first_byte_seconds{endpoint=\"tts\",quantile=\"0.99\"} 1.009901778953003\n\
         gateway_first_byte_seconds_sum{endpoint=\"tts\"} 2\n\
         gateway_first_byte_seconds_count{endpoint=\"tts\"} 3\n\
         gateway_first_byte_seconds{endpoint=\"stt\",quantile=\"0.5\"} NaN\n\
         gateway_first_byte_seconds{endpoint=\"stt\",quantile=\"0.99\"} NaN\n\
         gateway_first_byte_seconds_sum{endpoint=\"stt\"} 0\n\
         gateway_first_byte_seconds_count{endpoint=\"stt\"} 0\n\
         # HELP gateway_upstream_ms Upstream latency in milliseconds.\n\
         # TYPE gateway_upstream_ms summary\n\
         gateway_upstream_ms{quantile=\"0.9\"} NaN\n\
         gateway_upstream_ms_sum 0\n\
         gateway_upstream_ms_count 0\n"
    );
}

#[test]
fn durations_are_recorded_in_the_unit_the_name_ends_in() {
    let gateway = GatewayMetrics::new();
    gateway
        .request_duration(Endpoint::Tts)
        .observe_duration(Duration::from_millis(250));
    assert_eq!(gateway.request_duration(Endpoint::Tts).snapshot().sum, 0.25);
    gateway
        .upstream_ms()
        .observe_duration(Duration::from_millis(250));
    assert_eq!(gateway.upstream_ms().snapshot().sum, 250.0);
}

#[test]
fn a_timer_records_once_when_dropped() {
    let gateway = GatewayMetrics::new();
    {
        let _timer = gateway.request_duration(Endpoint::Stt).start_timer();
        std::thread::sleep(Duration::from_millis(5));
    }
    gateway.first_byte(Endpoint::Stt).start_timer().observe();
    let histogram = gateway.request_duration(Endpoint::Stt).snapshot();
    assert_eq!(histogram.count(), 1);
    assert!(histogram.sum >= 0.005, "{}", histogram.sum);
    assert_eq!(gateway.first_byte(Endpoint::Stt).snapshot().count, 1);
}
