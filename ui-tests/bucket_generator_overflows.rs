use enumeter::metrics;

/// Sizes.
#[metrics(namespace = "store")]
pub enum Store {
    /// Object sizes.
    #[histogram(unit = "bytes", buckets = exponential(1, 1e10, 40))]
    Object,
    /// Offsets.
    #[histogram(buckets = linear(1e308, 1e308, 3))]
    Offset,
}

fn main() {}
