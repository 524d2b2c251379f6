use enumeter::{metrics, runtime_label};

runtime_label! {
    /// Phases named by configuration.
    pub struct Phase: capacity = 4;
}

/// Job metrics.
#[metrics(namespace = "job")]
pub enum Job {
    /// The job's phase: a state set needs a closed set of states.
    #[state_set(states = Phase)]
    Phase,
}

fn main() {}
