use enumeter::metrics;

/// HTTP metrics.
#[metrics(namespace = "http")]
pub enum Http {
    /// Request duration.
    #[histogram(unit = "seconds")]
    RequestDuration,
}

fn main() {}
