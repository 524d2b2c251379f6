use enumeter::metrics;

/// Storage metrics.
#[metrics(namespace = "store")]
pub enum Store {
    /// Bytes per write, by size bucket.
    #[histogram(buckets = [1024, 65536])]
    WriteSizeBucket,
}

fn main() {}
