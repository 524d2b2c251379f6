use enumeter::metrics;

/// States, but without `#[derive(LabelValue)]`.
#[derive(Clone, Copy)]
pub enum LinkState {
    Up,
    Down,
}

/// Links.
#[metrics(namespace = "net")]
pub enum Net {
    /// The uplink's state.
    #[state_set(states = LinkState)]
    Uplink,
}

fn main() {}
