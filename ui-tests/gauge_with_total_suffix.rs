use enumeter::metrics;

/// Queue metrics.
#[metrics(namespace = "queue")]
pub enum Queue {
    /// Jobs waiting: a gauge, so `_total` would make Prometheus read it as a counter.
    #[gauge]
    JobsTotal,
}

fn main() {}
