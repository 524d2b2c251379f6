use enumeter::metrics;

/// Dispatch metrics.
#[metrics(namespace = "dispatch")]
pub enum Dispatch {
    /// Jobs dispatched.
    #[counter(sharded = 65)]
    JobsTotal,
}

fn main() {}
