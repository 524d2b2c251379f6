use enumeter::metrics;

/// Cache metrics.
#[metrics(namespace = "cache")]
pub enum Cache {
    /// Hits, from many threads, with exemplars.
    #[counter(sharded, exemplars)]
    HitsTotal,
}

fn main() {}
