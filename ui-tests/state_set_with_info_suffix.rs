use enumeter::{metrics, LabelValue};

#[derive(Clone, Copy, Debug, PartialEq, Eq, LabelValue)]
pub enum Mode {
    Primary,
    Replica,
}

/// Replication metrics.
#[metrics(namespace = "repl")]
pub enum Repl {
    /// The node's current mode.
    #[state_set(states = Mode)]
    ModeInfo,
}

fn main() {}
