use enumeter::metrics;

/// Checkout metrics.
#[metrics(namespace = "checkout")]
pub enum Checkout {
    /// Checkout time: 0.25 s lies between two bounds, whose buckets cannot
    /// say how many were faster than it.
    #[histogram(
        unit = "seconds",
        buckets = [0.1, 0.3, 1],
        objective(name = "checkout-latency", target = 0.99, below = 0.25)
    )]
    Duration,
}

fn main() {}
