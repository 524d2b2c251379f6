use enumeter::metrics;

/// Cache metrics.
#[metrics(namespace = "cache")]
pub enum Cache {
    /// Hits, kept by the cache and read at scrape time.
    #[counter(sharded, computed)]
    HitsTotal,
}

fn main() {}
