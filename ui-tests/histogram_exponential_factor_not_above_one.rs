use enumeter::metrics;

/// HTTP metrics.
#[metrics(namespace = "http")]
pub enum Http {
    /// Response size.
    #[histogram(unit = "bytes", buckets = exponential(64, 1, 10))]
    ResponseSize,
}

fn main() {}
