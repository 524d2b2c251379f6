use enumeter::metrics;

const BUCKETS: [f64; 3] = [0.1, 0.5, 1.0];

/// Latency.
#[metrics(namespace = "db")]
pub enum Db {
    /// Query time.
    #[histogram(unit = "seconds", buckets = BUCKETS)]
    Query,
    /// Rows per result.
    #[histogram(buckets = [1, SMALL, 100])]
    Rows,
}

const SMALL: f64 = 10.0;

fn main() {}
