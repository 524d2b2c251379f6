use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, LabelValue)]
pub enum Queue {
    Fast,
    Slow,
}

/// Queue metrics.
#[metrics(namespace = "queue")]
pub enum Queues {
    /// Length, read at scrape time: every series has a value.
    #[gauge(computed, sparse)]
    Length { queue: Queue },
    /// Jobs.
    #[counter(sparse = true)]
    JobsTotal { queue: Queue },
    /// Build.
    #[info(sparse)]
    BuildInfo { queue: Queue },
}

/// Batch metrics.
#[metrics(namespace = "batch", sparse = true)]
pub enum Batch {
    /// Runs.
    #[counter]
    RunsTotal,
}

fn main() {}
