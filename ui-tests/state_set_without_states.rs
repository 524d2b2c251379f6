use enumeter::metrics;

/// Link metrics.
#[metrics(namespace = "app")]
pub enum App {
    /// Where the link is in its life cycle.
    #[state_set]
    LinkState,
}

fn main() {}
