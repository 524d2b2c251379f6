use enumeter::metrics;

/// Checkout metrics, declared without `exemplars`.
#[metrics(namespace = "checkout")]
pub enum Checkout {
    /// Checkouts.
    #[counter]
    RequestsTotal,
    /// Checkout time, classic buckets.
    #[histogram(unit = "seconds", buckets = [0.1, 1])]
    Latency,
    /// Checkout time, native buckets beside classic ones.
    #[histogram(unit = "seconds", buckets = [1], native)]
    LatencyNative,
}

fn main() {
    // Each exemplar would be dropped: the methods do not exist without
    // `exemplars` on the metric.
    Checkout::requests_total().inc_with_exemplar(&[("trace_id", "1")]);
    Checkout::latency().observe_with_exemplar(0.5, &[("trace_id", "1")]);
    Checkout::latency_native().observe_with_exemplar(0.5, &[("trace_id", "1")]);
}
