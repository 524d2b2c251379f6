use enumeter::metrics;

/// Latencies.
#[metrics(namespace = "nh")]
pub enum Nh {
    /// Schema beyond Prometheus' standard ones.
    #[histogram(native(schema = 9))]
    Fine,
    /// Too many cells: schema 8 from 1e-9 to 1e9.
    #[histogram(native(schema = 8, zero_threshold = 1e-9, max = 1e9))]
    Huge,
    /// max below the zero threshold.
    #[histogram(native(zero_threshold = 1, max = 0.5))]
    Empty,
    /// An unknown key (exemplars are fine with native buckets).
    #[histogram(native(colour = 1), exemplars)]
    Odd,
}

fn main() {}
