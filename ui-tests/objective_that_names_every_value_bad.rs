use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Outcome {
    Failed,
    TimedOut,
}

/// Job metrics.
#[metrics(namespace = "jobs")]
pub enum Jobs {
    /// Jobs: every outcome is named bad, so no event could be good.
    #[counter(objective(name = "jobs-success", target = 0.99, bad(outcome = [Failed, TimedOut])))]
    DoneTotal { outcome: Outcome },
}

fn main() {}
