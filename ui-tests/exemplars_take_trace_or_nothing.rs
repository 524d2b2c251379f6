use enumeter::metrics;

/// Jobs.
#[metrics(namespace = "jobs")]
pub enum Jobs {
    /// Jobs done: `exemplars` takes `trace` or no value.
    #[counter(exemplars = span)]
    DoneTotal,
    /// Job time: a string is not `trace` either.
    #[histogram(buckets = [1], exemplars = "trace")]
    Duration,
}

fn main() {}
