use enumeter::metrics;

/// HTTP metrics.
#[metrics(namespace = "http")]
pub enum Http {
    /// Request duration.
    #[histogram(unit = "seconds", buckets = [0.1, 1.0])]
    RequestDuration { le: bool },
}

fn main() {}
