use enumeter::metrics;

/// Queue metrics.
#[metrics(namespace = "queue")]
pub enum Queue {
    /// Jobs waiting.
    #[gauge(name = "jobs_count")]
    Jobs,
}

fn main() {}
