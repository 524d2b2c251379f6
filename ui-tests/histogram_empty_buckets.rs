use enumeter::metrics;

/// HTTP metrics.
#[metrics(namespace = "http")]
pub enum Http {
    /// Request duration.
    #[histogram(buckets = [])]
    RequestDurationSeconds,
}

fn main() {}
