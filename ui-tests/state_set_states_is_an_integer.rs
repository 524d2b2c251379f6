use enumeter::metrics;

/// Links.
#[metrics(namespace = "net")]
pub enum Net {
    /// The uplink's state.
    #[state_set(states = u8)]
    Uplink,
}

fn main() {}
