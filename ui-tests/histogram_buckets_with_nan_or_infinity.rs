use enumeter::metrics;

/// Latency.
#[metrics(namespace = "db")]
pub enum Db {
    /// Query time.
    #[histogram(buckets = [0.1, 1, f64::INFINITY])]
    Query,
    /// Rows per result.
    #[histogram(buckets = [1, 10, inf])]
    Rows,
    /// Wait time.
    #[histogram(buckets = [f64::NAN, 1])]
    Wait,
}

fn main() {}
