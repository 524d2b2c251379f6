use enumeter::metrics;

/// HTTP metrics.
#[metrics(namespace = "http")]
pub enum Http {
    /// Request duration.
    #[histogram(unit = "seconds", buckets = [0.1, 1.0])]
    RequestDuration,
    /// Requests, counted by hand.
    #[gauge(name = "request_duration_seconds_count")]
    RequestCount,
}

fn main() {}
