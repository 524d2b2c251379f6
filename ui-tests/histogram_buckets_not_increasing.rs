use enumeter::metrics;

/// HTTP metrics.
#[metrics(namespace = "http")]
pub enum Http {
    /// Request duration.
    #[histogram(unit = "seconds", buckets = [0.1, 0.5, 0.25, 1.0])]
    RequestDuration,
}

fn main() {}
