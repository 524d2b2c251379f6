use enumeter::metrics;

/// HTTP metrics.
#[metrics(namespace = "http")]
pub enum Http {
    /// Request duration.
    #[histogram(unit = "seconds", buckets = [0.1, 1.0])]
    RequestDuration,
    /// Requests, counted by hand: OpenMetrics names this counter's family
    /// `http_request_duration_seconds_count`, the histogram's count sample.
    #[counter(name = "request_duration_seconds_count_total")]
    RequestCount,
}

fn main() {}
